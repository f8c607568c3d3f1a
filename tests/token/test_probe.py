"""Probing modules: each outcome shown with a real file, loaded in the token host."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from signer_app.testpki.manifest import Manifest
from signer_app.token.catalogue import ModuleSource
from signer_app.token.probe import ProbeOutcome
from signer_app.token.service import TokenService
from tests.support.clibs import build_library

pytestmark = pytest.mark.softhsm

Factory = Callable[..., TokenService]


def test_softhsm_loads_with_its_tokens_and_certificates(
    softhsm: Manifest, make_service: Factory
) -> None:
    result = make_service().probe(softhsm.module_path)
    assert result.outcome is ProbeOutcome.LOADED
    assert result.module_info["manufacturer"] == "SoftHSM"
    # SoftHSM always adds one empty, uninitialised token.
    assert result.token_count == len(softhsm.tokens) + 1
    assert result.certificate_count == sum(len(t.objects) for t in softhsm.tokens)
    assert result.binary is not None and result.binary.format == "elf"


def test_missing_file(make_service: Factory, tmp_path: Path) -> None:
    assert (
        make_service().probe(str(tmp_path / "libakisp11.so")).outcome is ProbeOutcome.FILE_MISSING
    )


def test_text_file_is_not_a_pkcs11_library(make_service: Factory, tmp_path: Path) -> None:
    fake = tmp_path / "libakisp11.so"
    fake.write_text("bu bir kütüphane değil\n")
    assert make_service().probe(str(fake)).outcome is ProbeOutcome.NOT_PKCS11


def test_library_without_pkcs11_entry_point(make_service: Factory, tmp_path: Path) -> None:
    plain = build_library(tmp_path, "libplain.so", "int other(void) { return 0; }\n")
    assert make_service().probe(str(plain)).outcome is ProbeOutcome.NOT_PKCS11


def test_missing_dependency_is_named(make_service: Factory, tmp_path: Path) -> None:
    build_library(tmp_path, "libakisdep.so", "int akis_dep(void) { return 1; }\n")
    module = build_library(
        tmp_path,
        "libakisp11.so",
        "int akis_dep(void);\nint C_GetFunctionList(void **l) { *l = 0; return akis_dep(); }\n",
        f"-L{tmp_path}",
        "-lakisdep",
        f"-Wl,-rpath,{tmp_path}",
    )
    (tmp_path / "libakisdep.so").unlink()
    result = make_service().probe(str(module))
    assert result.outcome is ProbeOutcome.MISSING_DEPENDENCY
    assert result.missing_dependency == "libakisdep.so"


def test_32_bit_module_is_the_wrong_architecture(
    softhsm: Manifest, make_service: Factory, tmp_path: Path
) -> None:
    module = tmp_path / "libakisp11.so"
    data = bytearray(Path(softhsm.module_path).read_bytes()[:4096])
    data[4] = 1  # EI_CLASS: ELFCLASS32
    module.write_bytes(bytes(data))
    result = make_service().probe(str(module))
    assert result.outcome is ProbeOutcome.WRONG_ARCHITECTURE


@pytest.mark.skipif(
    shutil.which("pcscd") is not None and Path("/run/pcscd/pcscd.comm").exists(),
    reason="a running PC/SC daemon may have readers",
)
def test_opensc_without_readers_has_no_slots(make_service: Factory) -> None:
    path = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
    if not Path(path).exists():
        pytest.skip("OpenSC's PKCS#11 module is not installed")
    assert make_service().probe(path).outcome is ProbeOutcome.NO_SLOTS


def test_probe_all_lists_catalogue_modules_and_added_ones(
    softhsm: Manifest, make_service: Factory, tmp_path: Path
) -> None:
    service = make_service()
    browsed = tmp_path / "libfoo.so"
    service.add_module(str(browsed))
    results = {c.path: (c, r) for c, r in service.probe_all()}
    assert results[str(browsed)][0].source is ModuleSource.BROWSED
    assert results[str(browsed)][1].outcome is ProbeOutcome.FILE_MISSING
    loaded = [r for _, r in results.values() if r.outcome is ProbeOutcome.LOADED]
    assert any(r.module_info.get("manufacturer") == "SoftHSM" for r in loaded)
    first_catalogue = next(c for c, _ in results.values() if c.source is ModuleSource.CATALOGUE)
    assert first_catalogue.entry is not None and first_catalogue.entry.id == "akis"
