"""Fixtures for the envelope tests: an in-memory test PKI and integrator-signed documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from signer_app.envelope.builder import AccountSpec, build_user_document
from signer_app.envelope.signing import add_main_signature_bytes
from signer_app.testpki import pki
from signer_app.testpki.softhsm import (
    CUSTOMER_TITLE,
    CUSTOMER_VKN,
    INTEGRATOR_TITLE,
    INTEGRATOR_VKN,
    PERSON_GIVEN_NAME,
    PERSON_SURNAME,
    PERSON_TCKN,
    SECOND_TITLE,
    SECOND_VKN,
)

NOW = datetime.now(UTC)


@dataclass(frozen=True)
class Pki:
    """Software identities standing in for the integrator's and customers' seals."""

    ca: pki.Identity
    nes_ca: pki.Identity
    integrator: pki.Identity
    customer: pki.Identity
    customer_ec: pki.Identity
    customer_encryption: pki.Identity
    customer_expired: pki.Identity
    other_company: pki.Identity
    person: pki.Identity


def _identity(ca: pki.Identity, key_type: str, make: object, **fields: object) -> pki.Identity:
    key = pki.generate_key(key_type)
    cert = make(ca, key.public_key(), **fields)  # type: ignore[operator]
    return pki.Identity(key, cert)


@pytest.fixture(scope="session")
def test_pki() -> Pki:
    ca = pki.make_ca(pki.DEFAULT_SEAL_CA_NAME, now=NOW)
    nes_ca = pki.make_ca(pki.DEFAULT_NES_CA_NAME, now=NOW)
    valid = {"not_before": NOW - timedelta(days=1), "not_after": NOW + timedelta(days=365)}
    return Pki(
        ca=ca,
        nes_ca=nes_ca,
        integrator=pki.make_software_identity(
            ca, vkn=INTEGRATOR_VKN, title=INTEGRATOR_TITLE, now=NOW
        ),
        customer=pki.make_software_identity(ca, vkn=CUSTOMER_VKN, title=CUSTOMER_TITLE, now=NOW),
        customer_ec=pki.make_software_identity(
            ca, vkn=CUSTOMER_VKN, title=CUSTOMER_TITLE, now=NOW, key_type="ec-p384"
        ),
        customer_encryption=_identity(
            ca,
            "rsa2048",
            pki.make_encryption_certificate,
            vkn=CUSTOMER_VKN,
            title=CUSTOMER_TITLE,
            **valid,
        ),
        customer_expired=_identity(
            ca,
            "rsa2048",
            pki.make_seal_certificate,
            vkn=CUSTOMER_VKN,
            title=CUSTOMER_TITLE,
            not_before=NOW - timedelta(days=800),
            not_after=NOW - timedelta(days=1),
        ),
        other_company=pki.make_software_identity(ca, vkn=SECOND_VKN, title=SECOND_TITLE, now=NOW),
        person=_identity(
            nes_ca,
            "ec-p256",
            pki.make_personal_certificate,
            tckn=PERSON_TCKN,
            given_name=PERSON_GIVEN_NAME,
            surname=PERSON_SURNAME,
            **valid,
        ),
    )


def unsigned_efatura(customer_id: str = CUSTOMER_VKN, operation: str = "open") -> bytes:
    """An e-Fatura opening (GB + PK) for the test customer, as an integrator prepares it."""
    return build_user_document(
        operation=operation,  # type: ignore[arg-type]
        integrator_id=INTEGRATOR_VKN,
        customer_id=customer_id,
        customer_name=CUSTOMER_TITLE,
        option_code=2,
        accounts=[
            AccountSpec("GB", alias="urn:mail:defaultgb@ornek.com.tr"),
            AccountSpec("PK", alias="urn:mail:defaultpk@ornek.com.tr"),
        ],
        created=NOW,
    )


@pytest.fixture(scope="session")
def signed_document(test_pki: Pki) -> bytes:
    """The e-Fatura opening signed by the integrator, waiting for the customer."""
    return add_main_signature_bytes(
        unsigned_efatura(),
        test_pki.integrator.key,  # type: ignore[arg-type]
        test_pki.integrator.cert,
        signing_time=NOW.astimezone(),
    )
