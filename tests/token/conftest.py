"""Fixtures for the token layer tests: services over SoftHSM2 and the fault module."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from signer_app.testpki.manifest import Manifest
from signer_app.token.api import BackendName
from signer_app.token.host_client import Timeouts
from signer_app.token.service import Isolation, ServiceOptions, TokenService
from tests.support.faultmodule import FaultConfig, build_fault_module, fault_env

ServiceFactory = Callable[..., TokenService]


@pytest.fixture(scope="session")
def fault_module() -> Path:
    """The fault-injection module, built once per session with the system compiler."""
    return build_fault_module()


@pytest.fixture
def make_service() -> Iterator[ServiceFactory]:
    """Build token services; every one is closed (hosts stopped) after the test."""
    made: list[TokenService] = []

    def make(
        backend: BackendName = BackendName.PKCS11,
        isolation: Isolation = Isolation.PROCESS,
        env: dict[str, str] | None = None,
        timeouts: Timeouts | None = None,
    ) -> TokenService:
        options = ServiceOptions(
            backend=backend,
            isolation=isolation,
            timeouts=timeouts or Timeouts(),
            host_env={**os.environ, **(env or {})},
        )
        service = TokenService(options)
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()


@pytest.fixture
def fault_config(tmp_path: Path, softhsm: Manifest) -> Callable[..., dict[str, str]]:
    """Write a fault configuration for this test and return the host environment for it."""
    path = tmp_path / "faultp11.conf"

    def configure(**faults: object) -> dict[str, str]:
        FaultConfig(target=Path(softhsm.module_path), **faults).write(path)  # type: ignore[arg-type]
        return fault_env(path)

    return configure
