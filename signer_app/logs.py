"""Logging for the whole program, set up once by the shell.

:func:`configure_logging` gives the root logger a rotating UTF-8 file in the
user's log folder (and, for the command line, a console handler). Every
handler it installs carries a :class:`RedactingFilter` and a
:class:`RedactingFormatter`, so a PIN or password never reaches a log file.

Redaction has two parts:

*Registered secrets.* The moment a PIN or web-service password enters the
program it is passed to :func:`register_secret`; from then on every
occurrence of it (and of its usual escaped spellings: ``repr``, JSON, URL
encoding, UTF-8 ``bytes`` repr) in a log message, its arguments, ``extra``
fields, exception text and stack text is replaced by ``***``. The values are
kept in memory only, in a module-level set, because redaction needs the
value itself; :func:`forget_secret` drops one when it is no longer in use.

The matching rule depends on length:

* A secret of :data:`SHORT_SECRET_LENGTH` (4) characters or more is replaced
  wherever it occurs, even inside a longer word or number. Over-masking is
  the safe side: a six-digit PIN that happens to sit inside a serial number
  is masked there too.
* A shorter secret is replaced only as a whole token, i.e. where it is not
  glued to a letter, digit or underscore. Masking ``"12"`` inside every
  number would shred dates, sizes and counts and make the log useless,
  while a one- to three-character secret has so little entropy that the
  text around it is not what protects it. Cards do not accept PINs that
  short in practice; the rule exists so that a short password still cannot
  appear as a word of its own.

Masking can itself give a secret away when the reader knows what the masked
text was (a PIN ``2024`` masking every year in the timestamps, a PIN
``1234`` masking "line 1234" in a traceback). So registered secrets are
looked for only in text that can carry run-time data: the message, its
arguments, ``extra`` fields, exception messages and source lines. The
fields the logging system generates itself (time stamp, level, logger name,
process and thread) and the ``File "…", line N, in f`` headers of
tracebacks are left alone.

*Patterns.* Independently of registration, these are masked everywhere:
``pin=…`` / ``password=…`` (also ``user_pin``, ``passwd``, ``passphrase``,
``secret``…), their quoted-key forms ``"pin": "…"`` / ``'password': '…'``,
``Authorization:``, ``Proxy-Authorization:``, ``Cookie:``, ``Set-Cookie:``
and ``X-Api-Key:`` header lines, ``Bearer`` tokens, the password part of
``scheme://user:password@host`` and PEM private key blocks.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import struct
import sys
import threading
import urllib.parse
from pathlib import Path
from types import TracebackType
from typing import Final, TypeAlias

import signer_app
from signer_app.errors import ConfigError
from signer_app.paths import user_log_dir

__all__ = [
    "BACKUP_COUNT",
    "LOG_DIR_ENV",
    "LOG_FILE_NAME",
    "MASK",
    "MAX_BYTES",
    "SHORT_SECRET_LENGTH",
    "RedactingFilter",
    "RedactingFormatter",
    "SizeRotatingFileHandler",
    "close_logging",
    "configure_logging",
    "default_log_dir",
    "forget_all_secrets",
    "forget_secret",
    "log_environment",
    "redact",
    "redact_traceback",
    "register_secret",
]

#: Environment variable that overrides the log folder (tests, CI).
LOG_DIR_ENV: Final = "SIGNER_APP_LOG_DIR"
#: Name of the current log file inside the log folder.
LOG_FILE_NAME: Final = "signer-app.log"
#: What a secret is replaced with.
MASK: Final = "***"
#: Size at which the log file is rotated.
MAX_BYTES: Final = 1024 * 1024
#: Rotated files kept besides the current one: five files at most in all.
BACKUP_COUNT: Final = 4
#: Secrets shorter than this are masked only as whole tokens (see the module docs).
SHORT_SECRET_LENGTH: Final = 4

_FILE_FORMAT: Final = (
    "%(asctime)s.%(msecs)03d %(levelname)-7s [%(process)d %(threadName)s] %(name)s: %(message)s"
)
_CONSOLE_FORMAT: Final = "%(levelname)s %(name)s: %(message)s"
_DATE_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Marks the handlers this module owns, so a second configure_logging() call
# replaces exactly those and leaves foreign ones (pytest's, a debugger's) alone.
_OWNED_ATTR: Final = "_signer_app_owned"

_ExcInfo: TypeAlias = tuple[type[BaseException], BaseException, TracebackType | None]

# ---------------------------------------------------------------------------
# Registered secrets
# ---------------------------------------------------------------------------

_secrets_lock = threading.Lock()
_secrets: set[str] = set()
# Compiled lazily from _secrets; None with _secrets_dirty False means "no secrets".
_secret_pattern: re.Pattern[str] | None = None
_secrets_dirty = False


def register_secret(value: str) -> None:
    """Mask *value* in every log record from now on.

    Call it as soon as a PIN or password enters the program, before anything
    could log it. Empty and blank values are ignored (masking them would mask
    everything or nothing useful).

    :param value: the secret as the user typed it.
    """
    global _secrets_dirty  # noqa: PLW0603 - the registry is process-wide by design
    if not value.strip():
        return
    with _secrets_lock:
        if value not in _secrets:
            _secrets.add(value)
            _secrets_dirty = True


def forget_secret(value: str) -> None:
    """Stop masking *value* (for example after the card session was closed).

    :param value: a value given to :func:`register_secret` before; unknown
        values are ignored.
    """
    global _secrets_dirty  # noqa: PLW0603 - the registry is process-wide by design
    with _secrets_lock:
        if value in _secrets:
            _secrets.discard(value)
            _secrets_dirty = True


def forget_all_secrets() -> None:
    """Drop every registered secret (end of a session, tests)."""
    global _secrets_dirty  # noqa: PLW0603 - the registry is process-wide by design
    with _secrets_lock:
        _secrets.clear()
        _secrets_dirty = True


def _spellings(value: str) -> set[str]:
    """Return the ways *value* commonly shows up in text, the value included."""
    import json  # noqa: PLC0415 - only when a secret is registered, never before the window

    found = {
        value,
        repr(value)[1:-1],
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        urllib.parse.quote(value, safe=""),
        urllib.parse.quote_plus(value, safe=""),
        repr(value.encode("utf-8", "surrogatepass"))[2:-1],
    }
    found.discard("")
    return found


def _compile_secret_pattern(secrets: set[str]) -> re.Pattern[str] | None:
    anywhere: set[str] = set()
    whole_token: set[str] = set()
    for secret in secrets:
        target = anywhere if len(secret) >= SHORT_SECRET_LENGTH else whole_token
        target.update(_spellings(secret))
    alternatives: list[str] = []
    # Longest first, so that a secret containing another one is masked in full.
    if anywhere:
        ordered = sorted(anywhere, key=lambda s: (-len(s), s))
        alternatives.append("(?:" + "|".join(map(re.escape, ordered)) + ")")
    if whole_token:
        ordered = sorted(whole_token, key=lambda s: (-len(s), s))
        alternatives.append(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)")
    if not alternatives:
        return None
    return re.compile("|".join(alternatives))


def _current_secret_pattern() -> re.Pattern[str] | None:
    global _secret_pattern, _secrets_dirty  # noqa: PLW0603 - cache of the registry
    with _secrets_lock:
        if _secrets_dirty:
            _secret_pattern = _compile_secret_pattern(_secrets)
            _secrets_dirty = False
        return _secret_pattern


def _redact_secrets(text: str) -> str:
    pattern = _current_secret_pattern()
    return text if pattern is None else pattern.sub(MASK, text)


# ---------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------

# A key is secret-looking when its last word is one of these; a prefix must
# end in a separator, so "user_pin" and "web-service.password" match while
# "spin" or "pinpad" do not.
_SENSITIVE_NAME: Final = (
    r"(?:[A-Za-z0-9]*[_.-])*(?:pin|pin_?code|password|passwd|passphrase|pwd|secret)"
)
# Where a key may start: not inside a run of name characters. Starting in
# the middle of "a_b_c_…" as well would make the scan quadratic.
_NAME_START: Final = r"(?<![A-Za-z0-9_.-])"
_HEADER_NAME: Final = r"(?:proxy-)?authorization|set-cookie|cookie|x-api-key"
# A quoted value, with backslash escapes, in the quote character of group vq.
# A backslash is matched only as the start of an escape, so that there is
# one way to read a run of backslashes (several ways backtrack exponentially).
_QUOTED_VALUE: Final = r"(?P<vq>[\"'])(?:\\.|(?!(?P=vq))[^\\])*(?P=vq)"

_PEM_PRIVATE_KEY: Final = re.compile(
    r"-----BEGIN (?P<kind>[A-Z0-9 ]*)PRIVATE KEY-----"
    # A key cut off by truncation is masked up to the end of the text.
    r".*?(?:-----END (?P=kind)PRIVATE KEY-----|\Z)",
    re.DOTALL,
)
_QUOTED_KEY: Final = re.compile(
    r"(?P<q>[\"'])(?P<key>" + _SENSITIVE_NAME + "|" + _HEADER_NAME + r")(?P=q)"
    r"(?P<sep>\s*:\s*)(?:" + _QUOTED_VALUE + r"|[^\s,}\]]+)",
    re.IGNORECASE,
)
_KEY_VALUE: Final = re.compile(
    _NAME_START + r"(?P<key>" + _SENSITIVE_NAME + r")(?P<sep>\s*=\s*)"
    r"(?:" + _QUOTED_VALUE + r"|[^\s&]+)",
    re.IGNORECASE,
)
_HEADER: Final = re.compile(
    r"(?<![A-Za-z0-9-])(?P<key>" + _HEADER_NAME + r")(?P<sep>[ \t]*:[ \t]*)(?=\S)[^\r\n]*",
    re.IGNORECASE,
)
_BEARER: Final = re.compile(r"\b(?P<key>Bearer)(?P<sep>\s+)[A-Za-z0-9._~+/-]+=*", re.IGNORECASE)
_URL_PASSWORD: Final = re.compile(r"(?P<key>://[^/\s:@]*)(?P<sep>:)[^/\s@]+(?=@)")


def _mask_value(match: re.Match[str]) -> str:
    groups = match.groupdict()
    quote = groups.get("vq") or ""
    opening = groups.get("q") or ""
    return f"{opening}{match['key']}{opening}{match['sep']}{quote}{MASK}{quote}"


def _mask_pem(match: re.Match[str]) -> str:
    kind = match["kind"]
    return f"-----BEGIN {kind}PRIVATE KEY-----{MASK}-----END {kind}PRIVATE KEY-----"


def _redact_patterns(text: str) -> str:
    text = _PEM_PRIVATE_KEY.sub(_mask_pem, text)
    # Quoted keys before headers: '"Authorization": "x"' is one pair, not a header line.
    text = _QUOTED_KEY.sub(_mask_value, text)
    text = _KEY_VALUE.sub(_mask_value, text)
    text = _HEADER.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", text)
    text = _BEARER.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", text)
    return _URL_PASSWORD.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", text)


def redact(text: str) -> str:
    """Return *text* with registered secrets and secret-looking patterns masked.

    Use it for any text that leaves the program outside the log handlers,
    such as a diagnostics bundle.

    :param text: free text, e.g. a log message.
    :returns: the text with every secret replaced by :data:`MASK`.
    """
    return _redact_patterns(_redact_secrets(text))


_FRAME_HEADER: Final = re.compile(r'\s*File ".*", line \d+, in ')


def redact_traceback(text: str) -> str:
    """Return a formatted traceback or stack with secrets masked.

    Like :func:`redact`, except that the ``File "…", line N, in f`` frame
    headers are not searched for registered secrets: a PIN that equals a line
    number must not be revealed by a masked line number.

    :param text: text produced by :mod:`traceback` or :mod:`logging`.
    :returns: the text with every secret replaced by :data:`MASK`.
    """
    lines = text.splitlines(keepends=True)
    parts: list[str] = []
    # Non-header lines are scrubbed as one run so a multi-line secret is still found.
    runs = itertools.groupby(lines, key=lambda line: bool(_FRAME_HEADER.match(line)))
    for is_header, run in runs:
        chunk = "".join(run)
        parts.append(chunk if is_header else _redact_secrets(chunk))
    return _redact_patterns("".join(parts))


# ---------------------------------------------------------------------------
# Filter and formatters
# ---------------------------------------------------------------------------

# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD_ATTRS: Final = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_PLAIN_FORMATTER: Final = logging.Formatter()


def _safe_str(value: object) -> str:
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a broken __str__ must not break the caller's log call
        return f"<unprintable {type(value).__name__}>"


def _scrub_record(record: logging.LogRecord) -> None:
    """Make *record* safe for any formatter: message, extras, exception, stack."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad log call must not raise, nor leak its arguments raw
        message = f"{_safe_str(record.msg)} [log arguments dropped: formatting failed]"
    record.msg = redact(message)
    # The arguments are already in the message; keeping them would let a
    # formatter that bypasses getMessage() see them unmasked.
    record.args = None
    for name, value in list(vars(record).items()):
        if name not in _STANDARD_ATTRS and isinstance(value, str):
            setattr(record, name, redact(value))
    if record.exc_info and not record.exc_text:
        # logging.Formatter reuses exc_text when set, so every formatter,
        # ours or not, prints this scrubbed copy instead of rendering anew.
        record.exc_text = _PLAIN_FORMATTER.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact_traceback(record.exc_text)
    if record.stack_info:
        record.stack_info = redact_traceback(record.stack_info)


