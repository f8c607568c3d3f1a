"""Private-key objects with the ``cryptography`` interface, backed by a card.

XML signing code calls ``key.sign(data, padding, algorithm)`` exactly as it
would on a software key; the digest is computed here and only the digest (in
a DER ``DigestInfo`` for RSA) goes to the card, with the raw ``CKM_RSA_PKCS``
or ``CKM_ECDSA`` mechanisms that every card offers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final, NoReturn, Self

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from signer_app.token.api import SignMechanism
from signer_app.token.errors import MechanismNotSupportedError

__all__ = ["RawSigner", "TokenECPrivateKey", "TokenRSAPrivateKey", "digest_info"]

#: Signs a prepared input with a raw mechanism on the card.
RawSigner = Callable[[SignMechanism, bytes], bytes]

# DER prefixes of DigestInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING }
# for each hash (RFC 8017, section 9.2, note 1).
_DIGEST_INFO_PREFIX: Final = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


def _digest(data: bytes, algorithm: hashes.HashAlgorithm | utils.Prehashed) -> tuple[str, bytes]:
    if isinstance(algorithm, utils.Prehashed):
        hash_algorithm = algorithm._algorithm
        if len(data) != hash_algorithm.digest_size:
            raise ValueError("prehashed data has the wrong length")
        return hash_algorithm.name, data
    h = hashes.Hash(algorithm)
    h.update(data)
    return algorithm.name, h.finalize()


def digest_info(data: bytes, algorithm: hashes.HashAlgorithm | utils.Prehashed) -> bytes:
    """Return the DER ``DigestInfo`` that PKCS#1 v1.5 signs for ``data``.

    :raises MechanismNotSupportedError: for hashes other than SHA-256/384/512.
    """
    name, digest = _digest(data, algorithm)
    prefix = _DIGEST_INFO_PREFIX.get(name)
    if prefix is None:
        raise MechanismNotSupportedError(f"hash {name} is not allowed")
    return prefix + digest


def _refuse(what: str) -> NoReturn:
    raise TypeError(f"a key on a smart card cannot {what}")


class _OnCard:
    """What every card-backed key shares: it never leaves the card, and copies are itself."""

    def private_bytes(
        self,
        encoding: serialization.Encoding,
        format: serialization.PrivateFormat,
        encryption_algorithm: serialization.KeySerializationEncryption,
    ) -> bytes:
        """Refuse: the key never leaves the card."""
        _refuse("export its private key")

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self


class TokenRSAPrivateKey(_OnCard, rsa.RSAPrivateKey):
    """An RSA key on a card: signs PKCS#1 v1.5, nothing else."""

    def __init__(self, signer: RawSigner, public_key: rsa.RSAPublicKey) -> None:
        """Wrap ``signer`` (bound to one key on one card) and its public key."""
        self._signer = signer
        self._public = public_key
        # One card operation at a time even if XML code signs from threads.
        self._lock = threading.Lock()

    # cryptography's parameter names are kept: callers pass them by keyword.
    def sign(
        self,
        data: bytes,
        padding: padding.AsymmetricPadding,
        algorithm: hashes.HashAlgorithm | utils.Prehashed | utils.NoDigestInfo,
    ) -> bytes:
        """Sign ``data`` with PKCS#1 v1.5 and ``algorithm`` on the card.

        With :class:`~cryptography.hazmat.primitives.asymmetric.utils.NoDigestInfo`
        the caller has built the ``DigestInfo`` itself and ``data`` is signed as is.
        """
        if not isinstance(padding, _PKCS1v15):
            raise MechanismNotSupportedError("only PKCS#1 v1.5 signatures are supported")
        prepared = (
            data if isinstance(algorithm, utils.NoDigestInfo) else digest_info(data, algorithm)
        )
        with self._lock:
            return self._signer(SignMechanism.RSA_PKCS, prepared)

    @property
    def key_size(self) -> int:
        """Modulus size in bits."""
        return self._public.key_size

    def public_key(self) -> rsa.RSAPublicKey:
        """The public half, from the certificate."""
        return self._public

    def decrypt(self, ciphertext: bytes, padding: padding.AsymmetricPadding) -> bytes:
        """Refuse: a signing key is never used to decrypt."""
        _refuse("decrypt")

    def private_numbers(self) -> rsa.RSAPrivateNumbers:
        """Refuse: the key never leaves the card."""
        _refuse("export its private numbers")


_PKCS1v15 = padding.PKCS1v15


class TokenECPrivateKey(_OnCard, ec.EllipticCurvePrivateKey):
    """An EC key on a card: signs ECDSA, returning the DER form like ``cryptography``."""

    def __init__(self, signer: RawSigner, public_key: ec.EllipticCurvePublicKey) -> None:
        """Wrap ``signer`` (bound to one key on one card) and its public key."""
        self._signer = signer
        self._public = public_key
        self._lock = threading.Lock()

    def sign(
        self,
        data: bytes | bytearray | memoryview,
        signature_algorithm: ec.EllipticCurveSignatureAlgorithm,
    ) -> bytes:
        """Sign ``data`` with ECDSA on the card; the hash is computed here."""
        if not isinstance(signature_algorithm, ec.ECDSA):
            raise MechanismNotSupportedError("only ECDSA signatures are supported")
        _, digest = _digest(bytes(data), signature_algorithm.algorithm)
        with self._lock:
            raw = self._signer(SignMechanism.ECDSA, digest)
        size = len(raw) // 2
        if len(raw) % 2 or size == 0:
            raise MechanismNotSupportedError("the card returned a malformed ECDSA signature")
        r = int.from_bytes(raw[:size], "big")
        s = int.from_bytes(raw[size:], "big")
        return utils.encode_dss_signature(r, s)

    @property
    def curve(self) -> ec.EllipticCurve:
        """The key's curve."""
        return self._public.curve

    @property
    def key_size(self) -> int:
        """Curve size in bits."""
        return self._public.curve.key_size

    def public_key(self) -> ec.EllipticCurvePublicKey:
        """The public half, from the certificate."""
        return self._public

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        """Refuse: a signing key is never used for key agreement."""
        _refuse("do key agreement")

    def private_numbers(self) -> ec.EllipticCurvePrivateNumbers:
        """Refuse: the key never leaves the card."""
        _refuse("export its private numbers")
