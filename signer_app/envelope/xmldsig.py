"""XML-DSig primitives for GİB's profile: canonicalisation, digests, signature values.

Only what GİB's XAdES-BES profile uses is supported — inclusive C14N 1.0
(with or without comments), SHA-256/384/512, RSA PKCS#1 v1.5 and ECDSA — and
anything else is refused as :class:`UnsupportedAlgorithmError`. A narrow
profile is a security property: the verifier never runs transforms or
dereferences URIs an attacker chose.

Same-document references (``URI=""`` and ``URI="#id"``) leave comments out,
as XML-DSig prescribes, whatever the canonicalisation method says.
"""

from __future__ import annotations

import base64
import binascii
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from lxml import etree

from signer_app.envelope.errors import (
    DuplicateIdError,
    SignatureInvalidError,
    SignatureStructureError,
    UnsupportedAlgorithmError,
    UnsupportedDocumentError,
)

__all__ = [
    "C14N",
    "C14N_WITH_COMMENTS",
    "ENVELOPED",
    "SHA256",
    "b64",
    "canonicalize",
    "digest",
    "document_without",
    "id_index",
    "sign_signed_info",
    "signature_method_for",
    "unb64",
    "verify_signed_info",
]

C14N: Final = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_WITH_COMMENTS: Final = C14N + "#WithComments"
ENVELOPED: Final = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SHA256: Final = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA384: Final = "http://www.w3.org/2001/04/xmldsig-more#sha384"
SHA512: Final = "http://www.w3.org/2001/04/xmlenc#sha512"
RSA_SHA256: Final = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA384: Final = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
RSA_SHA512: Final = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
ECDSA_SHA256: Final = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
ECDSA_SHA384: Final = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
ECDSA_SHA512: Final = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"

#: Canonicalisation methods and whether they keep comments.
CANONICALIZATIONS: Final = {C14N: False, C14N_WITH_COMMENTS: True}
DIGESTS: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    SHA256: hashes.SHA256,
    SHA384: hashes.SHA384,
    SHA512: hashes.SHA512,
}
#: Signature methods: key type and hash.
SIGNATURE_METHODS: Final[dict[str, tuple[str, type[hashes.HashAlgorithm]]]] = {
    RSA_SHA256: ("RSA", hashes.SHA256),
    RSA_SHA384: ("RSA", hashes.SHA384),
    RSA_SHA512: ("RSA", hashes.SHA512),
    ECDSA_SHA256: ("EC", hashes.SHA256),
    ECDSA_SHA384: ("EC", hashes.SHA384),
    ECDSA_SHA512: ("EC", hashes.SHA512),
}
_EC_METHODS: Final = {256: ECDSA_SHA256, 384: ECDSA_SHA384, 521: ECDSA_SHA512}

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
VerifyingKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def b64(data: bytes) -> str:
    """Base64 without line breaks."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str | None, what: str) -> bytes:
    """Decode base64 that may carry whitespace (line breaks are common).

    :raises SignatureStructureError: when it is not base64.
    """
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureStructureError(f"{what} is not base64") from exc


def canonicalize(node: etree._Element | etree._ElementTree, *, with_comments: bool) -> bytes:
    """Inclusive C14N 1.0 of ``node`` with its in-scope namespaces.

    :raises UnsupportedDocumentError: C14N refuses the document (a relative
        namespace URI, which no GİB document has).
    """
    try:
        return etree.tostring(node, method="c14n", exclusive=False, with_comments=with_comments)
    except etree.C14NError as exc:
        raise UnsupportedDocumentError(f"cannot be canonicalised: {exc}"[:200]) from exc


def digest(data: bytes, method: str) -> bytes:
    """Digest ``data`` with the XML-DSig digest method ``method``.

    :raises UnsupportedAlgorithmError: for a method outside the profile.
    """
    algorithm = DIGESTS.get(method)
    if algorithm is None:
        raise UnsupportedAlgorithmError(f"digest {method}")
    h = hashes.Hash(algorithm())
    h.update(data)
    return h.finalize()


def id_index(root: etree._Element) -> dict[str, etree._Element]:
    """Map every ``Id`` attribute value to its element.

    :raises DuplicateIdError: when a value occurs twice — a reference to it
        would be ambiguous, the classic signature-wrapping set-up.
    """
    index: dict[str, etree._Element] = {}
    for element in root.iter(etree.Element):
        value = element.get("Id")
        if value is None:
            continue
        if value in index:
            raise DuplicateIdError(f"Id {value[:80]!r} occurs twice")
        index[value] = element
    return index


def document_without(signature: etree._Element) -> bytes:
    """C14N of the whole document minus ``signature`` (the enveloped-signature transform).

    The element is taken out and put back in place; the text that follows it
    stays in the document, as the transform requires. Comments are left out
    (``URI=""``).
    """
    parent = signature.getparent()
    if parent is None:
        raise SignatureStructureError("an enveloped signature cannot be the document root")
    tree = signature.getroottree()
    index = parent.index(signature)
    tail = signature.tail
    previous = signature.getprevious()
    saved = previous.tail if previous is not None else parent.text
    signature.tail = None
    parent.remove(signature)
    if tail:
        if previous is not None:
            previous.tail = (saved or "") + tail
        else:
            parent.text = (saved or "") + tail
    try:
        return canonicalize(tree, with_comments=False)
    finally:
        if previous is not None:
            previous.tail = saved
        else:
            parent.text = saved
        parent.insert(index, signature)
        signature.tail = tail


def signature_method_for(key: SigningKey | VerifyingKey) -> str:
    """The signature method GİB's profile uses for ``key``: RSA-SHA256, or ECDSA by curve."""
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return RSA_SHA256
    method = _EC_METHODS.get(key.curve.key_size)
    if method is None:
        raise UnsupportedAlgorithmError(f"curve {key.curve.name}")
    return method


