"""Dates in the window are written the way the chosen language writes them."""

from __future__ import annotations

from datetime import datetime

import pytest

from PySide6.QtCore import QLocale  # isort: skip
from PySide6.QtWidgets import QApplication  # isort: skip

from signer_app.ui.i18n import install_translators  # isort: skip
from signer_app.ui.state import local_date_text  # isort: skip

#: 07:30 on this machine's clock, whatever its time zone.
MOMENT = datetime(2026, 11, 24, 7, 30).astimezone()


@pytest.mark.parametrize(
    ("language", "date_only", "with_time"),
    [("tr", "24.11.2026", "24.11.2026 07:30"), ("en", "11/24/26", "11/24/26 7:30 AM")],
)
def test_dates_follow_the_window_language(
    qapp: QApplication,
    language: str,
    date_only: str,
    with_time: str,
) -> None:
    default = QLocale()
    installed = install_translators(qapp, "en" if language == "en" else "tr")
    try:
        assert local_date_text(MOMENT) == date_only
        assert local_date_text(MOMENT, with_time=True).replace("\u202f", " ") == with_time
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
        QLocale.setDefault(default)
