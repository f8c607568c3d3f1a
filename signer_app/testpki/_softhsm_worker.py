"""Child process of :func:`signer_app.testpki.softhsm.provision`: fills the tokens.

Run as ``python -m signer_app.testpki._softhsm_worker`` with ``SOFTHSM2_CONF``
set and a :class:`~signer_app.testpki.softhsm.WorkerSpec` as JSON on stdin; it
answers a :class:`~signer_app.testpki.softhsm.WorkerResult` as JSON on stdout.
It lives in its own process because SoftHSM binds to its configuration at
``C_Initialize`` and python-pkcs11 keeps one module per process.
"""

from __future__ import annotations

import json
import sys
import traceback
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pkcs11 import Attribute, KeyType, MechanismFlag
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
from pkcs11.util.x509 import decode_x509_certificate

from signer_app.testpki.pki import (
    Identity,
    make_encryption_certificate,
    make_personal_certificate,
    make_seal_certificate,
)
from signer_app.testpki.softhsm import (
    WorkerCA,
    WorkerObject,
    WorkerObjectResult,
    WorkerResult,
    WorkerSpec,
    WorkerToken,
    WorkerTokenResult,
)

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as pkcs11_lib

__all__ = ["main", "run"]

_PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def run(spec: WorkerSpec) -> WorkerResult:
    """Generate, certify and import every object of ``spec``; return what was made."""
    cas = {name: _load_ca(ca) for name, ca in spec["cas"].items()}
    lib = pkcs11.lib(spec["module"])
    try:
        return WorkerResult(tokens=[_fill_token(lib, tok, cas) for tok in spec["tokens"]])
    finally:
        lib.finalize()


def main() -> int:
    """Read the spec from stdin, write the result to stdout; 0 on success."""
    try:
        spec: WorkerSpec = json.load(sys.stdin)
        result = run(spec)
    except Exception:  # noqa: BLE001 -- the parent only sees stderr and the exit code
        traceback.print_exc(file=sys.stderr)
        return 1
    json.dump(result, sys.stdout)
    return 0


def _load_ca(ca: WorkerCA) -> Identity:
    key = serialization.load_pem_private_key(ca["key_pem"].encode("ascii"), password=None)
    cert = x509.load_pem_x509_certificate(ca["cert_pem"].encode("ascii"))
    return Identity(key=key, cert=cert)


def _fill_token(lib: pkcs11_lib, spec: WorkerToken, cas: dict[str, Identity]) -> WorkerTokenResult:
    token = lib.get_token(token_label=spec["label"])
    # SoftHSM chooses the serial at --init-token; the manifest needs it to tell
    # tokens apart the way the client does.
    serial = token.serial.decode("ascii", errors="replace").strip()
    made: list[WorkerObjectResult] = []
    with token.open(rw=True, user_pin=spec["user_pin"]) as session:
        for obj in spec["objects"]:
            made.append(_make_object(session, obj, cas[obj["ca"]]))
    return WorkerTokenResult(label=spec["label"], serial=serial, objects=made)


def _make_object(session: pkcs11.Session, obj: WorkerObject, ca: Identity) -> WorkerObjectResult:
    public, private = _generate_pair(session, obj)
    public_key = _to_cryptography(public, obj)
    # RFC 5280 method (1); see the CKA_ID note in signer_app.testpki.softhsm.
    key_id = x509.SubjectKeyIdentifier.from_public_key(public_key).digest
    # The id depends on the generated key, so it can only be set afterwards.
    public[Attribute.ID] = key_id
    private[Attribute.ID] = key_id

    cert = _issue(obj, public_key, ca)
    der = cert.public_bytes(serialization.Encoding.DER)
    attrs = decode_x509_certificate(der)
    attrs.update(
        {
            Attribute.TOKEN: True,
            Attribute.PRIVATE: False,
            Attribute.ID: key_id,
            Attribute.LABEL: obj["label"],
        }
    )
    session.create_object(attrs)
    return WorkerObjectResult(
        label=obj["label"],
        id_hex=key_id.hex(),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )


def _generate_pair(
    session: pkcs11.Session, obj: WorkerObject
) -> tuple[pkcs11.PublicKey, pkcs11.PrivateKey]:
    # Every key may sign, the encryption key included: a client has to choose
    # by certificate (KeyUsage/EKU), and a token that refused would hide a
    # client that chooses by key capability instead.
    capabilities = MechanismFlag.SIGN | MechanismFlag.VERIFY
    if obj["kind"] == "encryption":
        capabilities |= MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT
        capabilities |= MechanismFlag.WRAP | MechanismFlag.UNWRAP
    private_template: dict[Attribute, Any] = {
        Attribute.TOKEN: True,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
    }
    public_template: dict[Attribute, Any] = {Attribute.TOKEN: True, Attribute.PRIVATE: False}
    if obj["key_type"] == "RSA":
        return session.generate_keypair(
            KeyType.RSA,
            obj["key_bits"],
            label=obj["label"],
            store=True,
            capabilities=capabilities,
            public_template=public_template,
            private_template=private_template,
        )
    if obj["key_type"] == "EC" and obj["curve"]:
        public_template[Attribute.EC_PARAMS] = encode_named_curve_parameters(obj["curve"])
        return session.generate_keypair(
            KeyType.EC,
            label=obj["label"],
            store=True,
            capabilities=capabilities,
            public_template=public_template,
            private_template=private_template,
        )
    raise ValueError(f"cannot generate {obj['key_type']} key (curve {obj['curve']!r})")


def _to_cryptography(public: pkcs11.PublicKey, obj: WorkerObject) -> _PublicKey:
    if obj["key_type"] == "RSA":
        numbers = rsa.RSAPublicNumbers(
            e=int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"),
            n=int.from_bytes(public[Attribute.MODULUS], "big"),
        )
        return numbers.public_key()
    key = serialization.load_der_public_key(encode_ec_public_key(public))
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise TypeError(f"token returned a {type(key).__name__} for an EC key")
    return key


def _issue(obj: WorkerObject, public_key: _PublicKey, ca: Identity) -> x509.Certificate:
    not_before = datetime.fromisoformat(obj["not_before"])
    not_after = datetime.fromisoformat(obj["not_after"])
    kind = obj["kind"]
    if kind in ("seal", "expired-seal", "encryption"):
        # The seal and its ENCR0 twin share the subject; only the profile differs.
        make = make_encryption_certificate if kind == "encryption" else make_seal_certificate
        return make(
            ca,
            public_key,
            vkn=obj["tax_id"],
            title=obj["title"],
            not_before=not_before,
            not_after=not_after,
            locality=obj["locality"],
        )
    if kind == "personal":
        return make_personal_certificate(
            ca,
            public_key,
            tckn=obj["tax_id"],
            given_name=obj["given_name"],
            surname=obj["surname"],
            not_before=not_before,
            not_after=not_after,
        )
    raise ValueError(f"unknown object kind {kind!r}")


if __name__ == "__main__":
    sys.exit(main())
