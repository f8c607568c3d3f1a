"""One contract for every way of driving a module.

The same tests run on python-pkcs11 and PyKCS11, through the token host
process, against SoftHSM2 directly and through the fault module (configured
to pass everything through), plus python-pkcs11 in-process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from signer_app.certificates import CertificateKind
from signer_app.testpki.manifest import Manifest, ObjectSpec, TokenSpec
from signer_app.token.api import BackendName
from signer_app.token.errors import (
    KeyNotFoundError,
    LoginRequiredError,
    PinIncorrectError,
    PinPadUnavailableError,
    TokenNotPresentError,
)
from signer_app.token.pin import PinStatus
from signer_app.token.service import Isolation, TokenCertificate, TokenService

pytestmark = pytest.mark.softhsm


@dataclass
class Subject:
    service: TokenService
    module: str
    manifest: Manifest

    def slot_of(self, token: TokenSpec) -> int:
        for slot in self.service.slots(self.module):
            if slot.token is not None and slot.token.label == token.label:
                return slot.slot_id
        raise AssertionError(f"token {token.label} not found")

    def cert(self, token: TokenSpec, obj: ObjectSpec) -> TokenCertificate:
        slot_id = self.slot_of(token)
        for cert in self.service.certificates(self.module, slot_id):
            if cert.id == obj.id:
                return cert
        raise AssertionError(f"certificate {obj.label} not found")


VARIANTS = [
    ("python-pkcs11", "process", "softhsm"),
    ("pykcs11", "process", "softhsm"),
    ("python-pkcs11", "process", "fault"),
    ("pykcs11", "process", "fault"),
    ("python-pkcs11", "inprocess", "softhsm"),
]


@pytest.fixture(params=VARIANTS, ids=["-".join(v) for v in VARIANTS])
def subject(
    request: pytest.FixtureRequest,
    softhsm: Manifest,
    make_service: Callable[..., TokenService],
    fault_module: Path,
    fault_config: Callable[..., dict[str, str]],
) -> Subject:
    backend, isolation, module = request.param
    env = fault_config() if module == "fault" else {}
    service = make_service(BackendName(backend), Isolation(isolation), env)
    path = str(fault_module) if module == "fault" else softhsm.module_path
    return Subject(service, path, softhsm)


def _object(token: TokenSpec, kind: str) -> ObjectSpec:
    return next(o for o in token.objects if o.kind == kind)


def test_slots_show_every_token_with_label_serial_and_pin_state(subject: Subject) -> None:
    slots = subject.service.slots(subject.module)
    by_label = {s.token.label: s for s in slots if s.token is not None}
    for token in subject.manifest.tokens:
        slot = by_label[token.label]
        assert slot.token_present
        assert slot.token is not None
        assert slot.token.serial == token.serial
        assert slot.token.login_required
        assert slot.token.pin_status is PinStatus.OK
        assert slot.description
    assert len({s.slot_id for s in slots}) == len(slots)


def test_certificates_are_listed_without_a_pin(subject: Subject) -> None:
    for token in subject.manifest.tokens:
        slot_id = subject.slot_of(token)
        assert not subject.service.is_logged_in(subject.module, slot_id)
        certs = {c.id: c for c in subject.service.certificates(subject.module, slot_id)}
        assert set(certs) == {o.id for o in token.objects}
        for obj in token.objects:
            cert = certs[obj.id]
            assert cert.label == obj.label
            assert cert.info is not None
            assert cert.info.tax_id == obj.tax_id
            expected = x509.load_pem_x509_certificate(obj.cert_pem_path.read_bytes())
            assert cert.object.der == expected.public_bytes(Encoding.DER)


def test_kinds_of_the_provisioned_certificates(subject: Subject) -> None:
    kinds = {}
    for token in subject.manifest.tokens:
        for obj in token.objects:
            info = subject.cert(token, obj).info
            assert info is not None
            kinds[obj.kind] = info.kind
    assert kinds["seal"] is CertificateKind.MALI_MUHUR
    assert kinds["personal"] is CertificateKind.QUALIFIED_PERSONAL
    assert kinds["encryption"] is CertificateKind.ENCRYPTION
    assert kinds["expired-seal"] is CertificateKind.MALI_MUHUR


def test_wrong_pin_is_reported_with_the_pin_state_and_not_retried(subject: Subject) -> None:
    token = subject.manifest.tokens[0]
    slot_id = subject.slot_of(token)
    with pytest.raises(PinIncorrectError) as caught:
        subject.service.login(subject.module, slot_id, "000000")
    assert caught.value.retriable
    # SoftHSM raises COUNT_LOW after a wrong PIN; the error carries it.
    assert caught.value.status is PinStatus.WRONG_BEFORE
    assert not subject.service.is_logged_in(subject.module, slot_id)
    subject.service.login(subject.module, slot_id, token.user_pin)
    assert subject.service.is_logged_in(subject.module, slot_id)
    assert subject.service.pin_status(subject.module, slot_id) is PinStatus.OK
    subject.service.logout(subject.module, slot_id)


@pytest.mark.parametrize(
    ("token_index", "kind", "hash_algorithm"),
    [
        (0, "seal", hashes.SHA256()),
        (1, "personal", hashes.SHA256()),
        (2, "seal", hashes.SHA384()),
    ],
    ids=["rsa2048-sha256", "p256-sha256", "p384-sha384"],
)
def test_signatures_verify_with_the_certificate(
    subject: Subject, token_index: int, kind: str, hash_algorithm: hashes.HashAlgorithm
) -> None:
    token = subject.manifest.tokens[token_index]
    cert = subject.cert(token, _object(token, kind))
    subject.service.login(subject.module, cert.slot_id, token.user_pin)
    try:
        key = subject.service.private_key(cert)
        public = x509.load_der_x509_certificate(cert.object.der).public_key()
        data = "İmzalanacak veri — ŞĞÜ".encode() * 40
        if isinstance(key, rsa.RSAPrivateKey):
            assert isinstance(public, rsa.RSAPublicKey)
            assert key.key_size == 2048
            signature = key.sign(data, padding.PKCS1v15(), hash_algorithm)
            public.verify(signature, data, padding.PKCS1v15(), hash_algorithm)
        else:
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            assert isinstance(public, ec.EllipticCurvePublicKey)
            signature = key.sign(data, ec.ECDSA(hash_algorithm))
            public.verify(signature, data, ec.ECDSA(hash_algorithm))
    finally:
        subject.service.logout(subject.module, cert.slot_id)


def test_signing_needs_a_login(subject: Subject) -> None:
    token = subject.manifest.tokens[0]
    cert = subject.cert(token, _object(token, "seal"))
    with pytest.raises(LoginRequiredError):
        subject.service.private_key(cert)
    subject.service.login(subject.module, cert.slot_id, token.user_pin)
    key = subject.service.private_key(cert)
    subject.service.logout(subject.module, cert.slot_id)
    assert isinstance(key, rsa.RSAPrivateKey)
    with pytest.raises(LoginRequiredError):
        key.sign(b"data", padding.PKCS1v15(), hashes.SHA256())


def test_login_on_one_token_does_not_open_another(subject: Subject) -> None:
    first, second = subject.manifest.tokens[0], subject.manifest.tokens[1]
    subject.service.login(subject.module, subject.slot_of(first), first.user_pin)
    try:
        cert = subject.cert(second, _object(second, "personal"))
        with pytest.raises(LoginRequiredError):
            subject.service.private_key(cert)
    finally:
        subject.service.logout(subject.module, subject.slot_of(first))


def test_a_certificate_without_a_key_is_refused(subject: Subject) -> None:
    token = subject.manifest.tokens[0]
    cert = subject.cert(token, _object(token, "seal"))
    stranger = TokenCertificate(
        cert.module, cert.slot_id, type(cert.object)("x", b"\xde\xad", cert.object.der), cert.info
    )
    subject.service.login(subject.module, cert.slot_id, token.user_pin)
    try:
        with pytest.raises(KeyNotFoundError):
            subject.service.private_key(stranger)
    finally:
        subject.service.logout(subject.module, cert.slot_id)


def test_key_object_behaves_like_a_cryptography_key_but_never_exports(subject: Subject) -> None:
    token = subject.manifest.tokens[0]
    cert = subject.cert(token, _object(token, "seal"))
    subject.service.login(subject.module, cert.slot_id, token.user_pin)
    try:
        key = subject.service.private_key(cert)
        assert isinstance(key, rsa.RSAPrivateKey)
        public = x509.load_der_x509_certificate(cert.object.der).public_key()
        assert isinstance(public, rsa.RSAPublicKey)
        assert key.public_key().public_numbers() == public.public_numbers()
        with pytest.raises(TypeError):
            key.private_numbers()
        with pytest.raises(TypeError):
            key.decrypt(b"x", padding.PKCS1v15())
    finally:
        subject.service.logout(subject.module, cert.slot_id)


def test_pinpad_login_needs_a_pinpad(subject: Subject) -> None:
    token = subject.manifest.tokens[0]
    with pytest.raises(PinPadUnavailableError):
        subject.service.login(subject.module, subject.slot_of(token), None)


def test_unknown_slot_is_not_present(subject: Subject) -> None:
    with pytest.raises(TokenNotPresentError):
        subject.service.pin_status(subject.module, 0xFFFF)


def test_certificate_validity_is_current(subject: Subject) -> None:
    token = subject.manifest.tokens[0]
    info = subject.cert(token, _object(token, "seal")).info
    assert info is not None
    assert info.not_before <= datetime.now(UTC) <= info.not_after
