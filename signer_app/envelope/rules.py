"""GİB's rules for user envelopes and user-account documents, in our own code.

The assertions follow GİB's official schematron (``UBL-TR_Main_Schematron.xml``
and ``UBL-TR_Common_Schematron.xml``, rules up to 2026-03-12): the patterns for
``sh:StandardBusinessDocument``, ``ef:Package``, ``hr:ProcessUserAccount`` and
``hr:CancelUserAccount``. A finding carries GİB's Turkish message (so what we
show matches what GİB would answer) and an English one of ours.

Values are compared the way the schematron's XPath compares them: raw where it
compares raw, whitespace-normalised where it calls ``normalize-space``, and
list membership by the same ``contains(',a,b,', ',value,')`` test. Two
deliberate differences: the sender alias is normalised before the
document-level rules look at it, and a document checked on its own (outside an
envelope) takes its service from its ``UserOptionCode``.

A few findings have no schematron counterpart (codes starting ``Structure.``,
``UserEnvelope.`` and ``StandaloneCheck.``): GİB's XSD or the integration guide
would refuse those cases, but the schematron alone would not notice them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from lxml import etree

from signer_app.envelope.errors import UnsupportedDocumentError
from signer_app.envelope.names import NSMAP, hr, sh, xsi
from signer_app.envelope.services import (
    ALIAS_MAX_LENGTH,
    ALIAS_PATTERN,
    GIB_ALIAS,
    GIB_VKN,
    RESERVED_ALIASES,
    USER_ENVELOPE_ALIASES,
    Service,
    service_for_alias,
    service_for_option_code,
)

__all__ = ["Finding", "check", "check_envelope", "check_user_document"]


@dataclass(frozen=True)
class Finding:
    """One broken rule.

    :ivar code: stable machine code, ``<schematron rule>.<assertion>``, e.g.
        ``OASenderCheck.LogicalIDMatchesSender``.
    :ivar message_tr: GİB's Turkish message with its values filled in (ours for
        the few rules GİB's schematron does not have).
    :ivar message_en: our English message.
    :ivar location: a short XPath-like path to the element the rule is about.
    """

    code: str
    message_tr: str
    message_en: str
    location: str


# --- messages ---------------------------------------------------------------------
# GİB's Turkish texts are reproduced exactly (double spaces and all), only with
# surrounding whitespace trimmed; ``{…}`` marks a value filled in at run time.

_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # sh:StandardBusinessDocument
    "DocumentCheck.Header": (
        "sh:StandardBusinessDocumentHeader zorunlu bir elemandır.",
        "The envelope has no sh:StandardBusinessDocumentHeader.",
    ),
    "DocumentCheck.Package": (
        "ef:Package zorunlu bir elemandır.",
        "The envelope has no ef:Package.",
    ),
    "DocumentCheck.SchemaLocation": (
        "sh:StandardBusinessDocument alanın  xsi:schemaLocation niteliği "
        "'PackageProxy_1_2.xsd' olmalıdır",
        "The envelope's xsi:schemaLocation must name PackageProxy_1_2.xsd.",
    ),
    "HeaderCheck.HeaderVersion": (
        "Geçersiz sh:HeaderVersion elemanı değeri. sh:HeaderVersion elemanı 1.0 veya 1.2 "
        "değerine eşit olmalıdır.",
        "sh:HeaderVersion must be 1.0 or 1.2.",
    ),
    "HeaderCheck.Sender": (
        "sh:Sender zorunlu bir elemandır.",
        "The envelope header must have exactly one sh:Sender.",
    ),
    "HeaderCheck.Receiver": (
        "sh:Receiver zorunlu bir elemandır.",
        "The envelope header must have exactly one sh:Receiver.",
    ),
    "EmptyCheck.SenderIdentifier": (
        "Geçersiz {name} elemanı değeri. Boş olmayan bir değer içermelidir.",
        "The sender alias ({name}) must not be empty.",
    ),
    "EmptyCheck.ReceiverIdentifier": (
        "Geçersiz {name} elemanı değeri. Boş olmayan bir değer içermelidir.",
        "The receiver alias ({name}) must not be empty.",
    ),
    "ContactInformationCheck.Present": (
        "En az bir sh:ContactInformation elemanı bulunmalıdır.",
        "{party} needs at least one sh:ContactInformation.",
    ),
    "ContactInformationCheck.SingleVknTckn": (
        "sh:ContactTypeIdentifier elemanı değeri 'VKN_TCKN' ye eşit olan bir tane "
        "sh:ContactInformation elemanı bulunmalıdır.",
        "{party} needs exactly one contact of type VKN_TCKN.",
    ),
    "ContactCheck.TypePresent": (
        "sh:ContactTypeIdentifier zorunlu bir elemandır.",
        "A contact has no sh:ContactTypeIdentifier.",
    ),
    "ContactCheck.TypeKnown": (
        "Geçersiz sh:ContactTypeIdentifier değeri : '{value}'. Geçerli değerler için kod "
        "listesine bakınız.",
        "Unknown contact type '{value}': only UNVAN and VKN_TCKN are allowed.",
    ),
    "ContactCheck.VknTcknLength": (
        "sh:ContactTypeIdentifier elemanın değeri 'VKN_TCKN' olması durumunda sh:Contact "
        "elemanına 10 haneli vergi kimlik numarası ve ya 11 haneli TC kimlik numarası "
        "yazılmalıdır.",
        "A VKN_TCKN contact must be a 10-digit VKN or an 11-digit TCKN.",
    ),
    "TypeVersionCheck.TypeVersion": (
        "Geçersiz sh:TypeVersion elemanı değeri. '1.2' değerine eşit olmalıdır.",
        "sh:TypeVersion must be 1.2.",
    ),
    "EnvelopeTypeCheck.Type": (
        "Geçersiz zarf türü : '{value}'. Geçerli değerler için kod listesine bakınız.",
        "Unknown envelope type '{value}'.",
    ),
    "EnvelopeTypeElementTypeCheck.UserElementType": (
        "USERENVELOPE türündeki zarf ProcessUserAccount ve ya CancelUserAccount şemasına göre "
        "oluşturulmuş belge taşımalıdır.",
        "A user envelope must carry ProcessUserAccount or CancelUserAccount documents.",
    ),
    "EnvelopeTypeElementTypeCheck.UserReceiver": (
        "USERENVELOPE türündeki zarfı yalnızca 3900383669 vergi kimlik numaralı ve GIB "
        "etiketli kullanıcıya gönderebilirsiniz.",
        "A user envelope can only be sent to GİB (VKN 3900383669, alias GIB).",
    ),
    "EnvelopeTypeElementTypeCheck.UserSenderAlias": (
        "USERENVELOPE türündeki zarfı UserEnvelopeAliases listesindeki etiketlerden birisiyle "
        "gönderebilirsiniz.",
        "The sender alias '{value}' is not one of GİB's user-envelope service aliases.",
    ),
    "UserEnvelope.Type": (
        "Zarf türü '{value}': bu program yalnızca USERENVELOPE türündeki zarfları okur.",
        "This is not a user envelope (type '{value}'); only USERENVELOPE is supported.",
    ),
    "UserEnvelope.DocumentType": (
        "ElementList elemanı içerisinde hr:ProcessUserAccount ve ya hr:CancelUserAccount "
        "olmayan bir belge ({value}) bulunmaktadır.",
        "The envelope carries a document ({value}) that is not a user-account document.",
    ),
    "UUIDCheck.InstanceIdentifier": (
        "Geçersiz {name} elemanı değeri. {name} elemanı UUID formatında olmalıdır.",
        "The envelope identifier ({name}) must be a UUID.",
    ),
    "ElementsGroupCountCheck.Max": (
        "ef:Package elemanı içerisinde en fazla 10 tane Elements elemanı olabilir.",
        "ef:Package may hold at most 10 Elements groups.",
    ),
    "ElementTypeCheck.Known": (
        "Geçersiz  ElementType değeri : '{value}'. Geçerli ElementType değerleri için kod "
        "listesine bakınız.",
        "Unknown ElementType '{value}'.",
    ),
    "ElementCountCheck.Max": (
        "ElementCount elemanın değeri en fazla 1000 olabilir..",
        "ElementCount must be a number no greater than 1000.",
    ),
    "ElementListCountCheck.Count": (
        "ElementList elemanı içersinde bulunan eleman sayısı ElementCount elemanı değerine "
        "eşit olmalıdır.",
        "ElementList holds a different number of documents than ElementCount says.",
    ),
    "ElementNameCheck.ProcessUserAccount": (
        "ElementList elemanı içerisinde bulunan hr:ProcessUserAccount elemanı sayısı "
        "ElementCount elemanı değerine eşit olmalıdır.",
        "Every document of a PROCESSUSERACCOUNT group must be a ProcessUserAccount, "
        "as many as ElementCount says.",
    ),
    "ElementNameCheck.CancelUserAccount": (
        "ElementList elemanı içerisinde bulunan hr:CancelUserAccount elemanı sayısı "
        "ElementCount elemanı değerine eşit olmalıdır.",
        "Every document of a CANCELUSERACCOUNT group must be a CancelUserAccount, "
        "as many as ElementCount says.",
    ),
    # hr:ProcessUserAccount / hr:CancelUserAccount
    "Structure.ApplicationArea": (
        "oa:ApplicationArea zorunlu bir elemandır.",
        "The document has no oa:ApplicationArea.",
    ),
    "Structure.DataArea": (
        "hr:DataArea zorunlu bir elemandır.",
        "The document has no hr:DataArea.",
    ),
    "Structure.UserAccount": (
        "hr:DataArea elemanı içerisinde en az bir hr:UserAccount elemanı bulunmalıdır.",
        "The document has no hr:UserAccount.",
    ),
    "ApplicationAreaCheck.Sender": (
        "Bir tane oa:Sender elemanı bulunmalıdır.",
        "oa:ApplicationArea must have exactly one oa:Sender.",
    ),
    "ApplicationAreaCheck.Signature": (
        "oa:Signature zorunlu bir elemandır.",
        "oa:ApplicationArea must have exactly one oa:Signature.",
    ),
    "OASenderCheck.LogicalIDPresent": (
        "oa:LogicalID zorunlu bir elemandır.",
        "The integrator's VKN/TCKN (oa:LogicalID) is missing.",
    ),
    "OASenderCheck.LogicalIDLength": (
        "oa:LogicalID elemanı 10 haneli VKN ve ya 11 haneli TCKN olmalıdır.",
        "oa:LogicalID must be a 10-digit VKN or an 11-digit TCKN.",
    ),
    "OASenderCheck.LogicalIDMatchesSender": (
        "Zarfı gönderen kullanıcı({sender}) ile kullanıcı işlemi yapacak özel "
        "entegratör({logical}) aynı olmalıdır.",
        "The envelope's sender ({sender}) and the integrator named in the document "
        "({logical}) must be the same.",
    ),
    "OASignatureCheck.DsSignature": (
        "oa:Signature elemanı içerisinde ds:Signature elemanı zorunludur.",
        "oa:Signature must hold exactly one ds:Signature.",
    ),
    "XadesSignatureCheck.Transforms": (
        "ds:SignedInfo/ds:Reference/ds:Transforms elemanı zorunlu bir elemandır.",
        "No reference of the signature has ds:Transforms.",
    ),
    "XadesSignatureCheck.KeyInfo": (
        "ds:KeyInfo elemanı zorunlu bir elemandır.",
        "The signature has no ds:KeyInfo.",
    ),
    "XadesSignatureCheck.X509Data": (
        "ds:KeyInfo elemanı içerisindeki ds:X509Data elemanı zorunlu bir elemandır.",
        "The signature's ds:KeyInfo has no ds:X509Data.",
    ),
    "XadesSignatureCheck.Object": (
        "ds:Object elemanı zorunlu bir elemandır.",
        "The signature has no ds:Object (no XAdES properties).",
    ),
    "XadesSignatureCheck.SigningTime": (
        "xades:SigningTime elemanı zorunlu bir elemandır.",
        "The signature has no xades:SigningTime.",
    ),
    "XadesSignatureCheck.SigningCertificate": (
        "xades:SigningCertificate elemanı zorunlu bir elemandır",
        "The signature has no xades:SigningCertificate.",
    ),
    "X509DataCheck.X509Certificate": (
        "ds:X509Data elemanı içerisindeki ds:X509Certificate elemanı zorunlu bir elemandır.",
        "The signature does not carry its certificate (ds:X509Certificate).",
    ),
    "X509SubjectNameCheck.NotBlank": (
        "ds:X509SubjectName elemanının değeri boşluk olmamalıdır.",
        "ds:X509SubjectName must not be blank.",
    ),
    "CounterSignatureCheck.DsSignature": (
        "xades:CounterSignature elemanı içerisinde ds:Signature elemanı zorunludur.",
        "xades:CounterSignature must hold exactly one ds:Signature.",
    ),
    "UserAccountCountCheck.Archive": (
        "Fatura saklama hizmeti için oluşturulan belgelerde yalnızca bir tane hr:UserAccount "
        "elemanı bulunmalıdır.",
        "An invoice-archiving document must hold exactly one hr:UserAccount.",
    ),
    "UserAccountCheck.UserID": (
        "hr:UserAccount elemanı içersinde hr:UserID zorunlu bir elemandır.",
        "The account must have exactly one hr:UserID.",
    ),
    "UserAccountCheck.PersonName": (
        "hr:UserAccount elemanı içersinde hr:PersonName zorunlu bir elemandır.",
        "The account must have exactly one hr:PersonName.",
    ),
    "UserAccountCheck.UserRoleRequired": (
        "hr:UserAccount elemanı içersinde hr:UserRole zorunlu bir elemandır.",
        "{service} accounts with UserOptionCode {value} need exactly one hr:UserRole.",
    ),
    "UserAccountCheck.AuthorizedWorkScopeRequired": (
        "hr:UserAccount elemanı içersinde hr:AuthorizedWorkScope zorunlu bir elemandır.",
        "{service} accounts with UserOptionCode {value} need exactly one alias "
        "(hr:AuthorizedWorkScope).",
    ),
    # GİB words these three per service: the Turkish text comes from the tables below.
    "UserAccountCheck.UserRoleForbidden": (
        "{value}",
        "{service} accounts must not have a hr:UserRole.",
    ),
    "UserAccountCheck.AuthorizedWorkScopeForbidden": (
        "{value}",
        "{service} accounts must not have an alias (hr:AuthorizedWorkScope).",
    ),
    "UserAccountCheck.AccountConfiguration": (
        "hr:UserAccount elemanı içersinde hr:AccountConfiguration zorunlu bir elemandır.",
        "The account must have exactly one hr:AccountConfiguration.",
    ),
    "UserAccountCheck.UserIDLength": (
        "hr:UserID elemanına 10 haneli VKN ve ya 11 haneli TCKN yazılmalıdır.",
        "hr:UserID must be a 10-digit VKN or an 11-digit TCKN.",
    ),
    "UserAccountCheck.FormattedName": (
        "Vergi kimlik numarasına sahip kullanıcılar için unvan bilgisi hr:FormattedName "
        "elemanına yazılmaldır.",
        "A customer with a VKN needs its title in hr:FormattedName.",
    ),
    "UserAccountCheck.GivenFamilyName": (
        "TC kimlik numarasına sahip kullanıcı için ad bilgisi oa:GivenName elemanına ve soyad "
        "bilgisi hr:FamilyName elemanına yazılmaldır.",
        "A customer with a TCKN needs a first name (oa:GivenName) and a surname (hr:FamilyName).",
    ),
    "UserAccountCheck.RoleCode": (
        "hr:RoleCode zorunlu bir elemandır.",
        "hr:UserRole has no hr:RoleCode.",
    ),
    "UserAccountCheck.RoleCodeValue": (
        "hr:RoleCode elemanı değeri 'GB' ve ya 'PK' olabilir.",
        "hr:RoleCode must be GB or PK.",
    ),
    "UserAccountCheck.WorkScopeCodeBlank": (
        "hr:WorkScopeCode(etiket) zorunlu bir elemandır ve boş bırakılmamalıdır.",
        "The alias (hr:WorkScopeCode) must not be blank.",
    ),
    "UserAccountCheck.WorkScopeCodeLength": (
        "hr:WorkScopeCode(etiket) zorunlu bir elemandır ve 250 karakterden fazla olmamalıdır.",
        "The alias (hr:WorkScopeCode) must not be longer than 250 characters.",
    ),
    "UserAccountCheck.WorkScopeCodeReserved": (
        "hr:WorkScopeCode(etiket) elemanında yasaklı bir etiket kullanmaktasınız.",
        "The alias '{value}' is reserved by GİB.",
    ),
    "UserAccountCheck.WorkScopeCodeUrn": (
        "Geçersiz hr:WorkScopeCode(etiket) değeri : {value}. hr:WorkScopeCode(etiket) zorunlu "
        "bir elemandır ve urn formatında olmalıdır.",
        "The alias '{value}' is not a valid URN (e.g. urn:mail:defaultpk@firma.com.tr).",
    ),
    "UserAccountCheck.UserOptionCode": (
        "{message}",
        "{service} accounts need a UserOptionCode of {codes}; found '{value}'.",
    ),
    "UserAccountCheck.SameUserID": (
        "ProcessUserAccount ve CancelUserAccount belgesinde aynı hr:UserID'ye ait işlem "
        "yapılmalıdır. Farklı iki hr:UserID({value}, {other}) bulundu.",
        "All accounts of a document must belong to one customer; found UserIDs {value} "
        "and {other}.",
    ),
    "UserAccountCheck.SameFormattedName": (
        "ProcessUserAccount ve CancelUserAccount belgesinde aynı hr:FormattedName'e ait işlem "
        "yapılmalıdır. Farklı iki hr:FormattedName({value}, {other}) bulundu.",
        "All accounts of a document must carry the same title; found '{value}' and '{other}'.",
    ),
    "UserAccountCheck.SameGivenName": (
        "ProcessUserAccount ve CancelUserAccount belgesinde aynı oa:GivenName'e ait işlem "
        "yapılmalıdır. Farklı iki oa:GivenName({value}, {other}) bulundu.",
        "All accounts of a document must carry the same first name; found '{value}' and '{other}'.",
    ),
    "UserAccountCheck.SameMiddleName": (
        "ProcessUserAccount ve CancelUserAccount belgesinde aynı hr:MiddleName'e ait işlem "
        "yapılmalıdır. Farklı iki hr:MiddleName({value}, {other}) bulundu.",
        "All accounts of a document must carry the same middle name; found '{value}' and "
        "'{other}'.",
    ),
    "UserAccountCheck.SameFamilyName": (
        "ProcessUserAccount ve CancelUserAccount belgesinde aynı hr:FamilyName'e ait işlem "
        "yapılmalıdır. Farklı iki hr:FamilyName({value}, {other}) bulundu.",
        "All accounts of a document must carry the same surname; found '{value}' and '{other}'.",
    ),
    "UserAccountCheck.SameUserOptionCode": (
        "ProcessUserAccount ve CancelUserAccount belgesinde aynı hr:UserOptionCode'e ait "
        "işlem yapılmalıdır. Farklı iki hr:UserOptionCode({value}, {other}) bulundu.",
        "All accounts of a document must carry the same UserOptionCode; found {value} and {other}.",
    ),
    "StandaloneCheck.UserOptionCodeService": (
        "hr:UserOptionCode değeri ('{value}') hiçbir hizmete ait değil; belgenin hizmeti "
        "belirlenemedi.",
        "UserOptionCode '{value}' belongs to no GİB service, so the document's service "
        "cannot be determined.",
    ),
}

# The schematron names the service in these messages in its own words, per alias.
_ROLE_FORBIDDEN_TR: Final[dict[str, str]] = {
    alias: f"{name} hizmeti verecekler için hr:UserAccount elemanı içersinde hr:UserRole "
    "elemanı girilmemelidir."
    for alias, name in (
        ("archive", "Fatura saklama"),
        ("earchive", "E-arşiv"),
        ("archive_earchive", "E-arşiv saklama"),
        ("eticket", "E-bilet"),
    )
}
_WORK_SCOPE_FORBIDDEN_TR: Final[dict[str, str]] = {
    alias: f"{name} hizmeti verecekler için hr:UserAccount elemanı içersinde "
    f"hr:AuthorizedWorkScope elemanı girilmemelidir{end}"
    for alias, name, end in (
        ("archive", "Fatura saklama", "."),
        ("earchive", "E-arşiv", "."),
        ("archive_earchive", "E-arşiv saklama", "."),
        ("eticket", "E-bilet", "."),
        ("esevoucher", "E-Serbest Meslek", "."),
        ("epreceipt", "E-Müstahsil", "."),
        ("erevenue", "E-Mali rapor", "."),
        ("epreceipt_archive", "E-Müstahsil saklama", "."),
        # GİB's text for this one has no full stop.
        ("esevoucher_archive", "E-Serbest Meslek saklama", ""),
        ("ebreceipt", "E-Dekont", "."),
        ("eexchangecert", "E-Döviz", "."),
        ("echeck", "E-Adisyon", "."),
    )
}
# How the schematron lists each alias's codes in its message.
_OPTION_CODES_TR: Final[dict[str, str]] = {
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

# The code lists of UBL-TR_Codelist.xml that these rules use.
_ENVELOPE_TYPES: Final = ("SENDERENVELOPE", "POSTBOXENVELOPE", "SYSTEMENVELOPE", "USERENVELOPE")
_ELEMENT_TYPES: Final = (
    "INVOICE",
    "APPLICATIONRESPONSE",
    "PROCESSUSERACCOUNT",
    "CANCELUSERACCOUNT",
    "DESPATCHADVICE",
    "RECEIPTADVICE",
    "CREDITNOTE",
)
_CONTACT_TYPES: Final = ("UNVAN", "VKN_TCKN")

_UUID: Final = re.compile(
    r"\A[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}\Z"
)
_XML_WHITESPACE: Final = re.compile(r"[ \t\r\n]+")
# xs:double's lexical space: the schematron compares ElementCount as a number.
_DOUBLE: Final = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN")
_DIGITS: Final = re.compile(r"[0-9]+")

_DOCUMENT_ROOTS: Final = frozenset({hr("ProcessUserAccount"), hr("CancelUserAccount")})
_ENVELOPE_ROOT: Final = sh("StandardBusinessDocument")
_PREFIXES: Final = {uri: prefix for prefix, uri in NSMAP.items()}
_COUNTER_SIGNATURES: Final = (
    "ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/"
    "xades:UnsignedSignatureProperties/xades:CounterSignature"
)
_SIGNED_SIGNATURE_PROPERTIES: Final = (
    "ds:Object/xades:QualifyingProperties/xades:SignedProperties/xades:SignedSignatureProperties"
)


# --- small XPath equivalents ----------------------------------------------------------


def _normalize(text: str) -> str:
    # normalize-space(): only the four XML whitespace characters count.
    return _XML_WHITESPACE.sub(" ", text).strip(" ")


def _string(element: etree._Element | None) -> str:
    """string(): the text of the element and its descendants ('' for no element)."""
    return "" if element is None else "".join(element.itertext())


def _all(element: etree._Element, path: str) -> list[etree._Element]:
    return element.findall(path, NSMAP)


def _first(element: etree._Element | None, path: str) -> etree._Element | None:
    return None if element is None else element.find(path, NSMAP)


def _values(element: etree._Element, path: str) -> list[str]:
    return [_string(found) for found in _all(element, path)]


def _listed(value: str, items: Iterable[str]) -> bool:
    # The schematron's contains(',a,b,', concat(',', value, ',')), kept literally.
    return f",{value}," in "," + ",".join(items) + ","


def _number(text: str) -> float | None:
    stripped = text.strip(" \t\r\n")
    return float(stripped) if _DOUBLE.fullmatch(stripped) else None


def _qualified_name(element: etree._Element) -> str:
    # What <sch:name/> prints: the name with the document's own prefix.
    local = etree.QName(element).localname
    return f"{element.prefix}:{local}" if element.prefix else local


def _step(element: etree._Element) -> str:
    name = etree.QName(element)
    prefix = _PREFIXES.get(name.namespace or "")
    step = f"{prefix}:{name.localname}" if prefix else name.localname
    parent = element.getparent()
    if parent is not None:
        same = [sibling for sibling in parent if sibling.tag == element.tag]
        if len(same) > 1:
            step += f"[{same.index(element) + 1}]"
    return step


def _location(element: etree._Element, *below: str) -> str:
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        steps.append(_step(node))
        node = node.getparent()
    return "/" + "/".join([*reversed(steps), *below])


class _Report:
    """Collects findings with their messages filled in."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, code: str, where: etree._Element, *below: str, **values: object) -> None:
        turkish, english = _MESSAGES[code]
        self.findings.append(
            Finding(
                code=code,
                message_tr=turkish.format(**values),
                message_en=english.format(**values),
                location=_location(where, *below),
            )
        )


