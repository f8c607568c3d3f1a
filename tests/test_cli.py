"""``signer-app tokens``: human and JSON output, cross-checked with OpenSC's pkcs11-tool."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import CUSTOMER_VKN

pytestmark = pytest.mark.softhsm


def signer_app(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signer_app", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


@pytest.fixture
def log_env(tmp_path: Path) -> dict[str, str]:
    return {
        "SIGNER_APP_LOG_DIR": str(tmp_path / "logs"),
        "SIGNER_APP_CONFIG_DIR": str(tmp_path / "cfg"),
    }


def tokens_json(module: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    result = signer_app("tokens", "--module", module, "--json", *extra, env=env)
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def pkcs11_tool(module: str, *args: str) -> str:
    result = subprocess.run(
        ["pkcs11-tool", "--module", module, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_tokens_json_matches_pkcs11_tool(softhsm: Manifest, log_env: dict[str, str]) -> None:
    report = tokens_json(softhsm.module_path, log_env)
    [module] = report["modules"]
    assert module["outcome"] == "loaded"
    ours = {
        s["slot_id"]: (
            s["token"]["label"],
            s["token"]["serial"],
            {c["id"] for c in s["certificates"]},
        )
        for s in module["slots"]
        if s["token"] and s["token"]["initialized"]
    }

    theirs: dict[int, tuple[str, str, set[str]]] = {}
    listing = pkcs11_tool(softhsm.module_path, "--list-slots")
    for block in re.split(r"\n(?=Slot \d+ )", listing):
        header = re.search(r"Slot \d+ \((0x[0-9a-f]+)\)", block)
        label = re.search(r"token label\s*:\s*(.*)", block)
        serial = re.search(r"serial num\s*:\s*(\S+)", block)
        if not (header and label and serial):
            continue  # the uninitialised slot
        slot_id = int(header.group(1), 16)
        objects = pkcs11_tool(
            softhsm.module_path, "--slot", str(slot_id), "--list-objects", "--type", "cert"
        )
        ids = set(re.findall(r"^\s*ID:\s*([0-9a-f]+)", objects, re.MULTILINE))
        theirs[slot_id] = (label.group(1).strip(), serial.group(1), ids)

    assert ours == theirs
    assert len(ours) == len(softhsm.tokens)
    assert {label for label, _, _ in ours.values()} == {t.label for t in softhsm.tokens}


def test_json_reports_usability_for_a_customer(softhsm: Manifest, log_env: dict[str, str]) -> None:
    report = tokens_json(softhsm.module_path, log_env, "--customer", CUSTOMER_VKN)
    certs = {c["label"]: c for s in report["modules"][0]["slots"] for c in s["certificates"]}
    for token in softhsm.tokens:
        for obj in token.objects:
            cert = certs[obj.label]
            assert cert["usable"] == (CUSTOMER_VKN in obj.usable_for), obj.label
            assert cert["tax_id"] == obj.tax_id
    assert certs[f"{CUSTOMER_VKN}ENCR0"]["reasons"] == [
        "no_digital_signature",
        "encryption_certificate",
    ]
    assert certs["EXPIRED"]["reasons"] == ["expired"]
    pin_states = {s["token"]["pin_status"] for s in report["modules"][0]["slots"] if s["token"]}
    assert pin_states == {"ok"}


def test_human_output_is_turkish_by_default_and_english_on_request(
    softhsm: Manifest, log_env: dict[str, str]
) -> None:
    turkish = signer_app(
        "tokens", "--module", softhsm.module_path, "--customer", CUSTOMER_VKN, env=log_env
    )
    assert turkish.returncode == 0, turkish.stderr
    assert "Sonuç: Yüklendi" in turkish.stdout
    assert "ÖRNEK İŞ ÇÖZÜMLERİ DAĞITIM ANONİM ŞİRKETİ" in turkish.stdout
    assert "İmza için kullanılabilir" in turkish.stdout
    assert "süresi dolmuş" in turkish.stdout
    english = signer_app("--lang", "en", "tokens", "--module", softhsm.module_path, env=log_env)
    assert english.returncode == 0, english.stderr
    assert "Outcome: Loaded" in english.stdout
    assert "Fiscal seal" in english.stdout


def test_both_backends_and_in_process_give_the_same_report(
    softhsm: Manifest, log_env: dict[str, str]
) -> None:
    def essence(report: dict[str, Any]) -> object:
        return [
            (
                s["slot_id"],
                s["token"],
                [(c["id"], c["fingerprint_sha256"]) for c in s["certificates"]],
            )
            for s in report["modules"][0]["slots"]
        ]

    default = essence(tokens_json(softhsm.module_path, log_env))
    assert essence(tokens_json(softhsm.module_path, log_env, "--backend", "pykcs11")) == default
    assert essence(tokens_json(softhsm.module_path, log_env, "--in-process")) == default


def test_module_outcomes_and_exit_status(tmp_path: Path, log_env: dict[str, str]) -> None:
    missing = str(tmp_path / "libakisp11.so")
    result = signer_app("tokens", "--module", missing, "--json", env=log_env)
    assert result.returncode == 4
    assert json.loads(result.stdout)["modules"][0]["outcome"] == "file_missing"
    human = signer_app("tokens", "--module", missing, env=log_env)
    assert "Dosya yok" in human.stdout


def test_usage_errors_exit_with_2(log_env: dict[str, str]) -> None:
    assert signer_app("tokens", "--bogus", env=log_env).returncode == 2
    version = signer_app("--version", env=log_env)
    assert version.returncode == 0 and version.stdout.startswith("signer-app ")


def test_diagnose_writes_a_support_bundle(
    softhsm: Manifest, log_env: dict[str, str], tmp_path: Path
) -> None:
    import socket
    import stat
    import zipfile

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / "destek" / "paket.zip"
    result = signer_app(
        "diagnose",
        "--out",
        str(out),
        "--module",
        softhsm.module_path,
        "--portal",
        f"https://127.0.0.1:{port}/api/v1/",
        env=log_env,
    )
    assert result.returncode == 0, result.stderr
    assert f"Destek paketi yazıldı: {out}" in result.stdout
    assert "Portala bağlanılamadı" in result.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with zipfile.ZipFile(out) as archive:
        assert set(archive.namelist()) == {"report.txt", "report.json", "logs/signer-app.log"}
        report = json.loads(archive.read("report.json"))
        log_text = archive.read("logs/signer-app.log").decode("utf-8")
    assert report["portal"]["verdict"] == "connect_failed"
    modules = {m["path"]: m for m in report["tokens"]["modules"]}
    assert modules[softhsm.module_path]["outcome"] == "loaded"
    assert "signer-app 0" in log_text  # this run's own start line


def test_diagnose_survives_a_broken_policy_and_words_a_write_failure(
    log_env: dict[str, str], tmp_path: Path
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text("{ not json", encoding="utf-8")
    env = {**log_env, "SIGNER_APP_POLICY_FILE": str(policy)}
    out = tmp_path / "paket.zip"
    result = signer_app("--lang", "en", "diagnose", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert "The settings could not be read" in result.stdout
    assert out.is_file()
    blocked = signer_app("diagnose", "--out", str(out / "x.zip"), env=log_env)
    assert blocked.returncode == 1
    assert "Destek paketi yazılamadı" in blocked.stderr
