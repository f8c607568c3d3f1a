"""The support bundle: SoftHSM2 tokens and the reference portal over loopback HTTP and TLS.

Everything here is real: the token host loads SoftHSM2, the portal is the
reference portal (uvicorn in a thread) with a TLS certificate from the test
CA of ``tests/portal_api``, and the clock-skew server is an ``http.server``
whose ``Date`` header runs an hour ahead. The TLS interception case is the
test CA trusted for the operating-system-store check (the portal client's
``extra_ca_file``, on top of the system store) while certifi, Mozilla's
bundle, does not know it — exactly what a corporate TLS-inspecting proxy
looks like from the desk.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reference_portal.server import RunningPortal, start_portal
from signer_app.config import LoadedSettings, load_settings
from signer_app.diagnose import (
    SupportBundle,
    clock_skew,
    mask_proxy_url,
    render_report,
    write_support_bundle,
)
from signer_app.errors import ConfigError, DiagnoseError
from signer_app.logs import close_logging, configure_logging, forget_all_secrets, register_secret
from signer_app.testpki.manifest import Manifest
from tests.portal_api import conftest as portal_fixtures
from tests.portal_api.connect_proxy import ConnectProxy
from tests.portal_api.stub_portal import StubPortal
from tests.portal_api.tlsutil import TlsFiles, make_tls_files

pytestmark = pytest.mark.softhsm

# The shared TLS test CA and server certificate for 127.0.0.1 (tests/portal_api).
tls_files = portal_fixtures.tls_files

SECRET = "Gizli-Parola-Zq81xW"
PROXY_SECRET = "Vekil-Sifre-Kp47"


@pytest.fixture(scope="module")
def plain_portal(
    softhsm: Manifest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningPortal]:
    folder = tmp_path_factory.mktemp("plain-portal")
    with start_portal(
        folder / "portal.sqlite3",
        integrator_key_pem=softhsm.integrator_key_pem,
        integrator_cert_pem=softhsm.integrator_cert_pem,
        scheduler_interval=None,
    ) as portal:
        yield portal


@pytest.fixture(scope="module")
def tls_portal(
    softhsm: Manifest, tls_files: TlsFiles, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningPortal]:
    folder = tmp_path_factory.mktemp("tls-portal")
    with start_portal(
        folder / "portal.sqlite3",
        integrator_key_pem=softhsm.integrator_key_pem,
        integrator_cert_pem=softhsm.integrator_cert_pem,
        tls_cert=tls_files.server_cert,
        tls_key=tls_files.server_key,
        scheduler_interval=None,
    ) as portal:
        yield portal


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedSettings:
    """Settings with a machine policy that sets and locks a key, and a user file."""
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "settings": {"portal.trusted_hosts": ["127.0.0.1"], "log_level": "DEBUG"},
                "locked": ["portal.trusted_hosts"],
            }
        ),
        encoding="utf-8",
    )
    user = tmp_path / "cfg"
    user.mkdir()
    (user / "settings.json").write_text(
        json.dumps({"settings": {"portal.trusted_hosts": ["evil.example"], "language": "en"}}),
        encoding="utf-8",
    )
    return load_settings(
        policy_file=policy, user_dir=user, command_line={"token.timeouts.sign": "45"}
    )


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "logs"
    configure_logging(level="DEBUG", log_dir=folder)
    yield folder
    close_logging()
    forget_all_secrets()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _bundle(tmp_path: Path, **kwargs: Any) -> SupportBundle:
    kwargs.setdefault("log_dir", tmp_path / "no-logs")
    kwargs.setdefault("timeout", 5.0)
    return write_support_bundle(tmp_path / "bundle" / "support.zip", **kwargs)


# -- structure, settings, tokens ----------------------------------------------------------------


def test_zip_holds_both_reports_and_logs_with_softhsm_and_a_plain_portal(
    softhsm: Manifest,
    plain_portal: RunningPortal,
    loaded: LoadedSettings,
    log_dir: Path,
    tmp_path: Path,
) -> None:
    logging.getLogger("signer_app.test").info("a line before the bundle")
    bundle = _bundle(
        tmp_path,
        loaded=loaded,
        portal_url=plain_portal.url,
        modules=[softhsm.module_path],
        log_dir=log_dir,
    )

    assert bundle.path.is_file()
    assert stat.S_IMODE(bundle.path.stat().st_mode) == 0o600
    entries = _entries(bundle.path)
    assert set(entries) == {"report.txt", "report.json", "logs/signer-app.log"}
    report = json.loads(entries["report.json"])
    assert report == bundle.report
    assert report["format"] == "signer-app-diagnostics"
    assert bundle.failed_sections == ()

    system = report["system"]
    assert system["bits"] in (32, 64)
    assert system["frozen"] is False
    for library in ("cryptography", "python-pkcs11", "PyKCS11", "lxml", "requests"):
        assert library in system["libraries"]

    values = {item["key"]: item for item in report["settings"]["values"]}
    assert values["portal.trusted_hosts"] == {
        "key": "portal.trusted_hosts",
        "value": ["127.0.0.1"],
        "source": "policy",
        "locked": True,
    }
    assert values["language"]["source"] == "user"
    assert values["token.timeouts.sign"] == {
        "key": "token.timeouts.sign",
        "value": 45.0,
        "source": "command_line",
        "locked": False,
    }
    assert values["pkcs11.backend"]["source"] == "default"
    assert {"key": "portal.trusted_hosts", "source": "user"} in report["settings"][
        "ignored_overrides"
    ]

    [module] = [m for m in report["tokens"]["modules"] if m["path"] == softhsm.module_path]
    assert module["outcome"] == "loaded"
    cards = {s["token"]["label"]: s for s in module["slots"] if s["token"]}
    seal = cards["MALI MUHUR"]
    assert seal["token"]["pin_status"] == "ok"
    assert seal["token"]["pin_final_try"] is False
    assert seal["token"]["protected_authentication_path"] is False
    assert "TOKEN_INITIALIZED" in seal["token"]["flags"]
    certs = {c["label"]: c for s in module["slots"] for c in s["certificates"]}
    signing = certs["1234567808SIGN0"]
    assert "2.5.4.5=1234567808" in signing["subject"]
    assert "SAHTE" in signing["issuer"]
    assert signing["kind"] == "mali_muhur"
    assert signing["key_algorithm"].startswith("RSA")
    assert signing["usable"] is True
    assert certs["EXPIRED"]["reasons"] == ["expired"]
    assert certs["1234567808ENCR0"]["usable"] is False
    for cert in certs.values():
        assert set(cert) >= {"subject", "issuer", "serial_hex", "not_before", "not_after"}
        assert not {"der", "pem", "private_key", "pin"} & set(cert)

    portal = report["portal"]
    assert portal["verdict"] == "ok"
    assert portal["trusted_host"] is True
    assert portal["tcp"]["ok"] is True
    assert portal["tls"] == {"verdict": "not_applicable"}
    assert portal["http"]["status"] == 200
    assert abs(portal["clock"]["skew_seconds"]) < 5
    assert report["problems"] == []

    text = entries["report.txt"].decode("utf-8")
    assert text == render_report(report)
    for heading in (
        "Sistem / System",
        "Ayarlar ve makine ilkesi / Settings and machine policy",
        "Vekil sunucu / Proxy",
        "Kart kütüphaneleri ve kartlar / PKCS#11 modules and cards",
        "Portal erişimi ve TLS / Portal reachability and TLS",
        "Günlük / Logs",
    ):
        assert heading in text
    assert "portal.trusted_hosts = 127.0.0.1  (policy, kilitli / locked)" in text
    assert "1234567808SIGN0" in text
    assert "a line before the bundle" in entries["logs/signer-app.log"].decode("utf-8")
    assert report["logs"]["included"] >= 1


def test_a_broken_module_and_unreadable_settings_are_recorded(
    softhsm: Manifest, tmp_path: Path
) -> None:
    not_a_module = tmp_path / "libakisp11.so"
    not_a_module.write_bytes(b"not a shared library")
    policy = tmp_path / "policy.json"
    policy.write_text("{ this is not json", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(policy_file=policy, user_dir=tmp_path)
    bundle = _bundle(tmp_path, settings_error=error.value, modules=[str(not_a_module)])

    report = bundle.report
    assert "settings_unreadable" in bundle.problems
    assert "ConfigError" in report["settings"]["error"]
    assert {v["source"] for v in report["settings"]["values"]} == {"default"}
    [module] = [m for m in report["tokens"]["modules"] if m["path"] == str(not_a_module)]
    assert module["outcome"] == "not_pkcs11"
    assert report["portal"] == {"configured": False, "verdict": "not_configured"}
    assert "settings" in bundle.failed_sections
    assert bundle.path.is_file()


# -- the portal -----------------------------------------------------------------------------------


def test_a_portal_that_is_down_is_recorded_and_the_zip_is_still_made(tmp_path: Path) -> None:
    url = f"https://127.0.0.1:{_closed_port()}/api/v1/"
    bundle = _bundle(tmp_path, portal_url=url)

    portal = bundle.report["portal"]
    assert portal["verdict"] == "connect_failed"
    assert portal["dns"]["ok"] is True
    assert portal["tcp"]["ok"] is False
    assert "ConnectionRefusedError" in portal["tcp"]["error"]
    assert "connect_failed" in bundle.problems
    assert "Portala bağlanılamadı" in _entries(bundle.path)["report.txt"].decode("utf-8")


def test_a_name_that_does_not_resolve_is_a_dns_failure(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, portal_url="https://portal.invalid/api/v1/")
    assert bundle.report["portal"]["verdict"] == "dns_failed"
    assert bundle.report["portal"]["dns"]["ok"] is False
    assert bundle.path.is_file()


def test_a_certificate_from_an_unknown_ca_is_a_tls_failure(
    tls_portal: RunningPortal, tmp_path: Path
) -> None:
    bundle = _bundle(tmp_path, portal_url=tls_portal.url)

    portal = bundle.report["portal"]
    tls = portal["tls"]
    assert portal["verdict"] == tls["verdict"] == "tls_untrusted"
    assert tls["handshake"]["ok"] is True
    assert tls["os_store"]["ok"] is False
    assert "certificate verify failed" in tls["os_store"]["error"]
    assert tls["mozilla"]["ok"] is False
    assert tls["chain"][0]["issuer"].startswith("CN=signer-app test TLS CA")
    # The clock is still read, over an unverified connection that sends nothing secret.
    assert portal["http_unverified"] is True
    assert abs(portal["clock"]["skew_seconds"]) < 5
    assert "tls_untrusted" in bundle.problems
    assert "tls_interception_likely" not in bundle.problems


def test_a_chain_only_the_os_store_trusts_is_reported_as_interception(
    tls_portal: RunningPortal, tls_files: TlsFiles, tmp_path: Path
) -> None:
    bundle = _bundle(tmp_path, portal_url=tls_portal.url, extra_ca_file=tls_files.ca_cert)

    portal = bundle.report["portal"]
    tls = portal["tls"]
    assert tls["verdict"] == "tls_interception_likely"
    assert tls["os_store"] == {"ok": True}
    assert tls["mozilla"]["ok"] is False
    assert tls["handshake"]["version"] in ("TLSv1.2", "TLSv1.3")
    subjects = [c["subject"] for c in tls["chain"]]
    assert "CN=127.0.0.1" in subjects[0]
    assert len(tls["chain"][0]["sha256"]) == 64
    assert portal["http"]["status"] == 200
    assert bundle.problems[0] == "tls_interception_likely"
    text = _entries(bundle.path)["report.txt"].decode("utf-8")
    assert "TLS interception (corporate proxy/antivirus) likely" in text
    assert "TLS araya girme olası" in text


def test_the_checks_go_through_the_configured_proxy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = make_tls_files(tmp_path / "tls", hosts=("portal.test",))
    with StubPortal(tls=files.server_context()) as stub:
        port = int(stub.url.rsplit(":", 1)[1].split("/", 1)[0])
        proxy = ConnectProxy(port)
        try:
            proxy_url = proxy.url.replace("http://", f"http://proxyuser:{PROXY_SECRET}@")
            monkeypatch.setenv("HTTPS_PROXY", proxy_url)
            monkeypatch.delenv("NO_PROXY", raising=False)
            monkeypatch.delenv("no_proxy", raising=False)
            bundle = _bundle(
                tmp_path, portal_url="https://portal.test/api/v1/", extra_ca_file=files.ca_cert
            )
        finally:
            proxy.stop()
    portal = bundle.report["portal"]
    masked = proxy.url.replace("http://", "http://***@")
    assert portal["proxy"] == bundle.report["proxies"]["portal_proxy"] == masked
    assert portal["dns"]["ok"] is False  # the proxy resolves the name, not this computer
    assert portal["tcp"] == {"ok": True, "ms": portal["tcp"]["ms"], "peer": portal["tcp"]["peer"]}
    assert portal["tcp"]["peer"].startswith("via proxy 127.0.0.1:")
    assert set(proxy.connects) == {"portal.test:443"}
    assert portal["tls"]["os_store"] == {"ok": True}
    assert portal["tls"]["verdict"] == "tls_interception_likely"
    # The stub serves no API description: reachable, but not the expected answer.
    assert portal["http"]["status"] == 404
    assert PROXY_SECRET.encode() not in b"".join(_entries(bundle.path).values())


class _SkewedHandler(BaseHTTPRequestHandler):
    """Answers every GET with 200 and a ``Date`` one hour ahead."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        del timestamp
        return format_datetime(datetime.fromtimestamp(time.time() + 3600, UTC), usegmt=True)

    def do_GET(self) -> None:
        body = b"openapi: 3.1.0\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/yaml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_clock_skew_comes_from_the_date_header(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SkewedHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/api/v1/"
        bundle = _bundle(tmp_path, portal_url=url)
    finally:
        server.shutdown()
        server.server_close()
    clock = bundle.report["portal"]["clock"]
    assert 3595 <= clock["skew_seconds"] <= 3605
    assert clock["server_ahead"] is True
    assert clock["ok"] is False
    assert "clock_skew" in bundle.problems


