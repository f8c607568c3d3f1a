"""Fixtures of the wizard tests: Qt offscreen, the reference portal, SoftHSM2, the wizard."""

from __future__ import annotations

import os

# Before anything imports Qt: the tests run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reference_portal.demo import create_demo_data, start_demo_activations
from reference_portal.faults import FaultPlan
from reference_portal.server import RunningPortal, start_portal
from signer_app.flow.journal import Journal
from signer_app.portal_api.client import PortalClient
from signer_app.portal_api.contract import Contract, load_contract
from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import CUSTOMER_VKN
from signer_app.token.service import TokenService
from signer_app.ui.context import WizardContext


@pytest.fixture
def faults() -> FaultPlan:
    """Failures the portal should answer with; none unless a test adds some."""
    return FaultPlan()


@pytest.fixture
def portal(softhsm: Manifest, tmp_path: Path, faults: FaultPlan) -> Iterator[RunningPortal]:
    """The reference portal on loopback with the demo companies; GİB answers fast."""
    with start_portal(
        tmp_path / "portal.sqlite3",
        integrator_key_pem=softhsm.integrator_key_pem,
        integrator_cert_pem=softhsm.integrator_cert_pem,
        gib_step_seconds=0.05,
        faults=faults,
    ) as running:
        create_demo_data(running.store, now=datetime.now(UTC))
        yield running


@pytest.fixture
def contract(portal: RunningPortal) -> Contract:
    """The demo company's four activations, started; its contract file."""
    data = start_demo_activations(
        portal.store,
        CUSTOMER_VKN,
        datetime.now(UTC),
        portal_url=portal.url,
        schedule_delay=timedelta(seconds=1),
    )
    return load_contract(data, trusted_hosts=(), allow_loopback=True)


@pytest.fixture
def tokens(softhsm: Manifest) -> Iterator[TokenService]:
    """A token service that sees the session's SoftHSM2 tokens."""
    service = TokenService()
    yield service
    service.close()


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    """An empty journal."""
    store = Journal(tmp_path / "journal.sqlite3")
    yield store
    store.close()


def make_client(url: str) -> PortalClient:
    """A portal client that accepts the loopback test portal over plain HTTP."""
    return PortalClient(url, allow_plain_loopback=True, sleep=lambda _: None)


@pytest.fixture
def context(
    softhsm: Manifest, contract: Contract, tokens: TokenService, journal: Journal
) -> WizardContext:
    """The wizard's context for the demo contract, the card libraries limited to SoftHSM2."""
    return WizardContext(
        make_tokens=lambda: tokens,
        make_journal=lambda: journal,
        make_client=make_client,
        contract=contract,
        portal_url=contract.portal_url,
        url_editable=False,
        modules=[softhsm.module_path],
    )
