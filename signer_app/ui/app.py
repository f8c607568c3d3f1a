"""The application object: one path for every "open this document" request.

Documents reach a running program three ways: the command line of its own
start, a second start handing its files over (:mod:`.single_instance`) and,
on macOS, a :class:`QFileOpenEvent` (double-click in Finder, drop on the Dock
icon). All end in :attr:`SignerApplication.open_documents`. Requests that
arrive before the window is ready (macOS sends the event during start-up)
are kept until :meth:`SignerApplication.start_accepting`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal, Slot
from PySide6.QtGui import QFileOpenEvent, QWindow
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from signer_app.portal_api.contract import Contract
    from signer_app.portal_api.errors import ContractError
    from signer_app.ui.single_instance import SingleInstance

__all__ = [
    "APPLICATION_NAME",
    "DESKTOP_FILE_NAME",
    "DISPLAY_NAME",
    "DocumentRouter",
    "SignerApplication",
    "StartupProbe",
    "contract_refusal_message",
    "first_contract",
]

_log = logging.getLogger(__name__)

#: ASCII: used in WM_CLASS and settings paths.
APPLICATION_NAME: Final = "signer-app"
#: What the user sees as the program's name (translated by :meth:`SignerApplication.retranslate`).
DISPLAY_NAME: Final = "Hizmet Aktivasyon"
#: The ``.desktop`` file's name (the Wayland app id).
DESKTOP_FILE_NAME: Final = "tr.signer_app.SignerApp"


class SignerApplication(QApplication):
    """The ``QApplication`` of the signing client.

    :param argv: the arguments Qt may read (program name first).
    """

    #: Documents to open (local paths); also emitted with an empty list to raise the window.
    open_documents = Signal(list)

    def __init__(self, argv: Sequence[str]) -> None:
        super().__init__(list(argv))
        self.setApplicationName(APPLICATION_NAME)
        self.setApplicationDisplayName(DISPLAY_NAME)
        self.setOrganizationName(APPLICATION_NAME)
        self.setDesktopFileName(DESKTOP_FILE_NAME)
        self._accepting = False
        self._pending: list[str] = []
        self._pending_raise = False

    def retranslate(self) -> None:
        """Set the display name in the installed language (Qt appends it to window titles)."""
        self.setApplicationDisplayName(
            QCoreApplication.translate("SignerApplication", "Hizmet Aktivasyon")
        )

    def event(self, event: QEvent) -> bool:
        """Turn a macOS file-open event into :meth:`request_open`."""
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            path = event.file() or event.url().toLocalFile()
            if path:
                self.request_open([path])
            return True
        return super().event(event)

    @Slot(list)
    def request_open(self, paths: list[str]) -> None:
        """Open *paths* now, or once the window accepts documents."""
        if self._accepting:
            self.open_documents.emit(list(paths))
            return
        self._pending.extend(paths)
        self._pending_raise = True

    def start_accepting(self) -> None:
        """The window is ready: deliver what was requested so far, then everything at once."""
        self._accepting = True
        pending, self._pending = self._pending, []
        if pending or self._pending_raise:
            self._pending_raise = False
            self.open_documents.emit(pending)

    def use_installed_icon(self) -> None:
        """Take the window icon from the desktop's icon theme, where the installer put it.

        Windows and macOS take the program's icon from the executable or the
        bundle; on Linux, installers/linux/install.sh places it in hicolor
        under the desktop file's name.
        """
        from PySide6.QtGui import QIcon  # noqa: PLC0415

        icon = QIcon.fromTheme(DESKTOP_FILE_NAME)
        if not icon.isNull():
            self.setWindowIcon(icon)

    def connect_instance(self, instance: SingleInstance) -> None:
        """Route an instance's hand-overs into :meth:`request_open`."""
        instance.documents_received.connect(self.request_open)


# -- contract files ------------------------------------------------------------------------


def _reason_text(reason: str) -> str:
    # Literal calls, one per reason, so that lupdate finds every text.
    texts: dict[str, Callable[[], str]] = {
        "unreadable": lambda: QCoreApplication.translate("ContractRefusal", "Dosya okunamadı."),
        "too_large": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosya bir aktivasyon dosyası için fazla büyük."
        ),
        "not_json": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosya bir aktivasyon dosyası değil (biçim okunamadı)."
        ),
        "duplicate_key": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosyada aynı alan iki kez geçiyor."
        ),
        "unknown_field": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosyada tanınmayan bir alan var."
        ),
        "missing_field": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosyada gerekli bir alan eksik."
        ),
        "bad_field": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosyadaki bir alanın değeri geçersiz."
        ),
        "unsupported_format": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosya bir hizmet aktivasyon sözleşmesi değil."
        ),
        "unsupported_version": lambda: QCoreApplication.translate(
            "ContractRefusal",
            "Dosya bu programın okuyamadığı bir sürümde; programı güncelleyin.",
        ),
        "insecure_url": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosyadaki portal adresi şifreli (https) değil."
        ),
        "untrusted_host": lambda: QCoreApplication.translate(
            "ContractRefusal",
            "Dosyadaki portal adresi bu bilgisayarda güvenilir olarak tanımlı değil.",
        ),
        "loopback_not_allowed": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosyadaki portal adresi bu bilgisayarı gösteriyor."
        ),
        "expired": lambda: QCoreApplication.translate(
            "ContractRefusal",
            "Dosyanın geçerlilik süresi dolmuş; portaldan yeni bir dosya indirin.",
        ),
        "not_yet_valid": lambda: QCoreApplication.translate(
            "ContractRefusal",
            "Dosya henüz geçerli değil; bilgisayarınızın saatini kontrol edin.",
        ),
        "no_services": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosyada hiç hizmet yok."
        ),
        "duplicate_service": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosyada bir hizmet iki kez geçiyor."
        ),
        "other_company": lambda: QCoreApplication.translate(
            "ContractRefusal", "Dosya başka bir firma için düzenlenmiş."
        ),
        "not_in_contract": lambda: QCoreApplication.translate(
            "ContractRefusal", "Portaldaki bir hizmet dosyada yer almıyor."
        ),
    }
    make = texts.get(reason)
    if make is None:
        return QCoreApplication.translate("ContractRefusal", "Dosya kullanılamıyor.")
    return make()


