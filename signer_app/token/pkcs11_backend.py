"""Backend over python-pkcs11, the default binding.

python-pkcs11 releases the GIL while the card works and raises one exception
class per return code. Its ``Token.open(user_pin=…)`` opens a session and then
logs in; when the login fails the session it opened is never closed. We work
around that leak by finalising and re-initialising the module after every
failed login, which closes every session the process holds.
"""

from __future__ import annotations

import logging
from typing import Any, Final

import pkcs11
from pkcs11 import Attribute, CertificateType, Mechanism, ObjectClass
from pkcs11 import exceptions as p11e

from signer_app.token.api import (
    CertificateObject,
    PrivateKeyObject,
    SignMechanism,
    SlotInfo,
    TokenInfo,
)
from signer_app.token.errors import (
    KeyNotFoundError,
    LoginRequiredError,
    MechanismNotSupportedError,
    ModuleLoadError,
    PinError,
    PinIncorrectError,
    PinLengthError,
    PinLockedError,
    PinPadCancelledError,
    TokenError,
    TokenModuleError,
    TokenNotPresentError,
    TokenRemovedError,
)
from signer_app.token.pin import PinStatus, pin_status_from_flags
from signer_app.token.sessions import SessionTable

__all__ = ["Pkcs11Backend", "translate_error"]

_log = logging.getLogger(__name__)

_MECHANISMS: Final = {
    SignMechanism.RSA_PKCS: Mechanism.RSA_PKCS,
    SignMechanism.ECDSA: Mechanism.ECDSA,
}

# Failures after which the card, the reader or our session is gone: the
# caller drops its state and enumerates again.
_GONE: Final = (
    p11e.DeviceRemoved,
    p11e.TokenNotRecognised,
    p11e.SessionHandleInvalid,
    p11e.SessionClosed,
    p11e.ObjectHandleInvalid,
    p11e.KeyHandleInvalid,
    p11e.DeviceError,
    p11e.DeviceMemory,
    p11e.GeneralError,
)
_PIN: Final[dict[type[Exception], tuple[type[PinError], PinStatus | None]]] = {
    p11e.PinIncorrect: (PinIncorrectError, None),
    p11e.PinInvalid: (PinIncorrectError, None),
    p11e.PinLocked: (PinLockedError, PinStatus.LOCKED),
    p11e.PinLenRange: (PinLengthError, None),
    p11e.PinExpired: (PinLockedError, None),
    p11e.FunctionCancelled: (PinPadCancelledError, None),
}


def translate_error(exc: Exception, pin_status: PinStatus = PinStatus.OK) -> TokenError:
    """Translate a python-pkcs11 exception into the token error family.

    This is the only place that knows python-pkcs11's exception classes.
    """
    name = type(exc).__name__
    for cls, (error, fixed) in _PIN.items():
        if isinstance(exc, cls):
            return error(name, status=fixed or pin_status)
    if isinstance(exc, p11e.TokenNotPresent | p11e.NoSuchToken | p11e.SlotIDInvalid):
        return TokenNotPresentError(name)
    if isinstance(exc, _GONE):
        return TokenRemovedError(name)
    if isinstance(exc, p11e.UserNotLoggedIn):
        return LoginRequiredError(name)
    if isinstance(exc, p11e.MechanismInvalid | p11e.MechanismParamInvalid):
        return MechanismNotSupportedError(name)
    if isinstance(exc, p11e.NoSuchKey):
        return KeyNotFoundError(name)
    return TokenModuleError(name)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).rstrip("\x00 ").strip()


