"""Client side of the token host process.

:class:`HostedBackend` implements the backend protocol by forwarding every
call to a child process (see :mod:`signer_app.token.host`). A child that dies
becomes :class:`TokenHostCrashedError`; one that does not answer in time is
killed and becomes :class:`TokenTimeoutError`. Both are retriable: the next
call starts a fresh child. Login state does not survive a restart, so a
signature after it needs the PIN again (never re-sent by us).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final

from signer_app.token import errors as token_errors
from signer_app.token import protocol
from signer_app.token.api import (
    BackendName,
    CertificateObject,
    PrivateKeyObject,
    SignMechanism,
    SlotInfo,
)
from signer_app.token.errors import (
    ModuleLoadError,
    TokenError,
    TokenHostCrashedError,
    TokenModuleError,
    TokenTimeoutError,
)
from signer_app.token.host import HOST_COMMAND

__all__ = ["HostedBackend", "Timeouts", "host_command"]

_log = logging.getLogger(__name__)

_ERRORS: Final[dict[str, type[TokenError]]] = {
    name: cls
    for name, cls in vars(token_errors).items()
    if isinstance(cls, type) and issubclass(cls, TokenError)
}
_EOF: Final = object()


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for the card software; generous because real cards are slow."""

    initialize: float = 30.0
    default: float = 30.0
    login: float = 30.0
    #: The user types the PIN on the reader's keypad meanwhile.
    pinpad_login: float = 120.0
    sign: float = 30.0


def host_command() -> list[str]:
    """The command line that starts a token host with this very program."""
    if getattr(sys, "frozen", False):
        return [sys.executable, HOST_COMMAND]
    return [sys.executable, "-m", "signer_app", HOST_COMMAND]


def _error_from_wire(raw: Mapping[str, Any]) -> TokenError:
    cls = _ERRORS.get(str(raw.get("type")), TokenModuleError)
    context = dict(raw.get("context") or {})
    detail = str(raw.get("detail") or "")
    if issubclass(cls, token_errors.PinError):
        from signer_app.token.pin import PinStatus  # noqa: PLC0415

        status = PinStatus(context.pop("status", PinStatus.OK.value))
        return cls(detail, status=status, **context)
    return cls(detail, **context)


