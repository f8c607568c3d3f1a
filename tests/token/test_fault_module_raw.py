"""The fault-injection PKCS#11 module, exercised at the C level.

The module reads its configuration in ``C_Initialize``, so every scenario
runs in a fresh ``pkcs11-tool`` or Python process against a throwaway
SoftHSM2 token created once per session.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.faultmodule import FaultConfig, build_fault_module, fault_env

pytestmark = pytest.mark.fault

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
USER_PIN = "123456"
SO_PIN = "12345678"
WRONG_PIN = "000000"

CKF_TOKEN_PRESENT = 0x1
CKF_PROTECTED_AUTHENTICATION_PATH = 0x100
COUNT_LOW = 0x10000
FINAL_TRY = 0x20000
LOCKED = 0x40000
PIN_BITS = COUNT_LOW | FINAL_TRY | LOCKED

# Scripts run as ``python -c SCRIPT MODULE [ARG...]`` and print one JSON object.
PKCS11_PRELUDE = """
import json, sys, time
from pathlib import Path
import pkcs11
from pkcs11 import Mechanism, ObjectClass

lib = pkcs11.lib(sys.argv[1])
out = {}
DATA = bytes(range(32))

def attempt(name, fn):
    try:
        out[name] = fn()
    except pkcs11.PKCS11Error as exc:
        out[name] = type(exc).__name__

def token():
    return lib.get_token(token_label="FAULTTEST")

def first_key(session):
    return session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=b"\\x01")

def sign(key):
    return len(key.sign(DATA, mechanism=Mechanism.RSA_PKCS))
"""

PYKCS11_PRELUDE = """
import json, sys, time
import PyKCS11
from PyKCS11 import CKA_CLASS, CKA_ID, CKM_RSA_PKCS, CKO_PRIVATE_KEY

lib = PyKCS11.PyKCS11Lib()
lib.load(sys.argv[1])
out = {}
DATA = bytes(range(32))

def attempt(name, fn):
    try:
        out[name] = fn()
    except PyKCS11.PyKCS11Error as exc:
        out[name] = PyKCS11.CKR[exc.value]

def slot():
    for candidate in lib.getSlotList(tokenPresent=True):
        if lib.getTokenInfo(candidate).label.strip() == "FAULTTEST":
            return candidate
    raise LookupError("FAULTTEST")

def first_key(session):
    return session.findObjects([(CKA_CLASS, CKO_PRIVATE_KEY), (CKA_ID, (1,))])[0]

def sign(session, key):
    return len(session.sign(key, DATA, PyKCS11.Mechanism(CKM_RSA_PKCS, None)))
"""


def python_pkcs11_script(body: str) -> str:
    return PKCS11_PRELUDE + body


def pykcs11_script(body: str) -> str:
    return PYKCS11_PRELUDE + body


FLAGS = python_pkcs11_script("""
out["flags"] = int(token().flags)
print(json.dumps(out))
""")

LOGIN_PROTECTED = python_pkcs11_script("""
tok = token()
out["flags"] = int(tok.flags)
start = time.monotonic()
attempt("login", lambda: sign(first_key(tok.open(user_pin=pkcs11.PROTECTED_AUTH))))
out["seconds"] = time.monotonic() - start
print(json.dumps(out))
""")

REMOVAL = python_pkcs11_script("""
def present_flag(tok):
    # A fresh Slot: python-pkcs11 reads C_GetSlotInfo once per Slot object.
    slot, = [s for s in lib.get_slots() if s.slot_id == tok.slot.slot_id]
    return int(slot.flags) & 1

