"""GİB's XSDs and official schematron as oracles, and the builder checked against them.

The oracle tests run GİB's own samples first (they must pass, or fail only
where GİB's README says they do), then mutations that must fail with GİB's
own message, which shows that the rules are really evaluated.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from signer_app.envelope.builder import AccountSpec, build_user_document, build_user_envelope
from tests.support.gibschema import (
    FailedAssert,
    find_gib_dir,
    gib_dir,
    run_gib_schematron,
    validate_envelope_xsd,
    validate_user_document_xsd,
)

OA = "http://www.openapplications.org/oagis/9"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"oa": OA, "ds": DS}
INTEGRATOR = "9999999999"
OLD_TYPE_VERSION = b"<sh:TypeVersion>1.0</sh:TypeVersion>"
TYPE_VERSION_MESSAGE = "Geçersiz sh:TypeVersion elemanı değeri. '1.2' değerine eşit olmalıdır."
NO_SIGNATURE_MESSAGE = "oa:Signature elemanı içerisinde ds:Signature elemanı zorunludur."
GIB_ACCOUNTS = [
    AccountSpec(role_code="GB", alias="urn:mail:defaultgb@gib.gov.tr"),
    AccountSpec(role_code="PK", alias="urn:mail:defaultpk@gib.gov.tr"),
]


def sample(name: str) -> bytes:
    return (gib_dir() / "xml" / name).read_bytes()


def current(envelope: bytes) -> bytes:
    """GİB's 2013 sample envelope with the TypeVersion today's rules require."""
    assert envelope.count(OLD_TYPE_VERSION) == 1
    return envelope.replace(OLD_TYPE_VERSION, b"<sh:TypeVersion>1.2</sh:TypeVersion>")


def texts(failed: Sequence[FailedAssert]) -> list[str]:
    return [f.text for f in failed]


def document(**overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "operation": "open",
        "integrator_id": INTEGRATOR,
        "customer_id": "1234567890",
        "customer_name": "Müşteri Şirketi A.Ş.",
        "option_code": 2,
        "accounts": GIB_ACCOUNTS,
        "created": datetime(2026, 3, 14, 9, 26, 53),
    }
    arguments.update(overrides)
    return build_user_document(**arguments)


def envelope(documents: Sequence[bytes], **overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "sender_alias": "usergb",
        "sender_id": INTEGRATOR,
        "sender_title": "e-Fatura Deneme A.Ş.",
        "created": datetime(2026, 3, 14, 9, 27),
    }
    arguments.update(overrides)
    return build_user_envelope(documents, **arguments)


def with_gib_signature(data: bytes) -> bytes:
    """Put the signature of GİB's sample into a built document's empty slot.

    The signature does not verify over this content; XSD and schematron look
    only at its structure.
    """
    root = etree.fromstring(data)
    signed = etree.fromstring(sample("4_KULLANICI_ACMA.xml"))
    signature = signed.find("oa:ApplicationArea/oa:Signature/ds:Signature", NS)
    slot = root.find("oa:ApplicationArea/oa:Signature", NS)
    assert signature is not None and slot is not None and len(slot) == 0
    slot.append(copy.deepcopy(signature))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# ---------------------------------------------------------------------------
# gib_dir
# ---------------------------------------------------------------------------


def test_gib_dir_finds_the_package() -> None:
    folder = gib_dir()
    assert (folder / "xsd" / "HRXML" / "UserAccount.xsd").is_file()
    assert folder == (Path(__file__).resolve().parents[2] / ".." / "shared" / "gib").resolve()


def test_missing_package_skips_locally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not at"):
        find_gib_dir(tmp_path)


def test_missing_package_fails_on_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="broken set-up"):
        find_gib_dir(tmp_path)


# ---------------------------------------------------------------------------
# XSD
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["4_KULLANICI_ACMA.xml", "5_KULLANICI_SILME.xml"])
def test_gib_sample_documents_are_xsd_valid(name: str) -> None:
    assert validate_user_document_xsd(sample(name)) == []


@pytest.mark.parametrize("name", ["4_KULLANICI_ACMA_ZARF.xml", "5_KULLANICI_SILME_ZARF.xml"])
def test_gib_sample_envelopes_are_xsd_valid(name: str) -> None:
    assert validate_envelope_xsd(sample(name)) == []


def test_xsd_validation_reaches_the_signature() -> None:
    signed = sample("4_KULLANICI_ACMA.xml")
    broken = signed.replace(b"<xades:SigningTime>", b"<xades:SigningTimeX>", 1).replace(
        b"</xades:SigningTime>", b"</xades:SigningTimeX>", 1
    )
    errors = validate_user_document_xsd(broken)
    assert errors and "SigningTimeX" in errors[0]
    extra = signed.replace(b"</UserOptionCode>", b"</UserOptionCode><Extra/>", 1)
    assert any("Extra" in error for error in validate_user_document_xsd(extra))


def test_envelope_xsd_validates_the_embedded_documents() -> None:
    # ElementList is xs:any processContents="strict": the documents are validated too.
    broken = sample("4_KULLANICI_ACMA_ZARF.xml").replace(
        b"</UserOptionCode>", b"</UserOptionCode><Extra/>", 1
    )
    assert any("Extra" in error for error in validate_envelope_xsd(broken))
    headless = sample("4_KULLANICI_ACMA_ZARF.xml").replace(
        b"<sh:HeaderVersion>1.0</sh:HeaderVersion>", b""
    )
    assert any("HeaderVersion" in error for error in validate_envelope_xsd(headless))


def test_xsd_refuses_two_signatures_and_wrong_roots() -> None:
    signed = with_gib_signature(document())
    doubled = etree.fromstring(signed)
    slot = doubled.find("oa:ApplicationArea/oa:Signature", NS)
    assert slot is not None
    slot.append(copy.deepcopy(slot[0]))
    assert validate_user_document_xsd(etree.tostring(doubled)) != []
    assert validate_user_document_xsd(sample("4_KULLANICI_ACMA_ZARF.xml")) != []
    assert validate_envelope_xsd(sample("4_KULLANICI_ACMA.xml")) != []
    assert validate_user_document_xsd(b"<ProcessUserAccount") != []


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"operation": "close"},
        {
            "customer_id": "12345678901",
            "customer_name": None,
            "given_name": "Ayşe",
            "family_name": "Yılmaz",
        },
        {"option_code": 22, "accounts": [AccountSpec()]},
    ],
    ids=["open", "close", "person", "no-roles"],
)
def test_built_documents_are_xsd_valid_unsigned_and_signed(overrides: dict[str, Any]) -> None:
    unsigned = document(**overrides)
    # OAGIS SignatureType is a sequence of one optional xs:any: empty is allowed.
    assert validate_user_document_xsd(unsigned) == []
    assert validate_user_document_xsd(with_gib_signature(unsigned)) == []


def test_envelope_xsd_refuses_an_id_used_in_two_documents() -> None:
    signed = with_gib_signature(document())
    errors = validate_envelope_xsd(envelope([signed, signed]))
    assert errors and all("xs:ID" in error for error in errors)


def test_built_envelopes_are_xsd_valid() -> None:
    assert validate_envelope_xsd(envelope([sample("4_KULLANICI_ACMA.xml")])) == []
    assert validate_envelope_xsd(envelope([document(), document()])) == []
    closing = [document(operation="close"), sample("5_KULLANICI_SILME.xml")]
    assert validate_envelope_xsd(envelope(closing)) == []


# ---------------------------------------------------------------------------
# Schematron
# ---------------------------------------------------------------------------


def test_schematron_compiles_once_and_runs_fast() -> None:
    start = time.perf_counter()
    run_gib_schematron(sample("4_KULLANICI_ACMA_ZARF.xml"))
    first = time.perf_counter() - start
    start = time.perf_counter()
    run_gib_schematron(sample("4_KULLANICI_ACMA_ZARF.xml"))
    again = time.perf_counter() - start
    assert first < 5, "compiling GİB's schematron should take well under a second"
    assert again < 1


@pytest.mark.parametrize("name", ["4_KULLANICI_ACMA_ZARF.xml", "5_KULLANICI_SILME_ZARF.xml"])
def test_gib_sample_envelopes_fail_only_the_type_version(name: str) -> None:
    failed = run_gib_schematron(sample(name))
    assert texts(failed) == [TYPE_VERSION_MESSAGE]
    assert failed[0].test == "sh:TypeVersion = '1.2'"
    assert "DocumentIdentification" in failed[0].location
    assert run_gib_schematron(current(sample(name))) == []


def test_schematron_refuses_a_reserved_alias() -> None:
    mutated = current(sample("4_KULLANICI_ACMA_ZARF.xml")).replace(
        b"urn:mail:defaultgb@gib.gov.tr", b"usergb", 1
    )
    assert texts(run_gib_schematron(mutated)) == [
        "hr:WorkScopeCode(etiket) elemanında yasaklı bir etiket kullanmaktasınız.",
        "Geçersiz hr:WorkScopeCode(etiket) değeri : usergb. hr:WorkScopeCode(etiket) zorunlu bir "
        "elemandır ve urn formatında olmalıdır.",
    ]


def test_schematron_refuses_an_option_code_of_another_service() -> None:
    mutated = current(sample("4_KULLANICI_ACMA_ZARF.xml")).replace(
        b"<UserOptionCode>2</UserOptionCode>", b"<UserOptionCode>21</UserOptionCode>"
    )
    assert (
        texts(run_gib_schematron(mutated))
        == ["hr:UserOptionCode zorunlu bir elemandır ve değeri 1,2,3,4 olabilir."] * 2
    )


def test_schematron_refuses_two_customers_in_one_document() -> None:
    original = current(sample("4_KULLANICI_ACMA_ZARF.xml"))
    last = original.rindex(b"<UserID>9999999999</UserID>")
    mutated = original[:last] + b"<UserID>1111111111</UserID>" + original[last + 27 :]
    failed = run_gib_schematron(mutated)
    assert texts(failed) == [
        "ProcessUserAccount ve CancelUserAccount belgesinde aynı hr:UserID'ye ait işlem "
        "yapılmalıdır. Farklı iki hr:UserID(9999999999, 1111111111) bulundu."
    ]
    assert failed[0].location.endswith("[1]")


def test_schematron_reads_turkish_text_intact() -> None:
    mutated = current(sample("4_KULLANICI_ACMA_ZARF.xml")).replace(
        "e-Fatura Deneme A.Ş.</FormattedName>".encode(), "İğüşöç Ltd.</FormattedName>".encode(), 1
    )
    assert texts(run_gib_schematron(mutated)) == [
        "ProcessUserAccount ve CancelUserAccount belgesinde aynı hr:FormattedName'e ait işlem "
        "yapılmalıdır. Farklı iki hr:FormattedName(İğüşöç Ltd., e-Fatura Deneme A.Ş.) bulundu."
    ]


@pytest.mark.parametrize(
    ("old", "new", "messages"),
    [
        (
            b"<sh:Identifier>usergb</sh:Identifier>",
            b"<sh:Identifier>foo</sh:Identifier>",
            [
                "USERENVELOPE türündeki zarfı UserEnvelopeAliases listesindeki etiketlerden "
                "birisiyle gönderebilirsiniz."
            ],
        ),
        (
            b"08656bf3-4f41-499d-a907-da36b07741ae",
            b"08656bf3-4f41-499d-a907-da36b07741a",
            [
                "Geçersiz sh:InstanceIdentifier elemanı değeri. sh:InstanceIdentifier elemanı "
                "UUID formatında olmalıdır."
            ],
        ),
        (
            b"PackageProxy_1_2.xsd",
            b"PackageProxy.xsd",
            [
                "sh:StandardBusinessDocument alanın xsi:schemaLocation niteliği "
                "'PackageProxy_1_2.xsd' olmalıdır"
            ],
        ),
        (
            b"<ElementCount>1</ElementCount>",
            b"<ElementCount>2</ElementCount>",
            [
                "ElementList elemanı içersinde bulunan eleman sayısı ElementCount elemanı "
                "değerine eşit olmalıdır.",
                "ElementList elemanı içerisinde bulunan hr:ProcessUserAccount elemanı sayısı "
                "ElementCount elemanı değerine eşit olmalıdır.",
            ],
        ),
    ],
    ids=["alias", "uuid", "schema-location", "count"],
)
def test_schematron_checks_the_envelope_header(old: bytes, new: bytes, messages: list[str]) -> None:
    original = current(sample("4_KULLANICI_ACMA_ZARF.xml"))
    assert original.count(old) == 1
    assert texts(run_gib_schematron(original.replace(old, new))) == messages


def test_schematron_refuses_a_foreign_integrator() -> None:
    mutated = current(sample("4_KULLANICI_ACMA_ZARF.xml")).replace(
        b"<sh:Contact>9999999999</sh:Contact>", b"<sh:Contact>1234567890</sh:Contact>"
    )
    assert texts(run_gib_schematron(mutated)) == [
        "Zarfı gönderen kullanıcı(1234567890) ile kullanıcı işlemi yapacak özel "
        "entegratör(9999999999) aynı olmalıdır."
    ]


def test_built_envelope_around_gib_sample_passes() -> None:
    assert run_gib_schematron(envelope([sample("4_KULLANICI_ACMA.xml")])) == []
    assert run_gib_schematron(envelope([sample("5_KULLANICI_SILME.xml")])) == []


def test_built_envelope_of_unsigned_documents_misses_only_signatures() -> None:
    result = envelope([document(), document(customer_id="1234567891")])
    assert texts(run_gib_schematron(result)) == [NO_SIGNATURE_MESSAGE] * 2


@pytest.mark.parametrize(
    ("alias", "overrides"),
    [
        ("usergb", {}),
        ("usergb", {"operation": "close"}),
        (
            "usergb",
            {
                "customer_id": "12345678901",
                "customer_name": None,
                "given_name": "Ayşe",
                "middle_name": "Gül",
                "family_name": "Yılmaz",
            },
        ),
        ("earchive", {"option_code": 22, "accounts": [AccountSpec()]}),
        ("edespatch", {"option_code": 52, "accounts": GIB_ACCOUNTS}),
        ("archive", {"option_code": 12, "accounts": [AccountSpec()]}),
    ],
    ids=["e-fatura", "close", "person", "e-arsiv", "e-irsaliye", "fatura-saklama"],
)
def test_built_signed_documents_pass_the_schematron(alias: str, overrides: dict[str, Any]) -> None:
    signed = with_gib_signature(document(**overrides))
    # One document: a copy of the same signature would repeat its xs:ID Ids,
    # which the envelope XSD refuses across the whole envelope.
    result = envelope([signed], sender_alias=alias)
    assert run_gib_schematron(result) == []
    assert validate_envelope_xsd(result) == []


def test_schematron_applies_service_rules_to_built_documents() -> None:
    no_roles = with_gib_signature(document(option_code=2, accounts=[AccountSpec()]))
    assert texts(run_gib_schematron(envelope([no_roles]))) == [
        "hr:UserAccount elemanı içersinde hr:UserRole zorunlu bir elemandır.",
        "hr:UserAccount elemanı içersinde hr:AuthorizedWorkScope zorunlu bir elemandır.",
    ]
    with_roles = with_gib_signature(document(option_code=22))
    assert (
        texts(run_gib_schematron(envelope([with_roles], sender_alias="earchive")))
        == [
            "E-arşiv hizmeti verecekler için hr:UserAccount elemanı içersinde hr:UserRole elemanı "
            "girilmemelidir.",
            "E-arşiv hizmeti verecekler için hr:UserAccount elemanı içersinde "
            "hr:AuthorizedWorkScope elemanı girilmemelidir.",
        ]
        * 2
    )
