"""GİB's rules: the samples pass, and every rule catches its mutated sample.

Each case edits the text of one of GİB's samples, parses it and compares the
findings' codes (with their multiplicity) and one Turkish message with GİB's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from signer_app.envelope.errors import UnsupportedDocumentError
from signer_app.envelope.parsing import parse_xml
from signer_app.envelope.rules import Finding, check, check_envelope, check_user_document
from signer_app.envelope.services import SERVICES, Service
from tests.support.gibschema import gib_dir

SAMPLES = gib_dir() / "xml"

OPEN = "4_KULLANICI_ACMA.xml"
CLOSE = "5_KULLANICI_SILME.xml"
OPEN_ENVELOPE = "4_KULLANICI_ACMA_ZARF.xml"
CLOSE_ENVELOPE = "5_KULLANICI_SILME_ZARF.xml"

Edit = Callable[[str], str]


def text_of(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def sub(old: str, new: str, nth: int | None = None) -> Edit:
    """Replace every occurrence of ``old``, or only the ``nth`` (1-based)."""

    def edit(text: str) -> str:
        parts = text.split(old)
        assert len(parts) > 1, old
        if nth is None:
            return new.join(parts)
        assert len(parts) > nth, (old, nth)
        return old.join(parts[:nth]) + new + old.join(parts[nth:])

    return edit


def drop(pattern: str, nth: int | None = None) -> Edit:
    """Remove every match of the regex ``pattern`` (non-greedy, across lines), or the ``nth``."""

    def edit(text: str) -> str:
        matches = list(re.finditer(pattern, text, re.DOTALL))
        assert matches, pattern
        chosen = matches if nth is None else [matches[nth - 1]]
        for match in reversed(chosen):
            text = text[: match.start()] + text[match.end() :]
        return text

    return edit


def element(name: str) -> str:
    """A regex for one element, its content and the whitespace after it."""
    return rf"<{name}>.*?</{name}>\s*"


def replace_element(name: str, new: str) -> Edit:
    """Replace the outermost element ``name`` (with all its content) by ``new``."""

    def edit(text: str) -> str:
        replaced, count = re.subn(rf"<{name}[ >].*</{name}>", new, text, flags=re.DOTALL)
        assert count == 1, name
        return replaced

    return edit


def both(*edits: Edit) -> Edit:
    def edit(text: str) -> str:
        for one in edits:
            text = one(text)
        return text

    return edit


def codes(findings: list[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


@dataclass(frozen=True)
class Context:
    """What ``check_user_document`` knows of the envelope around the document."""

    sender_alias: str | None = None
    sender_id: str | None = None


def document_findings(text: str, context: Context = Context()) -> list[Finding]:
    return check_user_document(
        parse_xml(text.encode("utf-8")),
        sender_alias=context.sender_alias,
        sender_id=context.sender_id,
    )


def envelope_findings(text: str) -> list[Finding]:
    return check_envelope(parse_xml(text.encode("utf-8")))


def message(findings: list[Finding], code: str) -> str:
    return next(f.message_tr for f in findings if f.code == code)


# --- the samples --------------------------------------------------------------------


@pytest.mark.parametrize("name", [OPEN, CLOSE])
def test_standalone_samples_pass(name: str) -> None:
    tree = parse_xml((SAMPLES / name).read_bytes())
    assert check_user_document(tree) == []
    assert check_user_document(tree, sender_alias="usergb", sender_id="9999999999") == []
    assert check(tree) == []


@pytest.mark.parametrize("name", [OPEN_ENVELOPE, CLOSE_ENVELOPE])
def test_sample_envelopes_fail_only_type_version(name: str) -> None:
    findings = check(parse_xml((SAMPLES / name).read_bytes()))
    assert findings == [
        Finding(
            code="TypeVersionCheck.TypeVersion",
            message_tr="Geçersiz sh:TypeVersion elemanı değeri. '1.2' değerine eşit olmalıdır.",
            message_en="sh:TypeVersion must be 1.2.",
            location="/sh:StandardBusinessDocument/sh:StandardBusinessDocumentHeader/"
            "sh:DocumentIdentification/sh:TypeVersion",
        )
    ]


@pytest.mark.parametrize("name", [OPEN_ENVELOPE, CLOSE_ENVELOPE])
def test_sample_envelopes_pass_with_type_version_1_2(name: str) -> None:
    assert envelope_findings(current(text_of(name))) == []


def test_wrong_roots() -> None:
    document = parse_xml((SAMPLES / OPEN).read_bytes())
    envelope = parse_xml((SAMPLES / OPEN_ENVELOPE).read_bytes())
    with pytest.raises(UnsupportedDocumentError):
        check_envelope(document)
    with pytest.raises(UnsupportedDocumentError):
        check_user_document(envelope)
    with pytest.raises(UnsupportedDocumentError):
        check(parse_xml(b"<Invoice/>"))


# --- document rules ---------------------------------------------------------------------

USERGB = Context("usergb", "9999999999")
STANDALONE = Context()

NO_ROLES = both(drop(element("UserRole")), drop(element("AuthorizedWorkScope")))


def option_code(code: str) -> Edit:
    return sub("<UserOptionCode>2</UserOptionCode>", f"<UserOptionCode>{code}</UserOptionCode>")


LONG_ALIAS = "urn:mail:" + "a" * 250 + "@gib.gov.tr"
COUNTER = "xades:CounterSignature"


def counter_object(text: str) -> str:
    """Remove the counter-signature's ds:Object (nested in the main one)."""
    start = text.index("<ds:Object>", text.index("<ds:Object>") + 1)
    end = text.index("</ds:Object>", start) + len("</ds:Object>")
    return text[:start] + text[end:]


