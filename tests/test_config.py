"""Tests of signer_app.config: layers, locks, validation, policy files, saving."""

from __future__ import annotations

import json
import logging
import math
import os
import plistlib
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from signer_app.config import (
    CONFIG_DIR_ENV,
    CONTRACT_KEYS,
    KNOWN_KEYS,
    POLICY_FILE_ENV,
    USER_SETTINGS_FILE,
    LoadedSettings,
    Settings,
    is_secret_key,
    load_settings,
    save_user_settings,
    user_settings_path,
)
from signer_app.errors import ConfigError


@pytest.fixture(autouse=True)
def _no_machine_or_user_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Point both environment overrides at empty places so that no test ever
    # reads the real /etc policy or the developer's own settings.
    monkeypatch.setenv(POLICY_FILE_ENV, str(tmp_path / "no-policy.json"))
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "no-user-dir"))


def write_json(path: Path, document: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def user_dir_with(tmp_path: Path, settings: Mapping[str, object]) -> Path:
    folder = tmp_path / "user"
    write_json(folder / USER_SETTINGS_FILE, {"version": 1, "settings": dict(settings)})
    return folder


def load(
    tmp_path: Path,
    *,
    policy: object | None = None,
    user: Mapping[str, object] | None = None,
    contract: Mapping[str, object] | None = None,
    command_line: Mapping[str, object] | None = None,
) -> LoadedSettings:
    policy_file = tmp_path / "absent-policy.json"
    if policy is not None:
        policy_file = write_json(tmp_path / "policy.json", policy)
    user_dir = user_dir_with(tmp_path, user) if user is not None else tmp_path / "no-user"
    return load_settings(
        command_line=command_line or {},
        contract=contract or {},
        policy_file=policy_file,
        user_dir=user_dir,
    )


# ---------------------------------------------------------------------------
# Defaults and the typed settings
# ---------------------------------------------------------------------------


def test_defaults(tmp_path: Path) -> None:
    loaded = load(tmp_path)
    settings = loaded.settings
    assert settings == Settings()
    assert settings.language == "tr"
    assert settings.log_level == "INFO"
    assert settings.portal.url is None
    assert settings.portal.trusted_hosts == ()
    assert settings.pkcs11.modules == ()
    assert settings.pkcs11.default_module is None
    assert settings.pkcs11.backend == "python-pkcs11"
    assert settings.token.host == "process"
    timeouts = settings.token.timeouts
    assert (timeouts.default, timeouts.initialize, timeouts.login) == (30.0, 30.0, 30.0)
    assert (timeouts.pinpad_login, timeouts.sign) == (120.0, 30.0)
    assert set(loaded.sources.values()) == {"default"}
    assert set(loaded.sources) == KNOWN_KEYS
    assert loaded.locked == frozenset()
    assert loaded.ignored_overrides == []
    assert loaded.rejected == []


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.language = "en"  # type: ignore[misc]


def test_flat_round_trip() -> None:
    assert set(Settings().as_flat()) == KNOWN_KEYS
    settings = Settings.from_flat({"language": "EN", "pkcs11.modules": ["/a.so", "/b.so"]})
    assert settings.language == "en"
    assert settings.pkcs11.modules == ("/a.so", "/b.so")
    assert Settings.from_flat(settings.as_flat()) == settings
    with pytest.raises(ConfigError):
        Settings.from_flat({"no.such.key": 1})


# ---------------------------------------------------------------------------
# Layering
# ---------------------------------------------------------------------------


def test_each_layer_overrides_the_one_below(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        policy={
            "settings": {
                "language": "en",
                "portal.url": "https://policy.example/api",
                "portal.trusted_hosts": ["policy.example", "contract.example"],
                "token.timeouts.sign": 10,
            }
        },
        user={"language": "tr", "log_level": "debug", "token.timeouts.sign": 20},
        contract={"portal.url": "https://contract.example/api"},
        command_line={"token.timeouts.sign": "45", "log_level": "WARNING"},
    )
    settings = loaded.settings
    assert settings.language == "tr"
    assert settings.log_level == "WARNING"
    assert settings.portal.url == "https://contract.example/api"
    assert settings.portal.trusted_hosts == ("policy.example", "contract.example")
    assert settings.token.timeouts.sign == 45.0
    assert loaded.sources["language"] == "user"
    assert loaded.sources["log_level"] == "command_line"
    assert loaded.sources["portal.url"] == "contract"
    assert loaded.sources["portal.trusted_hosts"] == "policy"
    assert loaded.sources["token.timeouts.sign"] == "command_line"
    assert loaded.sources["token.host"] == "default"
    assert loaded.ignored_overrides == []
    assert loaded.origins["policy"] == str(tmp_path / "policy.json")
    assert loaded.origins["user"] == str(tmp_path / "user" / USER_SETTINGS_FILE)


def test_none_means_not_set(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        user={"portal.url": "https://user.example"},
        command_line={"portal.url": None, "language": None},
    )
    assert loaded.settings.portal.url == "https://user.example"
    assert loaded.sources["portal.url"] == "user"
    assert loaded.sources["language"] == "default"


def test_nested_mappings_are_flattened(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        policy={"settings": {"token": {"timeouts": {"login": 5}, "host": "inprocess"}}},
        command_line={"pkcs11": {"backend": "PyKCS11"}},
    )
    assert loaded.settings.token.timeouts.login == 5.0
    assert loaded.settings.token.host == "inprocess"
    assert loaded.settings.pkcs11.backend == "pykcs11"


def test_text_values_for_lists_and_numbers(tmp_path: Path) -> None:
    # The form registry strings and command-line options arrive in.
    loaded = load(
        tmp_path,
        command_line={
            "portal.trusted_hosts": " Portal.Example ; localhost:8443;",
            "pkcs11.modules": r"C:\Windows\System32\akisp11.dll;/usr/lib/libakisp11.so",
            "token.timeouts.pinpad_login": " 90.5 ",
        },
    )
    settings = loaded.settings
    assert settings.portal.trusted_hosts == ("portal.example", "localhost:8443")
    assert settings.pkcs11.modules == (
        r"C:\Windows\System32\akisp11.dll",
        "/usr/lib/libakisp11.so",
    )
    assert settings.token.timeouts.pinpad_login == 90.5


def test_empty_text_clears_an_optional_value(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        policy={"settings": {"pkcs11.default_module": "/x.so"}},
        user={"pkcs11.default_module": ""},
    )
    assert loaded.settings.pkcs11.default_module is None
    assert loaded.sources["pkcs11.default_module"] == "user"


# ---------------------------------------------------------------------------
# Locks
# ---------------------------------------------------------------------------


def test_locked_keys_cannot_be_overridden(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="signer_app.config")
    loaded = load(
        tmp_path,
        policy={
            "settings": {
                "portal.url": "https://policy.example/api",
                "pkcs11.modules": ["/opt/vendor/libp11.so"],
                "language": "en",
            },
            "locked": ["portal.url", "pkcs11.modules"],
        },
        user={"portal.url": "https://user.example", "language": "tr"},
        contract={"portal.url": "https://contract.example"},
        command_line={"pkcs11.modules": ["/tmp/evil.so"], "portal.url": "https://cli.example"},
    )
    settings = loaded.settings
    assert settings.portal.url == "https://policy.example/api"
    assert settings.pkcs11.modules == ("/opt/vendor/libp11.so",)
    assert settings.language == "tr"  # not locked
    assert loaded.locked == frozenset({"portal.url", "pkcs11.modules"})
    assert loaded.is_locked("portal.url")
    assert not loaded.is_locked("language")
    assert loaded.sources["portal.url"] == "policy"
    assert sorted(loaded.ignored_overrides) == [
        ("pkcs11.modules", "command_line"),
        ("portal.url", "command_line"),
        ("portal.url", "contract"),
        ("portal.url", "user"),
    ]
    assert "locked by the machine policy" in caplog.text


def test_lock_without_value_locks_the_default(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        policy={"settings": {}, "locked": ["token.host"]},
        command_line={"token.host": "inprocess"},
    )
    assert loaded.settings.token.host == "process"
    assert loaded.sources["token.host"] == "default"
    assert loaded.ignored_overrides == [("token.host", "command_line")]


def test_invalid_value_in_an_ignored_override_is_harmless(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        policy={"settings": {"language": "en"}, "locked": ["language"]},
        user={"language": "klingon"},
    )
    assert loaded.settings.language == "en"
    assert loaded.ignored_overrides == [("language", "user")]


def test_lock_of_unknown_key_is_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    loaded = load(tmp_path, policy={"settings": {}, "locked": ["future.key"]})
    assert loaded.locked == frozenset()
    assert "future.key" in caplog.text


def test_user_file_cannot_lock(tmp_path: Path) -> None:
    folder = tmp_path / "user"
    write_json(
        folder / USER_SETTINGS_FILE, {"settings": {"language": "en"}, "locked": ["language"]}
    )
    loaded = load_settings(
        policy_file=tmp_path / "none.json", user_dir=folder, command_line={"language": "tr"}
    )
    assert loaded.locked == frozenset()
    assert loaded.settings.language == "tr"


# ---------------------------------------------------------------------------
# Contract layer, unknown and secret keys
# ---------------------------------------------------------------------------


def test_contract_may_set_only_its_keys(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        contract={
            "portal.url": "https://contract.example",
            "pkcs11.modules": [r"\\evil\share\p11.dll"],
            "portal.trusted_hosts": ["evil.example"],
        },
    )
    assert {"portal.url"} == CONTRACT_KEYS
    assert loaded.settings.portal.url == "https://contract.example"
    assert loaded.settings.pkcs11.modules == ()
    assert loaded.settings.portal.trusted_hosts == ()
    assert sorted(loaded.rejected) == [
        ("pkcs11.modules", "contract", "a contract file may not set it"),
        ("portal.trusted_hosts", "contract", "a contract file may not set it"),
    ]


def test_unknown_keys_are_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    loaded = load(
        tmp_path,
        policy={"settings": {"future.feature": True, "language": "en"}, "comment": "x"},
        command_line={"no_such_option": 1},
    )
    assert loaded.settings.language == "en"
    assert ("future.feature", "policy", "unknown setting") in loaded.rejected
    assert ("no_such_option", "command_line", "unknown setting") in loaded.rejected
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("future.feature" in r.getMessage() for r in warnings)
    assert any("comment" in r.getMessage() for r in warnings)


def test_secret_keys_are_never_read_nor_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    loaded = load(
        tmp_path,
        user={"portal.password": "hunter2", "pin": "123456"},
        command_line={"token.userPin": "654321"},
    )
    assert {(key, source) for key, source, _ in loaded.rejected} == {
        ("portal.password", "user"),
        ("pin", "user"),
        ("token.userPin", "command_line"),
    }
    for secret in ("hunter2", "123456", "654321"):
        assert secret not in caplog.text
        assert secret not in repr(loaded)


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("pin", True),
        ("token.pin", True),
        ("token.user_pin", True),
        ("portal.password", True),
        ("portal.webServicePassword", True),
        ("portal.passwords", True),
        ("client_secret", True),
        ("passphrase", True),
        ("token.timeouts.pinpad_login", False),
        ("pkcs11.modules", False),
        ("spinner", False),
        ("language", False),
    ],
)
def test_is_secret_key(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("language", "de", "expected one of tr, en"),
        ("language", 1, "expected text"),
        ("log_level", "TRACE", "expected one of DEBUG"),
        ("portal.url", "ftp://portal.example", "http(s) URL"),
        ("portal.url", "portal.example", "http(s) URL"),
        ("portal.url", "https://user:pw@portal.example", "user name or password"),
        ("portal.url", "https://portal.example:99999", "not a valid URL"),
        ("portal.url", ["https://a.example"], "expected text"),
        ("portal.trusted_hosts", ["https://portal.example/"], "not a host name"),
        ("portal.trusted_hosts", ["bad host"], "not a host name"),
        ("portal.trusted_hosts", 5, "expected a list"),
        ("pkcs11.modules", 5, "expected a list"),
        ("pkcs11.modules", ["/a.so", ""], "empty entry"),
        ("pkcs11.modules", ["/a.so", 7], "expected text"),
        ("pkcs11.modules", ["/a\x00.so"], "NUL"),
        ("pkcs11.default_module", 3, "expected text"),
        ("pkcs11.backend", "pkcs11-tool", "expected one of python-pkcs11, pykcs11"),
        ("token.host", "thread", "expected one of process, inprocess"),
        ("token.timeouts.sign", -1, "greater than 0"),
        ("token.timeouts.sign", 0, "greater than 0"),
        ("token.timeouts.login", math.nan, "greater than 0"),
        ("token.timeouts.login", math.inf, "greater than 0"),
        ("token.timeouts.default", 1e9, "at most 3600"),
        ("token.timeouts.initialize", "soon", "expected a number"),
        ("token.timeouts.pinpad_login", True, "expected a number"),
        ("token.timeouts.pinpad_login", [1], "expected a number"),
    ],
)
def test_invalid_values_raise_config_error(
    tmp_path: Path, key: str, value: object, reason: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, command_line={key: value})
    error = caught.value
    assert error.context["key"] == key
    assert reason in str(error.context["reason"])
    assert error.context["source"] == "command_line"
    assert str(error).startswith(f"{key} from the command line: ")


