"""Demo data: the test customer of ``signer_app.testpki`` and its services.

* The demo company is :data:`~signer_app.testpki.softhsm.CUSTOMER_VKN`
  (its mali mühür is on the SoftHSM test card), web-service password
  :data:`DEMO_PASSWORD`, GİB e-Fatura application filed, aliases
  ``urn:mail:defaultgb@ornek-is.com.tr`` / ``urn:mail:defaultpk@ornek-is.com.tr``,
  with e-Fatura, e-Arşiv, e-İrsaliye and e-Arşiv Saklama waiting for activation.
* A second company, :data:`~signer_app.testpki.softhsm.SECOND_VKN`, has
  *not* filed the application: GİB refuses its e-Fatura with 1182.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from reference_portal import store as db_rows
from reference_portal.accounts import create_company
from reference_portal.documents import IntegratorSeal, issue_document
from reference_portal.lifecycle import (
    SETTING_INTEGRATOR_CERT,
    SETTING_INTEGRATOR_KEY,
    SETTING_PORTAL_URL,
    ActivationRequest,
    Lifecycle,
)
from reference_portal.model import Opening, PortalStatus
from reference_portal.store import Store
from signer_app.testpki.softhsm import CUSTOMER_TITLE, CUSTOMER_VKN, SECOND_TITLE, SECOND_VKN

__all__ = [
    "DEMO_ALIAS_GB",
    "DEMO_ALIAS_PK",
    "DEMO_PASSWORD",
    "DEMO_SCHEDULE_DELAY",
    "DEMO_SERVICES",
    "SECOND_PASSWORD",
    "create_demo_data",
    "seed_pending_activations",
    "start_demo_activations",
]

#: The demo company's web-service password.
DEMO_PASSWORD: Final = "demo-parola-1234"  # noqa: S105 - a published demo password
#: The second company's web-service password.
SECOND_PASSWORD: Final = "ikinci-parola-1234"  # noqa: S105 - a published demo password
DEMO_ALIAS_GB: Final = "urn:mail:defaultgb@ornek-is.com.tr"
DEMO_ALIAS_PK: Final = "urn:mail:defaultpk@ornek-is.com.tr"
#: The services both demo companies bought, in the order the portal lists them.
DEMO_SERVICES: Final = ("efatura", "earsiv", "eirsaliye", "earsiv_saklama")
#: How far in the future the demo schedules e-Arşiv Saklama's opening.
DEMO_SCHEDULE_DELAY: Final = timedelta(seconds=5)


def create_demo_data(store: Store, *, now: datetime) -> None:
    """Add the demo company and the second company (see the module notes)."""
    create_company(
        store,
        CUSTOMER_VKN,
        CUSTOMER_TITLE,
        DEMO_PASSWORD,
        now=now,
        gib_application_filed=True,
        alias_gb=DEMO_ALIAS_GB,
        alias_pk=DEMO_ALIAS_PK,
        services=DEMO_SERVICES,
        email="muhasebe@ornek-is.com.tr",
    )
    create_company(
        store,
        SECOND_VKN,
        SECOND_TITLE,
        SECOND_PASSWORD,
        now=now,
        gib_application_filed=False,
        alias_gb="urn:mail:defaultgb@gunes-tekstil.com.tr",
        alias_pk="urn:mail:defaultpk@gunes-tekstil.com.tr",
        services=DEMO_SERVICES,
        email="muhasebe@gunes-tekstil.com.tr",
    )


def start_demo_activations(
    store: Store,
    company_id: str,
    now: datetime,
    *,
    seal: IntegratorSeal | None = None,
    portal_url: str | None = None,
    schedule_delay: timedelta = DEMO_SCHEDULE_DELAY,
) -> bytes:
    """Start the demo's activations and return the contract file's bytes.

    e-Fatura, e-Arşiv and e-İrsaliye open now; e-Arşiv Saklama is scheduled
    ``schedule_delay`` later.

    :param seal: the integrator's seal; by default the one the running
        portal recorded in the store.
    :param portal_url: the API URL for the contract; by default the running
        portal's.
    :raises LookupError: no seal or URL given and none recorded in the store.
    :raises ActivationError: the company's services cannot be activated.
    """
    if seal is None:
        key, cert = (
            store.get_setting(SETTING_INTEGRATOR_KEY),
            store.get_setting(SETTING_INTEGRATOR_CERT),
        )
        if key is None or cert is None:
            raise LookupError("no integrator seal given and none recorded in the store")
        seal = IntegratorSeal.from_pem_files(Path(key), Path(cert))
    if portal_url is None:
        portal_url = store.get_setting(SETTING_PORTAL_URL)
        if portal_url is None:
            raise LookupError("no portal URL given and none recorded in the store")
    lifecycle = Lifecycle(store, seal=seal, portal_url=portal_url)
    started = lifecycle.start_activation(
        company_id,
        [
            ActivationRequest("efatura", "open", Opening.immediate()),
            ActivationRequest("earsiv", "open", Opening.immediate()),
            ActivationRequest("eirsaliye", "open", Opening.immediate()),
            ActivationRequest("earsiv_saklama", "open", Opening.scheduled(now + schedule_delay)),
        ],
        now=now,
    )
    return started.contract.body


def seed_pending_activations(
    store: Store,
    seal: IntegratorSeal,
    company_id: str,
    count: int,
    *,
    now: datetime,
    services: tuple[str, ...] = DEMO_SERVICES,
) -> None:
    """Add ``count`` activations waiting for the company's signature (benchmarks, tests).

    Unlike :meth:`Lifecycle.start_activation` this allows several activations
    per service, so that a batch of any size can be signed in one go.
    """
    with store.transaction() as db:
        company = db_rows.company(db, company_id)
        if company is None:
            raise LookupError(f"no company {company_id}")
        for index in range(count):
            service = services[index % len(services)]
            document = issue_document(seal, company, service, "open", now=now)
            db_rows.insert_activation(
                db,
                db_rows.ActivationRow(
                    seq=0,
                    id=str(uuid.uuid4()),
                    company_id=company_id,
                    service_id=service,
                    operation="open",
                    opening=Opening.immediate(),
                    status=PortalStatus.AWAITING_CUSTOMER_SIGNATURE,
                    gib_code=None,
                    gib_text=None,
                    document=document,
                    document_sha256=hashlib.sha256(document).hexdigest(),
                    signed_document=None,
                    signed_sha256=None,
                    upload_reference=None,
                    received_at=None,
                    contract_id=None,
                    created_at=now,
                    updated_at=now,
                ),
            )
