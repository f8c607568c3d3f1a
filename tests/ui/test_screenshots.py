"""scripts/screenshots.py still walks every page and reads real pictures back from Xvfb."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from PySide6.QtGui import QImage  # isort: skip

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["giris", "hizmet-secimi", "xml-goster", "sertifika-secimi", "imza", "pin", "imzalama"]

pytestmark = [pytest.mark.slow, pytest.mark.softhsm]


def test_screenshots_of_every_page_under_xvfb(tmp_path: Path) -> None:
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run is not None, "xvfb-run is installed by scripts/setup.sh"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    result = subprocess.run(
        [
            xvfb_run,
            "-a",
            "-s",
            "-screen 0 1280x900x24",
            sys.executable,
            str(ROOT / "scripts" / "screenshots.py"),
            "--out",
            str(tmp_path / "shots"),
            "--lang",
            "en",
            "--work",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    taken = sorted((tmp_path / "shots" / "en").glob("*.png"))
    assert [p.stem.split("-", 1)[1] for p in taken] == PAGES
    for path in taken:
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 600 and image.height() >= 400, path
        # A real picture of widgets, not an empty (single-colour) grab.
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, 200, 5)}
        assert len(colours) > 8, path
