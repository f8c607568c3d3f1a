"""PIN state as read from the token flags, before a PIN is asked for."""

from __future__ import annotations

from enum import Enum

__all__ = ["PinStatus", "pin_status_from_flags"]

# PKCS#11 token flag bits (CK_TOKEN_INFO.flags).
CKF_USER_PIN_COUNT_LOW = 0x00010000
CKF_USER_PIN_FINAL_TRY = 0x00020000
CKF_USER_PIN_LOCKED = 0x00040000


class PinStatus(Enum):
    """What the card says about its user PIN."""

    OK = "ok"
    #: A wrong PIN was entered since the last correct one.
    WRONG_BEFORE = "wrong_before"
    #: The next wrong PIN locks the card.
    FINAL_TRY = "final_try"
    #: The PIN is locked; only the unblock procedure helps.
    LOCKED = "locked"


def pin_status_from_flags(flags: int) -> PinStatus:
    """Map ``CK_TOKEN_INFO.flags`` to a :class:`PinStatus`, the most severe bit winning."""
    if flags & CKF_USER_PIN_LOCKED:
        return PinStatus.LOCKED
    if flags & CKF_USER_PIN_FINAL_TRY:
        return PinStatus.FINAL_TRY
    if flags & CKF_USER_PIN_COUNT_LOW:
        return PinStatus.WRONG_BEFORE
    return PinStatus.OK