class RedactingFilter(logging.Filter):
    """Handler filter that masks secrets in a record before it is formatted.

    It formats the message with its arguments, masks it, stores the result
    as the record's message and drops the arguments; it renders and masks the
    exception and stack text the same way. It never rejects a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the secrets in *record* in place; always keep it.

        :param record: the record about to be emitted.
        :returns: ``True``.
        """
        _scrub_record(record)
        return True


class RedactingFormatter(logging.Formatter):
    """Formatter that masks secrets in its own output too.

    The filter does the main work; this is the second line of defence for a
    record that reaches the formatter without having gone through the filter
    (a handler someone else configured with this formatter).
    """

    def format(self, record: logging.LogRecord) -> str:
        """Format *record* after masking the secrets in it.

        :param record: the record to format.
        :returns: the formatted line(s).
        """
        _scrub_record(record)
        return super().format(record)

    def formatException(self, ei: _ExcInfo | tuple[None, None, None]) -> str:  # noqa: N802 - overrides logging's name
        """Render an exception and mask the secrets in it.

        :param ei: the ``exc_info`` tuple.
        :returns: the masked traceback text.
        """
        return redact_traceback(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - overrides logging's name
        """Mask the secrets in a stack dump.

        :param stack_info: the text of ``stack_info``.
        :returns: the masked text.
        """
        return redact_traceback(super().formatStack(stack_info))


class _ConsoleFormatter(RedactingFormatter):
    """Console format: one line per record, a traceback only when verbose."""

    def __init__(self, *, tracebacks: bool) -> None:
        super().__init__(_CONSOLE_FORMAT)
        self._tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self._tracebacks or not (record.exc_info or record.exc_text or record.stack_info):
            return super().format(record)
        _scrub_record(record)
        # A copy, so the file handler still gets the full traceback.
        brief = logging.makeLogRecord(vars(record))
        brief.exc_info = None
        brief.exc_text = None
        brief.stack_info = None
        text = super().format(brief)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text += redact(f" ({type(error).__name__}: {_safe_str(error)})")
        return text


# ---------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------

_config_lock = threading.Lock()


def default_log_dir() -> Path:
    """Return the log folder used when none is given.

    :returns: ``$SIGNER_APP_LOG_DIR`` when set, else the platform's user log
        folder for the application.
    """
    override = os.environ.get(LOG_DIR_ENV, "").strip()
    if override:
        return Path(override)
    return user_log_dir()


def _level_number(level: str) -> int:
    name = level.strip().upper()
    if name not in _LEVELS:
        raise ConfigError(
            f"unknown log level {level!r}; expected one of {', '.join(_LEVELS)}",
            key="log_level",
            reason="unknown level",
        )
    number = logging.getLevelName(name)
    assert isinstance(number, int)
    return number


def _owned_handlers(logger: logging.Logger) -> list[logging.Handler]:
    return [h for h in logger.handlers if getattr(h, _OWNED_ATTR, False)]


class SizeRotatingFileHandler(logging.FileHandler):
    """A UTF-8 log file that moves to ``.1`` … ``.N`` once it reaches *max_bytes*.

    The standard library's ``RotatingFileHandler`` does the same, but its
    module loads sockets, pickle and queues: this keeps them out of the
    window's start-up.
    """

    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        super().__init__(path, encoding="utf-8", errors="backslashreplace")
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        """Write *record*; a file that reached the limit moves aside (one record may pass it)."""
        super().emit(record)
        try:
            stream = self.stream
            if self.max_bytes > 0 and stream is not None and stream.tell() >= self.max_bytes:
                self._rotate()
        except OSError:
            self.handleError(record)

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        base = Path(self.baseFilename)
        for number in range(self.backups - 1, 0, -1):
            older = base.with_name(f"{base.name}.{number}")
            if older.exists():
                older.replace(base.with_name(f"{base.name}.{number + 1}"))
        if self.backups > 0:
            base.replace(base.with_name(f"{base.name}.1"))
        else:
            base.unlink(missing_ok=True)
        self.stream = self._open()


def configure_logging(
    *,
    level: str = "INFO",
    console: bool = False,
    log_dir: Path | None = None,
    verbose: bool = False,
) -> Path:
    """Send the program's log records to a rotating file (and the console).

    Calling it again replaces the handlers of the previous call, so the
    command line can configure early and the settings can adjust the level
    later without duplicate lines.

    :param level: root level name: ``DEBUG``, ``INFO``, ``WARNING``,
        ``ERROR`` or ``CRITICAL`` (any case).
    :param console: also log to standard error (the command line).
    :param log_dir: folder for the log files; default
        :func:`default_log_dir`. It is created if missing.
    :param verbose: print tracebacks on the console too; without it the
        console shows one line per record and the traceback goes only to
        the file.
    :returns: the path of the current log file.
    :raises ConfigError: the level name is unknown.
    :raises OSError: the log folder or file cannot be created.
    """
    number = _level_number(level)
    folder = log_dir if log_dir is not None else default_log_dir()
    # Logs name the company and its documents: keep the folder private.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / LOG_FILE_NAME

    file_handler = SizeRotatingFileHandler(path, max_bytes=MAX_BYTES, backups=BACKUP_COUNT)
    file_handler.setFormatter(RedactingFormatter(_FILE_FORMAT, _DATE_FORMAT))
    handlers: list[logging.Handler] = [file_handler]
    if console:
        console_handler = logging.StreamHandler(sys.stderr)
        console_handler.setFormatter(_ConsoleFormatter(tracebacks=verbose))
        # The file keeps the whole story; the terminal shows only trouble.
        console_handler.setLevel(logging.NOTSET if verbose else logging.WARNING)
        handlers.append(console_handler)
    for handler in handlers:
        handler.addFilter(RedactingFilter())
        setattr(handler, _OWNED_ATTR, True)

    root = logging.getLogger()
    with _config_lock:
        # The new handlers exist before the old ones go, so a failure above
        # leaves the previous configuration working.
        for old in _owned_handlers(root):
            root.removeHandler(old)
            old.close()
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(number)
    return path


def close_logging() -> None:
    """Remove and close the handlers installed by :func:`configure_logging`.

    Foreign handlers and the root level are left as they are.
    """
    root = logging.getLogger()
    with _config_lock:
        for handler in _owned_handlers(root):
            root.removeHandler(handler)
            handler.close()


def log_environment(logger: logging.Logger) -> None:
    """Log the program version and the platform it runs on, for support.

    :param logger: the logger to write to (level INFO).
    """
    if hasattr(os, "uname"):
        # Not the platform module: loading it compiles a dozen patterns, and
        # platform.platform() runs "uname -p" in a child process.
        uname = os.uname()
        system, machine = f"{uname.sysname} {uname.release} ({uname.version})", uname.machine
    else:
        import platform  # noqa: PLC0415 - Windows

        system, machine = f"Windows {platform.version()}", platform.machine()
    logger.info(
        "signer-app %s; Python %s (%s); platform %s; machine %s; %d-bit; frozen %s",
        signer_app.__version__,
        sys.version.split()[0],
        sys.implementation.name,
        system,
        machine or "unknown",
        struct.calcsize("P") * 8,
        bool(getattr(sys, "frozen", False)),
    )
