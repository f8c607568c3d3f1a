"""The activation lifecycle from the integrator's help document.

Aktivasyon Bekliyor → (Aktivasyonu Başlat) Müşteri İmzası Bekliyor →
(customer's counter-signature accepted) GİB'e Gönderimi Bekliyor, while a
scheduled opening waits for its time → GİB'den Onay Bekliyor → Aktif or
Hatalı, with GİB's code and text. Every status change records the e-mail the
portal would send ("notifications").

:meth:`Lifecycle.tick` moves time-driven work on: it sends due scheduled
documents to GİB and lets the simulated GİB take its steps. The server calls
it from a background thread; tests call it with a fake clock.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final, NamedTuple

from reference_portal import store as db_rows
from reference_portal.contracts import CONTRACT_LIFETIME, build_contract
from reference_portal.documents import IntegratorSeal, issue_document, service_by_id
from reference_portal.gib import GibEvent, SimulatedGib, build_envelope
from reference_portal.model import OPERATIONS, Opening, Operation, PortalStatus, status_label
from reference_portal.store import ActivationRow, ContractRow, Store

__all__ = [
    "SETTING_GIB_STEP",
    "SETTING_INTEGRATOR_CERT",
    "SETTING_INTEGRATOR_KEY",
    "SETTING_PORTAL_URL",
    "ActivationError",
    "ActivationRequest",
    "Lifecycle",
    "StartedActivations",
]

#: Store settings :meth:`Lifecycle.from_store` reads (written by ``start_portal``).
SETTING_PORTAL_URL: Final = "portal_url"
SETTING_INTEGRATOR_KEY: Final = "integrator_key_pem"
SETTING_INTEGRATOR_CERT: Final = "integrator_cert_pem"
SETTING_GIB_STEP: Final = "gib_step_seconds"

_RESTARTABLE: Final = (PortalStatus.AWAITING_ACTIVATION, PortalStatus.FAILED)


class ActivationRequest(NamedTuple):
    """One service to open or close, as chosen on the "Hizmetlerim" page."""

    service_id: str
    operation: Operation
    opening: Opening


class ActivationError(Exception):
    """The portal refuses to start these activations.

    :ivar code: a stable reason: ``unknown-company``, ``unknown-service``,
        ``service-not-available``, ``duplicate-service``, ``invalid-opening``,
        ``efatura-later-than-others`` or ``company-data-missing``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StartedActivations:
    """What "Aktivasyonu Başlat" produced: the contract file and the activations."""

    contract: ContractRow
    activations: tuple[ActivationRow, ...]


def _whole_seconds(request: ActivationRequest) -> ActivationRequest:
    # The API and the contract write times to the second; keep what is stored the same.
    opening = request.opening
    if not isinstance(opening, Opening) or opening.at is None:
        return request
    return request._replace(opening=Opening(opening.mode, opening.at.replace(microsecond=0)))


def _operation_tr(operation: Operation) -> str:
    return "açma" if operation == "open" else "kapatma"


