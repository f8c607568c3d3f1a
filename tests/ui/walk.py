"""Steps of the wizard that several tests take, driven through the real widgets."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from signer_app.ui.pin_dialog import PinDialog

from PySide6.QtCore import QTimer  # isort: skip
from PySide6.QtWidgets import QWizard  # isort: skip

from signer_app.ui.wizard import ActivationWizard  # isort: skip

__all__ = [
    "answer_pin_dialog",
    "choose_certificate",
    "login",
    "press_next",
    "sign_with_pin",
    "type_pin",
]


def press_next(wizard: ActivationWizard) -> None:
    """Press "Sonraki >>"."""
    wizard.button(QWizard.WizardButton.NextButton).click()


def login(qtbot: QtBot, wizard: ActivationWizard, password: str, services: int) -> None:
    """Log in with ``password`` and wait for ``services`` check boxes."""
    wizard.login_page.password_edit.setText(password)
    press_next(wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == ActivationWizard.SERVICES, timeout=10000)
    qtbot.waitUntil(lambda: len(wizard.services_page.boxes) == services, timeout=20000)


def choose_certificate(qtbot: QtBot, wizard: ActivationWizard) -> None:
    """On Sertifika Seçimi: Kartı Aç, keep the preselected row, Seç, Sonraki."""
    page = wizard.certificate_page
    qtbot.waitUntil(lambda: page.slot_combo.count() > 1, timeout=15000)
    qtbot.waitUntil(page.open_button.isEnabled, timeout=5000)
    page.open_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=15000)
    qtbot.waitUntil(page.choose_button.isEnabled, timeout=5000)
    page.choose_button.click()
    press_next(wizard)
    assert wizard.currentId() == ActivationWizard.SIGN


def answer_pin_dialog(
    wizard: ActivationWizard, act: Callable[[PinDialog], None]
) -> Callable[[], None]:
    """A timer callback that waits for the modal PIN dialog, then runs ``act`` on it."""

    def answer() -> None:
        # İmza asks before the batch, İmzalama before a retry.
        dialog = wizard.sign_page.dialog or wizard.signing_page.dialog
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, answer)
            return
        act(dialog)

    return answer


def type_pin(pin: str, *, confirm: bool = False) -> Callable[[PinDialog], None]:
    """Type ``pin`` (ticking the last-try confirmation if asked) and press Tamam."""

    def act(dialog: PinDialog) -> None:
        assert dialog.pin_edit is not None and dialog.ok_button is not None
        dialog.pin_edit.setText(pin)
        if confirm:
            assert dialog.confirm_box is not None
            assert not dialog.ok_button.isEnabled()  # not without the confirmation
            dialog.confirm_box.setChecked(True)
        assert dialog.ok_button.isEnabled()
        dialog.ok_button.click()

    return act


def sign_with_pin(qtbot: QtBot, wizard: ActivationWizard, act: Callable[[PinDialog], None]) -> None:
    """Wait until İmzala is possible, press it and let ``act`` handle the PIN dialog."""
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    qtbot.waitUntil(commit.isEnabled, timeout=10000)
    QTimer.singleShot(0, answer_pin_dialog(wizard, act))
    commit.click()


def retry_with_pin(
    qtbot: QtBot, wizard: ActivationWizard, act: Callable[[PinDialog], None]
) -> None:
    """Press "Yalnız başarısızları yeniden dene" and let ``act`` handle the PIN dialog."""
    button = wizard.signing_page.retry_button
    qtbot.waitUntil(button.isEnabled, timeout=20000)
    QTimer.singleShot(0, answer_pin_dialog(wizard, act))
    button.click()
