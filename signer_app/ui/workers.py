"""The job on a worker thread: widgets send requests, the worker answers with signals.

One long-lived :class:`JobWorker` lives on one :class:`~PySide6.QtCore.QThread`
for the whole wizard. Requests are queued signals of :class:`WorkerHandle`
(created in the GUI thread), so every token and portal call runs on the worker
thread and the window stays responsive.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from signer_app.errors import SignerAppError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from signer_app.flow.job import ActivationJob
    from signer_app.flow.results import Item
    from signer_app.portal_api.models import Activation, Status
    from signer_app.token.service import TokenCertificate
    from signer_app.ui.context import WizardContext

_log = logging.getLogger(__name__)

__all__ = ["BatchCancelledError", "JobWorker", "PinInfo", "WorkerHandle"]


class _CancelledError(Exception):
    """Raised inside the job's progress callback to stop a batch between documents."""


class BatchCancelledError(SignerAppError):
    """The batch was stopped by the user between two documents."""

    message_key = "cancelled"


class PinInfo:
    """The card's PIN state and whether the reader has a PIN-pad."""

    def __init__(self, status: object, pinpad: bool) -> None:
        self.status = status
        self.pinpad = pinpad


class JobWorker(QObject):
    """Owns the :class:`ActivationJob`; every slot runs on the worker thread."""

    #: (operation, error) — operation names the request that failed.
    failed = Signal(str, object)
    logged_in = Signal(object)  # PortalSession
    #: (portal address, user, password) remembered in the OS keyring.
    recalled = Signal(str, str, str)
    #: (path of the written support bundle, problem codes found).
    support_bundle_ready = Signal(str, list)
    resumed = Signal(list)  # list[ItemResult]
    pending_ready = Signal(list)  # list[Item]
    modules_ready = Signal(list)  # list[ModuleCandidate]
    probe_ready = Signal(list)  # list[tuple[ModuleCandidate, ProbeResult]]
    slots_ready = Signal(str, list)  # module, list[SlotInfo]
    certificates_ready = Signal(list)  # list[CertificateChoice]
    pin_status_ready = Signal(object)  # PinInfo
    progress = Signal(int, int, str)  # index, total, activation id
    signed = Signal(list)  # list[ItemResult]
    status_changed = Signal(str, object)  # activation id, Status
    follow_finished = Signal(dict)  # activation id → Status
    receipts_ready = Signal(str)  # CSV text
    #: Emitted when the worker should end its thread (DirectConnection to quit).
    finished = Signal()

    def __init__(self, context: WizardContext) -> None:
        super().__init__()
        self._context = context
        self._job: ActivationJob | None = None
        self._cancel = threading.Event()

    @property
    def job(self) -> ActivationJob | None:
        """The job once logged in."""
        return self._job

    def cancel(self) -> None:
        """Ask the running request to stop at the next safe point (thread-safe)."""
        self._cancel.set()

    def _fail(self, operation: str, exc: BaseException) -> None:
        if not isinstance(exc, SignerAppError):
            _log.error("%s failed unexpectedly", operation, exc_info=exc)
        self.failed.emit(operation, exc)

    @Slot(str, str, str, bool)
    def login(self, url: str, user: str, password: str, remember: bool) -> None:
        """Log in at ``url`` and upload what an earlier run left signed."""
        self._cancel.clear()
        try:
            if self._job is not None:
                self._job.client.close()
                self._job = None
            # Imported here, on the worker thread: the window opens without
            # waiting for the HTTP, XML and signing stacks to load.
            from signer_app.flow.job import ActivationJob  # noqa: PLC0415
            from signer_app.portal_api.credentials import remember_password  # noqa: PLC0415

            client = self._context.make_client(url)
            job = ActivationJob(
                client, self._context.tokens, self._context.journal, contract=self._context.contract
            )
            session = job.login(user, password)
            self._job = job
            if remember:
                try:
                    remember_password(job.portal_url, user, password)
                except SignerAppError as exc:
                    self.failed.emit("remember", exc)
            self.logged_in.emit(session)
            self.resumed.emit(job.resume())
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("login", exc)

    @Slot(str, str)
    def recall(self, url: str, user: str) -> None:
        """Look up a password remembered for *url* and *user* ("Beni hatırla")."""
        from signer_app.portal_api.credentials import recall_password  # noqa: PLC0415

        try:
            password = recall_password(url, user)
        except (SignerAppError, ValueError):
            # No keyring on this desktop, or a locked one: the user types the
            # password as without "Beni hatırla"; saving it will say why.
            _log.info("no remembered password available", exc_info=True)
            return
        if password:
            self.recalled.emit(url, user, password)

    @Slot(str, str)
    def forget(self, url: str, user: str) -> None:
        """Remove the remembered password ("Beni hatırla" was unticked)."""
        from signer_app.portal_api.credentials import forget_password  # noqa: PLC0415

        try:
            forget_password(url, user)
        except SignerAppError as exc:
            self.failed.emit("remember", exc)

    @Slot(str)
    def support_bundle(self, path: str) -> None:
        """Write the support bundle ("Destek paketi oluştur") to *path*."""
        try:
            from signer_app.diagnose import write_support_bundle  # noqa: PLC0415

            session = self._job.session if self._job is not None else None
            bundle = write_support_bundle(
                Path(path),
                portal_url=self._context.portal_url,
                modules=tuple(self._context.modules or ()),
                tokens=self._context.tokens,
                customer_id=session.company.id if session is not None else None,
            )
            self.support_bundle_ready.emit(str(bundle.path), list(bundle.problems))
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("support", exc)

    @Slot()
    def pending(self) -> None:
        """List and check the pending activations."""
        try:
            assert self._job is not None
            self.pending_ready.emit(self._job.pending())
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("pending", exc)

    @Slot()
    def modules(self) -> None:
        """The card libraries of the catalogue."""
        try:
            self.modules_ready.emit(self._context.tokens.candidate_modules())
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("modules", exc)

    @Slot()
    def probe_all(self) -> None:
        """Try every candidate library ("Kartımı bul")."""
        try:
            self.probe_ready.emit(self._context.tokens.probe_all(existing_only=False))
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("probe", exc)

    @Slot(str)
    def slots(self, module: str) -> None:
        """The reader slots of ``module``."""
        try:
            tokens = self._context.tokens
            probe = tokens.probe(module)
            if not probe.loaded:
                self.failed.emit("slots", probe)
                return
            self.slots_ready.emit(module, tokens.slots(module))
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("slots", exc)

    @Slot(str, int)
    def certificates(self, module: str, slot_id: int) -> None:
        """The certificates of the card in ``slot_id`` (-1: every slot), judged."""
        try:
            assert self._job is not None
            self.certificates_ready.emit(
                self._job.certificates(modules=[module], slot=None if slot_id < 0 else slot_id)
            )
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("certificates", exc)

    @Slot(str, int)
    def pin_status(self, module: str, slot_id: int) -> None:
        """The card's PIN state, read before a PIN is asked for."""
        try:
            slot = self._context.tokens.slot(module, slot_id)
            token = slot.token
            assert token is not None
            self.pin_status_ready.emit(
                PinInfo(token.pin_status, token.protected_authentication_path)
            )
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("pin_status", exc)

    @Slot(list, object, object, bool)
    def sign(
        self,
        items: Sequence[Item],
        certificate: TokenCertificate,
        pin: str | None,
        confirm_final_try: bool,
    ) -> None:
        """Counter-sign and upload ``items`` with one login."""
        self._cancel.clear()

        def progress(index: int, total: int, activation: Activation) -> None:
            if self._cancel.is_set():
                raise _CancelledError
            self.progress.emit(index, total, activation.id)

        try:
            assert self._job is not None
            results = self._job.sign_and_upload(
                items,
                certificate,
                pin,
                confirm_final_try=confirm_final_try,
                progress=progress,
            )
            self.signed.emit(results)
        except _CancelledError:
            self._fail("sign", BatchCancelledError("stopped between documents"))
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("sign", exc)

    @Slot(list, float, float)
    def follow(self, activation_ids: Sequence[str], interval: float, timeout: float) -> None:
        """Poll the statuses until final, the time is up or cancel."""
        self._cancel.clear()

        def changed(activation_id: str, status: Status) -> None:
            self.status_changed.emit(activation_id, status)

        try:
            assert self._job is not None
            latest = self._job.follow(
                list(activation_ids),
                interval=interval,
                timeout=timeout,
                should_stop=self._cancel.is_set,
                on_change=changed,
            )
            self.follow_finished.emit(latest)
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("follow", exc)

    @Slot(list, object, object, bool)
    def retry(
        self,
        activation_ids: Sequence[str],
        certificate: TokenCertificate,
        pin: str | None,
        confirm_final_try: bool,
    ) -> None:
        """Sign or upload again only ``activation_ids``, read afresh with the journal."""
        try:
            assert self._job is not None
            wanted = set(activation_ids)
            items = [i for i in self._job.pending() if i.activation.id in wanted]
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("sign", exc)
            return
        self.sign(items, certificate, pin, confirm_final_try)

    @Slot()
    def receipts(self) -> None:
        """The receipts of this company at this portal, as CSV."""
        try:
            self.receipts_ready.emit(self._job.receipts_csv() if self._job is not None else "")
        except Exception as exc:  # noqa: BLE001 - every failure must reach the page
            self._fail("receipts", exc)

    @Slot()
    def close(self) -> None:
        """Close the portal client; called on the worker thread before it ends."""
        if self._job is not None:
            self._job.client.close()
        self.finished.emit()


