"""Recognise a module file's binary format and architecture from its header.

Loading a vendor's PKCS#11 module runs its initialisation code, which may
crash or hang; reading a few header bytes does neither. The answer lets the
program explain a failed load ("this driver is 32-bit, the program is 64-bit")
instead of repeating the loader's terse message, and skip hopeless candidates.

Architecture names used throughout the program: ``x86``, ``x86_64``, ``arm``,
``aarch64``, ``x32`` and a few rarer ones; machines without a name are
reported as ``elf-machine-<n>``, ``pe-machine-0x<hex>`` or
``macho-cputype-0x<hex>``.
"""

from __future__ import annotations

import platform
import struct
from dataclasses import dataclass
from typing import BinaryIO, Final

__all__ = [
    "UNKNOWN_BINARY",
    "BinaryInfo",
    "current_architecture",
    "is_compatible",
    "native_format",
    "normalise_architecture",
    "read_binary_info",
]

#: How much of the file start is read; every header field used lies within it
#: except a PE header pushed far out by a large DOS stub, read separately.
_HEAD_SIZE: Final = 4096
# A PE header further out than this is not something a linker produces.
_MAX_PE_OFFSET: Final = 1 << 16
# Java class files share the universal-binary magic; their "arch count" is the
# class-file major version (45 or more), far beyond any real universal binary.
_MAX_FAT_ARCHES: Final = 30


@dataclass(frozen=True)
class BinaryInfo:
    """What a module file's header says about it."""

    #: ``"elf"``, ``"pe"``, ``"macho"`` or ``"unknown"``.
    format: str
    #: The architectures the file contains code for; several for a macOS
    #: universal binary, none when the format is unknown.
    architectures: frozenset[str]
    #: 32 or 64; ``None`` when unknown or when slices of a universal binary differ.
    bits: int | None
    #: False when the header shows an executable, object file or core dump
    #: rather than something a process can load as a library.
    shared_library: bool = True


#: The answer for anything that is not a recognised executable format.
UNKNOWN_BINARY: Final = BinaryInfo("unknown", frozenset(), None, shared_library=False)

_MACHINE_ALIASES: Final[dict[str, str]] = {
    "amd64": "x86_64",
    "x86_64": "x86_64",
    "x64": "x86_64",
    "em64t": "x86_64",
    "i386": "x86",
    "i486": "x86",
    "i586": "x86",
    "i686": "x86",
    "x86": "x86",
    "arm64": "aarch64",
    "aarch64": "aarch64",
    "armv8l": "arm",
    "armv7l": "arm",
    "armv6l": "arm",
    "arm": "arm",
    "ppc64le": "ppc64le",
    "ppc64": "ppc64",
    "s390x": "s390x",
    "riscv64": "riscv64",
}

# The 32-bit sibling of a 64-bit machine: what a 32-bit process on it runs as.
_NARROW: Final[dict[str, str]] = {"x86_64": "x86", "aarch64": "arm", "ppc64": "ppc"}


def normalise_architecture(
    machine: str, *, bits: int | None = None, system: str | None = None
) -> str:
    """Map a ``platform.machine()`` spelling to the program's architecture name.

    :param machine: e.g. ``"AMD64"``, ``"x86_64"``, ``"arm64"``, ``"i686"``.
    :param bits: the process's pointer size; 32 turns a 64-bit machine into
        its 32-bit sibling, because a 32-bit process loads only 32-bit code.
    :param system: ``platform.system()``; on Windows every 32-bit process is
        x86 (emulated on ARM64), whatever the machine.
    :returns: the normalised name; unknown spellings are lower-cased.
    """
    name = _MACHINE_ALIASES.get(machine.strip().lower(), machine.strip().lower())
    if bits == 32:
        if system is not None and system.lower() == "windows":
            return "x86"
        return _NARROW.get(name, name)
    return name


def current_architecture() -> str:
    """Return the architecture of the running Python process.

    The machine name alone is not enough: 32-bit Python on a 64-bit system
    reports the system's machine, but can only load 32-bit modules.
    """
    return normalise_architecture(
        platform.machine(), bits=struct.calcsize("P") * 8, system=platform.system()
    )


def native_format(system: str | None = None) -> str:
    """Return the library format the given (default: running) system loads.

    :param system: a ``platform.system()`` value.
    :returns: ``"pe"``, ``"macho"`` or ``"elf"`` (every other system).
    """
    system = platform.system() if system is None else system
    if system == "Windows":
        return "pe"
    if system == "Darwin":
        return "macho"
    return "elf"


