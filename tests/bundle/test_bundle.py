"""The one-folder bundle (``pyinstaller.spec``): it starts, signs, runs the demo and is trimmed.

The bundle is built once per session by the ``bundle`` fixture (or reused
when it is up to date) and run from a folder outside the repository, with
no Python variables in its environment, so nothing can come from the
virtual environment. The macOS and Windows parts of the spec cannot be built
here; :func:`test_spec_on_other_platforms` runs the spec with PyInstaller's
build steps replaced by recorders to check what it would ask them for.
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import json
import os
import plistlib
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

from signer_app import __version__
from signer_app.testpki.manifest import Manifest
from signer_app.token.api import BackendName, SignMechanism
from signer_app.token.host import HOST_COMMAND
from signer_app.token.host_client import HostedBackend

pytestmark = [pytest.mark.bundle, pytest.mark.timeout(1500)]

ROOT: Final = Path(__file__).resolve().parents[2]
BUNDLE: Final = ROOT / "dist" / "signer-app"
INTERNAL: Final = BUNDLE / "_internal"
QT: Final = INTERNAL / "PySide6" / "Qt"
SERVICES: Final = ("e-Fatura", "e-Arşiv", "e-İrsaliye", "e-Arşiv Saklama")
#: Qt modules the app does not use: none of their libraries, plugins or bindings may ship.
UNUSED_QT: Final = re.compile(
    r"Qt6?(Qml|Quick|WebEngine|Multimedia|3D|Pdf|Designer|Sql|Test|UiTools|Help|Charts"
    r"|OpenGLWidgets|Concurrent|PrintSupport|Xml|Labs|Lottie|VirtualKeyboard)"
)
#: DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2, note 1).
SHA256_DIGEST_INFO: Final = bytes.fromhex("3031300d060960864801650304020105000420")


def bundle_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Our environment for the bundle: no Python variables, a fresh home and folders."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "SIGNER_APP_")) and k != "VIRTUAL_ENV"
    }
    home = tmp_path / "home"
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        SIGNER_APP_LOG_DIR=str(tmp_path / "logs"),
        SIGNER_APP_CONFIG_DIR=str(tmp_path / "cfg"),
    )
    env.update(extra)
    return env


def run(
    command: list[str], env: dict[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout, check=False
    )


# ---- It runs -------------------------------------------------------------------------


@pytest.mark.slow
def test_version(bundle: Path, tmp_path: Path) -> None:
    result = run([str(bundle), "--version"], bundle_env(tmp_path), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"signer-app {__version__}"


def _essence(report: dict[str, Any]) -> object:
    return [
        (
            m["outcome"],
            [
                (
                    s["slot_id"],
                    s["token"],
                    [(c["id"], c["fingerprint_sha256"], c["usable"]) for c in s["certificates"]],
                )
                for s in m["slots"]
            ],
        )
        for m in report["modules"]
    ]


@pytest.mark.slow
@pytest.mark.softhsm
@pytest.mark.parametrize(
    "options",
    [(), ("--backend", "pykcs11"), ("--in-process",)],
    ids=["token-host", "token-host-pykcs11", "in-process"],
)
def test_tokens_json_is_the_same_as_from_the_venv(
    bundle: Path, softhsm: Manifest, tmp_path: Path, options: tuple[str, ...]
) -> None:
    arguments = ["tokens", "--module", softhsm.module_path, "--json", *options]
    frozen = run([str(bundle), *arguments], bundle_env(tmp_path / "b"), tmp_path)
    assert frozen.returncode == 0, frozen.stderr
    venv = run([sys.executable, "-m", "signer_app", *arguments], bundle_env(tmp_path / "v"), ROOT)
    assert venv.returncode == 0, venv.stderr
    report = json.loads(frozen.stdout)
    assert report["modules"][0]["outcome"] == "loaded"
    labels = {s["token"]["label"] for s in report["modules"][0]["slots"] if s["token"]}
    assert {t.label for t in softhsm.tokens} <= labels
    assert _essence(report) == _essence(json.loads(venv.stdout))


@pytest.mark.slow
@pytest.mark.softhsm
@pytest.mark.parametrize("backend", list(BackendName))
def test_token_host_of_the_bundle_signs(
    bundle: Path, softhsm: Manifest, backend: BackendName
) -> None:
    """The hidden ``_token-host`` command of the frozen program loads a module and signs."""
    host = HostedBackend(softhsm.module_path, backend, command=[str(bundle), HOST_COMMAND])
    token = softhsm.tokens[0]
    seal = next(o for o in token.objects if o.kind == "seal")
    certificate = x509.load_pem_x509_certificate(seal.cert_pem_path.read_bytes())
    data = "Hizmet aktivasyonu: ş ğ İ".encode()
    digest = hashlib.sha256(data).digest()
    try:
        assert host.module_info()
        slot_id = next(s.slot_id for s in host.slots() if s.token and s.token.label == token.label)
        assert seal.id in {c.id for c in host.certificates(slot_id)}
        host.login(slot_id, token.user_pin)
        assert seal.id in {k.id for k in host.private_keys(slot_id)}
        public_key = certificate.public_key()
        if isinstance(public_key, rsa.RSAPublicKey):
            signature = host.sign(
                slot_id, seal.id, SignMechanism.RSA_PKCS, SHA256_DIGEST_INFO + digest
            )
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            assert isinstance(public_key, ec.EllipticCurvePublicKey)
            raw = host.sign(slot_id, seal.id, SignMechanism.ECDSA, digest)
            half = len(raw) // 2
            der = encode_dss_signature(
                int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
            )
            public_key.verify(der, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        host.logout(slot_id)
    finally:
        host.close()


@pytest.mark.slow
@pytest.mark.softhsm
def test_demo_unattended(bundle: Path, tmp_path: Path) -> None:
    """As ``tests/test_demo.py``, with the bundle: portal, SoftHSM provisioning, host, flow."""
    env = bundle_env(tmp_path)
    env.pop("SOFTHSM2_CONF", None)  # the demo provisions its own token
    work = tmp_path / "w"
    result = run([str(bundle), "demo", "--unattended", "--work", str(work)], env, tmp_path, 300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for service in SERVICES:
        assert f"{service} Hizmeti açma. Sonuç: Başarılı" in lines
        assert f"{service}: Aktif (1300) BASARIYLA TAMAMLANDI" in lines
    with (work / "receipts.csv").open(encoding="utf-8", newline="") as stream:
        assert [r["gib_code"] for r in csv.DictReader(stream)] == ["1300"] * len(SERVICES)


@pytest.mark.slow
def test_window_starts_offscreen(bundle: Path, tmp_path: Path) -> None:
    """The wizard paints with the bundled Qt (platform plugin, fonts, translations)."""
    for language in ("tr", "en"):
        env = bundle_env(
            tmp_path / language,
            QT_QPA_PLATFORM="offscreen",
            SIGNER_APP_STARTUP_PROBE="1",
            SIGNER_APP_INSTANCE_KEY=f"bundle-test-{os.getpid()}-{language}",
            QT_LOGGING_RULES="qt.qpa.*=false",
        )
        result = run([str(bundle), "--lang", language, "-v"], env, tmp_path)
        assert result.returncode == 0, result.stderr
        assert re.search(r"^EXPOSED \d", result.stdout, re.MULTILINE), result.stdout
        log = "\n".join(
            p.read_text(encoding="utf-8", errors="replace")
            for p in (tmp_path / language / "logs").rglob("*.log")
        )
        assert "frozen True" in log  # the bundle's own Python ran it
        # install_translators logs only what it could not load.
        assert "no Qt translation" not in log
        assert "translation signer_app_" not in log


@pytest.mark.slow
def test_benchmark_reports(bundle: Path) -> None:
    """``benchmarks/bench_bundle.py`` on a tiny sample (the figures are for people)."""
    result = run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_bundle.py"),
            "--no-build",
            "--rounds",
            "2",
            "--warmup",
            "1",
        ],
        dict(os.environ),
        ROOT,
        300,
    )
    assert result.returncode == 0, result.stderr
    for line in ("bundle size:", "largest parts", "largest files", "bundle / venv:"):
        assert line in result.stdout
    print(result.stdout)


# ---- It is complete and trimmed --------------------------------------------------------


def _files(bundle: Path) -> list[str]:
    return sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())


@pytest.mark.slow
def test_package_data_is_in_the_bundle(bundle: Path) -> None:
    """Every file pyproject.toml declares as package data, byte for byte."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = project["tool"]["setuptools"]["package-data"]
    expected = [
        path
        for package, patterns in declared.items()
        for pattern in patterns
        for path in ROOT.joinpath(*package.split(".")).glob(pattern)
    ]
    assert expected
    for path in expected:
        shipped = INTERNAL / path.relative_to(ROOT)
        assert shipped.is_file(), shipped
        assert shipped.read_bytes() == path.read_bytes(), shipped


