"""Fixtures of the portal client tests: TLS material, stub portals, a recording sleep."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from signer_app.logs import forget_all_secrets
from tests.portal_api.stub_portal import StubPortal
from tests.portal_api.tlsutil import TlsFiles, make_tls_files


class SleepRecorder:
    """Stands in for ``time.sleep``: records the waits, waits for none."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def stub() -> Iterator[StubPortal]:
    portal = StubPortal()
    yield portal
    portal.stop()


@pytest.fixture
def tls_stub(tls_files: TlsFiles) -> Iterator[StubPortal]:
    portal = StubPortal(tls=tls_files.server_context())
    yield portal
    portal.stop()


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    yield
    forget_all_secrets()


@pytest.fixture
def ca_file(tls_files: TlsFiles) -> Path:
    return tls_files.ca_cert
