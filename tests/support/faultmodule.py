"""Build and configure ``faultp11``, the fault-injection PKCS#11 module.

The module (``faultp11/faultp11.c``) forwards to a real module, SoftHSM2 by
default, and misbehaves as a :class:`FaultConfig` file tells it to. Each
process reads that file in ``C_Initialize``, so a scenario needs a fresh
process. The keys are documented in ``faultp11/README.md``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path

__all__ = ["FaultConfig", "build_fault_module", "fault_env"]

SOURCE = Path(__file__).with_name("faultp11") / "faultp11.c"
DEFAULT_BUILD_DIR = Path(__file__).parents[2] / ".cache" / "faultp11"
LIBRARY_NAME = "libfaultp11.so"
CFLAGS = ("-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror", "-I/usr/include/p11-kit-1")
LIBS = ("-ldl", "-lpthread")


def _compiler() -> str:
    for name in ("cc", "gcc"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("faultp11: no C compiler found (neither cc nor gcc is on PATH)")


def build_fault_module(build_dir: Path | None = None) -> Path:
    """Compile ``faultp11.c`` unless a build of the same source exists; return the library.

    Builds live in a directory named after the SHA-256 of the source and the
    flags, and appear there by ``os.replace``: parallel test processes either
    see a complete library or build their own copy.

    :raises RuntimeError: with the compiler's output when the build fails.
    """
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(source + " ".join(CFLAGS + LIBS).encode()).hexdigest()
    out_dir = (build_dir or DEFAULT_BUILD_DIR) / digest[:16]
    library = out_dir / LIBRARY_NAME
    if library.is_file():
        return library
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{LIBRARY_NAME}.", dir=out_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        command = [_compiler(), *CFLAGS, "-o", str(tmp), str(SOURCE), *LIBS]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"faultp11: compiling {SOURCE} failed (exit {result.returncode}):\n"
                f"$ {' '.join(command)}\n{result.stdout}{result.stderr}"
            )
        # mkstemp's 0600 would survive the build; other users share the cache.
        tmp.chmod(0o755)
        os.replace(tmp, library)
    finally:
        tmp.unlink(missing_ok=True)
    return library


@dataclass
class FaultConfig:
    """The faults to inject; the defaults make the module a plain pass-through."""

    #: The real module to forward to; ``None`` means SoftHSM2.
    target: Path | None = None
    #: Where the wrong-PIN counter persists across processes; needed by ``pin_tries``.
    state_file: Path | None = None
    #: Wrong PINs until the PIN locks (0: no counting).
    pin_tries: int = 0
    #: Report a PIN-pad (``CKF_PROTECTED_AUTHENTICATION_PATH``).
    protected_auth: bool = False
    #: The PIN "typed on the PIN-pad"; ``None`` or empty: the user cancels.
    pinpad_pin: str | None = None
    #: How long the user takes at the PIN-pad.
    pinpad_delay_ms: int = 0
    #: The card counts as pulled while this file exists.
    removed_file: Path | None = None
    #: The card vanishes after this many signatures (0: never).
    vanish_after_signs: int = 0
    #: Functions (``"C_Sign"``, ...) that return ``CKR_DEVICE_ERROR``.
    device_error_on: tuple[str, ...] = ()
    #: ``C_Initialize`` refuses non-NULL arguments, as the AKİS module does.
    reject_init_args: bool = False
    #: ``C_Initialize`` always returns this (0: no fault).
    initialize_rv: int = 0
    #: Extra time each signature takes.
    sign_delay_ms: int = 0
    #: Functions that call ``abort()``.
    abort_on: tuple[str, ...] = ()
    #: Functions that never return.
    hang_on: tuple[str, ...] = ()
    #: Report this process's open sessions in ``C_GetTokenInfo``.
    session_count: bool = False

    def lines(self) -> list[str]:
        """Return the ``key=value`` lines for every setting that differs from the default."""
        if self.pin_tries and self.state_file is None:
            raise ValueError("pin_tries needs a state_file")
        lines: list[str] = []
        for spec in fields(self):
            value: object = getattr(self, spec.name)
            if value == spec.default:
                continue
            if isinstance(value, bool):
                text = str(int(value))
            elif isinstance(value, int) and spec.name == "initialize_rv":
                text = hex(value)
            elif isinstance(value, tuple):
                text = ",".join(str(name) for name in value)
            else:
                text = str(value)
            if "\n" in text or "\r" in text:
                raise ValueError(f"{spec.name} must be a single line: {text!r}")
            lines.append(f"{spec.name}={text}")
        return lines

    def write(self, path: Path) -> None:
        """Write the configuration file atomically, so a starting process never reads half of it."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text("".join(f"{line}\n" for line in self.lines()), encoding="utf-8")
        os.replace(tmp, path)


def fault_env(config_path: Path) -> dict[str, str]:
    """Return the environment variables that point the module at a configuration file."""
    return {"FAULTP11_CONFIG": str(config_path)}