def test_error_names_the_policy_layer(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, policy={"settings": {"token.timeouts.sign": "x"}})
    assert caught.value.context["source"] == "policy"
    assert "from the machine policy" in str(caught.value)


def test_accepted_hosts_and_urls(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        command_line={
            "portal.trusted_hosts": ["*.Example.com", "127.0.0.1:8080", "[::1]:8443", "localhost"],
            "portal.url": "http://127.0.0.1:8080/api",
        },
    )
    assert loaded.settings.portal.trusted_hosts == (
        "*.example.com",
        "127.0.0.1:8080",
        "[::1]:8443",
        "localhost",
    )
    assert loaded.settings.portal.url == "http://127.0.0.1:8080/api"


# ---------------------------------------------------------------------------
# Policy and settings files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [plistlib.FMT_XML, plistlib.FMT_BINARY])
@pytest.mark.parametrize("name", ["com.signer-app.client.plist", "managed-prefs"])
def test_policy_from_plist(tmp_path: Path, fmt: plistlib.PlistFormat, name: str) -> None:
    path = tmp_path / name
    with path.open("wb") as stream:
        plistlib.dump(
            {
                "settings": {
                    "portal.url": "https://mdm.example/api",
                    "portal.trusted_hosts": ["mdm.example"],
                    "token.timeouts.pinpad_login": 180.0,
                    "token": {"timeouts": {"sign": 15}},
                },
                "locked": ["portal.url"],
            },
            stream,
            fmt=fmt,
        )
    loaded = load_settings(
        policy_file=path,
        user_dir=user_dir_with(tmp_path, {"portal.url": "https://user.example"}),
    )
    assert loaded.settings.portal.url == "https://mdm.example/api"
    assert loaded.settings.portal.trusted_hosts == ("mdm.example",)
    assert loaded.settings.token.timeouts.pinpad_login == 180.0
    assert loaded.settings.token.timeouts.sign == 15.0
    assert loaded.locked == frozenset({"portal.url"})
    assert loaded.ignored_overrides == [("portal.url", "user")]


