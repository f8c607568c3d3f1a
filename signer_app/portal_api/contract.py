"""The contract file (``*.aktivasyon``): what the customer downloads from the portal.

The portal writes one contract file when the user has picked the services
to open or close; double-clicking it starts the client, which takes the
portal's address and the expected company from it. It is untrusted input
downloaded from the web, so it is read strictly and its portal must be on
the machine's trusted list.

Format, version 1
=================

A UTF-8 JSON object of at most 64 KiB (a leading byte order mark is
tolerated). Member names are unique; no member other than those below may
appear, at any level; all are required (``opening.at`` may be ``null`` or
left out for an immediate opening)::

    {
      "format": "hizmet-aktivasyon-sozlesmesi",
      "version": 1,
      "portal_url": "https://portal.example.com.tr/api/v1/",
      "contract_id": "0b6f1c9e-6a43-4c43-9a55-3f0d8b1b2c11",
      "company": {"id": "1234567808", "title": "Örnek Ticaret A.Ş."},
      "services": [
        {"service": "efatura", "name": "e-Fatura", "operation": "open",
         "opening": {"mode": "immediate", "at": null}},
        {"service": "earsiv", "name": "e-Arşiv Fatura", "operation": "open",
         "opening": {"mode": "scheduled", "at": "2026-02-01T00:00:00+03:00"}}
      ],
      "issued_at": "2026-01-20T10:00:00Z",
      "expires_at": "2026-01-27T10:00:00Z"
    }

``format``
    Always ``"hizmet-aktivasyon-sozlesmesi"``.
``version``
    The integer ``1``. A file of another version is refused
    (``unsupported_version``): a newer format needs a newer client.
``portal_url``
    The portal API's address: ``https://``, a host name (ASCII; IDNs in
    punycode) or IP literal, an optional port, a path ending with
    ``/api/v1/`` (the final slash may be left out), no user name, password,
    query or fragment, at most 2048 characters. The host must be on the
    machine's trusted list (setting ``portal.trusted_hosts``: ``host``,
    ``host:port``, ``*.domain``, ``*.domain:port``; see
    :func:`signer_app.portal_api._hosts.is_trusted_host`). A loopback host
    (``localhost``, 127.0.0.0/8, ``::1``) is accepted only in demo mode,
    and only there may the scheme be ``http://``.
``contract_id``
    The portal's id of the contract: 1 to 128 of ``A-Z a-z 0-9 . _ : -``
    (a UUID, typically).
``company.id``
    The company's VKN (10 digits) or, for a sole proprietor, TCKN (11 digits).
``company.title``
    The company's title, as shown to the user (1 to 256 characters, no
    control or bidirectional-override characters).
``services``
    1 to 16 entries, each service at most once:

    ``service``
        One of the API's service ids: ``efatura``, ``fatura_saklama``,
        ``earsiv``, ``earsiv_saklama``, ``ebilet``, ``eirsaliye``,
        ``eirsaliye_arsiv``, ``esmm``, ``emm``, ``esmm_arsiv``,
        ``emm_arsiv``, ``emali_rapor``, ``edekont``, ``edoviz``,
        ``eadisyon``, ``esigorta_komisyon``.
    ``name``
        Its Turkish name as the portal shows it (1 to 128 characters).
    ``operation``
        ``"open"`` or ``"close"``.
    ``opening``
        ``{"mode": "immediate", "at": null}`` or
        ``{"mode": "scheduled", "at": "<date-time>"}``.
``issued_at``, ``expires_at``
    RFC 3339 date-times with an explicit offset (``Z`` or ``±hh:mm``);
    ``expires_at`` is later than ``issued_at``. The client refuses the file
    after ``expires_at`` (``expired``) and when ``issued_at`` is more than
    :data:`MAX_CLOCK_SKEW` in the future (``not_yet_valid``).

Every refusal is a :class:`~signer_app.portal_api.errors.ContractError`
whose ``reason`` is a :class:`~signer_app.portal_api.errors.ContractReason`
value; an untrusted or loopback host raises its subclass
:class:`~signer_app.portal_api.errors.UntrustedContractHostError`, which is
also an :class:`~signer_app.portal_api.errors.UntrustedPortalError` and
names the host. ``error.context["field"]`` names the offending member
(``services[1].opening.at``) where there is one.

Only ``portal.url`` of the settings can come from a contract file (see
:data:`signer_app.config.CONTRACT_KEYS` and :meth:`Contract.settings`).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from signer_app.portal_api import _wire
from signer_app.portal_api._hosts import host_label, is_loopback_host, is_trusted_host
from signer_app.portal_api.errors import ContractError, ContractReason, UntrustedContractHostError
from signer_app.portal_api.models import OPERATIONS, SERVICE_IDS, Company, Opening

__all__ = [
    "CONTRACT_FORMAT",
    "CONTRACT_SUFFIX",
    "CONTRACT_VERSION",
    "MAX_CLOCK_SKEW",
    "MAX_CONTRACT_SIZE",
    "Contract",
    "ContractService",
    "dump_contract",
    "load_contract",
    "load_contract_file",
]

#: The ``format`` member of every contract file.
CONTRACT_FORMAT: Final = "hizmet-aktivasyon-sozlesmesi"
#: The version this client reads and writes.
CONTRACT_VERSION: Final = 1
#: The file name suffix.
CONTRACT_SUFFIX: Final = ".aktivasyon"
#: The largest contract file read, in bytes.
MAX_CONTRACT_SIZE: Final = 64 * 1024
#: How far ``issued_at`` may lie in the future (the PC's clock may be behind).
MAX_CLOCK_SKEW: Final = timedelta(minutes=10)

_TOP: Final = (
    "format",
    "version",
    "portal_url",
    "contract_id",
    "company",
    "services",
    "issued_at",
    "expires_at",
)
_CONTRACT_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,128}", re.ASCII)
_DNS_NAME: Final = re.compile(
    r"(?=.{1,253}\.?$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*"
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?",
    re.ASCII,
)
_MAX_URL: Final = 2048


@dataclass(frozen=True)
class ContractService:
    """One service of the contract: what to do with it and when."""

    #: The API's service id, e.g. ``efatura``.
    service: str
    #: Its Turkish name, e.g. ``e-Fatura``.
    name: str
    #: ``open`` or ``close``.
    operation: str
    #: When the portal sends it to GİB.
    opening: Opening


@dataclass(frozen=True)
class Contract:
    """A validated contract file."""

    portal_url: str
    contract_id: str
    company: Company
    services: tuple[ContractService, ...]
    issued_at: datetime
    expires_at: datetime
    version: int = CONTRACT_VERSION

    def matches(self, company_id: str) -> bool:
        """Tell whether the contract is for the company with this VKN/TCKN.

        :param company_id: e.g. the logged-in session's ``company.id``.
        :returns: ``True`` when it is the contract's company.
        """
        return company_id.strip() == self.company.id

    def service(self, service_id: str, operation: str) -> ContractService | None:
        """Return the contract's entry for a service and operation, if any."""
        for entry in self.services:
            if entry.service == service_id and entry.operation == operation:
                return entry
        return None

    @property
    def portal_host(self) -> str:
        """The portal's host (with the port when not the default), for messages."""
        parts = urlsplit(self.portal_url)
        return host_label(parts.hostname or "", parts.port, parts.scheme)

    def settings(self) -> Mapping[str, object]:
        """The settings the contract layer gives :func:`signer_app.config.load_settings`."""
        return {"portal.url": self.portal_url}


