"""Errors of the portal client: one family, keyed by the API's problem codes.

Every problem ``code`` of ``openapi.yaml`` has exactly one class here (its
:attr:`PortalError.problem_code`); :data:`PROBLEM_ERRORS` is the one table
from codes to classes, used by the client. Transport failures (timeout,
connection, TLS), answers the API does not allow, contract file problems
and OS keyring problems have classes of their own.

Contract file errors carry a stable :class:`ContractReason` in
``error.reason`` (and ``error.context["reason"]``) that the UI turns into
words.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar, Final

from signer_app.errors import SignerAppError

__all__ = [
    "PROBLEM_ERRORS",
    "AccountLockedError",
    "AlreadySignedError",
    "ContractError",
    "ContractReason",
    "CredentialStoreError",
    "DocumentNotReadyError",
    "DocumentRejectedError",
    "DocumentTooLargeError",
    "IdempotencyConflictError",
    "InsecureTransportError",
    "InvalidCredentialsError",
    "InvalidRequestError",
    "NotAwaitingSignatureError",
    "PortalConnectionError",
    "PortalError",
    "PortalInternalError",
    "PortalNotFoundError",
    "PortalProtocolError",
    "PortalTimeoutError",
    "PortalUnavailableError",
    "SessionExpiredError",
    "TlsError",
    "UnsupportedMediaTypeError",
    "UntrustedContractHostError",
    "UntrustedPortalError",
    "WrongDocumentError",
    "WrongSignerError",
]


class PortalError(SignerAppError):
    """The integrator portal could not do what was asked."""

    message_key = "portal.error"
    #: The API's problem code this class stands for, if any.
    problem_code: ClassVar[str | None] = None

    def __init__(self, detail: str = "", *, status: int | None = None, **context: object) -> None:
        super().__init__(detail, status=status, **context)
        self.status = status


class InvalidRequestError(PortalError):
    """The portal refused the request as malformed (a client or input error)."""

    message_key = "portal.invalid_request"
    problem_code = "invalid-request"


class UnsupportedMediaTypeError(InvalidRequestError):
    """The portal does not accept the uploaded content type."""

    message_key = "portal.unsupported_media_type"
    problem_code = "unsupported-media-type"


class InvalidCredentialsError(PortalError):
    """The VKN/TCKN or the web-service password is wrong."""

    message_key = "portal.invalid_credentials"
    problem_code = "invalid-credentials"


class AccountLockedError(PortalError):
    """The account is locked after too many wrong passwords."""

    message_key = "portal.account_locked"
    problem_code = "account-locked"


class SessionExpiredError(PortalError):
    """The session has ended; log in again."""

    retriable = True
    message_key = "portal.session_expired"
    problem_code = "unauthorized"


class PortalNotFoundError(PortalError):
    """The portal does not know this activation."""

    message_key = "portal.not_found"
    problem_code = "not-found"


class NotAwaitingSignatureError(PortalError):
    """The activation no longer waits for the customer's signature."""

    message_key = "portal.not_awaiting_signature"
    problem_code = "not-awaiting-signature"


class DocumentRejectedError(PortalError):
    """The portal refused the signed document."""

    message_key = "portal.document_rejected"
    problem_code = "invalid-document"

    def __init__(
        self,
        detail: str = "",
        *,
        status: int | None = None,
        findings: tuple[tuple[str, str], ...] = (),
        **context: object,
    ) -> None:
        super().__init__(detail, status=status, **context)
        self.findings = findings


class WrongDocumentError(DocumentRejectedError):
    """The uploaded document is not the one the portal issued for this activation."""

    message_key = "portal.wrong_document"
    problem_code = "wrong-document"


class WrongSignerError(DocumentRejectedError):
    """The counter-signer is not the activation's company."""

    message_key = "portal.wrong_signer"
    problem_code = "wrong-signer"


class DocumentTooLargeError(DocumentRejectedError):
    """The uploaded document is larger than the portal accepts."""

    message_key = "portal.payload_too_large"
    problem_code = "payload-too-large"


class DocumentNotReadyError(PortalError):
    """The integrator has not prepared the document yet; try again later."""

    retriable = True
    message_key = "portal.document_not_ready"
    problem_code = "document-not-ready"


class AlreadySignedError(PortalError):
    """Another signed document was already accepted for this activation."""

    message_key = "portal.already_signed"
    problem_code = "already-signed"


class IdempotencyConflictError(PortalError):
    """The same upload key was used for a different document."""

    message_key = "portal.idempotency_conflict"
    problem_code = "idempotency-conflict"


