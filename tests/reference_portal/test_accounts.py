"""Adding companies: what the portal refuses, and a person (TCKN) as a customer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reference_portal import FakeClock, Store, create_company
from reference_portal.documents import IntegratorSeal, issue_document
from signer_app.envelope.model import UserDocument
from signer_app.envelope.reading import load
from signer_app.envelope.verification import DocumentReport, verify
from signer_app.testpki.softhsm import PERSON_GIVEN_NAME, PERSON_SURNAME, PERSON_TCKN
from tests.reference_portal.helpers import PortalPki


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "accounts.sqlite") as opened:
        yield opened


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"company_id": "123"}, "VKN"),
        ({"title": " "}, "title"),
        ({"title": "A\u202eB"}, "control"),
        ({"title": "x" * 257}, "title"),
        ({"password": ""}, "password"),
        ({"alias_gb": "defaultgb@firma.com.tr"}, "alias_gb"),
        ({"services": ["efatura", "nothing"]}, "unknown services"),
        ({"services": ["efatura"], "active_services": ["efatura"]}, "twice"),
        ({"company_id": PERSON_TCKN}, "given_name"),
    ],
)
def test_what_a_company_cannot_be(
    store: Store, clock: FakeClock, arguments: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {"company_id": "1234567808", "title": "Firma", "password": "p"}
    values.update(arguments)
    with pytest.raises(ValueError, match=message):
        create_company(store, now=clock(), **values)  # type: ignore[arg-type]


def test_a_person_gets_a_document_with_names(
    store: Store, clock: FakeClock, test_pki: PortalPki
) -> None:
    person = create_company(
        store,
        PERSON_TCKN,
        f"{PERSON_GIVEN_NAME} {PERSON_SURNAME}",
        "parola",
        now=clock(),
        given_name=PERSON_GIVEN_NAME,
        family_name=PERSON_SURNAME,
        services=["earsiv"],
    )
    seal = IntegratorSeal.from_pem_files(test_pki.integrator_key_pem, test_pki.integrator_cert_pem)
    document = issue_document(seal, person, "earsiv", "open", now=clock())
    model = load(document)
    assert isinstance(model, UserDocument)
    assert model.customer_id == PERSON_TCKN
    assert model.customer_is_person
    assert model.accounts[0].given_name == PERSON_GIVEN_NAME
    report = verify(document)
    assert isinstance(report, DocumentReport)
    assert report.findings == ()
    assert report.signatures is not None and report.signatures.main is not None
    assert report.signatures.main.valid