class _Child:
    """One running host process and the thread that reads its replies."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str] | None) -> None:
        creationflags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        self.process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            creationflags=creationflags,
        )
        assert self.process.stdin and self.process.stdout and self.process.stderr
        self.requests: IO[bytes] = self.process.stdin
        self.replies: queue.SimpleQueue[object] = queue.SimpleQueue()
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        try:
            while (frame := protocol.read_frame(stream)) is not None:
                self.replies.put(frame)
        except (OSError, ValueError) as exc:
            _log.warning("token host reply stream broke: %s", type(exc).__name__)
        self.replies.put(_EOF)

    @staticmethod
    def _drain(stream: IO[bytes]) -> None:
        # The module's own chatter goes to our log, where redaction applies.
        for line in iter(stream.readline, b""):
            _log.debug("host: %s", line.decode("utf-8", "replace").rstrip())

    def exit_description(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return "did not exit"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _log.error("token host %d does not die", self.process.pid)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


class HostedBackend:
    """A :class:`~signer_app.token.api.TokenBackend` living in a child process."""

    def __init__(
        self,
        module_path: str,
        backend: BackendName = BackendName.PKCS11,
        *,
        timeouts: Timeouts | None = None,
        command: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        frame_observer: Callable[[bytes], None] | None = None,
    ) -> None:
        """Start the host for ``module_path``.

        :param command: the program to run, default :func:`host_command`.
        :param env: the child's environment, default ours.
        :param frame_observer: sees every request frame before it is sent (tests).
        :raises ModuleLoadError: when the module cannot be loaded there.
        :raises TokenHostCrashedError: when the host dies while starting.
        :raises TokenTimeoutError: when loading the module hangs.
        """
        self._path = module_path
        self._backend = backend
        self._timeouts = timeouts or Timeouts()
        self._command = [
            *(command or host_command()),
            "--module",
            module_path,
            "--backend",
            backend.value,
            "--log-level",
            logging.getLevelName(_log.getEffectiveLevel()),
        ]
        self._env = env
        self._observer = frame_observer
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._child: _Child | None = None
        self._info: dict[str, str] = {}
        self.restarts = 0
        with self._lock:
            self._start()

    @property
    def module_path(self) -> str:
        """The module the host has loaded."""
        return self._path

    @property
    def pid(self) -> int | None:
        """The host's process id, None while none is running."""
        return self._child.process.pid if self._child else None

    def _start(self) -> None:
        child = _Child(self._command, self._env)
        self._child = child
        try:
            self._info = self._receive(child, 0, self._timeouts.initialize, "start")
        except ModuleLoadError:
            self._stop()
            raise

    def _stop(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child = None

    def _receive(self, child: _Child, request_id: int, timeout: float, op: str) -> Any:
        try:
            item = child.replies.get(timeout=timeout)
        except queue.Empty:
            self._stop()
            raise TokenTimeoutError(f"{op} took longer than {timeout:g} s", operation=op) from None
        if item is _EOF:
            how = child.exit_description()
            self._stop()
            raise TokenHostCrashedError(f"card software stopped during {op} ({how})", operation=op)
        assert isinstance(item, bytes)
        message = protocol.decode(item)
        if message.get("id") != request_id:
            self._stop()
            raise TokenModuleError("token host answered out of order")
        if "error" in message:
            raise _error_from_wire(message["error"])
        return message.get("result")

    def _call(self, op: str, timeout: float, **args: object) -> Any:
        with self._lock:
            if self._child is None or self._child.process.poll() is not None:
                if self._child is not None:
                    self._stop()
                self.restarts += 1
                _log.info("starting a new token host for %s", self._path)
                self._start()
            child = self._child
            assert child is not None
            request_id = next(self._ids)
            frame = protocol.encode({"id": request_id, "op": op, "args": args})
            if self._observer is not None:
                self._observer(frame)
            try:
                protocol.write_frame(child.requests, frame)
            except OSError:
                how = child.exit_description()
                self._stop()
                raise TokenHostCrashedError(
                    f"card software stopped before {op} ({how})", operation=op
                ) from None
            return self._receive(child, request_id, timeout, op)

    def module_info(self) -> dict[str, str]:
        """``C_GetInfo`` fields as read when the host started."""
        return dict(self._info)

    def slots(self) -> list[SlotInfo]:
        """See :meth:`TokenBackend.slots`."""
        return list(self._call("slots", self._timeouts.default))

    def certificates(self, slot_id: int) -> list[CertificateObject]:
        """See :meth:`TokenBackend.certificates`."""
        return list(self._call("certificates", self._timeouts.default, slot_id=slot_id))

    def login(self, slot_id: int, pin: str | None) -> None:
        """See :meth:`TokenBackend.login`; the PIN crosses the pipe here and only here."""
        timeout = self._timeouts.pinpad_login if pin is None else self._timeouts.login
        self._call("login", timeout, slot_id=slot_id, pin=pin)

    def is_logged_in(self, slot_id: int) -> bool:
        """See :meth:`TokenBackend.is_logged_in`; false while no host runs."""
        if self._child is None:
            return False
        return bool(self._call("is_logged_in", self._timeouts.default, slot_id=slot_id))

    def private_keys(self, slot_id: int) -> list[PrivateKeyObject]:
        """See :meth:`TokenBackend.private_keys`."""
        return list(self._call("private_keys", self._timeouts.default, slot_id=slot_id))

    def sign(self, slot_id: int, key_id: bytes, mechanism: SignMechanism, data: bytes) -> bytes:
        """See :meth:`TokenBackend.sign`."""
        result = self._call(
            "sign",
            self._timeouts.sign,
            slot_id=slot_id,
            key_id=key_id,
            mechanism=mechanism,
            data=data,
        )
        assert isinstance(result, bytes)
        return result

    def logout(self, slot_id: int) -> None:
        """See :meth:`TokenBackend.logout`; nothing to do while no host runs."""
        if self._child is not None:
            self._call("logout", self._timeouts.default, slot_id=slot_id)

    def reset(self) -> None:
        """Restart the host: the surest way to forget a removed card."""
        with self._lock:
            self._stop()

    def close(self) -> None:
        """Stop the host: closing its input lets it finalise the module and exit."""
        with self._lock:
            child, self._child = self._child, None
            if child is None:
                return
            try:
                child.requests.close()
                child.process.wait(timeout=self._timeouts.default)
            except (OSError, subprocess.TimeoutExpired):
                _log.warning("token host did not exit cleanly; killing it")
            child.kill()

    def __del__(self) -> None:
        # A forgotten backend must not leave a process behind.
        child = getattr(self, "_child", None)
        if child is not None:
            child.kill()
