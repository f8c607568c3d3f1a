"""Dates and statuses in the window follow the chosen language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from PySide6.QtCore import QLocale  # isort: skip
from PySide6.QtWidgets import QApplication  # isort: skip

from signer_app.ui.i18n import install_translators  # isort: skip
from signer_app.portal_api.models import GibAnswer, PortalStatus, Status  # isort: skip
from signer_app.ui.state import local_date_text, status_text  # isort: skip

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


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("tr", "Aktif (1300) BASARIYLA TAMAMLANDI"),
        # GİB's code and text stay as GİB wrote them; the status is ours.
        ("en", "Active (1300) BASARIYLA TAMAMLANDI"),
    ],
)
def test_statuses_follow_the_window_language(
    qapp: QApplication, language: str, expected: str
) -> None:
    default = QLocale()
    installed = install_translators(qapp, "en" if language == "en" else "tr")
    try:
        active = Status(
            status=PortalStatus.ACTIVE,
            label="Aktif",
            final=True,
            updated_at=datetime.now(UTC),
            gib=GibAnswer(1300, "BASARIYLA TAMAMLANDI"),
        )
        assert status_text(active) == expected
        waiting = Status(
            status=PortalStatus.AWAITING_GIB_APPROVAL,
            label="GİB'den Onay Bekliyor",
            final=False,
            updated_at=datetime.now(UTC),
        )
        assert status_text(waiting) == (
            "GİB'den Onay Bekliyor" if language == "tr" else "Awaiting GİB's approval"
        )
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
        QLocale.setDefault(default)
