r"""Layered settings.

Settings are flat, dotted keys (``portal.url``, ``token.timeouts.sign``).
Each layer below may set some of them; a higher layer wins over a lower one:

1. ``default`` – built-in values, the defaults of :class:`Settings`;
2. ``installer`` – Windows only: values the MSI stored under
   ``HKLM\Software\SignerApp\SignerApp`` (defaults, not locked);
3. ``policy`` – the machine policy: ``/etc/signer-app/policy.json`` on Linux,
   ``/Library/Managed Preferences/com.signer-app.client.plist`` on macOS,
   ``HKLM\Software\Policies\SignerApp\SignerApp`` on Windows;
4. ``user`` – the user's ``settings.json`` in the user configuration folder;
5. ``contract`` – values taken from the contract file (only
   :data:`CONTRACT_KEYS`);
6. ``command_line`` – options given on the command line.

A policy can *lock* keys. Locked keys keep the policy's value (or the
built-in one when the policy locks without setting it); an attempt by a
higher layer to change them is ignored and recorded in
:attr:`LoadedSettings.ignored_overrides` for the diagnostics page. Every
value under the Windows ``Policies`` key is locked; the JSON and plist forms
name their locks::

    {"settings": {"portal.url": "https://portal.example"},
     "locked": ["portal.url"]}

``settings`` may also be nested (``{"portal": {"url": …}}``); a document
without a ``settings`` member is read as the settings themselves, without
locks. A value of ``None`` (JSON ``null``) means "this layer does not set the
key". A string given for a number or a list is read as text: ``"60"`` for a
timeout, ``"a.example; b.example"`` (``;``-separated) for a list, which is
how registry strings and command-line options arrive.

Unknown keys are ignored with a warning, so an older program can read a
newer policy. Keys that look like secrets (``pin``, ``password``…) are never
read from any layer nor written to the user file: secrets are not settings.

``SIGNER_APP_POLICY_FILE`` replaces the machine policy source (on every
platform, the Windows registry included) by one JSON or plist file — in
development runs only: the frozen, installed program ignores it, so that a
user cannot swap the policy IT locked — and
``SIGNER_APP_CONFIG_DIR`` replaces the user configuration folder; both exist
for tests and CI.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Final, Literal, cast
from urllib.parse import urlsplit

from signer_app.errors import ConfigError
from signer_app.paths import user_config_dir

if sys.platform == "win32":
    import winreg

__all__ = [
    "CONFIG_DIR_ENV",
    "CONTRACT_KEYS",
    "KNOWN_KEYS",
    "LINUX_POLICY_FILE",
    "MACOS_POLICY_FILE",
    "POLICY_FILE_ENV",
    "USER_SETTINGS_FILE",
    "WINDOWS_DEFAULTS_KEY",
    "WINDOWS_POLICY_KEY",
    "IntegratorSettings",
    "Language",
    "LoadedSettings",
    "LogLevel",
    "Pkcs11Backend",
    "Pkcs11Settings",
    "PortalSettings",
    "Settings",
    "Source",
    "TokenHost",
    "TokenSettings",
    "TokenTimeouts",
    "is_secret_key",
    "load_settings",
    "save_user_settings",
    "user_settings_path",
]

_log = logging.getLogger(__name__)

#: Environment variable naming a JSON or plist file used as the machine policy.
POLICY_FILE_ENV: Final = "SIGNER_APP_POLICY_FILE"
#: Environment variable naming the user configuration folder.
CONFIG_DIR_ENV: Final = "SIGNER_APP_CONFIG_DIR"
#: File name of the user settings inside the user configuration folder.
USER_SETTINGS_FILE: Final = "settings.json"
#: Machine policy file on Linux (and other POSIX systems but macOS).
LINUX_POLICY_FILE: Final = Path("/etc/signer-app/policy.json")
#: Managed preferences written by a macOS MDM profile.
MACOS_POLICY_FILE: Final = Path("/Library/Managed Preferences/com.signer-app.client.plist")
#: HKLM key of the Windows group policy; its values are locked.
WINDOWS_POLICY_KEY: Final = r"Software\Policies\SignerApp\SignerApp"
#: HKLM key of the values the MSI stores; defaults, not locked.
WINDOWS_DEFAULTS_KEY: Final = r"Software\SignerApp\SignerApp"
#: Keys a contract file may set. It is downloaded from the web, so it must not
#: reach anything that loads code (``pkcs11.modules``) or widens trust
#: (``portal.trusted_hosts``); its portal URL is checked against the trusted
#: hosts by the portal client.
CONTRACT_KEYS: Final = frozenset({"portal.url"})

# Policy and settings files are a few hundred bytes; anything huge is not one.
_MAX_FILE_SIZE: Final = 1024 * 1024
_MAX_TIMEOUT: Final = 3600.0

Language = Literal["tr", "en"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
Pkcs11Backend = Literal["python-pkcs11", "pykcs11"]
TokenHost = Literal["process", "inprocess"]


class Source(StrEnum):
    """The layers settings come from, lowest first."""

    DEFAULT = "default"
    INSTALLER = "installer"
    POLICY = "policy"
    USER = "user"
    CONTRACT = "contract"
    COMMAND_LINE = "command_line"


# ---------------------------------------------------------------------------
# The typed settings
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortalSettings:
    """Where the integrator portal is and which hosts may be one."""

    #: Address of the portal API; ``None`` until a policy, contract or user sets it.
    url: str | None = None
    #: Host names (``host`` or ``host:port``, lower case) a portal URL may use.
    trusted_hosts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pkcs11Settings:
    """How the PKCS#11 vendor module is found and driven."""

    #: Extra module paths, tried besides the built-in catalogue.
    modules: tuple[str, ...] = ()
    #: The module to preselect, if any.
    default_module: str | None = None
    #: The Python binding used to drive the module.
    backend: Pkcs11Backend = "python-pkcs11"


