"""İmza: the chosen library and certificate; the PIN (or the reader's PIN-pad) is asked here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget, QWizard, QWizardPage

from signer_app.token.pin import PinStatus
from signer_app.ui.messages import message_for, pin_status_text
from signer_app.ui.pin_dialog import PinDialog

if TYPE_CHECKING:
    from signer_app.ui.state import WizardState
    from signer_app.ui.workers import PinInfo

__all__ = ["SignPage"]


class SignPage(QWizardPage):
    """Shows what will sign; Sonraki asks for the PIN and starts the batch."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._pin_info: PinInfo | None = None
        self._error_text = ""
        self.setTitle(self.tr("İmza"))
        self.setSubTitle(
            self.tr(
                "Mali mühür sertifikanıza erişim yöntemini belirleyin ve imza sertifikanızı "
                "seçin. İmza işleminin tamamlanması için sonraki adıma devam edin"
            )
        )
        self.library_label = QLabel()
        self.library_label.setAccessibleName(self.tr("İmza Kütüphanesi"))
        self.certificate_label = QLabel()
        self.certificate_label.setAccessibleName(self.tr("İmza Sertifikası"))
        self.certificate_label.setWordWrap(True)
        self.pin_state_label = QLabel()
        self.pin_state_label.setWordWrap(True)
        self.pin_state_label.setAccessibleName(self.tr("PIN durumu"))
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(self.tr("Hata"))
        form = QFormLayout()
        form.addRow(self.tr("İmza Kütüphanesi"), self.library_label)
        form.addRow(self.tr("İmza Sertifikası"), self.certificate_label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.pin_state_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("İmzala >>"))
        worker = state.handle.worker
        worker.pin_status_ready.connect(self._on_pin_status)
        worker.failed.connect(self._on_failed)
        #: The dialog while it is open (tests drive it).
        self.dialog: PinDialog | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        """Show the choice and read the PIN state."""
        choice = self._state.choice
        self.library_label.setText(self.tr("PKCS #11 ({0})").format(self._state.module or ""))
        self.certificate_label.setText(self._state.certificate_name())
        self.error_label.setText(self._error_text)
        self._error_text = ""
        self.refresh_pin_status()
        if choice is None:
            self.error_label.setText(self.tr("Önce bir sertifika seçin."))

    def refresh_pin_status(self) -> None:
        """Ask the worker for the card's PIN state."""
        self._pin_info = None
        self.pin_state_label.setText(self.tr("Kartın PIN durumu okunuyor…"))
        self.completeChanged.emit()
        if self._state.module is not None and self._state.slot_id is not None:
            self._state.handle.request_pin_status.emit(self._state.module, self._state.slot_id)

    def show_error(self, error: BaseException) -> None:
        """Show why the last try failed (wrong PIN …) and read the PIN state again."""
        _title, text = message_for(error)
        self._error_text = text
        self.error_label.setText(text)
        self.refresh_pin_status()

    @Slot(object)
    def _on_pin_status(self, info: PinInfo) -> None:
        self._pin_info = info
        assert isinstance(info.status, PinStatus)
        text = pin_status_text(info.status)
        if info.pinpad:
            text = f"{text} {self.tr('PIN okuyucunun tuş takımından girilecek.')}"
        self.pin_state_label.setText(text)
        self.completeChanged.emit()

    @Slot(str, object)
    def _on_failed(self, operation: str, error: object) -> None:
        if operation != "pin_status":
            return
        title, text = message_for(error if isinstance(error, Exception) else Exception())
        self.pin_state_label.setText(f"{title}: {text}")

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        """A certificate is chosen and the PIN state is known (locked shows the steps)."""
        return self._state.choice is not None and self._pin_info is not None

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        """Collect the PIN (or prepare the PIN-pad prompt); the batch starts on the next page."""
        info = self._pin_info
        if info is None or self._state.choice is None:
            return False
        assert isinstance(info.status, PinStatus)
        if info.pinpad and info.status is not PinStatus.LOCKED:
            self._state.pin = None
            self._state.pinpad = True
            self._state.confirm_final_try = info.status is PinStatus.FINAL_TRY
            return True
        self.dialog = PinDialog(
            info.status,
            self._state.certificate_name(),
            error_text=self.error_label.text(),
            prefill=self._state.context.prefill_pin,
            parent=self,
        )
        try:
            accepted = self.dialog.exec() == PinDialog.DialogCode.Accepted
            if not accepted or info.status is PinStatus.LOCKED:
                return False
            self._state.pin = self.dialog.pin()
            self._state.pinpad = False
            self._state.confirm_final_try = self.dialog.confirmed_final_try
            self.error_label.clear()
            return True
        finally:
            self.dialog.deleteLater()
            self.dialog = None
