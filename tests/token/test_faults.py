"""Every fault of the fault module through the full stack, host process included.

Real cards lock their PIN, get pulled out, report device errors, have PIN-pads,
are slow, and their vendor modules sometimes crash or hang. SoftHSM2 does none
of this, so the fault module (tests/support/faultp11) forwards to SoftHSM2 and
misbehaves on demand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import SEAL_CARD_USER_PIN
from signer_app.token.api import BackendName
from signer_app.token.errors import (
    LoginRequiredError,
    PinConfirmationRequiredError,
    PinIncorrectError,
    PinLockedError,
    PinPadCancelledError,
    TokenHostCrashedError,
    TokenRemovedError,
    TokenTimeoutError,
)
from signer_app.token.host_client import Timeouts
from signer_app.token.pin import PinStatus
from signer_app.token.probe import ProbeOutcome
from signer_app.token.service import Isolation, TokenCertificate, TokenService

pytestmark = [pytest.mark.softhsm, pytest.mark.fault]

Configure = Callable[..., dict[str, str]]
BACKENDS = [BackendName.PKCS11, BackendName.PYKCS11]


class Card:
    """The first test token ("MALI MUHUR") seen through the fault module."""

    def __init__(self, service: TokenService, module: Path, manifest: Manifest) -> None:
        self.service = service
        self.module = str(module)
        self.spec = manifest.tokens[0]

    @property
    def slot_id(self) -> int:
        for slot in self.service.slots(self.module):
            if slot.token is not None and slot.token.label == self.spec.label:
                return slot.slot_id
        raise AssertionError("test token not visible")

    def seal(self) -> TokenCertificate:
        seal = next(o for o in self.spec.objects if o.kind == "seal")
        return next(
            c for c in self.service.certificates(self.module, self.slot_id) if c.id == seal.id
        )

    def login(self, pin: str | None = None, **kwargs: bool) -> None:
        self.service.login(
            self.module, self.slot_id, self.spec.user_pin if pin is None else pin, **kwargs
        )

    def key(self) -> rsa.RSAPrivateKey:
        key = self.service.private_key(self.seal())
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    def sign(self, key: rsa.RSAPrivateKey | None = None) -> bytes:
        key = key or self.key()
        signature = key.sign(b"veri", padding.PKCS1v15(), hashes.SHA256())
        public = key.public_key()
        public.verify(signature, b"veri", padding.PKCS1v15(), hashes.SHA256())
        return signature


@pytest.fixture
def card_for(
    softhsm: Manifest,
    fault_module: Path,
    fault_config: Configure,
    make_service: Callable[..., TokenService],
) -> Callable[..., Card]:
    def make(
        backend: BackendName = BackendName.PKCS11,
        timeouts: Timeouts | None = None,
        **faults: object,
    ) -> Card:
        env = fault_config(**faults)
        return Card(make_service(backend, Isolation.PROCESS, env, timeouts), fault_module, softhsm)

    return make


@pytest.mark.parametrize("backend", BACKENDS)
def test_pin_counts_down_to_locked_and_is_never_retried(
    card_for: Callable[..., Card], tmp_path: Path, backend: BackendName
) -> None:
    state = tmp_path / "card.state"
    card = card_for(backend, pin_tries=3, state_file=state)
    assert card.service.pin_status(card.module, card.slot_id) is PinStatus.OK
    with pytest.raises(PinIncorrectError) as first:
        card.login("000000")
    assert first.value.status is PinStatus.WRONG_BEFORE
    with pytest.raises(PinIncorrectError) as second:
        card.login("000000")
    assert second.value.status is PinStatus.FINAL_TRY
    # The last try must be confirmed; without it the card is not touched.
    before = state.read_text()
    with pytest.raises(PinConfirmationRequiredError):
        card.login("000000")
    assert state.read_text() == before
    with pytest.raises(PinIncorrectError) as third:
        card.login("000000", confirm_final_try=True)
    assert third.value.status is PinStatus.LOCKED
    # Locked: refused before the PIN reaches the card, even the right one.
    before = state.read_text()
    with pytest.raises(PinLockedError) as locked:
        card.login(confirm_final_try=True)
    assert not locked.value.retriable
    assert locked.value.status is PinStatus.LOCKED
    assert state.read_text() == before


@pytest.mark.parametrize("backend", BACKENDS)
def test_right_pin_after_a_wrong_one_resets_the_state(
    card_for: Callable[..., Card], tmp_path: Path, backend: BackendName
) -> None:
    card = card_for(backend, pin_tries=3, state_file=tmp_path / "card.state")
    with pytest.raises(PinIncorrectError):
        card.login("000000")
    card.login()
    assert card.service.pin_status(card.module, card.slot_id) is PinStatus.OK
    card.sign()


_SESSION_COUNT_SCRIPT = r"""
import ctypes, json, sys
from signer_app.token.pkcs11_backend import Pkcs11Backend
from signer_app.token.errors import PinIncorrectError