@dataclass(frozen=True, slots=True)
class TokenTimeouts:
    """Time limits, in seconds, of token host operations."""

    default: float = 30.0
    initialize: float = 30.0
    login: float = 30.0
    #: Long, because the user types the PIN on the reader's own keypad.
    pinpad_login: float = 120.0
    sign: float = 30.0


@dataclass(frozen=True, slots=True)
class TokenSettings:
    """Where the vendor module runs and how long it may take."""

    #: ``process``: in the token host process; ``inprocess``: in the client itself.
    host: TokenHost = "process"
    timeouts: TokenTimeouts = field(default_factory=TokenTimeouts)


@dataclass(frozen=True, slots=True)
class IntegratorSettings:
    """Optional pins on who may make the main (integrator) signature."""

    #: The integrator's VKN/TCKN; the main signer must have it.
    vkn: str | None = None
    #: SHA-256 fingerprint (hex) of the integrator's seal certificate.
    certificate_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    """The validated settings of the program; built by :func:`load_settings`."""

    language: Language = "tr"
    log_level: LogLevel = "INFO"
    portal: PortalSettings = field(default_factory=PortalSettings)
    pkcs11: Pkcs11Settings = field(default_factory=Pkcs11Settings)
    token: TokenSettings = field(default_factory=TokenSettings)
    integrator: IntegratorSettings = field(default_factory=IntegratorSettings)

    def as_flat(self) -> dict[str, object]:
        """Return the settings as dotted keys, for diagnostics and saving.

        :returns: one entry per key of :data:`KNOWN_KEYS`; tuples stay tuples.
        """
        timeouts = self.token.timeouts
        return {
            "language": self.language,
            "log_level": self.log_level,
            "portal.url": self.portal.url,
            "portal.trusted_hosts": self.portal.trusted_hosts,
            "pkcs11.modules": self.pkcs11.modules,
            "pkcs11.default_module": self.pkcs11.default_module,
            "pkcs11.backend": self.pkcs11.backend,
            "token.host": self.token.host,
            "token.timeouts.default": timeouts.default,
            "token.timeouts.initialize": timeouts.initialize,
            "token.timeouts.login": timeouts.login,
            "token.timeouts.pinpad_login": timeouts.pinpad_login,
            "token.timeouts.sign": timeouts.sign,
            "integrator.vkn": self.integrator.vkn,
            "integrator.certificate_sha256": self.integrator.certificate_sha256,
        }

    @classmethod
    def from_flat(cls, values: Mapping[str, object]) -> Settings:
        """Build settings from dotted keys; missing keys take their defaults.

        :param values: dotted keys of :data:`KNOWN_KEYS` to raw values;
            ``None`` leaves the default.
        :returns: the validated settings.
        :raises ConfigError: a key is unknown or a value is invalid.
        """
        merged = cls().as_flat()
        for key, raw in values.items():
            if key not in _PARSERS:
                raise ConfigError(f"{key}: unknown setting", key=key, reason="unknown setting")
            if raw is not None:
                merged[key] = _parse(key, raw, None)
        return cls._from_parsed(merged)

    @classmethod
    def _from_parsed(cls, v: Mapping[str, object]) -> Settings:
        def number(key: str) -> float:
            return cast(float, v[key])

        return cls(
            language=cast(Language, v["language"]),
            log_level=cast(LogLevel, v["log_level"]),
            portal=PortalSettings(
                url=cast("str | None", v["portal.url"]),
                trusted_hosts=cast("tuple[str, ...]", v["portal.trusted_hosts"]),
            ),
            pkcs11=Pkcs11Settings(
                modules=cast("tuple[str, ...]", v["pkcs11.modules"]),
                default_module=cast("str | None", v["pkcs11.default_module"]),
                backend=cast(Pkcs11Backend, v["pkcs11.backend"]),
            ),
            token=TokenSettings(
                host=cast(TokenHost, v["token.host"]),
                timeouts=TokenTimeouts(
                    default=number("token.timeouts.default"),
                    initialize=number("token.timeouts.initialize"),
                    login=number("token.timeouts.login"),
                    pinpad_login=number("token.timeouts.pinpad_login"),
                    sign=number("token.timeouts.sign"),
                ),
            ),
            integrator=IntegratorSettings(
                vkn=cast("str | None", v["integrator.vkn"]),
                certificate_sha256=cast("str | None", v["integrator.certificate_sha256"]),
            ),
        )