def contract_refusal_message(error: ContractError, path: str | None = None) -> tuple[str, str]:
    """The title and text telling why a contract file was refused.

    :param error: the refusal.
    :param path: the file, named in the text when given.
    """
    title = QCoreApplication.translate("ContractRefusal", "Aktivasyon dosyası açılamadı")
    lines: list[str] = []
    if path:
        lines.append(Path(path).name)
    lines.append(_reason_text(error.reason))
    host = error.context.get("host")
    if isinstance(host, str) and host:
        lines.append(
            QCoreApplication.translate("ContractRefusal", "Sunucu: %1").replace("%1", host)
        )
    field = error.context.get("field")
    if isinstance(field, str) and field:
        lines.append(QCoreApplication.translate("ContractRefusal", "Alan: %1").replace("%1", field))
    if error.detail:
        lines.append(
            QCoreApplication.translate("ContractRefusal", "Ayrıntı: %1").replace("%1", error.detail)
        )
    return title, "\n".join(lines)


def first_contract(
    paths: Sequence[str], load: Callable[[Path], Contract]
) -> tuple[Contract | None, list[tuple[str, str]]]:
    """The first contract of *paths* that loads, and the refusals ``(title, text)`` before it.

    One contract at a time: paths after the first usable one are ignored (logged).
    """
    refusals: list[tuple[str, str]] = []
    if not paths:
        return None, refusals
    # Not at the top: a start without documents does not load the error family.
    from signer_app.portal_api.errors import ContractError  # noqa: PLC0415

    for number, path in enumerate(paths):
        try:
            contract = load(Path(path))
        except ContractError as error:
            _log.info("contract file refused: %s (%s)", path, error.reason)
            refusals.append(contract_refusal_message(error, path))
            continue
        if number + 1 < len(paths):
            _log.info(
                "%d more document(s) ignored: one contract at a time", len(paths) - number - 1
            )
        return contract, refusals
    return None, refusals


class DocumentRouter(QObject):
    """Turns "open these paths" into a loaded contract for the window, or a message.

    :param load: reads and checks one contract file (raises :class:`ContractError`).
    :param show: gives a contract to the window (``ActivationWizard.open_contract``).
    :param report: shows a refusal ``(title, text)``; a message box in the
        application, a recorder in tests.
    :param raise_window: brings the window to the front (every request does).
    """

    def __init__(
        self,
        load: Callable[[Path], Contract],
        show: Callable[[Contract], None],
        report: Callable[[str, str], None],
        raise_window: Callable[[], None] = lambda: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._load = load
        self._show = show
        self._report = report
        self._raise = raise_window

    @Slot(list)
    def open_paths(self, paths: list[str]) -> None:
        """Open the first usable contract of *paths*; report each refused one before it."""
        self._raise()
        contract, refusals = first_contract(paths, self._load)
        for title, text in refusals:
            self._report(title, text)
        if contract is not None:
            self._show(contract)


class StartupProbe(QObject):
    """Start-up measurement: report the first window exposed, then the wizard ready, and quit.

    Installed on the application by :func:`signer_app.launch.run_gui` when
    ``SIGNER_APP_STARTUP_PROBE=1`` (``benchmarks/bench_startup.py``). It
    reports ``EXPOSED <time.monotonic()>`` at the first expose of a window
    and ``READY <time.monotonic()>`` once every page is built
    (:attr:`ActivationWizard.ready`); on Linux that clock is system-wide,
    so the parent can compare it with its own reading before the start.
    """

    def __init__(self, app: QApplication, report: Callable[[str], None]) -> None:
        super().__init__(app)
        self._app = app
        self._report = report
        self._exposed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Watch for the first expose of a top-level window."""
        if (
            not self._exposed
            and event.type() == QEvent.Type.Expose
            and isinstance(watched, QWindow)
            and watched.isExposed()
        ):
            self._exposed = True
            self._report(f"EXPOSED {_now():.6f}")
        return False

    @Slot()
    def ready(self) -> None:
        """The window is complete: report and quit."""
        self._report(f"READY {_now():.6f}")
        self._app.quit()


def _now() -> float:
    import time  # noqa: PLC0415

    return time.monotonic()
