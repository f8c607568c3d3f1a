"""İmzalama: progress, one result line per service, retry, statuses until final, receipt."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from signer_app.flow.results import Item, ItemResult, Outcome
from signer_app.token.errors import PinError
from signer_app.ui.messages import message_for
from signer_app.ui.state import WizardState, activation_text, service_text, status_text

if TYPE_CHECKING:
    from signer_app.portal_api.models import Status
    from signer_app.ui.pin_dialog import PinDialog

__all__ = ["SigningPage"]


class SigningPage(QWizardPage):
    """Runs the batch on the worker and shows what happened to each service."""

    #: The card refused the PIN before anything was signed: go back to İmza.
    pin_rejected = Signal(object)
    #: The receipt CSV was written to this path.
    receipt_saved = Signal(str)

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._results: dict[str, ItemResult] = {}
        self._names: dict[str, str] = {}
        self._rows: dict[str, int] = {}
        self._status_rows: dict[str, int] = {}
        self._receipt_path: Path | None = None
        self._following = False
        self.setTitle(self.tr("İmzalama"))
        self.setSubTitle(self.tr("İmzalama işlemi sonucu aşağıdaki gibidir"))
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName(self.tr("İlerleme"))
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.results_list = QListWidget()
        self.results_list.setAccessibleName(self.tr("Sonuçlar"))
        self.status_title = QLabel(self.tr("Hizmet durumları"))
        self.status_list = QListWidget()
        self.status_list.setAccessibleName(self.tr("Hizmet durumları"))
        self.retry_button = QPushButton(self.tr("&Yalnız başarısızları yeniden dene"))
        self.retry_button.setAccessibleName(self.tr("Yalnız başarısızları yeniden dene"))
        self.retry_button.setEnabled(False)
        self.receipt_button = QPushButton(self.tr("&Makbuzu kaydet"))
        self.receipt_button.setAccessibleName(self.tr("Makbuzu kaydet"))
        self.receipt_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.receipt_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.results_list, 2)
        layout.addWidget(self.status_title)
        layout.addWidget(self.status_list, 1)
        layout.addLayout(buttons)
        self.retry_button.clicked.connect(self.retry_failed)
        self.receipt_button.clicked.connect(self.save_receipt)
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._remaining = 0
        #: The PIN dialog of a retry while it is open (tests drive it).
        self.dialog: PinDialog | None = None
        worker = state.handle.worker
        worker.progress.connect(self._on_progress)
        worker.signed.connect(self._on_signed)
        worker.status_changed.connect(self._on_status)
        worker.follow_finished.connect(self._on_follow_finished)
        worker.receipts_ready.connect(self._on_receipts)
        worker.failed.connect(self._on_failed)
        #: Seconds between status polls (tests shorten it).
        self.follow_interval = 1.0
        self.follow_timeout = 300.0

    # -- start -------------------------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        """Start signing the selected services."""
        self._results = {}
        self._rows = {}
        self._status_rows = {}
        self.results_list.clear()
        self.status_list.clear()
        for item in self._state.selected:
            activation = item.activation
            self._names[activation.id] = activation_text(activation)
            self._rows[activation.id] = self.results_list.count()
            self.results_list.addItem(self.tr("{0}. Bekliyor").format(activation_text(activation)))
        # The PIN goes to the worker with the batch and is forgotten here.
        pin, self._state.pin = self._state.pin, None
        self._start(self._state.selected, retry=False, pin=pin)

    def _start(self, items: list[Item], *, retry: bool, pin: str | None) -> None:
        choice = self._state.choice
        if choice is None:
            return
        self._set_busy(True)
        self.progress_bar.setRange(0, max(len(items), 1))
        self.progress_bar.setValue(0)
        if self._state.pinpad:
            self._remaining = max(int(self._state.context.pinpad_seconds), 1)
            self._tick_text()
            self._countdown.start()
        else:
            self.progress_label.setText(self.tr("Kart açılıyor…"))
        if retry:
            self._state.handle.request_retry.emit(
                [i.activation.id for i in items], choice.certificate, pin, False
            )
        else:
            self._state.handle.request_sign.emit(
                list(items), choice.certificate, pin, self._state.confirm_final_try
            )

    def _tick_text(self) -> None:
        self.progress_label.setText(
            self.tr("PIN'i okuyucunun tuş takımından girin ({0} sn)").format(self._remaining)
        )

    def _tick(self) -> None:
        self._remaining = max(self._remaining - 1, 0)
        self._tick_text()
        if self._remaining == 0:
            self._countdown.stop()

    def _set_busy(self, busy: bool) -> None:
        self._state.busy = busy
        self.retry_button.setEnabled(not busy and self.failed_ids() != [])
        self.receipt_button.setEnabled(not busy and bool(self._results))
        self.completeChanged.emit()

    # -- progress and results ----------------------------------------------------

    @Slot(int, int, str)
    def _on_progress(self, index: int, total: int, activation_id: str) -> None:
        self._countdown.stop()
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(index)
        name = self._names.get(activation_id, activation_id)
        self.progress_label.setText(
            self.tr("{0}/{1}: {2} imzalanıyor ve gönderiliyor…").format(index + 1, total, name)
        )
        row = self._rows.get(activation_id)
        if row is not None:
            self.results_list.item(row).setText(self.tr("{0}. İmzalanıyor…").format(name))

    def result_line(self, result: ItemResult) -> str:
        """``e-Fatura Hizmeti açma. Sonuç: Başarılı`` or the reason."""
        name = service_text(result.service_name, result.operation)
        if result.outcome is Outcome.SUCCESS:
            return self.tr("{0}. Sonuç: Başarılı").format(name)
        _title, text = message_for(result.error or Exception())
        return self.tr("{0}. Sonuç: Başarısız — {1}").format(name, text)

    @Slot(list)
    def _on_signed(self, results: list[ItemResult]) -> None:
        self._countdown.stop()
        for result in results:
            self._results[result.activation_id] = result
            line = self.result_line(result)
            row = self._rows.get(result.activation_id)
            if row is None:
                self._rows[result.activation_id] = self.results_list.count()
                self.results_list.addItem(line)
            else:
                self.results_list.item(row).setText(line)
        self.progress_bar.setValue(self.progress_bar.maximum())
        done = sum(1 for r in self._results.values() if r.outcome is Outcome.SUCCESS)
        self.progress_label.setText(
            self.tr("{0} hizmetten {1} tanesi imzalandı ve gönderildi.").format(
                len(self._results), done
            )
        )
        self._set_busy(False)
        successful = [r.activation_id for r in results if r.outcome is Outcome.SUCCESS]
        if successful:
            self._following = True
            self._state.handle.request_follow.emit(
                successful, self.follow_interval, self.follow_timeout
            )

    @Slot(str, object)
    def _on_status(self, activation_id: str, status: Status) -> None:
        name = self._names.get(activation_id, activation_id)
        line = self.tr("{0}: {1}").format(name, status_text(status))
        row = self._status_rows.get(activation_id)
        if row is None:
            self._status_rows[activation_id] = self.status_list.count()
            self.status_list.addItem(line)
        else:
            self.status_list.item(row).setText(line)

    @Slot(dict)
    def _on_follow_finished(self, latest: dict[str, Status]) -> None:
        self._following = False
        if latest and not all(s.final for s in latest.values()):
            self.status_title.setText(
                self.tr("Hizmet durumları (GİB yanıtı henüz gelmedi; portaldan izleyebilirsiniz)")
            )

    @Slot(str, object)
    def _on_failed(self, operation: str, error: object) -> None:
        if operation not in ("sign", "follow", "receipts"):
            return
        self._countdown.stop()
        exc = error if isinstance(error, Exception) else Exception()
        title, text = message_for(exc)
        if operation == "sign":
            self._set_busy(False)
            if isinstance(exc, PinError):
                self.pin_rejected.emit(exc)
                return
            self.progress_label.setText(f"{title}: {text}")
            for activation_id, row in self._rows.items():
                if activation_id not in self._results:
                    self.results_list.item(row).setText(
                        self.tr("{0}. Sonuç: Başarısız — {1}").format(
                            self._names.get(activation_id, activation_id), text
                        )
                    )
            self.retry_button.setEnabled(True)
        elif operation == "follow":
            self._following = False
            self.status_title.setText(f"{title}: {text}")
        else:
            self.progress_label.setText(f"{title}: {text}")

    def failed_ids(self) -> list[str]:
        """Services that did not succeed (failed or never reached)."""
        return [
            activation_id
            for activation_id in self._rows
            if activation_id not in self._results
            or self._results[activation_id].outcome is Outcome.FAILED
        ]

    def retry_failed(self) -> None:
        """Sign or upload again only the services that failed."""
        wanted = set(self.failed_ids())
        items = [i for i in self._state.selected if i.activation.id in wanted]
        if not items:
            return
        pin: str | None = None
        if not self._state.pinpad:
            # The PIN of the first batch was not kept: ask again.
            pin = self._ask_pin()
            if pin is None:
                return
        self._start(items, retry=True, pin=pin)

    def _ask_pin(self) -> str | None:
        """The PIN for a retry, or ``None`` when the user cancelled."""
        from signer_app.token.pin import PinStatus  # noqa: PLC0415
        from signer_app.ui.pin_dialog import PinDialog  # noqa: PLC0415

        # The last login succeeded: the counters are back to normal. A wrong
        # PIN now returns to İmza, which reads the card's state again.
        self.dialog = PinDialog(
            PinStatus.OK,
            self._state.certificate_name(),
            prefill=self._state.context.prefill_pin,
            parent=self,
        )
        try:
            if self.dialog.exec() != PinDialog.DialogCode.Accepted:
                return None
            return self.dialog.pin()
        finally:
            self.dialog.deleteLater()
            self.dialog = None

    # -- receipt -------------------------------------------------------------------

    def save_receipt(self, path: Path | None = None) -> None:
        """Write the receipt CSV (asks where unless ``path`` is given)."""
        if not isinstance(path, Path):
            chosen, _filter = QFileDialog.getSaveFileName(
                self,
                self.tr("Makbuzu kaydet"),
                "makbuz.csv",
                self.tr("CSV dosyası (*.csv)"),
            )
            if not chosen:
                return
            path = Path(chosen)
        self._receipt_path = path
        self._state.handle.request_receipts.emit()

    @Slot(str)
    def _on_receipts(self, csv_text: str) -> None:
        path = self._receipt_path
        self._receipt_path = None
        if path is None:
            return
        try:
            path.write_text(csv_text, encoding="utf-8-sig")
        except OSError as exc:
            self.progress_label.setText(self.tr("Makbuz kaydedilemedi: {0}").format(exc.strerror))
            return
        self.progress_label.setText(self.tr("Makbuz kaydedildi: {0}").format(str(path)))
        self.receipt_saved.emit(str(path))

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        """Kapat is enabled once the batch is over."""
        return not self._state.busy
