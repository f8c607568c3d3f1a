"""The SoftHSM2 test tokens, checked from the outside with OpenSC and OpenSSL."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID

from signer_app.testpki.manifest import Manifest, ObjectSpec, TokenSpec
from signer_app.testpki.pki import EKU_MALI_MUHUR
from signer_app.testpki.softhsm import (
    CUSTOMER_ENCRYPTION_LABEL,
    CUSTOMER_SEAL_LABEL,
    CUSTOMER_TITLE,
    CUSTOMER_VKN,
    EXPIRED_LABEL,
    INTEGRATOR_VKN,
    MANIFEST_NAME,
    NES_CARD_LABEL,
    NES_CARD_USER_PIN,
    PERSON_SIGN_LABEL,
    PERSON_TCKN,
    SEAL_CARD_2_LABEL,
    SEAL_CARD_2_USER_PIN,
    SEAL_CARD_LABEL,
    SEAL_CARD_USER_PIN,
    SECOND_SEAL_LABEL,
    SECOND_TITLE,
    SECOND_VKN,
    read_token_dir,
)

pytestmark = pytest.mark.softhsm

REPO = Path(__file__).resolve().parents[2]
PKCS11_TOOL = shutil.which("pkcs11-tool")
OPENSSL = shutil.which("openssl")
needs_pkcs11_tool = pytest.mark.skipif(PKCS11_TOOL is None, reason="OpenSC pkcs11-tool missing")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl CLI missing")

EXPECTED = {
    SEAL_CARD_LABEL: {CUSTOMER_SEAL_LABEL: "seal", CUSTOMER_ENCRYPTION_LABEL: "encryption"},
    NES_CARD_LABEL: {PERSON_SIGN_LABEL: "personal"},
    SEAL_CARD_2_LABEL: {SECOND_SEAL_LABEL: "seal", EXPIRED_LABEL: "expired-seal"},
}


# --- helpers ---------------------------------------------------------------------------


def vkn_is_valid(vkn: str) -> bool:
    if not re.fullmatch(r"[0-9]{10}", vkn):
        return False
    digits = [int(c) for c in vkn]
    total = 0
    for i in range(9):
        shifted = (digits[i] + 9 - i) % 10
        weighted = (shifted * 2 ** (9 - i)) % 9
        if shifted and not weighted:
            weighted = 9
        total += weighted
    return (10 - total % 10) % 10 == digits[9]


def tckn_is_valid(tckn: str) -> bool:
    if not re.fullmatch(r"[1-9][0-9]{10}", tckn):
        return False
    d = [int(c) for c in tckn]
    tenth = (7 * sum(d[0:9:2]) - sum(d[1:8:2])) % 10
    return d[9] == tenth and d[10] == sum(d[:10]) % 10


def pkcs11_tool(manifest: Manifest, *args: str, check: bool = True) -> str:
    assert PKCS11_TOOL is not None
    done = subprocess.run(
        [PKCS11_TOOL, "--module", manifest.module_path, *args],
        env={**os.environ, **manifest.env()},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done.stdout


def slot_ids(manifest: Manifest) -> dict[str, str]:
    """Token label → slot id (hex), from ``--list-slots``.

    Tests select slots by id because pkcs11-tool's ``--token-label`` matches a
    *prefix*: "MALI MUHUR" would also pick "MALI MUHUR 2".
    """
    slots: dict[str, str] = {}
    current = ""
    for line in pkcs11_tool(manifest, "--list-slots").splitlines():
        if m := re.match(r"Slot \d+ \((0x[0-9a-f]+)\)", line):
            current = m.group(1)
        elif m := re.match(r"\s+token label\s*:\s*(.*?)\s*$", line):
            slots[m.group(1)] = current
    return slots


def list_objects(manifest: Manifest, slot: str, *login: str) -> list[tuple[str, dict[str, str]]]:
    """``--list-objects`` parsed into (header, fields) pairs."""
    objects: list[tuple[str, dict[str, str]]] = []
    for line in pkcs11_tool(manifest, "--slot", slot, *login, "--list-objects").splitlines():
        if line and not line.startswith(" "):
            objects.append((line, {}))
        elif objects and ":" in line:
            name, _, value = line.strip().partition(":")
            objects[-1][1][name.strip()] = value.strip()
    return objects


def load_cert(obj: ObjectSpec) -> x509.Certificate:
    return x509.load_pem_x509_certificate(obj.cert_pem_path.read_bytes())


def subject_public_key_bits(cert: x509.Certificate) -> bytes:
    """The contents of the certificate's subjectPublicKey BIT STRING."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def all_objects(manifest: Manifest) -> list[tuple[TokenSpec, ObjectSpec]]:
    return [(tok, obj) for tok in manifest.tokens for obj in tok.objects]