def test_flat_plist_without_settings_member(tmp_path: Path) -> None:
    path = tmp_path / "flat.plist"
    path.write_bytes(plistlib.dumps({"language": "en", "pkcs11.backend": "pykcs11"}))
    loaded = load_settings(policy_file=path, user_dir=tmp_path)
    assert loaded.settings.language == "en"
    assert loaded.settings.pkcs11.backend == "pykcs11"
    assert loaded.locked == frozenset()


def test_policy_file_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_json(tmp_path / "env-policy.json", {"settings": {"language": "en"}})
    monkeypatch.setenv(POLICY_FILE_ENV, str(path))
    user = write_json(tmp_path / "env-user" / USER_SETTINGS_FILE, {"log_level": "ERROR"})
    monkeypatch.setenv(CONFIG_DIR_ENV, str(user.parent))
    loaded = load_settings()
    assert loaded.settings.language == "en"
    assert loaded.settings.log_level == "ERROR"
    assert loaded.origins == {"policy": str(path), "user": str(user)}
    assert user_settings_path() == user


def test_frozen_program_ignores_the_policy_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_json(tmp_path / "env-policy.json", {"settings": {"language": "en"}})
    monkeypatch.setenv(POLICY_FILE_ENV, str(path))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr("signer_app.config.LINUX_POLICY_FILE", tmp_path / "absent.json")
    monkeypatch.setattr("signer_app.config.MACOS_POLICY_FILE", tmp_path / "absent.plist")
    loaded = load_settings(user_dir=tmp_path / "user")
    assert loaded.settings.language == "tr"
    assert "policy" not in loaded.origins


