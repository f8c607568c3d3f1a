"""Errors of the token layer.

The two backends translate their library's exceptions into these classes in
one function each; the host client translates a dead or silent host process.
Nothing else in the program catches PKCS#11 library exceptions.
"""

from __future__ import annotations

from signer_app.errors import SignerAppError
from signer_app.token.pin import PinStatus

__all__ = [
    "KeyNotFoundError",
    "LoginRequiredError",
    "MechanismNotSupportedError",
    "ModuleLoadError",
    "PinConfirmationRequiredError",
    "PinError",
    "PinIncorrectError",
    "PinLengthError",
    "PinLockedError",
    "PinPadCancelledError",
    "PinPadUnavailableError",
    "TokenError",
    "TokenHostCrashedError",
    "TokenModuleError",
    "TokenNotPresentError",
    "TokenRemovedError",
    "TokenTimeoutError",
]


class TokenError(SignerAppError):
    """The smart card or its software reported an error."""

    message_key = "token.error"


class ModuleLoadError(TokenError):
    """The card software (PKCS#11 module) could not be loaded."""

    message_key = "token.module_load"


class TokenModuleError(TokenError):
    """The card software failed in an unexpected way."""

    message_key = "token.module_failed"


class TokenNotPresentError(TokenError):
    """No card is inserted in the chosen reader."""

    retriable = True
    message_key = "token.not_present"


class TokenRemovedError(TokenError):
    """The card was removed or stopped answering; insert it and try again."""

    retriable = True
    message_key = "token.removed"


class TokenHostCrashedError(TokenError):
    """The card software stopped unexpectedly; it has been restarted."""

    retriable = True
    message_key = "token.host_crashed"


class TokenTimeoutError(TokenError):
    """The card did not answer in time; its software has been restarted."""

    retriable = True
    message_key = "token.timeout"


class LoginRequiredError(TokenError):
    """The card must be opened with the PIN first."""

    retriable = True
    message_key = "token.login_required"


class KeyNotFoundError(TokenError):
    """The card holds no private key for the chosen certificate."""

    message_key = "token.key_not_found"


class MechanismNotSupportedError(TokenError):
    """The card cannot sign with the required algorithm."""

    message_key = "token.mechanism"


class PinError(TokenError):
    """The PIN was not accepted."""

    message_key = "token.pin"

    def __init__(self, detail: str = "", *, status: PinStatus, **context: object) -> None:
        super().__init__(detail, status=status.value, **context)
        self.status = status


class PinIncorrectError(PinError):
    """The PIN is wrong."""

    # The user may type it again; the program never does so on its own.
    retriable = True
    message_key = "token.pin_incorrect"


class PinLockedError(PinError):
    """The PIN is locked after too many wrong entries."""

    message_key = "token.pin_locked"


class PinLengthError(PinError):
    """The PIN has a length the card does not accept."""

    retriable = True
    message_key = "token.pin_length"


class PinPadCancelledError(PinError):
    """PIN entry on the reader was cancelled or timed out."""

    retriable = True
    message_key = "token.pin_pad_cancelled"


class PinConfirmationRequiredError(PinError):
    """One PIN try is left; the user must confirm before it is used."""

    retriable = True
    message_key = "token.pin_final_try"


class PinPadUnavailableError(PinError):
    """The reader has no PIN-pad; the PIN must be typed in."""

    message_key = "token.pin_pad_unavailable"
