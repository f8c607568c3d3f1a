"""What a card holds, as JSON-ready facts: ``signer-app tokens --json`` and the support bundle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from signer_app.certificates import assess_usability

if TYPE_CHECKING:
    from datetime import datetime

    from signer_app.token.binfmt import BinaryInfo
    from signer_app.token.service import TokenCertificate

__all__ = ["binary_facts", "certificate_facts"]


def binary_facts(binary: BinaryInfo | None) -> dict[str, Any] | None:
    """A module file's format, architectures and bitness (``None`` when unread)."""
    if binary is None:
        return None
    return {
        "format": binary.format,
        "architectures": sorted(binary.architectures),
        "bits": binary.bits,
    }


def certificate_facts(
    cert: TokenCertificate, customer_id: str | None, at: datetime
) -> dict[str, Any]:
    """The certificate's public facts and whether it may sign for *customer_id* at *at*.

    No private data: the subject, issuer, validity, key algorithm, usages,
    fingerprint and the usability verdict with its reasons.
    """
    base: dict[str, Any] = {"label": cert.label, "id": cert.id.hex()}
    info = cert.info
    if info is None:
        return {**base, "error": cert.parse_error, "usable": False, "reasons": ["unreadable"]}
    try:
        verdict = assess_usability(info, customer_id=customer_id, at=at)
    except ValueError:
        # A malformed customer id: judge without it rather than not at all.
        verdict = assess_usability(info, customer_id=None, at=at)
    return {
        **base,
        "subject": info.subject,
        "subject_cn": info.subject_cn,
        "display_name": info.display_name,
        "issuer": info.issuer,
        "issuer_cn": info.issuer_cn,
        "serial_number": str(info.serial_number),
        "serial_hex": info.serial_hex,
        "not_before": info.not_before.isoformat(),
        "not_after": info.not_after.isoformat(),
        "key_algorithm": info.key_algorithm.display,
        "key_usage": sorted(info.key_usage) if info.key_usage is not None else None,
        "extended_key_usage": list(info.extended_key_usage),
        "policies": list(info.policies),
        "kind": info.kind.value,
        "tax_id": info.tax_id,
        "tax_id_kind": info.tax_id_kind,
        "fingerprint_sha256": info.fingerprint_sha256,
        "usable": verdict.usable,
        "reasons": [r.value for r in verdict.reasons],
    }
