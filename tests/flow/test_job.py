"""The whole job against the reference portal over loopback HTTP, with the card on SoftHSM2.

Includes the worst moments: the program killed after signing and before
upload, the answer to an upload lost, the portal down during an upload, the
portal answering 503 — afterwards every signed document reaches the portal
exactly once and nothing is lost.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reference_portal.demo import DEMO_PASSWORD, create_demo_data, start_demo_activations
from reference_portal.faults import Fault, FaultPlan
from reference_portal.server import RunningPortal, start_portal
from signer_app.flow.job import ActivationJob, Outcome
from signer_app.flow.journal import Journal, JournalState
from signer_app.portal_api.client import PortalClient
from signer_app.portal_api.contract import Contract, load_contract
from signer_app.portal_api.errors import ContractError
from signer_app.portal_api.models import PortalStatus
from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import CUSTOMER_VKN, SECOND_VKN
from signer_app.token.errors import PinIncorrectError
from signer_app.token.service import ServiceOptions, TokenService

pytestmark = pytest.mark.softhsm


def _start(
    manifest: Manifest, db: Path, port: int = 0, faults: FaultPlan | None = None
) -> RunningPortal:
    return start_portal(
        db,
        integrator_key_pem=manifest.integrator_key_pem,
        integrator_cert_pem=manifest.integrator_cert_pem,
        port=port,
        gib_step_seconds=0.05,
        faults=faults,
    )


@pytest.fixture
def faults() -> FaultPlan:
    return FaultPlan()


@pytest.fixture
def portal(softhsm: Manifest, tmp_path: Path, faults: FaultPlan) -> Iterator[RunningPortal]:
    with _start(softhsm, tmp_path / "portal.sqlite3", faults=faults) as running:
        create_demo_data(running.store, now=datetime.now(UTC))
        yield running


@pytest.fixture
def contract(portal: RunningPortal) -> Contract:
    data = start_demo_activations(
        portal.store,
        CUSTOMER_VKN,
        datetime.now(UTC),
        portal_url=portal.url,
        schedule_delay=timedelta(seconds=1),
    )
    return load_contract(data, trusted_hosts=(), allow_loopback=True)


@pytest.fixture
def tokens() -> Iterator[TokenService]:
    service = TokenService()
    yield service
    service.close()


def _job(
    contract: Contract, tokens: TokenService, journal_path: Path, **kwargs: object
) -> ActivationJob:
    client = PortalClient(contract.portal_url, allow_plain_loopback=True, sleep=lambda _: None)
    return ActivationJob(client, tokens, Journal(journal_path), contract=contract, **kwargs)  # type: ignore[arg-type]


def _signed_rows(portal: RunningPortal) -> list[tuple[str, int]]:
    """(activation, number of stored signed documents) as the portal's database has them."""
    db = sqlite3.connect(portal.store.path)
    try:
        rows = db.execute(
            "SELECT id, CASE WHEN signed_document IS NULL THEN 0 ELSE 1 END FROM activations"
        ).fetchall()
    finally:
        db.close()
    return [(str(a), int(n)) for a, n in rows]