@pytest.mark.slow
def test_qt_is_trimmed(bundle: Path) -> None:
    files = _files(BUNDLE)
    unused = [f for f in files if UNUSED_QT.search(f)]
    assert unused == []
    plugins = {f.removeprefix("_internal/PySide6/Qt/plugins/") for f in files if "/plugins/" in f}
    assert {f.split("/")[0] for f in plugins} <= {
        "platforms",
        "platformthemes",
        "platforminputcontexts",
        "xcbglintegrations",
        "wayland-shell-integration",
        "wayland-decoration-client",
        "wayland-graphics-integration-client",
        "imageformats",
    }
    platforms = {p.removeprefix("platforms/") for p in plugins if p.startswith("platforms/")}
    assert platforms == {"libqxcb.so", "libqoffscreen.so", "libqwayland.so"}
    assert "platformthemes/libqgtk3.so" not in plugins
    translations = {f.rsplit("/", 1)[1] for f in files if "/Qt/translations/" in f}
    assert translations == {"qtbase_tr.qm", "qtbase_en.qm"}
    # Development tools from the same virtual environment stay out.
    for tool in ("pytest", "_pytest", "hypothesis", "mypy", "xmlsec", "saxonche", "tkinter"):
        assert not (INTERNAL / tool).exists(), tool


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd: Linux only")
def test_every_library_finds_what_it_links(bundle: Path) -> None:
    """Trimming dropped nothing still linked: what a library needs is in the bundle,
    or is a system library PyInstaller leaves to the machine (libc, libGL, Wayland, …)."""
    # PyInstaller's own list of the libraries it leaves to the system (it ships no types).
    include_library: Callable[[str], bool] = importlib.import_module(
        "PyInstaller.depend.dylib"
    ).include_library
    env = {**os.environ, "LD_LIBRARY_PATH": str(INTERNAL)}
    wrong: list[str] = []
    inside = 0
    for path in [bundle, *INTERNAL.rglob("*.so*")]:
        if not path.is_file() or path.is_symlink():
            continue
        result = run(["ldd", str(path)], env, ROOT)
        for line in result.stdout.splitlines():
            name, arrow, target = line.strip().partition(" => ")
            if not arrow:
                continue
            if target.startswith(str(BUNDLE)):
                inside += 1
            elif include_library(name):
                wrong.append(f"{path.relative_to(BUNDLE)}: {name} => {target}")
    assert wrong == []
    assert inside > 500  # ldd did read the libraries


