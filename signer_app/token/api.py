"""Contracts of the token layer: value types and the backend protocol.

A *backend* drives one PKCS#11 module through one Python binding. Everything
it returns is plain, immutable data so that the same values cross the pipe to
the token host process unchanged. Backends are synchronous and not
thread-safe; :class:`signer_app.token.service.TokenService` serialises calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from signer_app.token.pin import PinStatus

__all__ = [
    "BackendName",
    "CertificateObject",
    "PrivateKeyObject",
    "SignMechanism",
    "SlotInfo",
    "TokenBackend",
    "TokenInfo",
]

# PKCS#11 flag bits used below.
CKF_TOKEN_PRESENT = 0x1
CKF_REMOVABLE_DEVICE = 0x2
CKF_HW_SLOT = 0x4
CKF_LOGIN_REQUIRED = 0x4
CKF_PROTECTED_AUTHENTICATION_PATH = 0x100
CKF_TOKEN_INITIALIZED = 0x400


class BackendName(Enum):
    """The Python PKCS#11 bindings the program can drive a module with."""

    PKCS11 = "python-pkcs11"
    PYKCS11 = "pykcs11"


class SignMechanism(Enum):
    """Raw signing mechanisms; hashing and encoding happen in ``keys``.

    Only raw mechanisms are used so that cards which lack the combined
    hash-and-sign mechanisms (common, and SoftHSM lacks ``CKM_ECDSA_SHA256``)
    work, and so that only a digest crosses the pipe to the host process.
    """

    #: ``CKM_RSA_PKCS`` over a DER ``DigestInfo``: PKCS#1 v1.5.
    RSA_PKCS = "CKM_RSA_PKCS"
    #: ``CKM_ECDSA`` over a digest; returns ``r || s``.
    ECDSA = "CKM_ECDSA"


@dataclass(frozen=True)
class TokenInfo:
    """What ``C_GetTokenInfo`` says about the card in a slot."""

    label: str
    serial: str
    manufacturer: str
    model: str
    flags: int

    @property
    def pin_status(self) -> PinStatus:
        """The user PIN's state from the token flags."""
        from signer_app.token.pin import pin_status_from_flags  # noqa: PLC0415

        return pin_status_from_flags(self.flags)

    @property
    def initialized(self) -> bool:
        """Whether the token has been initialised (an empty token holds nothing to use)."""
        return bool(self.flags & CKF_TOKEN_INITIALIZED)

    @property
    def login_required(self) -> bool:
        """Whether private-key operations need a login."""
        return bool(self.flags & CKF_LOGIN_REQUIRED)

    @property
    def protected_authentication_path(self) -> bool:
        """Whether the PIN is entered on the reader's own keypad (PIN-pad)."""
        return bool(self.flags & CKF_PROTECTED_AUTHENTICATION_PATH)


@dataclass(frozen=True)
class SlotInfo:
    """A reader slot and, when a card is inserted, its token."""

    slot_id: int
    description: str
    manufacturer: str
    flags: int
    token: TokenInfo | None = None

    @property
    def token_present(self) -> bool:
        """Whether a card is in the reader (and its token could be read)."""
        return bool(self.flags & CKF_TOKEN_PRESENT) and self.token is not None

    @property
    def removable(self) -> bool:
        """Whether the reader takes removable cards."""
        return bool(self.flags & CKF_REMOVABLE_DEVICE)

    @property
    def hardware(self) -> bool:
        """Whether the slot is a hardware reader."""
        return bool(self.flags & CKF_HW_SLOT)


@dataclass(frozen=True)
class CertificateObject:
    """An X.509 certificate object read from a token without a PIN."""

    label: str
    #: ``CKA_ID``: pairs the certificate with its private key.
    id: bytes
    #: ``CKA_VALUE``: the DER encoding.
    der: bytes = field(repr=False)


@dataclass(frozen=True)
class PrivateKeyObject:
    """A private key object, visible only after login."""

    label: str
    id: bytes
    #: ``"RSA"`` or ``"EC"`` (other key types are reported as their name).
    key_type: str


class TokenBackend(Protocol):
    """Drives one PKCS#11 module; every call may raise a ``TokenError``."""

    @property
    def module_path(self) -> str:
        """The module file this backend has loaded."""
        ...

    def module_info(self) -> dict[str, str]:
        """Return ``C_GetInfo``: manufacturer, description, library and cryptoki versions."""
        ...

    def slots(self) -> list[SlotInfo]:
        """Return every slot (not only those with a token) with its token, if any."""
        ...

    def certificates(self, slot_id: int) -> list[CertificateObject]:
        """Return the X.509 certificates of the token in a slot, without logging in."""
        ...

    def login(self, slot_id: int, pin: str | None) -> None:
        """Log the user in; ``pin=None`` uses the reader's PIN-pad.

        :raises PinError: with the PIN state read after the failure.
        """
        ...

    def is_logged_in(self, slot_id: int) -> bool:
        """Whether this backend holds a logged-in session on the slot."""
        ...

    def private_keys(self, slot_id: int) -> list[PrivateKeyObject]:
        """Return the private keys of the logged-in token."""
        ...

    def sign(self, slot_id: int, key_id: bytes, mechanism: SignMechanism, data: bytes) -> bytes:
        """Sign ``data`` with the private key whose ``CKA_ID`` is ``key_id``."""
        ...

    def logout(self, slot_id: int) -> None:
        """Log out and close the slot's session (no error when not logged in)."""
        ...

    def reset(self) -> None:
        """Drop every session and re-initialise the module, after a card was removed."""
        ...

    def close(self) -> None:
        """Close every session and finalise the module."""
        ...
