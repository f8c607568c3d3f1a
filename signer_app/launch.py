"""Composition root: the only place that picks concrete implementations.

It turns settings into services (today the token service; the portal
client, the flow and the PySide6 window join here in later issues).
"""

from __future__ import annotations

from collections.abc import Sequence

from signer_app.config import LoadedSettings, Source
from signer_app.envelope.xades import IntegratorPin
from signer_app.token.api import BackendName
from signer_app.token.catalogue import ModuleSource
from signer_app.token.host_client import Timeouts
from signer_app.token.service import Isolation, ServiceOptions, TokenService

__all__ = ["build_token_service", "integrator_pin", "token_options"]

_MODULE_SOURCES = {
    Source.POLICY.value: ModuleSource.POLICY,
    Source.INSTALLER.value: ModuleSource.POLICY,
    Source.USER.value: ModuleSource.USER,
    Source.COMMAND_LINE.value: ModuleSource.COMMAND_LINE,
}


def token_options(loaded: LoadedSettings) -> ServiceOptions:
    """The token service's options from the settings."""
    token = loaded.settings.token
    return ServiceOptions(
        backend=BackendName(loaded.settings.pkcs11.backend),
        isolation=Isolation(token.host),
        timeouts=Timeouts(
            initialize=token.timeouts.initialize,
            default=token.timeouts.default,
            login=token.timeouts.login,
            pinpad_login=token.timeouts.pinpad_login,
            sign=token.timeouts.sign,
        ),
    )


def build_token_service(
    loaded: LoadedSettings, *, command_line_modules: Sequence[str] = ()
) -> TokenService:
    """Build the token service with every module path the settings name.

    Order of the extra paths: the command line's, then the default module,
    then the configured list (from policy or the user's settings).
    """
    pkcs11 = loaded.settings.pkcs11
    extra = [(path, ModuleSource.COMMAND_LINE) for path in command_line_modules]
    if pkcs11.default_module:
        source = loaded.sources.get("pkcs11.default_module", Source.USER.value)
        extra.append((pkcs11.default_module, _MODULE_SOURCES.get(source, ModuleSource.USER)))
    source = loaded.sources.get("pkcs11.modules", Source.USER.value)
    extra.extend((path, _MODULE_SOURCES.get(source, ModuleSource.USER)) for path in pkcs11.modules)
    return TokenService(token_options(loaded), extra_modules=extra)


def integrator_pin(loaded: LoadedSettings) -> IntegratorPin | None:
    """The configured pins on the integrator's signature, if any."""
    integrator = loaded.settings.integrator
    if integrator.vkn is None and integrator.certificate_sha256 is None:
        return None
    return IntegratorPin(vkn=integrator.vkn, certificate_sha256=integrator.certificate_sha256)
