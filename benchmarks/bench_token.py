"""Token layer speed, measured side by side in one run.

1. RSA-2048 signatures on SoftHSM2: direct through python-pkcs11, through the
   token service in this process, and through the token host process.
   Rounds are interleaved so that machine noise hits all three alike.
   Target: the host path adds at most 1 ms per signature over direct (median).
2. A slow card (the fault module adds 300 ms to every C_Sign): one login and
   ten signatures through the host. Target: at most 1.03 × the ten card delays.

Run: ``.venv/bin/python benchmarks/bench_token.py [--rounds N] [--batch N]``.
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(
    0, str(Path(__file__).resolve().parents[1])
)  # the repository root, for tests.support

from signer_app.testpki.softhsm import provision
from signer_app.token.api import BackendName
from signer_app.token.host_client import Timeouts
from signer_app.token.service import Isolation, ServiceOptions, TokenService
from tests.support.faultmodule import FaultConfig, build_fault_module, fault_env

DIGEST_INFO_SHA256 = bytes.fromhex("3031300d060960864801650304020105000420")
CARD_DELAY_S = 0.300
SIGNATURES = 10


def signed_info_like() -> bytes:
    # About the size of a XAdES SignedInfo in canonical form.
    return b"<ds:SignedInfo>" + b"x" * 1600 + b"</ds:SignedInfo>"


def per_signature(sign: Callable[[], object], batch: int) -> float:
    started = time.perf_counter()
    for _ in range(batch):
        sign()
    return (time.perf_counter() - started) / batch


def seal_of(service: TokenService, module: str, label: str, pin: str) -> Callable[[], object]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    slot_id = next(s.slot_id for s in service.slots(module) if s.token and s.token.label == label)
    cert = next(c for c in service.certificates(module, slot_id) if c.label.endswith("SIGN0"))
    service.login(module, slot_id, pin)
    key = service.private_key(cert)
    assert isinstance(key, rsa.RSAPrivateKey)
    data = signed_info_like()
    return lambda: key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=50)
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-token-"))
    manifest = provision(work / "tokens")
    os.environ.update(manifest.env())
    token = manifest.tokens[0]
    seal = next(o for o in token.objects if o.kind == "seal")
    module = manifest.module_path

    import pkcs11
    from pkcs11 import Attribute, Mechanism, ObjectClass

    lib = pkcs11.lib(module)
    session = lib.get_token(token_label=token.label).open(user_pin=token.user_pin)
    direct_key: Any = next(
        iter(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: seal.id}))
    )
    data = signed_info_like()

    def direct() -> object:
        digest = hashlib.sha256(data).digest()
        return direct_key.sign(DIGEST_INFO_SHA256 + digest, mechanism=Mechanism.RSA_PKCS)

    in_process = TokenService(ServiceOptions(isolation=Isolation.IN_PROCESS))
    hosted = TokenService(ServiceOptions(isolation=Isolation.PROCESS))
    paths: dict[str, Callable[[], object]] = {
        "direct python-pkcs11": direct,
        "service, in-process": seal_of(in_process, module, token.label, token.user_pin),
        "service, token host": seal_of(hosted, module, token.label, token.user_pin),
    }
    samples: dict[str, list[float]] = {name: [] for name in paths}
    for sign in paths.values():  # warm-up
        per_signature(sign, 5)
    for _ in range(options.rounds):
        for name, sign in paths.items():
            samples[name].append(per_signature(sign, options.batch))

    print(
        f"RSA-2048 on SoftHSM2, {options.rounds} interleaved rounds of {options.batch} signatures"
    )
    print(f"{'path':24} {'median ms':>10} {'sig/s':>8} {'vs direct':>10}")
    medians = {name: statistics.median(values) for name, values in samples.items()}
    base = medians["direct python-pkcs11"]
    for name, median in medians.items():
        print(f"{name:24} {median * 1000:10.3f} {1 / median:8.0f} {median / base:9.2f}x")
    host_overhead_ms = (medians["service, token host"] - base) * 1000
    overhead_ok = host_overhead_ms <= 1.0
    print(
        f"host path overhead over direct: {host_overhead_ms:.3f} ms per signature "
        f"(target ≤ 1 ms): {'PASS' if overhead_ok else 'FAIL'}"
    )
    session.close()
    in_process.close()  # unloads the module this process shares with the direct path
    hosted.close()

    # -- a slow card through the host --------------------------------------
    config = work / "faultp11.conf"
    FaultConfig(target=Path(module), sign_delay_ms=int(CARD_DELAY_S * 1000)).write(config)
    fault = str(build_fault_module())
    slow = TokenService(
        ServiceOptions(
            backend=BackendName.PKCS11,
            timeouts=Timeouts(),
            host_env={**os.environ, **fault_env(config)},
        )
    )
    slot_id = next(s.slot_id for s in slow.slots(fault) if s.token and s.token.label == token.label)
    cert = next(c for c in slow.certificates(fault, slot_id) if c.id == seal.id)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    started = time.perf_counter()
    slow.login(fault, slot_id, token.user_pin)
    key = slow.private_key(cert)
    assert isinstance(key, rsa.RSAPrivateKey)
    for _ in range(SIGNATURES):
        key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    elapsed = time.perf_counter() - started
    slow.close()
    budget = SIGNATURES * CARD_DELAY_S
    ratio = elapsed / budget
    slow_ok = ratio <= 1.03
    print(
        f"slow card ({CARD_DELAY_S * 1000:.0f} ms per C_Sign): login + {SIGNATURES} signatures "
        f"through the host in {elapsed * 1000:.0f} ms = {ratio:.4f} × the card delays "
        f"(target ≤ 1.03): {'PASS' if slow_ok else 'FAIL'}"
    )
    return 0 if overhead_ok and slow_ok else 1


if __name__ == "__main__":
    sys.exit(main())
