"""Command line: ``python -m reference_portal serve …`` and ``… demo-data …``.

``serve`` runs the portal until interrupted and prints its API URL and the
admin token of the ``/portal`` pages (to the console, never to a log).
``demo-data`` adds the demo companies (when missing), starts the demo
company's activations and writes the contract file.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from reference_portal.demo import create_demo_data, start_demo_activations
from reference_portal.documents import IntegratorSeal
from reference_portal.lifecycle import ActivationError
from reference_portal.server import start_portal
from reference_portal.store import Store, company
from signer_app.testpki.softhsm import CUSTOMER_VKN

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reference_portal", description="The reference integrator portal."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the portal until interrupted")
    serve.add_argument("--db", type=Path, required=True, help="the SQLite file")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--tls-cert", type=Path, help="server certificate (PEM) for HTTPS")
    serve.add_argument("--tls-key", type=Path, help="server key (PEM) for HTTPS")
    serve.add_argument("--integrator-key", type=Path, required=True, help="seal key (PEM)")
    serve.add_argument("--integrator-cert", type=Path, required=True, help="seal certificate")
    serve.add_argument("--gib-step", type=float, default=0.2, help="seconds per GİB step")
    serve.add_argument("--demo", action="store_true", help="add the demo companies if missing")

    demo = commands.add_parser("demo-data", help="add demo data and write a contract file")
    demo.add_argument("--db", type=Path, required=True, help="the SQLite file")
    demo.add_argument("--out", type=Path, required=True, help="the contract file to write")
    demo.add_argument("--company", default=CUSTOMER_VKN, help="whose activations to start")
    demo.add_argument("--integrator-key", type=Path, help="seal key (default: the server's)")
    demo.add_argument("--integrator-cert", type=Path, help="seal certificate")
    demo.add_argument("--portal-url", help="API URL for the contract (default: the server's)")
    return parser


def _ensure_demo_data(store: Store, now: datetime) -> None:
    with store.transaction() as db:
        present = company(db, CUSTOMER_VKN) is not None
    if not present:
        create_demo_data(store, now=now)


def _serve(arguments: argparse.Namespace) -> int:
    if arguments.demo:
        with Store(arguments.db) as store:
            _ensure_demo_data(store, datetime.now(UTC))
    portal = start_portal(
        arguments.db,
        integrator_key_pem=arguments.integrator_key,
        integrator_cert_pem=arguments.integrator_cert,
        host=arguments.host,
        port=arguments.port,
        tls_cert=arguments.tls_cert,
        tls_key=arguments.tls_key,
        gib_step_seconds=arguments.gib_step,
    )
    print(f"Portal API:  {portal.url}")
    print(f"Admin token: {portal.admin_token}")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
    return 0


def _demo_data(arguments: argparse.Namespace) -> int:
    if (arguments.integrator_key is None) != (arguments.integrator_cert is None):
        print("give both --integrator-key and --integrator-cert, or neither", file=sys.stderr)
        return 2
    seal = None
    if arguments.integrator_key is not None:
        seal = IntegratorSeal.from_pem_files(arguments.integrator_key, arguments.integrator_cert)
    now = datetime.now(UTC)
    with Store(arguments.db) as store:
        _ensure_demo_data(store, now)
        try:
            contract = start_demo_activations(
                store, arguments.company, now, seal=seal, portal_url=arguments.portal_url
            )
        except (LookupError, ActivationError) as exc:
            print(f"cannot start the demo activations: {exc}", file=sys.stderr)
            return 1
    arguments.out.write_bytes(contract)
    print(f"Contract file: {arguments.out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    arguments = _parser().parse_args(argv)
    if arguments.command == "serve":
        return _serve(arguments)
    return _demo_data(arguments)


if __name__ == "__main__":
    sys.exit(main())