# --- user-account documents -----------------------------------------------------------


def _check_signature(report: _Report, signature: etree._Element) -> None:
    """XadesSignatureCheck, X509DataCheck and X509SubjectNameCheck for one ds:Signature."""
    if _first(signature, "ds:SignedInfo/ds:Reference/ds:Transforms") is None:
        report.add("XadesSignatureCheck.Transforms", signature)
    if _first(signature, "ds:KeyInfo") is None:
        report.add("XadesSignatureCheck.KeyInfo", signature)
    elif _first(signature, "ds:KeyInfo/ds:X509Data") is None:
        report.add("XadesSignatureCheck.X509Data", signature)
    if _first(signature, "ds:Object") is None:
        report.add("XadesSignatureCheck.Object", signature)
    else:
        properties = _all(signature, _SIGNED_SIGNATURE_PROPERTIES)
        if not any(_first(p, "xades:SigningTime") is not None for p in properties):
            report.add("XadesSignatureCheck.SigningTime", signature)
        if not any(_first(p, "xades:SigningCertificate") is not None for p in properties):
            report.add("XadesSignatureCheck.SigningCertificate", signature)
    for data in _all(signature, "ds:KeyInfo/ds:X509Data"):
        if _first(data, "ds:X509Certificate") is None:
            report.add("X509DataCheck.X509Certificate", data)
        for subject in _all(data, "ds:X509SubjectName"):
            if not _normalize(_string(subject)):
                report.add("X509SubjectNameCheck.NotBlank", subject)


