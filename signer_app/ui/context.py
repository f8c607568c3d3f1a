"""What the wizard is given: the layers it drives and the settings it starts from."""

from __future__ import annotations

from dataclasses import dataclass
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
    """Everything the wizard needs; widgets never touch these directly, workers do."""

    tokens: TokenService
    journal: Journal
    #: Makes the portal client for the address on the Giriş page.
    make_client: Callable[[str], PortalClient]
    contract: Contract | None = None
    #: The portal address from the contract file or machine policy.
    portal_url: str | None = None
    #: Whether policy lets the user change the address.
    url_editable: bool = True
    #: Restrict the card libraries offered (the demo's SoftHSM); None: the catalogue.
    modules: Sequence[str] | None = None
    prefill_user: str | None = None
    #: Demo only.
    prefill_password: str | None = None
    #: Demo only, never in production.
    prefill_pin: str | None = None
