"""Remembering the web-service password in the OS keyring.

Headless CI has no OS keyring (keyring picks its ``fail`` backend there), so
these tests install a real in-memory :class:`keyring.backend.KeyringBackend`
with :func:`keyring.set_keyring`; the real Windows/macOS/Secret Service
stores are exercised only by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest

from signer_app.logs import redact
from signer_app.portal_api.credentials import (
    credential_service_name,
    forget_password,
    recall_password,
    remember_password,
)
from signer_app.portal_api.errors import CredentialStoreError, InvalidRequestError, PortalError
from tests.support.keyrings import MemoryKeyring

URL = "https://portal.example.com.tr/api/v1/"
USER = "1234567808"


class LockedKeyring(MemoryKeyring):
    """A keyring the user did not unlock."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


class PlainFileKeyring(MemoryKeyring):
    """Stands for keyrings.alt's plain-text file backend."""


PlainFileKeyring.__module__ = "keyrings.alt.file"


class FakeChainer(MemoryKeyring):
    """A chainer whose members are given."""

    def __init__(self, *members: keyring.backend.KeyringBackend) -> None:
        super().__init__()
        self.backends = list(members)


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


UseBackend = Callable[[keyring.backend.KeyringBackend], None]


@pytest.fixture
def use_backend() -> Iterator[UseBackend]:
    previous = keyring.get_keyring()

    def use(backend: keyring.backend.KeyringBackend) -> None:
        keyring.set_keyring(backend)

    yield use
    keyring.set_keyring(previous)


def test_service_name_is_derived_from_the_host() -> None:
    assert credential_service_name(URL) == "signer-app:portal.example.com.tr"
    assert credential_service_name("https://Portal.Example.com.tr:443/api/v1/") == (
        "signer-app:portal.example.com.tr"
    )
    assert credential_service_name("https://127.0.0.1:8443/api/v1/") == "signer-app:127.0.0.1:8443"
    assert credential_service_name("http://[::1]:8000/api/v1/") == "signer-app:[::1]:8000"
    with pytest.raises(ValueError, match="host"):
        credential_service_name("not a url")


def test_remember_recall_forget(memory: MemoryKeyring) -> None:
    assert recall_password(URL, USER) is None
    remember_password(URL, USER, "gizli-parola-99")
    assert memory.store == {("signer-app:portal.example.com.tr", USER): "gizli-parola-99"}
    assert recall_password(URL, USER) == "gizli-parola-99"
    assert recall_password("https://other.example/api/v1/", USER) is None
    assert recall_password(URL, "9876543210") is None
    forget_password(URL, USER)
    assert recall_password(URL, USER) is None
    forget_password(URL, USER)  # forgetting twice is fine


def test_passwords_are_registered_as_secrets(memory: MemoryKeyring) -> None:
    remember_password(URL, USER, "kayit-parolasi-1")
    assert "kayit-parolasi-1" not in redact("p kayit-parolasi-1")
    memory.store[("signer-app:portal.example.com.tr", "9876543210")] = "okunan-parola-2"
    assert recall_password(URL, "9876543210") == "okunan-parola-2"
    assert "okunan-parola-2" not in redact("okunan-parola-2")


def test_bad_input(memory: MemoryKeyring) -> None:
    with pytest.raises(InvalidRequestError):
        remember_password(URL, "12345", "x")
    with pytest.raises(InvalidRequestError):
        remember_password(URL, USER, "")
    with pytest.raises(InvalidRequestError):
        recall_password(URL, "abc")
    assert memory.store == {}


def test_no_backend_is_a_clear_error(use_backend: UseBackend) -> None:
    use_backend(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    calls: list[Callable[[], object]] = [
        lambda: remember_password(URL, USER, "parola-123"),
        lambda: recall_password(URL, USER),
        lambda: forget_password(URL, USER),
    ]
    for call in calls:
        with pytest.raises(CredentialStoreError) as caught:
            call()
        assert caught.value.context["reason"] == "no_backend"
        assert not caught.value.retriable
        assert isinstance(caught.value, PortalError)


def test_locked_keyring(use_backend: UseBackend, caplog: pytest.LogCaptureFixture) -> None:
    use_backend(LockedKeyring())
    with pytest.raises(CredentialStoreError) as caught:
        remember_password(URL, USER, "kilitli-parola-7")
    assert caught.value.context["reason"] == "locked"
    assert "kilitli-parola-7" not in str(caught.value)
    assert "kilitli-parola-7" not in repr(caught.value)
    with pytest.raises(CredentialStoreError):
        recall_password(URL, USER)
    with pytest.raises(CredentialStoreError):
        forget_password(URL, USER)


@pytest.mark.parametrize(
    "backend",
    [
        PlainFileKeyring(),
        keyring.backends.null.Keyring(),  # type: ignore[no-untyped-call]
        FakeChainer(MemoryKeyring(), PlainFileKeyring()),
    ],
    ids=["plain-file", "null", "chainer-with-file"],
)
def test_insecure_backends_are_refused(use_backend: UseBackend, backend: MemoryKeyring) -> None:
    use_backend(backend)
    with pytest.raises(CredentialStoreError) as caught:
        remember_password(URL, USER, "dosyaya-yazma-3")
    assert caught.value.context["reason"] == "insecure_backend"
    assert getattr(backend, "store", {}) == {}


def test_chainer_of_secure_backends_is_used(use_backend: UseBackend) -> None:
    first = MemoryKeyring()
    use_backend(FakeChainer(first, MemoryKeyring()))
    remember_password(URL, USER, "zincir-parola-4")
    assert recall_password(URL, USER) == "zincir-parola-4"


def test_failing_backend_error_is_masked(use_backend: UseBackend) -> None:
    class Broken(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.PasswordSetError(f"could not store {password}")

    use_backend(Broken())
    with pytest.raises(CredentialStoreError) as caught:
        remember_password(URL, USER, "sizan-parola-5")
    assert caught.value.context["reason"] == "failed"
    assert "sizan-parola-5" not in str(caught.value)
    logging.getLogger("x").debug("%s", caught.value)
