"""Remembering the web-service password in the operating system's password store.

Only when the user asks for it ("Parolayı hatırla"), the password is kept by
:mod:`keyring`: Windows Credential Manager, the macOS Keychain, or the
Secret Service (GNOME Keyring, KWallet) on Linux. One entry per portal and
company: the service name is ``signer-app:<portal host>`` (with the port when
it is not the default one) and the user name is the VKN/TCKN.

There is no fallback: when no secure store is available (no backend, a
locked store, a headless machine, or only a plain-file or registry backend
from ``keyrings.alt`` or the null backend) every function raises
:class:`~signer_app.portal_api.errors.CredentialStoreError` and the password
is simply not remembered. The password is never written to a file by this
program.

Every password that passes through here is given to
:func:`signer_app.logs.register_secret` first.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

import keyring
import keyring.backend
import keyring.errors

from signer_app.logs import redact, register_secret
from signer_app.portal_api import _wire
from signer_app.portal_api._hosts import host_label
from signer_app.portal_api.errors import CredentialStoreError, InvalidRequestError

__all__ = [
    "SERVICE_PREFIX",
    "credential_service_name",
    "forget_password",
    "recall_password",
    "remember_password",
]

#: The first part of every keyring service name this program uses.
SERVICE_PREFIX: Final = "signer-app"

# Backends that do not keep a secret securely: plain or weakly encrypted
# files and registry values (keyrings.alt), and those that store nothing.
_REFUSED_MODULES: Final = ("keyrings.alt",)
_REFUSED_BACKENDS: Final = ("keyring.backends.null.Keyring", "keyring.backends.fail.Keyring")


def credential_service_name(portal_url: str) -> str:
    """Return the keyring service name for a portal.

    :param portal_url: the portal API address.
    :returns: e.g. ``signer-app:portal.example.com.tr`` or ``signer-app:127.0.0.1:8443``.
    :raises ValueError: the URL has no host.
    """
    parts = urlsplit(portal_url.strip())
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValueError("the portal URL has no host")
    return f"{SERVICE_PREFIX}:{host_label(host, parts.port, parts.scheme.lower())}"


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _refusal(backend: keyring.backend.KeyringBackend) -> str | None:
    """Return why ``backend`` may not hold the password, or ``None``."""
    name = _backend_name(backend)
    if name == "keyring.backends.fail.Keyring":
        return "no_backend"
    if name in _REFUSED_BACKENDS or name.startswith(_REFUSED_MODULES):
        return "insecure_backend"
    members = getattr(backend, "backends", None)
    if isinstance(members, list | tuple):
        # The chainer writes to the first member that works: every member
        # must be acceptable, or a locked keyring would fall back to a file.
        secure = [m for m in members if isinstance(m, keyring.backend.KeyringBackend)]
        if not secure:
            return "no_backend"
        for member in secure:
            reason = _refusal(member)
            if reason is not None:
                return reason
    return None


def _store() -> keyring.backend.KeyringBackend:
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - any backend start-up failure means "no store"
        raise CredentialStoreError(
            f"the password store cannot be opened ({type(exc).__name__})", reason="no_backend"
        ) from None
    reason = _refusal(backend)
    if reason == "no_backend":
        raise CredentialStoreError(
            "there is no password store on this computer (keyring found no backend)",
            reason=reason,
            backend=_backend_name(backend),
        )
    if reason is not None:
        raise CredentialStoreError(
            f"the password store {_backend_name(backend)} is not secure; "
            "passwords are not remembered with it",
            reason=reason,
            backend=_backend_name(backend),
        )
    return backend


def _failure(action: str, exc: Exception) -> CredentialStoreError:
    if isinstance(exc, keyring.errors.KeyringLocked):
        reason = "locked"
    elif isinstance(exc, keyring.errors.NoKeyringError):
        reason = "no_backend"
    else:
        reason = "failed"
    # The backend's text, masked: it should not hold the password, but may.
    text = redact(str(exc)) or type(exc).__name__
    return CredentialStoreError(f"the password store could not {action} ({text})", reason=reason)


def _check_user(user: str) -> None:
    if not _wire.TAX_ID.fullmatch(user):
        raise InvalidRequestError(
            "the user must be a 10-digit VKN or an 11-digit TCKN", field="user"
        )


def remember_password(portal_url: str, user: str, password: str) -> None:
    """Store the web-service password for a portal and company.

    :param portal_url: the portal API address.
    :param user: the VKN/TCKN.
    :param password: the web-service password (not empty).
    :raises CredentialStoreError: there is no secure store, it is locked, or it failed.
    :raises InvalidRequestError: ``user`` is not a VKN/TCKN or the password is empty.
    """
    register_secret(password)
    _check_user(user)
    if not password:
        raise InvalidRequestError("the password is empty", field="password")
    service = credential_service_name(portal_url)
    backend = _store()
    try:
        backend.set_password(service, user, password)
    except Exception as exc:  # noqa: BLE001 - every backend failure becomes one error
        raise _failure("save the password", exc) from None


def recall_password(portal_url: str, user: str) -> str | None:
    """Return the remembered password for a portal and company.

    :param portal_url: the portal API address.
    :param user: the VKN/TCKN.
    :returns: the password, or ``None`` when none is remembered.
    :raises CredentialStoreError: there is no secure store, it is locked, or it failed.
    :raises InvalidRequestError: ``user`` is not a VKN/TCKN.
    """
    _check_user(user)
    service = credential_service_name(portal_url)
    backend = _store()
    try:
        password = backend.get_password(service, user)
    except Exception as exc:  # noqa: BLE001 - every backend failure becomes one error
        raise _failure("read the password", exc) from None
    if password is not None:
        register_secret(password)
    return password or None


def forget_password(portal_url: str, user: str) -> None:
    """Remove the remembered password; nothing happens when none is stored.

    :param portal_url: the portal API address.
    :param user: the VKN/TCKN.
    :raises CredentialStoreError: there is no secure store, it is locked, or it failed.
    :raises InvalidRequestError: ``user`` is not a VKN/TCKN.
    """
    _check_user(user)
    service = credential_service_name(portal_url)
    backend = _store()
    try:
        backend.delete_password(service, user)
    except keyring.errors.PasswordDeleteError:
        # Raised both for "not stored" and for a real failure: tell them apart.
        try:
            still_there = backend.get_password(service, user) is not None
        except Exception as exc:  # noqa: BLE001 - every backend failure becomes one error
            raise _failure("remove the password", exc) from None
        if still_there:
            raise CredentialStoreError(
                "the password store could not remove the password", reason="failed"
            ) from None
    except Exception as exc:  # noqa: BLE001 - every backend failure becomes one error
        raise _failure("remove the password", exc) from None
