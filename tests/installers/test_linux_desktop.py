"""The Linux desktop integration (``installers/linux``) and the icons (``installers/icons``).

The files are checked with the freedesktop tools, and ``install.sh`` is run
into a temporary home (``XDG_*`` pointing into ``tmp_path``) and asked, the
way a desktop would, which type a contract file has and which program opens
it. The tools come from Debian's desktop-file-utils, xdg-utils,
shared-mime-info, libglib2.0-bin (``gio``), libxml2-utils, appstream and
shellcheck; a test whose tool is missing is skipped, except on CI.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import struct
import sys
import time
from pathlib import Path
from typing import Final

import pytest

from signer_app.config import KNOWN_KEYS, load_settings
from signer_app.ui.app import APPLICATION_NAME, DESKTOP_FILE_NAME
from tests.support import tools
from tests.support.tools import run

ROOT: Final = Path(__file__).resolve().parents[2]
LINUX: Final = ROOT / "installers" / "linux"
ICONS: Final = ROOT / "installers" / "icons"
INSTALL_SH: Final = LINUX / "install.sh"

APP_ID: Final = DESKTOP_FILE_NAME
DESKTOP_FILE: Final = LINUX / f"{APP_ID}.desktop"
MIME_XML: Final = LINUX / "signer-app.xml"
METAINFO: Final = LINUX / f"{APP_ID}.metainfo.xml"
MIME_TYPE: Final = "application/vnd.hizmet-aktivasyon+json"
MIME_ICON: Final = "application-vnd.hizmet-aktivasyon+json"
ICON_SIZES: Final = (16, 22, 24, 32, 48, 64, 128, 256, 512)

CONTRACT: Final = (
    json.dumps(
        {"format": "hizmet-aktivasyon-sozlesmesi", "version": 1, "contract_id": "x"},
        indent=2,
    )
    + "\n"
)


#: The Debian packages of the tools below (scripts/setup.sh installs them).
PACKAGES = (
    "desktop-file-utils xdg-utils shared-mime-info libglib2.0-bin libxml2-utils appstream "
    "shellcheck"
)


def need(tool: str) -> str:
    """Return the path of *tool* (see :func:`tests.support.tools.need`)."""
    return tools.need(tool, PACKAGES)


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


# ---------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------


def test_desktop_file_validates() -> None:
    result = run([need("desktop-file-validate"), str(DESKTOP_FILE)])
    assert result.stdout.strip() == ""


def test_desktop_file_matches_the_application() -> None:
    entry = desktop_entry(DESKTOP_FILE)
    # The Wayland app id and the X11 WM_CLASS Qt derives from the application name.
    assert DESKTOP_FILE.name == f"{APP_ID}.desktop"
    assert entry["StartupWMClass"] == APPLICATION_NAME
    assert entry["Icon"] == APP_ID
    assert entry["Exec"] == "signer-app %f"
    assert entry["TryExec"] == "signer-app"
    assert entry["MimeType"] == f"{MIME_TYPE};"
    assert entry["Name[tr]"] == "Hizmet Aktivasyon"
    assert entry["Name[en]"] == "Service Activation"


def test_mime_definition_compiles(tmp_path: Path) -> None:
    run([need("xmllint"), "--noout", str(MIME_XML)])
    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(MIME_XML, packages)
    result = run([need("update-mime-database"), "-V", str(tmp_path / "mime")])
    assert "Unknown" not in result.stderr
    assert "Error" not in result.stderr
    globs = (tmp_path / "mime" / "globs2").read_text(encoding="utf-8")
    assert f"50:{MIME_TYPE}:*.aktivasyon" in globs.splitlines()
    subclasses = (tmp_path / "mime" / "subclasses").read_text(encoding="utf-8")
    assert f"{MIME_TYPE} application/json" in subclasses.splitlines()
    icons = (tmp_path / "mime" / "icons").read_text(encoding="utf-8")
    assert f"{MIME_TYPE}:{MIME_ICON}" in icons.splitlines()
    assert b"hizmet-aktivasyon-sozlesmesi" in (tmp_path / "mime" / "magic").read_bytes()


def test_metainfo_validates() -> None:
    result = run([need("appstreamcli"), "validate", "--no-net", str(METAINFO)], check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_script_passes_shellcheck() -> None:
    run([need("shellcheck"), str(INSTALL_SH)])


def test_policy_example_names_every_setting() -> None:
    example = LINUX / "policy.json.example"
    document = json.loads(example.read_text(encoding="utf-8"))
    assert set(document["settings"]) == KNOWN_KEYS
    assert set(document["locked"]) <= KNOWN_KEYS
    loaded = load_settings(policy_file=example, user_dir=Path("/nonexistent/signer-app-test"))
    assert loaded.rejected == []
    assert loaded.locked == frozenset(document["locked"])
    assert loaded.settings.portal.url == document["settings"]["portal.url"]
    assert {loaded.sources[key] for key in document["settings"]} == {"policy", "default"}


# ---------------------------------------------------------------------------
# The icons
# ---------------------------------------------------------------------------


def ico_sizes(data: bytes) -> list[int]:
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for index in range(count):
        width, height, _, _, planes, bits, size, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert (width, planes, bits) == (height, 1, 32)
        assert offset + size <= len(data)
        sizes.append(width or 256)
    return sizes


def icns_types(data: bytes) -> list[str]:
    assert data[:4] == b"icns"
    assert struct.unpack_from(">I", data, 4)[0] == len(data)
    kinds, offset = [], 8
    while offset < len(data):
        kind, length = data[offset : offset + 4], struct.unpack_from(">I", data, offset + 4)[0]
        assert data[offset + 8 : offset + 16] == b"\x89PNG\r\n\x1a\n"
        kinds.append(kind.decode("ascii"))
        offset += length
    assert offset == len(data)
    return kinds


@pytest.mark.parametrize("name", ["signer-app", "signer-app-document"])
def test_icons_are_complete(name: str) -> None:
    for size in ICON_SIZES:
        png = (ICONS / "png" / f"{name}-{size}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (size, size)
    assert ico_sizes((ICONS / f"{name}.ico").read_bytes()) == [16, 20, 24, 32, 40, 48, 64, 128, 256]
    assert {"ic07", "ic08", "ic09", "ic10", "icp4", "icp5"} <= set(
        icns_types((ICONS / f"{name}.icns").read_bytes())
    )


def test_committed_icons_are_up_to_date() -> None:
    result = run(
        [sys.executable, str(ICONS / "build_icons.py"), "--check"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, f"run installers/icons/build_icons.py:\n{result.stderr}"


# ---------------------------------------------------------------------------
# install.sh
# ---------------------------------------------------------------------------


@pytest.fixture
def desktop_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose home and XDG folders are under *tmp_path*."""
    # xdg-mime (xdg-utils 1.1.3) cannot search XDG folders with a space in their names.
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("XDG_")}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        # The system's types (application/json) stay visible, read only.
        XDG_DATA_DIRS=f"{home / '.local' / 'share'}:/usr/share",
        XDG_CONFIG_DIRS=str(tmp_path / "etc-xdg"),
        # xdg-mime asks GIO (not file(1)) on GNOME; GIO stays local, without D-Bus.
        XDG_CURRENT_DESKTOP="GNOME",
        GIO_USE_VFS="local",
        PATH=os.environ.get("PATH", "/usr/bin:/bin"),
    )
    return env


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A stand-in for the PyInstaller one-folder bundle ``dist/signer-app``."""
    folder = tmp_path / "dist" / "signer-app"
    (folder / "_internal").mkdir(parents=True)
    (folder / "_internal" / "base_library.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    program = folder / "signer-app"
    program.write_text(
        '#!/bin/sh\necho "signer-app $*"\n'
        'if [ -n "${OPENED:-}" ]; then printf "%s\\n" "$@" >>"$OPENED"; fi\n',
        encoding="utf-8",
    )
    program.chmod(0o755)
    return folder


def opened_files(log: Path) -> str:
    """What the stand-in program was asked to open (GIO starts it without waiting)."""
    deadline = time.monotonic() + 10
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.05)
    return log.read_text(encoding="utf-8") if log.exists() else ""


def tree(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def query(env: dict[str, str], *args: str) -> str:
    return run([need("xdg-mime"), "query", *args], env=env).stdout.strip()


def test_user_install_registers_the_type_and_uninstall_removes_everything(
    tmp_path: Path, desktop_env: dict[str, str], bundle: Path
) -> None:
    for tool in ("xdg-mime", "gio", "update-mime-database", "update-desktop-database"):
        need(tool)
    home = Path(desktop_env["HOME"])
    contract = home / "Kira Sözleşmesi.aktivasyon"
    contract.write_text(CONTRACT, encoding="utf-8")
    unnamed = home / "indirilen"
    unnamed.write_text(CONTRACT, encoding="utf-8")
    before = tree(home)

    run([str(INSTALL_SH), "--user", "--bundle", str(bundle)], env=desktop_env)

    data = home / ".local" / "share"
    program = home / ".local" / "bin" / "signer-app"
    assert program.is_symlink()
    assert program.resolve() == home / ".local" / "lib" / "signer-app" / "signer-app"
    assert (home / ".local" / "lib" / "signer-app" / "_internal" / "base_library.zip").is_file()
    assert run([str(program), "x.aktivasyon"]).stdout == "signer-app x.aktivasyon\n"

    installed = data / "applications" / f"{APP_ID}.desktop"
    entry = desktop_entry(installed)
    assert entry["Exec"] == f"{program} %f"
    assert entry["TryExec"] == str(program)
    run([need("desktop-file-validate"), str(installed)])

    assert query(desktop_env, "filetype", str(contract)) == MIME_TYPE
    assert query(desktop_env, "filetype", str(unnamed)) == MIME_TYPE
    assert query(desktop_env, "default", MIME_TYPE) == f"{APP_ID}.desktop"
    gio = run(["gio", "mime", MIME_TYPE], env=desktop_env).stdout
    assert f"{APP_ID}.desktop" in gio.splitlines()[0]
    icon = run(["gio", "info", "-a", "standard::icon", str(contract)], env=desktop_env).stdout
    assert MIME_ICON in icon
    # A double-click: GIO starts the launcher's program with the file.
    opened = tmp_path / "opened.txt"
    run(["gio", "open", str(contract)], env={**desktop_env, "OPENED": str(opened)})
    assert opened_files(opened) == f"{contract}\n"

    hicolor = data / "icons" / "hicolor"
    for size in ICON_SIZES:
        assert (hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
        assert (hicolor / f"{size}x{size}" / "mimetypes" / f"{MIME_ICON}.png").is_file()
    assert (hicolor / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (hicolor / "scalable" / "mimetypes" / f"{MIME_ICON}.svg").is_file()
    # No icon cache in a user's folder (it would hide icons added later).
    assert not (hicolor / "icon-theme.cache").exists()
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()

    # Installing again (an upgrade) is fine.
    run([str(INSTALL_SH), "--user", "--bundle", str(bundle), "--quiet"], env=desktop_env)
    assert query(desktop_env, "default", MIME_TYPE) == f"{APP_ID}.desktop"

    run([str(INSTALL_SH), "--user", "--uninstall"], env=desktop_env)
    left = tree(home) - before
    assert left <= {".config", ".local", ".local/share", ".cache"}, sorted(left)
    assert query(desktop_env, "filetype", str(contract)) != MIME_TYPE
    assert bundle.joinpath("signer-app").is_file()  # the source bundle is untouched


def test_user_uninstall_keeps_other_defaults(desktop_env: dict[str, str], bundle: Path) -> None:
    need("xdg-mime")
    config = Path(desktop_env["XDG_CONFIG_HOME"])
    config.mkdir()
    mimeapps = config / "mimeapps.list"
    mimeapps.write_text("[Default Applications]\ntext/plain=vim.desktop\n", encoding="utf-8")
    run([str(INSTALL_SH), "--user", "-q", "--bundle", str(bundle)], env=desktop_env)
    assert f"{MIME_TYPE}={APP_ID}.desktop" in mimeapps.read_text(encoding="utf-8")
    run([str(INSTALL_SH), "--user", "-q", "--uninstall"], env=desktop_env)
    assert mimeapps.read_text(encoding="utf-8").split("\n") == [
        "[Default Applications]",
        "text/plain=vim.desktop",
        "",
    ]


def test_prefix_install_without_bundle_links_the_program_on_path(
    tmp_path: Path, desktop_env: dict[str, str], bundle: Path
) -> None:
    """A system-style installation into a prefix, using a ``signer-app`` found on PATH."""
    need("xdg-mime")
    prefix = tmp_path / "usr"
    env = {
        **desktop_env,
        "PATH": f"{bundle}:{desktop_env['PATH']}",
        "XDG_DATA_DIRS": f"{prefix / 'share'}:/usr/share",
    }
    example = LINUX / "policy.json.example"
    run([str(INSTALL_SH), "--prefix", str(prefix), "--quiet", "--policy", str(example)], env=env)
    policy = prefix / "etc" / "signer-app" / "policy.json"
    assert policy.read_bytes() == example.read_bytes()
    link = prefix / "bin" / "signer-app"
    assert link.is_symlink()
    assert link.resolve() == bundle / "signer-app"
    assert not (prefix / "lib" / "signer-app").exists()
    assert desktop_entry(prefix / "share" / "applications" / f"{APP_ID}.desktop")["Exec"] == (
        f"{link} %f"
    )
    # No mimeapps.list: the desktop database alone names the only program for the type.
    assert not Path(env["XDG_CONFIG_HOME"], "mimeapps.list").exists()
    assert query(env, "default", MIME_TYPE) == f"{APP_ID}.desktop"

    run([str(INSTALL_SH), "--prefix", str(prefix), "--uninstall", "--quiet"], env=env)
    assert not link.exists()
    assert (bundle / "signer-app").is_file()
    assert not (prefix / "share" / "applications" / f"{APP_ID}.desktop").exists()
    assert not list((prefix / "share").rglob("*.png"))
    assert policy.is_file()  # IT's policy outlives the program


def test_install_without_a_program_fails_clearly(desktop_env: dict[str, str]) -> None:
    env = {**desktop_env, "PATH": "/usr/bin:/bin"}
    result = run([str(INSTALL_SH), "--user"], env=env, check=False)
    assert result.returncode == 1
    assert "--bundle" in result.stderr
    assert not Path(env["XDG_DATA_HOME"], "applications", f"{APP_ID}.desktop").exists()


def test_program_path_with_a_space_is_quoted(
    tmp_path: Path, desktop_env: dict[str, str], bundle: Path
) -> None:
    """A home with a space and a Turkish letter: ``Exec`` quotes the program, GIO still opens."""
    need("gio")
    home = tmp_path / "ev ş"
    data = home / ".local" / "share"
    env = {
        **desktop_env,
        "HOME": str(home),
        "XDG_DATA_HOME": str(data),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_DIRS": f"{data}:/usr/share",
        "OPENED": str(tmp_path / "opened.txt"),
    }
    home.mkdir()
    contract = home / "Sözleşme 1.aktivasyon"
    contract.write_text(CONTRACT, encoding="utf-8")
    run([str(INSTALL_SH), "--user", "-q", "--bundle", str(bundle)], env=env)
    program = home / ".local" / "bin" / "signer-app"
    entry = desktop_entry(data / "applications" / f"{APP_ID}.desktop")
    assert entry["Exec"] == f'"{program}" %f'
    assert entry["TryExec"] == str(program)  # a plain path, never quoted
    assert f"{APP_ID}.desktop" in run(["gio", "mime", MIME_TYPE], env=env).stdout.splitlines()[0]
    run(["gio", "open", str(contract)], env=env)
    assert opened_files(tmp_path / "opened.txt") == f"{contract}\n"
    run([str(INSTALL_SH), "--user", "-q", "--uninstall"], env=env)
    assert not (data / "applications").exists()
