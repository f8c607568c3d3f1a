"""The window's shell: single instance, file-open events, languages, refused contracts.

The single-instance tests run real processes (a primary, then a second
start) on the offscreen platform, each test under its own instance key.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from signer_app.cli import _wants_window
from signer_app.config import load_settings
from signer_app.launch import display_available, trusted_hosts
from signer_app.portal_api.contract import load_contract_file
from signer_app.portal_api.errors import ContractError, ContractReason
from signer_app.ui.app import DocumentRouter, contract_refusal_message
from signer_app.ui.i18n import TRANSLATIONS_DIR, choose_language, install_translators
from signer_app.ui.single_instance import (
    INSTANCE_KEY_ENV,
    SingleInstance,
    decode_message,
    encode_message,
    instance_name,
)

ROOT = Path(__file__).resolve().parents[2]

# A primary: holds the lock, listens after the QApplication exists, prints READY,
# then prints each hand-over (and a macOS file-open event sent to itself) as JSON.
_PRIMARY = r"""
import json, sys
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QFileOpenEvent
from signer_app.ui.app import SignerApplication
from signer_app.ui.single_instance import SingleInstance

instance = SingleInstance()
if not instance.acquire():
    print("NOT-PRIMARY", flush=True)
    sys.exit(3)
app = SignerApplication([sys.argv[0]])
app.connect_instance(instance)
assert instance.listen()
expected = int(sys.argv[1])
seen = []

def received(paths):
    print("OPEN " + json.dumps(paths), flush=True)
    seen.append(paths)
    if len(seen) >= expected:
        QTimer.singleShot(0, app.quit)

app.open_documents.connect(received)
if "--file-open" in sys.argv:
    # Before the window is ready: kept, then delivered by start_accepting.
    QApplication = type(app)
    app.sendEvent(app, QFileOpenEvent("/tmp/önce.aktivasyon"))
    app.start_accepting()
    app.sendEvent(app, QFileOpenEvent(QUrl.fromLocalFile("/tmp/sonra.aktivasyon")))
else:
    app.start_accepting()
print("READY", flush=True)
QTimer.singleShot(30000, app.quit)
app.exec()
instance.release()
"""

# A second start: exactly what run_gui does before any QApplication exists.
_SECONDARY = r"""
import sys
from signer_app.ui.single_instance import SingleInstance

instance = SingleInstance()
if instance.acquire():
    print("PRIMARY", flush=True)
    sys.exit(3)