@dataclass(frozen=True)
class LoadedSettings:
    """The result of :func:`load_settings`, with where each value came from."""

    settings: Settings
    #: Key → name of the :class:`Source` layer its value came from.
    sources: dict[str, str]
    #: Keys the machine policy locked.
    locked: frozenset[str]
    #: ``(key, layer)`` of each value a higher layer tried to set for a locked key.
    ignored_overrides: list[tuple[str, str]]
    #: ``(key, layer, reason)`` of each entry that was not read at all:
    #: unknown key, secret-looking key, key a contract may not set.
    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    #: Layer → the file or registry key it was read from (only layers that existed).
    origins: dict[str, str] = field(default_factory=dict)

    def is_locked(self, key: str) -> bool:
        """Tell whether the machine policy locked *key* (the UI greys it out).

        :param key: a dotted key.
        :returns: ``True`` when locked.
        """
        return key in self.locked


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


class _InvalidValueError(ValueError):
    """A value is unusable; the message is the reason."""


_Parser = Callable[[object], object]


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _InvalidValueError(f"expected text, got {type(value).__name__}")
    if "\x00" in value:
        raise _InvalidValueError("contains a NUL character")
    return value.strip()


def _choice(options: tuple[str, ...], fold: Callable[[str], str]) -> _Parser:
    def parse(value: object) -> object:
        text = fold(_text(value))
        if text not in options:
            raise _InvalidValueError(f"expected one of {', '.join(options)}, got {text!r}")
        return text

    return parse


def _optional_text(value: object) -> object:
    text = _text(value)
    return text or None