def test_no_code_needs_the_runtime_hooks_the_spec_drops() -> None:
    """The spec leaves out PyInstaller's multiprocessing and pkgutil start-up hooks."""
    needing = re.compile(r"\bmultiprocessing\b|\b(iter_modules|walk_packages)\(")
    users = [
        str(path.relative_to(ROOT))
        for folder in ("signer_app", "reference_portal")
        for path in (ROOT / folder).rglob("*.py")
        if needing.search(path.read_text(encoding="utf-8"))
    ]
    assert users == [], "put the hooks back in pyinstaller.spec (UNNEEDED_RUNTIME_HOOKS)"


# ---- The parts of the spec for other platforms --------------------------------------------

_SPEC_RUNNER = r"""
import json, sys, types
platform, spec = sys.argv[1], sys.argv[2]
calls = {}

class Step:
    def __init__(self, *args, **kwargs):
        calls.setdefault(type(self).__name__, []).append(kwargs)
        self.binaries, self.datas, self.pure, self.scripts = [], [], [], []

class Analysis(Step): pass
class PYZ(Step): pass
class EXE(Step): pass
class COLLECT(Step): pass
class BUNDLE(Step): pass

# PyInstaller's helpers are not needed to read what the spec asks for.
hooks = types.ModuleType("PyInstaller.utils.hooks")
hooks.collect_submodules = lambda package: [package]
bindepend = types.ModuleType("PyInstaller.depend.bindepend")
bindepend.get_imports = lambda filename: set()
sys.modules.update({"PyInstaller.utils.hooks": hooks, "PyInstaller.depend.bindepend": bindepend})
sys.platform = platform
namespace = {"SPECPATH": str(__import__("pathlib").Path(spec).parent), "Analysis": Analysis,
             "PYZ": PYZ, "EXE": EXE, "COLLECT": COLLECT, "BUNDLE": BUNDLE, "__name__": "__main__"}
with open(spec, encoding="utf-8") as stream:
    exec(compile(stream.read(), spec, "exec"), namespace)
print(json.dumps(calls, default=str))
"""


def _spec_calls(platform: str) -> dict[str, list[dict[str, Any]]]:
    result = subprocess.run(
        [sys.executable, "-c", _SPEC_RUNNER, platform, str(ROOT / "pyinstaller.spec")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    calls: dict[str, list[dict[str, Any]]] = json.loads(result.stdout.splitlines()[-1])
    return calls


def test_spec_on_other_platforms() -> None:
    """macOS gets a .app that owns ``.aktivasyon``; Windows gets the icon when there is one."""
    icons = ROOT / "installers" / "icons"

    darwin = _spec_calls("darwin")
    [app] = darwin["BUNDLE"]
    assert app["name"] == "Hizmet Aktivasyon.app"
    plist = app["info_plist"]
    plistlib.dumps(plist)  # a valid property list
    [document] = plist["CFBundleDocumentTypes"]
    assert document["CFBundleTypeExtensions"] == ["aktivasyon"]
    [exported] = plist["UTExportedTypeDeclarations"]
    assert document["LSItemContentTypes"] == [exported["UTTypeIdentifier"]]
    assert exported["UTTypeTagSpecification"]["public.filename-extension"] == ["aktivasyon"]
    [exe] = darwin["EXE"]
    assert exe["argv_emulation"] is False  # Qt gets the files as QFileOpenEvent
    assert exe["strip"] is False  # stripping would break the signatures
    if (icons / "signer-app.icns").is_file():
        assert app["icon"] == str(icons / "signer-app.icns")

    windows = _spec_calls("win32")
    assert "BUNDLE" not in windows
    [exe] = windows["EXE"]
    assert exe["name"] == "signer-app"
    ico = icons / "signer-app.ico"
    assert exe["icon"] == (str(ico) if ico.is_file() else None)

    linux = _spec_calls("linux")
    assert "BUNDLE" not in linux
    [exe] = linux["EXE"]
    assert exe["console"] is True
    assert exe["icon"] is None