def _check_application_area(report: _Report, area: etree._Element, sender_id: str | None) -> None:
    if len(_all(area, "oa:Sender")) != 1:
        report.add("ApplicationAreaCheck.Sender", area)
    if len(_all(area, "oa:Signature")) != 1:
        report.add("ApplicationAreaCheck.Signature", area)
    for sender in _all(area, "oa:Sender"):
        ids = _values(sender, "oa:LogicalID")
        if not ids:
            report.add("OASenderCheck.LogicalIDPresent", sender)
        elif len(_normalize(ids[0])) not in (10, 11):
            report.add("OASenderCheck.LogicalIDLength", sender, "oa:LogicalID")
        elif sender_id is not None and sender_id not in ids:
            report.add(
                "OASenderCheck.LogicalIDMatchesSender",
                sender,
                "oa:LogicalID",
                sender=sender_id,
                logical=" ".join(ids),
            )
    for holder in _all(area, "oa:Signature"):
        if len(_all(holder, "ds:Signature")) != 1:
            report.add("OASignatureCheck.DsSignature", holder)
        for signature in _all(holder, "ds:Signature"):
            _check_signature(report, signature)
            for counter in _all(signature, _COUNTER_SIGNATURES):
                if len(_all(counter, "ds:Signature")) != 1:
                    report.add("CounterSignatureCheck.DsSignature", counter)
                for inner in _all(counter, "ds:Signature"):
                    _check_signature(report, inner)