def _text_list(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        items: list[object] = [part for part in value.split(";") if part.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise _InvalidValueError(f"expected a list of text, got {type(value).__name__}")
    result: list[str] = []
    for item in items:
        text = _text(item)
        if not text:
            raise _InvalidValueError("contains an empty entry")
        result.append(text)
    return tuple(result)


_HOST: Final = re.compile(
    r"(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?|\[[0-9a-f:.]+\](?::\d{1,5})?"
)


def _hosts(value: object) -> object:
    hosts = tuple(host.lower() for host in _text_list(value))
    for host in hosts:
        if not _HOST.fullmatch(host):
            raise _InvalidValueError(
                f"{host!r} is not a host name (host or host:port, no scheme or path)"
            )
    return hosts


def _url(value: object) -> object:
    text = _text(value)
    if not text:
        return None
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises on a malformed port
    except ValueError as exc:
        raise _InvalidValueError(f"not a valid URL ({exc})") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _InvalidValueError("expected an http(s) URL with a host name")
    if parts.username is not None or parts.password is not None:
        # Credentials in a URL would end up in settings files and logs.
        raise _InvalidValueError("must not contain a user name or password")
    return text


def _timeout(value: object) -> object:
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _InvalidValueError(f"expected a number of seconds, got {value!r}") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raise _InvalidValueError(f"expected a number of seconds, got {type(value).__name__}")
    if not math.isfinite(number) or not 0 < number <= _MAX_TIMEOUT:
        raise _InvalidValueError(f"expected seconds greater than 0 and at most {_MAX_TIMEOUT:g}")
    return number


def _tax_id(value: object) -> object:
    text = _text(value)
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) in (10, 11)):
        raise _InvalidValueError("expected a 10-digit VKN or an 11-digit TCKN")
    return text


def _sha256(value: object) -> object:
    text = _text(value).replace(":", "").lower()
    if not text:
        return None
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise _InvalidValueError("expected a SHA-256 fingerprint (64 hex digits)")
    return text


_PARSERS: Final[Mapping[str, _Parser]] = MappingProxyType(
    {
        "language": _choice(("tr", "en"), str.lower),
        "log_level": _choice(("DEBUG", "INFO", "WARNING", "ERROR"), str.upper),
        "portal.url": _url,
        "portal.trusted_hosts": _hosts,
        "pkcs11.modules": _text_list,
        "pkcs11.default_module": _optional_text,
        "pkcs11.backend": _choice(("python-pkcs11", "pykcs11"), str.lower),
        "token.host": _choice(("process", "inprocess"), str.lower),
        "token.timeouts.default": _timeout,
        "token.timeouts.initialize": _timeout,
        "token.timeouts.login": _timeout,
        "token.timeouts.pinpad_login": _timeout,
        "token.timeouts.sign": _timeout,
        "integrator.vkn": _tax_id,
        "integrator.certificate_sha256": _sha256,
    }
)

#: Every key the program understands.
KNOWN_KEYS: Final = frozenset(_PARSERS)

_SOURCE_TEXT: Final = {
    Source.DEFAULT: "the built-in defaults",
    Source.INSTALLER: "the installer settings",
    Source.POLICY: "the machine policy",
    Source.USER: "the user settings file",
    Source.CONTRACT: "the contract file",
    Source.COMMAND_LINE: "the command line",
}


def _parse(key: str, value: object, source: Source | None) -> object:
    try:
        return _PARSERS[key](value)
    except _InvalidValueError as exc:
        where = f" from {_SOURCE_TEXT[source]}" if source is not None else ""
        raise ConfigError(
            f"{key}{where}: {exc}",
            key=key,
            reason=str(exc),
            source=str(source) if source is not None else None,
        ) from None


_SECRET_WORDS: Final = frozenset(
    {"pin", "pincode", "password", "passwd", "pwd", "passphrase", "secret", "credential"}
)


def is_secret_key(key: str) -> bool:
    """Tell whether a setting name looks like it holds a secret.

    The name is split into words at dots, dashes, underscores and camel-case
    humps; it is secret-looking when one word is ``pin``, ``password``,
    ``secret`` or the like. ``token.timeouts.pinpad_login`` is not.

    :param key: a dotted setting name.
    :returns: ``True`` for names such as ``portal.password`` or ``userPin``.
    """
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key)
    words = re.split(r"[^a-z0-9]+", spaced.lower())
    return any(word.rstrip("s") in _SECRET_WORDS or word in _SECRET_WORDS for word in words)


# ---------------------------------------------------------------------------
# Reading layers
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layer:
    source: Source
    values: dict[str, object]
    locks: frozenset[str] = frozenset()
    origin: str = ""


def _flatten(
    mapping: Mapping[str, object] | Mapping[object, object], where: str, prefix: str = ""
) -> dict[str, object]:
    flat: dict[str, object] = {}
    for name, value in mapping.items():
        if not isinstance(name, str):
            raise ConfigError(f"{where}: setting names must be text", reason="bad name")
        key = f"{prefix}{name.strip()}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, where, f"{key}."))
        else:
            flat[key] = value
    return flat


