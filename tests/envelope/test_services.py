"""The service table (sender alias ↔ service ↔ UserOptionCode) and the alias rules."""

from __future__ import annotations

import pytest

from signer_app.envelope.services import (
    ALIAS_MAX_LENGTH,
    ALIAS_PATTERN,
    GIB_ALIAS,
    GIB_VKN,
    RESERVED_ALIASES,
    SERVICES,
    USER_ENVELOPE_ALIASES,
    CustomerType,
    Sector,
    service_for_alias,
    service_for_option_code,
)

# alias -> (service id, every UserOptionCode), from GİB's table.
EXPECTED = {
    "usergb": ("efatura", {1, 2, 3, 4}),
    "archive": ("fatura_saklama", {11, 12, 13, 14}),
    "earchive": ("earsiv", {21, 22, 23, 24}),
    "archive_earchive": ("earsiv_saklama", {31, 32, 33, 34}),
    "eticket": ("ebilet", {41, 42, 43, 44}),
    "edespatch": ("eirsaliye", {51, 52, 53, 54}),
    "archive_edespatch": ("eirsaliye_arsiv", {61, 62, 63, 64}),
    "esevoucher": ("esmm", {71, 72, 73, 74}),
    "epreceipt": ("emm", {81, 82, 83, 84}),
    "esevoucher_archive": ("esmm_arsiv", {91, 92, 93, 94}),
    "epreceipt_archive": ("emm_arsiv", {101, 102, 103, 104}),
    "erevenue": ("emali_rapor", {111, 112, 121, 122}),
    "ebreceipt": ("edekont", {131, 132}),
    "eexchangecert": ("edoviz", {141, 142}),
    "echeck": ("eadisyon", {151, 152}),
    "einsurancecomm": ("esigorta_komisyon", {161, 162}),
}


def test_sixteen_services_one_per_user_envelope_alias() -> None:
    assert len(SERVICES) == 16
    assert len({s.id for s in SERVICES}) == 16
    assert [s.sender_alias for s in SERVICES] == list(EXPECTED)
    assert set(USER_ENVELOPE_ALIASES) == set(EXPECTED)


@pytest.mark.parametrize("alias", list(EXPECTED))
def test_alias_and_codes(alias: str) -> None:
    service = service_for_alias(alias)
    assert service is not None
    service_id, codes = EXPECTED[alias]
    assert service.id == service_id
    assert set(service.option_codes) == codes
    for code in codes:
        assert service_for_option_code(code) is service


@pytest.mark.parametrize(
    ("code", "service_id", "customer"),
    [
        (1, "efatura", CustomerType(Sector.PUBLIC)),
        (2, "efatura", CustomerType(Sector.PRIVATE)),
        (3, "efatura", CustomerType(Sector.PUBLIC, vuk507=True)),
        (4, "efatura", CustomerType(Sector.PRIVATE, vuk507=True)),
        (54, "eirsaliye", CustomerType(Sector.PRIVATE, vuk507=True)),
        (121, "emali_rapor", CustomerType(Sector.PUBLIC)),
        (122, "emali_rapor", CustomerType(Sector.PRIVATE)),
        (162, "esigorta_komisyon", CustomerType(Sector.PRIVATE)),
    ],
)
def test_customer_type(code: int, service_id: str, customer: CustomerType) -> None:
    service = service_for_option_code(code)
    assert service is not None
    assert service.id == service_id
    assert service.customer_type(code) == customer


@pytest.mark.parametrize("code", [0, 5, 10, 113, 133, 163, 999, -1])
def test_unknown_codes(code: int) -> None:
    assert service_for_option_code(code) is None


def test_unknown_alias() -> None:
    assert service_for_alias("USERGB") is None
    assert service_for_alias("GIB") is None


def test_customer_type_names() -> None:
    assert CustomerType(Sector.PRIVATE).name_tr == "ÖZEL"
    assert CustomerType(Sector.PUBLIC, vuk507=True).name_tr == "VUK 507 KAMU"
    assert CustomerType(Sector.PRIVATE, vuk507=True).name_en == "private (VUK 507)"


def test_turkish_names() -> None:
    names = {s.id: s.name_tr for s in SERVICES}
    assert names["efatura"] == "e-Fatura"
    assert names["fatura_saklama"] == "Fatura Saklama"
    assert names["earsiv"] == "e-Arşiv"
    assert names["earsiv_saklama"] == "e-Arşiv Saklama"
    assert names["ebilet"] == "e-Bilet"
    assert names["eirsaliye"] == "e-İrsaliye"


def test_alias_rule_flags() -> None:
    required = {s.sender_alias: s.role_required_codes for s in SERVICES if s.role_required_codes}
    assert required == {"usergb": frozenset({1, 2}), "edespatch": frozenset({51, 52})}
    assert {s.sender_alias for s in SERVICES if s.role_forbidden} == {
        "archive",
        "earchive",
        "archive_earchive",
        "eticket",
    }
    assert {s.sender_alias for s in SERVICES if s.work_scope_forbidden} == {
        "archive",
        "earchive",
        "archive_earchive",
        "eticket",
        "esevoucher",
        "epreceipt",
        "erevenue",
        "epreceipt_archive",
        "esevoucher_archive",
        "ebreceipt",
        "eexchangecert",
        "echeck",
    }
    assert [s.sender_alias for s in SERVICES if s.single_account] == ["archive"]


def test_gib_and_reserved() -> None:
    assert GIB_VKN == "3900383669"
    assert GIB_ALIAS == "GIB"
    assert len(RESERVED_ALIASES) == 16
    assert "GIB" in RESERVED_ALIASES
    assert "usergb" in RESERVED_ALIASES
    # GİB's list leaves this one out.
    assert "archive_edespatch" not in RESERVED_ALIASES


@pytest.mark.parametrize(
    "alias",
    [
        "urn:mail:defaultgb@firma.com.tr",
        "urn:mail:defaultpk@gib.gov.tr",
        "urn:mail:defaultgb@firma.com.tr:service:islemadi1",
        "urn:mail:ankara_sube_gb@firma.com.tr",
        "urn:x-1:a%20b",
        "urn:" + "a" * 32 + ":x",
    ],
)
def test_alias_pattern_accepts(alias: str) -> None:
    assert ALIAS_PATTERN.match(alias)


@pytest.mark.parametrize(
    "alias",
    [
        "defaultgb@firma.com.tr",
        "URN:mail:x",
        "urn:-mail:x",
        "urn:mail:",
        "urn:mail:a b",
        "urn:mail:a%2",
        "urn:mail:ş@firma.com.tr",
        "urn:mail:x\n",
        "urn:" + "a" * 33 + ":x",
    ],
)
def test_alias_pattern_refuses(alias: str) -> None:
    assert not ALIAS_PATTERN.match(alias)


def test_alias_max_length() -> None:
    assert ALIAS_MAX_LENGTH == 250
