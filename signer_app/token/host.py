"""The token host process: runs one PKCS#11 module on behalf of the client.

Started as ``signer-app _token-host --module PATH --backend NAME`` (a hidden
command, so a frozen executable can start it too). It answers requests read
from standard input with frames on standard output until the input closes.
A vendor module that crashes or hangs takes only this process with it.

The descriptors carrying the protocol are moved aside at start-up and the
standard streams are pointed elsewhere, so that a module printing to stdout
(some do) cannot corrupt the frames.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from typing import IO, Any, Final

from signer_app.token import protocol
from signer_app.token.api import BackendName, TokenBackend
from signer_app.token.errors import ModuleLoadError, TokenError, TokenModuleError

__all__ = ["HOST_COMMAND", "create_backend", "main", "serve"]

#: The hidden sub-command of ``signer-app`` that runs this host.
HOST_COMMAND: Final = "_token-host"

_log = logging.getLogger(__name__)

# The operations a client may ask for: the TokenBackend protocol, nothing else.
_OPERATIONS: Final = frozenset(
    {
        "module_info",
        "slots",
        "certificates",
        "login",
        "is_logged_in",
        "private_keys",
        "sign",
        "logout",
        "reset",
    }
)


def create_backend(module_path: str, backend: BackendName) -> TokenBackend:
    """Load ``module_path`` with the chosen binding, in this process.

    :raises ModuleLoadError: when the module cannot be loaded or initialised.
    """
    # Load it once through the system loader first: both bindings hide the
    # loader's reason (missing dependency, wrong architecture…) in some way.
    from signer_app.token.loaderr import try_dlopen  # noqa: PLC0415

    reason = try_dlopen(module_path)
    if reason is not None:
        raise ModuleLoadError(reason, initialize=False)
    if backend is BackendName.PYKCS11:
        from signer_app.token.pykcs11_backend import PyKcs11Backend  # noqa: PLC0415

        return PyKcs11Backend(module_path)
    from signer_app.token.pkcs11_backend import Pkcs11Backend  # noqa: PLC0415

    return Pkcs11Backend(module_path)


def error_message(exc: BaseException) -> dict[str, object]:
    """Describe an error for the wire; non-token errors become ``TokenModuleError``."""
    if isinstance(exc, TokenError):
        return {"type": type(exc).__name__, "detail": exc.detail, "context": exc.context}
    return {"type": TokenModuleError.__name__, "detail": type(exc).__name__, "context": {}}


def serve(
    backend_factory: Callable[[], TokenBackend], requests: IO[bytes], replies: IO[bytes]
) -> int:
    """Answer requests until ``requests`` closes; return the exit status."""
    try:
        backend = backend_factory()
        info = backend.module_info()
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the client
        protocol.write_frame(replies, protocol.encode({"id": 0, "error": error_message(exc)}))
        return 3
    protocol.write_frame(replies, protocol.encode({"id": 0, "result": info}))
    try:
        while (frame := protocol.read_frame(requests)) is not None:
            request = protocol.decode(frame)
            op = str(request.get("op"))
            reply: dict[str, object] = {"id": request.get("id")}
            if op not in _OPERATIONS:
                reply["error"] = error_message(TokenModuleError(f"unknown operation {op}"))
            else:
                try:
                    args: dict[str, Any] = request.get("args") or {}
                    reply["result"] = getattr(backend, op)(**args)
                except Exception as exc:  # noqa: BLE001 - reported to the client, never lost
                    # Only the operation's name is logged: a login request
                    # carries the PIN in its arguments.
                    _log.info("%s failed: %s", op, type(exc).__name__)
                    reply["error"] = error_message(exc)
            protocol.write_frame(replies, protocol.encode(reply))
    finally:
        backend.close()
    return 0


def _take_protocol_streams() -> tuple[IO[bytes], IO[bytes]]:
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return requests, replies


def main(argv: list[str]) -> int:
    """Entry point of the hidden host command."""
    parser = argparse.ArgumentParser(prog=f"signer-app {HOST_COMMAND}")
    parser.add_argument("--module", required=True)
    parser.add_argument(
        "--backend", default=BackendName.PKCS11.value, choices=[b.value for b in BackendName]
    )
    parser.add_argument("--log-level", default="WARNING")
    options = parser.parse_args(argv)
    logging.basicConfig(
        level=options.log_level, stream=sys.stderr, format="token-host %(levelname)s %(message)s"
    )
    requests, replies = _take_protocol_streams()
    backend = BackendName(options.backend)
    return serve(lambda: create_backend(options.module, backend), requests, replies)