# (id, sample, edit, check context, expected codes, (code, GİB message) or None)
DOCUMENT_CASES: list[tuple[str, str, Edit, Context, list[str], tuple[str, str] | None]] = [
    (
        "different-user-ids",
        OPEN,
        sub("<UserID>9999999999</UserID>", "<UserID>8888888888</UserID>", nth=2),
        USERGB,
        ["UserAccountCheck.SameUserID"],
        (
            "UserAccountCheck.SameUserID",
            "ProcessUserAccount ve CancelUserAccount belgesinde aynı hr:UserID'ye ait işlem "
            "yapılmalıdır. Farklı iki hr:UserID(9999999999, 8888888888) bulundu.",
        ),
    ),
    (
        "alias-not-urn",
        OPEN,
        sub("urn:mail:defaultgb@gib.gov.tr", "defaultgb@gib.gov.tr"),
        USERGB,
        ["UserAccountCheck.WorkScopeCodeUrn"],
        (
            "UserAccountCheck.WorkScopeCodeUrn",
            "Geçersiz hr:WorkScopeCode(etiket) değeri : defaultgb@gib.gov.tr. "
            "hr:WorkScopeCode(etiket) zorunlu bir elemandır ve urn formatında olmalıdır.",
        ),
    ),
    (
        "reserved-alias",
        OPEN,
        sub("urn:mail:defaultgb@gib.gov.tr", "usergb"),
        USERGB,
        ["UserAccountCheck.WorkScopeCodeReserved", "UserAccountCheck.WorkScopeCodeUrn"],
        (
            "UserAccountCheck.WorkScopeCodeReserved",
            "hr:WorkScopeCode(etiket) elemanında yasaklı bir etiket kullanmaktasınız.",
        ),
    ),
    (
        "reserved-alias-gib",
        CLOSE,
        sub("urn:mail:defaultpk@gib.gov.tr", " GIB "),
        STANDALONE,
        ["UserAccountCheck.WorkScopeCodeReserved", "UserAccountCheck.WorkScopeCodeUrn"],
        None,
    ),
    (
        "alias-too-long",
        OPEN,
        sub("urn:mail:defaultgb@gib.gov.tr", LONG_ALIAS),
        USERGB,
        ["UserAccountCheck.WorkScopeCodeLength"],
        (
            "UserAccountCheck.WorkScopeCodeLength",
            "hr:WorkScopeCode(etiket) zorunlu bir elemandır ve 250 karakterden fazla olmamalıdır.",
        ),
    ),
    (
        "alias-blank",
        OPEN,
        sub("urn:mail:defaultpk@gib.gov.tr", " \n "),
        USERGB,
        ["UserAccountCheck.WorkScopeCodeBlank", "UserAccountCheck.WorkScopeCodeUrn"],
        (
            "UserAccountCheck.WorkScopeCodeBlank",
            "hr:WorkScopeCode(etiket) zorunlu bir elemandır ve boş bırakılmamalıdır.",
        ),
    ),
    (
        "option-code-of-another-service",
        OPEN,
        option_code("21"),
        USERGB,
        ["UserAccountCheck.UserOptionCode"] * 2,
        (
            "UserAccountCheck.UserOptionCode",
            "hr:UserOptionCode zorunlu bir elemandır ve değeri 1,2,3,4 olabilir.",
        ),
    ),
    (
        "option-code-missing",
        OPEN,
        sub("<UserOptionCode>2</UserOptionCode>", "", nth=1),
        USERGB,
        ["UserAccountCheck.UserOptionCode"],
        None,
    ),
    (
        "standalone-earchive-with-roles",
        OPEN,
        option_code("22"),
        STANDALONE,
        ["UserAccountCheck.AuthorizedWorkScopeForbidden"] * 2
        + ["UserAccountCheck.UserRoleForbidden"] * 2,
        (
            "UserAccountCheck.UserRoleForbidden",
            "E-arşiv hizmeti verecekler için hr:UserAccount elemanı içersinde hr:UserRole "
            "elemanı girilmemelidir.",
        ),
    ),
    (
        "standalone-unknown-option-code",
        OPEN,
        option_code("999"),
        STANDALONE,
        ["StandaloneCheck.UserOptionCodeService"],
        None,
    ),
    (
        "standalone-no-option-code",
        OPEN,
        sub("<UserOptionCode>2</UserOptionCode>", ""),
        STANDALONE,
        ["StandaloneCheck.UserOptionCodeService"],
        None,
    ),
    (
        "archive-two-accounts",
        OPEN,
        both(NO_ROLES, option_code("12")),
        Context("archive"),
        ["UserAccountCountCheck.Archive"],
        (
            "UserAccountCountCheck.Archive",
            "Fatura saklama hizmeti için oluşturulan belgelerde yalnızca bir tane "
            "hr:UserAccount elemanı bulunmalıdır.",
        ),
    ),
    (
        "earchive-with-role",
        OPEN,
        both(drop(element("AuthorizedWorkScope")), option_code("22")),
        Context("earchive"),
        ["UserAccountCheck.UserRoleForbidden"] * 2,
        None,
    ),
    (
        "efatura-without-role",
        OPEN,
        drop(element("UserRole"), nth=1),
        USERGB,
        ["UserAccountCheck.UserRoleRequired"],
        (
            "UserAccountCheck.UserRoleRequired",
            "hr:UserAccount elemanı içersinde hr:UserRole zorunlu bir elemandır.",
        ),
    ),
    (
        "efatura-without-alias",
        OPEN,
        drop(element("AuthorizedWorkScope"), nth=2),
        STANDALONE,
        ["UserAccountCheck.AuthorizedWorkScopeRequired"],
        (
            "UserAccountCheck.AuthorizedWorkScopeRequired",
            "hr:UserAccount elemanı içersinde hr:AuthorizedWorkScope zorunlu bir elemandır.",
        ),
    ),
    (
        "efatura-two-roles",
        OPEN,
        sub("<UserRole>", "<UserRole><RoleCode>GB</RoleCode></UserRole><UserRole>", nth=1),
        USERGB,
        ["UserAccountCheck.UserRoleRequired"],
        None,
    ),
    ("efatura-vuk507-without-roles", OPEN, both(NO_ROLES, option_code("4")), USERGB, [], None),
    (
        "edespatch-without-role",
        OPEN,
        both(drop(element("UserRole"), nth=1), option_code("51")),
        Context("edespatch"),
        ["UserAccountCheck.UserRoleRequired"],
        None,
    ),
    (
        "missing-logical-id",
        OPEN,
        drop(element("oa:LogicalID")),
        USERGB,
        ["OASenderCheck.LogicalIDPresent"],
        ("OASenderCheck.LogicalIDPresent", "oa:LogicalID zorunlu bir elemandır."),
    ),
    (
        "logical-id-length",
        OPEN,
        sub("<oa:LogicalID>9999999999<", "<oa:LogicalID>999999999<"),
        USERGB,
        ["OASenderCheck.LogicalIDLength"],
        (
            "OASenderCheck.LogicalIDLength",
            "oa:LogicalID elemanı 10 haneli VKN ve ya 11 haneli TCKN olmalıdır.",
        ),
    ),
    (
        "logical-id-not-the-sender",
        CLOSE,
        lambda text: text,
        Context("usergb", "1111111111"),
        ["OASenderCheck.LogicalIDMatchesSender"],
        (
            "OASenderCheck.LogicalIDMatchesSender",
            "Zarfı gönderen kullanıcı(1111111111) ile kullanıcı işlemi yapacak özel "
            "entegratör(9999999999) aynı olmalıdır.",
        ),
    ),
    (
        "missing-sender",
        OPEN,
        drop(element("oa:Sender")),
        USERGB,
        ["ApplicationAreaCheck.Sender"],
        ("ApplicationAreaCheck.Sender", "Bir tane oa:Sender elemanı bulunmalıdır."),
    ),
    (
        "tckn-without-names",
        OPEN,
        sub("<UserID>9999999999</UserID>", "<UserID>12345678901</UserID>"),
        USERGB,
        ["UserAccountCheck.GivenFamilyName"] * 2,
        (
            "UserAccountCheck.GivenFamilyName",
            "TC kimlik numarasına sahip kullanıcı için ad bilgisi oa:GivenName elemanına ve "
            "soyad bilgisi hr:FamilyName elemanına yazılmaldır.",
        ),
    ),
    (
        "tckn-with-names",
        OPEN,
        both(
            sub("<UserID>9999999999</UserID>", "<UserID>12345678901</UserID>"),
            sub("<oa:GivenName/>", "<oa:GivenName>AHMET</oa:GivenName>"),
            sub("<FamilyName/>", "<FamilyName>YILMAZ</FamilyName>"),
        ),
        USERGB,
        [],
        None,
    ),
    (
        "vkn-without-title",
        OPEN,
        sub("<FormattedName>e-Fatura Deneme A.Ş.</FormattedName>", "<FormattedName/>"),
        USERGB,
        ["UserAccountCheck.FormattedName"] * 2,
        (
            "UserAccountCheck.FormattedName",
            "Vergi kimlik numarasına sahip kullanıcılar için unvan bilgisi hr:FormattedName "
            "elemanına yazılmaldır.",
        ),
    ),
    (
        "user-id-length",
        OPEN,
        sub("<UserID>9999999999</UserID>", "<UserID>99999</UserID>"),
        USERGB,
        ["UserAccountCheck.UserIDLength"] * 2,
        (
            "UserAccountCheck.UserIDLength",
            "hr:UserID elemanına 10 haneli VKN ve ya 11 haneli TCKN yazılmalıdır.",
        ),
    ),
    (
        "missing-user-id",
        OPEN,
        drop(element("UserID"), nth=1),
        USERGB,
        ["UserAccountCheck.UserID"],
        (
            "UserAccountCheck.UserID",
            "hr:UserAccount elemanı içersinde hr:UserID zorunlu bir elemandır.",
        ),
    ),
    (
        "missing-person-name",
        OPEN,
        drop(element("PersonName"), nth=2),
        USERGB,
        # The schematron compares each name with the later accounts' names, and the
        # second account has none.
        [
            "UserAccountCheck.PersonName",
            "UserAccountCheck.SameFamilyName",
            "UserAccountCheck.SameFormattedName",
            "UserAccountCheck.SameGivenName",
            "UserAccountCheck.SameMiddleName",
        ],
        (
            "UserAccountCheck.PersonName",
            "hr:UserAccount elemanı içersinde hr:PersonName zorunlu bir elemandır.",
        ),
    ),
    (
        "missing-account-configuration",
        OPEN,
        drop(element("AccountConfiguration"), nth=1),
        USERGB,
        ["UserAccountCheck.AccountConfiguration"],
        (
            "UserAccountCheck.AccountConfiguration",
            "hr:UserAccount elemanı içersinde hr:AccountConfiguration zorunlu bir elemandır.",
        ),
    ),
    (
        "role-code-xx",
        OPEN,
        sub("<RoleCode>GB</RoleCode>", "<RoleCode>XX</RoleCode>"),
        USERGB,
        ["UserAccountCheck.RoleCodeValue"],
        ("UserAccountCheck.RoleCodeValue", "hr:RoleCode elemanı değeri 'GB' ve ya 'PK' olabilir."),
    ),
    (
        "role-code-missing",
        OPEN,
        sub("<RoleCode>PK</RoleCode>", ""),
        USERGB,
        ["UserAccountCheck.RoleCode"],
        ("UserAccountCheck.RoleCode", "hr:RoleCode zorunlu bir elemandır."),
    ),
    (
        "different-titles",
        OPEN,
        sub("e-Fatura Deneme A.Ş.</FormattedName>", "Başka A.Ş.</FormattedName>", nth=2),
        USERGB,
        ["UserAccountCheck.SameFormattedName"],
        (
            "UserAccountCheck.SameFormattedName",
            "ProcessUserAccount ve CancelUserAccount belgesinde aynı hr:FormattedName'e ait "
            "işlem yapılmalıdır. Farklı iki hr:FormattedName(e-Fatura Deneme A.Ş., Başka A.Ş.) "
            "bulundu.",
        ),
    ),
    (
        "different-given-names",
        OPEN,
        sub("<oa:GivenName/>", "<oa:GivenName>AHMET</oa:GivenName>", nth=2),
        USERGB,
        ["UserAccountCheck.SameGivenName"],
        (
            "UserAccountCheck.SameGivenName",
            "ProcessUserAccount ve CancelUserAccount belgesinde aynı oa:GivenName'e ait işlem "
            "yapılmalıdır. Farklı iki oa:GivenName(, AHMET) bulundu.",
        ),
    ),
    (
        "different-middle-names",
        OPEN,
        sub("<MiddleName/>", "<MiddleName>CAN</MiddleName>", nth=1),
        USERGB,
        ["UserAccountCheck.SameMiddleName"],
        None,
    ),
    (
        "different-family-names",
        CLOSE,
        sub("<FamilyName/>", "<FamilyName>YILMAZ</FamilyName>", nth=1),
        USERGB,
        ["UserAccountCheck.SameFamilyName"],
        None,
    ),
    (
        "different-option-codes",
        OPEN,
        sub("<UserOptionCode>2</", "<UserOptionCode>1</", nth=2),
        STANDALONE,
        ["UserAccountCheck.SameUserOptionCode"],
        (
            "UserAccountCheck.SameUserOptionCode",
            "ProcessUserAccount ve CancelUserAccount belgesinde aynı hr:UserOptionCode'e ait "
            "işlem yapılmalıdır. Farklı iki hr:UserOptionCode(2, 1) bulundu.",
        ),
    ),
    (
        "missing-oa-signature",
        OPEN,
        drop(element("oa:Signature")),
        USERGB,
        ["ApplicationAreaCheck.Signature"],
        ("ApplicationAreaCheck.Signature", "oa:Signature zorunlu bir elemandır."),
    ),
    (
        "empty-oa-signature",
        OPEN,
        replace_element("oa:Signature", "<oa:Signature/>"),
        USERGB,
        ["OASignatureCheck.DsSignature"],
        (
            "OASignatureCheck.DsSignature",
            "oa:Signature elemanı içerisinde ds:Signature elemanı zorunludur.",
        ),
    ),
    (
        "missing-certificate",
        OPEN,
        drop(element("ds:X509Certificate"), nth=1),
        USERGB,
        ["X509DataCheck.X509Certificate"],
        (
            "X509DataCheck.X509Certificate",
            "ds:X509Data elemanı içerisindeki ds:X509Certificate elemanı zorunlu bir elemandır.",
        ),
    ),
    (
        "missing-counter-certificate",
        CLOSE,
        drop(element("ds:X509Certificate"), nth=2),
        USERGB,
        ["X509DataCheck.X509Certificate"],
        None,
    ),
    (
        "empty-counter-signature",
        OPEN,
        drop(r"(?<=<xades:CounterSignature>).*(?=</xades:CounterSignature>)"),
        USERGB,
        ["CounterSignatureCheck.DsSignature"],
        (
            "CounterSignatureCheck.DsSignature",
            "xades:CounterSignature elemanı içerisinde ds:Signature elemanı zorunludur.",
        ),
    ),
    (
        "blank-subject-name",
        OPEN,
        drop(r"(?<=<ds:X509SubjectName>)[^<]*", nth=1),
        USERGB,
        ["X509SubjectNameCheck.NotBlank"],
        (
            "X509SubjectNameCheck.NotBlank",
            "ds:X509SubjectName elemanının değeri boşluk olmamalıdır.",
        ),
    ),
    (
        "missing-transforms",
        OPEN,
        drop(element("ds:Transforms"), nth=1),
        USERGB,
        ["XadesSignatureCheck.Transforms"],
        (
            "XadesSignatureCheck.Transforms",
            "ds:SignedInfo/ds:Reference/ds:Transforms elemanı zorunlu bir elemandır.",
        ),
    ),
    (
        "missing-counter-key-info",
        OPEN,
        drop(element("ds:KeyInfo"), nth=2),
        USERGB,
        ["XadesSignatureCheck.KeyInfo"],
        ("XadesSignatureCheck.KeyInfo", "ds:KeyInfo elemanı zorunlu bir elemandır."),
    ),
    (
        "missing-x509-data",
        OPEN,
        drop(element("ds:X509Data"), nth=1),
        USERGB,
        ["XadesSignatureCheck.X509Data"],
        (
            "XadesSignatureCheck.X509Data",
            "ds:KeyInfo elemanı içerisindeki ds:X509Data elemanı zorunlu bir elemandır.",
        ),
    ),
    (
        "missing-counter-object",
        OPEN,
        counter_object,
        USERGB,
        ["XadesSignatureCheck.Object"],
        ("XadesSignatureCheck.Object", "ds:Object elemanı zorunlu bir elemandır."),
    ),
    (
        "missing-signing-time",
        OPEN,
        drop(element("xades:SigningTime"), nth=1),
        USERGB,
        ["XadesSignatureCheck.SigningTime"],
        ("XadesSignatureCheck.SigningTime", "xades:SigningTime elemanı zorunlu bir elemandır."),
    ),
    (
        "missing-signing-certificate",
        OPEN,
        drop(element("xades:SigningCertificate"), nth=2),
        USERGB,
        ["XadesSignatureCheck.SigningCertificate"],
        (
            "XadesSignatureCheck.SigningCertificate",
            "xades:SigningCertificate elemanı zorunlu bir elemandır",
        ),
    ),
    (
        "no-user-account",
        OPEN,
        drop(element("UserAccount")),
        USERGB,
        ["Structure.UserAccount"],
        None,
    ),
    (
        "no-application-area",
        OPEN,
        drop(element("oa:ApplicationArea")),
        USERGB,
        ["Structure.ApplicationArea"],
        None,
    ),
]


