"""One running instance per user: a second start hands its documents to the first.

How it works:

* a :class:`QLockFile` in the user's temporary folder decides who is the
  primary. Qt removes a lock whose process is gone (after a crash), so a
  new start takes it over;
* the primary then listens on a :class:`QLocalServer` (a Unix socket or a
  named pipe, readable by this user only). The server must be created
  after the ``QApplication``: before it there is no event dispatcher and
  the server never reports a connection;
* a secondary connects, sends one line of JSON (``{"files": [...]}``, with
  absolute paths) and waits for ``ok``; it then exits with status 0.

Instance names are per user (and may be overridden with
:data:`INSTANCE_KEY_ENV`, which the tests use to stay apart).
"""

from __future__ import annotations

import getpass
import logging
import os
import tempfile
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QLockFile, QObject, Signal, Slot

# QtNetwork is loaded when the server starts or a hand-over is sent: the
# primary listens only after its window's first paint.
if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = [
    "DISABLE_ENV",
    "INSTANCE_KEY_ENV",
    "SingleInstance",
    "decode_message",
    "encode_message",
    "instance_name",
]

#: Environment variable naming the instance (default: derived from the user name).
INSTANCE_KEY_ENV: Final = "SIGNER_APP_INSTANCE_KEY"
#: Environment variable that, set to ``1``, turns the single-instance check off.
DISABLE_ENV: Final = "SIGNER_APP_NO_SINGLE_INSTANCE"

#: The largest hand-over message read (a few hundred paths).
MAX_MESSAGE: Final = 256 * 1024
_ACK: Final = b"ok\n"

_log = logging.getLogger(__name__)


def instance_name(key: str | None = None) -> str:
    """The socket and lock name of this user's instance.

    :param key: an explicit key; default ``$SIGNER_APP_INSTANCE_KEY`` or the user name.
    :returns: a short ASCII name, safe as a socket or pipe name.
    """
    if key is None:
        key = os.environ.get(INSTANCE_KEY_ENV)
    if not key:
        try:
            key = getpass.getuser()
        except (KeyError, OSError):  # no user name (containers)
            key = str(os.getuid()) if hasattr(os, "getuid") else "user"
    # Not a secret, only a short, stable spelling of the key (hashlib would
    # load OpenSSL before the window is shown).
    data = key.encode("utf-8")
    digest = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
    return f"signer-app-{digest}"


def encode_message(paths: Sequence[str]) -> bytes:
    """The hand-over message for *paths*: one line of JSON."""
    import json  # noqa: PLC0415 - json is not needed to show the window

    return json.dumps({"files": list(paths)}, ensure_ascii=True).encode("ascii") + b"\n"


def decode_message(data: bytes) -> list[str]:
    """The paths of a hand-over message; an empty list for anything malformed."""
    import json  # noqa: PLC0415

    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return []
    files = message.get("files") if isinstance(message, dict) else None
    if not isinstance(files, list):
        return []
    return [f for f in files if isinstance(f, str) and f]


class SingleInstance(QObject):
    """The lock and the hand-over channel of one user's instance.

    Use: :meth:`acquire` (possible before the ``QApplication``); when it
    fails, :meth:`hand_over` the documents and exit. When it succeeds,
    create the ``QApplication`` and call :meth:`listen`; documents from later
    starts arrive through :attr:`documents_received`.

    :param key: see :func:`instance_name`.
    :param directory: where the lock file lives (default: the temporary folder).
    """

    #: The absolute paths another start handed over (may be empty: just raise the window).
    documents_received = Signal(list)

    def __init__(
        self,
        key: str | None = None,
        *,
        directory: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = instance_name(key)
        folder = directory or Path(tempfile.gettempdir())
        #: The lock file; its first line is the primary's process id.
        self.lock_path = folder / f"{self.name}.lock"
        self._lock = QLockFile(str(self.lock_path))
        # Never stale by age: only a lock whose process is gone is taken over.
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytearray] = {}

    @property
    def is_primary(self) -> bool:
        """Whether this process holds the lock."""
        return self._lock.isLocked()

    def acquire(self) -> bool:
        """Try to become the primary; ``True`` when this process now holds the lock.

        A lock left by a crashed process is removed and taken.
        """
        # tryLock removes a lock whose process no longer runs on this host.
        return bool(self._lock.tryLock(0))

    def listen(self) -> bool:
        """Start accepting hand-overs (after the ``QApplication`` exists).

        :returns: ``False`` when the server could not listen (logged); the
            application then runs without receiving hand-overs.
        """
        if self._server is not None:
            return True
        from PySide6.QtNetwork import QLocalServer  # noqa: PLC0415

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # A socket file left by a crashed primary: we hold the lock, so it is stale.
        QLocalServer.removeServer(self.name)
        if not server.listen(self.name):
            _log.warning(
                "single instance: cannot listen on %s: %s", self.name, server.errorString()
            )
            return False
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def release(self) -> None:
        """Stop listening and give up the lock."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()

    def hand_over(self, paths: Sequence[str], *, timeout: float = 5.0) -> bool:
        """Send *paths* (made absolute) to the primary; ``True`` once it acknowledged.

        Retries while the primary is still starting (it holds the lock
        before it listens), for at most *timeout* seconds.
        """
        message = encode_message([str(Path(p).absolute()) for p in paths])
        deadline = time.monotonic() + timeout
        while True:
            if self._send_once(message, deadline):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def _send_once(self, message: bytes, deadline: float) -> bool:
        from PySide6.QtNetwork import QLocalSocket  # noqa: PLC0415

        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(_remaining_ms(deadline)):
            return False
        socket.write(message)
        if not socket.waitForBytesWritten(_remaining_ms(deadline)):
            socket.abort()
            return False
        answer = b""
        while _ACK not in answer and socket.waitForReadyRead(_remaining_ms(deadline)):
            answer += bytes(socket.readAll().data())
        socket.disconnectFromServer()
        return _ACK in answer

    @Slot()
    def _accept(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer += bytes(socket.readAll().data())
        if len(buffer) > MAX_MESSAGE:
            _log.warning("single instance: hand-over message too large, dropped")
            self._forget(socket)
            socket.abort()
            return
        if b"\n" not in buffer:
            return
        line = bytes(buffer.split(b"\n", 1)[0])
        self._buffers[socket] = bytearray()
        socket.write(_ACK)
        socket.flush()
        paths = decode_message(line)
        _log.info("single instance: %d document(s) handed over", len(paths))
        self.documents_received.emit(paths)

    def _forget(self, socket: QLocalSocket) -> None:
        if self._buffers.pop(socket, None) is not None:
            socket.deleteLater()


def _remaining_ms(deadline: float) -> int:
    return max(50, int((deadline - time.monotonic()) * 1000))
