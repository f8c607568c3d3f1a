"""Why a PKCS#11 module failed to load, as data the UI can explain.

The loaders' own messages ("cannot open shared object file", ``WinError
126``) are accurate but mean nothing to the people who hold a mali mühür. The
header of the file (:mod:`signer_app.token.binfmt`) and the loader's message
together usually tell which of a handful of causes applies, and each cause
has its own remedy: install the driver, install its prerequisites, pick the
64-bit driver, and so on.

:func:`try_dlopen` is the only function here that loads anything. It is meant
to run in a disposable child process, because a vendor module's
initialisation code may crash the process that loads it.
"""

from __future__ import annotations

import ctypes
import ntpath
import os
import re
from collections.abc import Callable
from enum import Enum
from typing import Final

from signer_app.token.binfmt import BinaryInfo, is_compatible

__all__ = [
    "ENTRY_POINT",
    "LoadFailure",
    "classify_load_failure",
    "find_missing_dependency",
    "try_dlopen",
]

#: The one function every PKCS#11 module exports.
ENTRY_POINT: Final = "C_GetFunctionList"


class LoadFailure(Enum):
    """The cause of a failed module load."""

    #: The module file does not exist.
    FILE_MISSING = "file_missing"
    #: The file is not a shared library, or a library that is not PKCS#11.
    NOT_PKCS11 = "not_pkcs11"
    #: A library the module needs (or a version of it) is not installed.
    MISSING_DEPENDENCY = "missing_dependency"
    #: The module is built for another processor, pointer size or system.
    WRONG_ARCHITECTURE = "wrong_architecture"
    #: The system refused access to the module (file rights, security policy).
    PERMISSION_DENIED = "permission_denied"
    #: None of the known causes matched.
    UNKNOWN = "unknown"


# Windows system error codes that LoadLibrary reports.
_WINERROR_FILE_NOT_FOUND: Final = 2
_WINERROR_PATH_NOT_FOUND: Final = 3
_WINERROR_ACCESS_DENIED: Final = 5
_WINERROR_MOD_NOT_FOUND: Final = 126
_WINERROR_PROC_NOT_FOUND: Final = 127
_WINERROR_BAD_EXE_FORMAT: Final = 193
_WINERROR_EXE_MACHINE_TYPE_MISMATCH: Final = 216
_WINERROR_INVALID_IMAGE_HASH: Final = 577
_WINERROR_DLL_NOT_FOUND: Final = 1157
_WINERROR_SXS_CANT_GEN_ACTCTX: Final = 14001
_WINERROR_SYSTEM_INTEGRITY_POLICY: Final = 4551

_WINERROR_CAUSES: Final[dict[int, LoadFailure]] = {
    _WINERROR_ACCESS_DENIED: LoadFailure.PERMISSION_DENIED,
    # Missing function in a dependency: the installed prerequisite is too old.
    _WINERROR_PROC_NOT_FOUND: LoadFailure.MISSING_DEPENDENCY,
    _WINERROR_BAD_EXE_FORMAT: LoadFailure.WRONG_ARCHITECTURE,
    _WINERROR_EXE_MACHINE_TYPE_MISMATCH: LoadFailure.WRONG_ARCHITECTURE,
    # Signature or application-control policy: the system, not the file, says no.
    _WINERROR_INVALID_IMAGE_HASH: LoadFailure.PERMISSION_DENIED,
    _WINERROR_SYSTEM_INTEGRITY_POLICY: LoadFailure.PERMISSION_DENIED,
    _WINERROR_DLL_NOT_FOUND: LoadFailure.MISSING_DEPENDENCY,
    # Side-by-side error: typically the Visual C++ runtime is not installed.
    _WINERROR_SXS_CANT_GEN_ACTCTX: LoadFailure.MISSING_DEPENDENCY,
}

