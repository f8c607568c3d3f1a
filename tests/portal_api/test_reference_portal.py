"""The client against the reference portal over real loopback HTTP and TLS.

The portal runs in this process (uvicorn in a thread) with a test TLS
certificate for 127.0.0.1 made at test time, an integrator seal and a
customer seal issued by one in-memory test CA, and the demo company. The
counter-signature is made here, in the test, with the envelope layer: the
client package itself never imports it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from reference_portal.demo import (
    DEMO_PASSWORD,
    SECOND_PASSWORD,
    create_demo_data,
    start_demo_activations,
)
from reference_portal.faults import Fault, FaultPlan
from reference_portal.server import RunningPortal, start_portal
from signer_app.envelope.countersign import countersign
from signer_app.portal_api.client import PortalClient
from signer_app.portal_api.contract import Contract, load_contract
from signer_app.portal_api.errors import (
    AccountLockedError,
    IdempotencyConflictError,
    InsecureTransportError,
    InvalidCredentialsError,
    PortalConnectionError,
    PortalInternalError,
    PortalNotFoundError,
    PortalTimeoutError,
    PortalUnavailableError,
    TlsError,
    WrongSignerError,
)
from signer_app.portal_api.models import Activation, PortalStatus
from signer_app.testpki import pki
from signer_app.testpki.softhsm import (
    CUSTOMER_TITLE,
    CUSTOMER_VKN,
    INTEGRATOR_TITLE,
    INTEGRATOR_VKN,
    SECOND_TITLE,
    SECOND_VKN,
)
from tests.portal_api.conftest import SleepRecorder
from tests.portal_api.tlsutil import TlsFiles

NOW = datetime.now(UTC)


@dataclass(frozen=True)
class Seal:
    """A software seal: key and certificate."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    cert: x509.Certificate


