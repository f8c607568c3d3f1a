"""The whole activation job as use cases a UI or the command line drives.

log in → (upload what the journal still holds) → pending activations, each
document downloaded and checked → the certificate (the customer's own
preselected) → one PIN → for each: counter-sign, verify, record in the
journal, upload → follow the statuses until they are final.

Nothing here asks the user anything: the caller collects the password,
the certificate choice and the PIN, and shows the results.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from cryptography import x509

from signer_app.envelope.countersign import countersign, require_signable
from signer_app.envelope.xades import IntegratorPin
from signer_app.errors import SignerAppError
from signer_app.flow.certificates import CertificateChoice, certificate_choices
from signer_app.flow.journal import Journal, JournalEntry, JournalState
from signer_app.flow.results import Item, ItemResult, Outcome, SignProgress
from signer_app.portal_api.client import PortalClient
from signer_app.portal_api.contract import Contract
from signer_app.portal_api.errors import ContractError, PortalError
from signer_app.portal_api.models import Activation, PortalSession, Status
from signer_app.token.errors import TokenError
from signer_app.token.service import TokenCertificate, TokenKey, TokenService

__all__ = ["ActivationJob", "Item", "ItemResult", "Outcome", "SignProgress"]


class ActivationJob:
    """One company's activation job at one portal."""

    def __init__(
        self,
        client: PortalClient,
        tokens: TokenService,
        journal: Journal,
        *,
        contract: Contract | None = None,
        integrator_pin: IntegratorPin | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        after_signing: Callable[[Activation], None] | None = None,
    ) -> None:
        """Wire the job; nothing is contacted yet.

        :param after_signing: called after a document is journalled and before
            its upload (tests use it to die at the worst moment).
        """
        self.client = client
        self.tokens = tokens
        self.journal = journal
        self.contract = contract
        self.integrator_pin = integrator_pin
        self._clock = clock
        self._after_signing = after_signing
        self.session: PortalSession | None = None

    @property
    def portal_url(self) -> str:
        """The portal this job talks to."""
        return self.client.portal_url

    @property
    def company_id(self) -> str:
        """The logged-in company's VKN/TCKN."""
        if self.session is None:
            raise PortalError("not logged in")
        return self.session.company.id

    # -- log in, and finish what an earlier run left -----------------------------

    def login(self, user: str, password: str) -> PortalSession:
        """Log in and check the company against the contract file.

        :raises ContractError: the portal's company is not the contract's.
        """
        session = self.client.login(user, password)
        if self.contract is not None and not self.contract.matches(session.company.id):
            with contextlib.suppress(PortalError):
                # The contract error matters more than a failed log-out.
                self.client.logout()
            raise ContractError(
                "the contract file belongs to another company", reason="other_company"
            )
        self.session = session
        return session

    def resume(self) -> list[ItemResult]:
        """Upload every document the journal holds as signed but not uploaded."""
        return [
            self._upload(entry) for entry in self.journal.pending(self.portal_url, self.company_id)
        ]

    # -- what is waiting ---------------------------------------------------------

    def _contract_problem(self, activation: Activation) -> ContractError | None:
        if self.contract is None:
            return None
        named = {(s.service, s.operation) for s in self.contract.services}
        if (activation.service.id, activation.operation) not in named:
            return ContractError(
                f"{activation.service.id} {activation.operation} is not in the contract file",
                reason="not_in_contract",
            )
        return None

    def pending(self) -> list[Item]:
        """The activations waiting for the customer's signature, each checked.

        A document that cannot be signed is listed with the reason.
        """
        listing = self.client.activations("pending")
        items = []
        for activation in listing.items:
            entry = self.journal.entry(self.portal_url, activation.id)
            if entry is not None and entry.state is not JournalState.REJECTED:
                items.append(Item(activation, journal=entry))
                continue
            problem: SignerAppError | None = self._contract_problem(activation)
            document = None
            data = None
            if problem is None:
                try:
                    data = self.client.document(
                        activation.id, expected_sha256=activation.document_sha256
                    )
                    document, _ = require_signable(data, pin=self.integrator_pin)
                    if document.customer_id != self.company_id:
                        problem = ContractError(
                            "the document is for another company", reason="other_company"
                        )
                except (PortalError, SignerAppError) as exc:
                    problem = exc
            items.append(Item(activation, document=document, problem=problem, data=data))
        return items

    def certificates(
        self, *, modules: Sequence[str] | None = None, slot: int | None = None
    ) -> list[CertificateChoice]:
        """The card certificates, the customer's own usable seal preselected."""
        return certificate_choices(
            self.tokens, self.company_id, at=self._clock(), modules=modules, slot=slot
        )

    # -- sign and upload ------------------------------------------------------------

    def sign_and_upload(
        self,
        items: Sequence[Item],
        certificate: TokenCertificate,
        pin: str | None,
        *,
        confirm_final_try: bool = False,
        progress: SignProgress | None = None,
    ) -> list[ItemResult]:
        """Counter-sign and upload ``items`` with one login.

        Items already in the journal are only uploaded. A wrong PIN stops
        before anything is signed; a card error stops the batch and the items
        not done yet are reported failed with it (all retriable).

        :raises PinError: the PIN was not accepted (nothing was signed).
        """
        results: list[ItemResult] = []
        to_sign = [item for item in items if item.signable]
        for item in items:
            if item.journal is not None and item.journal.state is JournalState.SIGNED:
                results.append(self._upload(item.journal))
        if not to_sign:
            return results
        self.tokens.login(
            certificate.module, certificate.slot_id, pin, confirm_final_try=confirm_final_try
        )
        try:
            key = self.tokens.private_key(certificate)
            x509_certificate = x509.load_der_x509_certificate(certificate.object.der)
            for index, item in enumerate(to_sign):
                if progress is not None:
                    progress(index, len(to_sign), item.activation)
                try:
                    entry = self._sign(item, key, x509_certificate, certificate)
                except TokenError as exc:
                    results.extend(self._failed(rest.activation, exc) for rest in to_sign[index:])
                    break
                except SignerAppError as exc:
                    results.append(self._failed(item.activation, exc))
                    continue
                if self._after_signing is not None:
                    self._after_signing(item.activation)
                results.append(self._upload(entry))
        finally:
            self.tokens.logout(certificate.module, certificate.slot_id)
        return results

    def _sign(
        self,
        item: Item,
        key: TokenKey,
        x509_certificate: x509.Certificate,
        certificate: TokenCertificate,
    ) -> JournalEntry:
        activation = item.activation
        assert item.data is not None
        # countersign() checks the bytes again before signing them; the portal
        # refuses the upload if its document changed since the download.
        signed = countersign(
            item.data,
            key,
            x509_certificate,
            now=self._clock(),
            pin=self.integrator_pin,
        )
        info = certificate.info
        self.journal.record_signed(
            portal_url=self.portal_url,
            activation_id=activation.id,
            company_id=self.company_id,
            service_id=activation.service.id,
            service_name=activation.service.name,
            operation=activation.operation,
            issued_sha256=activation.document_sha256 or "",
            signed_xml=signed.data,
            idempotency_key=str(uuid.uuid4()),
            certificate=info.display_name if info else certificate.label,
            certificate_serial=str(info.serial_number) if info else "",
        )
        entry = self.journal.entry(self.portal_url, activation.id)
        assert entry is not None
        return entry

    def _failed(self, activation: Activation, error: SignerAppError) -> ItemResult:
        return ItemResult(
            activation.id,
            activation.service.name,
            activation.operation,
            Outcome.FAILED,
            error=error,
        )

    def _upload(self, entry: JournalEntry) -> ItemResult:
        try:
            result = self.client.upload(
                entry.activation_id, entry.signed_xml, entry.idempotency_key
            )
        except PortalError as exc:
            if exc.retriable:
                self.journal.mark_failed_attempt(
                    entry.portal_url, entry.activation_id, exc.message_key
                )
            else:
                self.journal.mark_rejected(entry.portal_url, entry.activation_id, exc.message_key)
            return ItemResult(
                entry.activation_id, entry.service_name, entry.operation, Outcome.FAILED, error=exc
            )
        self.journal.mark_uploaded(entry.portal_url, entry.activation_id, result.reference)
        return ItemResult(
            entry.activation_id,
            entry.service_name,
            entry.operation,
            Outcome.SUCCESS,
            reference=result.reference,
        )

    # -- follow -------------------------------------------------------------------------

    def follow(
        self,
        activation_ids: Sequence[str],
        *,
        interval: float = 1.0,
        timeout: float = 300.0,
        should_stop: Callable[[], bool] = lambda: False,
        on_change: Callable[[str, Status], None] | None = None,
    ) -> dict[str, Status]:
        """Poll the statuses until all are final, the time is up or the caller stops."""
        deadline = time.monotonic() + timeout
        latest: dict[str, Status] = {}
        while True:
            for activation_id in activation_ids:
                if activation_id in latest and latest[activation_id].final:
                    continue
                status = self.client.status(activation_id)
                if latest.get(activation_id) != status:
                    latest[activation_id] = status
                    gib = status.gib
                    self.journal.record_status(
                        self.portal_url,
                        activation_id,
                        status.label,
                        gib.code if gib else None,
                        gib.text if gib else None,
                    )
                    if on_change is not None:
                        on_change(activation_id, status)
            done = all(s.final for s in latest.values()) and len(latest) == len(activation_ids)
            if done or should_stop() or time.monotonic() >= deadline:
                return latest
            time.sleep(interval)

    def receipts_csv(self) -> str:
        """The receipts of this company's activations at this portal, as CSV."""
        return self.journal.receipts_csv(self.portal_url, self.company_id)
