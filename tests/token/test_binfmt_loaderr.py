"""Module header recognition and load-failure classification."""

from __future__ import annotations

import os
import platform
import shutil
import struct
import sys
from pathlib import Path

import pytest

from signer_app.token.binfmt import (
    UNKNOWN_BINARY,
    BinaryInfo,
    current_architecture,
    is_compatible,
    native_format,
    normalise_architecture,
    read_binary_info,
)
from signer_app.token.loaderr import (
    ENTRY_POINT,
    LoadFailure,
    classify_load_failure,
    find_missing_dependency,
    try_dlopen,
)
from tests.support.clibs import build_library

SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"

# --- synthetic headers -----------------------------------------------------


def elf_header(*, bits: int, machine: int, big_endian: bool = False, e_type: int = 3) -> bytes:
    order = ">" if big_endian else "<"
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 2 if big_endian else 1, 1]) + bytes(9)
    return ident + struct.pack(f"{order}HHI", e_type, machine, 1) + bytes(40)


def pe_image(machine: int, *, plus: bool, dll: bool = True, offset: int = 0x80) -> bytes:
    dos = bytearray(max(offset, 0x40))
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, offset)
    optional_size = 0xF0 if plus else 0xE0
    characteristics = 0x0102 | (0x2000 if dll else 0)
    coff = struct.pack("<HHIIIHH", machine, 1, 0, 0, 0, optional_size, characteristics)
    optional = struct.pack("<H", 0x20B if plus else 0x10B) + bytes(optional_size - 2)
    return bytes(dos) + b"PE\0\0" + coff + optional


def macho_header(
    cputype: int, *, bits: int = 64, big_endian: bool = False, filetype: int = 6
) -> bytes:
    order = ">" if big_endian else "<"
    magic = 0xFEEDFACF if bits == 64 else 0xFEEDFACE
    header = struct.pack(f"{order}IiiIIII", magic, cputype, 0, filetype, 0, 0, 0)
    return header + (bytes(4) if bits == 64 else b"")


CPU_X86_64 = 0x01000007
CPU_ARM64 = 0x0100000C


def fat_binary(slices: list[int]) -> bytes:
    header = struct.pack(">II", 0xCAFEBABE, len(slices))
    for index, cputype in enumerate(slices):
        offset = 4096 * (index + 1)
        header += struct.pack(">iiIII", cputype, 0, offset, 4096, 12)
    image = bytearray(header.ljust(4096, b"\0"))
    for cputype in slices:
        image += macho_header(cputype).ljust(4096, b"\0")
    return bytes(image)


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# --- binfmt ----------------------------------------------------------------


@pytest.mark.skipif(not os.path.isfile(SOFTHSM), reason="SoftHSM2 is not installed")
def test_real_softhsm_module() -> None:
    info = read_binary_info(SOFTHSM)
    assert info.format == "elf"
    assert info.bits == 64
    assert info.shared_library
    if platform.machine() == "x86_64":
        assert info.architectures == frozenset({"x86_64"})
        assert is_compatible(info) is True