def test_missing_files_are_empty_layers(tmp_path: Path) -> None:
    loaded = load_settings(policy_file=tmp_path / "nope.json", user_dir=tmp_path / "nope")
    assert loaded.settings == Settings()
    assert loaded.origins == {}


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"language": "en"}).encode())
    assert load_settings(policy_file=path, user_dir=tmp_path).settings.language == "en"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "malformed"),
        (b"[1, 2]", "malformed"),
        (b'{"settings": [1]}', "malformed"),
        (b'{"settings": {}, "locked": "portal.url"}', "malformed"),
        (b'{"settings": {}, "locked": [1]}', "malformed"),
        (b"\xff\xfe{}", "malformed"),
        (b"<?xml version='1.0'?><plist><dict><key>a</key>", "malformed"),
        (b" " * (1024 * 1024 + 1), "too large"),
    ],
)
def test_malformed_policy_file(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "policy.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(policy_file=path, user_dir=tmp_path / "u")
    assert caught.value.context["reason"] == reason
    assert str(path) in str(caught.value)


def test_malformed_user_file(tmp_path: Path) -> None:
    folder = tmp_path / "user"
    folder.mkdir()
    (folder / USER_SETTINGS_FILE).write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="user settings file"):
        load_settings(policy_file=tmp_path / "none.json", user_dir=folder)