removed = Path(sys.argv[2])
tok = token()
session = tok.open(user_pin="123456")
key = first_key(session)
attempt("sign_inserted", lambda: sign(key))
removed.touch()
attempt("sign_removed", lambda: sign(key))
attempt("find_removed", lambda: len(list(session.get_objects())))
attempt("present_slots", lambda: len(lib.get_slots(token_present=True)))
attempt("slot_present_flag", lambda: present_flag(tok))
attempt("token_info", lambda: tok.slot.get_token().label)
attempt("open_removed", lambda: tok.open().close())
removed.unlink()
attempt("slot_present_flag_again", lambda: present_flag(tok))
attempt("old_session_reinserted", lambda: sign(key))
attempt("sign_reinserted", lambda: sign(first_key(token().open(user_pin="123456"))))
print(json.dumps(out))
""")

VANISH_PKCS11 = python_pkcs11_script("""
tok = token()
key = first_key(tok.open(user_pin="123456"))
attempt("first", lambda: sign(key))
attempt("second", lambda: sign(key))
attempt("present_slots", lambda: len(lib.get_slots(token_present=True)))
attempt("open", lambda: tok.open().close())
print(json.dumps(out))
""")

VANISH_PYKCS11 = pykcs11_script("""
s = slot()
session = lib.openSession(s)
session.login("123456")
key = first_key(session)
attempt("first", lambda: sign(session, key))
attempt("second", lambda: sign(session, key))
attempt("present_slots", lambda: len(lib.getSlotList(tokenPresent=True)))
attempt("open", lambda: lib.openSession(s).closeSession())
print(json.dumps(out))
""")

SIGN_TIMED_PKCS11 = python_pkcs11_script("""
key = first_key(token().open(user_pin="123456"))
start = time.monotonic()
out["length"] = sign(key)
out["seconds"] = time.monotonic() - start
print(json.dumps(out))
""")

SIGN_TIMED_PYKCS11 = pykcs11_script("""
session = lib.openSession(slot())
session.login("123456")
key = first_key(session)
start = time.monotonic()
out["length"] = sign(session, key)
out["seconds"] = time.monotonic() - start
print(json.dumps(out))
""")

SIGN_TWICE = python_pkcs11_script("""
key = first_key(token().open(user_pin="123456"))
print("before-sign", flush=True)
attempt("first", lambda: sign(key))
attempt("second", lambda: sign(key))
print(json.dumps(out))
""")

SESSION_COUNT = pykcs11_script("""
s = slot()

def counts():
    info = lib.getTokenInfo(s)
    return [info.ulSessionCount, info.ulRwSessionCount]