@pytest.mark.skipif(sys.platform != "linux", reason="needs a Linux /bin/sh")
def test_real_shell_binary() -> None:
    info = read_binary_info("/bin/sh")
    assert info.format == "elf"
    assert info.architectures == frozenset({current_architecture()})
    assert info.bits == struct.calcsize("P") * 8


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (elf_header(bits=32, machine=3), BinaryInfo("elf", frozenset({"x86"}), 32)),
        (elf_header(bits=64, machine=183), BinaryInfo("elf", frozenset({"aarch64"}), 64)),
        (elf_header(bits=64, machine=62), BinaryInfo("elf", frozenset({"x86_64"}), 64)),
        (elf_header(bits=32, machine=40), BinaryInfo("elf", frozenset({"arm"}), 32)),
        (elf_header(bits=32, machine=62), BinaryInfo("elf", frozenset({"x32"}), 32)),
        (
            elf_header(bits=64, machine=21, big_endian=True),
            BinaryInfo("elf", frozenset({"ppc64"}), 64),
        ),
        (elf_header(bits=64, machine=21), BinaryInfo("elf", frozenset({"ppc64le"}), 64)),
        (elf_header(bits=64, machine=999), BinaryInfo("elf", frozenset({"elf-machine-999"}), 64)),
        (
            elf_header(bits=64, machine=62, e_type=2),
            BinaryInfo("elf", frozenset({"x86_64"}), 64, shared_library=False),
        ),
        (pe_image(0x14C, plus=False), BinaryInfo("pe", frozenset({"x86"}), 32)),
        (pe_image(0x8664, plus=True), BinaryInfo("pe", frozenset({"x86_64"}), 64)),
        (pe_image(0xAA64, plus=True), BinaryInfo("pe", frozenset({"aarch64"}), 64)),
        (pe_image(0x1C4, plus=False), BinaryInfo("pe", frozenset({"arm"}), 32)),
        (
            pe_image(0x8664, plus=True, dll=False),
            BinaryInfo("pe", frozenset({"x86_64"}), 64, shared_library=False),
        ),
        (
            pe_image(0x8664, plus=True, offset=6000),
            BinaryInfo("pe", frozenset({"x86_64"}), 64),
        ),
        (
            pe_image(0x5032, plus=True),
            BinaryInfo("pe", frozenset({"pe-machine-0x5032"}), 64),
        ),
        (macho_header(CPU_ARM64), BinaryInfo("macho", frozenset({"aarch64"}), 64)),
        (macho_header(CPU_X86_64), BinaryInfo("macho", frozenset({"x86_64"}), 64)),
        (macho_header(7, bits=32), BinaryInfo("macho", frozenset({"x86"}), 32)),
        (
            macho_header(18, bits=32, big_endian=True),
            BinaryInfo("macho", frozenset({"ppc"}), 32),
        ),
        (
            macho_header(CPU_X86_64, filetype=2),
            BinaryInfo("macho", frozenset({"x86_64"}), 64, shared_library=False),
        ),
        (
            fat_binary([CPU_X86_64, CPU_ARM64]),
            BinaryInfo("macho", frozenset({"x86_64", "aarch64"}), 64),
        ),
        (fat_binary([7, CPU_X86_64]), BinaryInfo("macho", frozenset({"x86", "x86_64"}), None)),
    ],
)
def test_synthetic_headers(tmp_path: Path, data: bytes, expected: BinaryInfo) -> None:
    assert read_binary_info(write(tmp_path, "module.bin", data)) == expected


def test_arm64e_slice_is_its_own_architecture(tmp_path: Path) -> None:
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, CPU_ARM64, 2, 6, 0, 0, 0, 0)
    assert read_binary_info(write(tmp_path, "e.dylib", header)).architectures == {"arm64e"}


@pytest.mark.parametrize(
    "data",
    [
        b"this is only a text file\n" * 10,
        b"",
        b"\x7fEL",
        b"MZ" + bytes(100),
        b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + bytes(100),
        b"\x7fELF\x07\x01" + bytes(60),
    ],
    ids=["text", "empty", "short-elf", "dos-only", "java-class", "bad-elf-class"],
)
def test_not_a_library_is_unknown(tmp_path: Path, data: bytes) -> None:
    info = read_binary_info(write(tmp_path, "libx.so", data))
    assert info == UNKNOWN_BINARY
    assert not info.shared_library
    assert is_compatible(info) is None


def test_read_binary_info_reads_only_the_head(tmp_path: Path) -> None:
    big = elf_header(bits=64, machine=62) + bytes(4 << 20)
    assert read_binary_info(write(tmp_path, "big.so", big)).architectures == {"x86_64"}


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_binary_info(str(tmp_path / "absent.so"))


