"""``signer-app demo --unattended``: the whole job on one machine, with test parts only.

It starts the reference portal on loopback with a temporary database,
provisions a SoftHSM2 token holding the demo company's test seal, writes a
demo contract file and runs the real flow — log in, check, one PIN,
counter-sign, journal, upload, follow — printing one result line per
service and then the final statuses.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from signer_app.flow.certificates import CertificateChoice
from signer_app.flow.job import ActivationJob, ItemResult, Outcome
from signer_app.flow.journal import Journal
from signer_app.portal_api.client import PortalClient
from signer_app.portal_api.contract import load_contract
from signer_app.portal_api.models import Status
from signer_app.testpki.softhsm import CUSTOMER_VKN, provision
from signer_app.token.service import TokenService

__all__ = ["DemoResult", "run_unattended"]


@dataclass(frozen=True)
class DemoResult:
    """What the demo did."""

    results: tuple[ItemResult, ...]
    statuses: dict[str, Status]
    service_names: dict[str, str]

    @property
    def all_active(self) -> bool:
        """Every activation signed, uploaded and active at GİB."""
        return (
            bool(self.results)
            and all(r.outcome is Outcome.SUCCESS for r in self.results)
            and all(s.status.value == "aktif" for s in self.statuses.values())
        )


def run_unattended(
    work: Path | None = None,
    *,
    on_certificate: Callable[[CertificateChoice], None] = lambda _: None,
    on_result: Callable[[ItemResult], None] = lambda _: None,
    on_status: Callable[[str, Status], None] = lambda _name, _status: None,
    timeout: float = 120.0,
) -> DemoResult:
    """Run the demo in ``work`` (a temporary folder by default).

    The callbacks see the chosen certificate, each result and each final
    status as they happen; the caller turns them into words.
    """
    from reference_portal.demo import (  # noqa: PLC0415 - only the demo needs the portal
        DEMO_PASSWORD,
        create_demo_data,
        start_demo_activations,
    )
    from reference_portal.server import start_portal  # noqa: PLC0415

    folder = work or Path(tempfile.mkdtemp(prefix="signer-app-demo-"))
    manifest = provision(folder / "tokens")
    # The token host inherits the environment: point SoftHSM at the demo token.
    os.environ.update(manifest.env())
    token = manifest.tokens[0]
    with start_portal(
        folder / "portal.sqlite3",
        integrator_key_pem=manifest.integrator_key_pem,
        integrator_cert_pem=manifest.integrator_cert_pem,
    ) as portal:
        now = datetime.now(UTC)
        create_demo_data(portal.store, now=now)
        contract_bytes = start_demo_activations(
            portal.store, CUSTOMER_VKN, now, portal_url=portal.url
        )
        contract_path = folder / "demo.aktivasyon"
        contract_path.write_bytes(contract_bytes)
        contract = load_contract(contract_bytes, trusted_hosts=(), allow_loopback=True)
        client = PortalClient(contract.portal_url, allow_plain_loopback=True)
        tokens = TokenService()
        journal = Journal(folder / "journal.sqlite3")
        try:
            job = ActivationJob(client, tokens, journal, contract=contract)
            job.login(contract.company.id, DEMO_PASSWORD)
            items = job.pending()
            choices = job.certificates(modules=[manifest.module_path])
            chosen = next(c for c in choices if c.preselected)
            on_certificate(chosen)
            results = job.sign_and_upload(items, chosen.certificate, token.user_pin)
            names = {r.activation_id: r.service_name for r in results}
            for result in results:
                on_result(result)
            statuses = job.follow(
                [r.activation_id for r in results if r.outcome is Outcome.SUCCESS],
                interval=0.2,
                timeout=timeout,
            )
            for activation_id, status in statuses.items():
                on_status(names[activation_id], status)
            (folder / "receipts.csv").write_text(job.receipts_csv(), encoding="utf-8")
        finally:
            tokens.close()
            client.close()
            journal.close()
    return DemoResult(tuple(results), statuses, names)
