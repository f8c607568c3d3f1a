"""Destek paketi oluştur: the support bundle from the window, written on the worker thread."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from reference_portal.demo import DEMO_PASSWORD
from signer_app.ui.context import WizardContext
from tests.ui.walk import login

from PySide6.QtWidgets import QWizard  # isort: skip

from signer_app.ui.wizard import ActivationWizard  # isort: skip

pytestmark = pytest.mark.softhsm


def test_support_bundle_from_the_window_has_the_report_and_no_secret(
    qtbot: QtBot, context: WizardContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard = ActivationWizard(context)
    qtbot.addWidget(wizard)
    told: list[str] = []
    monkeypatch.setattr(wizard.support, "report", told.append)
    wizard.show()
    try:
        button = wizard.button(QWizard.WizardButton.CustomButton1)
        assert button.isVisible() and button.accessibleName() == "Destek paketi oluştur"
        login(qtbot, wizard, DEMO_PASSWORD, 4)
        out = tmp_path / "destek.zip"
        wizard.support.create(out)
        assert not button.isEnabled()  # one at a time; the window stays usable
        qtbot.waitUntil(lambda: wizard.support.result is not None, timeout=60000)
        assert button.isEnabled()
        assert told and str(out) in told[0]
        with zipfile.ZipFile(out) as bundle:
            names = bundle.namelist()
            assert "report.txt" in names and "report.json" in names
            report = bundle.read("report.txt").decode("utf-8")
            assert "1234567808" in report or "PKCS#11" in report
            for name in names:
                assert DEMO_PASSWORD.encode() not in bundle.read(name), name
    finally:
        wizard.done(0)
