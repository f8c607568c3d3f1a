"""The PKCS#11 section: each module's probe, its readers, token flags and certificates."""

from __future__ import annotations

import logging
import platform
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from signer_app.config import LoadedSettings
from signer_app.diagnose._common import error_text

if TYPE_CHECKING:
    from signer_app.token.api import SlotInfo
    from signer_app.token.service import TokenService

__all__ = ["tokens_section"]

_log = logging.getLogger(__name__)


# PKCS#11 flag names, for the report (CK_SLOT_INFO.flags, CK_TOKEN_INFO.flags).
_SLOT_FLAGS: Final = {0x1: "TOKEN_PRESENT", 0x2: "REMOVABLE_DEVICE", 0x4: "HW_SLOT"}
_TOKEN_FLAGS: Final = {
    0x1: "RNG",
    0x2: "WRITE_PROTECTED",
    0x4: "LOGIN_REQUIRED",
    0x8: "USER_PIN_INITIALIZED",
    0x20: "RESTORE_KEY_NOT_NEEDED",
    0x40: "CLOCK_ON_TOKEN",
    0x100: "PROTECTED_AUTHENTICATION_PATH",
    0x200: "DUAL_CRYPTO_OPERATIONS",
    0x400: "TOKEN_INITIALIZED",
    0x800: "SECONDARY_AUTHENTICATION",
    0x10000: "USER_PIN_COUNT_LOW",
    0x20000: "USER_PIN_FINAL_TRY",
    0x40000: "USER_PIN_LOCKED",
    0x80000: "USER_PIN_TO_BE_CHANGED",
    0x100000: "SO_PIN_COUNT_LOW",
    0x200000: "SO_PIN_FINAL_TRY",
    0x400000: "SO_PIN_LOCKED",
    0x800000: "SO_PIN_TO_BE_CHANGED",
    0x1000000: "ERROR_STATE",
}


def _flag_names(flags: int, names: Mapping[int, str]) -> list[str]:
    return [name for bit, name in names.items() if flags & bit]


def tokens_section(
    loaded: LoadedSettings | None,
    modules: Sequence[str],
    tokens: TokenService | None,
    customer_id: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Each PKCS#11 module's probe, its readers, token flags and certificates."""
    from signer_app.token.binfmt import current_architecture  # noqa: PLC0415

    own = tokens is None
    if tokens is None:
        if loaded is not None:
            from signer_app.launch import build_token_service  # noqa: PLC0415 - composition root

            tokens = build_token_service(loaded, command_line_modules=modules)
        else:
            from signer_app.token.catalogue import ModuleSource  # noqa: PLC0415
            from signer_app.token.service import TokenService  # noqa: PLC0415

            tokens = TokenService(
                extra_modules=[(path, ModuleSource.COMMAND_LINE) for path in modules]
            )
    else:
        for path in modules:
            tokens.add_module(path)
    try:
        result: dict[str, Any] = {
            "program_architecture": current_architecture(),
            "isolation": tokens.options.isolation.value,
            "binding": tokens.options.backend.value,
            "pcsc": _pcsc_state(),
            "modules": [],
        }
        seen: set[str] = set()
        for candidate in tokens.candidate_modules():
            if candidate.path in seen:
                continue
            seen.add(candidate.path)
            result["modules"].append(_module_entry(tokens, candidate, customer_id, now))
        return result
    finally:
        if own:
            tokens.close()


def _pcsc_state() -> dict[str, Any]:
    """Whether the smart-card service looks available (readers live behind it)."""
    system = platform.system()
    if system == "Linux":
        socket_path = Path("/run/pcscd/pcscd.comm")
        return {"service": "pcscd", "socket": str(socket_path), "present": socket_path.exists()}
    return {"service": "SCardSvr" if system == "Windows" else "system", "present": None}


def _module_entry(
    tokens: TokenService, candidate: Any, customer_id: str | None, now: datetime
) -> dict[str, Any]:
    from signer_app.token.report import binary_facts  # noqa: PLC0415

    entry: dict[str, Any] = {
        "path": candidate.path,
        "name": candidate.display_name,
        "source": candidate.source.value,
        "exists": candidate.exists,
    }
    try:
        probe = tokens.probe(candidate.path)
    except Exception as exc:  # noqa: BLE001 - one module must not end the section
        _log.warning("probing %s failed", candidate.path, exc_info=True)
        return {**entry, "outcome": "error", "detail": error_text(exc), "slots": []}
    binary = probe.binary
    entry.update(
        {
            "outcome": probe.outcome.value,
            "detail": probe.detail,
            "missing_dependency": probe.missing_dependency,
            "binary": binary_facts(binary),
            "module_info": dict(probe.module_info),
            "slots": [
                _slot_entry(tokens, candidate.path, slot, customer_id, now) for slot in probe.slots
            ],
        }
    )
    return entry


def _slot_entry(
    tokens: TokenService, module: str, slot: SlotInfo, customer_id: str | None, now: datetime
) -> dict[str, Any]:
    from signer_app.token.report import certificate_facts  # noqa: PLC0415

    entry: dict[str, Any] = {
        "slot_id": slot.slot_id,
        "description": slot.description,
        "manufacturer": slot.manufacturer,
        "flags": _flag_names(slot.flags, _SLOT_FLAGS),
        "token": None,
        "certificates": [],
    }
    token = slot.token
    if token is None:
        return entry
    flags = token.flags
    entry["token"] = {
        "label": token.label,
        "serial": token.serial,
        "manufacturer": token.manufacturer,
        "model": token.model,
        "flags": _flag_names(flags, _TOKEN_FLAGS),
        "initialized": token.initialized,
        "login_required": token.login_required,
        "protected_authentication_path": token.protected_authentication_path,
        "pin_status": token.pin_status.value,
        "pin_count_low": bool(flags & 0x10000),
        "pin_final_try": bool(flags & 0x20000),
        "pin_locked": bool(flags & 0x40000),
    }
    if slot.token_present and token.initialized:
        try:
            entry["certificates"] = [
                certificate_facts(cert, customer_id, now)
                for cert in tokens.certificates(module, slot.slot_id)
            ]
        except Exception as exc:  # noqa: BLE001 - one slot must not end the section
            entry["certificate_error"] = error_text(exc)
    return entry