@pytest.mark.parametrize(
    ("sample", "edit", "context", "expected", "gib_message"),
    [pytest.param(*case[1:], id=case[0]) for case in DOCUMENT_CASES],
)
def test_document_rule(
    sample: str,
    edit: Edit,
    context: Context,
    expected: list[str],
    gib_message: tuple[str, str] | None,
) -> None:
    findings = document_findings(edit(text_of(sample)), context)
    assert codes(findings) == sorted(expected)
    if gib_message is not None:
        assert message(findings, gib_message[0]) == gib_message[1]
    for finding in findings:
        assert finding.message_en
        assert finding.location.startswith(("/hr:ProcessUserAccount", "/hr:CancelUserAccount"))


def test_counter_signature_findings_point_into_the_counter_signature() -> None:
    findings = document_findings(drop(element("ds:X509Certificate"), nth=2)(text_of(OPEN)))
    (finding,) = findings
    assert COUNTER in finding.location
    assert finding.location.endswith("/ds:KeyInfo/ds:X509Data")


def test_account_locations_are_numbered() -> None:
    findings = document_findings(
        sub("<RoleCode>PK</RoleCode>", "<RoleCode>X</RoleCode>")(text_of(OPEN))
    )
    (finding,) = findings
    assert finding.location == (
        "/hr:ProcessUserAccount/hr:DataArea/hr:UserAccount[2]/hr:UserRole/hr:RoleCode"
    )