module, label, leaky = sys.argv[1], sys.argv[2], sys.argv[3] == "leaky"

class TokenInfo(ctypes.Structure):
    _fields_ = [("label", ctypes.c_char * 32), ("manufacturer", ctypes.c_char * 32),
                ("model", ctypes.c_char * 16), ("serial", ctypes.c_char * 16),
                ("flags", ctypes.c_ulong), ("max_sessions", ctypes.c_ulong),
                ("sessions", ctypes.c_ulong)]

def open_sessions(slot_id):
    # The same library handle the backend uses: read CK_TOKEN_INFO directly,
    # where the fault module reports this process's open sessions.
    lib = ctypes.CDLL(module)
    table = ctypes.c_void_p()
    lib.C_GetFunctionList(ctypes.byref(table))
    pointers = ctypes.cast(table.value + 8, ctypes.POINTER(ctypes.c_void_p))
    prototype = ctypes.CFUNCTYPE(ctypes.c_ulong, ctypes.c_ulong, ctypes.POINTER(TokenInfo))
    get_token_info = prototype(pointers[6])
    info = TokenInfo()
    assert get_token_info(slot_id, ctypes.byref(info)) == 0
    return info.sessions

backend = Pkcs11Backend(module)
slot_id = next(s.slot_id for s in backend.slots() if s.token and s.token.label == label)
for _ in range(3):
    if leaky:
        import pkcs11
        token = next(s for s in backend._lib.get_slots() if s.slot_id == slot_id).get_token()
        try:
            token.open(user_pin="000000")
        except pkcs11.exceptions.PinIncorrect:
            pass
    else:
        try:
            backend.login(slot_id, "000000")
        except PinIncorrectError:
            pass
