"""Adding a signature to a document without changing any other byte of it.

A signature is built in the parsed tree, where its digests see the right
namespace context, and then its serialisation is inserted into the original
bytes at the matching position. Everything around it — declarations,
whitespace, attribute quoting, the order of namespace declarations — stays
exactly as the integrator wrote it. The result is parsed again and both
signatures are verified before it is returned.
"""

from __future__ import annotations

import re
from datetime import datetime

from cryptography import x509
from lxml import etree

from signer_app.envelope.errors import SignatureInvalidError
from signer_app.envelope.parsing import element_span, parse_xml
from signer_app.envelope.xades import (
    CLAIMED_ROLE,
    Signatures,
    add_counter_signature,
    add_main_signature,
    verify_signatures,
)
from signer_app.envelope.xmldsig import SigningKey

__all__ = ["add_counter_signature_bytes", "add_main_signature_bytes", "build_counter_signature"]

_XMLNS = re.compile(rb'\s+xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*"([^"]*)"')
_NAME = re.compile(rb"<([^\s/>]+)")


def _encoding(tree: etree._ElementTree) -> str:
    return tree.docinfo.encoding or "UTF-8"


def _fragment(added: etree._Element, container: etree._Element, encoding: str) -> bytes:
    text = etree.tostring(added, encoding=encoding, xml_declaration=False, with_tail=False)
    end = text.index(b">")
    head, rest = text[:end], text[end:]
    in_scope = container.nsmap

    def drop_if_in_scope(match: re.Match[bytes]) -> bytes:
        prefix = match.group(1).decode() if match.group(1) else None
        # lxml repeats the declarations the container already provides;
        # the original document does not need them twice.
        return b"" if in_scope.get(prefix) == match.group(2).decode() else match.group(0)

    return _XMLNS.sub(drop_if_in_scope, head) + rest


def _splice(raw: bytes, index: int, fragment: bytes) -> bytes:
    start, start_end, end_start, _ = element_span(raw, index)
    if start == end_start:  # <container/>: open it up
        name = _NAME.match(raw, start)
        assert name is not None
        opened = raw[start : start_end - 2].rstrip() + b">"
        return raw[:start] + opened + fragment + b"</" + name.group(1) + b">" + raw[start_end:]
    return raw[:end_start] + fragment + raw[end_start:]


def _checked(result: bytes, integrator_id: str | None, customer_id: str | None) -> Signatures:
    signatures = verify_signatures(
        parse_xml(result), integrator_id=integrator_id, customer_id=customer_id
    )
    for report in (signatures.main, signatures.counter):
        if report is not None and report.error is not None:
            raise SignatureInvalidError(
                f"{report.role.value} signature fails after signing: {report.error_detail}"
            ) from report.error
    return signatures


def add_main_signature_bytes(
    unsigned: bytes,
    key: SigningKey,
    certificate: x509.Certificate,
    *,
    signing_time: datetime,
    claimed_role: str | None = CLAIMED_ROLE,
) -> bytes:
    """Sign an unsigned user document as the integrator (its empty ``oa:Signature``)."""
    tree = parse_xml(unsigned)
    elements = list(tree.getroot().iter(etree.Element))
    signature = add_main_signature(
        tree, key, certificate, signing_time=signing_time, claimed_role=claimed_role
    )
    holder = signature.getparent()
    assert holder is not None
    index = next(i for i, e in enumerate(elements) if e is holder)
    result = _splice(unsigned, index, _fragment(signature, holder, _encoding(tree)))
    _checked(result, None, None)
    return result


def build_counter_signature(
    signed: bytes,
    key: SigningKey,
    certificate: x509.Certificate,
    *,
    signing_time: datetime,
    claimed_role: str | None = CLAIMED_ROLE,
) -> bytes:
    """Add the customer's counter-signature to the bytes, without verifying anything.

    The building block of :func:`add_counter_signature_bytes`; callers want
    that one (or :func:`signer_app.envelope.countersign.countersign`).
    """
    tree = parse_xml(signed)
    elements = list(tree.getroot().iter(etree.Element))
    container, added = add_counter_signature(
        tree, key, certificate, signing_time=signing_time, claimed_role=claimed_role
    )
    index = next(i for i, e in enumerate(elements) if e is container)
    return _splice(signed, index, _fragment(added, container, _encoding(tree)))


def add_counter_signature_bytes(
    signed: bytes,
    key: SigningKey,
    certificate: x509.Certificate,
    *,
    signing_time: datetime,
    claimed_role: str | None = CLAIMED_ROLE,
    integrator_id: str | None = None,
    customer_id: str | None = None,
) -> tuple[bytes, Signatures]:
    """Add the customer's counter-signature; return the new bytes and both verified reports.

    The result is parsed again and both signatures verified (with the
    expected signers when given). This is the mechanism only: whether the
    document *may* be counter-signed is decided by
    :func:`signer_app.envelope.countersign.countersign`.

    :raises SignatureInvalidError: a signature fails on the result.
    """
    result = build_counter_signature(
        signed, key, certificate, signing_time=signing_time, claimed_role=claimed_role
    )
    return result, _checked(result, integrator_id, customer_id)
