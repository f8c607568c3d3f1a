"""GİB's own XSDs and schematron as test oracles.

GİB's package (``shared/gib`` beside the repository) is read at run time and
never copied into the project. :func:`gib_dir` finds it, skips the calling
test with a clear reason when it is absent, and fails instead when the
environment variable ``CI`` is set, because there a skip would hide a broken
set-up.

XSD (:func:`validate_user_document_xsd`, :func:`validate_envelope_xsd`):
GİB's HR-XML schema leaves ``oa:Signature``'s content to the XML-DSig and
XAdES 1.3.2 schemas, which GİB does not ship. A small wrapper schema, written
to a temporary folder, imports GİB's schema together with the two schemas
signxml ships as files (signxml's code is not used). Only local files are
read: a resolver refuses every other URL. ``Package_1_2.xsd`` declares
``ElementList`` as ``xs:any processContents="strict"``, so validating an
envelope validates the documents inside it as well, signatures included; its
imports of four UBL schemas that GİB's package does not contain are skipped
by libxml2, which only matters for envelopes carrying UBL documents.

Schematron (:func:`run_gib_schematron`): GİB's official
``UBL-TR_Main_Schematron.xml`` is compiled with the ISO Schematron XSLT-1
pipeline that lxml ships (include, abstract expansion, SVRL compilation, run
by libxslt), and the generated validator is then run by SaxonC-HE
(``saxonche``), whose XPath 2 functions (``matches()``, ``xs:date()``,
``current-date()``, path steps such as ``node()/normalize-space(…)``) GİB's
rules need. Saxon runs the generated version 1.0 stylesheet in backwards
compatible mode. One addition to GİB's text is needed: the rules use the
``xs:`` prefix without declaring it (the ISO XSLT-2 skeleton declares it on
its output, the XSLT-1 skeleton does not), so an ``sch:ns`` for it is added
after the include step.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NoReturn
from urllib.parse import urlparse

import pytest
from lxml import etree

__all__ = [
    "FailedAssert",
    "find_gib_dir",
    "gib_dir",
    "run_gib_schematron",
    "validate_envelope_xsd",
    "validate_user_document_xsd",
]

HR: Final = "http://www.hr-xml.org/3"
SH: Final = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
DS: Final = "http://www.w3.org/2000/09/xmldsig#"
XADES: Final = "http://uri.etsi.org/01903/v1.3.2#"
XSD: Final = "http://www.w3.org/2001/XMLSchema"
SCH: Final = "http://purl.oclc.org/dsdl/schematron"
SVRL: Final = "http://purl.oclc.org/dsdl/svrl"

# Files whose absence means the package is not there (or not complete).
_REQUIRED: Final = (
    "xsd/HRXML/UserAccount.xsd",
    "xsd/Envelope/PackageProxy_1_2.xsd",
    "schematron/UBL-TR_Main_Schematron.xml",
    "xml/4_KULLANICI_ACMA.xml",
    "xml/4_KULLANICI_ACMA_ZARF.xml",
)
_USER_DOCUMENT_ROOTS: Final = (f"{{{HR}}}ProcessUserAccount", f"{{{HR}}}CancelUserAccount")
_ENVELOPE_ROOT: Final = f"{{{SH}}}StandardBusinessDocument"


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must provide it, so this is a broken set-up", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def find_gib_dir(candidate: Path) -> Path:
    """Return ``candidate`` if GİB's package is there; skip (or fail on CI) otherwise."""
    missing = [name for name in _REQUIRED if not (candidate / name).is_file()]
    if missing:
        _unavailable(
            f"GİB's e-Fatura package is not at {candidate} (missing {', '.join(missing)}); "
            "it is expected as shared/gib beside the repository"
        )
    return candidate


def gib_dir() -> Path:
    """Return GİB's package folder, ``shared/gib`` beside the repository.

    Skips the calling test when the folder is absent; fails it when ``CI`` is set.
    """
    repository = Path(__file__).resolve().parents[2]
    return find_gib_dir((repository / ".." / "shared" / "gib").resolve())