def _option_code(account: etree._Element) -> str:
    # concat(',', hr:AccountConfiguration/hr:UserOptionCode, ','): '' when absent.
    return _string(_first(account, "hr:AccountConfiguration/hr:UserOptionCode"))


def _check_service_rules(report: _Report, account: etree._Element, service: Service | None) -> None:
    """The assertions that depend on the sender alias."""
    if service is None:
        return
    alias = service.sender_alias
    code = _option_code(account)
    roles = len(_all(account, "hr:UserRole"))
    scopes = len(_all(account, "hr:AuthorizedWorkScope"))
    required = [str(number) for number in sorted(service.role_required_codes)]
    if required and _listed(code, required):
        if roles != 1:
            report.add(
                "UserAccountCheck.UserRoleRequired", account, service=service.name_en, value=code
            )
        if scopes != 1:
            report.add(
                "UserAccountCheck.AuthorizedWorkScopeRequired",
                account,
                service=service.name_en,
                value=code,
            )
    if service.role_forbidden and roles:
        report.add(
            "UserAccountCheck.UserRoleForbidden",
            account,
            "hr:UserRole",
            service=service.name_en,
            value=_ROLE_FORBIDDEN_TR[alias],
        )
    if service.work_scope_forbidden and scopes:
        report.add(
            "UserAccountCheck.AuthorizedWorkScopeForbidden",
            account,
            "hr:AuthorizedWorkScope",
            service=service.name_en,
            value=_WORK_SCOPE_FORBIDDEN_TR[alias],
        )
    codes = [str(number) for number in sorted(service.option_codes)]
    if len(_all(account, "hr:AccountConfiguration")) == 1 and not _listed(code, codes):
        report.add(
            "UserAccountCheck.UserOptionCode",
            account,
            "hr:AccountConfiguration",
            message=f"hr:UserOptionCode zorunlu bir elemandır ve değeri "
            f"{_OPTION_CODES_TR[alias]} olabilir.",
            service=service.name_en,
            codes=", ".join(codes),
            value=code,
        )