out["none"] = counts()
ro = lib.openSession(s)
rw = lib.openSession(s, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
out["two"] = counts()
attempt("wrong_login", lambda: ro.login("000000"))
out["after_wrong_login"] = counts()
ro.closeSession()
out["one"] = counts()
lib.openSession(s)
lib.closeAllSessions(s)
out["zero"] = counts()
print(json.dumps(out))
""")

# Calls C_Initialize through the function list itself, as neither binding
# passes arguments: once with CK_C_INITIALIZE_ARGS, once with NULL.
INITIALIZE_ARGS = """
import ctypes, json, sys

INIT = ctypes.CFUNCTYPE(ctypes.c_ulong, ctypes.c_void_p)

class FunctionList(ctypes.Structure):
    _fields_ = [("major", ctypes.c_ubyte), ("minor", ctypes.c_ubyte),
                ("C_Initialize", INIT), ("C_Finalize", INIT)]

class InitArgs(ctypes.Structure):
    _fields_ = [("create", ctypes.c_void_p), ("destroy", ctypes.c_void_p),
                ("lock", ctypes.c_void_p), ("unlock", ctypes.c_void_p),
                ("flags", ctypes.c_ulong), ("reserved", ctypes.c_void_p)]

module = ctypes.CDLL(sys.argv[1])
module.C_GetFunctionList.restype = ctypes.c_ulong
functions = ctypes.POINTER(FunctionList)()
assert module.C_GetFunctionList(ctypes.byref(functions)) == 0
out = {}
for name, args in (("with_args", ctypes.byref(InitArgs(flags=2))), ("null", None)):
    out[name] = functions.contents.C_Initialize(args)
    if out[name] == 0:
        functions.contents.C_Finalize(None)
print(json.dumps(out))
"""


@dataclass(frozen=True)
class Token:
    """A throwaway SoftHSM2 token with one RSA-2048 key pair (id 01, label k1)."""

    module: Path
    softhsm_conf: Path


@pytest.fixture(scope="session")
def token(tmp_path_factory: pytest.TempPathFactory) -> Token:
    for tool in ("softhsm2-util", "pkcs11-tool"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    if not SOFTHSM.is_file():
        pytest.skip(f"{SOFTHSM} is not installed")
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    for command in (
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "FAULTTEST",
            "--so-pin",
            SO_PIN,
            "--pin",
            USER_PIN,
        ],
        [
            "pkcs11-tool",
            "--module",
            str(SOFTHSM),
            "--token-label",
            "FAULTTEST",
            "--keypairgen",
            "--key-type",
            "rsa:2048",
            "--id",
            "01",
            "--label",
            "k1",
            "--login",
            "--pin",
            USER_PIN,
        ],
    ):
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=60)
    return Token(build_fault_module(), conf)


@dataclass
class Scenario:
    """One test's fault configuration and the processes that run under it."""

    token: Token
    dir: Path
    config: FaultConfig = field(default_factory=FaultConfig)

    @property
    def state_file(self) -> Path:
        return self.dir / "card.state"

    def env(self) -> dict[str, str]:
        path = self.dir / "faultp11.conf"
        self.config.write(path)
        return {**os.environ, "SOFTHSM2_CONF": str(self.token.softhsm_conf), **fault_env(path)}

    def tool(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run pkcs11-tool on the fault module; stdout and stderr come back merged."""
        return subprocess.run(
            [
                "pkcs11-tool",
                "--module",
                str(self.token.module),
                "--token-label",
                "FAULTTEST",
                *args,
            ],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=30,
            check=False,
        )

    def run_python(
        self, script: str, *args: str, timeout: float = 30
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script, str(self.token.module), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def python(self, script: str, *args: str) -> dict[str, Any]:
        """Run a script that must succeed and return the JSON object it printed last."""
        result = self.run_python(script, *args)
        assert result.returncode == 0, result.stderr
        loaded: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
        return loaded

    def flags(self) -> int:
        return int(self.python(FLAGS)["flags"])

    def login(self, pin: str) -> subprocess.CompletedProcess[str]:
        return self.tool("--login", "--pin", pin, "--list-objects")


@pytest.fixture
def scenario(token: Token, tmp_path: Path) -> Scenario:
    return Scenario(token, tmp_path)


def test_pass_through_identifies_itself(scenario: Scenario) -> None:
    info = scenario.tool("--show-info")
    assert info.returncode == 0, info.stdout
    assert "signer-app fault injection" in info.stdout
    listed = scenario.login(USER_PIN)
    assert listed.returncode == 0, listed.stdout
    assert "Private Key Object" in listed.stdout


def test_wrong_pins_lock_the_pin_across_processes(scenario: Scenario) -> None:
    scenario.config = FaultConfig(state_file=scenario.state_file, pin_tries=3)
    assert scenario.flags() & PIN_BITS == 0
    for expected in (COUNT_LOW, FINAL_TRY, LOCKED):
        result = scenario.login(WRONG_PIN)
        assert result.returncode != 0
        assert "CKR_PIN_INCORRECT" in result.stdout
        assert scenario.flags() & PIN_BITS == expected
    refused = scenario.login(USER_PIN)
    assert refused.returncode != 0
    assert "CKR_PIN_LOCKED" in refused.stdout
    assert scenario.flags() & PIN_BITS == LOCKED


def test_correct_pin_resets_the_count_and_hides_softhsm_bits(scenario: Scenario) -> None:
    scenario.config = FaultConfig(state_file=scenario.state_file, pin_tries=3)
    assert scenario.login(WRONG_PIN).returncode != 0
    assert scenario.flags() & PIN_BITS == COUNT_LOW
    assert scenario.login(USER_PIN).returncode == 0
    assert scenario.flags() & PIN_BITS == 0
    # SoftHSM sets COUNT_LOW on its own; with pin_tries only our counter shows.
    scenario.config = FaultConfig()
    assert scenario.login(WRONG_PIN).returncode != 0
    scenario.config = FaultConfig(state_file=scenario.state_file, pin_tries=3)
    assert scenario.flags() & PIN_BITS == 0
    assert scenario.login(USER_PIN).returncode == 0


def test_so_init_pin_unblocks(scenario: Scenario) -> None:
    scenario.config = FaultConfig(state_file=scenario.state_file, pin_tries=2)
    for _ in range(2):
        assert scenario.login(WRONG_PIN).returncode != 0
    assert scenario.flags() & PIN_BITS == LOCKED
    unblock = scenario.tool(
        "--login", "--login-type", "so", "--so-pin", SO_PIN, "--init-pin", "--new-pin", USER_PIN
    )
    assert unblock.returncode == 0, unblock.stdout
    assert scenario.flags() & PIN_BITS == 0
    assert scenario.login(USER_PIN).returncode == 0


@pytest.mark.parametrize(
    ("pinpad_pin", "expected", "pin_bits"),
    [(USER_PIN, 256, 0), (None, "FunctionCancelled", 0), (WRONG_PIN, "PinIncorrect", COUNT_LOW)],
    ids=["entered", "cancelled", "wrong"],
)
def test_pinpad_login(
    scenario: Scenario, pinpad_pin: str | None, expected: object, pin_bits: int
) -> None:
    scenario.config = FaultConfig(
        protected_auth=True,
        pinpad_pin=pinpad_pin,
        pinpad_delay_ms=200,
        state_file=scenario.state_file,
        pin_tries=3,
    )
    result = scenario.python(LOGIN_PROTECTED)
    assert result["flags"] & CKF_PROTECTED_AUTHENTICATION_PATH
    assert result["login"] == expected
    assert result["seconds"] >= 0.2
    assert scenario.flags() & PIN_BITS == pin_bits


def test_pinpad_login_through_pkcs11_tool(scenario: Scenario) -> None:
    scenario.config = FaultConfig(protected_auth=True, pinpad_pin=USER_PIN)
    result = scenario.tool("--login", "--list-objects")
    assert result.returncode == 0, result.stdout
    assert "Private Key Object" in result.stdout


def test_removed_file_pulls_and_reinserts_the_card(scenario: Scenario) -> None:
    removed = scenario.dir / "card-pulled"
    scenario.config = FaultConfig(removed_file=removed)
    assert scenario.python(REMOVAL, str(removed)) == {
        "sign_inserted": 256,
        "sign_removed": "DeviceRemoved",
        "find_removed": "DeviceRemoved",
        "present_slots": 0,
        "slot_present_flag": 0,
        "token_info": "TokenNotPresent",
        "open_removed": "TokenNotPresent",
        "slot_present_flag_again": CKF_TOKEN_PRESENT,
        # The pull took the session with it, as on a real card.
        "old_session_reinserted": "SessionHandleInvalid",
        "sign_reinserted": 256,
    }


def test_removed_file_seen_by_a_new_process(scenario: Scenario) -> None:
    removed = scenario.dir / "card-pulled"
    removed.touch()
    scenario.config = FaultConfig(removed_file=removed)
    result = scenario.tool("--list-objects")
    assert result.returncode != 0
    assert 'No slot with token named "FAULTTEST"' in result.stdout


# The vanish counter counts only calls with an output buffer, the same test
# as the sign delay: both bindings make one size query and one real call.
@pytest.mark.parametrize(
    ("script", "removed", "not_present"),
    [
        (VANISH_PKCS11, "DeviceRemoved", "TokenNotPresent"),
        (VANISH_PYKCS11, "CKR_DEVICE_REMOVED", "CKR_TOKEN_NOT_PRESENT"),
    ],
    ids=["python-pkcs11", "pykcs11"],
)
def test_vanish_after_signs(
    scenario: Scenario, script: str, removed: str, not_present: str
) -> None:
    scenario.config = FaultConfig(vanish_after_signs=1)
    assert scenario.python(script) == {
        "first": 256,
        "second": removed,
        "present_slots": 0,
        "open": not_present,
    }


@pytest.mark.parametrize(
    ("function", "args"),
    [
        ("C_GetSlotList", ["--list-slots"]),
        ("C_Login", ["--login", "--pin", USER_PIN, "--list-objects"]),
        ("C_FindObjectsInit", ["--list-objects"]),
    ],
)
def test_device_error_on(scenario: Scenario, function: str, args: list[str]) -> None:
    scenario.config = FaultConfig(device_error_on=(function,))
    result = scenario.tool(*args)
    assert result.returncode != 0
    assert re.search(rf"function {function}\S* failed: rv = CKR_DEVICE_ERROR", result.stdout)


def test_device_error_on_sign_ends_the_operation(scenario: Scenario) -> None:
    scenario.config = FaultConfig(device_error_on=("C_Sign",))
    # A second C_SignInit works: the failed C_Sign ended the operation.
    assert scenario.python(SIGN_TWICE) == {"first": "DeviceError", "second": "DeviceError"}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (FaultConfig(), {"with_args": 0, "null": 0}),
        (FaultConfig(reject_init_args=True), {"with_args": 0x7, "null": 0}),
        (FaultConfig(initialize_rv=0x5), {"with_args": 0x5, "null": 0x5}),
        (FaultConfig(initialize_rv=0x7), {"with_args": 0x7, "null": 0x7}),
    ],
    ids=["plain", "reject_init_args", "general_error", "arguments_bad"],
)
def test_initialize_faults(
    scenario: Scenario, config: FaultConfig, expected: dict[str, int]
) -> None:
    scenario.config = config
    assert scenario.python(INITIALIZE_ARGS) == expected


def test_initialize_rv_stops_pkcs11_tool(scenario: Scenario) -> None:
    scenario.config = FaultConfig(initialize_rv=0x5)
    result = scenario.tool("--list-slots")
    assert result.returncode != 0
    assert "CKR_GENERAL_ERROR" in result.stdout


@pytest.mark.parametrize(
    "script", [SIGN_TIMED_PKCS11, SIGN_TIMED_PYKCS11], ids=["python-pkcs11", "pykcs11"]
)
def test_sign_delay(scenario: Scenario, script: str) -> None:
    scenario.config = FaultConfig(sign_delay_ms=300)
    result = scenario.python(script)
    assert result["length"] == 256
    assert result["seconds"] >= 0.3


def test_abort_on_kills_the_process(scenario: Scenario) -> None:
    scenario.config = FaultConfig(abort_on=("C_Sign",))
    # No core files from the deliberate abort.
    result = scenario.run_python(
        "import resource; resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n" + SIGN_TWICE
    )
    assert result.returncode == -signal.SIGABRT
    assert "before-sign" in result.stdout
    assert "C_Sign: abort" in result.stderr


def test_hang_on_never_returns(scenario: Scenario) -> None:
    scenario.config = FaultConfig(hang_on=("C_Sign",))
    process = subprocess.Popen(
        [sys.executable, "-c", SIGN_TWICE, str(scenario.token.module)],
        env=scenario.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            process.communicate(timeout=3)
    finally:
        process.kill()
        stdout, stderr = process.communicate()
    assert "before-sign" in stdout
    assert "C_Sign: hanging" in stderr


def test_session_count(scenario: Scenario) -> None:
    scenario.config = FaultConfig(session_count=True)
    assert scenario.python(SESSION_COUNT) == {
        "none": [0, 0],
        "two": [2, 1],
        "wrong_login": "CKR_PIN_INCORRECT",
        "after_wrong_login": [2, 1],
        "one": [1, 1],
        "zero": [0, 0],
    }


def test_config_problems(scenario: Scenario) -> None:
    config_file = scenario.dir / "faultp11.conf"
    env = {
        **os.environ,
        "SOFTHSM2_CONF": str(scenario.token.softhsm_conf),
        **fault_env(config_file),
    }
    command = ["pkcs11-tool", "--module", str(scenario.token.module), "--show-info"]

    config_file.write_text("# a comment\n\nsome_future_key = 1\n")
    unknown_key = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert unknown_key.returncode == 0
    assert "ignoring unknown key 'some_future_key'" in unknown_key.stderr

    config_file.write_text("device_error_on=C_Sing\n")
    misspelt = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert misspelt.returncode != 0
    assert "unknown function 'C_Sing'" in misspelt.stderr


def test_config_file_lines() -> None:
    config = FaultConfig(
        state_file=Path("/tmp/s"),
        pin_tries=3,
        protected_auth=True,
        pinpad_pin="",
        device_error_on=("C_Sign", "C_Login"),
        initialize_rv=0x5,
    )
    assert config.lines() == [
        "state_file=/tmp/s",
        "pin_tries=3",
        "protected_auth=1",
        "pinpad_pin=",
        "device_error_on=C_Sign,C_Login",
        "initialize_rv=0x5",
    ]
    assert FaultConfig().lines() == []
    with pytest.raises(ValueError, match="state_file"):
        FaultConfig(pin_tries=3).lines()


def test_build_is_cached_by_source_hash(tmp_path: Path) -> None:
    first = build_fault_module(tmp_path)
    built_at = first.stat().st_mtime_ns
    assert build_fault_module(tmp_path) == first
    assert first.stat().st_mtime_ns == built_at
    assert [p.name for p in first.parent.iterdir()] == ["libfaultp11.so"]
