"""Giriş: portal address, VKN/TCKN, web-service password, "Beni hatırla"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from signer_app.ui.messages import message_for
from signer_app.ui.state import SERVICES

if TYPE_CHECKING:
    from signer_app.portal_api.models import PortalSession
    from signer_app.ui.state import WizardState

__all__ = ["LoginPage"]


class LoginPage(QWizardPage):
    """Logs in on the worker thread; Sonraki moves on only once the portal said yes."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._logged_in = False
        self._busy = False
        #: (address, user) whose password came from the keyring.
        self._recalled: tuple[str, str] | None = None
        self.setTitle(self.tr("Giriş"))
        self.setSubTitle(self.tr("Lütfen kullanıcı ve parola bilgilerinizi girin"))

        self.url_edit = QLineEdit()
        self.url_edit.setAccessibleName(self.tr("Bağlantı Adresi"))
        self.user_edit = QLineEdit()
        self.user_edit.setAccessibleName(self.tr("Kullanıcı"))
        self.user_edit.setPlaceholderText(self.tr("VKN (10 hane) veya TCKN (11 hane)"))
        self.user_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,11}"), self.user_edit)
        )
        self.password_edit = QLineEdit()
        self.password_edit.setAccessibleName(self.tr("Parola"))
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember_box = QCheckBox(self.tr("Beni &hatırla"))
        self.remember_box.setAccessibleName(self.tr("Beni hatırla"))
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(self.tr("Hata"))
        self.status_label = QLabel()

        top = QFormLayout()
        # "&" marks the Alt+letter that moves to the field (keyboard-only use).
        top.addRow(self.tr("&Bağlantı Adresi"), self.url_edit)
        group = QGroupBox(self.tr("Kullanıcı Bilgileri"))
        form = QFormLayout(group)
        form.addRow(self.tr("&Kullanıcı"), self.user_edit)
        form.addRow(self.tr("&Parola"), self.password_edit)
        form.addRow("", self.remember_box)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(group)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        for edit in (self.url_edit, self.user_edit, self.password_edit):
            edit.textChanged.connect(self._edited)
        for edit in (self.url_edit, self.user_edit):
            edit.editingFinished.connect(self._ask_remembered)
        worker = state.handle.worker
        worker.logged_in.connect(self._on_logged_in)
        worker.recalled.connect(self._on_recalled)
        worker.failed.connect(self._on_failed)

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        """Fill in what the contract file, policy or the demo gives."""
        context = self._state.context
        self._logged_in = False
        self.url_edit.setText(context.portal_url or "")
        self.url_edit.setReadOnly(not context.url_editable and bool(context.portal_url))
        if context.contract is not None:
            self.user_edit.setText(context.contract.company.id)
        elif context.prefill_user:
            self.user_edit.setText(context.prefill_user)
        if context.prefill_password:
            self.password_edit.setText(context.prefill_password)
        self.error_label.clear()
        self.status_label.clear()
        (self.user_edit if self.url_edit.text() else self.url_edit).setFocus()
        self._ask_remembered()

    def _ask_remembered(self) -> None:
        """With an address and a VKN/TCKN but no password: ask the keyring (on the worker)."""
        url = self.url_edit.text().strip()
        if url and self._user_valid() and not self.password_edit.text():
            self._state.handle.request_recall.emit(url, self.user_edit.text())

    @Slot(str, str, str)
    def _on_recalled(self, url: str, user: str, password: str) -> None:
        # The fields may have changed while the keyring was asked.
        if (url, user) != (self.url_edit.text().strip(), self.user_edit.text()):
            return
        if self.password_edit.text():
            return
        self.password_edit.setText(password)
        self.remember_box.setChecked(True)
        self._recalled = (url, user)
        self.status_label.setText(
            self.tr("Hatırlanan parola kullanılıyor; unutulması için “Beni hatırla”yı kaldırın.")
        )

    def nextId(self) -> int:  # noqa: N802 - Qt's name
        """Hizmet Seçimi, named: it is built only after the window's first paint."""
        return SERVICES

    def _edited(self) -> None:
        self._logged_in = False
        self.completeChanged.emit()

    def _user_valid(self) -> bool:
        return len(self.user_edit.text()) in (10, 11)

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        """An address, a 10/11-digit VKN/TCKN and a password; not while logging in."""
        return (
            not self._busy
            and bool(self.url_edit.text().strip())
            and self._user_valid()
            and bool(self.password_edit.text())
        )

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        """Go on once logged in; otherwise start the login and stay."""
        if self._logged_in:
            return True
        self._busy = True
        self.error_label.clear()
        self.status_label.setText(self.tr("Portala bağlanılıyor…"))
        self.completeChanged.emit()
        self._state.handle.request_login.emit(
            self.url_edit.text().strip(),
            self.user_edit.text(),
            self.password_edit.text(),
            self.remember_box.isChecked(),
        )
        return False

    @Slot(object)
    def _on_logged_in(self, session: PortalSession) -> None:
        self._state.session = session
        self._busy = False
        self._logged_in = True
        if self._recalled is not None and not self.remember_box.isChecked():
            self._state.handle.request_forget.emit(*self._recalled)
            self._recalled = None
        self.status_label.setText(self.tr("Giriş yapıldı: {0}").format(session.company.title))
        self.completeChanged.emit()
        wizard = self.wizard()
        if wizard is not None and wizard.currentPage() is self:
            wizard.next()

    @Slot(str, object)
    def _on_failed(self, operation: str, error: object) -> None:
        if operation == "remember":
            title, text = message_for(error if isinstance(error, Exception) else Exception())
            self.status_label.setText(text)
            return
        if operation != "login":
            return
        self._busy = False
        self.status_label.clear()
        title, text = message_for(error if isinstance(error, Exception) else Exception())
        self.error_label.setText(f"<b>{title}</b><br>{text}")
        self.completeChanged.emit()
        self.password_edit.setFocus()