# --- the manifest ----------------------------------------------------------------------


def test_manifest_lists_three_tokens_with_their_objects(softhsm: Manifest) -> None:
    assert {tok.label: {o.label: o.kind for o in tok.objects} for tok in softhsm.tokens} == EXPECTED
    assert len({tok.serial for tok in softhsm.tokens}) == 3
    assert softhsm.token(SEAL_CARD_LABEL).user_pin == SEAL_CARD_USER_PIN
    keys = {(o.label, o.key_type, o.key_bits, o.curve) for _, o in all_objects(softhsm)}
    assert keys == {
        (CUSTOMER_SEAL_LABEL, "RSA", 2048, None),
        (CUSTOMER_ENCRYPTION_LABEL, "RSA", 2048, None),
        (PERSON_SIGN_LABEL, "EC", 256, "secp256r1"),
        (SECOND_SEAL_LABEL, "EC", 384, "secp384r1"),
        (EXPIRED_LABEL, "RSA", 2048, None),
    }
    usable = {o.label: o.usable_for for _, o in all_objects(softhsm)}
    assert usable == {
        CUSTOMER_SEAL_LABEL: (CUSTOMER_VKN,),
        CUSTOMER_ENCRYPTION_LABEL: (),
        PERSON_SIGN_LABEL: (PERSON_TCKN,),
        SECOND_SEAL_LABEL: (SECOND_VKN,),
        EXPIRED_LABEL: (),
    }
    assert os.environ["SOFTHSM2_CONF"] == str(softhsm.conf_path)


def test_tax_ids_pass_their_check_digits() -> None:
    for vkn in (CUSTOMER_VKN, SECOND_VKN, INTEGRATOR_VKN, "3900383669"):
        assert vkn_is_valid(vkn), vkn
    assert not vkn_is_valid("1234567802")
    assert tckn_is_valid(PERSON_TCKN)
    assert not tckn_is_valid("10000000147")


def test_manifest_round_trips_and_hides_pins(softhsm: Manifest, tmp_path: Path) -> None:
    on_disk = Manifest.load(softhsm.conf_path.parent / MANIFEST_NAME)
    assert on_disk == softhsm
    elsewhere = tmp_path / "m.json"
    softhsm.save(elsewhere)
    assert Manifest.load(elsewhere) == softhsm
    assert softhsm.created_at.tzinfo is not None
    # Sentinels, because the real test PINs are digit runs that occur in VKNs.
    token = dataclasses.replace(softhsm.tokens[0], user_pin="SENTINEL-U", so_pin="SENTINEL-S")
    text = repr(dataclasses.replace(softhsm, tokens=(token,)))
    assert "SENTINEL" not in text
    assert "user_pin" not in text
    assert "so_pin" not in text


def test_manifest_load_rejects_other_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(ValueError, match="not a test-token manifest"):
        Manifest.load(bad)
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="not JSON"):
        Manifest.load(bad)


# --- the tokens, through OpenSC ---------------------------------------------------------


@needs_pkcs11_tool
def test_list_slots_shows_the_three_tokens(softhsm: Manifest) -> None:
    out = pkcs11_tool(softhsm, "--list-slots")
    assert set(slot_ids(softhsm)) == set(EXPECTED)
    for tok in softhsm.tokens:
        assert re.search(rf"serial num\s*:\s*{tok.serial}\b", out), tok.serial


@needs_pkcs11_tool
def test_certificates_are_readable_without_login(softhsm: Manifest) -> None:
    slots = slot_ids(softhsm)
    for tok in softhsm.tokens:
        objects = list_objects(softhsm, slots[tok.label])
        certs = {f["label"]: f["ID"] for h, f in objects if h.startswith("Certificate Object")}
        assert certs == {o.label: o.id_hex for o in tok.objects}
        assert not [h for h, _ in objects if h.startswith("Private Key Object")]


@needs_pkcs11_tool
def test_certificate_on_token_is_the_pem_written(softhsm: Manifest, tmp_path: Path) -> None:
    slots = slot_ids(softhsm)  # no --login below: certificates are public objects
    for tok, obj in all_objects(softhsm):
        out = tmp_path / f"{obj.label}.der"
        pkcs11_tool(
            softhsm, "--slot", slots[tok.label], "--read-object", "--type", "cert",
            "--id", obj.id_hex, "--output-file", str(out),
        )  # fmt: skip
        assert out.read_bytes() == load_cert(obj).public_bytes(serialization.Encoding.DER)


