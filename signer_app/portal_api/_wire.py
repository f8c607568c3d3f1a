"""Strict reading of JSON from the portal and from contract files.

Both the API answers and the contract file are untrusted input, so both are
read the same strict way: UTF-8 only, no duplicate member names, no ``NaN``
or ``Infinity``, every object checked for missing and unknown members, every
value for its type and pattern, every time for an explicit UTC offset.

Problems are raised as :class:`WireError`, which names the member by its
path (``items[2].status.updated_at``) and a stable :attr:`WireError.kind`;
the client turns them into ``PortalProtocolError`` and the contract reader
into ``ContractError``. Messages never quote a value that may be a secret:
free text is never echoed, only enum values and short ids.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Final, cast

from signer_app.portal_api.models import (
    OPENING_MODES,
    OPERATIONS,
    SERVICE_IDS,
    Activation,
    ActivationList,
    Company,
    GibAnswer,
    Opening,
    PortalSession,
    PortalStatus,
    Service,
    Status,
    UploadResult,
)

__all__ = [
    "ACTIVATION_ID",
    "SHA256_HEX",
    "TAX_ID",
    "Problem",
    "WireError",
    "check_members",
    "expect_object",
    "get_array",
    "get_bool",
    "get_datetime",
    "get_enum",
    "get_int",
    "get_object",
    "get_text",
    "loads_object",
    "parse_activation",
    "parse_activation_list",
    "parse_company",
    "parse_datetime",
    "parse_opening",
    "parse_problem",
    "parse_session",
    "parse_status",
    "parse_upload_result",
]

#: A VKN (10 digits) or TCKN (11 digits), ASCII digits only.
TAX_ID: Final = re.compile(r"[0-9]{10,11}", re.ASCII)
#: The API's ``activationId`` path parameter.
ACTIVATION_ID: Final = re.compile(r"[A-Za-z0-9-]{1,64}", re.ASCII)
#: A SHA-256 digest in hex.
SHA256_HEX: Final = re.compile(r"[0-9a-fA-F]{64}", re.ASCII)
# A bearer token (RFC 6750 b64token): it goes into a header as it is.
_TOKEN: Final = re.compile(r"[A-Za-z0-9._~+/-]+=*", re.ASCII)

# RFC 3339 date-time with a mandatory offset; fractions beyond microseconds
# (Java, .NET) are cut to six digits, as datetime cannot hold more.
_DATE_TIME: Final = re.compile(
    r"(?P<main>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]{1,9}))?"
    r"(?P<offset>Z|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)
# Characters that may make a text look like something else on screen:
# bidirectional overrides and isolates, and invisible marks.
_SPOOFING: Final = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)
#: Longest free text accepted in any member (titles, labels, names).
MAX_TEXT: Final = 1024


class WireError(ValueError):
    """A JSON document does not have the required shape.

    :param path: where, e.g. ``items[0].status``; empty for the whole document.
    :param message: what is wrong, without quoting free text.
    :param kind: ``not_json``, ``duplicate_key``, ``unknown_field``,
        ``missing_field`` or ``bad_field``.
    """

    def __init__(self, path: str, message: str, *, kind: str = "bad_field") -> None:
        self.path = path
        self.kind = kind
        super().__init__(f"{path}: {message}" if path else message)


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _pairs_hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed")


def _short(text: str) -> str:
    """Quote a name for a message, cut to a harmless length."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def loads_object(data: bytes, *, allow_bom: bool = False) -> dict[str, object]:
    """Parse ``data`` as one strict JSON object.

    :param data: the raw bytes.
    :param allow_bom: accept (and skip) a leading UTF-8 byte order mark, as
        Windows editors write one.
    :returns: the object, members in document order.
    :raises WireError: not UTF-8, not JSON, ``NaN``/``Infinity``, too deeply
        nested, a duplicate member name, or not an object.
    """
    if allow_bom and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WireError("", f"not UTF-8 (byte {exc.start})", kind="not_json") from None
    try:
        document = json.loads(text, object_pairs_hook=_pairs_hook, parse_constant=_refuse_constant)
    except _DuplicateKeyError as exc:
        raise WireError(
            "", f"member {_short(exc.key)} occurs twice in one object", kind="duplicate_key"
        ) from None
    except RecursionError:
        raise WireError("", "nested too deeply", kind="not_json") from None
    except ValueError as exc:  # JSONDecodeError is a ValueError
        raise WireError("", f"not JSON ({exc})", kind="not_json") from None
    if not isinstance(document, dict):
        raise WireError("", "not a JSON object", kind="not_json")
    return cast("dict[str, object]", document)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def expect_object(value: object, path: str) -> dict[str, object]:
    """Return ``value`` as an object or raise.

    :raises WireError: it is not a JSON object.
    """
    if not isinstance(value, dict):
        raise WireError(path, "expected an object")
    return cast("dict[str, object]", value)