def _error(exc: _wire.WireError) -> ContractError:
    return ContractError(f"contract file: {exc}", reason=exc.kind, field=exc.path or None)


def _bad(
    path: str, message: str, reason: ContractReason = ContractReason.BAD_FIELD
) -> ContractError:
    return ContractError(f"contract file: {path}: {message}", reason=reason, field=path)


def _check_url(
    obj: dict[str, object], trusted_hosts: Sequence[str], *, allow_loopback: bool
) -> str:
    url = _wire.get_text(obj, "portal_url", "", max_length=_MAX_URL)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _bad("portal_url", "is not a valid URL") from None
    scheme = parts.scheme
    host = parts.hostname or ""
    if scheme not in ("https", "http") or not host or url != url.strip():
        raise _bad("portal_url", "must be an https:// URL with a host name")
    if parts.username is not None or parts.password is not None:
        raise _bad("portal_url", "must not contain a user name or password")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise _bad("portal_url", "must not have a query or fragment")
    if not parts.path.rstrip("/").endswith("/api/v1"):
        raise _bad("portal_url", "must end with /api/v1/")
    if not host.isascii():
        raise _bad("portal_url", "the host name must be ASCII (punycode for IDNs)")
    loopback = is_loopback_host(host)
    if not loopback and not _DNS_NAME.fullmatch(host) and not _is_ip_literal(host):
        raise _bad("portal_url", "the host is not a valid host name")
    label = host_label(host, port, scheme)
    if scheme == "http" and not (loopback and allow_loopback):
        raise ContractError(
            f"contract file: the portal URL uses plain HTTP ({label}); only https:// is "
            "accepted (HTTP only to this computer, in demo mode)",
            reason=ContractReason.INSECURE_URL,
            field="portal_url",
            host=label,
        )
    if loopback:
        if not allow_loopback:
            raise UntrustedContractHostError(
                f"contract file: the portal {label} is this computer; "
                "that is allowed only in demo mode",
                host=label,
                reason=ContractReason.LOOPBACK_NOT_ALLOWED,
                field="portal_url",
            )
    elif not is_trusted_host(host, port, scheme, trusted_hosts):
        raise UntrustedContractHostError(
            f"contract file: the portal {label} is not on this computer's list of trusted portals",
            host=label,
            field="portal_url",
        )
    return url if url.endswith("/") else url + "/"


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _read_service(value: object, path: str) -> ContractService:
    obj = _wire.expect_object(value, path)
    _wire.check_members(obj, path, ("service", "name", "operation", "opening"))
    opening = _wire.parse_opening(obj["opening"], f"{path}.opening")
    if opening.mode == "immediate" and opening.at is not None:
        raise _wire.WireError(f"{path}.opening.at", "must be null for an immediate opening")
    if opening.mode == "scheduled" and opening.at is None:
        raise _wire.WireError(
            f"{path}.opening.at", "is required for a scheduled opening", kind="missing_field"
        )
    return ContractService(
        service=_wire.get_enum(obj, "service", path, SERVICE_IDS),
        name=_wire.get_text(obj, "name", path, max_length=128),
        operation=_wire.get_enum(obj, "operation", path, OPERATIONS),
        opening=opening,
    )


