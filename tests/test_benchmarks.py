"""The benchmark scripts keep working (their figures are read by people, not asserted here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.softhsm
@pytest.mark.fault
def test_bench_token_runs_and_reports_both_targets() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_token.py"),
            "--rounds",
            "2",
            "--batch",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # Exit 1 means a target was missed on this tiny, noisy sample; only a crash fails here.
    assert result.returncode in (0, 1), result.stderr
    assert "host path overhead over direct" in result.stdout
    assert "slow card (300 ms per C_Sign)" in result.stdout


@pytest.mark.slow
def test_bench_envelope_runs_and_reports_both_targets() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_envelope.py"),
            "--rounds",
            "2",
            "--batch",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "counter-sign / xmlsec sign" in result.stdout
    assert "verify both / xmlsec verify both" in result.stdout


@pytest.mark.slow
@pytest.mark.softhsm
def test_bench_flow_runs_and_reports_the_target(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_flow.py"),
            "--rounds",
            "1",
            "--count",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "SIGNER_APP_LOG_DIR": str(tmp_path)},
    )
    assert result.returncode in (0, 1), result.stderr
    assert "flow / direct" in result.stdout
