"""Tests of signer_app.logs: set-up, rotation settings and redaction."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import signer_app
from signer_app import logs
from signer_app.errors import ConfigError
from signer_app.logs import (
    LOG_DIR_ENV,
    LOG_FILE_NAME,
    MASK,
    RedactingFilter,
    RedactingFormatter,
    SizeRotatingFileHandler,
    close_logging,
    configure_logging,
    forget_all_secrets,
    forget_secret,
    log_environment,
    redact,
    redact_traceback,
    register_secret,
)

PIN = "482913"
PASSWORD = "Gizli-Parola'7ş"

log = logging.getLogger("signer_app.tests.logs")


@pytest.fixture(autouse=True)
def _isolated_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    monkeypatch.delenv(LOG_DIR_ENV, raising=False)
    forget_all_secrets()
    yield
    close_logging()
    forget_all_secrets()
    root.setLevel(level)


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return configure_logging(level="DEBUG", log_dir=tmp_path / "logs")


def read(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def owned_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "_signer_app_owned", False)]


# ---------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------


def test_file_handler_rotates_in_utf8(log_file: Path, tmp_path: Path) -> None:
    assert log_file == tmp_path / "logs" / LOG_FILE_NAME
    (handler,) = owned_handlers()
    assert isinstance(handler, SizeRotatingFileHandler)
    assert handler.max_bytes == 1024 * 1024
    assert handler.backups == 4  # five files in all
    assert handler.encoding == "utf-8"
    assert any(isinstance(f, RedactingFilter) for f in handler.filters)
    assert isinstance(handler.formatter, RedactingFormatter)
    log.info("Kartı Aç — İmzalama")
    assert "Kartı Aç — İmzalama" in read(log_file)


def test_size_rotation_keeps_the_newest_files(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    handler = SizeRotatingFileHandler(path, max_bytes=200, backups=2)
    handler.setFormatter(logging.Formatter("%(message)s"))
    try:
        for number in range(30):
            handler.emit(logging.makeLogRecord({"msg": f"satır {number:02d} " + "ı" * 20}))
    finally:
        handler.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["x.log", "x.log.1", "x.log.2"]  # older ones were dropped
    newest = path.read_text(encoding="utf-8") if path.exists() else ""
    previous = (tmp_path / "x.log.1").read_text(encoding="utf-8")
    assert "satır 29" in newest + previous
    assert "satır 00" not in newest + previous + (tmp_path / "x.log.2").read_text("utf-8")
    for name in names:
        # One record may pass the limit, never more.
        assert (tmp_path / name).stat().st_size < 200 + 80


def test_configuring_twice_replaces_the_handlers(tmp_path: Path) -> None:
    foreign = logging.NullHandler()
    logging.getLogger().addHandler(foreign)
    try:
        first = configure_logging(log_dir=tmp_path / "a", console=True)
        second = configure_logging(log_dir=tmp_path / "b", console=True, level="warning")
        handlers = owned_handlers()
        assert len(handlers) == 2
        assert sum(isinstance(h, SizeRotatingFileHandler) for h in handlers) == 1
        assert foreign in logging.getLogger().handlers
        assert logging.getLogger().level == logging.WARNING
        log.warning("once only")
        assert read(second).count("once only") == 1
        assert "once only" not in read(first)
    finally:
        logging.getLogger().removeHandler(foreign)


def test_close_logging_removes_only_our_handlers(log_file: Path) -> None:
    assert owned_handlers()
    close_logging()
    assert owned_handlers() == []


def test_environment_variable_chooses_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "from-env"))
    assert configure_logging() == tmp_path / "from-env" / LOG_FILE_NAME
    assert logs.default_log_dir() == tmp_path / "from-env"
    # An explicit folder still wins over the variable.
    assert configure_logging(log_dir=tmp_path / "explicit").parent == tmp_path / "explicit"


def test_unknown_level_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        configure_logging(level="LOUD", log_dir=tmp_path)
    assert caught.value.context["key"] == "log_level"
    assert owned_handlers() == []


def test_log_environment(log_file: Path) -> None:
    log_environment(log)
    text = read(log_file)
    assert f"signer-app {signer_app.__version__}" in text
    assert "Python 3." in text
    assert "-bit" in text


# ---------------------------------------------------------------------------
# Registered secrets in the log file
# ---------------------------------------------------------------------------


def test_secrets_in_messages_and_arguments_are_masked(log_file: Path) -> None:
    register_secret(PIN)
    register_secret(PASSWORD)
    log.info("login with %s and %s", PIN, PASSWORD)
    log.info("mapping %(secret)s", {"secret": PIN})
    log.info(f"inline {PASSWORD}")
    log.info("repr %r", {"answer": PASSWORD})
    log.info("bytes %s", PASSWORD.encode("utf-8"))
    log.debug("list %s", [PIN, PASSWORD])
    text = read(log_file)
    assert PIN not in text
    assert PASSWORD not in text
    assert "Parola" not in text
    assert text.count(MASK) >= 8
    assert f"login with {MASK} and {MASK}" in text


def test_secrets_in_exceptions_and_tracebacks_are_masked(log_file: Path) -> None:
    register_secret(PIN)
    register_secret(PASSWORD)

    def fail() -> None:
        try:
            raise ValueError(f"card refused {PIN}")
        except ValueError as exc:
            raise RuntimeError(f"login failed for {PASSWORD!r}") from exc

    try:
        fail()
    except RuntimeError:
        log.exception("sign-in with %s failed", PIN)
    try:
        fail()
    except RuntimeError:
        log.error("again", exc_info=True)
    log.warning("here", stack_info=True)
    text = read(log_file)
    assert PIN not in text
    assert "Parola" not in text
    assert "Traceback (most recent call last)" in text
    assert f"ValueError: card refused {MASK}" in text
    assert "RuntimeError: login failed for" in text
    assert "Stack (most recent call last)" in text


def test_secret_in_extra_fields_and_stack_text_is_masked() -> None:
    register_secret(PIN)
    record = logging.makeLogRecord(
        {
            "msg": "x %s",
            "args": (PIN,),
            "detail": f"pin {PIN}",
            "stack_info": f"Stack:\n  File 'a.py', line 3, in f\n    g({PIN})",
        }
    )
    assert RedactingFilter().filter(record)
    assert record.msg == f"x {MASK}"
    assert record.args is None
    assert getattr(record, "detail") == f"pin {MASK}"  # noqa: B009 - an extra field
    assert PIN not in str(record.stack_info)


def test_formatter_masks_without_the_filter() -> None:
    register_secret(PIN)
    formatter = RedactingFormatter("%(message)s")
    try:
        raise KeyError(PIN)
    except KeyError:
        record = log.makeRecord(log.name, logging.ERROR, "f", 1, "pin %s", (PIN,), sys.exc_info())
    text = formatter.format(record)
    assert PIN not in text
    assert text.startswith(f"pin {MASK}\nTraceback")


def test_secret_is_masked_even_if_another_handler_rendered_the_traceback_first(
    log_file: Path,
) -> None:
    register_secret(PIN)
    early = logging.Handler()
    rendered: list[str] = []
    early.emit = lambda record: rendered.append(logging.Formatter().format(record))  # type: ignore[method-assign]
    logging.getLogger().handlers.insert(0, early)
    try:
        try:
            raise OSError(f"device {PIN}")
        except OSError:
            log.exception("oops")
    finally:
        logging.getLogger().removeHandler(early)
    assert PIN in rendered[0]  # the foreign handler is not ours to fix
    assert PIN not in read(log_file)


def test_broken_log_call_does_not_raise_nor_leak(log_file: Path) -> None:
    register_secret(PIN)
    log.info("%d items", PIN)  # wrong type on purpose
    text = read(log_file)
    assert "log arguments dropped" in text
    assert PIN not in text


def test_forget_secret_stops_masking() -> None:
    register_secret(PIN)
    assert redact(PIN) == MASK
    forget_secret(PIN)
    assert redact(PIN) == PIN
    forget_secret("never registered")


def test_blank_secrets_are_ignored() -> None:
    register_secret("")
    register_secret("   ")
    assert redact("a b  c") == "a b  c"


def test_longer_secret_wins_over_a_contained_one() -> None:
    register_secret("1234")
    register_secret("123456")
    assert redact("x123456y") == f"x{MASK}y"


def test_long_secrets_are_masked_inside_words() -> None:
    register_secret("9876")
    assert redact("serial 1198765 and 9876") == f"serial 11{MASK}5 and {MASK}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("code 7a1 given", f"code {MASK} given"),
        ("(7a1)", f"({MASK})"),
        ("7a1", MASK),
        ("x7a1 7a1y 17a1 7a1_", "x7a1 7a1y 17a1 7a1_"),
    ],
)
def test_short_secrets_are_masked_only_as_whole_tokens(text: str, expected: str) -> None:
    register_secret("7a1")
    assert redact(text) == expected


def test_secret_spellings_are_masked() -> None:
    register_secret('a"b c/ş')
    for spelling in ('a\\"b c/\\u015f', "a%22b%20c%2F%C5%9F", "a%22b+c%2F%C5%9F"):
        assert redact(f"<{spelling}>") == f"<{MASK}>", spelling


def test_traceback_frame_headers_keep_their_line_numbers() -> None:
    register_secret("1234")
    text = (
        "Traceback (most recent call last):\n"
        '  File "/app/signer_app/token/host.py", line 1234, in login\n'
        "    session.login(user_pin)\n"
        "PinIncorrect: got 1234\n"
    )
    scrubbed = redact_traceback(text)
    assert "line 1234, in login" in scrubbed
    assert f"PinIncorrect: got {MASK}" in scrubbed


def test_multi_line_secret_in_a_traceback() -> None:
    register_secret("first line\nsecond line")
    assert redact_traceback("E: first line\nsecond line\n") == f"E: {MASK}\n"


# ---------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("login pin=1234 ok", f"login pin={MASK} ok"),
        ("PIN = 1234", f"PIN = {MASK}"),
        ("?user_pin=99&next=1", f"?user_pin={MASK}&next=1"),
        ("password='a b c' rest", f"password='{MASK}' rest"),
        ('password="x\\"y" rest', f'password="{MASK}" rest'),
        ("web_service.password=abc", f"web_service.password={MASK}"),
        ("_pin=12 pin_code=34", f"_pin={MASK} pin_code={MASK}"),
        ("passwd=x pwd=y passphrase=z", f"passwd={MASK} pwd={MASK} passphrase={MASK}"),
        ('{"pin": "1234", "n": 1}', f'{{"pin": "{MASK}", "n": 1}}'),
        ('{"pin": 1234}', f'{{"pin": {MASK}}}'),
        ("{'password': 'p'}", f"{{'password': '{MASK}'}}"),
        ('{"Authorization": "Bearer abc"}', f'{{"Authorization": "{MASK}"}}'),
        ("Authorization: Basic dXNlcg==\nAccept: */*", f"Authorization: {MASK}\nAccept: */*"),
        ("proxy-authorization: Digest x", f"proxy-authorization: {MASK}"),
        ("Cookie: session=abc", f"Cookie: {MASK}"),
        ("header Bearer eyJhbGciOi.x_y-z==", f"header Bearer {MASK}"),
        ("https://bob:hunter2@portal.example/x", f"https://bob:{MASK}@portal.example/x"),
        (
            "k -----BEGIN RSA PRIVATE KEY-----\nMIIE\nAAA\n-----END RSA PRIVATE KEY----- done",
            f"k -----BEGIN RSA PRIVATE KEY-----{MASK}-----END RSA PRIVATE KEY----- done",
        ),
        (
            "-----BEGIN PRIVATE KEY-----\nMIIEvQ (cut",
            f"-----BEGIN PRIVATE KEY-----{MASK}-----END PRIVATE KEY-----",
        ),
    ],
)
def test_patterns_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "spin=3 pinned=yes pinpad_login=120",
        "token.timeouts.pinpad_login=120",
        '{"pinpad": true, "pin_state": "ok"}',
        "PIN: last try",
        "https://portal.example:8443/api",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "Authorization required",
    ],
)
def test_harmless_text_is_kept(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        '"pin": "' + "\\" * 50_000,
        'password="' + "\\" * 50_000,
        "a_" * 200_000 + "x",
        "'" + "a_" * 200_000,
        "a-" * 100_000 + "pin=3",
        '"a_' * 100_000,
        "://a:" * 50_000,
        "-----BEGIN PRIVATE KEY-----" * 10_000,
    ],
)
def test_redaction_time_is_linear(text: str) -> None:
    # A log line must never hang the program: no catastrophic backtracking.
    register_secret("1234")
    register_secret("ab")
    started = time.perf_counter()
    redact(text)
    redact_traceback(text)
    assert time.perf_counter() - started < 2.0


def test_patterns_apply_in_the_log_file(log_file: Path) -> None:
    log.info("request headers %s", {"Authorization": "Bearer s3cr3t-token"})
    log.info("form: vkn=1234567890&password=hunter2")
    text = read(log_file)
    assert "s3cr3t-token" not in text
    assert "hunter2" not in text
    assert "vkn=1234567890" in text


# ---------------------------------------------------------------------------
# Console
# ---------------------------------------------------------------------------


def _fail_with_secret() -> None:
    try:
        raise ValueError(f"bad {PIN}")
    except ValueError:
        log.exception("signing failed")


def test_console_without_verbose_prints_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register_secret(PIN)
    log_file = configure_logging(log_dir=tmp_path, console=True)
    _fail_with_secret()
    err = capsys.readouterr().err
    assert "signing failed (ValueError: bad ***)" in err
    assert "Traceback" not in err
    assert PIN not in err
    # The file still gets the whole story.
    assert "Traceback" in read(log_file)


def test_console_with_verbose_prints_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register_secret(PIN)
    configure_logging(log_dir=tmp_path, console=True, verbose=True)
    _fail_with_secret()
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert f"ValueError: bad {MASK}" in err
    assert PIN not in err