# ---------------------------------------------------------------------------
# XSD
# ---------------------------------------------------------------------------


def _signxml_schemas() -> tuple[Path, Path]:
    """Return the XML-DSig core and XAdES 1.3.2 schema files that signxml ships."""
    spec = importlib.util.find_spec("signxml")
    if spec is None or spec.origin is None:
        _unavailable("signxml (its schema files) is not installed: pip install -e '.[dev]'")
    package = Path(spec.origin).parent
    dsig = package / "schemas" / "xmldsig-core-schema.xsd"
    xades = package / "xades" / "schemas" / "XAdES01903v132-201601.xsd"
    for path in (dsig, xades):
        if not path.is_file():
            _unavailable(f"signxml does not ship {path.name} where expected ({path})")
    return dsig, xades


class _LocalFilesOnly(etree.Resolver):
    """Let libxml2 read local files; refuse any other URL outright."""

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> None:
        scheme = urlparse(system_url or "").scheme
        # One-letter "schemes" are Windows drive letters.
        if scheme not in ("", "file") and len(scheme) != 1:
            raise OSError(f"schema resolution refused a non-local URL: {system_url}")


def _local_parser() -> etree.XMLParser:
    # xmldsig-core-schema.xsd has an internal DTD subset whose entities must
    # resolve; its external DTD is never loaded.
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=True)
    parser.resolvers.add(_LocalFilesOnly())
    return parser


def _compile_xsd(main_namespace: str, main_schema: Path) -> etree.XMLSchema:
    dsig, xades = _signxml_schemas()
    imports = ((DS, dsig), (XADES, xades), (main_namespace, main_schema))
    wrapper = etree.Element(
        f"{{{XSD}}}schema",
        nsmap={"xs": XSD},
        targetNamespace="urn:signer-app:test:gib-wrapper",
        elementFormDefault="qualified",
    )
    for namespace, path in imports:
        etree.SubElement(
            wrapper, f"{{{XSD}}}import", namespace=namespace, schemaLocation=path.as_uri()
        )
    with tempfile.TemporaryDirectory(prefix="gib-xsd-") as folder:
        path = Path(folder) / "wrapper.xsd"
        path.write_bytes(etree.tostring(wrapper, xml_declaration=True, encoding="UTF-8"))
        # Compiled once; the schema no longer needs the file afterwards.
        return etree.XMLSchema(etree.parse(str(path), _local_parser()))


@functools.cache
def _user_document_schema() -> etree.XMLSchema:
    return _compile_xsd(HR, gib_dir() / "xsd" / "HRXML" / "UserAccount.xsd")


@functools.cache
def _envelope_schema() -> etree.XMLSchema:
    return _compile_xsd(SH, gib_dir() / "xsd" / "Envelope" / "PackageProxy_1_2.xsd")


def _validate(schema: etree.XMLSchema, data: bytes, roots: tuple[str, ...]) -> list[str]:
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed: {exc}"]
    # The wrapper accepts any global element of the imported schemas; only
    # these roots are documents of the kind asked for.
    if root.tag not in roots:
        return [f"root element {root.tag!r} is not one of {', '.join(roots)}"]
    if schema.validate(root):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def validate_user_document_xsd(data: bytes) -> list[str]:
    """Validate a standalone ``ProcessUserAccount``/``CancelUserAccount`` document.

    Uses GİB's ``UserAccount.xsd`` with the XML-DSig and XAdES 1.3.2 schemas.

    :returns: the schema errors; empty when the document is valid.
    """
    return _validate(_user_document_schema(), data, _USER_DOCUMENT_ROOTS)


def validate_envelope_xsd(data: bytes) -> list[str]:
    """Validate a ``USERENVELOPE`` against GİB's ``PackageProxy_1_2.xsd``.

    The documents in ``ElementList`` are validated too (strict wildcard), with
    the HR-XML, XML-DSig and XAdES 1.3.2 schemas.

    :returns: the schema errors; empty when the envelope is valid.
    """
    return _validate(_envelope_schema(), data, (_ENVELOPE_ROOT,))


