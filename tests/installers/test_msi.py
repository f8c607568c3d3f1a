"""The Windows MSI (``installers/windows``): its tables, then a real silent install under Wine.

The MSI is built with ``build-msi.sh`` (msitools' wixl plus msibuild fix-ups)
from a staged folder holding a TEST PAYLOAD, not the signing client: a real
Windows bundle of the program needs PyInstaller on Windows. The payload is a
small Windows console program (``msi_payload.c``, compiled with mingw-w64)
installed as ``signer-app.exe``; run under Wine it reports its command line
and what it reads from ``HKLM\\Software\\SignerApp\\SignerApp``, so the file
association and the installer properties are checked by running it, beside
copies of the program's data files.

The Wine part shares one prefix for the module (``wineboot`` once): a silent
install with properties, then an upgrade keeping them, an upgrade replacing
one, a blocked downgrade and an uninstall. Wine's msiexec differs from
Windows in two ways the tests allow for: it puts per-machine shortcuts in the
installing user's folders, and its exit status is the low byte of
Windows Installer's (1603 shows as 67).

Tools (Debian): wixl msitools wine wine64 gcc-mingw-w64-x86-64 faketime
(and shellcheck); a test whose tool is missing is skipped, except on CI.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from types import ModuleType
from typing import Final

import pytest

from signer_app.config import KNOWN_KEYS, WINDOWS_DEFAULTS_KEY, WINDOWS_POLICY_KEY, Settings
from tests.support import tools

pytestmark = pytest.mark.msi

ROOT: Final = Path(__file__).resolve().parents[2]
WINDOWS: Final = ROOT / "installers" / "windows"
BUILD_SH: Final = WINDOWS / "build-msi.sh"
WXS: Final = WINDOWS / "signer-app.wxs"
POLICY: Final = WINDOWS / "policy"
ICONS: Final = ROOT / "installers" / "icons"
PAYLOAD_C: Final = Path(__file__).with_name("msi_payload.c")

INSTALL_DIR: Final = r"C:\Program Files\Hizmet Aktivasyon"
EXE: Final = rf"{INSTALL_DIR}\signer-app.exe"
PROG_ID: Final = "SignerApp.Aktivasyon.1"
SHORTCUT: Final = "Hizmet Aktivasyon.lnk"
INSTALLER_KEY: Final = r"Software\SignerApp\Installer"
UNINSTALL_KEY: Final = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall"
#: Public property -> the program setting it becomes (config.py's key).
SETTING_PROPERTIES: Final = {
    "PORTAL_URL": "portal.url",
    "TRUSTED_PORTALS": "portal.trusted_hosts",
    "PKCS11_MODULE": "pkcs11.default_module",
    "LANGUAGE": "language",
    "LOG_LEVEL": "log_level",
}
PUBLIC_PROPERTIES: Final = (*SETTING_PROPERTIES, "DESKTOP_SHORTCUT")
#: msiexec's failure (ERROR_INSTALL_FAILURE) and what Wine's exit status makes of it.
INSTALL_FAILURE: Final = (1603, 1603 & 0xFF)
PD_NS: Final = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"

FIRST_INSTALL: Final = {
    "PORTAL_URL": "https://portal.example.com/api/v1/",
    "TRUSTED_PORTALS": "portal.example.com;*.yedek.example:8443",
    # Spaces and a Turkish letter: the value must reach the registry intact.
    "PKCS11_MODULE": r"C:\Program Files\Kart Üreticisi\akış p11.dll",
    "LANGUAGE": "en",
    "LOG_LEVEL": "WARNING",
    "DESKTOP_SHORTCUT": "1",
}


def _load_msi_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("msi_tool", WINDOWS / "msi_tool.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


msi_tool: Final = _load_msi_tool()


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


#: The Debian packages of the tools below (scripts/setup.sh installs them).
PACKAGES = "wixl msitools wine wine64 gcc-mingw-w64-x86-64 faketime"


def need(tool: str) -> str:
    """Return the path of *tool* (see :func:`tests.support.tools.need`)."""
    return tools.need(tool, PACKAGES)


def run(
    args: list[str],
    env: dict[str, str] | None = None,
    *,
    check: bool = True,
    timeout: int = 120,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """:func:`tests.support.tools.run` with the longer limit Wine needs."""
    return tools.run(args, env, check=check, timeout=timeout, cwd=cwd)


def write_icon(path: Path, colour: bytes) -> None:
    """Write a 16×16 32-bit ICO (used only when installers/icons has none yet)."""
    width = height = 16
    header = struct.pack("<IiiHHIIiiII", 40, width, height * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    image = header + colour * (width * height) + bytes(4 * height)  # pixels + AND mask
    entry = struct.pack("<BBBBHHII", width, height, 0, 0, 1, 32, len(image), 6 + 16)
    path.write_bytes(struct.pack("<HHH", 0, 1, 1) + entry + image)


def table(msi: Path, name: str) -> list[list[str]]:
    """The rows of one table, as ``msiinfo export`` writes them (after its 3 header lines)."""
    # Binary columns (Icon, Binary) are written as files into a folder named
    # after the table, in the current folder: keep them beside the MSI.
    lines = run(["msiinfo", "export", str(msi), name], cwd=msi.parent).stdout.splitlines()
    return [line.split("\t") for line in lines[3:] if line]


def rows_by_key(msi: Path, name: str) -> dict[str, list[str]]:
    return {row[0]: row for row in table(msi, name)}


def setting_key(registry_key: str, value_name: str, base: str) -> str:
    """The setting a registry value is read as (config._registry_values' mapping)."""
    assert registry_key.lower().startswith(base.lower()), registry_key
    subkeys = [part for part in registry_key[len(base) :].split("\\") if part]
    return ".".join([*subkeys, value_name]).lower()


def windows_path(path: Path) -> str:
    # Wine maps the Unix root to drive Z:.
    return "Z:" + str(path).replace("/", "\\")


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    """The staged test bundle, the icons and the MSIs built from them."""

    stage: Path
    icon: Path
    document_icon: Path
    msis: dict[str, Path]

    def build(self, version: str, out: Path, stage: Path | None = None) -> Path:
        run(
            [
                "bash",
                str(BUILD_SH),
                "--version",
                version,
                "--icon",
                str(self.icon),
                "--document-icon",
                str(self.document_icon),
                str(stage or self.stage),
                str(out),
            ]
        )
        return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Stage the test payload with the program's data files and build 0.1.0, 0.2.0, 0.3.0."""
    for tool in ("wixl", "msibuild", "msiinfo", "x86_64-w64-mingw32-gcc", "python3"):
        need(tool)
    root = tmp_path_factory.mktemp("msi")
    stage = root / "stage"
    stage.mkdir()
    run(
        [
            "x86_64-w64-mingw32-gcc",
            "-municode",
            "-O2",
            "-s",
            "-Wall",
            "-o",
            str(stage / "signer-app.exe"),
            str(PAYLOAD_C),
        ]
    )
    # The data files a PyInstaller bundle carries, where it puts them.
    package = ROOT / "signer_app"
    data = [
        package / "token" / "catalogue.json",
        package / "portal_api" / "openapi.yaml",
        *sorted((package / "ui" / "i18n").glob("*.qm")),
    ]
    for source in data:
        target = stage / "_internal" / source.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    icon = ICONS / "signer-app.ico"
    document_icon = ICONS / "signer-app-document.ico"
    if not icon.is_file() or not document_icon.is_file():
        # Not committed: a stand-in while installers/icons has no .ico yet.
        icon, document_icon = root / "app.ico", root / "document.ico"
        write_icon(icon, b"\x80\x40\x00\xff")
        write_icon(document_icon, b"\x00\x40\x80\xff")
    result = Build(stage, icon, document_icon, {})
    for version in ("0.1.0", "0.2.0", "0.3.0"):
        result.msis[version] = result.build(version, root / f"signer-app-{version}.msi")
    return result


def test_build_is_reproducible(built: Build, tmp_path: Path) -> None:
    # Another copy of the bundle, at another path, with other file times.
    other = tmp_path / "elsewhere" / "bundle"
    shutil.copytree(built.stage, other)
    for path in other.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    again = built.build("0.1.0", tmp_path / "again.msi", stage=other)
    first = built.msis["0.1.0"]
    if shutil.which("faketime"):
        assert again.read_bytes() == first.read_bytes()
        return
    # Without faketime only the summary information's two timestamps differ.
    tables = run(["msiinfo", "tables", str(first)]).stdout.split()
    for name in tables:
        if name != "_SummaryInformation":
            assert table(again, name) == table(first, name), name


def test_product_and_upgrade_tables(built: Build) -> None:
    msi = built.msis["0.2.0"]
    properties = {row[0]: row[1] for row in table(msi, "Property")}
    upgrade_code = "{" + str(msi_tool.UPGRADE_CODE).upper() + "}"
    assert properties["UpgradeCode"] == upgrade_code
    assert properties["ProductCode"] == msi_tool.product_code("0.2.0")
    assert properties["ProductVersion"] == "0.2.0"
    assert properties["ALLUSERS"] == "1"  # per-machine
    assert properties["ProductName"] == "Hizmet Aktivasyon"
    assert properties["ARPPRODUCTICON"] in rows_by_key(msi, "Icon")
    secure = set(properties["SecureCustomProperties"].split(";"))
    assert secure >= {*PUBLIC_PROPERTIES, *(f"{p}_SAVED" for p in PUBLIC_PROPERTIES)}
    # Each version is its own product; the UpgradeCode ties them together.
    assert len({msi_tool.product_code(v) for v in built.msis}) == len(built.msis)

    upgrade = table(msi, "Upgrade")
    # UpgradeCode, VersionMin, VersionMax, Language, Attributes, Remove, ActionProperty
    assert [upgrade_code, "", "0.2.0", "", "1", "", "WIX_UPGRADE_DETECTED"] in upgrade
    assert [upgrade_code, "0.2.0", "", "", "2", "", "WIX_DOWNGRADE_DETECTED"] in upgrade
    conditions = {row[0]: row[1] for row in table(msi, "LaunchCondition")}
    assert "newer version" in conditions["NOT WIX_DOWNGRADE_DETECTED"]
    sequence = {row[0]: int(row[2]) for row in table(msi, "InstallExecuteSequence")}
    # The old product is removed before anything is installed.
    assert sequence["InstallValidate"] < sequence["RemoveExistingProducts"]
    assert sequence["RemoveExistingProducts"] < sequence["InstallInitialize"]

    summary = run(["msiinfo", "suminfo", str(msi)]).stdout
    assert "Template: x64;1055" in summary


def test_properties_are_stored_where_the_program_reads_them(built: Build) -> None:
    msi = built.msis["0.1.0"]
    registry = table(msi, "Registry")
    components = rows_by_key(msi, "Component")
    stored: dict[str, str] = {}
    for _, root, key, name, value, component in registry:
        match = re.fullmatch(r"\[([A-Z0-9_]+)\]", value)
        if match and match.group(1) in SETTING_PROPERTIES:
            assert root == "2"  # HKLM
            stored[match.group(1)] = setting_key(key, name, WINDOWS_DEFAULTS_KEY)
            # Written only when given, in the 64-bit view (256) with the value as key path (4).
            assert components[component][4] == match.group(1)
            assert int(components[component][3]) & 256
    assert stored == SETTING_PROPERTIES
    assert set(stored.values()) <= KNOWN_KEYS

    # Remember-property pattern: AppSearch reads each stored value into
    # <NAME>_SAVED, and a type-51 action copies it only when <NAME> was not given.
    locators = rows_by_key(msi, "RegLocator")
    app_search = {row[0]: row[1] for row in table(msi, "AppSearch")}
    actions = rows_by_key(msi, "CustomAction")
    for sequence_table in ("InstallExecuteSequence", "InstallUISequence"):
        steps = {row[0]: (row[1], int(row[2])) for row in table(msi, sequence_table)}
        for prop in PUBLIC_PROPERTIES:
            restore = next(a for a, row in actions.items() if row[2] == prop)
            assert actions[restore][1] == "51"
            assert actions[restore][3] == f"[{prop}_SAVED]"
            condition, number = steps[restore]
            assert condition == f"{prop}_SAVED AND NOT {prop}"
            assert steps["AppSearch"][1] < number < steps["LaunchConditions"][1]
    for prop, setting in SETTING_PROPERTIES.items():
        _, root, key, name, kind = locators[app_search[f"{prop}_SAVED"]]
        assert (root, kind) == ("2", "18")  # HKLM, raw value (2) + 64-bit (16)
        assert setting_key(key, name, WINDOWS_DEFAULTS_KEY) == setting
    _, _, key, name, _ = locators[app_search["DESKTOP_SHORTCUT_SAVED"]]
    assert (key, name) == (INSTALLER_KEY, "desktop_shortcut")

    conditions = {row[0] for row in table(msi, "LaunchCondition")}
    assert 'NOT LANGUAGE OR LANGUAGE ~= "tr" OR LANGUAGE ~= "en"' in conditions


def test_file_type_and_shortcut_tables(built: Build) -> None:
    msi = built.msis["0.1.0"]
    values = {
        (key, name): value
        for _, root, key, name, value, _ in table(msi, "Registry")
        if root == "2" and key.startswith("Software\\Classes\\")
    }
    classes = "Software\\Classes\\"
    assert values[(f"{classes}.aktivasyon", "")] == PROG_ID
    assert values[(f"{classes}.aktivasyon\\OpenWithProgids", PROG_ID)] == ""
    assert values[(f"{classes}{PROG_ID}\\shell\\open\\command", "")] == '"[#SignerAppExe]" "%1"'
    assert values[(f"{classes}{PROG_ID}\\DefaultIcon", "")] == '"[#SignerAppDocumentIco]",0'
    files = rows_by_key(msi, "File")
    assert files["SignerAppExe"][2] == "signer-app.exe"
    assert files["SignerAppDocumentIco"][2] == "signer-app-document.ico"

    shortcuts = rows_by_key(msi, "Shortcut")
    components = rows_by_key(msi, "Component")
    start, desktop = shortcuts["StartMenuShortcut"], shortcuts["DesktopShortcut"]
    assert start[1] == "ProgramMenuFolder"
    assert desktop[1] == "DesktopFolder"
    for row in (start, desktop):
        assert row[4] == "[#SignerAppExe]"
        assert row[8] in rows_by_key(msi, "Icon")
    assert components[start[3]][4] == ""
    assert components[desktop[3]][4] == 'DESKTOP_SHORTCUT = "1"'
    # No custom action but the six type-51 property copies: nothing runs code.
    assert {row[1] for row in table(msi, "CustomAction")} == {"51"}


def test_wxs_conditions_reach_the_wixl_build(built: Build) -> None:
    # The fix-ups are derived from the .wxs: every Component/Condition and
    # launch condition that wixl cannot compile must be in the built tables.
    msi = built.msis["0.1.0"]
    components = rows_by_key(msi, "Component")
    launch = {row[0] for row in table(msi, "LaunchCondition")}
    root = ET.parse(WXS).getroot()
    ns = msi_tool.WIX_NS
    for component in root.iter(f"{ns}Component"):
        condition = component.find(f"{ns}Condition")
        expected = condition.text.strip() if condition is not None and condition.text else ""
        assert components[component.attrib["Id"]][4] == expected
    for condition in root.iter(f"{ns}Condition"):
        if "Message" in condition.attrib:
            assert (condition.text or "").strip() in launch
    registry = rows_by_key(msi, "Registry")
    assert registry["RegRemoveVendorKey"][2:4] == ["Software\\SignerApp", "*"]


# ---------------------------------------------------------------------------
# The ADMX/ADML template
# ---------------------------------------------------------------------------


def test_policy_template_maps_to_program_settings() -> None:
    admx = ET.parse(POLICY / "SignerApp.admx").getroot()
    strings_used: set[str] = set()
    presentations_used: dict[str, set[str]] = {}
    settings: dict[str, str] = {}
    for element in admx.iter():
        for attribute in element.attrib.values():
            strings_used.update(re.findall(r"\$\(string\.(\w+)\)", attribute))
    for policy in admx.iter(f"{PD_NS}policy"):
        assert policy.attrib["class"] == "Machine"
        key = policy.attrib["key"]
        assert key.lower().startswith(WINDOWS_POLICY_KEY.lower())
        presentation = re.fullmatch(r"\$\(presentation\.(\w+)\)", policy.attrib["presentation"])
        assert presentation is not None
        elements = policy.find(f"{PD_NS}elements")
        assert elements is not None
        presentations_used[presentation.group(1)] = {e.attrib["id"] for e in elements}
        for element in elements:
            setting = setting_key(
                element.attrib.get("key", key), element.attrib["valueName"], WINDOWS_POLICY_KEY
            )
            settings[policy.attrib["name"]] = setting
            # Every choice offered must be a value the program accepts.
            for value in element.iter(f"{PD_NS}string"):
                Settings.from_flat({setting: value.text})
    # The same settings as the MSI's properties.
    assert sorted(settings.values()) == sorted(SETTING_PROPERTIES.values())

    languages = sorted(p.name for p in POLICY.iterdir() if p.is_dir())
    assert languages == ["en-US", "tr-TR"]
    for language in languages:
        adml = ET.parse(POLICY / language / "SignerApp.adml").getroot()
        strings = {s.attrib["id"] for s in adml.iter(f"{PD_NS}string") if "id" in s.attrib}
        assert strings_used <= strings, (language, strings_used - strings)
        presentations = {p.attrib["id"]: p for p in adml.iter(f"{PD_NS}presentation")}
        assert set(presentations) == set(presentations_used), language
        for name, element_ids in presentations_used.items():
            refs = {child.attrib["refId"] for child in presentations[name]}
            assert refs == element_ids, (language, name)


# ---------------------------------------------------------------------------
# Wine
# ---------------------------------------------------------------------------


@dataclass
class Wine:
    """One Wine prefix (64-bit) for the whole module, kept inside the temporary folder."""

    prefix: Path
    env: dict[str, str]
    report: Path

    def run(
        self, *args: str, check: bool = True, timeout: int = 120
    ) -> subprocess.CompletedProcess[str]:
        return run(["wine", *args], self.env, check=check, timeout=timeout)

    def msiexec(self, *args: str, log: Path | None = None) -> int:
        extra = ["/l*v", windows_path(log)] if log else []
        return self.run("msiexec", *args, *extra, check=False, timeout=180).returncode

    def payload(self, *args: str) -> dict[str, object]:
        """Run the installed program directly; its report as a dict."""
        result = self.run(EXE, *args)
        report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
        return report

    def defaults(self) -> dict[str, object]:
        """What the program reads from its installer-defaults key (``{}`` when absent)."""
        defaults = self.payload()["defaults"]
        assert defaults is None or isinstance(defaults, dict)
        return dict(defaults or {})

    def reg_values(self, key: str) -> dict[str, tuple[str, str]] | None:
        """The values of one key (name → (type, data)); ``None`` when the key is absent."""
        result = self.run("reg", "query", key, "/reg:64", check=False)
        if result.returncode != 0:
            return None
        values: dict[str, tuple[str, str]] = {}
        for line in result.stdout.splitlines():
            match = re.fullmatch(r" {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?", line.rstrip("\r"))
            if match:
                values[match.group(1)] = (match.group(2), match.group(3) or "")
        return values

    def product_installed(self, version: str) -> bool:
        key = rf"{UNINSTALL_KEY}\{msi_tool.product_code(version)}"
        return self.reg_values(key) is not None

    def shortcuts(self) -> dict[str, list[Path]]:
        # Windows puts per-machine shortcuts in ProgramData and the Public
        # desktop; Wine's msiexec uses the installing user's folders.
        users = self.prefix / "drive_c" / "users"
        programs = "Microsoft/Windows/Start Menu/Programs"
        folders = {
            "start_menu": [
                self.prefix / "drive_c" / "ProgramData" / programs,
                *(user / "AppData" / "Roaming" / programs for user in users.iterdir()),
            ],
            "desktop": [user / "Desktop" for user in users.iterdir()],
        }
        return {
            name: [folder / SHORTCUT for folder in paths if (folder / SHORTCUT).is_file()]
            for name, paths in folders.items()
        }

    def install_dir(self) -> Path:
        return self.prefix / "drive_c" / "Program Files" / "Hizmet Aktivasyon"


@pytest.fixture(scope="module")
def wine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wine]:
    need("wine")
    need("wineserver")
    root = tmp_path_factory.mktemp("wine")
    home = root / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DISPLAY", "WAYLAND_DISPLAY"} and not key.startswith("XDG_")
    }
    report = root / "report.jsonl"
    env.update(
        {
            "WINEPREFIX": str(root / "prefix"),
            "WINEARCH": "win64",
            "WINEDEBUG": "-all",
            # No Mono/Gecko download prompts; no menu entries in the real desktop.
            "WINEDLLOVERRIDES": "mscoree,mshtml=;winemenubuilder.exe=d",
            # Wine links the prefix's Desktop, Documents… to $HOME: keep them here.
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "LANG": "C.UTF-8",
            "SIGNER_APP_TEST_REPORT": windows_path(report),
        }
    )
    prefix = Wine(root / "prefix", env, report)
    try:
        # One persistent server for the module: otherwise it exits a few
        # seconds after each command and every wine call pays its start-up.
        # (-p daemonises: no pipes, or run() would wait for the server to end.)
        prefix.prefix.mkdir()
        subprocess.run(
            ["wineserver", "-p"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            timeout=60,
        )
        # Output to a file, not a pipe: the services wineboot starts inherit
        # it and live as long as the persistent server, so a pipe never ends.
        with (root / "wineboot.log").open("w") as log:
            for args in (
                ["wineboot", "--init"],
                # Wine 8 says Windows 7 by default; the MSI wants Windows 10.
                ["winecfg", "/v", "win10"],
            ):
                subprocess.run(
                    ["wine", *args],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    check=True,
                    timeout=300,
                )
        # Real folders instead of the links to $HOME, so that every file the
        # installer writes stays inside the prefix where the tests look.
        for user in (prefix.prefix / "drive_c" / "users").iterdir():
            for entry in user.iterdir():
                if entry.is_symlink():
                    entry.unlink()
                    entry.mkdir()
        yield prefix
    finally:
        run(["wineserver", "-k"], env, check=False)


@dataclass(frozen=True)
class Installed:
    """What the first silent install left, looked at right after it."""

    status: int
    files: set[str]
    defaults: dict[str, object]
    installer_key: dict[str, tuple[str, str]] | None
    extension: dict[str, tuple[str, str]] | None
    open_with: dict[str, tuple[str, str]] | None
    command: dict[str, tuple[str, str]] | None
    opened: list[dict[str, object]]
    opened_path: Path
    shortcuts: dict[str, list[Path]]
    shortcut_files: list[bytes]


@pytest.fixture(scope="module")
def installed(built: Build, wine: Wine, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Install 0.1.0 silently with every property; open a contract file through the association."""
    logs = tmp_path_factory.mktemp("logs")
    status = wine.msiexec(
        "/i",
        windows_path(built.msis["0.1.0"]),
        "/qn",
        *(f"{name}={value}" for name, value in FIRST_INSTALL.items()),
        log=logs / "install.log",
    )
    install_dir = wine.install_dir()
    files = {p.relative_to(install_dir).as_posix() for p in install_dir.rglob("*") if p.is_file()}
    documents = tmp_path_factory.mktemp("belgeler")
    contract = documents / "Örnek sözleşme.aktivasyon"
    contract.write_text('{"format": "hizmet-aktivasyon-sozlesmesi", "version": 1}\n')
    wine.report.unlink(missing_ok=True)
    # What a double-click does: ShellExecute on the file, through HKCR.
    wine.run("start", "/wait", "/unix", str(contract))
    opened = [json.loads(line) for line in wine.report.read_text("utf-8").splitlines()]
    shortcuts = wine.shortcuts()
    return Installed(
        status=status,
        files=files,
        defaults=wine.defaults(),
        installer_key=wine.reg_values(rf"HKLM\{INSTALLER_KEY}"),
        extension=wine.reg_values(r"HKCR\.aktivasyon"),
        open_with=wine.reg_values(r"HKCR\.aktivasyon\OpenWithProgids"),
        command=wine.reg_values(rf"HKCR\{PROG_ID}\shell\open\command"),
        opened=opened,
        opened_path=contract,
        shortcuts=shortcuts,
        shortcut_files=[path.read_bytes() for paths in shortcuts.values() for path in paths],
    )


def test_silent_install_puts_the_files_under_program_files(
    installed: Installed, built: Build
) -> None:
    assert installed.status == 0
    staged = {p.relative_to(built.stage).as_posix() for p in built.stage.rglob("*") if p.is_file()}
    assert installed.files == staged | {"signer-app-document.ico"}


def test_silent_install_stores_the_properties_the_program_reads(installed: Installed) -> None:
    expected = {setting: FIRST_INSTALL[prop] for prop, setting in SETTING_PROPERTIES.items()}
    assert installed.defaults == expected
    # The program accepts every value: these names and values are its settings.
    settings = Settings.from_flat(installed.defaults)
    assert settings.portal.url == FIRST_INSTALL["PORTAL_URL"]
    assert settings.portal.trusted_hosts == ("portal.example.com", "*.yedek.example:8443")
    assert settings.pkcs11.default_module == FIRST_INSTALL["PKCS11_MODULE"]
    assert (settings.language, settings.log_level) == ("en", "WARNING")
    assert installed.installer_key is not None
    assert installed.installer_key["desktop_shortcut"] == ("REG_SZ", "1")
    assert installed.installer_key["install_dir"] == ("REG_SZ", INSTALL_DIR + "\\")


def test_file_association_opens_the_program_with_the_file(installed: Installed) -> None:
    assert installed.extension is not None
    assert installed.extension["(Default)"] == ("REG_SZ", PROG_ID)
    assert installed.extension["Content Type"] == (
        "REG_SZ",
        "application/vnd.hizmet-aktivasyon+json",
    )
    assert installed.open_with is not None
    assert PROG_ID in installed.open_with
    assert installed.command == {"(Default)": ("REG_SZ", f'"{EXE}" "%1"')}
    assert len(installed.opened) == 1
    argv = installed.opened[0]["argv"]
    assert isinstance(argv, list)
    assert PureWindowsPath(argv[0]) == PureWindowsPath(EXE)
    # One argument, the whole path: spaces and Turkish letters intact.
    assert argv[1:] == [windows_path(installed.opened_path)]


def test_silent_install_creates_the_shortcuts(installed: Installed) -> None:
    assert len(installed.shortcuts["start_menu"]) == 1
    assert len(installed.shortcuts["desktop"]) == 1
    # Shell links to the installed program (the path is stored as UTF-16 or ANSI).
    for data in installed.shortcut_files:
        assert "signer-app.exe".encode("utf-16-le") in data or b"signer-app.exe" in data


def test_upgrade_downgrade_and_uninstall(
    installed: Installed, built: Build, wine: Wine, tmp_path: Path
) -> None:
    assert installed.status == 0
    first = dict(installed.defaults)

    # An upgrade without properties keeps every one of them.
    assert wine.msiexec("/i", windows_path(built.msis["0.2.0"]), "/qn") == 0
    assert wine.product_installed("0.2.0")
    assert not wine.product_installed("0.1.0")
    assert wine.defaults() == first
    assert len(wine.shortcuts()["desktop"]) == 1

    # New values on the upgrade's command line win; the others stay.
    new_url = "https://yeni.example.com/api/v1/"
    status = wine.msiexec(
        "/i",
        windows_path(built.msis["0.3.0"]),
        "/qn",
        f"PORTAL_URL={new_url}",
        "DESKTOP_SHORTCUT=0",
    )
    assert status == 0
    assert wine.product_installed("0.3.0")
    assert not wine.product_installed("0.2.0")
    assert wine.defaults() == {**first, "portal.url": new_url}
    assert wine.shortcuts() == {"start_menu": installed.shortcuts["start_menu"], "desktop": []}

    # A downgrade is refused by the launch condition and changes nothing.
    log = tmp_path / "downgrade.log"
    assert wine.msiexec("/i", windows_path(built.msis["0.1.0"]), "/qn", log=log) in INSTALL_FAILURE
    assert "WIX_DOWNGRADE_DETECTED = " in log.read_text("utf-8", errors="replace")
    assert wine.product_installed("0.3.0")
    assert not wine.product_installed("0.1.0")
    assert wine.defaults() == {**first, "portal.url": new_url}

    # Uninstall: files, shortcuts, association and the settings key all go.
    assert wine.msiexec("/x", msi_tool.product_code("0.3.0"), "/qn") == 0
    assert not wine.product_installed("0.3.0")
    assert not wine.install_dir().exists() or not any(wine.install_dir().rglob("*"))
    assert wine.shortcuts() == {"start_menu": [], "desktop": []}
    assert wine.reg_values(r"HKCR\.aktivasyon") is None
    assert wine.reg_values(rf"HKCR\{PROG_ID}") is None
    assert wine.reg_values(r"HKLM\Software\SignerApp") is None

    # A value the program would refuse stops the install before anything is written.
    refused = wine.msiexec("/i", windows_path(built.msis["0.3.0"]), "/qn", "LANGUAGE=de")
    assert refused in INSTALL_FAILURE
    assert not wine.product_installed("0.3.0")
    assert not wine.install_dir().exists() or not any(wine.install_dir().rglob("*"))


def test_build_script_passes_shellcheck() -> None:
    run([need("shellcheck"), str(BUILD_SH)])


def test_product_codes_are_derived_from_the_version() -> None:
    code = msi_tool.product_code("1.2.3")
    assert code == msi_tool.product_code("1.2.3")
    assert uuid.UUID(code).version == 5
    with pytest.raises(SystemExit):
        msi_tool.product_code("1.2")
    with pytest.raises(SystemExit):
        msi_tool.product_code("256.0.0")
