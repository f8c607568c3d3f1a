"""GİB's user-account services as data: sender alias, UserOptionCode and alias rules.

Every service an integrator can open an account for has a fixed sender alias
(the ``sh:Sender/sh:Identifier`` of the ``USERENVELOPE``) and a block of
``UserOptionCode`` values that say whether the customer is a public body
(KAMU) or private (ÖZEL) and whether it falls under VUK 507. The table
follows OEK §5.1–5.2 and the current official schematron (rules up to
2026-03-12); :mod:`signer_app.envelope.rules` enforces it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

__all__ = [
    "ALIAS_MAX_LENGTH",
    "ALIAS_PATTERN",
    "GIB_ALIAS",
    "GIB_VKN",
    "RESERVED_ALIASES",
    "SERVICES",
    "USER_ENVELOPE_ALIASES",
    "CustomerType",
    "Sector",
    "Service",
    "service_for_alias",
    "service_for_option_code",
]

#: GİB's own VKN: the only receiver a ``USERENVELOPE`` may have.
GIB_VKN: Final = "3900383669"
#: GİB's alias: the only receiver alias a ``USERENVELOPE`` may have.
GIB_ALIAS: Final = "GIB"

#: The schematron's ``UserEnvelopeAliases``, in its order.
USER_ENVELOPE_ALIASES: Final[tuple[str, ...]] = (
    "usergb",
    "archive",
    "earchive",
    "archive_earchive",
    "eticket",
    "edespatch",
    "archive_edespatch",
    "esevoucher",
    "epreceipt",
    "esevoucher_archive",
    "epreceipt_archive",
    "erevenue",
    "echeck",
    "eexchangecert",
    "ebreceipt",
    "einsurancecomm",
)

#: The schematron's ``ReservedAliases``: never valid as a customer's alias.
#: ``archive_edespatch`` is absent in GİB's list, so it is absent here too.
RESERVED_ALIASES: Final[tuple[str, ...]] = (
    "usergb",
    "GIB",
    "archive",
    "earchive",
    "archive_earchive",
    "eticket",
    "edespatch",
    "esevoucher",
    "epreceipt",
    "esevoucher_archive",
    "epreceipt_archive",
    "erevenue",
    "echeck",
    "eexchangecert",
    "ebreceipt",
    "einsurancecomm",
)

#: A customer's alias (``WorkScopeCode``) must match this as a whole.
ALIAS_PATTERN: Final = re.compile(
    r"\Aurn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:([A-Za-z0-9()+,\-.:=@;$_!*]|%[0-9A-Fa-f]{2})+\Z"
)
#: Longest alias GİB accepts, in characters.
ALIAS_MAX_LENGTH: Final = 250


class Sector(enum.Enum):
    """Whether the customer is a public body or a private taxpayer."""

    PUBLIC = "KAMU"
    PRIVATE = "ÖZEL"


@dataclass(frozen=True)
class CustomerType:
    """What one ``UserOptionCode`` says about the customer.

    :ivar sector: public (KAMU) or private (ÖZEL).
    :ivar vuk507: the customer falls under VUK 507, so GİB does not require
        its own seal (the counter-signature) on the document.
    """

    sector: Sector
    vuk507: bool = False

    @property
    def name_tr(self) -> str:
        """The customer type as GİB's guides write it, e.g. ``VUK 507 ÖZEL``."""
        return f"VUK 507 {self.sector.value}" if self.vuk507 else self.sector.value

    @property
    def name_en(self) -> str:
        """The customer type in English, e.g. ``private (VUK 507)``."""
        base = "public" if self.sector is Sector.PUBLIC else "private"
        return f"{base} (VUK 507)" if self.vuk507 else base


_KAMU: Final = CustomerType(Sector.PUBLIC)
_OZEL: Final = CustomerType(Sector.PRIVATE)
_KAMU_507: Final = CustomerType(Sector.PUBLIC, vuk507=True)
_OZEL_507: Final = CustomerType(Sector.PRIVATE, vuk507=True)


def _four(base: int) -> Mapping[int, CustomerType]:
    # Services with VUK 507 variants number them base+1 … base+4 in this order.
    return MappingProxyType(
        {base + 1: _KAMU, base + 2: _OZEL, base + 3: _KAMU_507, base + 4: _OZEL_507}
    )


def _two(*bases: int) -> Mapping[int, CustomerType]:
    codes: dict[int, CustomerType] = {}
    for base in bases:
        codes[base + 1] = _KAMU
        codes[base + 2] = _OZEL
    return MappingProxyType(codes)