def _check_account_fields(report: _Report, account: etree._Element) -> None:
    """The assertions that hold for every service."""
    if len(_all(account, "hr:UserID")) != 1:
        report.add("UserAccountCheck.UserID", account)
    if len(_all(account, "hr:PersonName")) != 1:
        report.add("UserAccountCheck.PersonName", account)
    if len(_all(account, "hr:AccountConfiguration")) != 1:
        report.add("UserAccountCheck.AccountConfiguration", account)
    user_id = _first(account, "hr:UserID")
    name = _first(account, "hr:PersonName")
    if user_id is not None:
        length = len(_normalize(_string(user_id)))
        if length not in (10, 11):
            report.add("UserAccountCheck.UserIDLength", account, "hr:UserID")
        elif name is not None and length == 10:
            if not _normalize(_string(_first(name, "hr:FormattedName"))):
                report.add("UserAccountCheck.FormattedName", account, "hr:PersonName")
        elif name is not None:
            given = _normalize(_string(_first(name, "oa:GivenName")))
            family = _normalize(_string(_first(name, "hr:FamilyName")))
            if not (given and family):
                report.add("UserAccountCheck.GivenFamilyName", account, "hr:PersonName")
    if len(_all(account, "hr:UserRole")) == 1:
        role_code = _first(account, "hr:UserRole/hr:RoleCode")
        if role_code is None:
            report.add("UserAccountCheck.RoleCode", account, "hr:UserRole")
        elif _normalize(_string(role_code)) not in ("GB", "PK"):
            report.add("UserAccountCheck.RoleCodeValue", account, "hr:UserRole/hr:RoleCode")
    if len(_all(account, "hr:AuthorizedWorkScope")) == 1:
        written = _string(_first(account, "hr:AuthorizedWorkScope/hr:WorkScopeCode"))
        alias = _normalize(written)
        where = "hr:AuthorizedWorkScope/hr:WorkScopeCode"
        if not alias:
            report.add("UserAccountCheck.WorkScopeCodeBlank", account, where)
        if len(alias) > ALIAS_MAX_LENGTH:
            report.add("UserAccountCheck.WorkScopeCodeLength", account, where)
        if _listed(alias, RESERVED_ALIASES):
            report.add("UserAccountCheck.WorkScopeCodeReserved", account, where, value=alias)
        if not ALIAS_PATTERN.match(alias):
            report.add("UserAccountCheck.WorkScopeCodeUrn", account, where, value=written)