# --- every service's alias-dependent rules ----------------------------------------------

OPTION_MESSAGES = {
    "usergb": "1,2,3,4",
    "archive": "11,12,13,14",
    "earchive": "21,22,23,24",
    "archive_earchive": "31,32,33,34",
    "eticket": "41,42,43,44",
    "edespatch": "51,52,53,54",
    "archive_edespatch": "61,62,63,64",
    "esevoucher": "71,72,73,74",
    "epreceipt": "81,82,83,84",
    "esevoucher_archive": "91,92,93,94",
    "epreceipt_archive": "101,102,103,104",
    "erevenue": "111,112,121 veya 122",
    "ebreceipt": "131 veya 132",
    "eexchangecert": "141 veya 142",
    "echeck": "151 veya 152",
    "einsurancecomm": "161 veya 162",
}

WORK_SCOPE_NAMES = {
    "archive": "Fatura saklama",
    "earchive": "E-arşiv",
    "archive_earchive": "E-arşiv saklama",
    "eticket": "E-bilet",
    "esevoucher": "E-Serbest Meslek",
    "epreceipt": "E-Müstahsil",
    "erevenue": "E-Mali rapor",
    "epreceipt_archive": "E-Müstahsil saklama",
    "esevoucher_archive": "E-Serbest Meslek saklama",
    "ebreceipt": "E-Dekont",
    "eexchangecert": "E-Döviz",
    "echeck": "E-Adisyon",
}


