"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import (
    copy_tokens,
    find_softhsm_module,
    find_softhsm_util,
    provision,
)

# ==== SoftHSM2 test tokens (signer_app.testpki) ==================================
# Fixtures: ``softhsm`` (session) and ``softhsm_copy`` (per test). Keep other
# fixtures outside this block.


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Manifest]:
    """Provision the test tokens once per session and point ``SOFTHSM2_CONF`` at them.

    The variable is set in ``os.environ`` so that every child process (token
    hosts, ``pkcs11-tool``) inherits it; it is restored when the session ends.
    Skips when SoftHSM2 is not installed.
    """
    if find_softhsm_module() is None or find_softhsm_util() is None:
        if os.environ.get("CI"):
            # In CI the set-up script installs SoftHSM2: a skip would hide a broken set-up.
            pytest.fail("SoftHSM2 is missing on CI; scripts/setup.sh should have installed it")
        pytest.skip(
            "SoftHSM2 is not installed: libsofthsm2 and softhsm2-util are needed "
            "(Debian/Ubuntu: apt-get install softhsm2)"
        )
    manifest = provision(tmp_path_factory.mktemp("softhsm"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(manifest.conf_path))
        yield manifest


@pytest.fixture
def softhsm_copy(softhsm: Manifest, tmp_path: Path) -> Manifest:
    """A private copy of the session's tokens, for a test that changes them.

    ``SOFTHSM2_CONF`` still names the session's tokens: a test must load SoftHSM
    in a *fresh* process started with ``softhsm_copy.env()`` to see the copy.
    """
    return copy_tokens(softhsm, tmp_path / "softhsm-copy")


# ==== end SoftHSM2 test tokens ===================================================