def _read(
    data: bytes, trusted_hosts: Sequence[str], allow_loopback: bool, now: datetime
) -> Contract:
    obj = _wire.loads_object(data, allow_bom=True)
    _wire.check_members(obj, "", _TOP)
    form = obj["format"]
    if form != CONTRACT_FORMAT:
        raise _bad("format", f"is not {CONTRACT_FORMAT!r}", ContractReason.UNSUPPORTED_FORMAT)
    version = _wire.get_int(obj, "version", "")
    if version != CONTRACT_VERSION:
        raise _bad(
            "version",
            f"{version} is not supported (this program reads version {CONTRACT_VERSION})",
            ContractReason.UNSUPPORTED_VERSION,
        )
    contract_id = _wire.get_text(obj, "contract_id", "", pattern=_CONTRACT_ID)
    company_obj = _wire.get_object(obj, "company", "")
    _wire.check_members(company_obj, "company", ("id", "title"))
    company = Company(
        id=_wire.get_text(company_obj, "id", "company", pattern=_wire.TAX_ID),
        title=_wire.get_text(company_obj, "title", "company", max_length=256),
    )
    items = _wire.get_array(obj, "services", "", max_items=len(SERVICE_IDS))
    if not items:
        raise _bad("services", "names no service", ContractReason.NO_SERVICES)
    services = tuple(_read_service(item, f"services[{i}]") for i, item in enumerate(items))
    seen: set[str] = set()
    for index, entry in enumerate(services):
        if entry.service in seen:
            raise _bad(
                f"services[{index}].service",
                f"{entry.service} is named twice",
                ContractReason.DUPLICATE_SERVICE,
            )
        seen.add(entry.service)
    issued_at = _wire.get_datetime(obj, "issued_at", "")
    expires_at = _wire.get_datetime(obj, "expires_at", "")
    assert issued_at is not None and expires_at is not None
    if expires_at <= issued_at:
        raise _bad("expires_at", "is not after issued_at")
    # The URL last: a contract that is broken anyway is reported as such
    # first, not as an untrusted portal.
    portal_url = _check_url(obj, trusted_hosts, allow_loopback=allow_loopback)
    if now > expires_at:
        raise ContractError(
            f"contract file: expired at {expires_at.isoformat()}; download a new one "
            "from the portal",
            reason=ContractReason.EXPIRED,
            field="expires_at",
            expires_at=expires_at.isoformat(),
        )
    if issued_at > now + MAX_CLOCK_SKEW:
        raise ContractError(
            f"contract file: issued in the future ({issued_at.isoformat()}); "
            "check this computer's date and time",
            reason=ContractReason.NOT_YET_VALID,
            field="issued_at",
            issued_at=issued_at.isoformat(),
        )
    return Contract(
        portal_url=portal_url,
        contract_id=contract_id,
        company=company,
        services=services,
        issued_at=issued_at,
        expires_at=expires_at,
        version=version,
    )


