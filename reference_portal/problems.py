"""Errors as the API writes them: ``application/problem+json`` (RFC 9457) with a stable code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from starlette.responses import JSONResponse

__all__ = ["PROBLEM_MEDIA_TYPE", "TITLES", "Problem", "problem_response"]

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"

#: A short English title per problem code of the API (and the portal's own pages).
TITLES: Final[dict[str, str]] = {
    "invalid-request": "The request is not valid",
    "invalid-credentials": "Wrong VKN/TCKN or web-service password",
    "account-locked": "The account is locked after too many wrong passwords",
    "unauthorized": "Log in first; the session is missing, ended or expired",
    "not-found": "No such resource",
    "not-awaiting-signature": "The activation does not wait for the customer's signature",
    "document-not-ready": "The document is not ready yet",
    "unsupported-media-type": "Unsupported content type",
    "payload-too-large": "The request body is too large",
    "invalid-document": "The document is not acceptable",
    "wrong-document": "This is not the document issued for this activation",
    "wrong-signer": "The counter-signature is not the company's",
    "already-signed": "Another signed document was already accepted for this activation",
    "idempotency-conflict": "This Idempotency-Key was used for a different request",
    "unavailable": "The portal is unavailable; try again later",
    "internal-error": "The portal failed",
}


class Problem(Exception):  # noqa: N818 - RFC 9457 calls it a problem
    """An error answer; raise it anywhere in a request handler.

    :param status: the HTTP status.
    :param code: the stable machine code (see :data:`TITLES`).
    :param detail: a sentence for people; never a secret.
    :param findings: for document problems, ``{"code", "message", …}`` entries.
    :param headers: extra response headers (``Retry-After``, ``WWW-Authenticate``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str | None = None,
        *,
        findings: Sequence[Mapping[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or code)
        self.status = status
        self.code = code
        self.detail = detail
        self.findings = None if findings is None else [dict(f) for f in findings]
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        """The problem as an HTTP response."""
        return problem_response(
            self.status, self.code, self.detail, findings=self.findings, headers=self.headers
        )


def problem_response(
    status: int,
    code: str,
    detail: str | None = None,
    *,
    findings: Sequence[Mapping[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Write a problem document."""
    body: dict[str, object] = {
        "type": f"urn:hizmet-aktivasyon:problem:{code}",
        "title": TITLES.get(code, code),
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if findings is not None:
        body["findings"] = [dict(finding) for finding in findings]
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)
