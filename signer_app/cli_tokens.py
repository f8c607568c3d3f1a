"""``signer-app tokens``: every module probed, with readers, cards and certificates."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from signer_app.cli import EXIT_NO_TOKEN, EXIT_OK
from signer_app.cli_texts import Language, text
from signer_app.config import LoadedSettings
from signer_app.errors import SignerAppError
from signer_app.token.api import SlotInfo
from signer_app.token.binfmt import current_architecture
from signer_app.token.catalogue import ModuleCandidate, ModuleSource
from signer_app.token.probe import ProbeOutcome, ProbeResult
from signer_app.token.report import binary_facts, certificate_facts
from signer_app.token.service import TokenService

__all__ = ["render_token_report", "run_tokens", "token_report"]


def run_tokens(options: argparse.Namespace, loaded: LoadedSettings, language: Language) -> int:
    """Run ``signer-app tokens``; return the exit status."""
    from signer_app.launch import build_token_service  # noqa: PLC0415 - composition root

    service = build_token_service(loaded, command_line_modules=options.module)
    try:
        report = token_report(service, only=options.module, customer_id=options.customer)
    finally:
        service.close()
    if options.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(render_token_report(report, language))
    return EXIT_OK if report["summary"]["tokens"] else EXIT_NO_TOKEN


def token_report(
    service: TokenService,
    *,
    only: Sequence[str] = (),
    customer_id: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Probe the modules and describe everything found, as JSON-ready data.

    :param only: probe these module paths only; default every candidate.
    :param customer_id: the VKN/TCKN to judge certificates against.
    """
    at = at or datetime.now(UTC)
    candidates = service.candidate_modules()
    if only:
        wanted = set(only)
        candidates = [
            c for c in candidates if c.path in wanted and c.source is ModuleSource.COMMAND_LINE
        ]
    modules = []
    for candidate in candidates:
        result = service.probe(candidate.path)
        modules.append(_module_json(service, candidate, result, customer_id, at))
    tokens = sum(1 for m in modules for s in m["slots"] if s["token"] and s["token"]["initialized"])
    return {
        "format": "signer-app-tokens",
        "version": 1,
        "checked_at": at.isoformat(),
        "customer_id": customer_id,
        "program_architecture": current_architecture(),
        "modules": modules,
        "summary": {
            "modules": len(modules),
            "loaded": sum(1 for m in modules if m["loaded"]),
            "tokens": tokens,
            "certificates": sum(len(s["certificates"]) for m in modules for s in m["slots"]),
        },
    }


def _module_json(
    service: TokenService,
    candidate: ModuleCandidate,
    result: ProbeResult,
    customer_id: str | None,
    at: datetime,
) -> dict[str, Any]:
    binary = result.binary
    return {
        "path": candidate.path,
        "name": candidate.display_name,
        "source": candidate.source.value,
        "default": bool(candidate.entry and candidate.entry.default),
        "exists": candidate.exists,
        "outcome": result.outcome.value,
        "loaded": result.loaded,
        "detail": result.detail,
        "missing_dependency": result.missing_dependency,
        "architecture": binary_facts(binary),
        "module_info": result.module_info,
        "slots": [_slot_json(service, candidate.path, s, customer_id, at) for s in result.slots],
    }


def _slot_json(
    service: TokenService, module: str, slot: SlotInfo, customer_id: str | None, at: datetime
) -> dict[str, Any]:
    token = slot.token
    certificates: list[dict[str, Any]] = []
    error = None
    initialized = bool(token and token.initialized)
    if slot.token_present and initialized:
        try:
            certificates = [
                certificate_facts(c, customer_id, at)
                for c in service.certificates(module, slot.slot_id)
            ]
        except SignerAppError as exc:
            error = exc.message_key
    return {
        "slot_id": slot.slot_id,
        "description": slot.description,
        "manufacturer": slot.manufacturer,
        "flags": slot.flags,
        "token_present": slot.token_present,
        "hardware": slot.hardware,
        "removable": slot.removable,
        "token": None
        if token is None
        else {
            "label": token.label,
            "serial": token.serial,
            "manufacturer": token.manufacturer,
            "model": token.model,
            "flags": token.flags,
            "initialized": initialized,
            "login_required": token.login_required,
            "protected_authentication_path": token.protected_authentication_path,
            "pin_status": token.pin_status.value,
        },
        "certificates": certificates,
        "certificate_error": error,
    }