# (rule suffix, element that must exist on this account, the compared element's
# path under it); the schematron compares each account with the ones after it.
_SAME: Final = (
    ("SameUserID", ".", "hr:UserID"),
    ("SameFormattedName", "hr:PersonName", "hr:FormattedName"),
    ("SameGivenName", "hr:PersonName", "oa:GivenName"),
    ("SameMiddleName", "hr:PersonName", "hr:MiddleName"),
    ("SameFamilyName", "hr:PersonName", "hr:FamilyName"),
    ("SameUserOptionCode", "hr:AccountConfiguration", "hr:UserOptionCode"),
)


def _check_same_values(report: _Report, accounts: list[etree._Element]) -> None:
    for rule, parent_path, path in _SAME:
        # Each account's parent element and normalised value, looked up once.
        parents = [_first(account, parent_path) for account in accounts]
        values = [None if parent is None else _first(parent, path) for parent in parents]
        normalized = [None if v is None else _normalize(_string(v)) for v in values]
        for index, account in enumerate(accounts[:-1]):
            mine = normalized[index]
            parent = parents[index]
            if parent is None or mine is None:
                continue
            # Later accounts lacking the parent element take no part in the comparison.
            later = [i for i in range(index + 1, len(accounts)) if parents[i] is not None]
            if mine in {normalized[i] or "" for i in later}:
                continue
            report.add(
                f"UserAccountCheck.{rule}",
                account,
                f"{parent_path}/{path}" if parent_path != "." else path,
                value=" ".join(_values(parent, path)),
                other=" ".join(v for i in later for v in _values(parents[i], path)),  # type: ignore[arg-type]
            )