@needs_pkcs11_tool
def test_private_keys_appear_after_login(softhsm: Manifest) -> None:
    slots = slot_ids(softhsm)
    for tok in softhsm.tokens:
        objects = list_objects(softhsm, slots[tok.label], "--login", "--pin", tok.user_pin)
        keys = {f["label"]: f for h, f in objects if h.startswith("Private Key Object")}
        assert set(keys) == {o.label for o in tok.objects}
        for obj in tok.objects:
            fields = keys[obj.label]
            assert fields["ID"] == obj.id_hex
            assert "sign" in fields["Usage"]
            assert "never extractable" in fields["Access"]
            assert "always sensitive" in fields["Access"]
        publics = {f["label"]: f["ID"] for h, f in objects if h.startswith("Public Key Object")}
        assert publics == {o.label: o.id_hex for o in tok.objects}


@needs_pkcs11_tool
def test_rsa_seal_signature_verifies_with_the_certificate(
    softhsm: Manifest, tmp_path: Path
) -> None:
    seal = softhsm.token(SEAL_CARD_LABEL).object(CUSTOMER_SEAL_LABEL)
    data = "imzalanacak belge — İŞĞÜÇÖ".encode()
    (tmp_path / "in").write_bytes(data)
    pkcs11_tool(
        softhsm, "--slot", slot_ids(softhsm)[SEAL_CARD_LABEL], "--login",
        "--pin", SEAL_CARD_USER_PIN, "--sign", "--mechanism", "SHA256-RSA-PKCS",
        "--id", seal.id_hex, "--input-file", str(tmp_path / "in"),
        "--output-file", str(tmp_path / "sig"),
    )  # fmt: skip
    key = load_cert(seal).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify((tmp_path / "sig").read_bytes(), data, padding.PKCS1v15(), hashes.SHA256())


@needs_pkcs11_tool
@pytest.mark.parametrize(
    "case",
    [
        (NES_CARD_LABEL, NES_CARD_USER_PIN, PERSON_SIGN_LABEL, hashes.SHA256()),
        (SEAL_CARD_2_LABEL, SEAL_CARD_2_USER_PIN, SECOND_SEAL_LABEL, hashes.SHA384()),
    ],
    ids=["p256-nes", "p384-seal"],
)
def test_ec_signature_verifies_with_the_certificate(
    softhsm: Manifest, tmp_path: Path, case: tuple[str, str, str, hashes.HashAlgorithm]
) -> None:
    token_label, pin, label, digest = case
    obj = softhsm.token(token_label).object(label)
    hasher = hashes.Hash(digest)
    hasher.update(b"seri imza")
    prehashed = hasher.finalize()
    (tmp_path / "in").write_bytes(prehashed)
    # SoftHSM has no combined ECDSA-with-hash mechanism: sign the digest raw.
    pkcs11_tool(
        softhsm, "--slot", slot_ids(softhsm)[token_label], "--login", "--pin", pin,
        "--sign", "--mechanism", "ECDSA", "--signature-format", "openssl",
        "--id", obj.id_hex, "--input-file", str(tmp_path / "in"),
        "--output-file", str(tmp_path / "sig"),
    )  # fmt: skip
    key = load_cert(obj).public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify((tmp_path / "sig").read_bytes(), prehashed, ec.ECDSA(Prehashed(digest)))


# --- the certificates ------------------------------------------------------------------


