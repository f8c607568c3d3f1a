"""The "Hizmet Aktivasyon" wizard: Giriş → Hizmet Seçimi → Sertifika Seçimi → İmza → İmzalama."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget, QWizard

from signer_app.ui.pages.certificate import CertificatePage
from signer_app.ui.pages.login import LoginPage
from signer_app.ui.pages.services import ServicesPage
from signer_app.ui.pages.sign import SignPage
from signer_app.ui.pages.signing import SigningPage
from signer_app.ui.state import WizardState
from signer_app.ui.workers import WorkerHandle

if TYPE_CHECKING:
    from signer_app.portal_api.contract import Contract
    from signer_app.ui.context import WizardContext

__all__ = ["ActivationWizard"]


class ActivationWizard(QWizard):
    """The main window; one worker thread runs the job for all pages."""

    LOGIN, SERVICES, CERTIFICATE, SIGN, SIGNING = range(5)

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.handle = WorkerHandle(context, self)
        self.state = WizardState(context, self.handle)
        self.setWindowTitle(self.tr("Hizmet Aktivasyon"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoDefaultButton, False)
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("<< Önceki"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("Sonraki >>"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("Kapat"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Kapat"))
        for which, name in (
            (QWizard.WizardButton.BackButton, self.tr("Önceki")),
            (QWizard.WizardButton.NextButton, self.tr("Sonraki")),
            (QWizard.WizardButton.CancelButton, self.tr("Kapat")),
            (QWizard.WizardButton.FinishButton, self.tr("Kapat")),
            (QWizard.WizardButton.CommitButton, self.tr("İmzala")),
        ):
            self.button(which).setAccessibleName(name)
        self.login_page = LoginPage(self.state)
        self.services_page = ServicesPage(self.state)
        self.certificate_page = CertificatePage(self.state)
        self.sign_page = SignPage(self.state)
        self.signing_page = SigningPage(self.state)
        self.setPage(self.LOGIN, self.login_page)
        self.setPage(self.SERVICES, self.services_page)
        self.setPage(self.CERTIFICATE, self.certificate_page)
        self.setPage(self.SIGN, self.sign_page)
        self.setPage(self.SIGNING, self.signing_page)
        self.setStartId(self.LOGIN)
        self.signing_page.pin_rejected.connect(self._on_pin_rejected)
        self.resize(760, 560)
        self.handle.start()

    def open_contract(self, contract: Contract) -> None:
        """Start again at Giriş with the contract file's address and company."""
        if self.state.busy:
            QMessageBox.information(
                self,
                self.tr("Hizmet Aktivasyon"),
                self.tr("İmzalama sürerken yeni bir sözleşme dosyası açılamaz."),
            )
            return
        self.context.contract = contract
        self.context.portal_url = contract.portal_url
        self.state.reset()
        self.restart()

    def _on_pin_rejected(self, error: BaseException) -> None:
        """The card said no before anything was signed: back to İmza with the reason."""
        if self.currentId() == self.SIGNING:
            self.back()
        self.sign_page.show_error(error)

    def confirm_close_during_batch(self) -> bool:
        """Ask before closing while a batch runs (tests replace this)."""
        answer = QMessageBox.question(
            self,
            self.tr("Hizmet Aktivasyon"),
            self.tr(
                "İmzalama sürüyor. Şimdi kapatırsanız işlem, imzalanmakta olan belgeden "
                "sonra durdurulur; imzalanan belgeler bir sonraki açılışta gönderilir. "
                "Kapatılsın mı?"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def reject(self) -> None:
        """Kapat / Esc / the window's close box: ask first in the middle of a batch."""
        if self.state.busy and not self.confirm_close_during_batch():
            return
        super().reject()

    def done(self, result: int) -> None:
        """Join the worker thread before the window goes (never leave it running)."""
        self.handle.stop()
        self.state.pin = None
        super().done(result)