print(json.dumps({"sessions": open_sessions(slot_id)}))
"""


@pytest.mark.parametrize("mode", ["leaky", "backend"])
def test_no_session_is_left_open_after_wrong_pins(
    softhsm: Manifest, fault_module: Path, fault_config: Configure, mode: str
) -> None:
    env = {**os.environ, **fault_config(session_count=True)}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _SESSION_COUNT_SCRIPT,
            str(fault_module),
            softhsm.tokens[0].label,
            mode,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    sessions = json.loads(result.stdout.splitlines()[-1])["sessions"]
    if mode == "leaky":
        # What python-pkcs11 does on its own: one session per wrong PIN.
        assert sessions == 3
    else:
        assert sessions == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_pinpad_login_and_cancel(card_for: Callable[..., Card], backend: BackendName) -> None:
    card = card_for(
        backend, protected_auth=True, pinpad_pin=SEAL_CARD_USER_PIN, pinpad_delay_ms=200
    )
    slot = card.service.slot(card.module, card.slot_id)
    assert slot.token is not None and slot.token.protected_authentication_path
    card.service.login(card.module, card.slot_id, None)
    card.sign()
    cancelled = card_for(backend, protected_auth=True)
    with pytest.raises(PinPadCancelledError) as caught:
        cancelled.service.login(cancelled.module, cancelled.slot_id, None)
    assert caught.value.retriable


@pytest.mark.parametrize("backend", BACKENDS)
def test_pulled_card_is_one_retriable_error_and_recovers(
    card_for: Callable[..., Card], tmp_path: Path, backend: BackendName
) -> None:
    pulled = tmp_path / "pulled"
    card = card_for(backend, removed_file=pulled)
    slot_id = card.slot_id
    card.login()
    key = card.key()
    card.sign(key)
    pulled.touch()
    with pytest.raises(TokenRemovedError) as caught:
        card.sign(key)
    assert caught.value.retriable
    assert not any(s.token_present for s in card.service.slots(card.module) if s.slot_id == slot_id)
    pulled.unlink()
    # Re-inserted: enumerate again, the PIN is asked again, signing works.
    assert card.slot_id == slot_id
    with pytest.raises(LoginRequiredError):
        card.sign(key)
    card.login()
    card.sign()


@pytest.mark.parametrize("backend", BACKENDS)
def test_card_vanishing_mid_batch(card_for: Callable[..., Card], backend: BackendName) -> None:
    card = card_for(backend, vanish_after_signs=2)
    card.login()
    key = card.key()
    card.sign(key)
    card.sign(key)
    with pytest.raises(TokenRemovedError):
        card.sign(key)


@pytest.mark.parametrize("backend", BACKENDS)
def test_device_error_is_the_card_removed_error(
    card_for: Callable[..., Card], backend: BackendName
) -> None:
    card = card_for(backend, device_error_on=("C_Sign",))
    card.login()
    with pytest.raises(TokenRemovedError):
        card.sign()


def test_akis_like_initialize_works_with_python_pkcs11(card_for: Callable[..., Card]) -> None:
    card = card_for(BackendName.PKCS11, reject_init_args=True)
    card.login()
    card.sign()


def test_pykcs11_passes_initialize_arguments_so_akis_quirk_switches_binding(
    card_for: Callable[..., Card], fault_module: Path, tmp_path: Path
) -> None:
    # PyKCS11 1.5.20 always hands C_Initialize a CK_C_INITIALIZE_ARGS; a module
    # that refuses them, as AKİS does, is rejected under it...
    card = card_for(BackendName.PYKCS11, reject_init_args=True)
    result = card.service.probe(card.module)
    assert result.outcome is ProbeOutcome.INIT_REJECTED
    assert "CKR_ARGUMENTS_BAD" in result.detail
    # ...so for a module the catalogue knows as AKİS (matched by file name),
    # the service uses python-pkcs11, which passes NULL.
    akis = tmp_path / "libakisp11.so"
    akis.symlink_to(fault_module)
    card.module = str(akis)
    card.login()
    card.sign()


@pytest.mark.parametrize("backend", BACKENDS)
def test_rejected_initialisation_is_a_probe_outcome(
    card_for: Callable[..., Card], backend: BackendName
) -> None:
    card = card_for(backend, initialize_rv=0x5)
    result = card.service.probe(card.module)
    assert result.outcome is ProbeOutcome.INIT_REJECTED
    assert result.detail


def test_pulled_card_shows_as_no_token_in_the_probe(
    card_for: Callable[..., Card], tmp_path: Path
) -> None:
    pulled = tmp_path / "pulled"
    pulled.touch()
    card = card_for(removed_file=pulled)
    assert card.service.probe(card.module).outcome is ProbeOutcome.NO_TOKEN


@pytest.mark.parametrize("backend", BACKENDS)
def test_slow_card_costs_its_delay(card_for: Callable[..., Card], backend: BackendName) -> None:
    card = card_for(backend, sign_delay_ms=300)
    card.login()
    started = time.perf_counter()
    card.sign()
    assert time.perf_counter() - started >= 0.3


@pytest.mark.parametrize("backend", BACKENDS)
def test_crashing_module_leaves_us_alive_and_the_next_operation_works(
    card_for: Callable[..., Card], fault_config: Configure, backend: BackendName
) -> None:
    card = card_for(backend, abort_on=("C_Sign",))
    card.login()
    key = card.key()
    with pytest.raises(TokenHostCrashedError) as caught:
        card.sign(key)
    assert caught.value.retriable
    assert "SIGABRT" in caught.value.detail
    # The vendor fixed nothing, but the user tries something else: the host
    # is restarted, slots are listed, and the login did not survive.
    assert card.slot_id
    fault_config()  # later hosts read a configuration without the fault
    card.service.release(card.module)
    with pytest.raises(LoginRequiredError):
        card.sign(key)
    card.login()
    card.sign()


@pytest.mark.parametrize("backend", BACKENDS)
def test_hanging_module_is_cut_by_the_timeout(
    card_for: Callable[..., Card], fault_config: Configure, backend: BackendName
) -> None:
    card = card_for(backend, Timeouts(sign=2.0), hang_on=("C_Sign",))
    card.login()
    key = card.key()
    started = time.perf_counter()
    with pytest.raises(TokenTimeoutError) as caught:
        card.sign(key)
    assert caught.value.retriable
    assert time.perf_counter() - started < 10
    fault_config()
    assert card.slot_id  # a new host answers
    card.login()
    card.sign()