@pytest.mark.parametrize(
    ("machine", "bits", "system", "expected"),
    [
        ("AMD64", 64, "Windows", "x86_64"),
        ("AMD64", 32, "Windows", "x86"),
        ("ARM64", 32, "Windows", "x86"),
        ("ARM64", 64, "Windows", "aarch64"),
        ("x86_64", 32, "Linux", "x86"),
        ("aarch64", 32, "Linux", "arm"),
        ("arm64", 64, "Darwin", "aarch64"),
        ("i686", None, None, "x86"),
        ("armv7l", None, None, "arm"),
        ("riscv64", None, None, "riscv64"),
    ],
)
def test_normalise_architecture(
    machine: str, bits: int | None, system: str | None, expected: str
) -> None:
    assert normalise_architecture(machine, bits=bits, system=system) == expected


def test_current_architecture_matches_this_python() -> None:
    arch = current_architecture()
    assert arch == normalise_architecture(
        platform.machine(), bits=struct.calcsize("P") * 8, system=platform.system()
    )
    if platform.machine() == "x86_64" and struct.calcsize("P") == 8:
        assert arch == "x86_64"


def test_is_compatible() -> None:
    dll32 = BinaryInfo("pe", frozenset({"x86"}), 32)
    universal = BinaryInfo("macho", frozenset({"x86_64", "aarch64"}), 64)
    assert is_compatible(dll32, "x86", system="Windows") is True
    assert is_compatible(dll32, "x86_64", system="Windows") is False
    assert is_compatible(dll32, "x86", system="Linux") is False
    assert is_compatible(universal, "aarch64", system="Darwin") is True
    assert is_compatible(universal, "x86", system="Darwin") is False
    assert is_compatible(UNKNOWN_BINARY, "x86_64") is None
    assert native_format("Windows") == "pe"
    assert native_format("Darwin") == "macho"
    assert native_format("Linux") == "elf"


# --- loaderr with real libraries -------------------------------------------

needs_glibc_cc = pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc" or shutil.which("cc") is None,
    reason="needs Linux with glibc and a C compiler",
)


ENTRY_SOURCE = "int C_GetFunctionList(void **list) { *list = 0; return 0; }\n"


@needs_glibc_cc
def test_module_with_entry_point_loads(tmp_path: Path) -> None:
    module = build_library(tmp_path, "libgood.so", ENTRY_SOURCE)
    assert try_dlopen(str(module)) is None
    info = read_binary_info(str(module))
    assert info.format == "elf" and info.shared_library
    assert is_compatible(info) is True


@needs_glibc_cc
def test_deleted_dependency_is_a_missing_dependency(tmp_path: Path) -> None:
    build_library(tmp_path, "libsignertestdep.so", "int signer_dep(void) { return 1; }\n")
    module = build_library(
        tmp_path,
        "libneedsdep.so",
        "int signer_dep(void);\n"
        "int C_GetFunctionList(void **list) { *list = 0; return signer_dep(); }\n",
        f"-L{tmp_path}",
        "-lsignertestdep",
        f"-Wl,-rpath,{tmp_path}",
    )
    (tmp_path / "libsignertestdep.so").unlink()
    message = try_dlopen(str(module))
    assert message is not None
    assert "libsignertestdep.so" in message
    assert find_missing_dependency(message, module_path=str(module)) == "libsignertestdep.so"
    binary = read_binary_info(str(module))
    assert classify_load_failure(str(module), message, binary=binary) is (
        LoadFailure.MISSING_DEPENDENCY
    )
    assert classify_load_failure(str(module), message, binary=None) is (
        LoadFailure.MISSING_DEPENDENCY
    )


@needs_glibc_cc
def test_library_without_entry_point_is_not_pkcs11(tmp_path: Path) -> None:
    module = build_library(tmp_path, "libplain.so", "int other(void) { return 0; }\n")
    message = try_dlopen(str(module))
    assert message is not None and ENTRY_POINT in message
    binary = read_binary_info(str(module))
    assert classify_load_failure(str(module), message, binary=binary) is LoadFailure.NOT_PKCS11