_WINERROR_IN_TEXT: Final = re.compile(r"\[WinError (-?\d+)\]")
# glibc: "<name>: cannot open shared object file: <strerror>"; <name> is the
# module path as passed, or a dependency's DT_NEEDED name.
_GLIBC_CANNOT_OPEN: Final = re.compile(
    r"^(?P<name>.+?): cannot open shared object file: (?P<why>.*)$", re.MULTILINE
)
# musl: "Error loading shared library <name>: <strerror> (needed by <module>)".
_MUSL_NEEDED: Final = re.compile(r"Error loading shared library (?P<name>[^\s:]+): .*\(needed by ")
# dyld: "Library not loaded: @rpath/libfoo.dylib".
_DYLD_NOT_LOADED: Final = re.compile(r"Library not loaded: (?P<name>[^\s'\"]+)")

# Substrings of loader messages, most specific first; matched case-insensitively.
_MESSAGE_CAUSES: Final[tuple[tuple[str, LoadFailure], ...]] = (
    # glibc
    ("wrong elf class", LoadFailure.WRONG_ARCHITECTURE),
    ("elf file data encoding not", LoadFailure.WRONG_ARCHITECTURE),
    ("elf file os abi invalid", LoadFailure.WRONG_ARCHITECTURE),
    ("undefined symbol", LoadFailure.MISSING_DEPENDENCY),
    ("not found (required by", LoadFailure.MISSING_DEPENDENCY),
    ("invalid elf header", LoadFailure.NOT_PKCS11),
    ("file too short", LoadFailure.NOT_PKCS11),
    ("cannot dynamically load", LoadFailure.NOT_PKCS11),
    ("only et_dyn and et_exec can be loaded", LoadFailure.NOT_PKCS11),
    ("is a directory", LoadFailure.NOT_PKCS11),
    # noexec mounts and SELinux refuse the mapping, not the file.
    ("failed to map segment from shared object", LoadFailure.PERMISSION_DENIED),
    # dyld
    ("incompatible architecture", LoadFailure.WRONG_ARCHITECTURE),
    ("wrong architecture", LoadFailure.WRONG_ARCHITECTURE),
    ("incompatible platform", LoadFailure.WRONG_ARCHITECTURE),
    ("library not loaded", LoadFailure.MISSING_DEPENDENCY),
    ("symbol not found", LoadFailure.MISSING_DEPENDENCY),
    ("not a mach-o file", LoadFailure.NOT_PKCS11),
    # Gatekeeper and library validation reject unsigned or foreign-team code.
    ("code signature", LoadFailure.PERMISSION_DENIED),
    ("different team ids", LoadFailure.PERMISSION_DENIED),
    # any system
    ("permission denied", LoadFailure.PERMISSION_DENIED),
    ("operation not permitted", LoadFailure.PERMISSION_DENIED),
)


def _basename(name: str) -> str:
    # Loader messages on every system are parsed here, so both separators count.
    return ntpath.basename(name)


def _same_file(name: str, path: str) -> bool:
    if name == path:
        return True
    return os.path.normcase(os.path.abspath(name)) == os.path.normcase(os.path.abspath(path))


def find_missing_dependency(message: str, *, module_path: str | None = None) -> str | None:
    """Extract the name of the missing library from a loader message.

    :param message: the loader's error text (glibc, musl or macOS dyld).
    :param module_path: the module that was being loaded; a message naming
        this file itself reports the module missing, not a dependency.
    :returns: the library's file name (e.g. ``libpcsclite.so.1``), or ``None``
        when the message names no missing library (Windows never does).
    """
    for pattern in (_GLIBC_CANNOT_OPEN, _MUSL_NEEDED, _DYLD_NOT_LOADED):
        match = pattern.search(message)
        if match is None:
            continue
        name = match.group("name").strip()
        if pattern is _GLIBC_CANNOT_OPEN and "no such file" not in match.group("why").lower():
            continue
        if module_path is not None and _same_file(name, module_path):
            return None
        return _basename(name)
    return None