class Pkcs11Backend(SessionTable):
    """A :class:`~signer_app.token.api.TokenBackend` over python-pkcs11."""

    def __init__(self, module_path: str) -> None:
        """Load and initialise ``module_path`` (``C_Initialize`` with NULL arguments).

        :raises ModuleLoadError: when the file cannot be loaded or initialised.
        """
        super().__init__(module_path)
        try:
            self._lib = pkcs11.lib(module_path)
        except p11e.PKCS11Error as exc:
            # python-pkcs11 reports loader failures as a bare PKCS11Error
            # carrying the loader's text; a subclass means C_Initialize failed.
            detail = str(exc) if type(exc) is p11e.PKCS11Error else type(exc).__name__
            raise ModuleLoadError(detail, initialize=type(exc) is not p11e.PKCS11Error) from exc

    def _slot(self, slot_id: int) -> Any:
        for slot in self._lib.get_slots(token_present=False):
            if slot.slot_id == slot_id:
                return slot
        raise TokenNotPresentError("no such slot", slot_id=slot_id)

    def _pin_status(self, slot_id: int) -> PinStatus:
        try:
            return pin_status_from_flags(int(self._slot(slot_id).get_token().flags))
        except (p11e.PKCS11Error, TokenError):
            return PinStatus.OK

    def module_info(self) -> dict[str, str]:
        """Return ``C_GetInfo`` fields."""
        lib = self._lib
        return {
            "manufacturer": _text(lib.manufacturer_id),
            "description": _text(lib.library_description),
            "library_version": "{}.{}".format(*lib.library_version),
            "cryptoki_version": "{}.{}".format(*lib.cryptoki_version),
        }

    def slots(self) -> list[SlotInfo]:
        """Return every slot with its token."""
        try:
            result = []
            for slot in self._lib.get_slots(token_present=False):
                flags = int(slot.flags)
                token = None
                if flags & 0x1:
                    try:
                        t = slot.get_token()
                        token = TokenInfo(
                            label=_text(t.label),
                            serial=_text(t.serial),
                            manufacturer=_text(t.manufacturer_id),
                            model=_text(t.model),
                            flags=int(t.flags),
                        )
                    except (p11e.TokenNotPresent, p11e.TokenNotRecognised, p11e.DeviceRemoved):
                        token = None
                result.append(
                    SlotInfo(
                        slot_id=int(slot.slot_id),
                        description=_text(slot.slot_description),
                        manufacturer=_text(slot.manufacturer_id),
                        flags=flags,
                        token=token,
                    )
                )
            return result
        except p11e.PKCS11Error as exc:
            raise translate_error(exc) from exc

    def certificates(self, slot_id: int) -> list[CertificateObject]:
        """Read the X.509 certificates (public objects) without logging in."""
        try:
            held = self._held(slot_id)
            session: Any = held if held is not None else self._slot(slot_id).get_token().open()
            try:
                found = list(
                    session.get_objects(
                        {
                            Attribute.CLASS: ObjectClass.CERTIFICATE,
                            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                        }
                    )
                )
                return [
                    CertificateObject(
                        label=_text(obj[Attribute.LABEL]),
                        id=bytes(obj[Attribute.ID]),
                        der=bytes(obj[Attribute.VALUE]),
                    )
                    for obj in found
                ]
            finally:
                if held is None:
                    session.close()
        except p11e.PKCS11Error as exc:
            raise translate_error(exc) from exc

    def login(self, slot_id: int, pin: str | None) -> None:
        """Log in with ``pin``, or on the reader's PIN-pad when ``pin`` is None."""
        self.logout(slot_id)
        try:
            token = self._slot(slot_id).get_token()
            credential: object = pkcs11.PROTECTED_AUTH if pin is None else pin
            self._hold(slot_id, token.open(user_pin=credential))
        except p11e.UserAlreadyLoggedIn:
            # Another session of this process is logged in already (the
            # login state belongs to the application): a plain session
            # shares it.
            self._hold(slot_id, self._slot(slot_id).get_token().open())
        except p11e.PKCS11Error as exc:
            self._drop_leaked_session()
            raise translate_error(exc, self._pin_status(slot_id)) from exc

    def _drop_leaked_session(self) -> None:
        # C_Finalize closes the session python-pkcs11 leaked; it also ends
        # every other session of this module, so forget them all.
        self._forget_all()
        try:
            self._lib.reinitialize()
        except p11e.PKCS11Error:
            _log.warning("re-initialising %s after a failed login failed", self._path)

    def private_keys(self, slot_id: int) -> list[PrivateKeyObject]:
        """List the private keys visible in the logged-in session."""
        session = self._session(slot_id)
        try:
            keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
            return [
                PrivateKeyObject(
                    label=_text(k[Attribute.LABEL]),
                    id=bytes(k[Attribute.ID]),
                    key_type=getattr(k.key_type, "name", str(k.key_type)),
                )
                for k in keys
            ]
        except p11e.PKCS11Error as exc:
            raise translate_error(exc) from exc

    def sign(self, slot_id: int, key_id: bytes, mechanism: SignMechanism, data: bytes) -> bytes:
        """Sign with the private key whose ``CKA_ID`` is ``key_id``."""
        session = self._session(slot_id)
        attributes = {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: key_id}
        try:
            key = self._key(slot_id, key_id, lambda: list(session.get_objects(attributes)))
            return bytes(key.sign(data, mechanism=_MECHANISMS[mechanism]))
        except p11e.PKCS11Error as exc:
            self._drop_key(slot_id, key_id)
            raise translate_error(exc) from exc

    def logout(self, slot_id: int) -> None:
        """Close the slot's session, logging out."""
        session = self._release(slot_id)
        if session is not None:
            try:
                session.close()
            except p11e.PKCS11Error:
                _log.info("closing the session of slot %d failed (card gone?)", slot_id)

    def reset(self) -> None:
        """Forget all sessions and re-initialise the module (after a card was removed)."""
        self._drop_leaked_session()

    def close(self) -> None:
        """Close all sessions and unload the module."""
        for slot_id in self._held_slots():
            self.logout(slot_id)
        try:
            pkcs11.unload(self._path)
        except p11e.PKCS11Error:
            _log.info("finalising %s failed", self._path)