def _seal(identity: pki.Identity) -> Seal:
    assert isinstance(identity.key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    return Seal(identity.key, identity.cert)


@dataclass(frozen=True)
class Seals:
    """The integrator's seal (as PEM files for the portal) and two customers' seals."""

    key_pem: Path
    cert_pem: Path
    customer: Seal
    other: Seal


@pytest.fixture(scope="module")
def seals(tmp_path_factory: pytest.TempPathFactory) -> Seals:
    folder = tmp_path_factory.mktemp("seals")
    ca = pki.make_ca(pki.DEFAULT_SEAL_CA_NAME, now=NOW, key=pki.generate_key("ec-p256"))
    integrator = pki.make_software_identity(
        ca, vkn=INTEGRATOR_VKN, title=INTEGRATOR_TITLE, now=NOW, key_type="ec-p256"
    )
    (folder / "integrator-key.pem").write_bytes(pki.to_pem(integrator.key))
    (folder / "integrator.pem").write_bytes(pki.to_pem(integrator.cert))
    return Seals(
        key_pem=folder / "integrator-key.pem",
        cert_pem=folder / "integrator.pem",
        customer=_seal(
            pki.make_software_identity(
                ca, vkn=CUSTOMER_VKN, title=CUSTOMER_TITLE, now=NOW, key_type="ec-p256"
            )
        ),
        other=_seal(
            pki.make_software_identity(
                ca, vkn=SECOND_VKN, title=SECOND_TITLE, now=NOW, key_type="ec-p256"
            )
        ),
    )


@dataclass
class Demo:
    """A running portal with the demo data and its contract file."""

    portal: RunningPortal
    faults: FaultPlan
    contract: Contract
    contract_bytes: bytes


def _start(tmp_path: Path, seals: Seals, tls: TlsFiles | None) -> Demo:
    faults = FaultPlan()
    portal = start_portal(
        tmp_path / "portal.sqlite",
        integrator_key_pem=seals.key_pem,
        integrator_cert_pem=seals.cert_pem,
        tls_cert=None if tls is None else tls.server_cert,
        tls_key=None if tls is None else tls.server_key,
        gib_step_seconds=0.05,
        faults=faults,
    )
    now = datetime.now(UTC)
    create_demo_data(portal.store, now=now)
    data = start_demo_activations(portal.store, CUSTOMER_VKN, now)
    contract = load_contract(data, trusted_hosts=(), allow_loopback=True)
    return Demo(portal, faults, contract, data)


@pytest.fixture
def demo(tmp_path: Path, seals: Seals, tls_files: TlsFiles) -> Iterator[Demo]:
    running = _start(tmp_path, seals, tls_files)
    yield running
    running.portal.stop()


@pytest.fixture
def plain_demo(tmp_path: Path, seals: Seals) -> Iterator[Demo]:
    running = _start(tmp_path, seals, None)
    yield running
    running.portal.stop()


@pytest.fixture
def client(demo: Demo, ca_file: Path, sleeps: SleepRecorder) -> Iterator[PortalClient]:
    with PortalClient(demo.contract.portal_url, extra_ca_file=ca_file, sleep=sleeps) as made:
        yield made


def _first(client: PortalClient, service: str = "efatura") -> Activation:
    return next(a for a in client.activations().items if a.service.id == service)


def _signed(client: PortalClient, activation: Activation, seal: Seal) -> bytes:
    document = client.document(activation.id, expected_sha256=activation.document_sha256)
    return countersign(document, seal.key, seal.cert).data


def _row_count(portal: RunningPortal, table: str, activation_id: str) -> int:
    with portal.store.transaction() as db:
        row = db.execute(
            f"SELECT count(*) FROM {table} WHERE activation_id = ?",
            (activation_id,),
        ).fetchone()
    assert isinstance(row, sqlite3.Row | tuple)
    return int(row[0])


# -- the contract and the whole path -----------------------------------------------


def test_contract_names_the_running_portal(demo: Demo) -> None:
    assert demo.contract.portal_url == demo.portal.url
    assert demo.contract.portal_url.startswith("https://127.0.0.1:")
    assert demo.contract.matches(CUSTOMER_VKN)
    assert not demo.contract.matches(SECOND_VKN)
    assert [s.service for s in demo.contract.services] == [
        "efatura",
        "earsiv",
        "eirsaliye",
        "earsiv_saklama",
    ]


def test_full_path_over_tls(demo: Demo, client: PortalClient, seals: Seals) -> None:
    session = client.login(CUSTOMER_VKN, DEMO_PASSWORD)
    assert session.company.id == CUSTOMER_VKN
    assert demo.contract.matches(session.company.id)
    listing = client.activations()
    assert listing.company.id == CUSTOMER_VKN
    assert {a.service.id for a in listing.items} == {s.service for s in demo.contract.services}
    assert all(a.status.status is PortalStatus.AWAITING_CUSTOMER_SIGNATURE for a in listing.items)
    activation = _first(client)
    assert client.activation(activation.id) == activation
    document = client.document(activation.id)  # checked against the ETag
    assert document.startswith(b"<")

    signed = countersign(document, seals.customer.key, seals.customer.cert).data
    result = client.upload(activation.id, signed, "upload-key-0001")
    assert not result.already_accepted
    assert result.reference
    assert result.activation.id == activation.id
    assert result.activation.status.status is not PortalStatus.AWAITING_CUSTOMER_SIGNATURE

    deadline = time.monotonic() + 10
    status = client.status(activation.id)
    while not status.final and time.monotonic() < deadline:
        time.sleep(0.05)
        status = client.status(activation.id)
    assert status.status is PortalStatus.ACTIVE
    assert status.gib is not None
    assert status.gib.code == 1300
    assert activation.id not in {a.id for a in client.activations().items}
    assert activation.id in {a.id for a in client.activations("all").items}
    client.logout()
    assert client.session is None


def test_plain_http_portal_needs_loopback_and_the_flag(plain_demo: Demo) -> None:
    url = plain_demo.contract.portal_url
    assert url.startswith("http://127.0.0.1:")
    with pytest.raises(InsecureTransportError):
        PortalClient(url)
    with PortalClient(url, allow_plain_loopback=True) as client:
        client.login(CUSTOMER_VKN, DEMO_PASSWORD)
        assert len(client.activations().items) == 4
    # The contract file itself is refused outside demo mode.
    with pytest.raises(Exception, match="HTTP"):
        load_contract(plain_demo.contract_bytes, trusted_hosts=("127.0.0.1",))


def test_client_without_the_ca_refuses_the_portal(demo: Demo, sleeps: SleepRecorder) -> None:
    with PortalClient(demo.portal.url, sleep=sleeps) as client, pytest.raises(TlsError) as caught:
        client.login(CUSTOMER_VKN, DEMO_PASSWORD)
    message = str(caught.value)
    assert "not trusted" in message
    assert "127.0.0.1" in message
    assert "certificate store" in message
    assert sleeps.calls == []


# -- login -------------------------------------------------------------------------


def test_wrong_password_and_lock_out(demo: Demo, client: PortalClient) -> None:
    for _ in range(4):
        with pytest.raises(InvalidCredentialsError):
            client.login(SECOND_VKN, "yanlis-parola")
    with pytest.raises(AccountLockedError):
        client.login(SECOND_VKN, "yanlis-parola")
    with pytest.raises(AccountLockedError):
        client.login(SECOND_VKN, SECOND_PASSWORD)
    assert client.session is None
    # The other company is not affected.
    client.login(CUSTOMER_VKN, DEMO_PASSWORD)


@pytest.mark.parametrize(
    "fault",
    [Fault.status(503, retry_after=1), Fault.drop_after_processing(), Fault.delay(1.0)],
    ids=["503", "drop-after", "slow"],
)
def test_login_is_never_repeated(
    demo: Demo, ca_file: Path, sleeps: SleepRecorder, fault: Fault
) -> None:
    demo.faults.add("createSession", fault, Fault.status(500))
    expected = (PortalUnavailableError, PortalConnectionError, PortalTimeoutError)
    with (
        PortalClient(
            demo.portal.url, extra_ca_file=ca_file, sleep=sleeps, retries=5, timeout=0.5
        ) as client,
        pytest.raises(expected),
    ):
        client.login(CUSTOMER_VKN, DEMO_PASSWORD)
    assert demo.faults.pending("createSession") == 1  # the second fault was never reached
    assert sleeps.calls == []


# -- faults -------------------------------------------------------------------------


def test_503_with_retry_after_then_success(
    demo: Demo, client: PortalClient, sleeps: SleepRecorder
) -> None:
    client.login(CUSTOMER_VKN, DEMO_PASSWORD)
    demo.faults.add("listActivations", Fault.status(503, retry_after=1))
    assert len(client.activations().items) == 4
    assert sleeps.calls == [1.0]


def test_500_on_get_is_retried(demo: Demo, client: PortalClient, sleeps: SleepRecorder) -> None:
    client.login(CUSTOMER_VKN, DEMO_PASSWORD)
    activation = _first(client)
    demo.faults.add("getStatus", Fault.status(500), Fault.status(502))
    assert client.status(activation.id).status is PortalStatus.AWAITING_CUSTOMER_SIGNATURE
    assert len(sleeps.calls) == 2
    demo.faults.add("getDocument", *[Fault.status(500)] * 4)
    with pytest.raises(PortalInternalError) as caught:
        client.document(activation.id)
    assert caught.value.context["code"] == "internal-error"
    assert caught.value.retriable


def test_slow_answer_times_out(demo: Demo, ca_file: Path, sleeps: SleepRecorder) -> None:
    with PortalClient(
        demo.portal.url, extra_ca_file=ca_file, sleep=sleeps, timeout=0.3, retries=0
    ) as client:
        client.login(CUSTOMER_VKN, DEMO_PASSWORD)
        demo.faults.add("listActivations", Fault.delay(1.0))
        with pytest.raises(PortalTimeoutError) as caught:
            client.activations()
        assert caught.value.retriable


def test_lost_upload_answer_is_repeated_once(
    demo: Demo, client: PortalClient, seals: Seals, sleeps: SleepRecorder
) -> None:
    client.login(CUSTOMER_VKN, DEMO_PASSWORD)
    activation = _first(client)
    signed = _signed(client, activation, seals.customer)
    demo.faults.add("uploadSignedDocument", Fault.drop_after_processing())
    result = client.upload(activation.id, signed, "upload-key-0002")
    assert result.already_accepted
    assert len(sleeps.calls) == 1
    with demo.portal.store.transaction() as db:
        row = db.execute(
            "SELECT signed_document, upload_reference FROM activations WHERE id = ?",
            (activation.id,),
        ).fetchone()
    assert bytes(row["signed_document"]) == signed
    assert row["upload_reference"] == result.reference
    assert _row_count(demo.portal, "idempotency_keys", activation.id) == 1
    # Sent again later (a client restarted from its journal): the same receipt.
    again = client.upload(activation.id, signed, "upload-key-0002")
    assert again.reference == result.reference
    assert again.already_accepted
    assert _row_count(demo.portal, "idempotency_keys", activation.id) == 1
    # The same key for another document is a conflict.
    other = _first(client, "earsiv")
    with pytest.raises(IdempotencyConflictError):
        client.upload(other.id, _signed(client, other, seals.customer), "upload-key-0002")


def test_server_stopped_mid_upload(demo: Demo, ca_file: Path, seals: Seals, tmp_path: Path) -> None:
    waits: list[float] = []

    def stop_portal_then_wait(seconds: float) -> None:
        if not waits:
            demo.portal.stop()
        waits.append(seconds)

    with PortalClient(
        demo.portal.url, extra_ca_file=ca_file, sleep=stop_portal_then_wait, retries=2
    ) as client:
        client.login(CUSTOMER_VKN, DEMO_PASSWORD)
        activation = _first(client)
        signed = _signed(client, activation, seals.customer)
        demo.faults.add("uploadSignedDocument", Fault.drop_before_processing())
        with pytest.raises(PortalConnectionError) as caught:
            client.upload(activation.id, signed, "upload-key-0003")
    assert caught.value.retriable
    assert caught.value.context["attempts"] == 3
    assert len(waits) == 2


def test_wrong_signer_is_refused(demo: Demo, client: PortalClient, seals: Seals) -> None:
    client.login(CUSTOMER_VKN, DEMO_PASSWORD)
    activation = _first(client)
    document = client.document(activation.id)
    # countersign() refuses a seal of another company, so the signing
    # mechanism is called directly, without the customer check.
    from signer_app.envelope.signing import add_counter_signature_bytes

    wrong, _ = add_counter_signature_bytes(
        document,
        seals.other.key,
        seals.other.cert,
        signing_time=datetime.now(UTC).astimezone(),
        claimed_role=None,
        integrator_id=INTEGRATOR_VKN,
        customer_id=None,
    )
    with pytest.raises(WrongSignerError) as caught:
        client.upload(activation.id, wrong, "upload-key-0004")
    assert caught.value.status == 422
    assert caught.value.findings


def test_unknown_activation(demo: Demo, client: PortalClient) -> None:
    client.login(CUSTOMER_VKN, DEMO_PASSWORD)
    with pytest.raises(PortalNotFoundError):
        client.status("00000000-0000-0000-0000-000000000000")