def _infer_service(report: _Report, accounts: list[etree._Element]) -> Service | None:
    """The service of a document checked outside an envelope, from its UserOptionCode."""
    for account in accounts:
        written = _first(account, "hr:AccountConfiguration/hr:UserOptionCode")
        if written is None:
            continue
        code = _normalize(_string(written))
        service = service_for_option_code(int(code)) if _DIGITS.fullmatch(code) else None
        if service is None:
            report.add(
                "StandaloneCheck.UserOptionCodeService",
                account,
                "hr:AccountConfiguration/hr:UserOptionCode",
                value=code,
            )
        return service
    with_configuration = [a for a in accounts if _first(a, "hr:AccountConfiguration") is not None]
    if with_configuration:
        report.add(
            "StandaloneCheck.UserOptionCodeService",
            with_configuration[0],
            "hr:AccountConfiguration",
            value="",
        )
    return None


def _check_document(
    report: _Report, root: etree._Element, sender_alias: str | None, sender_id: str | None
) -> None:
    areas = _all(root, "oa:ApplicationArea")
    if not areas:
        report.add("Structure.ApplicationArea", root)
    for area in areas:
        _check_application_area(report, area, sender_id)
    data_areas = _all(root, "hr:DataArea")
    if not data_areas:
        report.add("Structure.DataArea", root)
    for data_area in data_areas:
        accounts = _all(data_area, "hr:UserAccount")
        if not accounts:
            report.add("Structure.UserAccount", data_area)
        if sender_alias is None:
            service = _infer_service(report, accounts)
        else:
            service = service_for_alias(sender_alias)
        if service is not None and service.single_account and len(accounts) != 1:
            report.add("UserAccountCountCheck.Archive", data_area)
        for account in accounts:
            _check_account_fields(report, account)
            _check_service_rules(report, account, service)
        _check_same_values(report, accounts)


def check_user_document(
    tree: etree._ElementTree,
    *,
    sender_alias: str | None = None,
    sender_id: str | None = None,
) -> list[Finding]:
    """Check a ``ProcessUserAccount`` / ``CancelUserAccount`` document against GİB's rules.

    :param tree: the document, parsed with
        :func:`~signer_app.envelope.parsing.parse_xml`.
    :param sender_alias: the envelope's sender alias (e.g. ``usergb``). ``None``
        for a document on its own: the service is then taken from the
        ``UserOptionCode``, and a code that fits no service is a finding. An
        alias of no known service applies only the rules that hold for every
        service, as GİB's schematron does.
    :param sender_id: the envelope sender's VKN/TCKN, which ``oa:LogicalID``
        must equal; ``None`` skips that rule.
    :return: the findings, empty when the document passes.
    :raises UnsupportedDocumentError: the root is neither element.
    """
    root = tree.getroot()
    if root.tag not in _DOCUMENT_ROOTS:
        raise UnsupportedDocumentError("not a user-account document")
    report = _Report()
    _check_document(report, root, sender_alias, sender_id)
    return report.findings


# --- user envelopes -------------------------------------------------------------------


def _check_party(report: _Report, party: etree._Element, identifier_rule: str) -> None:
    label = _qualified_name(party)
    for identifier in _all(party, "sh:Identifier"):
        if not _normalize(_string(identifier)):
            report.add(identifier_rule, identifier, name=_qualified_name(identifier))
    contacts = _all(party, "sh:ContactInformation")
    if not contacts:
        report.add("ContactInformationCheck.Present", party, party=label)
    vkn_contacts = [c for c in contacts if "VKN_TCKN" in _values(c, "sh:ContactTypeIdentifier")]
    if len(vkn_contacts) != 1:
        report.add("ContactInformationCheck.SingleVknTckn", party, party=label)
    for contact in contacts:
        kinds = _values(contact, "sh:ContactTypeIdentifier")
        if not kinds:
            report.add("ContactCheck.TypePresent", contact)
            continue
        if not _listed(kinds[0], _CONTACT_TYPES):
            report.add(
                "ContactCheck.TypeKnown", contact, "sh:ContactTypeIdentifier", value=kinds[0]
            )
        if "VKN_TCKN" in kinds and len(_string(_first(contact, "sh:Contact"))) not in (10, 11):
            report.add("ContactCheck.VknTcknLength", contact, "sh:Contact")


def _vkn_contacts(parties: list[etree._Element]) -> list[str]:
    return [
        _string(_first(contact, "sh:Contact"))
        for party in parties
        for contact in _all(party, "sh:ContactInformation")
        if "VKN_TCKN" in _values(contact, "sh:ContactTypeIdentifier")
        and _first(contact, "sh:Contact") is not None
    ]


