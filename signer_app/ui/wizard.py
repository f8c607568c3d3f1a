"""The "Hizmet Aktivasyon" wizard: Giriş → Hizmet Seçimi → Sertifika Seçimi → İmza → İmzalama.

Only the Giriş page is built before the window is first painted; the other
pages, the worker thread and what they load (Qt's enum namespace, the
token and flow value types) follow right after that paint, or at once when
something asks for them first (``benchmarks/bench_startup.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard

from signer_app.ui import state as pages
from signer_app.ui.pages.login import LoginPage
from signer_app.ui.state import WizardState
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
        self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("&Destek paketi oluştur…"))
        self.button(QWizard.WizardButton.CustomButton1).setAccessibleName(
            self.tr("Destek paketi oluştur")
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
        self.customButtonClicked.connect(self._on_custom_button)
        # The support bundle's path and problem codes, once written (tests wait for it).
        self.support_bundle: tuple[str, list[str]] | None = None
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
        worker = self.handle.worker
        worker.support_bundle_ready.connect(self._on_support_bundle)
        worker.failed.connect(self._on_worker_failed)
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

    # -- support bundle ----------------------------------------------------------------

    def _on_custom_button(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.create_support_bundle()

    def create_support_bundle(self, path: Path | None = None) -> None:
        """Write the support bundle on the worker thread (asks where unless *path* is given)."""
        if self.state.busy:
            QMessageBox.information(
                self,
                self.tr("Destek paketi"),
                self.tr("İmzalama bitince destek paketi oluşturabilirsiniz."),
            )
            return
        if path is None:
            from datetime import datetime  # noqa: PLC0415

            from PySide6.QtCore import QStandardPaths  # noqa: PLC0415
            from PySide6.QtWidgets import QFileDialog  # noqa: PLC0415

            folder = QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.DocumentsLocation
            )
            name = f"destek-paketi-{datetime.now():%Y%m%d-%H%M}.zip"
            chosen, _filter = QFileDialog.getSaveFileName(
                self,
                self.tr("Destek paketi oluştur"),
                str(Path(folder) / name),
                self.tr("ZIP dosyası (*.zip)"),
            )
            if not chosen:
                return
            path = Path(chosen)
        self.ensure_pages()
        self.support_bundle = None
        button = self.button(QWizard.WizardButton.CustomButton1)
        button.setEnabled(False)
        button.setText(self.tr("Destek paketi hazırlanıyor…"))
        self.handle.request_support_bundle.emit(str(path))

    def _support_button_back(self) -> None:
        button = self.button(QWizard.WizardButton.CustomButton1)
        button.setEnabled(True)
        button.setText(self.tr("&Destek paketi oluştur…"))

    def _on_support_bundle(self, path: str, problems: list[str]) -> None:
        self._support_button_back()
        self.support_bundle = (path, list(problems))
        text = self.tr(
            "Destek paketi kaydedildi:\n{0}\n\nPIN, parola ve anahtarlar pakette yer almaz. "
            "Dosyayı bilgi işlem biriminize veya entegratörünüzün destek ekibine gönderin."
        ).format(path)
        if problems:
            text += "\n\n" + self.tr("Bulunan sorunlar: {0}").format(", ".join(problems))
        self.report_support_bundle(text)

    def report_support_bundle(self, text: str) -> None:
        """Tell where the bundle is (tests replace this)."""
        QMessageBox.information(self, self.tr("Destek paketi"), text)

    def _on_worker_failed(self, operation: str, error: object) -> None:
        if operation != "support":
            return
        self._support_button_back()
        from signer_app.ui.messages import message_for  # noqa: PLC0415

        title, text = message_for(error if isinstance(error, Exception) else Exception())
        QMessageBox.warning(self, title, text)

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
