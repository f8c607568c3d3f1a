"""The PIN dialog: the card's PIN state; a last try needs a yes; a locked card has no field."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from signer_app.token.errors import PinLockedError
from signer_app.token.pin import PinStatus
from signer_app.ui.messages import message_for, pin_status_text

__all__ = ["PinDialog"]


class PinDialog(QDialog):
    """Asks for the card PIN; the PIN leaves only through :meth:`pin`."""

    def __init__(
        self,
        status: PinStatus,
        certificate_name: str,
        *,
        error_text: str = "",
        prefill: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Kart PIN'i"))
        self.status = status
        layout = QVBoxLayout(self)
        self.certificate_label = QLabel(self.tr("Sertifika: {0}").format(certificate_name))
        layout.addWidget(self.certificate_label)
        self.state_label = QLabel(pin_status_text(status))
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName(self.tr("PIN durumu"))
        layout.addWidget(self.state_label)
        self.error_label = QLabel(error_text)
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(self.tr("Hata"))
        layout.addWidget(self.error_label)
        self.pin_edit: QLineEdit | None = None
        self.confirm_box: QCheckBox | None = None
        buttons = QDialogButtonBox()
        self.ok_button: QPushButton | None = None
        if status is PinStatus.LOCKED:
            _title, steps = message_for(PinLockedError("locked", status=status))
            self.steps_label = QLabel(steps)
            self.steps_label.setWordWrap(True)
            layout.addWidget(self.steps_label)
            close = buttons.addButton(self.tr("Kapat"), QDialogButtonBox.ButtonRole.RejectRole)
            close.setAccessibleName(self.tr("Kapat"))
        else:
            pin_label = QLabel(self.tr("&PIN"))
            layout.addWidget(pin_label)
            self.pin_edit = QLineEdit()
            pin_label.setBuddy(self.pin_edit)
            self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.pin_edit.setAccessibleName(self.tr("PIN"))
            self.pin_edit.setMaxLength(64)
            layout.addWidget(self.pin_edit)
            if status is PinStatus.FINAL_TRY:
                self.confirm_box = QCheckBox(
                    self.tr("Son deneme hakkımı kullanmak istiyorum; yanlışsa kart bloke olur")
                )
                self.confirm_box.setAccessibleName(self.tr("Son deneme onayı"))
                self.confirm_box.toggled.connect(self._update)
                layout.addWidget(self.confirm_box)
            self.ok_button = buttons.addButton(
                self.tr("Tamam"), QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.ok_button.setAccessibleName(self.tr("Tamam"))
            self.ok_button.setDefault(True)
            cancel = buttons.addButton(self.tr("Vazgeç"), QDialogButtonBox.ButtonRole.RejectRole)
            cancel.setAccessibleName(self.tr("Vazgeç"))
            self.pin_edit.textChanged.connect(self._update)
            if prefill:
                self.pin_edit.setText(prefill)
            self.pin_edit.setFocus()
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update()

    def _update(self) -> None:
        if self.ok_button is None or self.pin_edit is None:
            return
        confirmed = self.confirm_box is None or self.confirm_box.isChecked()
        self.ok_button.setEnabled(len(self.pin_edit.text()) >= 4 and confirmed)

    def accept(self) -> None:
        """Close only with a PIN (and the confirmation on a last try)."""
        if self.ok_button is None or not self.ok_button.isEnabled():
            return
        super().accept()

    def pin(self) -> str:
        """The PIN typed."""
        return self.pin_edit.text() if self.pin_edit is not None else ""

    @property
    def confirmed_final_try(self) -> bool:
        """The user chose to use the last try."""
        return self.confirm_box is not None and self.confirm_box.isChecked()