@dataclass(frozen=True)
class Service:
    """One service an integrator can open a customer account for.

    :ivar id: our stable identifier, e.g. ``efatura``.
    :ivar name_tr: the service's Turkish name, e.g. ``e-Fatura``.
    :ivar name_en: the service's English name.
    :ivar sender_alias: the envelope sender alias GİB expects for it.
    :ivar option_codes: every ``UserOptionCode`` of the service and the customer
        type it denotes.
    :ivar role_required_codes: codes for which each ``UserAccount`` must carry
        ``UserRole`` and ``AuthorizedWorkScope``.
    :ivar role_forbidden: ``UserRole`` must not appear.
    :ivar work_scope_forbidden: ``AuthorizedWorkScope`` (the alias) must not appear.
    :ivar single_account: the document must hold exactly one ``UserAccount``.
    """

    id: str
    name_tr: str
    name_en: str
    sender_alias: str
    # Left out of eq/hash (a mapping is unhashable); ``id`` already tells services apart.
    option_codes: Mapping[int, CustomerType] = field(repr=False, compare=False)
    role_required_codes: frozenset[int] = frozenset()
    role_forbidden: bool = False
    work_scope_forbidden: bool = False
    single_account: bool = False

    def customer_type(self, code: int) -> CustomerType | None:
        """The customer type ``code`` denotes, or ``None`` if it is not this service's."""
        return self.option_codes.get(code)


SERVICES: Final[tuple[Service, ...]] = (
    Service(
        "efatura",
        "e-Fatura",
        "e-Invoice",
        "usergb",
        _four(0),
        role_required_codes=frozenset({1, 2}),
    ),
    Service(
        "fatura_saklama",
        "Fatura Saklama",
        "Invoice archiving",
        "archive",
        _four(10),
        role_forbidden=True,
        work_scope_forbidden=True,
        single_account=True,
    ),
    Service(
        "earsiv",
        "e-Arşiv",
        "e-Archive invoice",
        "earchive",
        _four(20),
        role_forbidden=True,
        work_scope_forbidden=True,
    ),
    Service(
        "earsiv_saklama",
        "e-Arşiv Saklama",
        "e-Archive invoice archiving",
        "archive_earchive",
        _four(30),
        role_forbidden=True,
        work_scope_forbidden=True,
    ),
    Service(
        "ebilet",
        "e-Bilet",
        "e-Ticket",
        "eticket",
        _four(40),
        role_forbidden=True,
        work_scope_forbidden=True,
    ),
    Service(
        "eirsaliye",
        "e-İrsaliye",
        "e-Despatch advice",
        "edespatch",
        _four(50),
        role_required_codes=frozenset({51, 52}),
    ),
    Service(
        "eirsaliye_arsiv",
        "e-İrsaliye Arşiv",
        "e-Despatch advice archiving",
        "archive_edespatch",
        _four(60),
    ),
    Service(
        "esmm",
        "e-Serbest Meslek Makbuzu",
        "e-Self-employment receipt",
        "esevoucher",
        _four(70),
        work_scope_forbidden=True,
    ),
    Service(
        "emm",
        "e-Müstahsil Makbuzu",
        "e-Producer receipt",
        "epreceipt",
        _four(80),
        work_scope_forbidden=True,
    ),
    Service(
        "esmm_arsiv",
        "e-SMM Arşiv",
        "e-Self-employment receipt archiving",
        "esevoucher_archive",
        _four(90),
        work_scope_forbidden=True,
    ),
    Service(
        "emm_arsiv",
        "e-Müstahsil Arşiv",
        "e-Producer receipt archiving",
        "epreceipt_archive",
        _four(100),
        work_scope_forbidden=True,
    ),
    Service(
        "emali_rapor",
        "e-Mali Rapor",
        "e-Financial report (cash registers)",
        "erevenue",
        # 111/112 for the old cash registers, 121/122 for the new ones.
        _two(110, 120),
        work_scope_forbidden=True,
    ),
    Service(
        "edekont",
        "e-Dekont",
        "e-Bank receipt",
        "ebreceipt",
        _two(130),
        work_scope_forbidden=True,
    ),
    Service(
        "edoviz",
        "e-Döviz",
        "e-Foreign exchange certificate",
        "eexchangecert",
        _two(140),
        work_scope_forbidden=True,
    ),
    Service(
        "eadisyon",
        "e-Adisyon",
        "e-Restaurant bill",
        "echeck",
        _two(150),
        work_scope_forbidden=True,
    ),
    Service(
        "esigorta_komisyon",
        "e-Sigorta Komisyon Gider Belgesi",
        "e-Insurance commission expense document",
        "einsurancecomm",
        _two(160),
    ),
)

_BY_ALIAS: Final[Mapping[str, Service]] = MappingProxyType(
    {service.sender_alias: service for service in SERVICES}
)
_BY_CODE: Final[Mapping[int, Service]] = MappingProxyType(
    {code: service for service in SERVICES for code in service.option_codes}
)


def service_for_alias(alias: str) -> Service | None:
    """The service whose envelope sender alias is ``alias`` (exact, case-sensitive)."""
    return _BY_ALIAS.get(alias)


def service_for_option_code(code: int) -> Service | None:
    """The service a ``UserOptionCode`` belongs to, or ``None`` if none does."""
    return _BY_CODE.get(code)