class PortalUnavailableError(PortalError):
    """The portal is unavailable or failed; try again later."""

    retriable = True
    message_key = "portal.unavailable"
    problem_code = "unavailable"

    def __init__(
        self,
        detail: str = "",
        *,
        status: int | None = None,
        retry_after: float | None = None,
        **context: object,
    ) -> None:
        super().__init__(detail, status=status, **context)
        self.retry_after = retry_after


class PortalInternalError(PortalUnavailableError):
    """The portal failed with an internal error; try again later."""

    message_key = "portal.internal_error"
    problem_code = "internal-error"


class PortalTimeoutError(PortalError):
    """The portal did not answer in time."""

    retriable = True
    message_key = "portal.timeout"


class PortalConnectionError(PortalError):
    """The portal cannot be reached."""

    retriable = True
    message_key = "portal.connection"


class TlsError(PortalError):
    """The portal's certificate is not trusted; the connection was refused."""

    message_key = "portal.tls"


class PortalProtocolError(PortalError):
    """The portal answered something the API does not allow."""

    message_key = "portal.protocol"


class InsecureTransportError(PortalError):
    """Plain HTTP is allowed only to this computer, in demo mode."""

    message_key = "portal.insecure"


class UntrustedPortalError(PortalError):
    """The portal's address is not on the trusted list."""

    message_key = "portal.untrusted"


class ContractReason(StrEnum):
    """Why a contract file was refused: stable values the UI turns into words."""

    #: The file could not be read from disk.
    UNREADABLE = "unreadable"
    #: Larger than the size limit (64 KiB).
    TOO_LARGE = "too_large"
    #: Not UTF-8, not JSON, or not a JSON object.
    NOT_JSON = "not_json"
    #: A member name occurs twice in one object.
    DUPLICATE_KEY = "duplicate_key"
    #: A member the format does not define.
    UNKNOWN_FIELD = "unknown_field"
    #: A required member is missing.
    MISSING_FIELD = "missing_field"
    #: A member has the wrong type or an invalid value.
    BAD_FIELD = "bad_field"
    #: ``format`` is not ``hizmet-aktivasyon-sozlesmesi``.
    UNSUPPORTED_FORMAT = "unsupported_format"
    #: ``version`` is a version this program does not read.
    UNSUPPORTED_VERSION = "unsupported_version"
    #: The portal URL is plain HTTP (allowed only for loopback in demo mode).
    INSECURE_URL = "insecure_url"
    #: The portal host is not on the trusted list.
    UNTRUSTED_HOST = "untrusted_host"
    #: The portal host is this computer, and demo mode is off.
    LOOPBACK_NOT_ALLOWED = "loopback_not_allowed"
    #: The contract's expiry time has passed.
    EXPIRED = "expired"
    #: Issued in the future (beyond the allowed clock skew).
    NOT_YET_VALID = "not_yet_valid"
    #: The contract names no service.
    NO_SERVICES = "no_services"
    #: A service is named twice.
    DUPLICATE_SERVICE = "duplicate_service"
    #: The contract is for another company than the one logged in.
    OTHER_COMPANY = "other_company"
    #: An activation on the portal is not named in the contract file.
    NOT_IN_CONTRACT = "not_in_contract"


class ContractError(PortalError):
    """The contract file (*.aktivasyon) cannot be used."""

    message_key = "portal.contract"

    def __init__(
        self,
        detail: str = "",
        *,
        reason: ContractReason | str = ContractReason.BAD_FIELD,
        status: int | None = None,
        **context: object,
    ) -> None:
        reason_text = str(reason)
        super().__init__(detail, status=status, reason=reason_text, **context)
        #: One of :class:`ContractReason`'s values.
        self.reason = reason_text


class UntrustedContractHostError(UntrustedPortalError, ContractError):
    """The contract file names a portal whose host is not on the trusted list."""

    message_key = "portal.untrusted"

    def __init__(
        self,
        detail: str = "",
        *,
        host: str,
        reason: ContractReason | str = ContractReason.UNTRUSTED_HOST,
        **context: Any,
    ) -> None:
        ContractError.__init__(self, detail, reason=reason, host=host, **context)
        #: The host (and port, when not the default) the contract named.
        self.host = host


class CredentialStoreError(PortalError):
    """The operating system's password store could not be used."""

    message_key = "portal.credential_store"


def _problem_table() -> Mapping[str, type[PortalError]]:
    table: dict[str, type[PortalError]] = {}
    pending: list[type[PortalError]] = [PortalError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        code = cls.__dict__.get("problem_code")
        if code is not None:
            if code in table and table[code] is not cls:
                raise RuntimeError(f"two error classes for problem code {code!r}")
            table[code] = cls
    return MappingProxyType(table)


#: The API's problem ``code`` → the error class that stands for it.
PROBLEM_ERRORS: Final[Mapping[str, type[PortalError]]] = _problem_table()
