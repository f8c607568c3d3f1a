"""Tests of signer_app.envelope.builder: documents and envelopes shaped like GİB's."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from lxml import etree

from signer_app.envelope.builder import (
    GIB_TITLE,
    GIB_VKN,
    MAX_DOCUMENTS,
    AccountSpec,
    build_user_document,
    build_user_envelope,
)
from signer_app.envelope.parsing import embedded_documents, parse_xml
from tests.support.gibschema import gib_dir

HR = "http://www.hr-xml.org/3"
OA = "http://www.openapplications.org/oagis/9"
SH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
EF = "http://www.efatura.gov.tr/package-namespace"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"hr": HR, "oa": OA, "sh": SH, "ef": EF}
ELEMENT_LIST = (f"{{{SH}}}StandardBusinessDocument", f"{{{EF}}}Package", "Elements", "ElementList")
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
CREATED = datetime(2026, 3, 14, 9, 26, 53)
INTEGRATOR = "9999999999"

GIB_SAMPLE_ACCOUNTS = [
    AccountSpec(role_code="GB", alias="urn:mail:defaultgb@gib.gov.tr"),
    AccountSpec(role_code="PK", alias="urn:mail:defaultpk@gib.gov.tr"),
]


def document(**overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "operation": "open",
        "integrator_id": INTEGRATOR,
        "customer_id": "9999999999",
        "customer_name": "e-Fatura Deneme A.Ş.",
        "option_code": 2,
        "accounts": GIB_SAMPLE_ACCOUNTS,
        "created": CREATED,
    }
    arguments.update(overrides)
    return build_user_document(**arguments)


def envelope(documents: Sequence[bytes], **overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "sender_alias": "usergb",
        "sender_id": INTEGRATOR,
        "sender_title": "e-Fatura Deneme A.Ş",
        "created": CREATED,
    }
    arguments.update(overrides)
    return build_user_envelope(documents, **arguments)


def sample(name: str) -> bytes:
    return (gib_dir() / "xml" / name).read_bytes()


def without_declaration(data: bytes) -> bytes:
    return re.sub(rb"^<\?xml[^>]*\?>", b"", data).strip()


def content(element: etree._Element) -> list[tuple[str, str]]:
    """Tags and texts in document order, white space between elements ignored."""
    return [(str(node.tag), (node.text or "").strip()) for node in element.iter(etree.Element)]


def root_of(data: bytes) -> etree._Element:
    return parse_xml(data).getroot()


# ---------------------------------------------------------------------------
# build_user_document
# ---------------------------------------------------------------------------


def test_open_document_matches_gib_sample() -> None:
    built = root_of(document())
    gib = root_of(sample("4_KULLANICI_ACMA.xml"))
    assert built.tag == gib.tag == f"{{{HR}}}ProcessUserAccount"
    # Same prefixes, URIs and order of declaration: inclusive C14N signs them.
    assert list(built.nsmap.items()) == list(gib.nsmap.items())
    assert built.get("releaseID") == gib.get("releaseID") == "releaseID0"
    assert built.get(f"{{{XSI}}}schemaLocation", "").split() == (
        gib.get(f"{{{XSI}}}schemaLocation", "").split()
    )
    area, gib_area = built.find("oa:ApplicationArea", NS), gib.find("oa:ApplicationArea", NS)
    assert area is not None and gib_area is not None
    assert [child.tag for child in area] == [child.tag for child in gib_area]
    assert area.findtext("oa:Sender/oa:LogicalID", namespaces=NS) == INTEGRATOR
    data, gib_data = built.find("hr:DataArea", NS), gib.find("hr:DataArea", NS)
    assert data is not None and gib_data is not None
    assert content(data) == content(gib_data)


def test_close_document_matches_gib_sample() -> None:
    built = root_of(document(operation="close", customer_name="e-Fatura Deneme A.Ş. 3"))
    gib = root_of(sample("5_KULLANICI_SILME.xml"))
    assert built.tag == gib.tag == f"{{{HR}}}CancelUserAccount"
    assert list(built.nsmap.items()) == list(gib.nsmap.items())
    data, gib_data = built.find("hr:DataArea", NS), gib.find("hr:DataArea", NS)
    assert data is not None and gib_data is not None
    assert data[0].tag == f"{{{OA}}}Cancel"
    assert content(data) == content(gib_data)


def test_document_is_utf8_with_declaration_and_an_empty_signature_slot() -> None:
    data = document()
    assert data.startswith(DECLARATION)
    assert b"<oa:Signature/>" in data
    assert b"\n    <oa:Signature/>\n" in data, "indented like the sample"
    root = root_of(data)
    signature = root.find("oa:ApplicationArea/oa:Signature", NS)
    assert signature is not None and len(signature) == 0 and not signature.text
    receiver = root.find("oa:ApplicationArea/oa:Receiver", NS)
    assert receiver is not None and len(receiver) == 0 and not receiver.text
    assert root.findtext("oa:ApplicationArea/oa:CreationDateTime", namespaces=NS) == (
        "2026-03-14T09:26:53"
    )
    # Company: the name parts are present but empty, as GİB writes them.
    assert b"<oa:GivenName/>" in data and b"<FamilyName/>" in data


def test_person_document_writes_name_parts() -> None:
    root = root_of(
        document(
            customer_id="12345678901",
            customer_name=None,
            given_name="Ayşe",
            middle_name="Gül",
            family_name="Yılmaz",
        )
    )
    person = root.find("hr:DataArea/hr:UserAccount/hr:PersonName", NS)
    assert person is not None
    assert content(person)[1:] == [
        (f"{{{HR}}}FormattedName", "Ayşe Gül Yılmaz"),
        (f"{{{OA}}}GivenName", "Ayşe"),
        (f"{{{HR}}}MiddleName", "Gül"),
        (f"{{{HR}}}FamilyName", "Yılmaz"),
    ]
    assert root.findtext("hr:DataArea/hr:UserAccount/hr:UserID", namespaces=NS) == "12345678901"


def test_person_document_may_name_the_formatted_name() -> None:
    root = root_of(
        document(
            customer_id="12345678901",
            customer_name="Ayşe Yılmaz Ticaret",
            given_name="Ayşe",
            family_name="Yılmaz",
        )
    )
    names = root.find("hr:DataArea/hr:UserAccount/hr:PersonName", NS)
    assert names is not None
    assert [text for _tag, text in content(names)[1:]] == [
        "Ayşe Yılmaz Ticaret",
        "Ayşe",
        "",
        "Yılmaz",
    ]


def test_service_without_roles_writes_no_role_or_alias() -> None:
    root = root_of(document(option_code=22, accounts=[AccountSpec()]))
    accounts = root.findall("hr:DataArea/hr:UserAccount", NS)
    assert len(accounts) == 1
    assert [etree.QName(child).localname for child in accounts[0]] == [
        "UserID",
        "PersonName",
        "AccountConfiguration",
    ]
    assert accounts[0].findtext("hr:AccountConfiguration/hr:UserOptionCode", namespaces=NS) == "22"


def test_account_names_default_and_can_be_given() -> None:
    root = root_of(
        document(
            accounts=[
                AccountSpec(role_code="GB", role_name="Gönderen", alias="urn:mail:a@b.com"),
                AccountSpec(alias="urn:mail:c@d.com"),
                AccountSpec(role_code="PK", alias="urn:mail:e@f.com", alias_name="Kutu"),
            ],
            option_code=4,
        )
    )
    accounts = root.findall("hr:DataArea/hr:UserAccount", NS)
    assert [a.findtext("hr:UserRole/hr:RoleName", namespaces=NS) for a in accounts] == [
        "Gönderen",
        None,
        "Posta Kutusu",
    ]
    names = [a.findtext("hr:AuthorizedWorkScope/hr:WorkScopeName", namespaces=NS) for a in accounts]
    assert names == ["Gönderici Birim Etiketi", "urn:mail:c@d.com", "Kutu"]


def test_aware_times_are_written_as_turkish_time_without_offset() -> None:
    utc = datetime(2026, 3, 14, 21, 30, 15, 999_999, tzinfo=UTC)
    root = root_of(document(created=utc))
    assert root.findtext("oa:ApplicationArea/oa:CreationDateTime", namespaces=NS) == (
        "2026-03-15T00:30:15"
    )
    other = datetime(2026, 3, 14, 12, 0, tzinfo=timezone(timedelta(hours=-5)))
    root = root_of(document(created=other))
    assert root.findtext("oa:ApplicationArea/oa:CreationDateTime", namespaces=NS) == (
        "2026-03-14T20:00:00"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"operation": "delete"}, "operation"),
        ({"integrator_id": "123456789"}, "integrator_id"),
        ({"integrator_id": "99999999990a"}, "integrator_id"),
        ({"integrator_id": "٩٩٩٩٩٩٩٩٩٩"}, "integrator_id"),  # non-ASCII digits
        ({"customer_id": "999999999 "}, "customer_id"),
        ({"option_code": "2"}, "option_code"),
        ({"option_code": True}, "option_code"),
        ({"option_code": 0}, "option_code"),
        ({"option_code": 2.0}, "option_code"),
        ({"accounts": []}, "accounts"),
        ({"accounts": [AccountSpec(role_code="XX")]}, "role_code"),
        ({"accounts": [AccountSpec(role_name="Gönderici Birim")]}, "role_name"),
        ({"accounts": [AccountSpec(alias_name="Etiket")]}, "alias_name"),
        ({"accounts": [AccountSpec(alias=" ")]}, "alias"),
        ({"customer_name": None}, "customer_name"),
        ({"customer_name": "  "}, "customer_name"),
        ({"given_name": "Ayşe"}, "VKN"),
        ({"customer_id": "12345678901", "customer_name": None, "given_name": "Ayşe"}, "family"),
        ({"customer_id": "12345678901", "family_name": "Yılmaz"}, "given_name"),
        ({"customer_name": "Bad \x01 control"}, "XML compatible"),
    ],
)
def test_document_refuses_bad_input(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        document(**overrides)


def test_document_refuses_wrong_types() -> None:
    with pytest.raises(TypeError):
        document(accounts=["GB"])
    with pytest.raises(TypeError):
        document(accounts="GB")
    with pytest.raises(TypeError):
        document(created="2026-03-14T09:26:53")


# ---------------------------------------------------------------------------
# build_user_envelope
# ---------------------------------------------------------------------------


def test_envelope_embeds_gib_sample_byte_for_byte() -> None:
    signed = sample("4_KULLANICI_ACMA.xml")
    result = envelope([signed])
    parse_xml(result)
    assert embedded_documents(result, ELEMENT_LIST) == [without_declaration(signed)]
    assert without_declaration(signed) in result


def test_envelope_embeds_several_documents_byte_for_byte() -> None:
    documents = [
        document(),
        document(customer_id="1234567890", customer_name="Başka A.Ş."),
        sample("4_KULLANICI_ACMA.xml"),
    ]
    result = envelope(documents)
    parse_xml(result)
    assert embedded_documents(result, ELEMENT_LIST) == [without_declaration(d) for d in documents]
    root = root_of(result)
    assert root.findtext("ef:Package/Elements/ElementCount", namespaces=NS) == "3"


def test_envelope_keeps_unusual_but_signed_bytes() -> None:
    # Single quotes, CRLF, a comment and a declaration with standalone: all signed
    # content, so all must survive exactly.
    signed = (
        b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8' standalone='yes'?>\r\n"
        + document()
        .split(b"\n", 1)[1]
        .replace(b"\n", b"\r\n")
        .replace(b"<oa:Receiver/>", b"<oa:Receiver/><!-- imza -->")
    )
    result = envelope([signed])
    parse_xml(result)
    assert embedded_documents(result, ELEMENT_LIST) == [without_declaration(signed[3:])]


def test_envelope_header_follows_current_rules() -> None:
    instance = "0b0e3b8e-5f1c-4c1e-9b59-3e1f0c8a7d21"
    result = envelope([document()], instance_id=instance)
    assert result.startswith(DECLARATION)
    root = root_of(result)
    assert root.tag == f"{{{SH}}}StandardBusinessDocument"
    assert root.get(f"{{{XSI}}}schemaLocation") == f"{SH} PackageProxy_1_2.xsd"
    header = root.find("sh:StandardBusinessDocumentHeader", NS)
    assert header is not None
    assert header.findtext("sh:HeaderVersion", namespaces=NS) == "1.0"
    assert header.findtext("sh:Sender/sh:Identifier", namespaces=NS) == "usergb"
    contacts = [
        (
            c.findtext("sh:ContactTypeIdentifier", namespaces=NS),
            c.findtext("sh:Contact", namespaces=NS),
        )
        for c in header.findall("sh:Sender/sh:ContactInformation", NS)
    ]
    assert contacts == [("UNVAN", "e-Fatura Deneme A.Ş"), ("VKN_TCKN", INTEGRATOR)]
    assert header.findtext("sh:Receiver/sh:Identifier", namespaces=NS) == "GIB"
    receiver = [
        (
            c.findtext("sh:ContactTypeIdentifier", namespaces=NS),
            c.findtext("sh:Contact", namespaces=NS),
        )
        for c in header.findall("sh:Receiver/sh:ContactInformation", NS)
    ]
    assert receiver == [("UNVAN", GIB_TITLE), ("VKN_TCKN", GIB_VKN)]
    identification = header.find("sh:DocumentIdentification", NS)
    assert identification is not None
    assert content(identification)[1:] == [
        (f"{{{SH}}}Standard", "UBL-TR"),
        (f"{{{SH}}}TypeVersion", "1.2"),
        (f"{{{SH}}}InstanceIdentifier", instance),
        (f"{{{SH}}}Type", "USERENVELOPE"),
        (f"{{{SH}}}CreationDateAndTime", "2026-03-14T09:26:53"),
    ]
    elements = root.find("ef:Package/Elements", NS)
    assert elements is not None
    assert [child.tag for child in elements] == ["ElementType", "ElementCount", "ElementList"]
    assert elements.findtext("ElementType") == "PROCESSUSERACCOUNT"
    assert elements.findtext("ElementCount") == "1"


def test_envelope_without_title_and_with_a_random_id() -> None:
    first = root_of(envelope([document()], sender_title=None))
    second = root_of(envelope([document()], sender_title=None))
    contacts = first.findall(
        "sh:StandardBusinessDocumentHeader/sh:Sender/sh:ContactInformation", NS
    )
    assert [c.findtext("sh:ContactTypeIdentifier", namespaces=NS) for c in contacts] == ["VKN_TCKN"]
    path = "sh:StandardBusinessDocumentHeader/sh:DocumentIdentification/sh:InstanceIdentifier"
    ids = [first.findtext(path, namespaces=NS), second.findtext(path, namespaces=NS)]
    assert all(i is not None and uuid.UUID(i).version == 4 and i == i.lower() for i in ids)
    assert ids[0] != ids[1]


def test_cancel_envelope() -> None:
    signed = sample("5_KULLANICI_SILME.xml")
    result = envelope([signed, document(operation="close")])
    root = root_of(result)
    assert root.findtext("ef:Package/Elements/ElementType", namespaces=NS) == "CANCELUSERACCOUNT"
    assert embedded_documents(result, ELEMENT_LIST)[0] == without_declaration(signed)


def test_envelope_refuses_mixed_operations() -> None:
    with pytest.raises(ValueError, match="open and close"):
        envelope([document(), document(operation="close")])


def test_envelope_refuses_too_many_or_no_documents() -> None:
    single = document()
    assert len(root_of(envelope([single] * MAX_DOCUMENTS)).findall(".//hr:UserAccount", NS)) == (
        2 * MAX_DOCUMENTS
    )
    with pytest.raises(ValueError, match="at most 1000"):
        envelope([single] * (MAX_DOCUMENTS + 1))
    with pytest.raises(ValueError, match="at least one"):
        envelope([])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<a/>", "neither"),
        (b"<ProcessUserAccount xmlns='urn:other'/>", "neither"),
        (b"<ProcessUserAccount xmlns='http://www.hr-xml.org/3'>", "well-formed"),
        (b"<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>", "DOCTYPE"),
        (b"<!-- before -->" + document().split(b"\n", 1)[1], "outside its root"),
        (document() + b"<?pi after?>", "outside its root"),
        (
            b'<?xml version="1.0" encoding="ISO-8859-9"?>\n'
            + document().split(b"\n", 1)[1].replace("Ş".encode(), b"\xde"),
            "not UTF-8",
        ),
        (document().replace(INTEGRATOR.encode(), b"1111111111", 1), "LogicalID"),
    ],
)
def test_envelope_refuses_bad_documents(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        envelope([data])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sender_id": "99999"}, "sender_id"),
        ({"sender_alias": ""}, "sender_alias"),
        ({"sender_alias": " usergb"}, "sender_alias"),
        ({"sender_title": " "}, "sender_title"),
        ({"instance_id": "{0b0e3b8e-5f1c-4c1e-9b59-3e1f0c8a7d21}"}, "instance_id"),
        ({"instance_id": "not-a-uuid"}, "instance_id"),
    ],
)
def test_envelope_refuses_bad_arguments(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        envelope([document()], **overrides)


def test_envelope_refuses_wrong_types() -> None:
    with pytest.raises(TypeError):
        envelope(document())  # type: ignore[arg-type]  # bytes, not a list of documents
    with pytest.raises(TypeError):
        envelope([document().decode()])  # type: ignore[list-item]
