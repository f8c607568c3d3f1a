"""The "Hizmet Aktivasyon" wizard: Giriş → Hizmet Seçimi → Sertifika Seçimi → İmza → İmzalama.

Only the Giriş page is built before the window is first painted; the other
pages, the worker thread and what they load (Qt's enum namespace, the
token and flow value types) follow right after that paint, or at once when
something asks for them first (``benchmarks/bench_startup.py``). For the
same reason message boxes are imported where they are shown (the first use
of ``QMessageBox`` builds its enums, ~1.5 ms).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QWidget, QWizard

from signer_app.ui import state as pages
from signer_app.ui.pages.login import LoginPage
from signer_app.ui.state import WizardState
from signer_app.ui.support import SupportBundleAction
from signer_app.ui.workers import WorkerHandle

if TYPE_CHECKING:
    from signer_app.portal_api.contract import Contract
    from signer_app.ui.context import WizardContext
    from signer_app.ui.pages.certificate import CertificatePage
    from signer_app.ui.pages.services import ServicesPage
    from signer_app.ui.pages.sign import SignPage
    from signer_app.ui.pages.signing import SigningPage

__all__ = ["ActivationWizard"]


class ActivationWizard(QWizard):
    """The main window; one worker thread runs the job for all pages."""

    LOGIN, SERVICES, CERTIFICATE, SIGN, SIGNING = (
        pages.LOGIN,
        pages.SERVICES,
        pages.CERTIFICATE,
        pages.SIGN,
        pages.SIGNING,
    )

    #: The window was painted once and every page is built.
    ready = Signal()

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        # Before anything else: Qt delivers events while the window is built.
        self._pages: tuple[ServicesPage, CertificatePage, SignPage, SigningPage] | None = None
        self._painted = False
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
        # "Destek paketi oluştur" on every page, at the left of the buttons.
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.support = SupportBundleAction(
            self.button(QWizard.WizardButton.CustomButton1), self.state, self
        )
        self.setButtonLayout(
            [
                QWizard.WizardButton.CustomButton1,
                QWizard.WizardButton.Stretch,
                QWizard.WizardButton.BackButton,
                QWizard.WizardButton.NextButton,
                QWizard.WizardButton.CommitButton,
                QWizard.WizardButton.FinishButton,
                QWizard.WizardButton.CancelButton,
            ]
        )
        self.login_page = LoginPage(self.state)
        self.setPage(self.LOGIN, self.login_page)
        self.setStartId(self.LOGIN)
        # Wide enough for the certificate table's six columns.
        self.resize(820, 580)

    # -- pages built after the first paint -------------------------------------------------

    def ensure_pages(self) -> None:
        """Build the pages after Giriş and start the worker thread (once)."""
        if self._pages is not None:
            return
        from signer_app.ui.pages.certificate import CertificatePage  # noqa: PLC0415
        from signer_app.ui.pages.services import ServicesPage  # noqa: PLC0415
        from signer_app.ui.pages.sign import SignPage  # noqa: PLC0415
        from signer_app.ui.pages.signing import SigningPage  # noqa: PLC0415

        pages = (
            ServicesPage(self.state),
            CertificatePage(self.state),
            SignPage(self.state),
            SigningPage(self.state),
        )
        self._pages = pages
        for page_id, page in zip(
            (self.SERVICES, self.CERTIFICATE, self.SIGN, self.SIGNING), pages, strict=True
        ):
            self.setPage(page_id, page)
        pages[3].pin_rejected.connect(self._on_pin_rejected)
        self.handle.start()

    @property
    def services_page(self) -> ServicesPage:
        """Hizmet Seçimi."""
        self.ensure_pages()
        assert self._pages is not None
        return self._pages[0]

    @property
    def certificate_page(self) -> CertificatePage:
        """Sertifika Seçimi."""
        self.ensure_pages()
        assert self._pages is not None
        return self._pages[1]

    @property
    def sign_page(self) -> SignPage:
        """İmza."""
        self.ensure_pages()
        assert self._pages is not None
        return self._pages[2]

    @property
    def signing_page(self) -> SigningPage:
        """İmzalama."""
        self.ensure_pages()
        assert self._pages is not None
        return self._pages[3]

    def event(self, event: QEvent) -> bool:
        """After the first paint, build the remaining pages and announce :attr:`ready`."""
        handled = super().event(event)
        if not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            QTimer.singleShot(0, self._after_first_paint)
        return handled

    def _after_first_paint(self) -> None:
        self.ensure_pages()
        self.ready.emit()

    def validateCurrentPage(self) -> bool:  # noqa: N802 - Qt's name
        """Sonraki: the next page must exist even if it is pressed before the first paint."""
        self.ensure_pages()
        return super().validateCurrentPage()

    def open_contract(self, contract: Contract) -> None:
        """Start again at Giriş with the contract file's address and company."""
        if self.state.busy:
            from PySide6.QtWidgets import QMessageBox  # noqa: PLC0415 - see the module's docstring

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
        from PySide6.QtWidgets import QMessageBox  # noqa: PLC0415 - see the module's docstring

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