# ---------------------------------------------------------------------------
# Saving the user file
# ---------------------------------------------------------------------------


def test_save_then_load(tmp_path: Path) -> None:
    folder = tmp_path / "cfg"
    save_user_settings({"language": "EN", "portal.trusted_hosts": "a.example;b.example"}, folder)
    document = json.loads((folder / USER_SETTINGS_FILE).read_text(encoding="utf-8"))
    assert document == {
        "version": 1,
        "settings": {"language": "en", "portal.trusted_hosts": ["a.example", "b.example"]},
    }
    loaded = load_settings(policy_file=tmp_path / "none.json", user_dir=folder)
    assert loaded.settings.language == "en"
    assert loaded.sources["language"] == "user"


def test_save_merges_and_none_removes(tmp_path: Path) -> None:
    folder = tmp_path / "cfg"
    save_user_settings({"language": "en", "log_level": "DEBUG"}, folder)
    save_user_settings({"log_level": None, "token": {"timeouts": {"sign": 12}}}, folder)
    document = json.loads((folder / USER_SETTINGS_FILE).read_text(encoding="utf-8"))
    assert document["settings"] == {"language": "en", "token.timeouts.sign": 12.0}


def test_save_keeps_unknown_entries_and_drops_secret_ones(tmp_path: Path) -> None:
    folder = user_dir_with(tmp_path, {"future.key": [1, 2], "portal.password": "hunter2"})
    save_user_settings({"language": "en"}, folder)
    text = (folder / USER_SETTINGS_FILE).read_text(encoding="utf-8")
    assert json.loads(text)["settings"] == {"future.key": [1, 2], "language": "en"}
    assert "hunter2" not in text


@pytest.mark.parametrize(
    "values",
    [
        {"pin": "123456"},
        {"portal.password": "hunter2"},
        {"portal": {"webServicePassword": "hunter2"}},
        {"token.so_pin": "1"},
    ],
)
def test_save_refuses_secrets(tmp_path: Path, values: Mapping[str, object]) -> None:
    with pytest.raises(ConfigError) as caught:
        save_user_settings(values, tmp_path)
    assert caught.value.context["reason"] == "secret"
    assert "hunter2" not in str(caught.value)
    assert "123456" not in str(caught.value)
    assert not (tmp_path / USER_SETTINGS_FILE).exists()


def test_save_refuses_unknown_keys_and_bad_values(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        save_user_settings({"future.key": 1}, tmp_path)
    with pytest.raises(ConfigError) as caught:
        save_user_settings({"language": "en", "token.timeouts.sign": -5}, tmp_path)
    assert caught.value.context["key"] == "token.timeouts.sign"
    assert not (tmp_path / USER_SETTINGS_FILE).exists()


def test_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cfg"
    save_user_settings({"language": "en"}, folder)
    path = folder / USER_SETTINGS_FILE
    before = path.read_bytes()

    def refuse(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        # The complete new content is already on disk next to the target.
        written = json.loads(Path(source).read_text(encoding="utf-8"))
        assert written["settings"]["language"] == "tr"
        assert Path(target) == path
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ConfigError) as caught:
        save_user_settings({"language": "tr"}, folder)
    assert caught.value.context["reason"] == "unwritable"
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [USER_SETTINGS_FILE]


def test_save_uses_the_environment_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "env-cfg"))
    save_user_settings({"language": "en"})
    assert (tmp_path / "env-cfg" / USER_SETTINGS_FILE).is_file()


def test_integrator_pins_are_validated_and_normalised(tmp_path: Path) -> None:
    fingerprint = ":".join(["AB"] * 32)
    policy = write_json(
        tmp_path / "pin.json",
        {
            "settings": {
                "integrator.vkn": "3880038809",
                "integrator.certificate_sha256": fingerprint,
            }
        },
    )
    settings = load_settings(policy_file=policy, user_dir=tmp_path).settings
    assert settings.integrator.vkn == "3880038809"
    assert settings.integrator.certificate_sha256 == "ab" * 32
    for key, bad in (("integrator.vkn", "12345"), ("integrator.certificate_sha256", "xyz")):
        with pytest.raises(ConfigError):
            Settings.from_flat({key: bad})