# ---------------------------------------------------------------------------
# Schematron
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FailedAssert:
    """One failed assertion of GİB's schematron, as SVRL reports it.

    :param test: the assertion's XPath test.
    :param location: an XPath to the context node.
    :param text: GİB's message, white space collapsed.
    """

    test: str
    location: str
    text: str


def _iso_schematron_xsl(name: str) -> Path:
    import lxml.isoschematron

    folder = Path(lxml.isoschematron.__file__).parent / "resources" / "xsl"
    return folder / "iso-schematron-xslt1" / name


def _transform(stylesheet: str, document: etree._ElementTree) -> etree._XSLTResultTree:
    access = etree.XSLTAccessControl(
        read_file=True, write_file=False, create_dir=False, read_network=False, write_network=False
    )
    xslt = etree.XSLT(
        etree.parse(str(_iso_schematron_xsl(stylesheet)), _local_parser()), access_control=access
    )
    result = xslt(document)
    # The skeleton reports schema mistakes (an unknown abstract rule …) by
    # xsl:message and carries on; a validator built on such a mistake would
    # silently check less.
    messages = [entry.message for entry in xslt.error_log if "error" in entry.message.lower()]
    if messages:
        raise RuntimeError(f"{stylesheet} reported: {'; '.join(messages)}")
    return result


def _validator_xslt() -> str:
    """Compile GİB's schematron into an XSLT validator (as text)."""
    main = gib_dir() / "schematron" / "UBL-TR_Main_Schematron.xml"
    # Parsed from the file so that the include step resolves GİB's relative hrefs.
    included = _transform("iso_dsdl_include.xsl", etree.parse(str(main), _local_parser()))
    schema = included.getroot()
    declared = schema.findall(f"{{{SCH}}}ns")
    if not any(ns.get("prefix") == "xs" for ns in declared):
        xs = etree.Element(f"{{{SCH}}}ns", prefix="xs", uri=XSD)
        if declared:
            declared[-1].addnext(xs)
        else:
            schema.insert(0, xs)
    expanded = _transform("iso_abstract_expand.xsl", included)
    validator = _transform("iso_svrl_for_xslt1.xsl", expanded)
    return str(validator)


class _Schematron:
    """GİB's schematron compiled for SaxonC-HE (not thread-safe)."""

    def __init__(self) -> None:
        try:
            saxonche: Any = importlib.import_module("saxonche")
        except ImportError:
            _unavailable("saxonche is not installed: pip install -e '.[dev]'")
        xslt = _validator_xslt()
        # The executable needs its processor alive: both stay on this object.
        self._processor: Any = saxonche.PySaxonProcessor(license=False)
        compiler = self._processor.new_xslt30_processor()
        self._executable: Any = compiler.compile_stylesheet(stylesheet_text=xslt, encoding="UTF-8")

    def run(self, data: bytes) -> list[FailedAssert]:
        node = self._processor.parse_xml(xml_text=data.decode("utf-8"), encoding="UTF-8")
        report = str(self._executable.transform_to_string(xdm_node=node))
        svrl = etree.fromstring(report.encode("utf-8"))
        return [
            FailedAssert(
                test=str(failed.get("test", "")),
                location=str(failed.get("location", "")),
                text=" ".join("".join(failed.itertext()).split()),
            )
            for failed in svrl.iter(f"{{{SVRL}}}failed-assert")
        ]


@functools.cache
def _schematron() -> _Schematron:
    return _Schematron()


def run_gib_schematron(envelope: bytes) -> list[FailedAssert]:
    """Check an envelope (UTF-8) against GİB's current official schematron.

    The validator is compiled once per process.

    :returns: every failed assertion, in document order; empty when none failed.
    """
    return _schematron().run(envelope)