@needs_openssl
def test_certificates_chain_to_their_ca(softhsm: Manifest) -> None:
    assert OPENSSL is not None
    for tok, obj in all_objects(softhsm):
        ca = softhsm.nes_ca_pem if obj.kind == "personal" else softhsm.seal_ca_pem
        args = [OPENSSL, "verify", "-CAfile", str(ca)]
        done = subprocess.run(
            [*args, str(obj.cert_pem_path)], capture_output=True, text=True, check=False
        )
        if obj.kind == "expired-seal":
            assert done.returncode != 0
            assert "expired" in done.stdout + done.stderr
            args.append("-no_check_time")
            done = subprocess.run(
                [*args, str(obj.cert_pem_path)], capture_output=True, text=True, check=False
            )
        assert done.returncode == 0, (tok.label, obj.label, done.stdout, done.stderr)
    done = subprocess.run(
        [OPENSSL, "verify", "-CAfile", str(softhsm.seal_ca_pem), str(softhsm.integrator_cert_pem)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_seal_certificate_has_the_mali_muhur_profile(softhsm: Manifest) -> None:
    cert = load_cert(softhsm.token(SEAL_CARD_LABEL).object(CUSTOMER_SEAL_LABEL))
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical
    assert ku.value.digital_signature
    assert not ku.value.content_commitment
    assert not ku.value.key_encipherment
    assert not ku.value.data_encipherment
    assert not ku.value.key_agreement
    assert not ku.value.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.ObjectIdentifier(EKU_MALI_MUHUR) in eku
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == CUSTOMER_VKN
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == CUSTOMER_TITLE
    second = load_cert(softhsm.token(SEAL_CARD_2_LABEL).object(SECOND_SEAL_LABEL))
    assert second.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == SECOND_TITLE
    encryption = load_cert(softhsm.token(SEAL_CARD_LABEL).object(CUSTOMER_ENCRYPTION_LABEL))
    enc_ku = encryption.extensions.get_extension_for_class(x509.KeyUsage).value
    assert not enc_ku.digital_signature
    assert enc_ku.key_encipherment


def test_validity_follows_now(softhsm: Manifest) -> None:
    now = softhsm.created_at
    for _, obj in all_objects(softhsm):
        cert = load_cert(obj)
        valid_now = cert.not_valid_before_utc <= now <= cert.not_valid_after_utc
        assert valid_now == (obj.kind != "expired-seal"), obj.label
    expired = load_cert(softhsm.token(SEAL_CARD_2_LABEL).object(EXPIRED_LABEL))
    assert expired.not_valid_after_utc < now
    assert expired.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == CUSTOMER_VKN
    assert now <= datetime.now(UTC)


def test_cka_id_is_sha1_of_the_public_key_and_the_ski(softhsm: Manifest) -> None:
    for _, obj in all_objects(softhsm):
        cert = load_cert(obj)
        expected = hashlib.sha1(subject_public_key_bits(cert)).hexdigest()
        assert obj.id_hex == expected, obj.label
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert ski.digest.hex() == obj.id_hex


def test_integrator_key_matches_its_certificate(softhsm: Manifest) -> None:
    key = serialization.load_pem_private_key(softhsm.integrator_key_pem.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(softhsm.integrator_cert_pem.read_bytes())
    assert key.public_key() == cert.public_key()
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == INTEGRATOR_VKN
    if os.name == "posix":
        assert softhsm.integrator_key_pem.stat().st_mode & 0o077 == 0


# --- process isolation, copies and the command line ---------------------------------------


def test_provision_leaves_softhsm_unloaded_in_the_caller(tmp_path: Path) -> None:
    """The calling process must stay free to load SoftHSM with another configuration."""
    if not Path("/proc/self/maps").exists():
        pytest.skip("needs /proc/self/maps (Linux)")
    script = (
        "import sys; from pathlib import Path\n"
        "from signer_app.testpki.softhsm import provision\n"
        "provision(Path(sys.argv[1]))\n"
        "maps = Path('/proc/self/maps').read_text()\n"
        "print('softhsm' in maps, 'pkcs11' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "p")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


@needs_pkcs11_tool
def test_softhsm_copy_is_a_separate_store(softhsm: Manifest, softhsm_copy: Manifest) -> None:
    assert softhsm_copy.conf_path != softhsm.conf_path
    assert read_token_dir(softhsm_copy.conf_path) != read_token_dir(softhsm.conf_path)
    assert read_token_dir(softhsm_copy.conf_path).is_dir()
    assert dataclasses.replace(softhsm_copy, conf_path=softhsm.conf_path) == softhsm
    assert Manifest.load(softhsm_copy.conf_path.parent / MANIFEST_NAME) == softhsm_copy
    out = pkcs11_tool(softhsm_copy, "--list-slots")
    for tok in softhsm.tokens:
        assert tok.serial in out


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signer_app.testpki", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    done = run_cli("provision", "--out", str(target))
    assert done.returncode == 2
    assert "--force" in done.stderr
    # Not even --force wipes a directory that provisioning did not make.
    done = run_cli("provision", "--out", str(target), "--force")
    assert done.returncode == 2
    assert (target / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]


def test_cli_force_replaces_an_earlier_provisioning(softhsm: Manifest, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    shutil.copy(softhsm.conf_path.parent / MANIFEST_NAME, target / MANIFEST_NAME)
    done = run_cli("provision", "--out", str(target))
    assert done.returncode == 2
    done = run_cli("provision", "--out", str(target), "--force")
    assert done.returncode == 0, done.stderr
    manifest_path = target.resolve() / MANIFEST_NAME
    assert done.stdout.splitlines()[0] == str(manifest_path)
    fresh = Manifest.load(manifest_path)
    assert [t.label for t in fresh.tokens] == [t.label for t in softhsm.tokens]
    assert {t.serial for t in fresh.tokens}.isdisjoint(t.serial for t in softhsm.tokens)
    for tok in fresh.tokens:
        assert tok.label in done.stdout
