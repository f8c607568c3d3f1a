"""Destek paketi oluştur: the wizard's button; the support bundle is written by the worker."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QAbstractButton, QWidget

from signer_app.ui.messages import message_for

if TYPE_CHECKING:
    from signer_app.ui.state import WizardState

__all__ = ["SupportBundleAction"]


class SupportBundleAction(QObject):
    """Asks where, has the worker write the bundle, and tells the user where it is.

    :param button: the wizard's button (disabled while the bundle is written).
    :param state: the run's state (no bundle while a batch is signed).
    :param window: the parent of the dialogs.
    """

    def __init__(self, button: QAbstractButton, state: WizardState, window: QWidget) -> None:
        super().__init__(window)
        self._button = button
        self._state = state
        self._window = window
        # The bundle's path and problem codes, once written (tests wait for it).
        self.result: tuple[str, list[str]] | None = None
        self._rest_text()
        button.setAccessibleName(self.tr("Destek paketi oluştur"))
        button.clicked.connect(self._on_clicked)
        worker = state.handle.worker
        worker.support_bundle_ready.connect(self._on_ready)
        worker.failed.connect(self._on_failed)

    @Slot()
    def _on_clicked(self) -> None:
        self.create()  # not clicked's "checked" as the path

    def _rest_text(self) -> None:
        self._button.setText(self.tr("&Destek paketi oluştur…"))

    def create(self, path: Path | None = None) -> None:
        """Write the bundle (asks where unless *path* is given); not during a batch."""
        if self._state.busy:
            from PySide6.QtWidgets import QMessageBox  # noqa: PLC0415 - not before the first paint

            QMessageBox.information(
                self._window,
                self.tr("Destek paketi"),
                self.tr("İmzalama bitince destek paketi oluşturabilirsiniz."),
            )
            return
        if path is None:
            # Not at the top: the wizard builds this before its first paint.
            from datetime import datetime  # noqa: PLC0415

            from PySide6.QtCore import QStandardPaths  # noqa: PLC0415
            from PySide6.QtWidgets import QFileDialog  # noqa: PLC0415

            folder = QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.DocumentsLocation
            )
            name = f"destek-paketi-{datetime.now():%Y%m%d-%H%M}.zip"
            chosen, _filter = QFileDialog.getSaveFileName(
                self._window,
                self.tr("Destek paketi oluştur"),
                str(Path(folder) / name),
                self.tr("ZIP dosyası (*.zip)"),
            )
            if not chosen:
                return
            path = Path(chosen)
        self.result = None
        self._button.setEnabled(False)
        self._button.setText(self.tr("Destek paketi hazırlanıyor…"))
        self._state.handle.request_support_bundle.emit(str(path))

    @Slot(str, list)
    def _on_ready(self, path: str, problems: list[str]) -> None:
        self._button.setEnabled(True)
        self._rest_text()
        self.result = (path, list(problems))
        text = self.tr(
            "Destek paketi kaydedildi:\n{0}\n\nPIN, parola ve anahtarlar pakette yer almaz. "
            "Dosyayı bilgi işlem biriminize veya entegratörünüzün destek ekibine gönderin."
        ).format(path)
        if problems:
            text += "\n\n" + self.tr("Bulunan sorunlar: {0}").format(", ".join(problems))
        self.report(text)

    def report(self, text: str) -> None:
        """Tell where the bundle is (tests replace this)."""
        from PySide6.QtWidgets import QMessageBox  # noqa: PLC0415

        QMessageBox.information(self._window, self.tr("Destek paketi"), text)

    @Slot(str, object)
    def _on_failed(self, operation: str, error: object) -> None:
        if operation != "support":
            return
        self._button.setEnabled(True)
        self._rest_text()
        title, text = message_for(error if isinstance(error, Exception) else Exception())
        from PySide6.QtWidgets import QMessageBox  # noqa: PLC0415

        QMessageBox.warning(self._window, title, text)