def is_compatible(
    info: BinaryInfo, arch: str | None = None, *, system: str | None = None
) -> bool | None:
    """Tell whether a process could load a module with this header.

    :param info: from :func:`read_binary_info`.
    :param arch: the process architecture; the running one by default.
    :param system: a ``platform.system()`` value; the running one by default.
        A Windows DLL is never loadable on Linux, whatever its architecture.
    :returns: ``None`` when the header did not reveal an architecture.
    """
    if info.format == "unknown" or not info.architectures:
        return None
    if info.format != native_format(system):
        return False
    return (current_architecture() if arch is None else arch) in info.architectures


def read_binary_info(path: str) -> BinaryInfo:
    """Read a file's header and describe its format and architecture.

    The file is only read, never loaded, and only a few kilobytes of it.

    :param path: the module file.
    :raises OSError: when the file cannot be opened or read.
    """
    with open(path, "rb") as stream:
        head = stream.read(_HEAD_SIZE)
        if head[:4] == b"\x7fELF":
            return _elf(head)
        if head[:2] == b"MZ":
            return _pe(head, stream)
        magic = head[:4]
        if magic in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
            return _fat(head, stream)
        if magic in _THIN_MACHO:
            return _thin_macho(head)
    return UNKNOWN_BINARY


# --- ELF -------------------------------------------------------------------

_ELF_MACHINES: Final[dict[int, str]] = {
    3: "x86",
    8: "mips",
    20: "ppc",
    21: "ppc64",
    22: "s390x",
    40: "arm",
    62: "x86_64",
    183: "aarch64",
    243: "riscv64",
    258: "loongarch64",
}
# ABIs that put a 64-bit machine's code into the 32-bit ELF class.
_ELF32_OF_64: Final[dict[str, str]] = {
    "x86_64": "x32",
    "aarch64": "aarch64_ilp32",
    "riscv64": "riscv32",
    "loongarch64": "loongarch32",
}
_ET_DYN: Final = 3
_ELF_HEADER_PREFIX: Final = 20


def _elf(head: bytes) -> BinaryInfo:
    if len(head) < _ELF_HEADER_PREFIX:
        return UNKNOWN_BINARY
    elf_class, encoding = head[4], head[5]
    if elf_class not in (1, 2) or encoding not in (1, 2):
        return UNKNOWN_BINARY
    order = "<" if encoding == 1 else ">"
    e_type, e_machine = struct.unpack_from(f"{order}HH", head, 16)
    bits = 32 if elf_class == 1 else 64
    arch = _ELF_MACHINES.get(e_machine, f"elf-machine-{e_machine}")
    if bits == 32:
        arch = _ELF32_OF_64.get(arch, arch)
    elif arch == "ppc64" and order == "<":
        arch = "ppc64le"
    # PIE executables are ET_DYN as well; the loader itself refuses those.
    return BinaryInfo("elf", frozenset({arch}), bits, shared_library=e_type == _ET_DYN)


# --- PE --------------------------------------------------------------------

_PE_MACHINES: Final[dict[int, str]] = {
    0x014C: "x86",
    0x8664: "x86_64",
    0xAA64: "aarch64",
    0x01C0: "arm",
    0x01C4: "arm",
    0x0200: "ia64",
}
_IMAGE_FILE_DLL: Final = 0x2000
_PE_OPTIONAL_MAGIC_BITS: Final[dict[int, int]] = {0x10B: 32, 0x20B: 64}
# "PE\0\0", the COFF file header and the optional header's magic.
_PE_HEADER_SIZE: Final = 4 + 20 + 2


def _pe(head: bytes, stream: BinaryIO) -> BinaryInfo:
    if len(head) < 0x40:
        return UNKNOWN_BINARY
    (offset,) = struct.unpack_from("<I", head, 0x3C)
    if offset + _PE_HEADER_SIZE <= len(head):
        header = head[offset : offset + _PE_HEADER_SIZE]
    elif offset < _MAX_PE_OFFSET:
        stream.seek(offset)
        header = stream.read(_PE_HEADER_SIZE)
    else:
        return UNKNOWN_BINARY
    if len(header) < _PE_HEADER_SIZE or header[:4] != b"PE\0\0":
        # A bare DOS program: nothing Windows could load as a DLL.
        return UNKNOWN_BINARY
    machine, characteristics = struct.unpack_from("<H16xH", header, 4)
    (optional_magic,) = struct.unpack_from("<H", header, 24)
    arch = _PE_MACHINES.get(machine, f"pe-machine-0x{machine:04x}")
    bits = _PE_OPTIONAL_MAGIC_BITS.get(optional_magic)
    return BinaryInfo(
        "pe", frozenset({arch}), bits, shared_library=bool(characteristics & _IMAGE_FILE_DLL)
    )


