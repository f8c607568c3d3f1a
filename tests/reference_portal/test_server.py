"""Running the portal: HTTPS, stopping, and the command line."""

from __future__ import annotations

import ipaddress
import json
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from reference_portal import Store, start_portal
from reference_portal.__main__ import main
from reference_portal.store import company, services
from signer_app.testpki import pki
from signer_app.testpki.softhsm import CUSTOMER_VKN, SECOND_VKN
from tests.reference_portal.helpers import TIMEOUT, PortalPki

REPO = Path(__file__).resolve().parents[2]


def _server_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server-cert.pem", folder / "server-key.pem"
    cert_path.write_bytes(pki.to_pem(cert))
    key_path.write_bytes(pki.to_pem(key))
    return cert_path, key_path


def test_https_and_a_clean_stop(test_pki: PortalPki, tmp_path: Path) -> None:
    cert, key = _server_certificate(tmp_path)
    with start_portal(
        tmp_path / "tls.sqlite",
        integrator_key_pem=test_pki.integrator_key_pem,
        integrator_cert_pem=test_pki.integrator_cert_pem,
        tls_cert=cert,
        tls_key=key,
    ) as portal:
        assert portal.url.startswith("https://127.0.0.1:")
        assert portal.url.endswith("/api/v1/")
        response = requests.get(portal.url + "openapi.yaml", verify=str(cert), timeout=TIMEOUT)
        assert response.status_code == 200
        with requests.Session() as untrusting, pytest.raises(requests.exceptions.SSLError):
            untrusting.get(portal.url + "openapi.yaml", timeout=TIMEOUT)
        port = int(portal.base_url.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    portal.stop()  # a second stop does nothing


def test_tls_needs_both_files(test_pki: PortalPki, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="both"):
        start_portal(
            tmp_path / "x.sqlite",
            integrator_key_pem=test_pki.integrator_key_pem,
            integrator_cert_pem=test_pki.integrator_cert_pem,
            tls_cert=tmp_path / "cert.pem",
        )


def test_a_seal_whose_key_is_not_its_certificates_is_refused(
    test_pki: PortalPki, tmp_path: Path
) -> None:
    wrong_key = tmp_path / "other-key.pem"
    wrong_key.write_bytes(pki.to_pem(test_pki.customer.key))
    with pytest.raises(ValueError, match="does not belong"):
        start_portal(
            tmp_path / "x.sqlite",
            integrator_key_pem=wrong_key,
            integrator_cert_pem=test_pki.integrator_cert_pem,
        )


def test_demo_data_command(test_pki: PortalPki, tmp_path: Path) -> None:
    db, out = tmp_path / "demo.sqlite", tmp_path / "demo.aktivasyon"
    status = main(
        [
            "demo-data",
            "--db",
            str(db),
            "--out",
            str(out),
            "--integrator-key",
            str(test_pki.integrator_key_pem),
            "--integrator-cert",
            str(test_pki.integrator_cert_pem),
            "--portal-url",
            "https://portal.test:8443/api/v1/",
        ]
    )
    assert status == 0
    contract = json.loads(out.read_bytes())
    assert contract["portal_url"] == "https://portal.test:8443/api/v1/"
    assert contract["company"]["id"] == CUSTOMER_VKN
    with Store(db) as store, store.transaction() as rows:
        assert company(rows, SECOND_VKN) is not None
        assert company(rows, SECOND_VKN).gib_application_filed is False  # type: ignore[union-attr]
        assert {row.status.value for row in services(rows, CUSTOMER_VKN)} == {
            "musteri_imzasi_bekliyor"
        }
    # Without a seal or URL and no server ever started on this database: refused.
    assert main(["demo-data", "--db", str(tmp_path / "new.sqlite"), "--out", str(out)]) == 1


def test_serve_command(test_pki: PortalPki, tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "reference_portal",
        "serve",
        "--db",
        str(tmp_path / "served.sqlite"),
        "--integrator-key",
        str(test_pki.integrator_key_pem),
        "--integrator-cert",
        str(test_pki.integrator_cert_pem),
        "--demo",
    ]
    # "-m" from the repository's root finds reference_portal there.
    with subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as server:
        try:
            assert server.stdout is not None
            first = server.stdout.readline()
            assert first.startswith("Portal API:"), first + (
                server.stderr.read() if server.stderr else ""
            )
            url = first.split(":", 1)[1].strip()
            token = server.stdout.readline().split(":", 1)[1].strip()
            assert requests.get(url + "openapi.yaml", timeout=TIMEOUT).status_code == 200
            base = url.removesuffix("/api/v1/")
            page = requests.get(
                f"{base}/portal/companies/{CUSTOMER_VKN}/services",
                headers={"X-Admin-Token": token},
                timeout=TIMEOUT,
            )
            assert page.status_code == 200
        finally:
            server.send_signal(signal.SIGINT)
            assert server.wait(timeout=15) == 0