class WorkerHandle(QObject):
    """Starts, feeds, stops and joins the worker thread (lives in the GUI thread)."""

    request_login = Signal(str, str, str, bool)
    request_recall = Signal(str, str)
    request_support_bundle = Signal(str)
    request_forget = Signal(str, str)
    request_retry = Signal(list, object, object, bool)
    request_receipts = Signal()
    request_pending = Signal()
    request_modules = Signal()
    request_probe_all = Signal()
    request_slots = Signal(str)
    request_certificates = Signal(str, int)
    request_pin_status = Signal(str, int)
    request_sign = Signal(list, object, object, bool)
    request_follow = Signal(list, float, float)
    request_close = Signal()

    def __init__(self, context: WizardContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = JobWorker(context)
        self.worker_thread = QThread()
        self.worker_thread.setObjectName("signer-job")
        self.worker.moveToThread(self.worker_thread)
        w = self.worker
        self.request_login.connect(w.login)
        self.request_recall.connect(w.recall)
        self.request_support_bundle.connect(w.support_bundle)
        self.request_forget.connect(w.forget)
        self.request_pending.connect(w.pending)
        self.request_modules.connect(w.modules)
        self.request_probe_all.connect(w.probe_all)
        self.request_slots.connect(w.slots)
        self.request_certificates.connect(w.certificates)
        self.request_pin_status.connect(w.pin_status)
        self.request_sign.connect(w.sign)
        self.request_follow.connect(w.follow)
        self.request_close.connect(w.close)
        self.request_retry.connect(w.retry)
        self.request_receipts.connect(w.receipts)
        self._stopped = False

    def start(self) -> None:
        """Start the thread's event loop.

        Requests emitted before wait in the worker's queue: the wizard starts
        the thread after its first paint.
        """
        if self.worker_thread.isRunning() or self._stopped:
            return
        # Importing Qt's namespace costs ~11 ms (its enums are made on first
        # access), so it happens here, after the window is on the screen.
        from PySide6.QtCore import Qt  # noqa: PLC0415

        # quit() is thread-safe; a queued quit would wait behind a GUI slot that joins.
        self.worker.finished.connect(self.worker_thread.quit, Qt.ConnectionType.DirectConnection)
        self.worker_thread.start()

    def stop(self, timeout_ms: int = 10000) -> bool:
        """Cancel what runs, end the thread and join it; True when it ended."""
        if self._stopped:
            return True
        self._stopped = True
        self.worker.cancel()
        if not self.worker_thread.isRunning():
            return True
        self.request_close.emit()
        ended = self.worker_thread.wait(timeout_ms)
        if not ended:
            self.worker_thread.quit()
            ended = self.worker_thread.wait(timeout_ms)
        return bool(ended)
