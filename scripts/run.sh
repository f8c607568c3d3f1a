#!/usr/bin/env bash
# The main job on embedded defaults: `signer-app demo` opens the wizard on the
# demo (without a display it runs `signer-app demo --unattended`), which starts the
# reference portal on loopback with a temporary database, provisions a
# SoftHSM2 test seal, writes a demo contract file and runs the whole flow
# (log in, check, one PIN, counter-sign, journal, upload, follow GİB).
# Extra arguments go to signer-app (e.g. --lang en before, --work DIR after).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/signer-app "$@" demo