def _check_identification(
    report: _Report,
    root: etree._Element,
    header: etree._Element,
    identification: etree._Element,
) -> None:
    if "1.2" not in _values(identification, "sh:TypeVersion"):
        report.add("TypeVersionCheck.TypeVersion", identification, "sh:TypeVersion")
    types = _values(identification, "sh:Type")
    if not _listed(types[0] if types else "", _ENVELOPE_TYPES):
        report.add("EnvelopeTypeCheck.Type", identification, "sh:Type", value=" ".join(types))
    elif "USERENVELOPE" not in types:
        report.add("UserEnvelope.Type", identification, "sh:Type", value=" ".join(types))
    if "USERENVELOPE" in types:
        element_types = [_string(found) for found in root.iter("ElementType")]
        if not {"PROCESSUSERACCOUNT", "CANCELUSERACCOUNT"} & set(element_types):
            report.add("EnvelopeTypeElementTypeCheck.UserElementType", identification)
        receivers = _all(header, "sh:Receiver")
        receiver_aliases = [v for r in receivers for v in _values(r, "sh:Identifier")]
        if GIB_VKN not in _vkn_contacts(receivers) or GIB_ALIAS not in receiver_aliases:
            report.add("EnvelopeTypeElementTypeCheck.UserReceiver", identification)
        sender_alias = _normalize(_string(_first(header, "sh:Sender/sh:Identifier")))
        if not _listed(sender_alias, USER_ENVELOPE_ALIASES):
            report.add(
                "EnvelopeTypeElementTypeCheck.UserSenderAlias", identification, value=sender_alias
            )
    for instance in _all(identification, "sh:InstanceIdentifier"):
        if not _UUID.match(_string(instance)):
            report.add("UUIDCheck.InstanceIdentifier", instance, name=_qualified_name(instance))


def _check_header(report: _Report, root: etree._Element, header: etree._Element) -> None:
    if not {"1.0", "1.2"} & set(_values(header, "sh:HeaderVersion")):
        report.add("HeaderCheck.HeaderVersion", header, "sh:HeaderVersion")
    if len(_all(header, "sh:Sender")) != 1:
        report.add("HeaderCheck.Sender", header)
    if len(_all(header, "sh:Receiver")) != 1:
        report.add("HeaderCheck.Receiver", header)
    for sender in _all(header, "sh:Sender"):
        _check_party(report, sender, "EmptyCheck.SenderIdentifier")
    for receiver in _all(header, "sh:Receiver"):
        _check_party(report, receiver, "EmptyCheck.ReceiverIdentifier")
    for identification in _all(header, "sh:DocumentIdentification"):
        _check_identification(report, root, header, identification)


def _check_group(report: _Report, group: etree._Element) -> None:
    kinds = _values(group, "ElementType")
    if not _listed(kinds[0] if kinds else "", _ELEMENT_TYPES):
        report.add("ElementTypeCheck.Known", group, "ElementType", value=" ".join(kinds))
    counts = [_number(value) for value in _values(group, "ElementCount")]
    if not any(count is not None and count < 1001 for count in counts):
        report.add("ElementCountCheck.Max", group, "ElementCount")
    children = [
        child
        for element_list in _all(group, "ElementList")
        for child in element_list
        if isinstance(child.tag, str)
    ]
    if len(children) not in counts:
        report.add("ElementListCountCheck.Count", group, "ElementList")
    for kind, name in (
        ("PROCESSUSERACCOUNT", "ProcessUserAccount"),
        ("CANCELUSERACCOUNT", "CancelUserAccount"),
    ):
        matching = [child for child in children if child.tag == hr(name)]
        if kind in kinds and len(matching) not in counts:
            report.add(f"ElementNameCheck.{name}", group, "ElementList")


def check_envelope(tree: etree._ElementTree) -> list[Finding]:
    """Check a ``USERENVELOPE`` and every document in it against GİB's rules.

    The documents are checked where they stand in the envelope (as GİB's
    schematron checks them), with the envelope's sender alias and sender
    VKN/TCKN; their findings' locations lead through the envelope. Rules
    specific to other envelope types are not checked: such an envelope gets a
    ``UserEnvelope.Type`` finding.

    :param tree: the envelope, parsed with
        :func:`~signer_app.envelope.parsing.parse_xml`.
    :return: the findings, empty when the envelope passes.
    :raises UnsupportedDocumentError: the root is not ``sh:StandardBusinessDocument``.
    """
    root = tree.getroot()
    if root.tag != _ENVELOPE_ROOT:
        raise UnsupportedDocumentError("not a StandardBusinessDocument")
    report = _Report()
    headers = _all(root, "sh:StandardBusinessDocumentHeader")
    packages = _all(root, "ef:Package")
    if not headers:
        report.add("DocumentCheck.Header", root)
    if not packages:
        report.add("DocumentCheck.Package", root)
    if "PackageProxy_1_2.xsd" not in root.get(xsi("schemaLocation"), ""):
        report.add("DocumentCheck.SchemaLocation", root)
    for header in headers:
        _check_header(report, root, header)
    for package in packages:
        groups = _all(package, "Elements")
        if len(groups) > 10:
            report.add("ElementsGroupCountCheck.Max", package)
        for group in groups:
            _check_group(report, group)

    sender = _first(root, "sh:StandardBusinessDocumentHeader/sh:Sender")
    sender_alias = _normalize(_string(_first(sender, "sh:Identifier")))
    sender_ids = _vkn_contacts([sender] if sender is not None else [])
    types = _values(root, "sh:StandardBusinessDocumentHeader/sh:DocumentIdentification/sh:Type")
    for document in _all(root, "ef:Package/Elements/ElementList/*"):
        if document.tag in _DOCUMENT_ROOTS:
            _check_document(report, document, sender_alias, sender_ids[0] if sender_ids else None)
        elif "USERENVELOPE" in types:
            report.add("UserEnvelope.DocumentType", document, value=_qualified_name(document))
    return report.findings


def check(tree: etree._ElementTree) -> list[Finding]:
    """Check whatever ``tree`` is: a user envelope or a user-account document on its own.

    :raises UnsupportedDocumentError: it is neither.
    """
    if tree.getroot().tag == _ENVELOPE_ROOT:
        return check_envelope(tree)
    return check_user_document(tree)