def _winerror_cause(code: int, path: str, exists: Callable[[str], bool]) -> LoadFailure | None:
    if code in (_WINERROR_FILE_NOT_FOUND, _WINERROR_PATH_NOT_FOUND):
        return LoadFailure.FILE_MISSING
    if code == _WINERROR_MOD_NOT_FOUND:
        # The same code for the module and for any DLL it imports.
        return LoadFailure.MISSING_DEPENDENCY if exists(path) else LoadFailure.FILE_MISSING
    return _WINERROR_CAUSES.get(code)


def classify_load_failure(
    path: str,
    message: str,
    *,
    binary: BinaryInfo | None,
    winerror: int | None = None,
    arch: str | None = None,
    system: str | None = None,
    exists: Callable[[str], bool] = os.path.exists,
) -> LoadFailure:
    """Tell why loading the module at ``path`` failed.

    The file header is trusted first, since it is unambiguous; the loader's
    message decides otherwise.

    :param path: the module path that was loaded.
    :param message: the loader's error text, e.g. from :func:`try_dlopen`.
    :param binary: the file's header, or ``None`` when it could not be read.
    :param winerror: the Windows error code, when known; a ``[WinError n]``
        in ``message`` is used otherwise.
    :param arch: the loading process's architecture; the running one by default.
    :param system: the loading process's ``platform.system()``; the running one
        by default.
    :param exists: tells whether a file exists; replaceable for tests.
    """
    if binary is not None:
        if binary.format == "unknown" or not binary.shared_library:
            return LoadFailure.NOT_PKCS11
        if is_compatible(binary, arch, system=system) is False:
            return LoadFailure.WRONG_ARCHITECTURE
    if ENTRY_POINT in message:
        return LoadFailure.NOT_PKCS11

    if winerror is None:
        found = _WINERROR_IN_TEXT.search(message)
        winerror = int(found.group(1)) if found else None
    if winerror is not None:
        cause = _winerror_cause(winerror, path, exists)
        if cause is not None:
            return cause

    cannot_open = _GLIBC_CANNOT_OPEN.search(message)
    if cannot_open is not None:
        why = cannot_open.group("why").lower()
        if "permission denied" in why or "operation not permitted" in why:
            return LoadFailure.PERMISSION_DENIED
        if "no such file" in why:
            if not _same_file(cannot_open.group("name").strip(), path):
                return LoadFailure.MISSING_DEPENDENCY
            # glibc says "No such file" also for an existing file built for
            # another machine of the same ELF class.
            return LoadFailure.WRONG_ARCHITECTURE if exists(path) else LoadFailure.FILE_MISSING
    if _MUSL_NEEDED.search(message):
        return LoadFailure.MISSING_DEPENDENCY

    lowered = message.lower()
    for text, cause in _MESSAGE_CAUSES:
        if text in lowered:
            return cause
    if not exists(path):
        return LoadFailure.FILE_MISSING
    return LoadFailure.UNKNOWN


def try_dlopen(path: str) -> str | None:
    """Load a module and check that it exports ``C_GetFunctionList``.

    Nothing in the module is called, but loading runs its initialisers: call
    this in a disposable process. The library stays loaded until that process
    ends.

    :param path: the module file.
    :returns: ``None`` when the module loaded and exports the entry point,
        else the loader's error text (Windows codes as ``[WinError n]``).
    """
    try:
        library = ctypes.CDLL(path, mode=ctypes.RTLD_LOCAL)
    except OSError as exc:
        text = str(exc)
        code = getattr(exc, "winerror", None)
        if isinstance(code, int) and not _WINERROR_IN_TEXT.search(text):
            text = f"[WinError {code}] {text}"
        return text
    except ValueError as exc:
        # An embedded NUL in the path: nothing was loaded.
        return str(exc)
    try:
        getattr(library, ENTRY_POINT)
    except AttributeError:
        return f"{path}: the library does not export {ENTRY_POINT}"
    return None