@needs_glibc_cc
@pytest.mark.skipif(struct.calcsize("P") != 8, reason="needs a 64-bit Python")
def test_patched_elf_class_is_wrong_architecture(tmp_path: Path) -> None:
    good = build_library(tmp_path, "libgood.so", ENTRY_SOURCE)
    patched = tmp_path / "libpatched.so"
    data = bytearray(good.read_bytes())
    data[4] = 1  # EI_CLASS: ELFCLASS32
    patched.write_bytes(bytes(data))

    binary = read_binary_info(str(patched))
    assert binary.format == "elf" and binary.bits == 32
    assert is_compatible(binary) is False
    message = try_dlopen(str(patched))
    assert message is not None and "wrong ELF class" in message
    assert classify_load_failure(str(patched), message, binary=binary) is (
        LoadFailure.WRONG_ARCHITECTURE
    )
    assert classify_load_failure(str(patched), message, binary=None) is (
        LoadFailure.WRONG_ARCHITECTURE
    )


@needs_glibc_cc
def test_patched_machine_is_wrong_architecture(tmp_path: Path) -> None:
    good = build_library(tmp_path, "libgood.so", ENTRY_SOURCE)
    patched = tmp_path / "libforeign.so"
    data = bytearray(good.read_bytes())
    foreign = 183 if current_architecture() != "aarch64" else 62
    struct.pack_into("<H", data, 18, foreign)
    patched.write_bytes(bytes(data))

    binary = read_binary_info(str(patched))
    assert is_compatible(binary) is False
    message = try_dlopen(str(patched))
    assert message is not None
    # glibc reports "No such file or directory" for the existing file here.
    assert classify_load_failure(str(patched), message, binary=None) is (
        LoadFailure.WRONG_ARCHITECTURE
    )
    assert classify_load_failure(str(patched), message, binary=binary) is (
        LoadFailure.WRONG_ARCHITECTURE
    )


@needs_glibc_cc
@pytest.mark.parametrize("size", [1, 40], ids=["short", "long"])
def test_text_file_is_not_pkcs11(tmp_path: Path, size: int) -> None:
    path = write(tmp_path, "libx.so", b"not a library, honestly\n" * size)
    binary = read_binary_info(path)
    assert binary == UNKNOWN_BINARY
    message = try_dlopen(path)
    assert message is not None
    assert classify_load_failure(path, message, binary=binary) is LoadFailure.NOT_PKCS11
    assert classify_load_failure(path, message, binary=None) is LoadFailure.NOT_PKCS11


@needs_glibc_cc
def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "libabsent.so")
    message = try_dlopen(path)
    assert message is not None
    assert classify_load_failure(path, message, binary=None) is LoadFailure.FILE_MISSING
    assert find_missing_dependency(message, module_path=path) is None


def test_try_dlopen_never_raises_for_bad_paths(tmp_path: Path) -> None:
    assert try_dlopen(str(tmp_path)) is not None
    assert try_dlopen("bad\0path") is not None


# --- loaderr with canned messages ------------------------------------------


MAC_MODULE = "/usr/local/lib/libakisp11.dylib"
WIN_MODULE = r"C:\Windows\System32\akisp11.dll"


