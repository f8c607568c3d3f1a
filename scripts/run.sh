#!/usr/bin/env bash
# The main job on embedded defaults: provisions the SoftHSM2 test seal (once)
# and lists what the token layer finds on it. Extra arguments go to
# `signer-app tokens` (e.g. --json, --lang en).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
tokens=.cache/demo-tokens
if [ ! -f "$tokens/manifest.json" ]; then
    .venv/bin/python -m signer_app.testpki provision --out "$tokens" --force
fi
export SOFTHSM2_CONF="$PWD/$tokens/softhsm2.conf"
module=$(.venv/bin/python -c 'import json,sys; print(json.load(open(sys.argv[1]))["module_path"])' "$tokens/manifest.json")
exec .venv/bin/signer-app tokens --module "$module" --customer 1234567808 "$@"
