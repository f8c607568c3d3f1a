"""Choosing the card certificate for a customer: every candidate, the right one first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from signer_app.certificates import CertificateKind, Usability, assess_usability
from signer_app.token.errors import TokenError
from signer_app.token.service import TokenCertificate, TokenService

__all__ = ["CertificateChoice", "certificate_choices"]


@dataclass(frozen=True)
class CertificateChoice:
    """A certificate on a card and whether it may sign for the customer."""

    certificate: TokenCertificate
    usability: Usability
    #: The one to offer first: usable, and a seal before a personal e-signature.
    preselected: bool = False


def _rank(choice: CertificateChoice) -> tuple[bool, bool]:
    info = choice.certificate.info
    is_seal = info is not None and info.kind is CertificateKind.MALI_MUHUR
    return (not choice.usability.usable, not is_seal)


def certificate_choices(
    tokens: TokenService,
    customer_id: str,
    *,
    at: datetime,
    modules: Sequence[str] | None = None,
    slot: int | None = None,
) -> list[CertificateChoice]:
    """Every readable certificate of the modules' cards, judged for ``customer_id``.

    Usable certificates come first, seals before personal e-signatures; the
    first usable one is marked preselected. A card that cannot be read is
    skipped rather than stopping the search.

    :param modules: module paths to look at; default every existing candidate.
    :param slot: only this reader slot.
    """
    paths = (
        list(modules)
        if modules is not None
        else [c.path for c in tokens.candidate_modules() if c.exists]
    )
    found: list[CertificateChoice] = []
    for module in paths:
        if not tokens.probe(module).loaded:
            continue
        for info in tokens.slots(module):
            if info.token is None or not info.token.initialized:
                continue
            if slot is not None and info.slot_id != slot:
                continue
            try:
                certificates = tokens.certificates(module, info.slot_id)
            except TokenError:
                continue
            for cert in certificates:
                if cert.info is None:
                    continue
                usability = assess_usability(cert.info, customer_id=customer_id, at=at)
                found.append(CertificateChoice(cert, usability))
    found.sort(key=_rank)
    if found and found[0].usability.usable:
        first = found[0]
        found[0] = CertificateChoice(first.certificate, first.usability, preselected=True)
    return found
