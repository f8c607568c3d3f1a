"""PINs never reach logs, error texts or reprs, even with debug logging on.

The scan does not rely on the log redaction: no PIN is registered as a
secret here, so a PIN found in a file means some code wrote it.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from signer_app.logs import close_logging, configure_logging
from signer_app.testpki.manifest import Manifest
from signer_app.token.api import BackendName
from signer_app.token.errors import PinIncorrectError
from signer_app.token.host_client import Timeouts
from signer_app.token.service import Isolation, ServiceOptions, TokenService

pytestmark = pytest.mark.softhsm

SECRET_PIN = "Gizli-PIN-8Qz4"
WRONG_PIN = "Yanlis-PIN-3Kv7"


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    log_dir = tmp_path / "logs"
    configure_logging(level="DEBUG", console=False, log_dir=log_dir)
    yield log_dir
    close_logging()


@pytest.mark.parametrize("backend", list(BackendName))
def test_no_pin_in_logs_errors_or_reprs(
    softhsm_copy: Manifest, debug_log: Path, tmp_path: Path, backend: BackendName
) -> None:
    token = softhsm_copy.tokens[0]
    env = {**os.environ, **softhsm_copy.env()}
    service = TokenService(
        ServiceOptions(
            backend=backend, isolation=Isolation.PROCESS, timeouts=Timeouts(), host_env=env
        )
    )
    try:
        module = softhsm_copy.module_path
        slot_id = next(
            s.slot_id for s in service.slots(module) if s.token and s.token.label == token.label
        )
        subprocess.run(
            [
                "pkcs11-tool",
                "--module",
                module,
                "--slot",
                str(slot_id),
                "--login",
                "--pin",
                token.user_pin,
                "--change-pin",
                "--new-pin",
                SECRET_PIN,
            ],
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        service.release(module)  # SoftHSM reads the new PIN in a fresh host
        with pytest.raises(PinIncorrectError) as wrong:
            service.login(module, slot_id, WRONG_PIN)
        service.login(module, slot_id, SECRET_PIN)
        cert = next(c for c in service.certificates(module, slot_id) if c.label.endswith("SIGN0"))
        key = service.private_key(cert)
        assert isinstance(key, rsa.RSAPrivateKey)
        key.sign(b"veri", padding.PKCS1v15(), hashes.SHA256())
        service.logout(module, slot_id)
        texts = [str(wrong.value), repr(wrong.value), repr(wrong.value.context), repr(key)]
    finally:
        service.close()
    logging.getLogger().handlers[0].flush()

    for text in texts:
        assert SECRET_PIN not in text and WRONG_PIN not in text
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "softhsm" not in p.parts[-3:]]
    assert any(p.parent == debug_log for p in written)
    assert any("token-host" in p.read_text(errors="replace") for p in debug_log.iterdir())
    for path in written:
        data = path.read_bytes()
        for pin in (SECRET_PIN, WRONG_PIN):
            assert pin.encode() not in data, f"{pin!r} found in {path}"
