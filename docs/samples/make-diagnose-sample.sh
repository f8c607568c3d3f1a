#!/usr/bin/env bash
# Regenerates docs/samples/diagnose-report.txt: `signer-app diagnose` on the
# demo's SoftHSM2 token, with a sample machine policy and user settings, the
# reference portal served over loopback HTTP as in `signer-app demo`.
# Usage (from the repository root): bash docs/samples/make-diagnose-sample.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
work=/tmp/signer-app-diagnose-sample
rm -rf "$work"
mkdir -p "$work/cfg"
export SIGNER_APP_LOG_DIR="$work/logs" SIGNER_APP_CONFIG_DIR="$work/cfg"
export SIGNER_APP_POLICY_FILE="$work/policy.json"
# The user's file changes the language and tries to widen the locked trusted hosts.
printf '{"settings": {"language": "en", "portal.trusted_hosts": ["other.example"]}}\n' \
    >"$work/cfg/settings.json"
.venv/bin/python - "$work" <<'PY'
import json
import sys
import zipfile
from pathlib import Path

from signer_app.cli import run
from signer_app.launch import demo_session
from signer_app.portal_api.contract import load_contract_file
from signer_app.testpki.softhsm import find_softhsm_module

work = Path(sys.argv[1])
module = find_softhsm_module()
(work / "policy.json").write_text(
    json.dumps(
        {
            "settings": {
                "portal.trusted_hosts": ["portal.example.com.tr", "127.0.0.1"],
                "pkcs11.default_module": str(module),
                "language": "tr",
            },
            "locked": ["portal.trusted_hosts", "pkcs11.default_module"],
        }
    ),
    encoding="utf-8",
)
with demo_session(work / "demo") as (session, contract_path):
    contract = load_contract_file(contract_path, trusted_hosts=(), allow_loopback=True)
    out = work / "destek-paketi.zip"
    status = run(["diagnose", "--out", str(out), "--portal", contract.portal_url])
    assert status == 0, status
with zipfile.ZipFile(out) as archive:
    Path("docs/samples/diagnose-report.txt").write_bytes(archive.read("report.txt"))
PY
echo "wrote docs/samples/diagnose-report.txt"