def _outcome_text(module: dict[str, Any], language: Language, program_arch: str) -> str:
    outcome = ProbeOutcome(module["outcome"])
    values: dict[str, object] = {"detail": module["detail"]}
    if outcome is ProbeOutcome.MISSING_DEPENDENCY:
        dep = module["missing_dependency"]
        values = {"dep": f" ({dep})" if dep else ""}
    elif outcome is ProbeOutcome.WRONG_ARCHITECTURE:
        arch = module["architecture"] or {}
        values = {"lib": "/".join(arch.get("architectures", [])) or "?", "prog": program_arch}
    return text(f"probe.{outcome.value}", language, **values)


def render_token_report(report: dict[str, Any], language: Language = "tr") -> str:
    """The human form of :func:`token_report`."""
    lines: list[str] = []
    missing: list[str] = []
    if report["customer_id"]:
        lines.append(f"{text('customer', language)}: {report['customer_id']}")
    for module in report["modules"]:
        if module["outcome"] == ProbeOutcome.FILE_MISSING.value and module["source"] == "catalogue":
            missing.append(module["path"])
            continue
        lines.append(f"{text('module', language)}: {module['path']}  [{module['name']}]")
        lines.append(
            f"  {text('outcome', language)}: "
            f"{_outcome_text(module, language, report['program_architecture'])}"
        )
        for slot in module["slots"]:
            lines.extend(_render_slot(slot, language))
    if missing:
        lines.append(f"{text('missing_modules', language)}: {', '.join(missing)}")
    summary = report["summary"]
    lines.append(
        text(
            "summary",
            language,
            modules=summary["modules"] - len(missing),
            tokens=summary["tokens"],
            certs=summary["certificates"],
        )
    )
    return "\n".join(lines)


def _render_slot(slot: dict[str, Any], language: Language) -> list[str]:
    lines = [f"  {text('slot', language)} {slot['slot_id']}: {slot['description']}"]
    token = slot["token"]
    if token is None:
        return [*lines, f"    {text('no_card', language)}"]
    if not token["initialized"]:
        return [*lines, f"    {text('not_initialised', language)}"]
    pin = text(f"pin.{token['pin_status']}", language)
    lines.append(
        f"    {text('token', language)}: {token['label']} ({text('serial', language)} "
        f"{token['serial']}, {token['manufacturer']}, {token['model']}) — {pin}"
    )
    if token["protected_authentication_path"]:
        lines.append(f"    {text('pinpad', language)}")
    if not slot["certificates"]:
        lines.append(f"    {text('no_certificates', language)}")
        return lines
    lines.append(f"    {text('certificates', language)}:")
    for cert in slot["certificates"]:
        if "error" in cert:
            unreadable = text("certificate.invalid", language)
            lines.append(f"      [{cert['id']}] {cert['label']}: {unreadable}")
            continue
        kind = text(f"kind.{cert['kind']}", language)
        lines.append(f"      [{cert['id'][:16]}] {cert['label']} — {cert['display_name']}")
        lines.append(
            f"        {kind}, {cert['key_algorithm']}, {text('valid', language)} "
            f"{cert['not_before'][:10]} – {cert['not_after'][:10]}, {cert['issuer_cn']}"
        )
        if cert["usable"]:
            lines.append(f"        ✓ {text('usable', language)}")
        else:
            reasons = ", ".join(text(f"reason.{r}", language) for r in cert["reasons"])
            lines.append(f"        ✗ {text('unusable', language)}: {reasons}")
    return lines
