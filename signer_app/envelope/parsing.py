"""The one hardened XML parser, and taking documents out of an envelope.

Everything that enters the program as XML goes through :func:`parse_xml`: no
DOCTYPE (so no entities, no external DTD), no network, bounded size and
depth. Documents inside a ``USERENVELOPE`` are taken out byte for byte
(:func:`embedded_documents`), because GİB reads them as documents of their
own and inclusive canonicalisation would otherwise pull the envelope's
namespaces into every digest.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from typing import Final

from lxml import etree

from signer_app.envelope.errors import (
    DoctypeForbiddenError,
    DocumentTooDeepError,
    DocumentTooLargeError,
    NotStandaloneError,
    NotWellFormedError,
)

__all__ = ["MAX_BYTES", "MAX_DEPTH", "element_span", "embedded_documents", "parse_xml"]

#: An envelope may carry up to 1000 documents of ~15 KB each.
MAX_BYTES: Final = 24 * 1024 * 1024
#: GİB's deepest path (a counter-signature's digest value inside an envelope)
#: is about 25 levels.
MAX_DEPTH: Final = 48

_DOCTYPE: Final = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_DOCTYPE_TEXT: Final = re.compile(r"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
# Byte patterns of the encodings whose text a byte scan cannot read
# (XML 1.0 appendix F): with or without a byte order mark.
_WIDE_ENCODINGS: Final = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


def _declares_entities(data: bytes) -> bool:
    if _DOCTYPE.search(data):
        return True
    for mark, codec in _WIDE_ENCODINGS:
        if data.startswith(mark):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise NotWellFormedError(f"not valid {codec}") from exc
            return bool(_DOCTYPE_TEXT.search(text))
    return False


def _parser() -> etree.XMLParser:
    # A parser per call: lxml parsers are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        remove_comments=False,
        remove_pis=False,
        strip_cdata=False,
    )


def _check_depth(root: etree._Element, limit: int) -> None:
    # One XPath step per level, evaluated in C: is there an element below the limit?
    if root.xpath("boolean(/*" + "/*" * limit + ")"):
        raise DocumentTooDeepError(f"deeper than {limit} levels")


def parse_xml(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> etree._ElementTree:
    """Parse untrusted XML.

    :raises DocumentTooLargeError: over ``max_bytes``.
    :raises DoctypeForbiddenError: a DOCTYPE, entity declaration or entity reference.
    :raises NotWellFormedError: anything the XML parser refuses.
    :raises DocumentTooDeepError: elements nested deeper than ``max_depth``.
    """
    if not isinstance(data, bytes):
        raise TypeError("parse_xml takes bytes")
    if len(data) > max_bytes:
        raise DocumentTooLargeError(f"{len(data)} bytes, the limit is {max_bytes}")
    # Refuse before parsing: no DTD is ever processed, not even internally.
    if _declares_entities(data):
        raise DoctypeForbiddenError("DOCTYPE or ENTITY declaration")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg or exc)
        if "Excessive depth" in message:
            # libxml2's own limit (256) is reached before ours would be checked.
            raise DocumentTooDeepError(f"deeper than {max_depth} levels") from exc
        raise NotWellFormedError(message[:200]) from exc
    except ValueError as exc:  # e.g. an encoding lxml does not accept
        raise NotWellFormedError(str(exc)[:200]) from exc
    tree = root.getroottree()
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        # Reached only through encodings the byte scan above cannot see.
        raise DoctypeForbiddenError("DOCTYPE")
    if any(True for _ in root.iter(etree.Entity)):
        raise DoctypeForbiddenError("entity reference")
    _check_depth(root, max_depth)
    return tree


def _encoding(data: bytes) -> str:
    match = re.match(rb"<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", data)
    return match.group(1).decode("ascii") if match else "UTF-8"


def embedded_documents(data: bytes, container_path: tuple[str, ...]) -> list[bytes]:
    """Take the children of the element at ``container_path`` out as standalone documents.

    ``container_path`` lists the expanded names (``{ns}local``) from the root
    down to the container (e.g. the envelope's ``ElementList``). The bytes
    are cut from ``data`` exactly as written; when ``data`` is not UTF-8 an
    XML declaration with its encoding is put in front.

    ``data`` must already have passed :func:`parse_xml`.

    :raises NotStandaloneError: a child uses a namespace prefix only the
        envelope declares, so it is not a document on its own.
    """
    spans: list[tuple[int, int]] = []
    path: list[str] = []
    start = -1
    expat = xml.parsers.expat.ParserCreate(namespace_separator="}")
    # parse_xml already refused DTDs; expat must not see one anyway.
    expat.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def name_of(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    def on_start(raw: str, _attrs: object) -> None:
        nonlocal start
        if tuple(path) == container_path and start < 0:
            start = expat.CurrentByteIndex
        path.append(name_of(raw))

    def on_end(_raw: str) -> None:
        nonlocal start
        path.pop()
        if tuple(path) == container_path and start >= 0:
            start_end = _tag_end(data, start)
            if data[start_end - 2 : start_end] == b"/>":
                spans.append((start, start_end))
            else:
                spans.append((start, _tag_end(data, expat.CurrentByteIndex)))
            start = -1

    expat.StartElementHandler = on_start
    expat.EndElementHandler = on_end
    try:
        expat.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise NotWellFormedError(str(exc)) from exc
    encoding = _encoding(data)
    prefix = (
        b""
        if encoding.upper() in ("UTF-8", "UTF8")
        else (f'<?xml version="1.0" encoding="{encoding}"?>\n'.encode("ascii"))
    )
    documents = []
    for begin, end in spans:
        document = prefix + data[begin:end]
        try:
            etree.fromstring(document, _parser())
        except etree.XMLSyntaxError as exc:
            raise NotStandaloneError(str(exc.msg or exc)[:200]) from exc
        documents.append(document)
    return documents


# A tag up to its closing ">", with ">" allowed inside quoted attribute values.
_TAG = re.compile(rb"<(?:[^\"'>]|\"[^\"]*\"|'[^']*')*>")


def _tag_end(data: bytes, start: int) -> int:
    """Index just past the ``>`` closing the tag that starts at ``start``."""
    match = _TAG.match(data, start)
    if match is None:
        raise NotWellFormedError("unterminated tag")
    return match.end()


class _Found(Exception):  # noqa: N818 - a signal, not an error
    """Stops expat once the wanted element has ended."""


def element_span(data: bytes, index: int) -> tuple[int, int, int, int]:
    """Byte positions of the ``index``-th element in document order.

    Returns ``(start_tag_start, start_tag_end, end_tag_start, end_tag_end)``;
    for an empty-element tag (``<a/>``) the start and end tags are the same
    bytes. ``data`` must already have passed :func:`parse_xml`; the order is
    the order of ``root.iter(etree.Element)``.
    """
    seen = 0
    depth = 0
    target_depth = -1
    begin = end = -1
    expat = xml.parsers.expat.ParserCreate()
    expat.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    # The handlers only count until the wanted element; its bytes are
    # measured once, at its end.
    def on_start(_name: str, _attrs: object) -> None:
        nonlocal seen, depth, target_depth, begin
        if seen == index:
            target_depth, begin = depth, expat.CurrentByteIndex
        seen += 1
        depth += 1

    def on_end(_name: str) -> None:
        nonlocal depth, end
        depth -= 1
        if depth == target_depth:
            end = expat.CurrentByteIndex
            raise _Found

    expat.StartElementHandler = on_start
    expat.EndElementHandler = on_end
    try:
        expat.Parse(data, True)
    except _Found:
        start_end = _tag_end(data, begin)
        # Quoted attribute values cannot end a start tag, so "/>" there
        # always means an empty-element tag.
        if data[start_end - 2 : start_end] == b"/>":
            return begin, start_end, begin, start_end
        return begin, start_end, end, _tag_end(data, end)
    except xml.parsers.expat.ExpatError as exc:
        raise NotWellFormedError(str(exc)) from exc
    raise IndexError(f"the document has no element {index}")
