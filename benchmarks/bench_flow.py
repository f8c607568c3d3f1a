"""100 activations end to end: the flow against a minimal direct script, in one run.

Both run against the same reference portal over loopback HTTP and sign with
the same card (SoftHSM2 through the token host): log in, list, download and
check each document, counter-sign it, upload it. The flow adds what the
product needs — typed results, retries, the journal written (and synced)
before every upload. Target: the flow takes at most 1.25× the direct script.

Rounds alternate between the two so that machine noise hits both alike;
each round gets 100 fresh activations.

Run: ``.venv/bin/python benchmarks/bench_flow.py [--rounds N] [--count N]``.
Exit status 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import requests
from cryptography import x509

from reference_portal.demo import DEMO_PASSWORD, create_demo_data, seed_pending_activations
from reference_portal.documents import IntegratorSeal
from reference_portal.server import RunningPortal, start_portal
from signer_app.envelope.countersign import countersign
from signer_app.flow.job import ActivationJob, Outcome
from signer_app.flow.journal import Journal
from signer_app.portal_api.client import PortalClient
from signer_app.testpki.softhsm import CUSTOMER_VKN, provision
from signer_app.token.service import TokenCertificate, TokenKey, TokenService

SERVICES = ("efatura", "earsiv", "eirsaliye", "earsiv_saklama")


def run_flow(
    portal: RunningPortal,
    tokens: TokenService,
    cert: TokenCertificate,
    pin: str,
    journal_path: Path,
) -> int:
    client = PortalClient(portal.url, allow_plain_loopback=True)
    job = ActivationJob(client, tokens, Journal(journal_path))
    try:
        job.login(CUSTOMER_VKN, DEMO_PASSWORD)
        items = job.pending()
        results = job.sign_and_upload(items, cert, pin)
        assert all(r.outcome is Outcome.SUCCESS for r in results), results
        return len(results)
    finally:
        client.close()
        job.journal.close()


def run_direct(
    portal: RunningPortal, tokens: TokenService, cert: TokenCertificate, pin: str
) -> int:
    http = requests.Session()
    base = portal.url
    token = http.post(
        base + "sessions", json={"user": CUSTOMER_VKN, "password": DEMO_PASSWORD}, timeout=20
    ).json()["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    listing = http.get(base + "activations", params={"state": "pending"}, timeout=20).json()
    tokens.login(cert.module, cert.slot_id, pin)
    try:
        key: TokenKey = tokens.private_key(cert)
        certificate = x509.load_der_x509_certificate(cert.object.der)
        for activation in listing["items"]:
            data = http.get(base + f"activations/{activation['id']}/document", timeout=20).content
            signed = countersign(data, key, certificate).data
            answer = http.put(
                base + f"activations/{activation['id']}/signed-document",
                data=signed,
                headers={"Content-Type": "application/xml", "Idempotency-Key": str(uuid.uuid4())},
                timeout=20,
            )
            assert answer.status_code == 202, answer.text
    finally:
        tokens.logout(cert.module, cert.slot_id)
    return len(listing["items"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=100)
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-flow-"))
    manifest = provision(work / "tokens")
    os.environ.update(manifest.env())
    token = manifest.tokens[0]
    seal = IntegratorSeal.from_pem_files(manifest.integrator_key_pem, manifest.integrator_cert_pem)
    tokens = TokenService()
    timings: dict[str, list[float]] = {"flow": [], "direct": []}
    try:
        for round_number in range(options.rounds):
            for name in ("flow", "direct") if round_number % 2 == 0 else ("direct", "flow"):
                with start_portal(
                    work / f"portal-{round_number}-{name}.sqlite3",
                    integrator_key_pem=manifest.integrator_key_pem,
                    integrator_cert_pem=manifest.integrator_cert_pem,
                    scheduler_interval=None,
                ) as portal:
                    create_demo_data(portal.store, now=datetime.now(UTC))
                    seed_pending_activations(
                        portal.store, seal, CUSTOMER_VKN, options.count, now=datetime.now(UTC)
                    )
                    slot = next(
                        s.slot_id
                        for s in tokens.slots(manifest.module_path)
                        if s.token and s.token.label == token.label
                    )
                    cert = next(
                        c
                        for c in tokens.certificates(manifest.module_path, slot)
                        if c.label.endswith("SIGN0")
                    )
                    started = time.perf_counter()
                    if name == "flow":
                        done = run_flow(
                            portal,
                            tokens,
                            cert,
                            token.user_pin,
                            work / f"journal-{round_number}.sqlite3",
                        )
                    else:
                        done = run_direct(portal, tokens, cert, token.user_pin)
                    timings[name].append(time.perf_counter() - started)
                    assert done == options.count, (name, done)
    finally:
        tokens.close()
    flow, direct = statistics.median(timings["flow"]), statistics.median(timings["direct"])
    ratio = flow / direct
    print(f"{options.count} activations, {options.rounds} alternating rounds (medians):")
    print(
        f"  direct script: {direct:.2f} s ({direct / options.count * 1000:.1f} ms per activation)"
    )
    print(f"  flow:          {flow:.2f} s ({flow / options.count * 1000:.1f} ms per activation)")
    ok = ratio <= 1.25
    print(f"flow / direct: {ratio:.3f}x (target ≤ 1.25): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