def single_account(service: Service, *, roles: bool) -> str:
    """The open sample reduced to one account with ``service``'s first code."""
    edit = both(
        drop(element("UserAccount"), nth=2),
        option_code(str(min(service.option_codes))),
    )
    text = edit(text_of(OPEN))
    return text if roles else NO_ROLES(text)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.sender_alias)
def test_every_service_accepts_its_own_codes(service: Service) -> None:
    text = single_account(service, roles=bool(service.role_required_codes))
    assert document_findings(text, Context(service.sender_alias)) == []
    assert document_findings(text) == []


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.sender_alias)
def test_every_service_refuses_other_codes(service: Service) -> None:
    other = next(s for s in SERVICES if s is not service and not s.role_required_codes)
    text = single_account(other, roles=False)
    findings = document_findings(text, Context(service.sender_alias))
    assert codes(findings) == ["UserAccountCheck.UserOptionCode"]
    assert findings[0].message_tr == (
        "hr:UserOptionCode zorunlu bir elemandır ve değeri "
        f"{OPTION_MESSAGES[service.sender_alias]} olabilir."
    )


@pytest.mark.parametrize(
    "service", [s for s in SERVICES if s.work_scope_forbidden], ids=lambda s: s.sender_alias
)
def test_alias_forbidden(service: Service) -> None:
    text = drop(element("UserRole"))(single_account(service, roles=True))
    findings = document_findings(text, Context(service.sender_alias))
    assert codes(findings) == ["UserAccountCheck.AuthorizedWorkScopeForbidden"]
    end = "" if service.sender_alias == "esevoucher_archive" else "."
    assert findings[0].message_tr == (
        f"{WORK_SCOPE_NAMES[service.sender_alias]} hizmeti verecekler için hr:UserAccount "
        f"elemanı içersinde hr:AuthorizedWorkScope elemanı girilmemelidir{end}"
    )


