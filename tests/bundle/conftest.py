"""The bundle tier: builds ``dist/signer-app`` (or reuses an up-to-date build) and runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Final

import pytest

ROOT: Final = Path(__file__).resolve().parents[2]
BUNDLE: Final = ROOT / "dist" / "signer-app"
EXECUTABLE: Final = BUNDLE / ("signer-app.exe" if sys.platform == "win32" else "signer-app")
#: A clean build takes about 20 s on two idle cores; a loaded CI machine may need far more.
BUILD_TIMEOUT_S: Final = 1200


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too, so that --strict-markers accepts the tier wherever it runs from.
    config.addinivalue_line(
        "markers", "bundle: builds the PyInstaller one-folder bundle and runs it (slow)"
    )


@pytest.fixture(scope="session")
def bundle() -> Path:
    """The bundled program, built once per session unless the build is already up to date.

    ``scripts/build_bundle.sh --if-stale`` installs the pinned PyInstaller when
    it is missing and rebuilds only when a source, the spec or a package
    changed since the last build.
    """
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_bundle.sh"), "--if-stale"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"building the bundle failed (exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )
    # The figures of the build (size; time when it built) go to the test log.
    print(result.stdout)
    assert EXECUTABLE.is_file(), result.stdout
    return EXECUTABLE