@pytest.mark.parametrize(
    ("message", "exists", "expected"),
    [
        (
            f"dlopen({MAC_MODULE}, 0x0006): tried: '{MAC_MODULE}' (mach-o file, but is an "
            "incompatible architecture (have 'x86_64', need 'arm64e' or 'arm64'))",
            True,
            LoadFailure.WRONG_ARCHITECTURE,
        ),
        (
            f"dlopen({MAC_MODULE}, 6): no suitable image found.  Did find:\n"
            f"\t{MAC_MODULE}: mach-o, but wrong architecture",
            True,
            LoadFailure.WRONG_ARCHITECTURE,
        ),
        (
            f"dlopen({MAC_MODULE}, 0x0006): Library not loaded: @rpath/libpcsclite.1.dylib\n"
            f"  Referenced from: <0A1B> {MAC_MODULE}\n"
            "  Reason: tried: '/usr/local/lib/libpcsclite.1.dylib' (no such file)",
            True,
            LoadFailure.MISSING_DEPENDENCY,
        ),
        (
            f"dlopen({MAC_MODULE}, 0x0006): Symbol not found: _SCardEstablishContext\n"
            f"  Referenced from: {MAC_MODULE}",
            True,
            LoadFailure.MISSING_DEPENDENCY,
        ),
        (
            f"dlopen({MAC_MODULE}, 0x0006): tried: '{MAC_MODULE}' (not a mach-o file)",
            True,
            LoadFailure.NOT_PKCS11,
        ),
        (
            f"dlopen({MAC_MODULE}, 0x0006): tried: '{MAC_MODULE}' (no such file), "
            f"'/System/Volumes/Preboot/Cryptexes/OS{MAC_MODULE}' (no such file)",
            False,
            LoadFailure.FILE_MISSING,
        ),
        (
            f"dlopen({MAC_MODULE}, 0x0006): tried: '{MAC_MODULE}' (code signature in "
            f"<1D2E> '{MAC_MODULE}' not valid for use in process: mapping process and mapped "
            "file (non-platform) have different Team IDs)",
            True,
            LoadFailure.PERMISSION_DENIED,
        ),
    ],
    ids=["arch-new", "arch-old", "dependency", "symbol", "not-macho", "missing", "signature"],
)
def test_macos_messages(message: str, exists: bool, expected: LoadFailure) -> None:
    result = classify_load_failure(
        MAC_MODULE, message, binary=None, system="Darwin", exists=lambda path: exists
    )
    assert result is expected


def test_macos_missing_dependency_name() -> None:
    message = (
        f"dlopen({MAC_MODULE}, 0x0006): Library not loaded: @rpath/libpcsclite.1.dylib\n"
        f"  Referenced from: {MAC_MODULE}\n  Reason: image not found"
    )
    assert find_missing_dependency(message, module_path=MAC_MODULE) == "libpcsclite.1.dylib"


@pytest.mark.parametrize(
    ("message", "winerror", "exists", "expected"),
    [
        ("[WinError 126] The specified module could not be found", None, True,
         LoadFailure.MISSING_DEPENDENCY),
        ("[WinError 126] The specified module could not be found", None, False,
         LoadFailure.FILE_MISSING),
        (f"Could not find module '{WIN_MODULE}' (or one of its dependencies). Try using the "
         "full path with constructor syntax.", 126, True, LoadFailure.MISSING_DEPENDENCY),
        ("[WinError 193] %1 is not a valid Win32 application", None, True,
         LoadFailure.WRONG_ARCHITECTURE),
        ("%1 is not a valid Win32 application", 193, True, LoadFailure.WRONG_ARCHITECTURE),
        ("[WinError 5] Access is denied", None, True, LoadFailure.PERMISSION_DENIED),
        ("[WinError 127] The specified procedure could not be found", None, True,
         LoadFailure.MISSING_DEPENDENCY),
        ("[WinError 14001] The application has failed to start because its side-by-side "
         "configuration is incorrect", None, True, LoadFailure.MISSING_DEPENDENCY),
        ("[WinError 2] The system cannot find the file specified", None, False,
         LoadFailure.FILE_MISSING),
        ("[WinError 1114] A dynamic link library (DLL) initialization routine failed", None,
         True, LoadFailure.UNKNOWN),
    ],
)  # fmt: skip
def test_windows_messages(
    message: str, winerror: int | None, exists: bool, expected: LoadFailure
) -> None:
    result = classify_load_failure(
        WIN_MODULE,
        message,
        binary=None,
        winerror=winerror,
        system="Windows",
        arch="x86_64",
        exists=lambda path: exists,
    )
    assert result is expected
    assert find_missing_dependency(message) is None