def test_whole_job_ends_active_with_gib_1300(
    softhsm: Manifest,
    portal: RunningPortal,
    contract: Contract,
    tokens: TokenService,
    tmp_path: Path,
) -> None:
    job = _job(contract, tokens, tmp_path / "journal.sqlite3")
    session = job.login(CUSTOMER_VKN, DEMO_PASSWORD)
    assert session.company.id == CUSTOMER_VKN
    assert job.resume() == []
    items = job.pending()
    assert [i.activation.service.id for i in items] == [
        "efatura",
        "earsiv",
        "eirsaliye",
        "earsiv_saklama",
    ]
    assert all(i.signable for i in items), [i.problem for i in items]
    choices = job.certificates(modules=[softhsm.module_path])
    chosen = next(c for c in choices if c.preselected)
    assert chosen.certificate.info is not None and chosen.certificate.info.tax_id == CUSTOMER_VKN
    seen: list[str] = []
    results = job.sign_and_upload(
        items,
        chosen.certificate,
        softhsm.token("MALI MUHUR").user_pin,
        progress=lambda index, total, activation: seen.append(activation.id),
    )
    assert [r.outcome for r in results] == [Outcome.SUCCESS] * 4
    assert len(seen) == 4
    statuses = job.follow([r.activation_id for r in results], interval=0.1, timeout=60)
    for status in statuses.values():
        assert status.status is PortalStatus.ACTIVE
        assert status.gib is not None and (status.gib.code, status.gib.text) == (
            1300,
            "BASARIYLA TAMAMLANDI",
        )
    receipts = list(csv.DictReader(io.StringIO(job.receipts_csv())))
    assert len(receipts) == 4
    assert all(r["portal_reference"] and r["gib_code"] == "1300" for r in receipts)
    assert all(r["certificate"] for r in receipts)


def test_contract_of_another_company_is_refused_at_login(
    portal: RunningPortal, tokens: TokenService, tmp_path: Path
) -> None:
    data = start_demo_activations(
        portal.store, CUSTOMER_VKN, datetime.now(UTC), portal_url=portal.url
    )
    contract = load_contract(data, trusted_hosts=(), allow_loopback=True)
    job = _job(contract, tokens, tmp_path / "journal.sqlite3")
    from reference_portal.demo import SECOND_PASSWORD

    with pytest.raises(ContractError):
        job.login(SECOND_VKN, SECOND_PASSWORD)


def test_wrong_pin_signs_nothing(
    softhsm_copy: Manifest, portal: RunningPortal, contract: Contract, tmp_path: Path
) -> None:
    tokens = TokenService(ServiceOptions(host_env={**os.environ, **softhsm_copy.env()}))
    try:
        job = _job(contract, tokens, tmp_path / "journal.sqlite3")
        job.login(CUSTOMER_VKN, DEMO_PASSWORD)
        items = job.pending()
        chosen = next(
            c for c in job.certificates(modules=[softhsm_copy.module_path]) if c.preselected
        )
        with pytest.raises(PinIncorrectError):
            job.sign_and_upload(items, chosen.certificate, "000000")
        assert job.journal.entries(job.portal_url, CUSTOMER_VKN) == []
        assert all(n == 0 for _, n in _signed_rows(portal))
    finally:
        tokens.close()


def test_lost_upload_answer_is_repeated_with_the_same_key_and_counted_once(
    softhsm: Manifest,
    portal: RunningPortal,
    contract: Contract,
    tokens: TokenService,
    faults: FaultPlan,
    tmp_path: Path,
) -> None:
    faults.add("uploadSignedDocument", Fault.drop_after_processing())
    faults.add("uploadSignedDocument", Fault.status(503, retry_after=0))
    job = _job(contract, tokens, tmp_path / "journal.sqlite3")
    job.login(CUSTOMER_VKN, DEMO_PASSWORD)
    items = job.pending()
    chosen = next(c for c in job.certificates(modules=[softhsm.module_path]) if c.preselected)
    results = job.sign_and_upload(items, chosen.certificate, softhsm.token("MALI MUHUR").user_pin)
    assert [r.outcome for r in results] == [Outcome.SUCCESS] * 4
    assert sorted(n for _, n in _signed_rows(portal)) == [1, 1, 1, 1]


