"""Namespace URIs of GİB's user-account documents and envelopes, and expanded names.

lxml names elements ``{uri}local``; these helpers build such names so the
rest of the envelope layer never spells a namespace URI twice.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DS",
    "EF",
    "HR",
    "NSMAP",
    "OA",
    "SH",
    "XADES",
    "XSI",
    "ds",
    "ef",
    "hr",
    "oa",
    "sh",
    "xades",
    "xsi",
]

HR: Final = "http://www.hr-xml.org/3"
OA: Final = "http://www.openapplications.org/oagis/9"
DS: Final = "http://www.w3.org/2000/09/xmldsig#"
XADES: Final = "http://uri.etsi.org/01903/v1.3.2#"
SH: Final = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
EF: Final = "http://www.efatura.gov.tr/package-namespace"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"

#: Prefixes for XPath expressions; they need not match the documents' own prefixes.
NSMAP: Final[dict[str, str]] = {
    "hr": HR,
    "oa": OA,
    "ds": DS,
    "xades": XADES,
    "sh": SH,
    "ef": EF,
    "xsi": XSI,
}


def hr(local: str) -> str:
    """The expanded name of ``local`` in the HR-XML namespace."""
    return f"{{{HR}}}{local}"


def oa(local: str) -> str:
    """The expanded name of ``local`` in the OAGIS namespace."""
    return f"{{{OA}}}{local}"


def ds(local: str) -> str:
    """The expanded name of ``local`` in the XML-DSig namespace."""
    return f"{{{DS}}}{local}"


def xades(local: str) -> str:
    """The expanded name of ``local`` in the XAdES 1.3.2 namespace."""
    return f"{{{XADES}}}{local}"


def sh(local: str) -> str:
    """The expanded name of ``local`` in the Standard Business Document Header namespace."""
    return f"{{{SH}}}{local}"


def ef(local: str) -> str:
    """The expanded name of ``local`` in GİB's package namespace."""
    return f"{{{EF}}}{local}"


def xsi(local: str) -> str:
    """The expanded name of ``local`` in the XML Schema instance namespace."""
    return f"{{{XSI}}}{local}"
