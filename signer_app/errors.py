"""The root of the program's error family.

Every error the program raises on purpose derives from :class:`SignerAppError`.
Layers define their own families below it (``signer_app.token.errors`` …);
foreign exceptions are translated into this family in exactly one place per
adapter. Errors carry *data* (a message key and structured details), never a
finished sentence for the user: words are chosen only by the UI's message
table and by the CLI.

Secrets (PINs, passwords) must never be passed to an error: neither its
``detail`` nor its ``context`` may contain one.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["ConfigError", "DiagnoseError", "SignerAppError"]


class SignerAppError(Exception):
    """An error of the signing client."""

    #: Whether repeating the same action (after the user fixed the cause, or
    #: simply again) can succeed. Nothing retries by itself because of it.
    retriable: ClassVar[bool] = False
    #: Stable key for the UI's and CLI's message tables.
    message_key: ClassVar[str] = "error"

    def __init__(self, detail: str = "", **context: object) -> None:
        self.detail = detail
        self.context: dict[str, object] = dict(context)
        super().__init__(detail or self.default_message())

    @classmethod
    def default_message(cls) -> str:
        """Return the first line of the class docstring, the English fallback text."""
        doc = cls.__doc__ or cls.__name__
        return doc.strip().splitlines()[0]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.detail!r})"


class ConfigError(SignerAppError):
    """The configuration or a policy value is invalid."""

    message_key = "config.invalid"


class DiagnoseError(SignerAppError):
    """The support bundle could not be written."""

    #: Another folder (or freeing space) can succeed.
    retriable = True
    message_key = "diagnose.write_failed"