_KILLED_AFTER_SIGNING = r"""
import os, sys
from pathlib import Path
from signer_app.flow.job import ActivationJob
from signer_app.flow.journal import Journal
from signer_app.portal_api.client import PortalClient
from signer_app.portal_api.contract import load_contract
from signer_app.token.service import ServiceOptions, TokenService

contract = load_contract(Path(sys.argv[1]).read_bytes(), trusted_hosts=(), allow_loopback=True)
tokens = TokenService()
client = PortalClient(contract.portal_url, allow_plain_loopback=True)

def die(activation):
    # The worst moment: the document is journalled, the upload has not started.
    os._exit(17)

journal = Journal(Path(sys.argv[2]))
job = ActivationJob(client, tokens, journal, contract=contract, after_signing=die)
job.login(sys.argv[3], sys.argv[4])
items = job.pending()
chosen = next(c for c in job.certificates(modules=[sys.argv[5]]) if c.preselected)
job.sign_and_upload(items, chosen.certificate, sys.argv[6])
"""


def test_killed_after_signing_resumes_and_uploads_exactly_once(
    softhsm: Manifest,
    portal: RunningPortal,
    contract: Contract,
    tokens: TokenService,
    tmp_path: Path,
) -> None:
    from signer_app.portal_api.contract import dump_contract

    contract_file = tmp_path / "c.aktivasyon"
    contract_file.write_bytes(dump_contract(contract))
    journal_path = tmp_path / "journal.sqlite3"
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            _KILLED_AFTER_SIGNING,
            str(contract_file),
            str(journal_path),
            CUSTOMER_VKN,
            DEMO_PASSWORD,
            softhsm.module_path,
            softhsm.token("MALI MUHUR").user_pin,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == 17, killed.stderr
    assert all(n == 0 for _, n in _signed_rows(portal))  # nothing reached the portal
    job = _job(contract, tokens, journal_path)
    job.login(CUSTOMER_VKN, DEMO_PASSWORD)
    [pending] = job.journal.pending(job.portal_url, CUSTOMER_VKN)
    resumed = job.resume()
    assert [r.outcome for r in resumed] == [Outcome.SUCCESS]
    assert job.journal.entry(job.portal_url, pending.activation_id).state is JournalState.UPLOADED  # type: ignore[union-attr]
    # The rest is signed now; the resumed one is not signed again.
    items = job.pending()
    assert pending.activation_id not in {i.activation.id for i in items if i.signable}
    chosen = next(c for c in job.certificates(modules=[softhsm.module_path]) if c.preselected)
    results = job.sign_and_upload(items, chosen.certificate, softhsm.token("MALI MUHUR").user_pin)
    assert all(r.outcome is Outcome.SUCCESS for r in results)
    assert sorted(n for _, n in _signed_rows(portal)) == [1, 1, 1, 1]


def test_portal_down_during_upload_keeps_the_document_and_resumes(
    softhsm: Manifest, tokens: TokenService, tmp_path: Path
) -> None:
    db = tmp_path / "portal.sqlite3"
    first = _start(softhsm, db)
    create_demo_data(first.store, now=datetime.now(UTC))
    data = start_demo_activations(
        first.store, CUSTOMER_VKN, datetime.now(UTC), portal_url=first.url
    )
    contract = load_contract(data, trusted_hosts=(), allow_loopback=True)
    port = int(first.url.split(":")[2].split("/")[0])
    job = _job(contract, tokens, tmp_path / "journal.sqlite3", after_signing=lambda _: first.stop())
    job.login(CUSTOMER_VKN, DEMO_PASSWORD)
    items = job.pending()
    chosen = next(c for c in job.certificates(modules=[softhsm.module_path]) if c.preselected)
    results = job.sign_and_upload(
        items[:1], chosen.certificate, softhsm.token("MALI MUHUR").user_pin
    )
    assert [r.outcome for r in results] == [Outcome.FAILED]
    assert results[0].error is not None and results[0].error.retriable
    [pending] = job.journal.pending(job.portal_url, CUSTOMER_VKN)
    with _start(softhsm, db, port=port) as second:
        job.login(CUSTOMER_VKN, DEMO_PASSWORD)
        assert [r.outcome for r in job.resume()] == [Outcome.SUCCESS]
        rows = dict(_signed_rows(second))
        assert rows[pending.activation_id] == 1
