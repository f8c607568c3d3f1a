"""Probing a PKCS#11 module: does it load here, and what does it see.

"Kartımı bul" and ``signer-app tokens`` probe every candidate module and
explain each outcome, so that a person can tell a missing driver from a
32/64-bit mismatch from an empty reader.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from signer_app.token.api import SlotInfo, TokenBackend
from signer_app.token.binfmt import BinaryInfo, is_compatible, read_binary_info
from signer_app.token.errors import (
    ModuleLoadError,
    TokenError,
    TokenHostCrashedError,
    TokenTimeoutError,
)
from signer_app.token.loaderr import LoadFailure, classify_load_failure, find_missing_dependency

__all__ = ["ProbeOutcome", "ProbeResult", "probe_module"]


class ProbeOutcome(Enum):
    """What happened when a module was tried."""

    LOADED = "loaded"
    FILE_MISSING = "file_missing"
    NOT_PKCS11 = "not_pkcs11"
    MISSING_DEPENDENCY = "missing_dependency"
    WRONG_ARCHITECTURE = "wrong_architecture"
    PERMISSION_DENIED = "permission_denied"
    INIT_REJECTED = "init_rejected"
    NO_SLOTS = "no_slots"
    NO_TOKEN = "no_token"  # noqa: S105 - not a password
    #: The module crashed or hung while being tried.
    FAILED = "failed"


_FROM_LOAD_FAILURE = {
    LoadFailure.FILE_MISSING: ProbeOutcome.FILE_MISSING,
    LoadFailure.NOT_PKCS11: ProbeOutcome.NOT_PKCS11,
    LoadFailure.MISSING_DEPENDENCY: ProbeOutcome.MISSING_DEPENDENCY,
    LoadFailure.WRONG_ARCHITECTURE: ProbeOutcome.WRONG_ARCHITECTURE,
    LoadFailure.PERMISSION_DENIED: ProbeOutcome.PERMISSION_DENIED,
    LoadFailure.UNKNOWN: ProbeOutcome.NOT_PKCS11,
}


@dataclass(frozen=True)
class ProbeResult:
    """The outcome of probing one module, with what it saw when it loaded."""

    path: str
    outcome: ProbeOutcome
    #: Technical detail (loader message, ``CKR_*`` name); not for end users as is.
    detail: str = ""
    binary: BinaryInfo | None = None
    missing_dependency: str | None = None
    module_info: dict[str, str] = field(default_factory=dict)
    slots: tuple[SlotInfo, ...] = ()
    #: Certificates found per slot id, for slots whose token could be read.
    certificate_counts: dict[int, int] = field(default_factory=dict)

    @property
    def loaded(self) -> bool:
        """Whether the module loaded and initialised (whatever it then saw)."""
        return self.outcome in (ProbeOutcome.LOADED, ProbeOutcome.NO_SLOTS, ProbeOutcome.NO_TOKEN)

    @property
    def token_count(self) -> int:
        """How many slots hold a token."""
        return sum(1 for s in self.slots if s.token_present)

    @property
    def certificate_count(self) -> int:
        """How many certificates the tokens hold altogether."""
        return sum(self.certificate_counts.values())


def probe_module(path: str, open_backend: Callable[[str], TokenBackend]) -> ProbeResult:
    """Try ``path`` and describe the outcome; never raises for a bad module.

    :param open_backend: loads the module (in the token host process, normally)
        and returns a backend that stays open for the caller's later use.
    """
    if not os.path.isfile(path):
        return ProbeResult(path, ProbeOutcome.FILE_MISSING)
    try:
        binary = read_binary_info(path)
    except OSError as exc:
        return ProbeResult(path, ProbeOutcome.PERMISSION_DENIED, detail=exc.strerror or "")
    if binary.format == "unknown":
        return ProbeResult(path, ProbeOutcome.NOT_PKCS11, binary=binary)
    if is_compatible(binary) is False:
        return ProbeResult(path, ProbeOutcome.WRONG_ARCHITECTURE, binary=binary)
    try:
        backend = open_backend(path)
    except ModuleLoadError as exc:
        if exc.context.get("initialize"):
            return ProbeResult(path, ProbeOutcome.INIT_REJECTED, detail=exc.detail, binary=binary)
        failure = classify_load_failure(path, exc.detail, binary=binary)
        return ProbeResult(
            path,
            _FROM_LOAD_FAILURE[failure],
            detail=exc.detail,
            binary=binary,
            missing_dependency=find_missing_dependency(exc.detail),
        )
    except (TokenHostCrashedError, TokenTimeoutError) as exc:
        return ProbeResult(path, ProbeOutcome.FAILED, detail=exc.detail, binary=binary)
    try:
        info = backend.module_info()
        slots = tuple(backend.slots())
        counts: dict[int, int] = {}
        for slot in slots:
            if slot.token_present:
                try:
                    counts[slot.slot_id] = len(backend.certificates(slot.slot_id))
                except TokenError:
                    # A token that cannot be read still counts as present.
                    continue
    except TokenError as exc:
        return ProbeResult(path, ProbeOutcome.FAILED, detail=exc.detail, binary=binary)
    if not slots:
        outcome = ProbeOutcome.NO_SLOTS
    elif not any(s.token_present for s in slots):
        outcome = ProbeOutcome.NO_TOKEN
    else:
        outcome = ProbeOutcome.LOADED
    return ProbeResult(
        path, outcome, binary=binary, module_info=info, slots=slots, certificate_counts=counts
    )
