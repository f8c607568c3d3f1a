"""After a full run — log in, PIN, counter-sign, journal, upload, follow — no secret is anywhere.

The PIN and the web-service password are distinctive strings here, so that
finding one in a file, an error text or a repr means some code wrote it.
They are scanned for in every file the run wrote (logs, journal, receipts,
the token host's output, the support bundle's members) and in the results'
reprs.
"""

from __future__ import annotations

import logging
import os
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reference_portal import create_company
from reference_portal.demo import DEMO_ALIAS_GB, DEMO_ALIAS_PK, DEMO_SERVICES
from reference_portal.lifecycle import ActivationRequest
from reference_portal.model import Opening
from reference_portal.server import start_portal
from signer_app.diagnose import write_support_bundle
from signer_app.flow.job import ActivationJob, Outcome
from signer_app.flow.journal import Journal
from signer_app.logs import close_logging, configure_logging
from signer_app.portal_api.client import PortalClient
from signer_app.portal_api.errors import InvalidCredentialsError
from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import CUSTOMER_TITLE, CUSTOMER_VKN
from signer_app.token.errors import PinIncorrectError
from signer_app.token.service import ServiceOptions, TokenService

pytestmark = [pytest.mark.softhsm, pytest.mark.slow]

PIN = "Kart-PIN-7Qx2"
WRONG_PIN = "Yanlis-PIN-4Zr9"
PASSWORD = "Web-Servis-Parola-9Ks3"
WRONG_PASSWORD = "Yanlis-Parola-2Tw8"


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "logs"
    configure_logging(level="DEBUG", log_dir=folder)
    yield folder
    close_logging()


def test_no_pin_or_password_anywhere_after_a_full_run(
    softhsm_copy: Manifest, log_dir: Path, tmp_path: Path
) -> None:
    env = {**os.environ, **softhsm_copy.env()}
    token = softhsm_copy.token("MALI MUHUR")
    tokens = TokenService(ServiceOptions(host_env=env))
    module = softhsm_copy.module_path
    slot_id = next(
        s.slot_id for s in tokens.slots(module) if s.token and s.token.label == token.label
    )
    subprocess.run(
        [
            "pkcs11-tool",
            "--module",
            module,
            "--slot",
            str(slot_id),
            "--login",
            "--pin",
            token.user_pin,
            "--change-pin",
            "--new-pin",
            PIN,
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    tokens.release(module)
    reprs: list[str] = []
    with start_portal(
        tmp_path / "portal.sqlite3",
        integrator_key_pem=softhsm_copy.integrator_key_pem,
        integrator_cert_pem=softhsm_copy.integrator_cert_pem,
        gib_step_seconds=0.05,
    ) as portal:
        now = datetime.now(UTC)
        create_company(
            portal.store,
            CUSTOMER_VKN,
            CUSTOMER_TITLE,
            PASSWORD,
            now=now,
            alias_gb=DEMO_ALIAS_GB,
            alias_pk=DEMO_ALIAS_PK,
            services=DEMO_SERVICES,
        )
        portal.lifecycle.start_activation(
            CUSTOMER_VKN,
            [ActivationRequest(s, "open", Opening.immediate()) for s in DEMO_SERVICES],
            now=now,
        )
        client = PortalClient(portal.url, allow_plain_loopback=True, sleep=lambda _: None)
        job = ActivationJob(client, tokens, Journal(tmp_path / "journal.sqlite3"))
        try:
            with pytest.raises(InvalidCredentialsError) as wrong_password:
                job.login(CUSTOMER_VKN, WRONG_PASSWORD)
            reprs += [str(wrong_password.value), repr(wrong_password.value)]
            session = job.login(CUSTOMER_VKN, PASSWORD)
            reprs.append(repr(session))
            items = job.pending()
            chosen = next(c for c in job.certificates(modules=[module]) if c.preselected)
            with pytest.raises(PinIncorrectError) as wrong_pin:
                job.sign_and_upload(items, chosen.certificate, WRONG_PIN)
            reprs += [str(wrong_pin.value), repr(wrong_pin.value), repr(wrong_pin.value.context)]
            results = job.sign_and_upload(items, chosen.certificate, PIN)
            assert [r.outcome for r in results] == [Outcome.SUCCESS] * len(DEMO_SERVICES)
            statuses = job.follow([r.activation_id for r in results], interval=0.1, timeout=60)
            reprs += [repr(results), repr(statuses), repr(items), repr(job.client)]
            (tmp_path / "receipts.csv").write_text(job.receipts_csv(), encoding="utf-8")
            # The support bundle IT would ask for after such a run.
            write_support_bundle(
                tmp_path / "support.zip",
                portal_url=portal.url,
                modules=[str(module)],
                tokens=tokens,
                customer_id=CUSTOMER_VKN,
                log_dir=log_dir,
            )
        finally:
            client.close()
            job.journal.close()
            tokens.close()
    for handler in logging.getLogger().handlers:
        handler.flush()

    secrets = (PIN, WRONG_PIN, PASSWORD, WRONG_PASSWORD)
    for text in reprs:
        for secret in secrets:
            assert secret not in text
    # The portal's own database keeps a password hash only; everything else of ours is scanned.
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "softhsm" not in str(p)]
    assert any(p.parent == log_dir for p in written)
    assert any(p.name == "journal.sqlite3" for p in written)
    for path in written:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret!r} found in {path}"
    # The bundle is compressed: look inside every member.
    with zipfile.ZipFile(tmp_path / "support.zip") as bundle:
        assert "report.txt" in bundle.namelist()
        for name in bundle.namelist():
            member = bundle.read(name)
            for secret in secrets:
                assert secret.encode() not in member, f"{secret!r} found in support.zip/{name}"
