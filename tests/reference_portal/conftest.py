"""Fixtures for the reference portal tests: an in-memory test PKI and running portals.

Every portal runs for real (uvicorn on a loopback port) and is spoken to over
HTTP with ``requests``. The ``portal`` fixture uses a fake clock and no
scheduler, so a test moves time and calls ``portal.tick()`` itself; the
``live_portal`` fixture runs the real clock and the background scheduler.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reference_portal import (
    FakeClock,
    FaultPlan,
    RunningPortal,
    create_demo_data,
    start_demo_activations,
    start_portal,
)
from signer_app.testpki import pki
from signer_app.testpki.softhsm import (
    CUSTOMER_TITLE,
    CUSTOMER_VKN,
    INTEGRATOR_TITLE,
    INTEGRATOR_VKN,
    SECOND_TITLE,
    SECOND_VKN,
)
from tests.reference_portal.helpers import Customer, PortalPki

NOW = datetime.now(UTC)


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> PortalPki:
    ca = pki.make_ca(pki.DEFAULT_SEAL_CA_NAME, now=NOW)
    integrator = pki.make_software_identity(ca, vkn=INTEGRATOR_VKN, title=INTEGRATOR_TITLE, now=NOW)
    folder = tmp_path_factory.mktemp("integrator")
    key_pem, cert_pem = folder / "integrator-key.pem", folder / "integrator-cert.pem"
    key_pem.write_bytes(pki.to_pem(integrator.key))
    cert_pem.write_bytes(pki.to_pem(integrator.cert))
    return PortalPki(
        ca=ca,
        integrator=integrator,
        customer=pki.make_software_identity(ca, vkn=CUSTOMER_VKN, title=CUSTOMER_TITLE, now=NOW),
        second=pki.make_software_identity(ca, vkn=SECOND_VKN, title=SECOND_TITLE, now=NOW),
        integrator_key_pem=key_pem,
        integrator_cert_pem=cert_pem,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def faults() -> FaultPlan:
    return FaultPlan()


@pytest.fixture
def portal(
    test_pki: PortalPki, tmp_path: Path, clock: FakeClock, faults: FaultPlan
) -> Iterator[RunningPortal]:
    """A portal with the demo data, a fake clock and no scheduler."""
    with start_portal(
        tmp_path / "portal.sqlite",
        integrator_key_pem=test_pki.integrator_key_pem,
        integrator_cert_pem=test_pki.integrator_cert_pem,
        faults=faults,
        clock=clock,
        scheduler_interval=None,
        gib_step_seconds=1.0,
    ) as running:
        create_demo_data(running.store, now=clock())
        yield running


@pytest.fixture
def live_portal(test_pki: PortalPki, tmp_path: Path) -> Iterator[RunningPortal]:
    """A portal with the demo data, the real clock and its scheduler."""
    with start_portal(
        tmp_path / "live.sqlite",
        integrator_key_pem=test_pki.integrator_key_pem,
        integrator_cert_pem=test_pki.integrator_cert_pem,
        gib_step_seconds=0.05,
        scheduler_interval=0.02,
    ) as running:
        create_demo_data(running.store, now=datetime.now(UTC))
        yield running


@pytest.fixture
def customer(portal: RunningPortal, test_pki: PortalPki, clock: FakeClock) -> Customer:
    """The demo company's client, logged in, with its seal."""
    client = Customer(portal.url, test_pki.customer, clock)
    client.log_in()
    return client


@pytest.fixture
def contract(portal: RunningPortal, clock: FakeClock) -> bytes:
    """The demo activations, started: e-Fatura, e-Arşiv, e-İrsaliye now; e-Arşiv Saklama later."""
    return start_demo_activations(portal.store, CUSTOMER_VKN, clock())