@pytest.mark.parametrize(
    "service", [s for s in SERVICES if s.role_forbidden], ids=lambda s: s.sender_alias
)
def test_role_forbidden(service: Service) -> None:
    text = drop(element("AuthorizedWorkScope"))(single_account(service, roles=True))
    findings = document_findings(text, Context(service.sender_alias))
    assert codes(findings) == ["UserAccountCheck.UserRoleForbidden"]
    assert findings[0].message_tr == (
        f"{WORK_SCOPE_NAMES[service.sender_alias]} hizmeti verecekler için hr:UserAccount "
        "elemanı içersinde hr:UserRole elemanı girilmemelidir."
    )


def test_unknown_sender_alias_applies_only_general_rules() -> None:
    text = option_code("999")(text_of(OPEN))
    assert document_findings(text, Context("efatura")) == []


# --- envelope rules ---------------------------------------------------------------------


def current(text: str) -> str:
    """The 2013 sample envelope brought up to today's TypeVersion."""
    return sub("<sh:TypeVersion>1.0</sh:TypeVersion>", "<sh:TypeVersion>1.2</sh:TypeVersion>")(text)


def groups(count: int) -> Edit:
    def edit(text: str) -> str:
        group = re.search(r"<Elements>.*</Elements>", text, re.DOTALL)
        assert group is not None
        return text.replace(group[0], group[0] * count)

    return edit


SENDER_VKN = "<sh:Contact>9999999999</sh:Contact>"