class Lifecycle:
    """The portal's actions on activations.

    :param store: the database.
    :param seal: the integrator's seal, which signs every document.
    :param portal_url: the API's base URL written into contract files
        (ends with ``/api/v1/``).
    :param gib: the simulated GİB the signed documents go to.
    """

    def __init__(
        self,
        store: Store,
        *,
        seal: IntegratorSeal,
        portal_url: str,
        gib: SimulatedGib | None = None,
    ) -> None:
        self.store = store
        self.seal = seal
        self.portal_url = portal_url
        self.gib = gib if gib is not None else SimulatedGib()

    @classmethod
    def from_store(cls, store: Store) -> Lifecycle:
        """Build the lifecycle from the settings ``start_portal`` wrote into the store.

        :raises LookupError: a setting is missing.
        :raises OSError: the integrator's key or certificate cannot be read.
        :raises ValueError: they are not a usable seal.
        """
        values = {}
        for name in (SETTING_PORTAL_URL, SETTING_INTEGRATOR_KEY, SETTING_INTEGRATOR_CERT):
            value = store.get_setting(name)
            if value is None:
                raise LookupError(f"the store has no {name!r} setting; start the portal first")
            values[name] = value
        step = store.get_setting(SETTING_GIB_STEP)
        seal = IntegratorSeal.from_pem_files(
            Path(values[SETTING_INTEGRATOR_KEY]), Path(values[SETTING_INTEGRATOR_CERT])
        )
        gib = SimulatedGib(step=timedelta(seconds=float(step))) if step else SimulatedGib()
        return cls(store, seal=seal, portal_url=values[SETTING_PORTAL_URL], gib=gib)

    # --- Aktivasyonu Başlat ------------------------------------------------------------

    def start_activation(
        self,
        company_id: str,
        requests: Sequence[ActivationRequest | tuple[str, Operation, Opening]],
        *,
        now: datetime,
    ) -> StartedActivations:
        """Start activations: issue each service's document and the contract file.

        Every service moves to Müşteri İmzası Bekliyor. An opening needs the
        service in Aktivasyon Bekliyor (or Hatalı, to try again); a closing
        needs it Aktif. e-Fatura's opening may not be later than any other
        opening of the company that is under way.

        :raises ActivationError: the request cannot be carried out.
        """
        wanted = [_whole_seconds(ActivationRequest(*request)) for request in requests]
        with self.store.transaction() as db:
            company = db_rows.company(db, company_id)
            if company is None:
                raise ActivationError("unknown-company", f"no company {company_id}")
            self._check_requests(db, company_id, wanted, now)
            contract_id = str(uuid.uuid4())
            created: list[ActivationRow] = []
            for request in wanted:
                try:
                    document = issue_document(
                        self.seal, company, request.service_id, request.operation, now=now
                    )
                except ValueError as exc:
                    raise ActivationError("company-data-missing", str(exc)) from exc
                row = ActivationRow(
                    seq=0,
                    id=str(uuid.uuid4()),
                    company_id=company_id,
                    service_id=request.service_id,
                    operation=request.operation,
                    opening=request.opening,
                    status=PortalStatus.AWAITING_CUSTOMER_SIGNATURE,
                    gib_code=None,
                    gib_text=None,
                    document=document,
                    document_sha256=hashlib.sha256(document).hexdigest(),
                    signed_document=None,
                    signed_sha256=None,
                    upload_reference=None,
                    received_at=None,
                    contract_id=contract_id,
                    created_at=now,
                    updated_at=now,
                )
                db_rows.insert_activation(db, row)
                db_rows.update(
                    db,
                    "services",
                    (company_id, request.service_id),
                    status=PortalStatus.AWAITING_CUSTOMER_SIGNATURE,
                    opening_mode=request.opening.mode,
                    opening_at=request.opening.at,
                    activation_date=request.opening.at,
                    activation_id=row.id,
                    updated_at=now,
                )
                self._notify(db, row, PortalStatus.AWAITING_CUSTOMER_SIGNATURE, now)
                stored = db_rows.activation(db, row.id)
                assert stored is not None
                created.append(stored)
            body = build_contract(
                portal_url=self.portal_url,
                contract_id=contract_id,
                company_id=company_id,
                company_title=company.title,
                services=wanted,
                issued_at=now,
                expires_at=now + CONTRACT_LIFETIME,
            )
            contract = ContractRow(contract_id, company_id, now, now + CONTRACT_LIFETIME, body)
            db_rows.insert_contract(db, contract)
        return StartedActivations(contract, tuple(created))

    def _check_requests(
        self,
        db: sqlite3.Connection,
        company_id: str,
        wanted: list[ActivationRequest],
        now: datetime,
    ) -> None:
        if not wanted:
            raise ActivationError("invalid-opening", "no service chosen")
        if len({request.service_id for request in wanted}) != len(wanted):
            raise ActivationError("duplicate-service", "a service is chosen twice")
        for request in wanted:
            try:
                name = service_by_id(request.service_id).name_tr
            except KeyError:
                raise ActivationError(
                    "unknown-service", f"unknown service {request.service_id!r}"
                ) from None
            if request.operation not in OPERATIONS:
                raise ActivationError("invalid-opening", "operation must be open or close")
            if not isinstance(request.opening, Opening):
                raise ActivationError("invalid-opening", "opening must be an Opening")
            if request.opening.at is not None and request.opening.at <= now:
                raise ActivationError("invalid-opening", f"{name}: the date must be in the future")
            current = db_rows.service(db, company_id, request.service_id)
            allowed = _RESTARTABLE if request.operation == "open" else (PortalStatus.ACTIVE,)
            if current is None or current.status not in allowed:
                state = "not bought" if current is None else current.status.label
                raise ActivationError(
                    "service-not-available",
                    f"{name} cannot be {'opened' if request.operation == 'open' else 'closed'} "
                    f"({state})",
                )
        under_way = [
            (row.service_id, row.opening.effective(now))
            for row in db_rows.activations(db, company_id=company_id)
            if row.operation == "open" and not row.status.final
        ]
        moments = under_way + [
            (request.service_id, request.opening.effective(now))
            for request in wanted
            if request.operation == "open"
        ]
        efatura = [moment for service_id, moment in moments if service_id == "efatura"]
        others = [moment for service_id, moment in moments if service_id != "efatura"]
        if efatura and others and max(efatura) > min(others):
            raise ActivationError(
                "efatura-later-than-others",
                "e-Fatura aktivasyon tarihi diğer hizmetlerden ileri tarihli olarak seçilemez",
            )

    # --- the customer's signature ----------------------------------------------------------

    def accept_signed_document(
        self, db: sqlite3.Connection, activation: ActivationRow, signed: bytes, *, now: datetime
    ) -> ActivationRow:
        """Take the counter-signed document (already checked) and move the activation on.

        A scheduled opening whose time has not come waits in GİB'e Gönderimi
        Bekliyor; anything else goes to GİB now. Call inside a transaction.
        """
        reference = f"AKT-{now:%Y%m%d}-{secrets.token_hex(4).upper()}"
        db_rows.update(
            db,
            "activations",
            (activation.id,),
            signed_document=signed,
            signed_sha256=hashlib.sha256(signed).hexdigest(),
            upload_reference=reference,
            received_at=now,
            updated_at=now,
        )
        if activation.opening.at is not None and activation.opening.at > now:
            self._set_status(db, activation.id, PortalStatus.AWAITING_GIB_SUBMISSION, now)
        else:
            self._submit(db, activation.id, signed, now)
        accepted = db_rows.activation(db, activation.id)
        assert accepted is not None
        return accepted

    # --- time-driven work -------------------------------------------------------------------

    def tick(self, now: datetime) -> list[GibEvent]:
        """Send due scheduled documents to GİB and take GİB's due steps.

        :returns: what GİB did, in order.
        """
        with self.store.transaction() as db:
            waiting = db_rows.activations(db, statuses=(PortalStatus.AWAITING_GIB_SUBMISSION,))
            for row in waiting:
                if row.opening.at is None or row.opening.at <= now:
                    assert row.signed_document is not None
                    self._submit(db, row.id, row.signed_document, now)
            events = self.gib.advance(db, now)
            for event in events:
                self._apply(db, event)
        return events

    def _submit(
        self, db: sqlite3.Connection, activation_id: str, signed: bytes, now: datetime
    ) -> None:
        row = db_rows.activation(db, activation_id)
        assert row is not None
        try:
            envelope = build_envelope(
                signed,
                service_id=row.service_id,
                integrator_vkn=self.seal.vkn,
                integrator_title=self.seal.title,
                now=now,
            )
        except ValueError:
            # GİB gets what there is and answers 1160 for it.
            envelope = signed
        event = self.gib.receive(db, activation_id, envelope, now=now)
        self._set_status(db, activation_id, PortalStatus.AWAITING_GIB_APPROVAL, now, event)

    def _apply(self, db: sqlite3.Connection, event: GibEvent) -> None:
        if not event.final:
            db_rows.update(
                db,
                "activations",
                (event.activation_id,),
                gib_code=event.code,
                gib_text=event.text,
                updated_at=event.at,
            )
            return
        status = PortalStatus.ACTIVE if event.success else PortalStatus.FAILED
        self._set_status(db, event.activation_id, status, event.at, event)

    # --- status changes -----------------------------------------------------------------------

    def _set_status(
        self,
        db: sqlite3.Connection,
        activation_id: str,
        status: PortalStatus,
        now: datetime,
        event: GibEvent | None = None,
    ) -> None:
        row = db_rows.activation(db, activation_id)
        assert row is not None
        fields: dict[str, object] = {"status": status, "updated_at": now}
        if event is not None:
            fields.update(gib_code=event.code, gib_text=event.text)
        db_rows.update(db, "activations", (activation_id,), **fields)
        service_fields: dict[str, object] = {"status": status, "updated_at": now}
        if row.operation == "open" and status is PortalStatus.ACTIVE:
            service_fields["activation_date"] = now
        elif row.operation == "close" and status is PortalStatus.ACTIVE:
            # Closed: the service can be activated again.
            service_fields["status"] = PortalStatus.AWAITING_ACTIVATION
        elif row.operation == "close" and status is PortalStatus.FAILED:
            # GİB did not close it: the account is still active.
            service_fields["status"] = PortalStatus.ACTIVE
        db_rows.update(db, "services", (row.company_id, row.service_id), **service_fields)
        self._notify(db, row, status, now, event)

    @staticmethod
    def _notify(
        db: sqlite3.Connection,
        row: ActivationRow,
        status: PortalStatus,
        now: datetime,
        event: GibEvent | None = None,
    ) -> None:
        name = service_by_id(row.service_id).name_tr
        label = status_label(status, row.operation)
        subject = f"{name} hizmeti {_operation_tr(row.operation)}: {label}"
        lines = [
            f"Hizmet: {name}",
            f"İşlem: {_operation_tr(row.operation)}",
            f"Durum: {label}",
            f"Aktivasyon: {row.id}",
        ]
        if row.opening.at is not None:
            lines.append(f"Açılış tarihi: {row.opening.at.isoformat()}")
        if event is not None:
            lines.append(f"GİB'ten gelen yanıt: ({event.code}) {event.text}")
            if event.detail:
                lines.append(f"Ayrıntı: {event.detail}")
        db_rows.add_notification(db, row.company_id, now, subject, "\n".join(lines))