def check_members(
    obj: dict[str, object],
    path: str,
    required: Collection[str],
    optional: Collection[str] = (),
    *,
    open_ended: bool = False,
) -> None:
    """Check that ``obj`` has every required member and (unless open-ended) no other.

    :raises WireError: a member is missing or unknown.
    """
    for key in required:
        if key not in obj:
            raise WireError(_join(path, key), "is missing", kind="missing_field")
    if not open_ended:
        for key in obj:
            if key not in required and key not in optional:
                raise WireError(_join(path, key), "is not a known member", kind="unknown_field")


def _check_text(text: str, path: str, *, multiline: bool) -> None:
    for char in text:
        category = unicodedata.category(char)
        if (
            char in _SPOOFING
            or category in ("Cs", "Co")
            or (category == "Cc" and not (multiline and char in "\n\t"))
        ):
            raise WireError(path, f"contains the control character U+{ord(char):04X}")


def get_text(
    obj: dict[str, object],
    key: str,
    path: str,
    *,
    pattern: re.Pattern[str] | None = None,
    allow_empty: bool = False,
    max_length: int = MAX_TEXT,
    multiline: bool = False,
) -> str:
    """Return member ``key`` as text.

    :param pattern: the text must match it in full.
    :param allow_empty: accept ``""`` (blank text is refused otherwise).
    :param max_length: the longest text accepted, in characters.
    :param multiline: allow line breaks and tabs.
    :raises WireError: missing, not a string, empty, too long, a control
        character, or not matching ``pattern``.
    """
    where = _join(path, key)
    if key not in obj:
        raise WireError(where, "is missing", kind="missing_field")
    value = obj[key]
    if not isinstance(value, str):
        raise WireError(where, "expected a string")
    if not allow_empty and not value.strip():
        raise WireError(where, "must not be empty")
    if len(value) > max_length:
        raise WireError(where, f"longer than {max_length} characters")
    if pattern is not None:
        if not pattern.fullmatch(value):
            raise WireError(where, "has an invalid form")
    else:
        _check_text(value, where, multiline=multiline)
    return value


def get_enum(obj: dict[str, object], key: str, path: str, allowed: Sequence[str]) -> str:
    """Return member ``key``, which must be one of ``allowed``.

    :raises WireError: missing, not a string, or not allowed.
    """
    where = _join(path, key)
    if key not in obj:
        raise WireError(where, "is missing", kind="missing_field")
    value = obj[key]
    if not isinstance(value, str):
        raise WireError(where, "expected a string")
    if value not in allowed:
        raise WireError(where, f"{_short(value)} is not one of {', '.join(allowed)}")
    return value


