"""The token host process: its command, its pipe, its lifecycle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from signer_app.testpki.manifest import Manifest
from signer_app.token import protocol
from signer_app.token.api import BackendName, SignMechanism
from signer_app.token.errors import ModuleLoadError, TokenModuleError
from signer_app.token.host import HOST_COMMAND
from signer_app.token.host_client import HostedBackend, host_command

pytestmark = pytest.mark.softhsm


def test_host_is_a_hidden_command_of_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    assert host_command() == [sys.executable, "-m", "signer_app", HOST_COMMAND]
    # A frozen executable starts itself, not "python -m".
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert host_command() == [sys.executable, HOST_COMMAND]


@pytest.mark.parametrize("backend", list(BackendName))
def test_pin_crosses_the_pipe_only_inside_the_login_request(
    softhsm: Manifest, backend: BackendName
) -> None:
    frames: list[bytes] = []
    host = HostedBackend(softhsm.module_path, backend, frame_observer=frames.append)
    token = softhsm.tokens[0]
    seal = next(o for o in token.objects if o.kind == "seal")
    try:
        slot_id = next(s.slot_id for s in host.slots() if s.token and s.token.label == token.label)
        host.certificates(slot_id)
        host.login(slot_id, token.user_pin)
        host.private_keys(slot_id)
        host.sign(slot_id, seal.id, SignMechanism.RSA_PKCS, b"\x00" * 51)
        host.logout(slot_id)
    finally:
        host.close()
    carrying = [protocol.decode(f) for f in frames if token.user_pin.encode() in f]
    assert [m["op"] for m in carrying] == ["login"]
    assert len(frames) == 6


def test_unknown_operation_is_refused(softhsm: Manifest) -> None:
    host = HostedBackend(softhsm.module_path)
    try:
        with pytest.raises(TokenModuleError):
            host._call("close", 5)  # not a remote operation: the client owns the lifecycle
        assert host.slots()
    finally:
        host.close()


def test_module_that_does_not_load_is_a_load_error_not_a_crash(tmp_path: Path) -> None:
    fake = tmp_path / "libfake.so"
    fake.write_text("not a library")
    with pytest.raises(ModuleLoadError) as caught:
        HostedBackend(str(fake))
    assert not caught.value.context.get("initialize")
    assert caught.value.detail


def test_close_ends_the_host_process(softhsm: Manifest) -> None:
    host = HostedBackend(softhsm.module_path)
    pid = host.pid
    assert pid is not None
    host.close()
    assert host.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_protocol_round_trips_the_value_types() -> None:
    message = {"id": 1, "result": [b"\x00\xff", SignMechanism.ECDSA, {"a": None}, (1, 2)]}
    decoded = protocol.decode(protocol.encode(message))
    assert decoded == {"id": 1, "result": [b"\x00\xff", SignMechanism.ECDSA, {"a": None}, [1, 2]]}
    with pytest.raises(TypeError):
        protocol.encode({"x": object()})
    with pytest.raises((ValueError, KeyError)):
        protocol.decode(b'{"$t": "Popen", "f": {}}')
