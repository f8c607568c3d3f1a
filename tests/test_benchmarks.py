"""The benchmark scripts keep working (their figures are read by people, not asserted here).

Each runs on a tiny sample; exit status 1 means a target was missed on that
noisy sample and is accepted — only a crash or a missing report line fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.softhsm
@pytest.mark.parametrize(
    ("script", "arguments", "expected"),
    [
        (
            "bench_token.py",
            ("--rounds", "2", "--batch", "5"),
            ("host path overhead over direct", "slow card (300 ms per C_Sign)"),
        ),
        (
            "bench_envelope.py",
            ("--rounds", "2", "--batch", "3"),
            ("counter-sign / xmlsec sign", "verify both / xmlsec verify both"),
        ),
        ("bench_flow.py", ("--rounds", "1", "--count", "5"), ("flow / direct",)),
        (
            "bench_startup.py",
            ("--rounds", "2", "--warmup", "1"),
            ("signer-app / bare", "peak memory"),
        ),
    ],
)
def test_benchmark_runs_and_reports(
    script: str, arguments: tuple[str, ...], expected: tuple[str, ...], tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "SIGNER_APP_LOG_DIR": str(tmp_path)},
    )
    assert result.returncode in (0, 1), result.stderr
    for line in expected:
        assert line in result.stdout
