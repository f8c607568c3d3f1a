"""Reading GİB's sample documents and envelopes into the value model."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from signer_app.envelope.errors import NotWellFormedError, UnsupportedDocumentError
from signer_app.envelope.model import Envelope, Operation, UserDocument
from signer_app.envelope.names import hr, sh
from signer_app.envelope.parsing import parse_xml
from signer_app.envelope.reading import load, read, read_envelope, read_user_document
from signer_app.envelope.services import CustomerType, Sector
from tests.support.gibschema import gib_dir

SAMPLES = gib_dir() / "xml"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def edited(name: str, old: str, new: str) -> bytes:
    text = sample(name).decode("utf-8")
    assert old in text
    return text.replace(old, new).encode("utf-8")


def document(data: bytes) -> UserDocument:
    model = load(data)
    assert isinstance(model, UserDocument)
    return model


def envelope(data: bytes) -> Envelope:
    model = load(data)
    assert isinstance(model, Envelope)
    return model


def test_open_document() -> None:
    data = sample("4_KULLANICI_ACMA.xml")
    doc = document(data)
    assert doc.operation is Operation.OPEN
    assert doc.integrator_id == "9999999999"
    assert doc.customer_id == "9999999999"
    assert doc.customer_name == "e-Fatura Deneme A.Ş."
    assert not doc.customer_is_person
    assert doc.option_code == 2
    assert doc.service is not None
    assert doc.service.id == "efatura"
    assert doc.service.name_tr == "e-Fatura"
    assert doc.customer_type == CustomerType(Sector.PRIVATE)
    assert doc.created == "2013-06-19T11:03:45"
    assert doc.created_at == datetime(2013, 6, 19, 11, 3, 45)
    assert doc.raw == data
    assert [(a.role_code, a.alias) for a in doc.accounts] == [
        ("GB", "urn:mail:defaultgb@gib.gov.tr"),
        ("PK", "urn:mail:defaultpk@gib.gov.tr"),
    ]
    first = doc.accounts[0]
    assert first.user_id == "9999999999"
    assert first.formatted_name == "e-Fatura Deneme A.Ş."
    assert (first.given_name, first.middle_name, first.family_name) == ("", "", "")
    assert first.role_name == "Gönderici Birim"
    assert first.alias_name == "Gönderici Birim Etiketi"
    assert first.option_code == 2
    assert "raw" not in repr(doc)
    assert hash(doc) == hash(document(data))


def test_close_document() -> None:
    doc = document(sample("5_KULLANICI_SILME.xml"))
    assert doc.operation is Operation.CLOSE
    assert doc.integrator_id == "9999999999"
    assert doc.customer_id == "9999999999"
    assert doc.customer_name == "e-Fatura Deneme A.Ş. 3"
    assert [a.role_code for a in doc.accounts] == ["GB", "PK"]
    assert doc.service is not None
    assert doc.service.id == "efatura"


@pytest.mark.parametrize(
    ("name", "operation", "instance_id", "element_type", "standalone"),
    [
        (
            "4_KULLANICI_ACMA_ZARF.xml",
            Operation.OPEN,
            "08656bf3-4f41-499d-a907-da36b07741ae",
            "PROCESSUSERACCOUNT",
            "4_KULLANICI_ACMA.xml",
        ),
        (
            "5_KULLANICI_SILME_ZARF.xml",
            Operation.CLOSE,
            "b3fc29fa-e7bb-4d58-8823-288b1b96051d",
            "CANCELUSERACCOUNT",
            "5_KULLANICI_SILME.xml",
        ),
    ],
)
def test_envelope(
    name: str, operation: Operation, instance_id: str, element_type: str, standalone: str
) -> None:
    data = sample(name)
    env = envelope(data)
    assert env.instance_id == instance_id
    assert env.type == "USERENVELOPE"
    assert env.header_version == "1.0"
    assert env.type_version == "1.0"
    assert env.sender_alias == "usergb"
    assert env.sender_id == "9999999999"
    assert env.sender_title == "e-Fatura Deneme A.Ş"
    assert env.receiver_alias == "GIB"
    assert env.receiver_id == "3900383669"
    assert env.element_type == element_type
    assert env.created_at is not None
    assert env.raw == data
    assert len(env.documents) == 1
    (doc,) = env.documents
    assert doc.operation is operation
    # GİB reads the embedded document as a document of its own: exactly these bytes.
    assert doc.raw == sample(standalone)
    assert doc == document(sample(standalone))


def test_several_element_groups() -> None:
    text = sample("4_KULLANICI_ACMA_ZARF.xml").decode("utf-8")
    group = re.search(r"<Elements>.*</Elements>", text, re.DOTALL)
    assert group is not None
    closing = group.group(0).replace("PROCESSUSERACCOUNT", "CANCELUSERACCOUNT")
    closing = closing.replace("ProcessUserAccount", "CancelUserAccount")
    text = text.replace(group.group(0), group.group(0) + closing)
    env = envelope(text.encode("utf-8"))
    assert [d.operation for d in env.documents] == [Operation.OPEN, Operation.CLOSE]
    assert env.element_type is None


def test_read_keeps_the_tree() -> None:
    loaded = read(sample("4_KULLANICI_ACMA_ZARF.xml"))
    assert isinstance(loaded.model, Envelope)
    assert loaded.tree.getroot().tag == sh("StandardBusinessDocument")
    loaded = read(sample("5_KULLANICI_SILME.xml"))
    assert loaded.tree.getroot().tag == hr("CancelUserAccount")


def test_read_functions_take_parsed_trees() -> None:
    data = sample("4_KULLANICI_ACMA.xml")
    assert read_user_document(parse_xml(data), data) == load(data)
    env_data = sample("4_KULLANICI_ACMA_ZARF.xml")
    assert read_envelope(parse_xml(env_data), env_data) == load(env_data)
    with pytest.raises(UnsupportedDocumentError):
        read_envelope(parse_xml(data), data)
    with pytest.raises(UnsupportedDocumentError):
        read_user_document(parse_xml(env_data), env_data)


def test_person_customer() -> None:
    text = sample("4_KULLANICI_ACMA.xml").decode("utf-8")
    text = text.replace("<UserID>9999999999</UserID>", "<UserID>12345678901</UserID>")
    text = text.replace("<oa:GivenName/>", "<oa:GivenName>AHMET</oa:GivenName>")
    text = text.replace("<MiddleName/>", "<MiddleName> CAN </MiddleName>")
    text = text.replace("<FamilyName/>", "<FamilyName>YILMAZ</FamilyName>")
    doc = document(text.encode("utf-8"))
    assert doc.customer_is_person
    assert doc.customer_id == "12345678901"
    assert doc.customer_name == "AHMET CAN YILMAZ"
    assert doc.accounts[0].middle_name == "CAN"


def test_accounts_that_disagree() -> None:
    text = sample("4_KULLANICI_ACMA.xml").decode("utf-8")
    head, tail = text.rsplit("<UserID>9999999999</UserID>", 1)
    text = head + "<UserID>8888888888</UserID>" + tail
    text = text.replace(
        "<UserOptionCode>2</UserOptionCode>", "<UserOptionCode>1</UserOptionCode>", 1
    )
    doc = document(text.encode("utf-8"))
    assert doc.customer_id is None
    assert doc.customer_name == "e-Fatura Deneme A.Ş."
    assert doc.option_code is None
    assert doc.service is None
    assert doc.customer_type is None
    assert [a.option_code for a in doc.accounts] == [1, 2]


def test_missing_optional_pieces() -> None:
    text = sample("4_KULLANICI_ACMA.xml").decode("utf-8")
    text = re.sub(r"<oa:Sender>.*?</oa:Sender>", "", text, flags=re.DOTALL)
    text = re.sub(r"<UserRole>.*?</UserRole>", "", text, flags=re.DOTALL)
    text = re.sub(r"<AccountConfiguration>.*?</AccountConfiguration>", "", text, flags=re.DOTALL)
    text = text.replace("2013-06-19T11:03:45", "yesterday")
    doc = document(text.encode("utf-8"))
    assert doc.integrator_id is None
    assert doc.accounts[0].role_code is None
    assert doc.accounts[0].option_code is None
    assert doc.option_code is None
    assert doc.service is None
    assert doc.created == "yesterday"
    assert doc.created_at is None


def test_unknown_option_code() -> None:
    doc = document(edited("4_KULLANICI_ACMA.xml", "<UserOptionCode>2</", "<UserOptionCode>999</"))
    assert doc.option_code == 999
    assert doc.service is None
    assert doc.customer_type is None


@pytest.mark.parametrize("created", ["2013-06-19T11:03:45Z", "2013-06-19T11:03:45.830+03:00"])
def test_creation_time_with_zone(created: str) -> None:
    doc = document(edited("4_KULLANICI_ACMA.xml", "2013-06-19T11:03:45", created))
    assert doc.created == created
    assert doc.created_at is not None
    assert doc.created_at.tzinfo is not None


@pytest.mark.parametrize("created", ["2013-06-19", "20130619T110345", "2013-13-19T11:03:45"])
def test_creation_time_not_a_datetime(created: str) -> None:
    doc = document(edited("4_KULLANICI_ACMA.xml", "2013-06-19T11:03:45", created))
    assert doc.created_at is None


def test_other_roots_are_unsupported() -> None:
    with pytest.raises(UnsupportedDocumentError):
        load(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
    with pytest.raises(UnsupportedDocumentError):
        load(b"<ProcessUserAccount/>")  # no namespace


def test_sender_envelope_is_unsupported() -> None:
    with pytest.raises(UnsupportedDocumentError):
        load(edited("4_KULLANICI_ACMA_ZARF.xml", "USERENVELOPE", "SENDERENVELOPE"))


def test_invoice_inside_user_envelope_is_unsupported() -> None:
    text = sample("4_KULLANICI_ACMA_ZARF.xml").decode("utf-8")
    text = re.sub(
        r"<ProcessUserAccount .*</ProcessUserAccount>",
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"></Invoice>',
        text,
        flags=re.DOTALL,
    )
    with pytest.raises(UnsupportedDocumentError):
        load(text.encode("utf-8"))


def test_not_xml() -> None:
    with pytest.raises(NotWellFormedError):
        load(b"<ProcessUserAccount")


def test_operation_names() -> None:
    assert Operation.OPEN.name_tr == "açma"
    assert Operation.CLOSE.name_tr == "kapatma"
    assert Operation.OPEN.element_type == "PROCESSUSERACCOUNT"
    assert Operation.CLOSE.element_type == "CANCELUSERACCOUNT"
