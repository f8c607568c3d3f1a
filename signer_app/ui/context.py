"""What the wizard is given: the layers it drives and the settings it starts from."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from signer_app.flow.journal import Journal
    from signer_app.portal_api.client import PortalClient
    from signer_app.portal_api.contract import Contract
    from signer_app.token.service import TokenService

__all__ = ["WizardContext"]


@dataclass
class WizardContext:
    """Everything the wizard needs; widgets never touch these directly, workers do.

    The token service and the journal are made on first use, on the worker
    thread: the Giriş page is shown without loading the PKCS#11, X.509 and
    SQLite code (``benchmarks/bench_startup.py``).
    """

    #: Makes the token service (called once, on first use).
    make_tokens: Callable[[], TokenService]
    #: Opens the journal (called once, on first use).
    make_journal: Callable[[], Journal]
    #: Makes the portal client for the address on the Giriş page.
    make_client: Callable[[str], PortalClient]
    contract: Contract | None = None
    #: The portal address from the contract file or machine policy.
    portal_url: str | None = None
    #: Whether policy lets the user change the address.
    url_editable: bool = True
    #: Restrict the card libraries offered (the demo's SoftHSM); None: the catalogue.
    modules: Sequence[str] | None = None
    #: How long the reader's PIN-pad waits for the PIN (``token.timeouts.pinpad_login``).
    pinpad_seconds: float = 120.0
    prefill_user: str | None = None
    #: Demo only.
    prefill_password: str | None = None
    #: Demo only, never in production.
    prefill_pin: str | None = None
    _tokens: TokenService | None = field(default=None, init=False, repr=False)
    _journal: Journal | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def tokens(self) -> TokenService:
        """The token service, made on first use."""
        with self._lock:
            if self._tokens is None:
                self._tokens = self.make_tokens()
            return self._tokens

    @property
    def journal(self) -> Journal:
        """The journal, opened on first use."""
        with self._lock:
            if self._journal is None:
                self._journal = self.make_journal()
            return self._journal

    def close(self) -> None:
        """Close the token service and the journal if they were made."""
        with self._lock:
            tokens, self._tokens = self._tokens, None
            journal, self._journal = self._journal, None
        if tokens is not None:
            tokens.close()
        if journal is not None:
            journal.close()