sys.exit(0 if instance.hand_over(sys.argv[1:], timeout=10) else 4)
"""


@pytest.fixture
def instance_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        INSTANCE_KEY_ENV: f"test-{uuid.uuid4().hex}",
        "QT_QPA_PLATFORM": "offscreen",
        "SIGNER_APP_LOG_DIR": str(tmp_path / "logs"),
    }


def _start_primary(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _PRIMARY, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _wait_ready(process: subprocess.Popen[str], timeout: float = 30.0) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.strip() == "READY":
            return
        if not line and process.poll() is not None:
            break
    pytest.fail(f"the primary did not start: {process.stderr.read() if process.stderr else ''}")


def _lock_path(env: dict[str, str]) -> Path:
    import tempfile

    return Path(tempfile.gettempdir()) / f"{instance_name(env[INSTANCE_KEY_ENV])}.lock"


def _lock_pid(env: dict[str, str]) -> int | None:
    try:
        first = _lock_path(env).read_text(encoding="utf-8", errors="replace").splitlines()[0]
        return int(first)
    except (OSError, IndexError, ValueError):
        return None


def _opened(process: subprocess.Popen[str]) -> list[list[str]]:
    out, _ = process.communicate(timeout=30)
    return [json.loads(line[5:]) for line in out.splitlines() if line.startswith("OPEN ")]


@pytest.fixture
def cleanup() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_second_start_hands_its_file_to_the_first_and_exits_0(
    instance_env: dict[str, str], tmp_path: Path, cleanup: list[subprocess.Popen[str]]
) -> None:
    primary = _start_primary(instance_env, "1")
    cleanup.append(primary)
    _wait_ready(primary)
    document = tmp_path / "Kira Sözleşmesi.aktivasyon"
    second = subprocess.run(
        [sys.executable, "-c", _SECONDARY, str(document)],
        env=instance_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert _opened(primary) == [[str(document)]]
    assert primary.returncode == 0


def test_signer_app_second_start_hands_over_through_the_real_entry_point(
    instance_env: dict[str, str], tmp_path: Path, cleanup: list[subprocess.Popen[str]]
) -> None:
    primary = _start_primary(instance_env, "1")
    cleanup.append(primary)
    _wait_ready(primary)
    document = tmp_path / "sözleşme.aktivasyon"
    second = subprocess.run(
        [sys.executable, "-m", "signer_app", "--lang", "en", str(document)],
        env=instance_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second.returncode == 0, second.stderr
    assert _opened(primary) == [[str(document)]]


def test_stale_lock_after_sigkill_is_taken_over(
    instance_env: dict[str, str], tmp_path: Path, cleanup: list[subprocess.Popen[str]]
) -> None:
    first = _start_primary(instance_env, "1")
    cleanup.append(first)
    _wait_ready(first)
    assert _lock_pid(instance_env) == first.pid
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    # The lock and socket files stay behind: they do not mean "ready".
    assert _lock_path(instance_env).exists()

    second = _start_primary(instance_env, "1")
    cleanup.append(second)
    _wait_ready(second)
    assert _lock_pid(instance_env) == second.pid
    document = tmp_path / "yeni.aktivasyon"
    third = subprocess.run(
        [sys.executable, "-c", _SECONDARY, str(document)],
        env=instance_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert third.returncode == 0, third.stdout + third.stderr
    assert _opened(second) == [[str(document)]]


def test_file_open_events_take_the_same_path_and_wait_for_the_window(
    instance_env: dict[str, str], cleanup: list[subprocess.Popen[str]]
) -> None:
    primary = _start_primary(instance_env, "2", "--file-open")
    cleanup.append(primary)
    assert _opened(primary) == [["/tmp/önce.aktivasyon"], ["/tmp/sonra.aktivasyon"]]
    assert primary.returncode == 0


def test_hand_over_message_round_trip_and_malformed_input() -> None:
    paths = ["/home/ayşe/Belgeler/İzmir şubesi.aktivasyon", "C:\\Kullanıcılar\\x.aktivasyon"]
    message = encode_message(paths)
    assert message.endswith(b"\n")
    assert message.isascii()
    assert decode_message(message.strip()) == paths
    assert decode_message(b"\xff\xfe") == []
    assert decode_message(b"[1, 2]") == []
    assert decode_message(b'{"files": [1, "", "a"]}') == ["a"]


def test_hand_over_without_a_primary_gives_up(instance_env: dict[str, str]) -> None:
    instance = SingleInstance(instance_env[INSTANCE_KEY_ENV])
    assert instance.hand_over(["x.aktivasyon"], timeout=0.2) is False


def test_instance_names_differ_per_key_and_are_ascii() -> None:
    assert instance_name("ayşe") != instance_name("mehmet")
    assert instance_name("ayşe").isascii()


# -- languages ---------------------------------------------------------------------------


def test_language_choice_order() -> None:
    assert choose_language("en", {"language": "command_line"}, system="tr") == "en"
    assert choose_language("tr", {"language": "policy"}, system="en") == "tr"
    assert choose_language("tr", {"language": "default"}, system="en") == "en"
    assert choose_language("tr", {}, system="tr") == "tr"


@pytest.mark.parametrize(
    ("language", "cancel", "title"),
    [
        ("tr", "İptal", "Aktivasyon dosyası açılamadı"),
        ("en", "Cancel", "Could not open the activation file"),
    ],
)
def test_language_changes_visible_texts(
    qapp: QApplication, language: str, cancel: str, title: str
) -> None:
    default_locale = QLocale()
    installed = install_translators(qapp, "en" if language == "en" else "tr")
    try:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        button = box.button(QDialogButtonBox.StandardButton.Cancel)
        assert button.text().replace("&", "") == cancel
        shown_title, _ = contract_refusal_message(ContractError("x", reason="expired"))
        assert shown_title == title
        box.deleteLater()
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
        QLocale.setDefault(default_locale)


def _translated(ts: Path) -> dict[tuple[str, str], bool]:
    """(context, source) → whether it has a finished translation."""
    from xml.etree import ElementTree

    result: dict[tuple[str, str], bool] = {}
    root = ElementTree.parse(ts).getroot()
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = None if translation is None else translation.get("type")
            if kind in ("vanished", "obsolete"):
                continue
            done = (
                translation is not None
                and kind != "unfinished"
                and bool("".join(translation.itertext()).strip())
            )
            result[(name, message.findtext("source") or "")] = done
    return result


def test_every_source_text_has_an_english_translation(tmp_path: Path) -> None:
    committed = _translated(TRANSLATIONS_DIR / "signer_app_en.ts")
    assert (TRANSLATIONS_DIR / "signer_app_en.qm").is_file()
    assert len(committed) > 10
    assert [key for key, done in committed.items() if not done] == []
    # And the .ts is up to date: every text lupdate finds in the code now is in it.
    import PySide6

    lupdate = Path(PySide6.__file__).parent / "lupdate"
    if not lupdate.exists():
        pytest.skip("PySide6's lupdate is not installed")
    sources = sorted(str(p) for p in (ROOT / "signer_app" / "ui").rglob("*.py"))
    fresh = tmp_path / "fresh.ts"
    subprocess.run(
        [str(lupdate), *sources, "-silent", "-locations", "none", "-ts", str(fresh)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert sorted(set(_translated(fresh)) - set(committed)) == []


# -- refused contract files ------------------------------------------------------------------


def test_a_malformed_contract_file_is_reported_with_its_reason(
    qapp: QApplication, tmp_path: Path
) -> None:
    broken = tmp_path / "bozuk.aktivasyon"
    broken.write_bytes(b"{ this is not json")
    reports: list[tuple[str, str]] = []
    shown: list[object] = []
    raised: list[bool] = []
    router = DocumentRouter(
        lambda path: load_contract_file(path, trusted_hosts=()),
        shown.append,
        lambda title, text: reports.append((title, text)),
        lambda: raised.append(True),
    )
    router.open_paths([str(broken)])
    assert shown == []
    assert raised == [True]
    [(title, text)] = reports
    assert title == "Aktivasyon dosyası açılamadı"
    assert "bozuk.aktivasyon" in text
    assert "Dosya bir aktivasyon dosyası değil" in text


def test_a_refused_file_is_skipped_and_the_next_usable_one_opened(
    qapp: QApplication, tmp_path: Path
) -> None:
    calls: list[Path] = []

    def load(path: Path) -> object:
        calls.append(path)
        if path.name == "a":
            raise ContractError("gone", reason=ContractReason.EXPIRED)
        return f"contract {path.name}"

    reports: list[tuple[str, str]] = []
    shown: list[object] = []
    router = DocumentRouter(load, shown.append, lambda t, x: reports.append((t, x)))  # type: ignore[arg-type]
    router.open_paths(["a", "b", "c"])
    assert shown == ["contract b"]
    assert [p.name for p in calls] == ["a", "b"]
    assert "süresi dolmuş" in reports[0][1]


def test_untrusted_host_message_names_the_host(qapp: QApplication) -> None:
    from signer_app.portal_api.errors import UntrustedContractHostError

    _, text = contract_refusal_message(
        UntrustedContractHostError("no", host="kotu.example.com"), "x.aktivasyon"
    )
    assert "kotu.example.com" in text
    assert "güvenilir" in text


# -- the command line and the composition root ------------------------------------------------


def test_no_sub_command_means_the_window() -> None:
    assert _wants_window([])
    assert _wants_window(["belge.aktivasyon"])
    assert _wants_window(["--lang", "en", "belge.aktivasyon"])
    assert _wants_window(["--lang", "en"])
    assert not _wants_window(["demo"])
    assert not _wants_window(["--lang", "tr", "verify", "x"])
    assert not _wants_window(["--help"])


def test_display_detection() -> None:
    assert not display_available({}, "linux")
    assert display_available({"DISPLAY": ":0"}, "linux")
    assert display_available({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert display_available({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert display_available({}, "win32")
    assert display_available({}, "darwin")


def test_window_without_display_fails_cleanly(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["SIGNER_APP_LOG_DIR"] = str(tmp_path / "logs")
    result = subprocess.run(
        [sys.executable, "-m", "signer_app", "--lang", "en", "x.aktivasyon"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "no display" in result.stderr


def test_trusted_hosts_include_the_policy_portal(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "settings": {
                    "portal.url": "https://portal.ornek.com.tr:8443/api/v1/",
                    "portal.trusted_hosts": ["*.entegrator.com.tr"],
                },
                "locked": ["portal.url"],
            }
        ),
        encoding="utf-8",
    )
    loaded = load_settings(policy_file=policy, user_dir=tmp_path / "user")
    assert trusted_hosts(loaded) == ("*.entegrator.com.tr", "portal.ornek.com.tr:8443")
    assert loaded.is_locked("portal.url")


def test_first_contract_skips_refused_files_and_collects_their_reasons(
    qapp: QApplication, tmp_path: Path
) -> None:
    from signer_app.ui.app import first_contract

    missing = tmp_path / "yok.aktivasyon"
    broken = tmp_path / "bozuk.aktivasyon"
    broken.write_text("[]", encoding="utf-8")
    contract, refusals = first_contract(
        [str(missing), str(broken)], lambda path: load_contract_file(path, trusted_hosts=())
    )
    assert contract is None
    assert [text.splitlines()[0] for _, text in refusals] == ["yok.aktivasyon", "bozuk.aktivasyon"]
    assert "okunamadı" in refusals[0][1]


@pytest.mark.parametrize(("language", "next_text"), [("tr", "Sonraki >>"), ("en", "Next >>")])
def test_language_changes_the_wizard_buttons(
    qapp: QApplication, tmp_path: Path, language: str, next_text: str
) -> None:
    from PySide6.QtWidgets import QWizard

    from signer_app.flow.journal import Journal
    from signer_app.launch import make_client_factory
    from signer_app.token.service import TokenService
    from signer_app.ui.context import WizardContext
    from signer_app.ui.wizard import ActivationWizard

    default_locale = QLocale()
    installed = install_translators(qapp, "en" if language == "en" else "tr")
    tokens = TokenService()
    journal = Journal(tmp_path / "journal.sqlite3")
    try:
        wizard = ActivationWizard(
            WizardContext(
                make_tokens=lambda: tokens,
                make_journal=lambda: journal,
                make_client=make_client_factory(()),
            )
        )
        try:
            wizard.show()
            button = wizard.button(QWizard.WizardButton.NextButton)
            assert button.text() == next_text
        finally:
            wizard.done(0)
            wizard.deleteLater()
    finally:
        tokens.close()
        journal.close()
        for translator in installed:
            qapp.removeTranslator(translator)
        QLocale.setDefault(default_locale)


def test_client_factory_refuses_untrusted_hosts_and_plain_loopback_outside_the_demo() -> None:
    from signer_app.launch import make_client_factory
    from signer_app.portal_api.errors import UntrustedPortalError

    make = make_client_factory(("portal.ornek.com.tr",))
    with pytest.raises(UntrustedPortalError) as refused:
        make("https://kotu.example.com/api/v1/")
    assert refused.value.context["host"] == "kotu.example.com"
    with pytest.raises(UntrustedPortalError):
        make("http://127.0.0.1:8000/api/v1/")
    make("https://portal.ornek.com.tr/api/v1/").close()
    make_client_factory((), allow_plain_loopback=True)("http://127.0.0.1:8000/api/v1/").close()


def _demo_env(tmp_path: Path, *, display: bool) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["SIGNER_APP_LOG_DIR"] = str(tmp_path / "logs")
    env["SIGNER_APP_CONFIG_DIR"] = str(tmp_path / "config")
    if display:
        env["QT_QPA_PLATFORM"] = "offscreen"
        env["SIGNER_APP_STARTUP_PROBE"] = "1"  # quit once the window is exposed
    return env


@pytest.mark.slow
@pytest.mark.softhsm
def test_demo_opens_the_wizard_when_a_display_is_available(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "signer_app", "demo", "--work", str(tmp_path / "work")],
        env=_demo_env(tmp_path, display=True),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "EXPOSED " in result.stdout
    assert (tmp_path / "work" / "demo.aktivasyon").is_file()


@pytest.mark.slow
@pytest.mark.softhsm
def test_demo_without_a_display_falls_back_to_the_unattended_run(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "signer_app", "--lang", "en", "demo", "--work", str(tmp_path / "w")],
        env=_demo_env(tmp_path, display=False),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "No display" in result.stderr
    assert (tmp_path / "w" / "receipts.csv").is_file()


_ICON_PROBE = r"""
import sys
from signer_app.ui.app import SignerApplication
app = SignerApplication(["signer-app"])
app.use_installed_icon()
print("icon" if not app.windowIcon().isNull() else "none")
"""


def test_window_icon_comes_from_the_installed_icon_theme(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    # A real X server: the offscreen platform has no desktop icon theme at all.
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run is not None, "xvfb-run is installed by scripts/setup.sh"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "XDG_DATA_DIRS": str(tmp_path)}
    env.pop("XDG_DATA_HOME", None)
    env["HOME"] = str(tmp_path / "home")

    def probe() -> str:
        result = subprocess.run(
            [xvfb_run, "-a", sys.executable, "-c", _ICON_PROBE],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        )
        return result.stdout.strip()

    assert probe() == "none"  # not installed: no icon, no error
    # Where installers/linux/install.sh puts it.
    apps = tmp_path / "icons" / "hicolor" / "256x256" / "apps"
    apps.mkdir(parents=True)
    source = root / "installers" / "icons" / "png" / "signer-app-256.png"
    (apps / "tr.signer_app.SignerApp.png").write_bytes(source.read_bytes())
    (tmp_path / "icons" / "hicolor" / "index.theme").write_text(
        "[Icon Theme]\nName=Hicolor\nDirectories=256x256/apps\n\n"
        "[256x256/apps]\nSize=256\nContext=Applications\nType=Threshold\n",
        encoding="utf-8",
    )
    assert probe() == "icon"
