"""The contract file (*.aktivasyon): strict reading, trust, expiry, writing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from signer_app.config import load_settings
from signer_app.portal_api.contract import (
    MAX_CONTRACT_SIZE,
    Contract,
    ContractService,
    dump_contract,
    load_contract,
    load_contract_file,
)
from signer_app.portal_api.errors import (
    ContractError,
    ContractReason,
    UntrustedContractHostError,
    UntrustedPortalError,
)
from signer_app.portal_api.models import SERVICE_IDS, Company, Opening

NOW = datetime(2026, 1, 21, 9, 0, tzinfo=UTC)
TRUSTED = ("portal.example.com.tr", "*.entegrator.example", "alt.example:8443")


def contract_dict(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": "hizmet-aktivasyon-sozlesmesi",
        "version": 1,
        "portal_url": "https://portal.example.com.tr/api/v1/",
        "contract_id": "0b6f1c9e-6a43-4c43-9a55-3f0d8b1b2c11",
        "company": {"id": "1234567808", "title": "Örnek Ticaret A.Ş."},
        "services": [
            {
                "service": "efatura",
                "name": "e-Fatura",
                "operation": "open",
                "opening": {"mode": "immediate", "at": None},
            },
            {
                "service": "earsiv",
                "name": "e-Arşiv Fatura",
                "operation": "open",
                "opening": {"mode": "scheduled", "at": "2026-02-01T00:00:00+03:00"},
            },
        ],
        "issued_at": "2026-01-20T10:00:00Z",
        "expires_at": "2026-01-27T10:00:00Z",
    }
    document.update(changes)
    return document


def encode(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def load(data: bytes, **kwargs: Any) -> Contract:
    kwargs.setdefault("trusted_hosts", TRUSTED)
    kwargs.setdefault("now", NOW)
    return load_contract(data, **kwargs)


def refused(data: bytes, reason: ContractReason, **kwargs: Any) -> ContractError:
    with pytest.raises(ContractError) as caught:
        load(data, **kwargs)
    assert caught.value.reason == reason, caught.value
    assert caught.value.context["reason"] == reason
    return caught.value


# -- valid -------------------------------------------------------------------------


def test_valid_contract_is_read_completely() -> None:
    contract = load(encode(contract_dict()))
    assert contract.portal_url == "https://portal.example.com.tr/api/v1/"
    assert contract.contract_id == "0b6f1c9e-6a43-4c43-9a55-3f0d8b1b2c11"
    assert contract.company == Company("1234567808", "Örnek Ticaret A.Ş.")
    assert contract.services[0] == ContractService(
        "efatura", "e-Fatura", "open", Opening("immediate", None)
    )
    scheduled = contract.services[1].opening
    assert scheduled.mode == "scheduled"
    assert scheduled.at == datetime(2026, 1, 31, 21, 0, tzinfo=UTC)
    assert contract.issued_at == datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    assert contract.expires_at.tzinfo is not None
    assert contract.portal_host == "portal.example.com.tr"
    assert contract.service("earsiv", "open") is contract.services[1]
    assert contract.service("earsiv", "close") is None


def test_bom_missing_final_slash_and_opening_without_at_are_accepted() -> None:
    services = [
        {
            "service": "efatura",
            "name": "e-Fatura",
            "operation": "close",
            "opening": {"mode": "immediate"},
        }
    ]
    document = contract_dict(portal_url="https://portal.example.com.tr/api/v1", services=services)
    contract = load(b"\xef\xbb\xbf" + encode(document))
    assert contract.portal_url.endswith("/api/v1/")
    assert contract.services[0].opening == Opening("immediate", None)


def test_matches_only_its_own_company() -> None:
    contract = load(encode(contract_dict()))
    assert contract.matches("1234567808")
    assert contract.matches(" 1234567808 ")
    assert not contract.matches("9876543210")
    assert not contract.matches("12345678080")


def test_dump_and_load_round_trip(tmp_path: Path) -> None:
    contract = load(encode(contract_dict()))
    data = dump_contract(contract)
    assert load(data) == contract
    path = tmp_path / "x.aktivasyon"
    path.write_bytes(data)
    assert load_contract_file(path, trusted_hosts=TRUSTED, now=NOW) == contract


def test_settings_feed_the_contract_layer(tmp_path: Path) -> None:
    contract = load(encode(contract_dict()))
    loaded = load_settings(
        contract=contract.settings(), policy_file=tmp_path / "none.json", user_dir=tmp_path
    )
    assert loaded.settings.portal.url == contract.portal_url
    assert loaded.sources["portal.url"] == "contract"


# -- malformed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"{not json",
        b"",
        b"[1, 2]",
        b'"text"',
        b"\xff\xfe{}",
        b'{"version": NaN}',
        b"[" * 50_000 + b"]" * 50_000,
    ],
    ids=["syntax", "empty", "array", "string", "not-utf8", "nan", "deep"],
)
def test_malformed_json_is_refused(data: bytes) -> None:
    if len(data) > MAX_CONTRACT_SIZE:
        refused(data, ContractReason.TOO_LARGE)
    else:
        refused(data, ContractReason.NOT_JSON)


def test_deep_nesting_within_the_size_limit_is_refused() -> None:
    depth = MAX_CONTRACT_SIZE // 2 - 10
    refused(b"[" * depth + b"]" * depth, ContractReason.NOT_JSON)


def test_duplicate_keys_are_refused() -> None:
    text = encode(contract_dict()).decode()
    doubled = text.replace('"version": 1,', '"version": 1, "version": 1,')
    assert doubled != text
    refused(doubled.encode(), ContractReason.DUPLICATE_KEY)
    nested = text.replace('"id": "1234567808",', '"id": "1234567808", "id": "9876543210",')
    refused(nested.encode(), ContractReason.DUPLICATE_KEY)


def test_oversize_file_is_refused_before_parsing(tmp_path: Path) -> None:
    document = contract_dict()
    document["company"]["title"] = "x" * MAX_CONTRACT_SIZE
    refused(encode(document), ContractReason.TOO_LARGE)
    path = tmp_path / "big.aktivasyon"
    path.write_bytes(b" " * (10 * MAX_CONTRACT_SIZE))
    with pytest.raises(ContractError) as caught:
        load_contract_file(path, trusted_hosts=TRUSTED, now=NOW)
    assert caught.value.reason == ContractReason.TOO_LARGE


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as caught:
        load_contract_file(tmp_path / "missing.aktivasyon", trusted_hosts=TRUSTED)
    assert caught.value.reason == ContractReason.UNREADABLE


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d["company"].update(vkn="1"), "company.vkn"),
        (lambda d: d["services"][0].update(price=1), "services[0].price"),
        (lambda d: d["services"][0]["opening"].update(tz="x"), "services[0].opening.tz"),
    ],
)
def test_unknown_fields_are_refused(change: Any, field: str) -> None:
    document = contract_dict()
    change(document)
    error = refused(encode(document), ContractReason.UNKNOWN_FIELD)
    assert error.context["field"] == field


@pytest.mark.parametrize("member", ["format", "portal_url", "company", "services", "expires_at"])
def test_missing_fields_are_refused(member: str) -> None:
    document = contract_dict()
    del document[member]
    refused(encode(document), ContractReason.MISSING_FIELD)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contract_id": ""}, "contract_id"),
        ({"contract_id": "a/b"}, "contract_id"),
        ({"contract_id": 7}, "contract_id"),
        ({"version": "1"}, "version"),
        ({"version": True}, "version"),
        ({"company": {"id": "123456780", "title": "x"}}, "company.id"),
        ({"company": {"id": "１２３４５６７８０８", "title": "x"}}, "company.id"),
        ({"company": {"id": "1234567808", "title": ""}}, "company.title"),
        ({"company": {"id": "1234567808", "title": "A\u202eB"}}, "company.title"),
        ({"company": {"id": "1234567808", "title": "A\nB"}}, "company.title"),
        ({"company": []}, "company"),
        ({"services": {}}, "services"),
        ({"issued_at": "2026-01-20 10:00"}, "issued_at"),
        ({"issued_at": "2026-01-20T10:00:00"}, "issued_at"),
        ({"issued_at": "2026-02-30T10:00:00Z"}, "issued_at"),
        ({"expires_at": "2026-01-19T10:00:00Z"}, "expires_at"),
        ({"portal_url": "ftp://portal.example.com.tr/api/v1/"}, "portal_url"),
        ({"portal_url": "https://u:p@portal.example.com.tr/api/v1/"}, "portal_url"),
        ({"portal_url": "https://portal.example.com.tr/api/v1/?x=1"}, "portal_url"),
        ({"portal_url": "https://portal.example.com.tr/other/"}, "portal_url"),
        ({"portal_url": "https://pörtal.example.com.tr/api/v1/"}, "portal_url"),
        ({"portal_url": "https://portal.example.com.tr:99999/api/v1/"}, "portal_url"),
        ({"portal_url": "https://bad_host!.example/api/v1/"}, "portal_url"),
    ],
)
def test_bad_values_are_refused(changes: dict[str, Any], field: str) -> None:
    error = refused(encode(contract_dict(**changes)), ContractReason.BAD_FIELD)
    assert error.context["field"] == field


@pytest.mark.parametrize(
    ("service", "reason"),
    [
        ({"service": "efatura2"}, ContractReason.BAD_FIELD),
        ({"service": "EFATURA"}, ContractReason.BAD_FIELD),
        ({"service": 1}, ContractReason.BAD_FIELD),
        ({"operation": "toggle"}, ContractReason.BAD_FIELD),
        ({"opening": {"mode": "later", "at": None}}, ContractReason.BAD_FIELD),
        (
            {"opening": {"mode": "immediate", "at": "2026-02-01T00:00:00Z"}},
            ContractReason.BAD_FIELD,
        ),
        ({"opening": {"mode": "scheduled", "at": None}}, ContractReason.MISSING_FIELD),
    ],
)
def test_bad_services_are_refused(service: dict[str, Any], reason: ContractReason) -> None:
    document = contract_dict()
    document["services"][0].update(service)
    refused(encode(document), reason)


def test_every_api_service_id_is_accepted_once() -> None:
    services = [
        {"service": s, "name": s, "operation": "open", "opening": {"mode": "immediate", "at": None}}
        for s in SERVICE_IDS
    ]
    assert len(load(encode(contract_dict(services=services))).services) == 16


def test_no_services_and_duplicates_are_refused() -> None:
    refused(encode(contract_dict(services=[])), ContractReason.NO_SERVICES)
    document = contract_dict()
    document["services"][1]["service"] = "efatura"
    document["services"][1]["operation"] = "close"
    error = refused(encode(document), ContractReason.DUPLICATE_SERVICE)
    assert error.context["field"] == "services[1].service"


def test_format_and_version() -> None:
    refused(encode(contract_dict(format="other")), ContractReason.UNSUPPORTED_FORMAT)
    refused(encode(contract_dict(version=2)), ContractReason.UNSUPPORTED_VERSION)


# -- trust -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://portal.example.com.tr/api/v1/",
        "https://PORTAL.example.com.tr/api/v1/",
        "https://portal.example.com.tr:8443/api/v1/",
        "https://a.entegrator.example/api/v1/",
        "https://a.b.entegrator.example/x/api/v1/",
        "https://alt.example:8443/api/v1/",
    ],
)
def test_trusted_hosts(url: str) -> None:
    assert load(encode(contract_dict(portal_url=url))).portal_url.lower() == url.lower()


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://evil.example/api/v1/", "evil.example"),
        ("https://entegrator.example/api/v1/", "entegrator.example"),
        (
            "https://portal.example.com.tr.evil.example/api/v1/",
            "portal.example.com.tr.evil.example",
        ),
        ("https://xportal.example.com.tr/api/v1/", "xportal.example.com.tr"),
        ("https://alt.example/api/v1/", "alt.example"),
        ("https://alt.example:9443/api/v1/", "alt.example:9443"),
        ("https://10.0.0.1/api/v1/", "10.0.0.1"),
    ],
)
def test_untrusted_host_is_refused_by_name(url: str, host: str) -> None:
    with pytest.raises(UntrustedContractHostError) as caught:
        load(encode(contract_dict(portal_url=url)))
    error = caught.value
    assert isinstance(error, UntrustedPortalError)
    assert isinstance(error, ContractError)
    assert error.reason == ContractReason.UNTRUSTED_HOST
    assert error.host == host
    assert host in str(error)


def test_empty_trusted_list_trusts_nothing() -> None:
    with pytest.raises(UntrustedContractHostError):
        load(encode(contract_dict()), trusted_hosts=())


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:8443/api/v1/",
        "https://127.1.2.3/api/v1/",
        "https://localhost/api/v1/",
        "https://[::1]:8443/api/v1/",
        "http://127.0.0.1:8000/api/v1/",
    ],
)
def test_loopback_only_in_demo_mode(url: str) -> None:
    data = encode(contract_dict(portal_url=url))
    with pytest.raises(ContractError) as caught:
        load(data, trusted_hosts=(*TRUSTED, "127.0.0.1", "localhost"))
    assert caught.value.reason in (
        ContractReason.LOOPBACK_NOT_ALLOWED,
        ContractReason.INSECURE_URL,
    )
    if url.startswith("https"):
        assert isinstance(caught.value, UntrustedContractHostError)
    assert load(data, allow_loopback=True).portal_url == url


@pytest.mark.parametrize(
    "url",
    ["http://portal.example.com.tr/api/v1/", "http://10.1.1.1/api/v1/"],
)
def test_http_refused_for_non_loopback_even_in_demo_mode(url: str) -> None:
    data = encode(contract_dict(portal_url=url))
    for demo in (False, True):
        error = refused(data, ContractReason.INSECURE_URL, allow_loopback=demo)
        assert error.context["field"] == "portal_url"


# -- time ---------------------------------------------------------------------------


def test_expired_contract_is_refused() -> None:
    data = encode(contract_dict())
    later = datetime(2026, 1, 27, 10, 0, 1, tzinfo=UTC)
    error = refused(data, ContractReason.EXPIRED, now=later)
    assert "expired" in str(error)
    # Exactly at expiry it is still good.
    assert load(data, now=datetime(2026, 1, 27, 10, 0, tzinfo=UTC))


def test_issued_in_the_future_beyond_the_skew_is_refused() -> None:
    data = encode(contract_dict())
    issued = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    assert load(data, now=issued - timedelta(minutes=9))
    refused(data, ContractReason.NOT_YET_VALID, now=issued - timedelta(minutes=11))


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone"):
        load(encode(contract_dict()), now=datetime(2026, 1, 21, 9, 0))


def test_dump_refuses_naive_times() -> None:
    contract = load(encode(contract_dict()))
    naive = Contract(
        portal_url=contract.portal_url,
        contract_id=contract.contract_id,
        company=contract.company,
        services=contract.services,
        issued_at=datetime(2026, 1, 20),
        expires_at=contract.expires_at,
    )
    with pytest.raises(ValueError, match="timezone"):
        dump_contract(naive)


def test_reference_portal_contract_is_accepted_when_available() -> None:
    contracts = pytest.importorskip("reference_portal.contracts")
    model = pytest.importorskip("reference_portal.model")
    opening = model.Opening(mode="immediate", at=None)
    data = contracts.build_contract(
        portal_url="https://portal.example.com.tr/api/v1/",
        contract_id="c-1",
        company_id="1234567808",
        company_title="Örnek Ticaret A.Ş.",
        services=[("efatura", "open", opening), ("earsiv", "close", opening)],
        issued_at=NOW - timedelta(hours=1),
        expires_at=NOW + timedelta(days=7),
    )
    contract = load(data)
    assert [(s.service, s.operation) for s in contract.services] == [
        ("efatura", "open"),
        ("earsiv", "close"),
    ]