def _curve_bytes(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> int:
    return (key.curve.key_size + 7) // 8


def sign_signed_info(canonical: bytes, method: str, key: SigningKey) -> bytes:
    """Sign canonical SignedInfo; ECDSA values come back as ``r || s`` as XML-DSig wants."""
    kind, algorithm = SIGNATURE_METHODS[method]
    if kind == "RSA":
        if not isinstance(key, rsa.RSAPrivateKey):
            raise UnsupportedAlgorithmError("an RSA method needs an RSA key")
        return key.sign(canonical, padding.PKCS1v15(), algorithm())
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise UnsupportedAlgorithmError("an ECDSA method needs an EC key")
    r, s = utils.decode_dss_signature(key.sign(canonical, ec.ECDSA(algorithm())))
    size = _curve_bytes(key)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def verify_signed_info(canonical: bytes, value: bytes, method: str, key: object) -> None:
    """Check a signature value over canonical SignedInfo.

    :raises UnsupportedAlgorithmError: an unknown method, or a key of the wrong type.
    :raises SignatureInvalidError: the value does not verify.
    """
    if method not in SIGNATURE_METHODS:
        raise UnsupportedAlgorithmError(f"signature method {method}")
    kind, algorithm = SIGNATURE_METHODS[method]
    try:
        if kind == "RSA":
            if not isinstance(key, rsa.RSAPublicKey):
                raise UnsupportedAlgorithmError("RSA method with a non-RSA certificate")
            key.verify(value, canonical, padding.PKCS1v15(), algorithm())
            return
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise UnsupportedAlgorithmError("ECDSA method with a non-EC certificate")
        size = _curve_bytes(key)
        if len(value) != 2 * size:
            raise SignatureInvalidError("ECDSA value has the wrong length")
        r = int.from_bytes(value[:size], "big")
        s = int.from_bytes(value[size:], "big")
        key.verify(utils.encode_dss_signature(r, s), canonical, ec.ECDSA(algorithm()))
    except InvalidSignature as exc:
        raise SignatureInvalidError("signature value does not verify") from exc
