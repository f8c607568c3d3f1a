"""Backend over PyKCS11, the second binding.

PyKCS11 maps the C API one to one and reports every failure as one exception
type carrying the ``CKR_*`` code. It keeps the GIL while the card works, which
does not matter in the token host process. Some vendor modules behave better
under it, so the same contract tests run against both backends.
"""

from __future__ import annotations

import logging
from typing import Any, Final

import PyKCS11
from PyKCS11 import LowLevel

from signer_app.token.api import (
    CertificateObject,
    PrivateKeyObject,
    SignMechanism,
    SlotInfo,
    TokenInfo,
)
from signer_app.token.errors import (
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

__all__ = ["PyKcs11Backend", "translate_error"]

_log = logging.getLogger(__name__)

CKR_USER_ALREADY_LOGGED_IN: Final = 0x100

_PIN_CODES: Final[dict[int, tuple[type[PinError], PinStatus | None]]] = {
    0xA0: (PinIncorrectError, None),  # CKR_PIN_INCORRECT
    0xA1: (PinIncorrectError, None),  # CKR_PIN_INVALID
    0xA2: (PinLengthError, None),  # CKR_PIN_LEN_RANGE
    0xA3: (PinLockedError, None),  # CKR_PIN_EXPIRED
    0xA4: (PinLockedError, PinStatus.LOCKED),  # CKR_PIN_LOCKED
    0x50: (PinPadCancelledError, None),  # CKR_FUNCTION_CANCELED
}
_CODES: Final[dict[int, type[TokenError]]] = {
    0x03: TokenNotPresentError,  # CKR_SLOT_ID_INVALID
    0xE0: TokenNotPresentError,  # CKR_TOKEN_NOT_PRESENT
    0xE1: TokenRemovedError,  # CKR_TOKEN_NOT_RECOGNIZED
    0x32: TokenRemovedError,  # CKR_DEVICE_REMOVED
    0x30: TokenRemovedError,  # CKR_DEVICE_ERROR
    0x31: TokenRemovedError,  # CKR_DEVICE_MEMORY
    0xB3: TokenRemovedError,  # CKR_SESSION_HANDLE_INVALID
    0xB0: TokenRemovedError,  # CKR_SESSION_CLOSED
    0x82: TokenRemovedError,  # CKR_OBJECT_HANDLE_INVALID
    0x60: TokenRemovedError,  # CKR_KEY_HANDLE_INVALID
    0x05: TokenRemovedError,  # CKR_GENERAL_ERROR
    0x101: LoginRequiredError,  # CKR_USER_NOT_LOGGED_IN
    0x70: MechanismNotSupportedError,  # CKR_MECHANISM_INVALID
    0x71: MechanismNotSupportedError,  # CKR_MECHANISM_PARAM_INVALID
}
_MECHANISMS: Final = {
    SignMechanism.RSA_PKCS: PyKCS11.CKM_RSA_PKCS,
    SignMechanism.ECDSA: PyKCS11.CKM_ECDSA,
}


def translate_error(exc: PyKCS11.PyKCS11Error, pin_status: PinStatus = PinStatus.OK) -> TokenError:
    """Translate a PyKCS11 error code into the token error family.

    This is the only place that knows PyKCS11's error codes.
    """
    code = int(exc.value)
    name = PyKCS11.CKR.get(code, hex(code))
    if code in _PIN_CODES:
        error, fixed = _PIN_CODES[code]
        return error(str(name), status=fixed or pin_status)
    return _CODES.get(code, TokenModuleError)(str(name))


def _text(value: object) -> str:
    return str(value).rstrip("\x00 ").strip()


class PyKcs11Backend(SessionTable):
    """A :class:`~signer_app.token.api.TokenBackend` over PyKCS11."""

    def __init__(self, module_path: str) -> None:
        """Load and initialise ``module_path`` (``C_Initialize`` with NULL arguments).

        :raises ModuleLoadError: when the file cannot be loaded or initialised.
        """
        super().__init__(module_path)
        self._lib = PyKCS11.PyKCS11Lib()
        try:
            self._lib.load(module_path)
        except PyKCS11.PyKCS11Error as exc:
            # -1 is PyKCS11's own "could not load" code; a CKR means C_Initialize failed.
            initialize = int(exc.value) != -1
            detail = str(translate_error(exc)) if initialize else str(exc)
            raise ModuleLoadError(detail, initialize=initialize) from exc

    def module_info(self) -> dict[str, str]:
        """Return ``C_GetInfo`` fields."""
        try:
            info = self._lib.getInfo()
        except PyKCS11.PyKCS11Error as exc:
            raise translate_error(exc) from exc
        return {
            "manufacturer": _text(info.manufacturerID),
            "description": _text(info.libraryDescription),
            "library_version": "{}.{}".format(*info.libraryVersion),
            "cryptoki_version": "{}.{}".format(*info.cryptokiVersion),
        }

    def slots(self) -> list[SlotInfo]:
        """Return every slot with its token."""
        try:
            result = []
            for slot_id in self._lib.getSlotList(tokenPresent=False):
                info = self._lib.getSlotInfo(slot_id)
                token = None
                if info.flags & 0x1:
                    try:
                        t = self._lib.getTokenInfo(slot_id)
                        token = TokenInfo(
                            label=_text(t.label),
                            serial=_text(t.serialNumber),
                            manufacturer=_text(t.manufacturerID),
                            model=_text(t.model),
                            flags=int(t.flags),
                        )
                    except PyKCS11.PyKCS11Error as exc:
                        if not isinstance(
                            translate_error(exc), TokenNotPresentError | TokenRemovedError
                        ):
                            raise
                result.append(
                    SlotInfo(
                        slot_id=int(slot_id),
                        description=_text(info.slotDescription),
                        manufacturer=_text(info.manufacturerID),
                        flags=int(info.flags),
                        token=token,
                    )
                )
            return result
        except PyKCS11.PyKCS11Error as exc:
            raise translate_error(exc) from exc

    def _pin_status(self, slot_id: int) -> PinStatus:
        try:
            return pin_status_from_flags(int(self._lib.getTokenInfo(slot_id).flags))
        except PyKCS11.PyKCS11Error:
            return PinStatus.OK

    def certificates(self, slot_id: int) -> list[CertificateObject]:
        """Read the X.509 certificates (public objects) without logging in."""
        try:
            held = self._held(slot_id)
            session = held if held is not None else self._lib.openSession(slot_id)
            try:
                handles = session.findObjects(
                    [
                        (PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE),
                        (PyKCS11.CKA_CERTIFICATE_TYPE, PyKCS11.CKC_X_509),
                    ]
                )
                result = []
                for handle in handles:
                    label, cka_id, value = session.getAttributeValue(
                        handle, [PyKCS11.CKA_LABEL, PyKCS11.CKA_ID, PyKCS11.CKA_VALUE]
                    )
                    result.append(
                        CertificateObject(
                            label=_text(label or ""),
                            id=bytes(cka_id or b""),
                            der=bytes(value or b""),
                        )
                    )
                return result
            finally:
                if held is None:
                    session.closeSession()
        except PyKCS11.PyKCS11Error as exc:
            raise translate_error(exc) from exc

    def login(self, slot_id: int, pin: str | None) -> None:
        """Log in with ``pin``, or on the reader's PIN-pad when ``pin`` is None."""
        self.logout(slot_id)
        try:
            session = self._lib.openSession(slot_id)
        except PyKCS11.PyKCS11Error as exc:
            raise translate_error(exc) from exc
        try:
            if pin is None:
                # An empty byte list makes PyKCS11 pass a NULL PIN: the
                # protected authentication path.
                rv = session.lib.C_Login(session.session, PyKCS11.CKU_USER, LowLevel.ckbytelist())
                if rv != PyKCS11.CKR_OK:
                    raise PyKCS11.PyKCS11Error(rv)
            else:
                session.login(pin)
        except PyKCS11.PyKCS11Error as exc:
            if int(exc.value) != CKR_USER_ALREADY_LOGGED_IN:
                self._close_quietly(session)
                raise translate_error(exc, self._pin_status(slot_id)) from exc
        self._hold(slot_id, session)

    @staticmethod
    def _close_quietly(session: Any) -> None:
        try:
            session.closeSession()
        except PyKCS11.PyKCS11Error:
            _log.info("closing a session failed (card gone?)")

    def private_keys(self, slot_id: int) -> list[PrivateKeyObject]:
        """List the private keys visible in the logged-in session."""
        session = self._session(slot_id)
        try:
            result = []
            for handle in session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY)]):
                label, cka_id, key_type = session.getAttributeValue(
                    handle, [PyKCS11.CKA_LABEL, PyKCS11.CKA_ID, PyKCS11.CKA_KEY_TYPE]
                )
                name = str(PyKCS11.CKK.get(key_type, key_type)).removeprefix("CKK_")
                # CKK_EC and CKK_ECDSA are one value; PyKCS11 names it by the old name.
                name = "EC" if name == "ECDSA" else name
                result.append(
                    PrivateKeyObject(
                        label=_text(label or ""), id=bytes(cka_id or b""), key_type=name
                    )
                )
            return result
        except PyKCS11.PyKCS11Error as exc:
            raise translate_error(exc) from exc

    def sign(self, slot_id: int, key_id: bytes, mechanism: SignMechanism, data: bytes) -> bytes:
        """Sign with the private key whose ``CKA_ID`` is ``key_id``."""
        session = self._session(slot_id)
        template = [(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, key_id)]
        try:
            key = self._key(slot_id, key_id, lambda: list(session.findObjects(template)))
            mech = PyKCS11.Mechanism(_MECHANISMS[mechanism], None)
            return bytes(session.sign(key, data, mech))
        except PyKCS11.PyKCS11Error as exc:
            self._drop_key(slot_id, key_id)
            raise translate_error(exc) from exc

    def logout(self, slot_id: int) -> None:
        """Log out and close the slot's session."""
        session = self._release(slot_id)
        if session is not None:
            try:
                session.logout()
            except PyKCS11.PyKCS11Error:
                _log.info("logging out of slot %d failed (card gone?)", slot_id)
            self._close_quietly(session)

    def reset(self) -> None:
        """Forget all sessions and re-initialise the module (after a card was removed)."""
        self._forget_all()
        try:
            self._lib.unload()
            self._lib = PyKCS11.PyKCS11Lib()
            self._lib.load(self._path)
        except PyKCS11.PyKCS11Error as exc:
            raise translate_error(exc) from exc

    def close(self) -> None:
        """Close all sessions and unload the module."""
        for slot_id in self._held_slots():
            self.logout(slot_id)
        try:
            self._lib.unload()
        except PyKCS11.PyKCS11Error:
            _log.info("unloading %s failed", self._path)
