"""``signer-app verify`` and ``signer-app countersign`` as a person or a script runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from signer_app.envelope.builder import AccountSpec, build_user_document
from signer_app.envelope.signing import add_main_signature_bytes
from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import CUSTOMER_TITLE, CUSTOMER_VKN, INTEGRATOR_VKN
from tests.support.gibschema import gib_dir

pytestmark = pytest.mark.softhsm


def signer_app(
    *args: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signer_app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"SIGNER_APP_LOG_DIR": str(tmp_path / "logs"), "SIGNER_APP_CONFIG_DIR": str(tmp_path)}


@pytest.fixture
def integrator_signed(softhsm: Manifest, tmp_path: Path) -> Path:
    """An e-Arşiv opening for the test customer, signed by the test integrator."""
    document = build_user_document(
        operation="open",
        integrator_id=INTEGRATOR_VKN,
        customer_id=CUSTOMER_VKN,
        customer_name=CUSTOMER_TITLE,
        option_code=22,
        accounts=[AccountSpec()],
        created=datetime.now(UTC),
    )
    key = serialization.load_pem_private_key(softhsm.integrator_key_pem.read_bytes(), None)
    cert = x509.load_pem_x509_certificate(softhsm.integrator_cert_pem.read_bytes())
    path = tmp_path / "earsiv.xml"
    path.write_bytes(
        add_main_signature_bytes(
            document,
            key,  # type: ignore[arg-type]
            cert,
            signing_time=datetime.now().astimezone(),
        )
    )
    return path


def test_verify_gib_sample_in_turkish_and_json(env: dict[str, str]) -> None:
    sample = str(gib_dir() / "xml" / "4_KULLANICI_ACMA.xml")
    human = signer_app("verify", sample, env=env)
    assert human.returncode == 0, human.stderr
    assert "Kullanıcı açma belgesi" in human.stdout
    assert "Hizmet: e-Fatura (ÖZEL)" in human.stdout
    assert "Müşteri imzası (seri imza): geçerli" in human.stdout
    assert "Sonuç: GEÇERLİ" in human.stdout
    machine = signer_app("verify", sample, "--json", env=env)
    assert machine.returncode == 0
    report = json.loads(machine.stdout)
    assert report["valid"] and report["service"] == "efatura" and report["operation"] == "open"
    assert report["integrator_id"] == report["customer_id"] == "9999999999"
    assert report["main_signature"]["signer"]["tax_id"] == "9999999999"
    assert report["counter_signature"]["signer_matches"] is True


def test_verify_envelope_reports_the_findings_and_fails(env: dict[str, str]) -> None:
    sample = str(gib_dir() / "xml" / "5_KULLANICI_SILME_ZARF.xml")
    result = signer_app("--lang", "en", "verify", sample, "--json", env=env)
    assert result.returncode == 3
    report = json.loads(result.stdout)
    assert report["kind"] == "envelope" and report["sender_alias"] == "usergb"
    assert [f["code"] for f in report["findings"]] == ["TypeVersionCheck.TypeVersion"]
    assert report["documents"][0]["valid"] is True
    assert report["documents"][0]["operation"] == "close"


def test_verify_refuses_hostile_xml_with_words(env: dict[str, str], tmp_path: Path) -> None:
    hostile = tmp_path / "xxe.xml"
    hostile.write_text('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')
    result = signer_app("verify", str(hostile), env=env)
    assert result.returncode == 1
    assert "DOCTYPE" in result.stderr
    assert "root:" not in result.stdout + result.stderr


def test_countersign_on_softhsm_with_the_pin_from_the_terminal(
    softhsm: Manifest, integrator_signed: Path, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "signed.xml"
    pin = softhsm.token("MALI MUHUR").user_pin
    result = signer_app(
        "countersign",
        str(integrator_signed),
        "--out",
        str(out),
        "--module",
        softhsm.module_path,
        env=env,
        stdin=pin + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert "iki imza da doğrulandı" in result.stdout
    # The test PIN also occurs inside the VKN, so look for it as a number of its own.
    assert not re.search(rf"(?<!\d){pin}(?!\d)", result.stdout + result.stderr)
    check = signer_app("verify", str(out), "--json", env=env)
    assert check.returncode == 0, check.stdout
    report = json.loads(check.stdout)
    assert report["counter_signature"]["signer"]["tax_id"] == CUSTOMER_VKN
    # An existing output is not overwritten without --force.
    again = signer_app(
        "countersign",
        str(integrator_signed),
        "--out",
        str(out),
        "--module",
        softhsm.module_path,
        env=env,
        stdin=pin + "\n",
    )
    assert again.returncode == 1 and "--force" in again.stderr


def test_countersign_wrong_pin_writes_nothing(
    softhsm_copy: Manifest, integrator_signed: Path, env: dict[str, str], tmp_path: Path
) -> None:
    # A private copy of the tokens: a wrong PIN leaves its mark on the token.
    out = tmp_path / "signed.xml"
    result = signer_app(
        "countersign",
        str(integrator_signed),
        "--out",
        str(out),
        "--module",
        softhsm_copy.module_path,
        env={**env, **softhsm_copy.env()},
        stdin="000000\n",
    )
    assert result.returncode == 1
    assert "PIN yanlış" in result.stderr
    assert not out.exists()


def test_countersign_refuses_a_document_before_asking_for_the_pin(
    softhsm: Manifest, env: dict[str, str], tmp_path: Path
) -> None:
    unsigned = build_user_document(
        operation="open",
        integrator_id=INTEGRATOR_VKN,
        customer_id=CUSTOMER_VKN,
        customer_name=CUSTOMER_TITLE,
        option_code=22,
        accounts=[AccountSpec()],
        created=datetime.now(UTC),
    )
    path = tmp_path / "unsigned.xml"
    path.write_bytes(unsigned)
    result = signer_app(
        "countersign",
        str(path),
        "--out",
        str(tmp_path / "o.xml"),
        "--module",
        softhsm.module_path,
        env=env,
        stdin="123456\n",
    )
    assert result.returncode == 1
    assert "PIN" not in result.stderr  # refused before any PIN prompt
    assert not (tmp_path / "o.xml").exists()


def test_policy_can_pin_the_integrator(env: dict[str, str], tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"settings": {"integrator.vkn": "3880038809"}}))
    sample = str(gib_dir() / "xml" / "4_KULLANICI_ACMA.xml")
    result = signer_app(
        "verify", sample, "--json", env={**env, "SIGNER_APP_POLICY_FILE": str(policy)}
    )
    assert result.returncode == 3
    main = json.loads(result.stdout)["main_signature"]
    assert main["valid"] is False and main["error"] == "envelope.signer_mismatch"