def test_windows_header_decides_before_the_message() -> None:
    def classify(binary: BinaryInfo, code: int) -> LoadFailure:
        return classify_load_failure(
            WIN_MODULE,
            f"[WinError {code}] error",
            binary=binary,
            system="Windows",
            arch="x86_64",
            exists=lambda path: True,
        )

    dll32 = BinaryInfo("pe", frozenset({"x86"}), 32)
    dll64 = BinaryInfo("pe", frozenset({"x86_64"}), 64)
    exe64 = BinaryInfo("pe", frozenset({"x86_64"}), 64, shared_library=False)
    assert classify(dll32, 193) is LoadFailure.WRONG_ARCHITECTURE
    assert classify(dll32, 126) is LoadFailure.WRONG_ARCHITECTURE
    assert classify(dll64, 126) is LoadFailure.MISSING_DEPENDENCY
    assert classify(exe64, 193) is LoadFailure.NOT_PKCS11
    assert classify(UNKNOWN_BINARY, 193) is LoadFailure.NOT_PKCS11


def test_windows_dll_on_linux_is_wrong_architecture() -> None:
    dll64 = BinaryInfo("pe", frozenset({"x86_64"}), 64)
    result = classify_load_failure(
        "/home/u/akisp11.dll",
        "/home/u/akisp11.dll: invalid ELF header",
        binary=dll64,
        system="Linux",
        arch="x86_64",
    )
    assert result is LoadFailure.WRONG_ARCHITECTURE


GLIBC_MODULE = "/usr/lib/libakisp11.so"


@pytest.mark.parametrize(
    ("message", "expected", "dependency"),
    [
        ("libpcsclite.so.1: cannot open shared object file: No such file or directory",
         LoadFailure.MISSING_DEPENDENCY, "libpcsclite.so.1"),
        (f"{GLIBC_MODULE}: undefined symbol: SCardConnect",
         LoadFailure.MISSING_DEPENDENCY, None),
        ("/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found "
         f"(required by {GLIBC_MODULE})", LoadFailure.MISSING_DEPENDENCY, None),
        ("Error loading shared library libpcsclite.so.1: No such file or directory "
         f"(needed by {GLIBC_MODULE})", LoadFailure.MISSING_DEPENDENCY, "libpcsclite.so.1"),
        (f"{GLIBC_MODULE}: cannot open shared object file: Permission denied",
         LoadFailure.PERMISSION_DENIED, None),
        (f"{GLIBC_MODULE}: failed to map segment from shared object",
         LoadFailure.PERMISSION_DENIED, None),
        (f"{GLIBC_MODULE}: invalid ELF header", LoadFailure.NOT_PKCS11, None),
        (f"{GLIBC_MODULE}: cannot dynamically load position-independent executable",
         LoadFailure.NOT_PKCS11, None),
        (f"{GLIBC_MODULE}: wrong ELF class: ELFCLASS32", LoadFailure.WRONG_ARCHITECTURE, None),
        (f"{GLIBC_MODULE}: cannot open shared object file: No such file or directory",
         LoadFailure.WRONG_ARCHITECTURE, None),
        (f"{GLIBC_MODULE}: something nobody has seen before", LoadFailure.UNKNOWN, None),
    ],
)  # fmt: skip
def test_glibc_and_musl_messages(
    message: str, expected: LoadFailure, dependency: str | None
) -> None:
    result = classify_load_failure(
        GLIBC_MODULE, message, binary=None, system="Linux", exists=lambda path: True
    )
    assert result is expected
    assert find_missing_dependency(message, module_path=GLIBC_MODULE) == dependency


def test_unreadable_file_without_message_is_missing_or_unknown() -> None:
    assert classify_load_failure("/x.so", "", binary=None, exists=lambda p: False) is (
        LoadFailure.FILE_MISSING
    )
    assert classify_load_failure("/x.so", "", binary=None, exists=lambda p: True) is (
        LoadFailure.UNKNOWN
    )