# (id, sample, edit, expected codes, (code, GİB message) or None)
ENVELOPE_CASES: list[tuple[str, str, Edit, list[str], tuple[str, str] | None]] = [
    (
        "type-version-1-0",
        OPEN_ENVELOPE,
        sub("<sh:TypeVersion>1.2</", "<sh:TypeVersion>1.0</"),
        ["TypeVersionCheck.TypeVersion"],
        (
            "TypeVersionCheck.TypeVersion",
            "Geçersiz sh:TypeVersion elemanı değeri. '1.2' değerine eşit olmalıdır.",
        ),
    ),
    (
        "receiver-vkn-not-gib",
        OPEN_ENVELOPE,
        sub("<sh:Contact>3900383669</sh:Contact>", "<sh:Contact>1234567890</sh:Contact>"),
        ["EnvelopeTypeElementTypeCheck.UserReceiver"],
        (
            "EnvelopeTypeElementTypeCheck.UserReceiver",
            "USERENVELOPE türündeki zarfı yalnızca 3900383669 vergi kimlik numaralı ve GIB "
            "etiketli kullanıcıya gönderebilirsiniz.",
        ),
    ),
    (
        "receiver-alias-not-gib",
        CLOSE_ENVELOPE,
        sub("<sh:Identifier>GIB</sh:Identifier>", "<sh:Identifier>gib</sh:Identifier>"),
        ["EnvelopeTypeElementTypeCheck.UserReceiver"],
        None,
    ),
    (
        "bad-instance-identifier",
        OPEN_ENVELOPE,
        sub("08656bf3-4f41-499d-a907-da36b07741ae", "08656bf3-4f41-499d-a907-da36b07741a"),
        ["UUIDCheck.InstanceIdentifier"],
        (
            "UUIDCheck.InstanceIdentifier",
            "Geçersiz sh:InstanceIdentifier elemanı değeri. sh:InstanceIdentifier elemanı "
            "UUID formatında olmalıdır.",
        ),
    ),
    (
        "element-count-mismatch",
        OPEN_ENVELOPE,
        sub("<ElementCount>1</ElementCount>", "<ElementCount>2</ElementCount>"),
        ["ElementListCountCheck.Count", "ElementNameCheck.ProcessUserAccount"],
        (
            "ElementListCountCheck.Count",
            "ElementList elemanı içersinde bulunan eleman sayısı ElementCount elemanı "
            "değerine eşit olmalıdır.",
        ),
    ),
    (
        "cancel-in-process-group",
        OPEN_ENVELOPE,
        both(
            sub("<ProcessUserAccount ", "<CancelUserAccount "),
            sub("</ProcessUserAccount>", "</CancelUserAccount>"),
        ),
        ["ElementNameCheck.ProcessUserAccount"],
        (
            "ElementNameCheck.ProcessUserAccount",
            "ElementList elemanı içerisinde bulunan hr:ProcessUserAccount elemanı sayısı "
            "ElementCount elemanı değerine eşit olmalıdır.",
        ),
    ),
    (
        "process-in-cancel-group",
        CLOSE_ENVELOPE,
        sub("CANCELUSERACCOUNT", "PROCESSUSERACCOUNT"),
        ["ElementNameCheck.ProcessUserAccount"],
        None,
    ),
    (
        "process-labelled-cancel",
        OPEN_ENVELOPE,
        sub("PROCESSUSERACCOUNT", "CANCELUSERACCOUNT"),
        ["ElementNameCheck.CancelUserAccount"],
        (
            "ElementNameCheck.CancelUserAccount",
            "ElementList elemanı içerisinde bulunan hr:CancelUserAccount elemanı sayısı "
            "ElementCount elemanı değerine eşit olmalıdır.",
        ),
    ),
    (
        "sender-alias-not-listed",
        OPEN_ENVELOPE,
        sub("<sh:Identifier>usergb</sh:Identifier>", "<sh:Identifier>efatura</sh:Identifier>"),
        ["EnvelopeTypeElementTypeCheck.UserSenderAlias"],
        (
            "EnvelopeTypeElementTypeCheck.UserSenderAlias",
            "USERENVELOPE türündeki zarfı UserEnvelopeAliases listesindeki etiketlerden "
            "birisiyle gönderebilirsiniz.",
        ),
    ),
    (
        "sender-alias-empty",
        OPEN_ENVELOPE,
        sub("<sh:Identifier>usergb</sh:Identifier>", "<sh:Identifier> </sh:Identifier>"),
        ["EmptyCheck.SenderIdentifier", "EnvelopeTypeElementTypeCheck.UserSenderAlias"],
        (
            "EmptyCheck.SenderIdentifier",
            "Geçersiz sh:Identifier elemanı değeri. Boş olmayan bir değer içermelidir.",
        ),
    ),
    (
        "receiver-alias-empty",
        OPEN_ENVELOPE,
        sub("<sh:Identifier>GIB</sh:Identifier>", "<sh:Identifier/>"),
        ["EmptyCheck.ReceiverIdentifier", "EnvelopeTypeElementTypeCheck.UserReceiver"],
        None,
    ),
    (
        "sender-alias-of-another-service",
        OPEN_ENVELOPE,
        sub("<sh:Identifier>usergb</sh:Identifier>", "<sh:Identifier>earchive</sh:Identifier>"),
        ["UserAccountCheck.AuthorizedWorkScopeForbidden"] * 2
        + ["UserAccountCheck.UserOptionCode"] * 2
        + ["UserAccountCheck.UserRoleForbidden"] * 2,
        None,
    ),
    (
        "option-code-21-in-usergb-envelope",
        OPEN_ENVELOPE,
        option_code("21"),
        ["UserAccountCheck.UserOptionCode"] * 2,
        (
            "UserAccountCheck.UserOptionCode",
            "hr:UserOptionCode zorunlu bir elemandır ve değeri 1,2,3,4 olabilir.",
        ),
    ),
    (
        "logical-id-not-the-sender",
        OPEN_ENVELOPE,
        sub(SENDER_VKN, "<sh:Contact>1111111111</sh:Contact>"),
        ["OASenderCheck.LogicalIDMatchesSender"],
        (
            "OASenderCheck.LogicalIDMatchesSender",
            "Zarfı gönderen kullanıcı(1111111111) ile kullanıcı işlemi yapacak özel "
            "entegratör(9999999999) aynı olmalıdır.",
        ),
    ),
    (
        "sender-vkn-length",
        OPEN_ENVELOPE,
        sub(SENDER_VKN, "<sh:Contact>999</sh:Contact>"),
        ["ContactCheck.VknTcknLength", "OASenderCheck.LogicalIDMatchesSender"],
        (
            "ContactCheck.VknTcknLength",
            "sh:ContactTypeIdentifier elemanın değeri 'VKN_TCKN' olması durumunda sh:Contact "
            "elemanına 10 haneli vergi kimlik numarası ve ya 11 haneli TC kimlik numarası "
            "yazılmalıdır.",
        ),
    ),
    (
        "header-version",
        OPEN_ENVELOPE,
        sub("<sh:HeaderVersion>1.0<", "<sh:HeaderVersion>2.0<"),
        ["HeaderCheck.HeaderVersion"],
        (
            "HeaderCheck.HeaderVersion",
            "Geçersiz sh:HeaderVersion elemanı değeri. sh:HeaderVersion elemanı 1.0 veya 1.2 "
            "değerine eşit olmalıdır.",
        ),
    ),
    (
        "schema-location",
        OPEN_ENVELOPE,
        sub("PackageProxy_1_2.xsd", "PackageProxy.xsd"),
        ["DocumentCheck.SchemaLocation"],
        (
            "DocumentCheck.SchemaLocation",
            "sh:StandardBusinessDocument alanın  xsi:schemaLocation niteliği "
            "'PackageProxy_1_2.xsd' olmalıdır",
        ),
    ),
    (
        "unknown-envelope-type",
        OPEN_ENVELOPE,
        sub("<sh:Type>USERENVELOPE<", "<sh:Type>USER<"),
        ["EnvelopeTypeCheck.Type"],
        (
            "EnvelopeTypeCheck.Type",
            "Geçersiz zarf türü : 'USER'. Geçerli değerler için kod listesine bakınız.",
        ),
    ),
    (
        "not-a-user-envelope",
        OPEN_ENVELOPE,
        sub("<sh:Type>USERENVELOPE<", "<sh:Type>SYSTEMENVELOPE<"),
        ["UserEnvelope.Type"],
        None,
    ),
    (
        "unknown-element-type",
        OPEN_ENVELOPE,
        sub("PROCESSUSERACCOUNT", "USERACCOUNT"),
        ["ElementTypeCheck.Known", "EnvelopeTypeElementTypeCheck.UserElementType"],
        (
            "ElementTypeCheck.Known",
            "Geçersiz  ElementType değeri : 'USERACCOUNT'. Geçerli ElementType değerleri için "
            "kod listesine bakınız.",
        ),
    ),
    (
        "element-count-over-1000",
        OPEN_ENVELOPE,
        sub("<ElementCount>1<", "<ElementCount>1001<"),
        [
            "ElementCountCheck.Max",
            "ElementListCountCheck.Count",
            "ElementNameCheck.ProcessUserAccount",
        ],
        ("ElementCountCheck.Max", "ElementCount elemanın değeri en fazla 1000 olabilir.."),
    ),
    (
        "element-count-not-a-number",
        OPEN_ENVELOPE,
        sub("<ElementCount>1<", "<ElementCount>one<"),
        [
            "ElementCountCheck.Max",
            "ElementListCountCheck.Count",
            "ElementNameCheck.ProcessUserAccount",
        ],
        None,
    ),
    (
        "element-count-with-spaces",
        OPEN_ENVELOPE,
        sub("<ElementCount>1<", "<ElementCount> 1 <"),
        [],
        None,
    ),
    (
        "eleven-groups",
        OPEN_ENVELOPE,
        groups(11),
        ["ElementsGroupCountCheck.Max"],
        (
            "ElementsGroupCountCheck.Max",
            "ef:Package elemanı içerisinde en fazla 10 tane Elements elemanı olabilir.",
        ),
    ),
    ("ten-groups", OPEN_ENVELOPE, groups(10), [], None),
    (
        "unknown-contact-type",
        OPEN_ENVELOPE,
        sub("<sh:ContactTypeIdentifier>UNVAN<", "<sh:ContactTypeIdentifier>TITLE<", nth=1),
        ["ContactCheck.TypeKnown"],
        (
            "ContactCheck.TypeKnown",
            "Geçersiz sh:ContactTypeIdentifier değeri : 'TITLE'. Geçerli değerler için kod "
            "listesine bakınız.",
        ),
    ),
    (
        "contact-without-type",
        OPEN_ENVELOPE,
        sub("<sh:ContactTypeIdentifier>UNVAN</sh:ContactTypeIdentifier>", "", nth=2),
        ["ContactCheck.TypePresent"],
        ("ContactCheck.TypePresent", "sh:ContactTypeIdentifier zorunlu bir elemandır."),
    ),
    (
        "receiver-without-vkn-contact",
        OPEN_ENVELOPE,
        sub("<sh:ContactTypeIdentifier>VKN_TCKN<", "<sh:ContactTypeIdentifier>UNVAN<", nth=2),
        ["ContactInformationCheck.SingleVknTckn", "EnvelopeTypeElementTypeCheck.UserReceiver"],
        (
            "ContactInformationCheck.SingleVknTckn",
            "sh:ContactTypeIdentifier elemanı değeri 'VKN_TCKN' ye eşit olan bir tane "
            "sh:ContactInformation elemanı bulunmalıdır.",
        ),
    ),
    (
        "receiver-without-contacts",
        OPEN_ENVELOPE,
        both(
            drop(element("sh:ContactInformation"), nth=4),
            drop(element("sh:ContactInformation"), nth=3),
        ),
        [
            "ContactInformationCheck.Present",
            "ContactInformationCheck.SingleVknTckn",
            "EnvelopeTypeElementTypeCheck.UserReceiver",
        ],
        (
            "ContactInformationCheck.Present",
            "En az bir sh:ContactInformation elemanı bulunmalıdır.",
        ),
    ),
    (
        "two-senders",
        OPEN_ENVELOPE,
        lambda text: re.sub(r"<sh:Sender>.*</sh:Sender>", r"\g<0>\g<0>", text, flags=re.DOTALL),
        ["HeaderCheck.Sender"],
        ("HeaderCheck.Sender", "sh:Sender zorunlu bir elemandır."),
    ),
    (
        "no-receiver",
        OPEN_ENVELOPE,
        drop(element("sh:Receiver")),
        ["EnvelopeTypeElementTypeCheck.UserReceiver", "HeaderCheck.Receiver"],
        ("HeaderCheck.Receiver", "sh:Receiver zorunlu bir elemandır."),
    ),
    (
        "no-header",
        OPEN_ENVELOPE,
        drop(element("sh:StandardBusinessDocumentHeader")),
        ["DocumentCheck.Header"],
        ("DocumentCheck.Header", "sh:StandardBusinessDocumentHeader zorunlu bir elemandır."),
    ),
    (
        "no-package",
        OPEN_ENVELOPE,
        drop(element("ef:Package")),
        ["DocumentCheck.Package", "EnvelopeTypeElementTypeCheck.UserElementType"],
        ("DocumentCheck.Package", "ef:Package zorunlu bir elemandır."),
    ),
    (
        "invoice-in-user-envelope",
        OPEN_ENVELOPE,
        replace_element(
            "ProcessUserAccount",
            '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        ),
        ["ElementNameCheck.ProcessUserAccount", "UserEnvelope.DocumentType"],
        None,
    ),
    (
        "document-rule-inside-envelope",
        CLOSE_ENVELOPE,
        sub("<RoleCode>GB</RoleCode>", "<RoleCode>XX</RoleCode>"),
        ["UserAccountCheck.RoleCodeValue"],
        ("UserAccountCheck.RoleCodeValue", "hr:RoleCode elemanı değeri 'GB' ve ya 'PK' olabilir."),
    ),
]


@pytest.mark.parametrize(
    ("sample", "edit", "expected", "gib_message"),
    [pytest.param(*case[1:], id=case[0]) for case in ENVELOPE_CASES],
)
def test_envelope_rule(
    sample: str, edit: Edit, expected: list[str], gib_message: tuple[str, str] | None
) -> None:
    findings = envelope_findings(edit(current(text_of(sample))))
    assert codes(findings) == sorted(expected)
    if gib_message is not None:
        assert message(findings, gib_message[0]) == gib_message[1]
    for finding in findings:
        assert finding.message_en
        assert finding.location.startswith("/sh:StandardBusinessDocument")


def test_document_findings_in_an_envelope_lead_through_it() -> None:
    text = sub("<RoleCode>GB</RoleCode>", "<RoleCode>XX</RoleCode>")(
        current(text_of(OPEN_ENVELOPE))
    )
    (finding,) = envelope_findings(text)
    assert finding.location == (
        "/sh:StandardBusinessDocument/ef:Package/Elements/ElementList/hr:ProcessUserAccount/"
        "hr:DataArea/hr:UserAccount[1]/hr:UserRole/hr:RoleCode"
    )


def test_each_group_is_checked_on_its_own() -> None:
    text = groups(2)(current(text_of(OPEN_ENVELOPE)))
    first = text.index("<ElementCount>1<")
    text = text[:first] + text[first:].replace("<ElementCount>1<", "<ElementCount>3<", 1)
    findings = envelope_findings(text)
    assert codes(findings) == ["ElementListCountCheck.Count", "ElementNameCheck.ProcessUserAccount"]
    assert all("/Elements[1]/" in f.location for f in findings)