def get_int(obj: dict[str, object], key: str, path: str) -> int:
    """Return member ``key`` as an integer (``true``/``false`` and ``1.0`` refused).

    :raises WireError: missing or not an integer.
    """
    where = _join(path, key)
    if key not in obj:
        raise WireError(where, "is missing", kind="missing_field")
    value = obj[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise WireError(where, "expected an integer")
    return value


def get_bool(obj: dict[str, object], key: str, path: str) -> bool:
    """Return member ``key`` as a boolean.

    :raises WireError: missing or not ``true``/``false``.
    """
    where = _join(path, key)
    if key not in obj:
        raise WireError(where, "is missing", kind="missing_field")
    value = obj[key]
    if not isinstance(value, bool):
        raise WireError(where, "expected true or false")
    return value


def get_object(obj: dict[str, object], key: str, path: str) -> dict[str, object]:
    """Return member ``key`` as an object.

    :raises WireError: missing or not an object.
    """
    where = _join(path, key)
    if key not in obj:
        raise WireError(where, "is missing", kind="missing_field")
    return expect_object(obj[key], where)


def get_array(obj: dict[str, object], key: str, path: str, *, max_items: int) -> list[object]:
    """Return member ``key`` as an array of at most ``max_items`` items.

    :raises WireError: missing, not an array, or too long.
    """
    where = _join(path, key)
    if key not in obj:
        raise WireError(where, "is missing", kind="missing_field")
    value = obj[key]
    if not isinstance(value, list):
        raise WireError(where, "expected an array")
    if len(value) > max_items:
        raise WireError(where, f"more than {max_items} items")
    return cast("list[object]", value)


def parse_datetime(value: object, path: str) -> datetime:
    """Read an RFC 3339 date-time with an explicit offset (``Z`` or ``±hh:mm``).

    :returns: a timezone-aware datetime.
    :raises WireError: not a string of that form, or not a real date.
    """
    if not isinstance(value, str):
        raise WireError(path, "expected a date-time string")
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        raise WireError(path, "expected an ISO 8601 date-time with a UTC offset")
    fraction = match["fraction"]
    text = match["main"] + (f".{fraction[:6].ljust(6, '0')}" if fraction else "")
    offset = match["offset"]
    text += "+00:00" if offset == "Z" else offset
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise WireError(path, "is not a valid date and time") from None
    assert moment.tzinfo is not None
    return moment


def get_datetime(
    obj: dict[str, object], key: str, path: str, *, nullable: bool = False
) -> datetime | None:
    """Return member ``key`` as a timezone-aware datetime.

    :param nullable: ``null`` (and a missing member) read as ``None``.
    :raises WireError: missing (when not nullable) or not a valid date-time.
    """
    where = _join(path, key)
    if nullable and obj.get(key) is None:
        return None
    if key not in obj:
        raise WireError(where, "is missing", kind="missing_field")
    return parse_datetime(obj[key], where)


def _required_datetime(obj: dict[str, object], key: str, path: str) -> datetime:
    moment = get_datetime(obj, key, path)
    assert moment is not None
    return moment


# ---------------------------------------------------------------------------
# API models
# ---------------------------------------------------------------------------


def parse_company(value: object, path: str) -> Company:
    """Read a ``Company``."""
    obj = expect_object(value, path)
    check_members(obj, path, ("id", "title"))
    return Company(id=get_text(obj, "id", path, pattern=TAX_ID), title=get_text(obj, "title", path))


def _parse_service(value: object, path: str) -> Service:
    obj = expect_object(value, path)
    check_members(obj, path, ("id", "name"))
    return Service(id=get_enum(obj, "id", path, SERVICE_IDS), name=get_text(obj, "name", path))


def parse_opening(value: object, path: str) -> Opening:
    """Read an ``Opening`` (``at`` may be missing or ``null``)."""
    obj = expect_object(value, path)
    check_members(obj, path, ("mode",), ("at",))
    return Opening(
        mode=get_enum(obj, "mode", path, OPENING_MODES),
        at=get_datetime(obj, "at", path, nullable=True),
    )


def _parse_gib(value: object, path: str) -> GibAnswer | None:
    if value is None:
        return None
    obj = expect_object(value, path)
    check_members(obj, path, ("code", "text"))
    return GibAnswer(code=get_int(obj, "code", path), text=get_text(obj, "text", path))


_STATUS_VALUES: Final = tuple(status.value for status in PortalStatus)


def parse_status(value: object, path: str = "") -> Status:
    """Read a ``Status``; ``final`` must agree with the status.

    :raises WireError: the shape is wrong.
    """
    obj = expect_object(value, path)
    check_members(obj, path, ("status", "label", "final", "updated_at"), ("gib",))
    status = PortalStatus(get_enum(obj, "status", path, _STATUS_VALUES))
    final = get_bool(obj, "final", path)
    if final != status.final:
        raise WireError(_join(path, "final"), f"contradicts the status {status.value}")
    return Status(
        status=status,
        label=get_text(obj, "label", path),
        final=final,
        updated_at=_required_datetime(obj, "updated_at", path),
        gib=_parse_gib(obj.get("gib"), _join(path, "gib")),
    )


def parse_activation(value: object, path: str = "") -> Activation:
    """Read an ``Activation``; the document digest comes back in lower case.

    :raises WireError: the shape is wrong.
    """
    obj = expect_object(value, path)
    check_members(obj, path, ("id", "service", "operation", "opening", "status", "document_sha256"))
    digest_path = _join(path, "document_sha256")
    digest = obj["document_sha256"]
    if digest is not None and not (isinstance(digest, str) and SHA256_HEX.fullmatch(digest)):
        raise WireError(digest_path, "expected a SHA-256 in hex or null")
    return Activation(
        id=get_text(obj, "id", path, pattern=ACTIVATION_ID),
        service=_parse_service(obj["service"], _join(path, "service")),
        operation=get_enum(obj, "operation", path, OPERATIONS),
        opening=parse_opening(obj["opening"], _join(path, "opening")),
        status=parse_status(obj["status"], _join(path, "status")),
        document_sha256=digest.lower() if isinstance(digest, str) else None,
    )


#: The most activations one list may hold (16 services, open and close, many times over).
MAX_ACTIVATIONS: Final = 10_000


def parse_activation_list(value: object) -> ActivationList:
    """Read an ``ActivationList``.

    :raises WireError: the shape is wrong.
    """
    obj = expect_object(value, "")
    check_members(obj, "", ("company", "items"))
    items = get_array(obj, "items", "", max_items=MAX_ACTIVATIONS)
    return ActivationList(
        company=parse_company(obj["company"], "company"),
        items=tuple(parse_activation(item, f"items[{i}]") for i, item in enumerate(items)),
    )


def parse_session(value: object) -> PortalSession:
    """Read a ``Session``.

    :raises WireError: the shape is wrong (the token is never quoted).
    """
    obj = expect_object(value, "")
    check_members(obj, "", ("token", "expires_at", "company"))
    return PortalSession(
        token=get_text(obj, "token", "", pattern=_TOKEN, max_length=4096),
        expires_at=_required_datetime(obj, "expires_at", ""),
        company=parse_company(obj["company"], "company"),
    )


def parse_upload_result(value: object, *, already_accepted: bool) -> UploadResult:
    """Read an ``UploadResult``.

    :param already_accepted: the portal answered 200 (a repeat), not 202.
    :raises WireError: the shape is wrong.
    """
    obj = expect_object(value, "")
    check_members(obj, "", ("reference", "received_at", "activation"))
    return UploadResult(
        reference=get_text(obj, "reference", "", max_length=256),
        received_at=_required_datetime(obj, "received_at", ""),
        activation=parse_activation(obj["activation"], "activation"),
        already_accepted=already_accepted,
    )


class Problem:
    """An ``application/problem+json`` answer (RFC 9457), as far as it could be read."""

    __slots__ = ("code", "detail", "findings", "status", "title")

    def __init__(
        self,
        *,
        code: str,
        title: str,
        status: int,
        detail: str,
        findings: tuple[tuple[str, str], ...],
    ) -> None:
        self.code = code
        self.title = title
        self.status = status
        self.detail = detail
        self.findings = findings


#: The most findings kept from one problem.
MAX_FINDINGS: Final = 200


def parse_problem(value: object) -> Problem:
    """Read a problem document; extension members are allowed (RFC 9457).

    :raises WireError: a required member is missing or has the wrong type.
    """
    obj = expect_object(value, "")
    check_members(obj, "", ("type", "title", "status", "code"), open_ended=True)
    get_text(obj, "type", "", allow_empty=True)
    detail = ""
    if obj.get("detail") is not None:
        detail = get_text(obj, "detail", "", allow_empty=True, max_length=4096, multiline=True)
    findings: list[tuple[str, str]] = []
    if obj.get("findings") is not None:
        for index, item in enumerate(get_array(obj, "findings", "", max_items=MAX_FINDINGS)):
            where = f"findings[{index}]"
            entry = expect_object(item, where)
            check_members(entry, where, ("code", "message"), open_ended=True)
            findings.append(
                (
                    get_text(entry, "code", where, max_length=256),
                    get_text(entry, "message", where, max_length=4096, multiline=True),
                )
            )
    return Problem(
        code=get_text(obj, "code", "", max_length=128),
        title=get_text(obj, "title", "", allow_empty=True),
        status=get_int(obj, "status", ""),
        detail=detail,
        findings=tuple(findings),
    )