# --- Mach-O ----------------------------------------------------------------

_MH_MAGIC: Final = 0xFEEDFACE
_MH_MAGIC_64: Final = 0xFEEDFACF
# The magic as it appears on disk in either byte order, with that order and
# the pointer size it announces.
_THIN_MACHO: Final[dict[bytes, tuple[str, int]]] = {
    struct.pack("<I", _MH_MAGIC): ("<", 32),
    struct.pack(">I", _MH_MAGIC): (">", 32),
    struct.pack("<I", _MH_MAGIC_64): ("<", 64),
    struct.pack(">I", _MH_MAGIC_64): (">", 64),
}
_CPU_ARCH_ABI64: Final = 0x01000000
_CPU_SUBTYPE_MASK: Final = 0x00FFFFFF
_CPU_SUBTYPE_ARM64E: Final = 2
_MACHO_CPUS: Final[dict[int, str]] = {
    7: "x86",
    7 | _CPU_ARCH_ABI64: "x86_64",
    12: "arm",
    12 | _CPU_ARCH_ABI64: "aarch64",
    12 | 0x02000000: "arm64_32",
    18: "ppc",
    18 | _CPU_ARCH_ABI64: "ppc64",
}
_MH_DYLIB: Final = 6
_MH_BUNDLE: Final = 8
# magic, cputype, cpusubtype, filetype: the part of mach_header that is used.
_MACHO_PREFIX: Final = 16


def _macho_arch(cputype: int, cpusubtype: int) -> str:
    arch = _MACHO_CPUS.get(cputype, f"macho-cputype-0x{cputype:08x}")
    # arm64e code (pointer authentication) is refused by plain arm64 processes.
    if arch == "aarch64" and cpusubtype & _CPU_SUBTYPE_MASK == _CPU_SUBTYPE_ARM64E:
        return "arm64e"
    return arch


def _thin_header(header: bytes) -> tuple[str, int, bool] | None:
    """Return the architecture, bits and library-ness of a thin Mach-O header."""
    layout = _THIN_MACHO.get(header[:4])
    if layout is None or len(header) < _MACHO_PREFIX:
        return None
    order, bits = layout
    cputype, cpusubtype, filetype = struct.unpack_from(f"{order}iII", header, 4)
    return (
        _macho_arch(cputype & 0xFFFFFFFF, cpusubtype),
        bits,
        filetype in (_MH_DYLIB, _MH_BUNDLE),
    )


def _thin_macho(head: bytes) -> BinaryInfo:
    parsed = _thin_header(head)
    if parsed is None:
        return UNKNOWN_BINARY
    arch, bits, library = parsed
    return BinaryInfo("macho", frozenset({arch}), bits, shared_library=library)


def _fat(head: bytes, stream: BinaryIO) -> BinaryInfo:
    if len(head) < 8:
        return UNKNOWN_BINARY
    wide = head[3] == 0xBF
    (count,) = struct.unpack_from(">I", head, 4)
    entry_size = 32 if wide else 20
    if not 0 < count <= _MAX_FAT_ARCHES or 8 + count * entry_size > len(head):
        return UNKNOWN_BINARY
    arches: set[str] = set()
    bits: set[int] = set()
    library = False
    for index in range(count):
        base = 8 + index * entry_size
        cputype, cpusubtype = struct.unpack_from(">iI", head, base)
        if wide:
            (offset,) = struct.unpack_from(">Q", head, base + 8)
        else:
            (offset,) = struct.unpack_from(">I", head, base + 8)
        cputype &= 0xFFFFFFFF
        arches.add(_macho_arch(cputype, cpusubtype))
        bits.add(64 if cputype & _CPU_ARCH_ABI64 else 32)
        # The slice's own header says whether it is a library; reading it is
        # one small seek per slice, still far from loading anything.
        stream.seek(offset)
        parsed = _thin_header(stream.read(_MACHO_PREFIX))
        library = library or (parsed is not None and parsed[2])
    return BinaryInfo(
        "macho",
        frozenset(arches),
        bits.pop() if len(bits) == 1 else None,
        shared_library=library,
    )