def _load_plist(data: bytes) -> object:
    """A property list (macOS managed preferences); its errors as ``ValueError``."""
    # Loaded only for a plist: plistlib pulls in datetime and the XML parser.
    import plistlib  # noqa: PLC0415
    import xml.parsers.expat  # noqa: PLC0415

    try:
        return plistlib.loads(data)
    except (plistlib.InvalidFileException, xml.parsers.expat.ExpatError) as exc:
        raise ValueError(str(exc)) from exc


def _looks_like_plist(path: Path, data: bytes) -> bool:
    head = data.lstrip()[:64]
    return (
        path.suffix.lower() == ".plist"
        or head.startswith((b"bplist", b"<?xml", b"<plist"))
        or head.startswith(b"\xef\xbb\xbf<?xml")
    )


def _read_document(path: Path, what: str) -> dict[object, object] | None:
    """Read a JSON or plist object from *path*; ``None`` when there is no file."""
    try:
        with path.open("rb") as stream:
            data = stream.read(_MAX_FILE_SIZE + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ConfigError(
            f"cannot read {what} {path}: {exc.strerror or exc}",
            path=str(path),
            reason="unreadable",
        ) from exc
    if len(data) > _MAX_FILE_SIZE:
        raise ConfigError(f"{what} {path} is too large", path=str(path), reason="too large")
    document: object
    try:
        if _looks_like_plist(path, data):
            document = _load_plist(data)
        else:
            import json  # noqa: PLC0415 - most starts have no settings file

            document = json.loads(data.decode("utf-8-sig"))
    except ValueError as exc:
        # JSONDecodeError and UnicodeDecodeError are ValueErrors.
        raise ConfigError(
            f"{what} {path} is not valid JSON or plist: {exc}",
            path=str(path),
            reason="malformed",
        ) from None
    if not isinstance(document, dict):
        raise ConfigError(f"{what} {path} must hold an object", path=str(path), reason="malformed")
    return cast("dict[object, object]", document)


def _split_document(
    document: Mapping[object, object], where: str, *, allow_locks: bool
) -> tuple[dict[str, object], frozenset[str]]:
    """Return the flat settings and the locks of a settings document."""
    settings = document.get("settings")
    if not isinstance(settings, Mapping):
        if settings is not None:
            raise ConfigError(f"{where}: 'settings' must be an object", reason="malformed")
        return _flatten(document, where), frozenset()
    extra = sorted(str(k) for k in document if k not in ("settings", "locked", "version"))
    if extra:
        _log.warning("Ignoring unknown members %s of %s", extra, where)
    locked = document.get("locked", [])
    if not isinstance(locked, list) or not all(isinstance(k, str) for k in locked):
        raise ConfigError(f"{where}: 'locked' must be a list of setting names", reason="malformed")
    if locked and not allow_locks:
        _log.warning("Ignoring 'locked' in %s: only a machine policy can lock settings", where)
        locked = []
    return _flatten(settings, where), frozenset(k.strip() for k in locked)


def _file_layer(source: Source, path: Path, *, allow_locks: bool) -> _Layer | None:
    what = _SOURCE_TEXT[source]
    document = _read_document(path, what)
    if document is None:
        return None
    values, locks = _split_document(document, f"{what} {path}", allow_locks=allow_locks)
    return _Layer(source, values, locks, str(path))


if sys.platform == "win32":

    def _registry_values(handle: winreg.HKEYType, prefix: str) -> Iterator[tuple[str, object]]:
        index = 0
        while True:
            try:
                name, data, kind = winreg.EnumValue(handle, index)
            except OSError:  # no more values
                break
            index += 1
            if not name:
                continue
            # Registry names are case-insensitive; the program's keys are lower case.
            key = f"{prefix}{name}".lower()
            if kind == winreg.REG_SZ:
                yield key, data
            elif kind == winreg.REG_EXPAND_SZ:
                yield key, winreg.ExpandEnvironmentStrings(data)
            elif kind == winreg.REG_MULTI_SZ:
                yield key, list(data)
            elif kind in (winreg.REG_DWORD, winreg.REG_QWORD):
                yield key, data
            else:
                _log.warning("Ignoring registry value %s of unsupported type %d", key, kind)
        index = 0
        while True:
            try:
                child_name = winreg.EnumKey(handle, index)
            except OSError:  # no more subkeys
                break
            index += 1
            with winreg.OpenKey(handle, child_name, 0, winreg.KEY_READ) as child:
                yield from _registry_values(child, f"{prefix}{child_name}.")

    def _registry_layer(source: Source, subkey: str, *, locked: bool) -> _Layer | None:
        try:
            # The 64-bit view, where the per-machine MSI writes, whatever our bitness.
            handle = winreg.OpenKey(
                winreg.HKEY_LOCAL_MACHINE, subkey, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY
            )
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(
                f"cannot read {_SOURCE_TEXT[source]} HKLM\\{subkey}: {exc}",
                path=f"HKLM\\{subkey}",
                reason="unreadable",
            ) from exc
        with handle:
            values = dict(_registry_values(handle, ""))
        locks = frozenset(values) if locked else frozenset()
        return _Layer(source, values, locks, f"HKLM\\{subkey}")


def _machine_layers(policy_file: Path | None) -> list[_Layer]:
    if policy_file is None and not getattr(sys, "frozen", False):
        # Only a development run honours the variable: in the installed
        # (frozen) program a user's environment must not replace the policy
        # IT has locked.
        override = os.environ.get(POLICY_FILE_ENV, "").strip()
        policy_file = Path(override) if override else None
    layers: list[_Layer | None]
    if policy_file is not None:
        layers = [_file_layer(Source.POLICY, policy_file, allow_locks=True)]
    elif sys.platform == "win32":
        layers = [
            _registry_layer(Source.INSTALLER, WINDOWS_DEFAULTS_KEY, locked=False),
            _registry_layer(Source.POLICY, WINDOWS_POLICY_KEY, locked=True),
        ]
    elif sys.platform == "darwin":
        layers = [_file_layer(Source.POLICY, MACOS_POLICY_FILE, allow_locks=True)]
    else:
        layers = [_file_layer(Source.POLICY, LINUX_POLICY_FILE, allow_locks=True)]
    return [layer for layer in layers if layer is not None]


def user_settings_path(user_dir: Path | None = None) -> Path:
    """Return the path of the user settings file.

    :param user_dir: the user configuration folder; default
        ``$SIGNER_APP_CONFIG_DIR`` or the platform's user configuration folder.
    :returns: ``<folder>/settings.json``.
    """
    if user_dir is None:
        override = os.environ.get(CONFIG_DIR_ENV, "").strip()
        user_dir = Path(override) if override else user_config_dir()
    return user_dir / USER_SETTINGS_FILE


# ---------------------------------------------------------------------------
# Merging
# ---------------------------------------------------------------------------

_NOTHING: Final[Mapping[str, object]] = MappingProxyType({})


def load_settings(
    *,
    command_line: Mapping[str, object] = _NOTHING,
    contract: Mapping[str, object] = _NOTHING,
    policy_file: Path | None = None,
    user_dir: Path | None = None,
) -> LoadedSettings:
    """Read every layer and merge them into validated settings.

    :param command_line: dotted keys (or nested mappings) from the command line.
    :param contract: values taken from the contract file; only
        :data:`CONTRACT_KEYS` are used.
    :param policy_file: a JSON or plist file to use as the machine policy
        instead of the platform's source; default ``$SIGNER_APP_POLICY_FILE``.
    :param user_dir: the user configuration folder; see :func:`user_settings_path`.
    :returns: the settings with their sources, locks and ignored overrides.
    :raises ConfigError: a file is unreadable or malformed, or a value is invalid.
    """
    layers = _machine_layers(policy_file)
    user_layer = _file_layer(Source.USER, user_settings_path(user_dir), allow_locks=False)
    if user_layer is not None:
        layers.append(user_layer)
    layers.append(_Layer(Source.CONTRACT, _flatten(contract, _SOURCE_TEXT[Source.CONTRACT])))
    layers.append(
        _Layer(Source.COMMAND_LINE, _flatten(command_line, _SOURCE_TEXT[Source.COMMAND_LINE]))
    )
    return _merge(layers)


def _merge(layers: list[_Layer]) -> LoadedSettings:
    values = Settings().as_flat()
    sources: dict[str, str] = dict.fromkeys(values, str(Source.DEFAULT))
    locked: set[str] = set()
    ignored: list[tuple[str, str]] = []
    rejected: list[tuple[str, str, str]] = []
    origins: dict[str, str] = {}

    def reject(key: str, layer: _Layer, reason: str) -> None:
        rejected.append((key, str(layer.source), reason))
        # The key only, never the value: a rejected value may be a secret.
        _log.warning("Ignoring setting %r from %s: %s", key, _SOURCE_TEXT[layer.source], reason)

    for layer in layers:
        if layer.origin:
            origins[str(layer.source)] = layer.origin
        for key, raw in layer.values.items():
            if is_secret_key(key):
                reject(key, layer, "secrets are not settings")
            elif key not in _PARSERS:
                reject(key, layer, "unknown setting")
            elif raw is None:
                continue
            elif layer.source is Source.CONTRACT and key not in CONTRACT_KEYS:
                reject(key, layer, "a contract file may not set it")
            elif key in locked:
                ignored.append((key, str(layer.source)))
                _log.info(
                    "Setting %r from %s ignored: locked by the machine policy",
                    key,
                    _SOURCE_TEXT[layer.source],
                )
            else:
                values[key] = _parse(key, raw, layer.source)
                sources[key] = str(layer.source)
        for key in layer.locks:
            if key in _PARSERS:
                locked.add(key)
            else:
                _log.warning("Ignoring lock of unknown setting %r", key)

    settings = Settings._from_parsed(values)
    changed = {k: s for k, s in sources.items() if s != Source.DEFAULT}
    _log.debug("Settings sources: %s; locked: %s", changed, sorted(locked))
    return LoadedSettings(
        settings=settings,
        sources=sources,
        locked=frozenset(locked),
        ignored_overrides=ignored,
        rejected=rejected,
        origins=origins,
    )


# ---------------------------------------------------------------------------
# Saving
# ---------------------------------------------------------------------------


def _json_value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Same folder, so os.replace is a rename on one file system: readers see
    # the old file or the new one, never half of one.
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def save_user_settings(values: Mapping[str, object], user_dir: Path | None = None) -> None:
    """Update the user settings file with *values*.

    Keys not mentioned keep their stored value; a key mapped to ``None`` is
    removed. Entries the program does not know that are already in the file
    are kept, for a newer version's sake. The file is replaced atomically.

    :param values: dotted keys (or nested mappings) to new values.
    :param user_dir: the user configuration folder; see :func:`user_settings_path`.
    :raises ConfigError: a key looks like a secret or is unknown, a value is
        invalid, the existing file is malformed, or the file cannot be written.
    """
    path = user_settings_path(user_dir)
    updates = _flatten(values, "settings to save")
    for key in updates:
        if is_secret_key(key):
            raise ConfigError(
                f"{key}: secrets are never stored in the settings file",
                key=key,
                reason="secret",
            )
        if key not in _PARSERS:
            raise ConfigError(f"{key}: unknown setting", key=key, reason="unknown setting")
    parsed = {
        key: None if raw is None else _json_value(_parse(key, raw, Source.USER))
        for key, raw in updates.items()
    }

    document = _read_document(path, _SOURCE_TEXT[Source.USER])
    stored: dict[str, object] = {}
    if document is not None:
        stored, _ = _split_document(document, f"the user settings file {path}", allow_locks=False)
    # A secret that somehow got into the file is not carried over.
    stored = {k: v for k, v in stored.items() if not is_secret_key(k)}
    for key, value in parsed.items():
        if value is None:
            stored.pop(key, None)
        else:
            stored[key] = value

    import json  # noqa: PLC0415

    text = json.dumps({"version": 1, "settings": dict(sorted(stored.items()))}, indent=2)
    try:
        _write_atomically(path, text + "\n")
    except OSError as exc:
        raise ConfigError(
            f"cannot write the user settings file {path}: {exc.strerror or exc}",
            path=str(path),
            reason="unwritable",
        ) from exc
