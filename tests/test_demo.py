"""``signer-app demo --unattended``: the main job end to end, as the README runs it."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.softhsm, pytest.mark.slow]

SERVICES = ("e-Fatura", "e-Arşiv", "e-İrsaliye", "e-Arşiv Saklama")


def test_demo_unattended_signs_uploads_and_ends_active(tmp_path: Path) -> None:
    env = {**os.environ, "SIGNER_APP_LOG_DIR": str(tmp_path / "logs")}
    env.pop("SOFTHSM2_CONF", None)  # the demo provisions its own token
    result = subprocess.run(
        [sys.executable, "-m", "signer_app", "demo", "--unattended", "--work", str(tmp_path / "w")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for service in SERVICES:
        assert f"{service} Hizmeti açma. Sonuç: Başarılı" in lines
        assert f"{service}: Aktif (1300) BASARIYLA TAMAMLANDI" in lines
    with (tmp_path / "w" / "receipts.csv").open(encoding="utf-8", newline="") as stream:
        receipts = list(csv.DictReader(stream))
    assert [r["gib_code"] for r in receipts] == ["1300"] * 4
    assert all(r["portal_reference"] for r in receipts)
    # Nothing secret in what the run wrote.
    written = [
        p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".log", ".csv", ".txt")
    ]
    for path in written:
        assert "demo-parola-1234" not in path.read_text(encoding="utf-8", errors="replace")