def load_contract(
    data: bytes,
    *,
    trusted_hosts: Sequence[str],
    allow_loopback: bool = False,
    now: datetime | None = None,
) -> Contract:
    """Read and validate a contract file.

    :param data: the file's bytes.
    :param trusted_hosts: the ``portal.trusted_hosts`` setting.
    :param allow_loopback: demo/development mode: accept a portal on this
        computer (also over plain HTTP).
    :param now: the current time (timezone-aware); the system clock when ``None``.
    :returns: the contract.
    :raises UntrustedContractHostError: the portal host is not trusted, or is
        loopback outside demo mode.
    :raises ContractError: anything else is wrong; see ``reason``.
    """
    if len(data) > MAX_CONTRACT_SIZE:
        raise ContractError(
            f"contract file: larger than {MAX_CONTRACT_SIZE // 1024} KiB",
            reason=ContractReason.TOO_LARGE,
            size=len(data),
        )
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        return _read(data, trusted_hosts, allow_loopback, moment)
    except _wire.WireError as exc:
        raise _error(exc) from None


def load_contract_file(
    path: Path,
    *,
    trusted_hosts: Sequence[str],
    allow_loopback: bool = False,
    now: datetime | None = None,
) -> Contract:
    """Read a contract file from disk (at most :data:`MAX_CONTRACT_SIZE` bytes are read).

    :raises ContractError: the file cannot be read (``unreadable``), or see
        :func:`load_contract`.
    """
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_CONTRACT_SIZE + 1)
    except OSError as exc:
        raise ContractError(
            f"cannot read the contract file {path}: {exc.strerror or exc}",
            reason=ContractReason.UNREADABLE,
            path=str(path),
        ) from None
    return load_contract(data, trusted_hosts=trusted_hosts, allow_loopback=allow_loopback, now=now)


def _time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("contract times must be timezone-aware")
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def dump_contract(contract: Contract) -> bytes:
    """Write a contract file (for the demo and tests); :func:`load_contract` reads it back.

    :param contract: the contract; its times must be timezone-aware.
    :returns: indented UTF-8 JSON ending with a newline.
    :raises ValueError: a time is naive.
    """
    document = {
        "format": CONTRACT_FORMAT,
        "version": contract.version,
        "portal_url": contract.portal_url,
        "contract_id": contract.contract_id,
        "company": {"id": contract.company.id, "title": contract.company.title},
        "services": [
            {
                "service": entry.service,
                "name": entry.name,
                "operation": entry.operation,
                "opening": {
                    "mode": entry.opening.mode,
                    "at": None if entry.opening.at is None else _time(entry.opening.at),
                },
            }
            for entry in contract.services
        ],
        "issued_at": _time(contract.issued_at),
        "expires_at": _time(contract.expires_at),
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
