"""``signer-app verify`` and ``signer-app countersign``."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from cryptography import x509

from signer_app.certificates import CertificateInfo
from signer_app.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK
from signer_app.cli_texts import Language, text
from signer_app.config import LoadedSettings
from signer_app.envelope.countersign import countersign, require_signable
from signer_app.envelope.model import Operation, UserDocument
from signer_app.envelope.rules import Finding
from signer_app.envelope.verification import DocumentReport, EnvelopeReport, verify
from signer_app.envelope.xades import SignatureReport
from signer_app.flow.certificates import CertificateChoice, certificate_choices
from signer_app.flow.job import ItemResult, Outcome
from signer_app.logs import forget_secret, register_secret
from signer_app.portal_api.models import Status
from signer_app.token.errors import PinLockedError
from signer_app.token.pin import PinStatus
from signer_app.token.service import TokenCertificate, TokenService

__all__ = ["report_json", "run_countersign", "run_demo", "run_verify"]


# -- verify ---------------------------------------------------------------------------


def _signer_json(report: SignatureReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    signer = report.signer
    return {
        "role": report.role.value,
        "valid": report.valid,
        "error": report.error_key,
        "error_detail": report.error_detail,
        "signature_id": report.signature_id,
        "method": report.method,
        "signing_time": report.signing_time.isoformat() if report.signing_time else None,
        "expected_signer": report.expected_signer,
        "signer_matches": report.signer_matches,
        "signer": None
        if signer is None
        else {
            "name": signer.display_name,
            "tax_id": signer.tax_id,
            "tax_id_kind": signer.tax_id_kind,
            "kind": signer.kind.value,
            "subject": signer.subject,
            "issuer": signer.issuer,
            "serial_number": str(signer.serial_number),
            "not_before": signer.not_before.isoformat(),
            "not_after": signer.not_after.isoformat(),
        },
    }


def _finding_json(finding: Finding) -> dict[str, str]:
    return {
        "code": finding.code,
        "message_tr": finding.message_tr,
        "message_en": finding.message_en,
        "location": finding.location,
    }


def _document_json(report: DocumentReport) -> dict[str, Any]:
    doc = report.document
    signatures = report.signatures
    return {
        "valid": report.valid,
        "operation": "open" if doc.operation is Operation.OPEN else "close",
        "service": None if doc.service is None else doc.service.id,
        "service_name": None if doc.service is None else doc.service.name_tr,
        "option_code": doc.option_code,
        "customer_type": None if doc.customer_type is None else doc.customer_type.name_tr,
        "integrator_id": doc.integrator_id,
        "customer_id": doc.customer_id,
        "customer_name": doc.customer_name,
        "created": doc.created,
        "accounts": [
            {"role": a.role_code, "alias": a.alias, "option_code": a.option_code}
            for a in doc.accounts
        ],
        "findings": [_finding_json(f) for f in report.findings],
        "structure_error": None
        if report.structure_error is None
        else {
            "error": report.structure_error.message_key,
            "detail": report.structure_error.detail,
        },
        "main_signature": _signer_json(signatures.main if signatures else None),
        "counter_signature": _signer_json(signatures.counter if signatures else None),
    }


def report_json(report: DocumentReport | EnvelopeReport) -> dict[str, Any]:
    """The JSON form of a verification report."""
    if isinstance(report, DocumentReport):
        return {"kind": "document", **_document_json(report)}
    env = report.envelope
    return {
        "kind": "envelope",
        "valid": report.valid,
        "instance_id": env.instance_id,
        "type": env.type,
        "type_version": env.type_version,
        "sender_alias": env.sender_alias,
        "sender_id": env.sender_id,
        "receiver_alias": env.receiver_alias,
        "receiver_id": env.receiver_id,
        "findings": [_finding_json(f) for f in report.findings],
        "documents": [_document_json(d) for d in report.documents],
    }


def _signature_lines(name: str, report: SignatureReport | None, language: Language) -> list[str]:
    if report is None:
        return [f"{name}: {text('sig.absent', language)}"]
    state = text("sig.valid" if report.valid else "sig.invalid", language)
    lines = [f"{name}: {state}"]
    signer = report.signer
    if signer is not None:
        kind = text(f"kind.{signer.kind.value}", language)
        when = report.signing_time.isoformat(timespec="seconds") if report.signing_time else "?"
        lines.append(
            f"  {text('sig.signed_by', language)}: {signer.display_name} "
            f"({signer.tax_id_kind or 'VKN/TCKN'} {signer.tax_id or '?'}, {kind}), {when}"
        )
    if report.expected_signer is not None:
        verdict = text("sig.matches" if report.signer_matches else "sig.mismatch", language)
        lines.append(f"  {text('sig.expected', language)}: {report.expected_signer} — {verdict}")
    if report.error is not None:
        lines.append(f"  {text(report.error.message_key, language)} ({report.error_detail})")
    return lines


def _document_lines(report: DocumentReport, language: Language) -> list[str]:
    doc = report.document
    lines = [text("doc.open" if doc.operation is Operation.OPEN else "doc.close", language)]
    service = text("doc.unknown_service", language)
    if doc.service is not None:
        service = doc.service.name_tr if language == "tr" else doc.service.name_en
    customer_type = ""
    if doc.customer_type is not None:
        customer_type = (
            f" ({doc.customer_type.name_tr if language == 'tr' else doc.customer_type.name_en})"
        )
    lines.append(
        f"{text('doc.service', language)}: {service}{customer_type}, "
        f"{text('doc.option_code', language)} {doc.option_code}"
    )
    lines.append(f"{text('doc.integrator', language)}: {doc.integrator_id}")
    lines.append(f"{text('doc.customer', language)}: {doc.customer_name} ({doc.customer_id})")
    lines.append(f"{text('doc.accounts', language)}:")
    lines.extend(f"  {a.role_code or '-'}  {a.alias or '-'}" for a in doc.accounts)
    lines.append(f"{text('doc.created', language)}: {doc.created}")
    lines.extend(_findings_lines(report.findings, language))
    if report.structure_error is not None:
        error = report.structure_error
        lines.append(f"{text('sig.structure', language)}: {text(error.message_key, language)}")
    elif report.signatures is not None:
        lines.extend(_signature_lines(text("sig.main", language), report.signatures.main, language))
        lines.extend(
            _signature_lines(text("sig.counter", language), report.signatures.counter, language)
        )
    return lines


def _findings_lines(findings: tuple[Finding, ...], language: Language) -> list[str]:
    if not findings:
        return [text("doc.rules_ok", language)]
    lines = [text("doc.rules_failed", language, count=len(findings))]
    for finding in findings:
        message = finding.message_tr if language == "tr" else finding.message_en
        lines.append(f"  - {message}  [{finding.code}]")
    return lines


def render_report(report: DocumentReport | EnvelopeReport, language: Language) -> str:
    """The human form of a verification report."""
    if isinstance(report, DocumentReport):
        lines = _document_lines(report, language)
    else:
        env = report.envelope
        lines = [
            f"{text('envelope.header', language)}: {env.type} {env.instance_id} "
            f"(TypeVersion {env.type_version})",
            f"{text('envelope.sender', language)}: {env.sender_alias} / {env.sender_id}",
            f"{text('envelope.receiver', language)}: {env.receiver_alias} / {env.receiver_id}",
            *_findings_lines(report.findings, language),
        ]
        for number, document in enumerate(report.documents, start=1):
            lines.append(text("envelope.document", language, n=number) + ":")
            lines.extend("  " + line for line in _document_lines(document, language))
    lines.append(text("result.valid" if report.valid else "result.invalid", language))
    return "\n".join(lines)


def run_verify(options: argparse.Namespace, loaded: LoadedSettings, language: Language) -> int:
    """Run ``signer-app verify``; 0 only when everything is valid."""
    from signer_app.launch import integrator_pin  # noqa: PLC0415 - composition root

    report = verify(Path(options.file).read_bytes(), pin=integrator_pin(loaded))
    if options.json:
        json.dump(report_json(report), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(render_report(report, language))
    return EXIT_OK if report.valid else EXIT_INVALID


# -- countersign ------------------------------------------------------------------------


def _pick_certificate(
    service: TokenService, modules: list[str] | None, slot: int | None, customer_id: str
) -> TokenCertificate | None:
    choices = certificate_choices(
        service, customer_id, at=datetime.now(UTC), modules=modules, slot=slot
    )
    preselected = [c for c in choices if c.preselected]
    return preselected[0].certificate if preselected else None


def _ask_pin(
    service: TokenService, cert: TokenCertificate, language: Language
) -> tuple[str | None, bool]:
    slot = service.slot(cert.module, cert.slot_id)
    token = slot.token
    assert token is not None
    if token.pin_status is PinStatus.LOCKED:
        raise PinLockedError("the card reports its PIN locked", status=PinStatus.LOCKED)
    confirmed = False
    if token.pin_status is PinStatus.FINAL_TRY:
        answer = input(text("cs.final_try", language))
        if answer.strip().casefold() != text("cs.confirm_word", language).casefold():
            raise SystemExit(text("cs.cancelled", language))
        confirmed = True
    if token.protected_authentication_path:
        print(text("cs.pinpad", language), file=sys.stderr)
        return None, confirmed
    return getpass.getpass(text("cs.pin_prompt", language, label=token.label)), confirmed


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _describe(info: CertificateInfo | None, language: Language) -> str:
    if info is None:
        return "?"
    return f"{info.display_name} ({info.tax_id}, {text(f'kind.{info.kind.value}', language)})"


def run_countersign(options: argparse.Namespace, loaded: LoadedSettings, language: Language) -> int:
    """Run ``signer-app countersign``: check, choose the card certificate, one PIN, sign, verify."""
    from signer_app.launch import build_token_service, integrator_pin  # noqa: PLC0415

    source, out = Path(options.file), Path(options.out)
    if out.exists() and not options.force:
        print(text("cs.exists", language, out=out), file=sys.stderr)
        return EXIT_ERROR
    data = source.read_bytes()
    # Refuse a document that cannot be signed before anyone types a PIN.
    pin = integrator_pin(loaded)
    document, _ = require_signable(data, pin=pin)
    customer_id = _customer(document)
    service = build_token_service(
        loaded, command_line_modules=[options.module] if options.module else []
    )
    try:
        modules = (
            [options.module]
            if options.module
            else [c.path for c in service.candidate_modules() if c.exists]
        )
        cert = _pick_certificate(service, modules, options.slot, customer_id)
        if cert is None:
            print(text("cs.no_certificate", language, customer=customer_id), file=sys.stderr)
            return EXIT_ERROR
        print(f"{text('cs.using', language)}: {_describe(cert.info, language)}", file=sys.stderr)
        secret, confirmed = _ask_pin(service, cert, language)
        if secret is not None:
            register_secret(secret)
        try:
            service.login(cert.module, cert.slot_id, secret, confirm_final_try=confirmed)
        finally:
            if secret is not None:
                forget_secret(secret)
            del secret
        try:
            key = service.private_key(cert)
            result = countersign(
                data, key, x509.load_der_x509_certificate(cert.object.der), pin=pin
            )
        finally:
            service.logout(cert.module, cert.slot_id)
    finally:
        service.close()
    _write_atomically(out, result.data)
    print(text("cs.done", language, out=out))
    return EXIT_OK


def _customer(document: UserDocument) -> str:
    assert document.customer_id is not None  # require_signable guarantees it
    return document.customer_id


# -- demo --------------------------------------------------------------------------------------


_DEMO_NO_DISPLAY: Final[dict[str, str]] = {
    "tr": "Ekran yok: demo sihirbazsız (--unattended) çalıştırılıyor",
    "en": "No display: running the demo unattended (--unattended)",
}


def run_demo(
    options: argparse.Namespace, language: Language, loaded: LoadedSettings | None = None
) -> int:
    """Run ``signer-app demo``: the wizard on the demo, or the whole job unattended.

    Without ``--unattended`` the wizard opens on the demo's contract, portal
    and test seal; with no display it falls back to the unattended run.
    The unattended run returns 0 when every service ended Aktif.
    """
    from signer_app.demo import run_unattended  # noqa: PLC0415 - loads the reference portal
    from signer_app.launch import display_available  # noqa: PLC0415

    if not options.unattended:
        if display_available():
            return _run_demo_window(options, loaded)
        print(_DEMO_NO_DISPLAY[language], file=sys.stderr)

    def certificate(choice: CertificateChoice) -> None:
        print(
            f"{text('demo.certificate', language)}: {_describe(choice.certificate.info, language)}"
        )

    def result(item: ItemResult) -> None:
        operation = text("demo.open" if item.operation == "open" else "demo.close", language)
        if item.outcome is Outcome.SUCCESS:
            print(text("demo.success", language, service=item.service_name, operation=operation))
        else:
            reason = text(item.error.message_key, language) if item.error else "?"
            print(
                text(
                    "demo.failure",
                    language,
                    service=item.service_name,
                    operation=operation,
                    reason=reason,
                )
            )

    def status(service: str, state: Status) -> None:
        gib = f" {state.gib}" if state.gib else ""
        print(text("demo.status", language, service=service, label=state.label, gib=gib))

    outcome = run_unattended(
        Path(options.work) if options.work else None,
        on_certificate=certificate,
        on_result=result,
        on_status=status,
    )
    return EXIT_OK if outcome.all_active else EXIT_INVALID


def _run_demo_window(options: argparse.Namespace, loaded: LoadedSettings | None) -> int:
    from signer_app.config import load_settings  # noqa: PLC0415
    from signer_app.launch import demo_session, run_gui  # noqa: PLC0415 - loads Qt

    settings = loaded or load_settings()
    with demo_session(Path(options.work) if options.work else None) as (session, contract):
        return run_gui([str(contract)], settings, session)
