"""The PKCS#11 module catalogue: validation, candidates, quirks."""

from __future__ import annotations

import copy
import json
import os
import platform
import struct
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from signer_app.errors import ConfigError
from signer_app.token.catalogue import (
    PLATFORM_KEYS,
    Catalogue,
    ModuleQuirks,
    ModuleSource,
    expand_path,
    load_catalogue,
    parse_catalogue,
    platform_key,
)

WINDOWS_ENV = {
    "SYSTEMROOT": r"C:\Windows",
    "ProgramFiles": r"C:\Program Files",
    "ProgramFiles(x86)": r"C:\Program Files (x86)",
}
AKIS_QUIRKS = ModuleQuirks(null_initialize_args=True, enumerate_all_slots=True)


def shipped_document() -> dict[str, Any]:
    text = resources.files("signer_app.token").joinpath("catalogue.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def nothing_exists(path: str) -> bool:
    return False


@pytest.fixture
def catalogue() -> Catalogue:
    return load_catalogue()


# --- loading and validation ------------------------------------------------


def test_shipped_catalogue_loads_and_is_cached(catalogue: Catalogue) -> None:
    assert catalogue.version == 1
    assert load_catalogue() is catalogue
    ids = [entry.id for entry in catalogue.entries]
    assert ids[0] == "akis"
    assert {"akis", "etoken", "safesign", "idprime", "opensc", "softhsm2"} <= set(ids)


def test_only_akis_is_default(catalogue: Catalogue) -> None:
    defaults = [entry.id for entry in catalogue.entries if entry.default]
    assert defaults == ["akis"]
    assert catalogue.default is catalogue.get("akis")


def test_akis_entry_carries_quirks_and_hints(catalogue: Catalogue) -> None:
    akis = catalogue.get("akis")
    assert akis is not None
    assert akis.purpose == "seal"
    assert akis.quirks == AKIS_QUIRKS
    assert "akiskart.bilgem.tubitak.gov.tr" in (akis.hint("tr") or "")
    assert akis.hint("en") is not None
    assert akis.hint("de") == akis.hint("en")
    assert "libakisp11.so" in akis.file_names
    assert "akisp11.dll" in akis.file_names


def test_every_entry_lists_only_known_platforms(catalogue: Catalogue) -> None:
    for entry in catalogue.entries:
        assert set(entry.locations) <= set(PLATFORM_KEYS)
    softhsm = catalogue.get("softhsm2")
    assert softhsm is not None and softhsm.purpose == "development"
    assert catalogue.get("opensc") is not None
    assert catalogue.get("nonexistent") is None


def test_parse_shipped_document_equals_loaded(catalogue: Catalogue) -> None:
    assert parse_catalogue(shipped_document()) == catalogue


def _broken(mutate: Any) -> dict[str, Any]:
    document = copy.deepcopy(shipped_document())
    mutate(document)
    return document


BAD_DOCUMENTS: dict[str, Any] = {
    "not an object": [],
    "wrong format": _broken(lambda d: d.update(format="something-else")),
    "future version": _broken(lambda d: d.update(version=2)),
    "bool version": _broken(lambda d: d.update(version=True)),
    "unknown top key": _broken(lambda d: d.update(extra=1)),
    "missing modules": _broken(lambda d: d.pop("modules")),
    "empty modules": _broken(lambda d: d.update(modules=[])),
    "entry not object": _broken(lambda d: d["modules"].append("akis")),
    "entry missing id": _broken(lambda d: d["modules"][0].pop("id")),
    "entry unknown key": _broken(lambda d: d["modules"][0].update(colour="red")),
    "bad id": _broken(lambda d: d["modules"][0].update(id="AKIS!")),
    "duplicate id": _broken(lambda d: d["modules"][1].update(id="akis")),
    "empty name": _broken(lambda d: d["modules"][0].update(name=" ")),
    "bad purpose": _broken(lambda d: d["modules"][0].update(purpose="fun")),
    "default not bool": _broken(lambda d: d["modules"][0].update(default="yes")),
    "two defaults": _broken(lambda d: d["modules"][1].update(default=True)),
    "unknown platform": _broken(lambda d: d["modules"][0]["locations"].update({"linux-x64": []})),
    "paths not list": _broken(
        lambda d: d["modules"][0]["locations"].update({"linux-x86_64": "/usr/lib/x.so"})
    ),
    "path not string": _broken(
        lambda d: d["modules"][0]["locations"].update({"linux-x86_64": [42]})
    ),
    "duplicate path": _broken(
        lambda d: d["modules"][0]["locations"].update({"linux-x86_64": ["/a.so", "/a.so"]})
    ),
    "unknown quirk": _broken(lambda d: d["modules"][0]["quirks"].update(fast=True)),
    "quirk not bool": _broken(lambda d: d["modules"][0]["quirks"].update(null_initialize_args=1)),
    "quirks missing": _broken(lambda d: d["modules"][0].pop("quirks")),
    "hint language": _broken(lambda d: d["modules"][0]["hints"].update(Turkish="x")),
    "hint empty": _broken(lambda d: d["modules"][0]["hints"].update(tr="")),
}


@pytest.mark.parametrize("name", sorted(BAD_DOCUMENTS))
def test_malformed_catalogue_is_a_config_error(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_catalogue(BAD_DOCUMENTS[name])
    assert "catalogue" in str(caught.value)
    assert "where" in caught.value.context


def test_minimal_entry_defaults() -> None:
    catalogue = parse_catalogue(
        {
            "format": "signer-app-pkcs11-catalogue",
            "version": 1,
            "modules": [
                {
                    "id": "x",
                    "name": "X",
                    "vendor": "V",
                    "purpose": "generic",
                    "default": False,
                    "locations": {},
                    "quirks": {},
                }
            ],
        }
    )
    (entry,) = catalogue.entries
    assert entry.quirks == ModuleQuirks()
    assert entry.hints == {}
    assert entry.hint("tr") is None
    assert catalogue.default is None
    assert catalogue.candidates(platform="linux-x86_64", exists=nothing_exists) == []


# --- platform keys ---------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "machine", "bits", "expected"),
    [
        ("Windows", "AMD64", None, "windows-x86_64"),
        ("Windows", "AMD64", 32, "windows-x86"),
        ("Windows", "x86", None, "windows-x86"),
        ("Windows", "ARM64", None, "windows-arm64"),
        ("Windows", "ARM64", 32, "windows-x86"),
        ("Linux", "x86_64", None, "linux-x86_64"),
        ("Linux", "aarch64", None, "linux-aarch64"),
        ("Linux", "arm64", None, "linux-aarch64"),
        ("Darwin", "x86_64", None, "macos-x86_64"),
        ("Darwin", "arm64", None, "macos-arm64"),
        ("FreeBSD", "amd64", None, "freebsd-x86_64"),
    ],
)
def test_platform_key(system: str, machine: str, bits: int | None, expected: str) -> None:
    assert platform_key(system, machine, bits=bits) == expected


def test_platform_key_of_running_process() -> None:
    bits = struct.calcsize("P") * 8
    assert platform_key() == platform_key(platform.system(), platform.machine(), bits=bits)


# --- expansion -------------------------------------------------------------


def test_expand_path_styles() -> None:
    env = {**WINDOWS_ENV, "HOME": "/home/u", "PREFIX": "/opt/x"}
    assert expand_path(r"%SystemRoot%\System32\akisp11.dll", env) == (
        r"C:\Windows\System32\akisp11.dll"
    )
    assert expand_path(r"%PROGRAMFILES(X86)%\a.dll", env) == r"C:\Program Files (x86)\a.dll"
    assert expand_path("$PREFIX/lib/a.so", env) == "/opt/x/lib/a.so"
    assert expand_path("${PREFIX}/lib/a.so", env) == "/opt/x/lib/a.so"
    assert expand_path("~/lib/a.so", env) == "/home/u/lib/a.so"
    assert expand_path("%NOPE%/a.so", env) == "%NOPE%/a.so"
    assert expand_path("$NOPE/a.so", env) == "$NOPE/a.so"
    assert expand_path("$prefix/a.so", env) == "$prefix/a.so"
    assert expand_path("%prefix%/a.so", env) == "/opt/x/a.so"
    assert expand_path("/plain/a.so", env) == "/plain/a.so"


# --- candidates ------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORM_KEYS)
def test_candidates_per_platform_put_akis_first(catalogue: Catalogue, platform: str) -> None:
    found = catalogue.candidates(platform=platform, exists=nothing_exists, environ=WINDOWS_ENV)
    assert found, platform
    first = found[0]
    assert first.entry is not None and first.entry.id == "akis"
    assert first.entry.default
    assert first.quirks == AKIS_QUIRKS
    assert first.source is ModuleSource.CATALOGUE
    assert all(not candidate.exists for candidate in found)
    assert all("%" not in candidate.path for candidate in found)
    paths = [candidate.path for candidate in found]
    assert len(paths) == len(set(paths))


def test_windows_candidates_expand_variables(catalogue: Catalogue) -> None:
    found = catalogue.candidates(
        platform="windows-x86_64", exists=nothing_exists, environ=WINDOWS_ENV
    )
    paths = [candidate.path for candidate in found]
    assert paths[0] == r"C:\Windows\System32\akisp11.dll"
    assert r"C:\Windows\System32\eTPKCS11.dll" in paths
    assert r"C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll" in paths
    assert r"C:\Program Files\SoftHSM2\lib\softhsm2-x64.dll" in paths
    idprime = [c.path for c in found if c.entry is not None and c.entry.id == "idprime"]
    assert idprime[0].endswith("idprimepkcs1164.dll")
    x86 = catalogue.candidates(platform="windows-x86", exists=nothing_exists, environ=WINDOWS_ENV)
    assert r"C:\Windows\System32\idprimepkcs1164.dll" not in [c.path for c in x86]


def test_linux_and_macos_candidates(catalogue: Catalogue) -> None:
    linux = [c.path for c in catalogue.candidates(platform="linux-x86_64", exists=nothing_exists)]
    assert linux[:2] == ["/usr/lib/libakisp11.so", "/opt/Akia/libakisp11.so"]
    assert "/usr/lib/libeTPkcs11.so" in linux
    assert "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so" in linux
    arm = [c.path for c in catalogue.candidates(platform="linux-aarch64", exists=nothing_exists)]
    assert "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so" in arm
    assert not any("x86_64" in path for path in arm)
    mac = [c.path for c in catalogue.candidates(platform="macos-arm64", exists=nothing_exists)]
    assert mac[0] == "/usr/local/lib/libakisp11.dylib"
    assert "/opt/homebrew/lib/softhsm/libsofthsm2.so" in mac
    assert "/Library/Frameworks/eToken.framework/Versions/Current/libeToken.dylib" in mac


def test_exists_is_reported_per_path(catalogue: Catalogue) -> None:
    present = {"/opt/Akia/libakisp11.so"}
    found = catalogue.candidates(platform="linux-x86_64", exists=present.__contains__)
    assert [c.path for c in found if c.exists] == ["/opt/Akia/libakisp11.so"]
    assert len(found) > 1


def test_extra_paths_come_first_in_order_and_deduplicated(catalogue: Catalogue) -> None:
    extra = [
        ("/cli/libakisp11.so", ModuleSource.COMMAND_LINE),
        ("/home/u/vendor/libweird.so", ModuleSource.USER),
        ("  ", ModuleSource.USER),
        ("/usr/lib/libakisp11.so", ModuleSource.POLICY),
        ("/cli/../cli/libakisp11.so", ModuleSource.BROWSED),
    ]
    found = catalogue.candidates(platform="linux-x86_64", extra=extra, exists=nothing_exists)
    assert [(c.path, c.source) for c in found[:3]] == [
        ("/cli/libakisp11.so", ModuleSource.COMMAND_LINE),
        ("/home/u/vendor/libweird.so", ModuleSource.USER),
        ("/usr/lib/libakisp11.so", ModuleSource.POLICY),
    ]
    # The catalogue's own copy of the policy path is not listed a second time.
    paths = [c.path for c in found]
    assert paths.count("/usr/lib/libakisp11.so") == 1
    assert "/cli/../cli/libakisp11.so" not in paths
    assert found[3].path == "/opt/Akia/libakisp11.so"
    # A user path for a known driver file gets the driver's entry and quirks.
    assert found[0].entry is catalogue.get("akis")
    assert found[0].quirks == AKIS_QUIRKS
    assert found[0].display_name == "AKİS (Kamu SM / TÜBİTAK)"
    assert found[1].entry is None
    assert found[1].quirks == ModuleQuirks()
    assert found[1].display_name == "libweird.so"


def test_extra_paths_are_expanded(catalogue: Catalogue) -> None:
    env = {"HOME": "/home/u", "VENDOR": "/opt/v"}
    found = catalogue.candidates(
        platform="linux-x86_64",
        extra=[("~/x/libeToken.so", ModuleSource.USER), ("$VENDOR/a.so", ModuleSource.POLICY)],
        exists=nothing_exists,
        environ=env,
    )
    assert found[0].path == "/home/u/x/libeToken.so"
    assert found[0].entry is catalogue.get("etoken")
    assert found[1].path == "/opt/v/a.so"


def test_windows_duplicates_ignore_case_and_separators(catalogue: Catalogue) -> None:
    found = catalogue.candidates(
        platform="windows-x86_64",
        extra=[("c:/windows/system32/AKISP11.DLL", ModuleSource.USER)],
        exists=nothing_exists,
        environ=WINDOWS_ENV,
    )
    akis = [c for c in found if c.entry is not None and c.entry.id == "akis"]
    assert len(akis) == 1
    assert akis[0].source is ModuleSource.USER


def test_symlinked_duplicates_collapse(catalogue: Catalogue, tmp_path: Path) -> None:
    real = tmp_path / "real" / "libakisp11.so"
    real.parent.mkdir()
    real.write_bytes(b"")
    link = tmp_path / "link.so"
    link.symlink_to(real)
    found = catalogue.candidates(
        platform="linux-x86_64",
        extra=[(str(link), ModuleSource.USER), (str(real), ModuleSource.POLICY)],
    )
    assert [c.path for c in found[:1]] == [str(link)]
    assert str(real) not in [c.path for c in found]
    assert found[0].exists


def test_real_softhsm_symlink_listed_once(catalogue: Catalogue) -> None:
    if not os.path.isfile("/usr/lib/softhsm/libsofthsm2.so"):
        pytest.skip("SoftHSM2 is not installed")
    found = catalogue.candidates(platform=platform_key())
    existing = [c for c in found if c.exists and c.entry is catalogue.get("softhsm2")]
    assert len(existing) == 1


# --- quirks ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/usr/lib/libakisp11.so",
        "/somewhere/else/libakisp11.so",
        r"D:\drivers\AKISP11.dll",
        "%SystemRoot%\\System32\\akisp11.dll",
        "/usr/local/lib/libakisp11.dylib",
    ],
)
def test_quirks_for_akis_by_path_or_name(catalogue: Catalogue, path: str) -> None:
    assert catalogue.quirks_for(path, environ=WINDOWS_ENV) == AKIS_QUIRKS


@pytest.mark.parametrize(
    "path",
    ["/usr/lib/libeTPkcs11.so", "/x/opensc-pkcs11.so", "/x/libunknown.so", "/x/akisp11.so.bak"],
)
def test_quirks_for_other_modules_are_none(catalogue: Catalogue, path: str) -> None:
    assert catalogue.quirks_for(path) == ModuleQuirks()


def test_entry_for_matches_by_path_before_name(catalogue: Catalogue) -> None:
    assert catalogue.entry_for("/usr/lib/libeToken.so") is catalogue.get("etoken")
    assert catalogue.entry_for(r"C:\Windows\System32\aetpkss1.dll") is catalogue.get("safesign")
    assert catalogue.entry_for("/nowhere/libnothing.so") is None


def test_catalogue_objects_are_hashable(catalogue: Catalogue) -> None:
    found = catalogue.candidates(platform="linux-x86_64", exists=nothing_exists)
    assert len(set(found)) == len(found)