def test_clock_skew_arithmetic() -> None:
    sent = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
    # The stamp is truncated to the second: half a second is added back.
    assert clock_skew("Fri, 02 Jan 2026 03:05:05 GMT", sent, sent + 2) == 59.5
    assert clock_skew("Fri, 02 Jan 2026 03:04:05 GMT", sent + 10, sent + 10) == -9.5
    assert clock_skew("not a date", sent, sent) is None


# -- secrets --------------------------------------------------------------------------------------


def test_mask_proxy_url() -> None:
    assert mask_proxy_url("http://user:pw@proxy.example:3128") == "http://***@proxy.example:3128"
    assert mask_proxy_url("user:pw@proxy.example:3128") == "***@proxy.example:3128"
    assert mask_proxy_url("http://proxy.example:3128") == "http://proxy.example:3128"
    assert mask_proxy_url("localhost,.corp.example") == "localhost,.corp.example"


def test_no_secret_reaches_the_zip(
    softhsm: Manifest,
    log_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    register_secret(SECRET)
    logging.getLogger("signer_app.test").warning("login with password %s", SECRET)
    logging.getLogger("signer_app.test").info("web-service password=%s", SECRET)
    # A line an older version wrote unmasked: the bundle masks it on the way out.
    with (log_dir / "signer-app.log").open("a", encoding="utf-8") as stream:
        stream.write(f"2026-01-01 00:00:00.000 INFO    [1 Main] old: {SECRET}\n")
    rotated = log_dir / "signer-app.log.1"
    rotated.write_text(f"older line with {SECRET} in it\n", encoding="utf-8")
    monkeypatch.setenv("HTTPS_PROXY", f"http://proxyuser:{PROXY_SECRET}@proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")

    bundle = _bundle(
        tmp_path,
        modules=[softhsm.module_path],
        log_dir=log_dir,
        portal_url=f"https://127.0.0.1:{_closed_port()}/api/v1/",
    )

    entries = _entries(bundle.path)
    log_text = entries["logs/signer-app.log"].decode("utf-8")
    assert "older line with *** in it" in log_text
    assert "old: ***" in log_text
    for name, data in entries.items():
        for secret in (SECRET, PROXY_SECRET, "proxyuser"):
            assert secret.encode() not in data, (name, secret)
    for token in softhsm.tokens:
        for pin in (token.user_pin, token.so_pin):
            assert f"PIN: {pin}".encode() not in entries["report.txt"]
    proxies = bundle.report["proxies"]
    assert proxies["environment"]["HTTPS_PROXY"] == "http://***@proxy.example:3128"
    # A loopback portal is always reached directly.
    assert proxies["portal_proxy"] is None


def test_the_bundle_does_not_load_qt(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from signer_app.diagnose import write_support_bundle\n"
        "write_support_bundle(Path(sys.argv[1]), log_dir=Path(sys.argv[2]), timeout=2.0)\n"
        "assert 'PySide6' not in sys.modules, 'Qt was loaded'\n"
    )
    out = tmp_path / "support.zip"
    result = subprocess.run(
        [sys.executable, "-c", code, str(out), str(tmp_path / "logs")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "SIGNER_APP_CONFIG_DIR": str(tmp_path / "cfg")},
    )
    assert result.returncode == 0, result.stderr
    assert out.is_file()


def test_an_unwritable_destination_raises_diagnose_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(DiagnoseError) as caught:
        write_support_bundle(blocker / "support.zip", log_dir=tmp_path, timeout=2.0)
    assert caught.value.message_key == "diagnose.write_failed"
    assert list(tmp_path.iterdir()) == [blocker]
