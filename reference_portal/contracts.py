"""The contract file (``*.aktivasyon``) the customer downloads and opens with the client.

A small UTF-8 JSON object (docs/reference-portal.md describes it field by field)::

    {
      "format": "hizmet-aktivasyon-sozlesmesi",
      "version": 1,
      "portal_url": "https://portal.example/api/v1/",
      "contract_id": "…uuid…",
      "company": {"id": "1234567808", "title": "…"},
      "services": [
        {"service": "efatura", "name": "e-Fatura", "operation": "open",
         "opening": {"mode": "immediate", "at": null}},
        {"service": "earsiv_saklama", "name": "e-Arşiv Saklama", "operation": "open",
         "opening": {"mode": "scheduled", "at": "2026-01-02T03:04:05Z"}}
      ],
      "issued_at": "2026-01-01T10:00:00Z",
      "expires_at": "2026-01-08T10:00:00Z"
    }
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from reference_portal.clock import to_api
from reference_portal.documents import service_by_id
from reference_portal.model import Opening, Operation

__all__ = [
    "CONTRACT_FORMAT",
    "CONTRACT_LIFETIME",
    "CONTRACT_MEDIA_TYPE",
    "CONTRACT_SUFFIX",
    "CONTRACT_VERSION",
    "build_contract",
]

#: The ``format`` field of every contract file.
CONTRACT_FORMAT: Final = "hizmet-aktivasyon-sozlesmesi"
#: The ``version`` field this portal writes.
CONTRACT_VERSION: Final = 1
#: The file name suffix the client is registered for.
CONTRACT_SUFFIX: Final = ".aktivasyon"
#: The media type the portal serves contract files with.
CONTRACT_MEDIA_TYPE: Final = "application/vnd.hizmet-aktivasyon+json"
#: How long a contract file can be used after it was issued.
CONTRACT_LIFETIME: Final = timedelta(days=7)


def build_contract(
    *,
    portal_url: str,
    contract_id: str,
    company_id: str,
    company_title: str,
    services: Sequence[tuple[str, Operation, Opening]],
    issued_at: datetime,
    expires_at: datetime,
) -> bytes:
    """Write a contract file.

    :param portal_url: the API's base URL; must end with ``/api/v1/``.
    :param contract_id: the contract's id (a UUID).
    :param company_id: the company's VKN/TCKN.
    :param company_title: the company's title.
    :param services: ``(service id, operation, opening)`` per service, in order.
    :param issued_at: when the portal issued it (timezone-aware).
    :param expires_at: after when the client refuses it (timezone-aware).
    :returns: UTF-8 JSON, indented, ending with a newline.
    :raises ValueError: a URL without ``/api/v1/``, no services, or expiry
        not after issue.
    :raises KeyError: an unknown service.
    """
    if not portal_url.endswith("/api/v1/"):
        raise ValueError("portal_url must end with /api/v1/")
    if not services:
        raise ValueError("a contract names at least one service")
    if expires_at <= issued_at:
        raise ValueError("expires_at must be after issued_at")
    content = {
        "format": CONTRACT_FORMAT,
        "version": CONTRACT_VERSION,
        "portal_url": portal_url,
        "contract_id": contract_id,
        "company": {"id": company_id, "title": company_title},
        "services": [
            {
                "service": service_id,
                "name": service_by_id(service_id).name_tr,
                "operation": operation,
                "opening": {
                    "mode": opening.mode,
                    "at": None if opening.at is None else to_api(opening.at),
                },
            }
            for service_id, operation, opening in services
        ],
        "issued_at": to_api(issued_at),
        "expires_at": to_api(expires_at),
    }
    return (json.dumps(content, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
