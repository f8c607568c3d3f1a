"""The catalogue of known PKCS#11 modules and the candidate list built from it.

Which file is the card driver, where each vendor installs it on each system,
and which of its peculiarities the token layer must work around are *data*:
they live in ``catalogue.json`` next to this module, so that a new vendor or
path is a data change, reviewed as such. This module validates that file and
turns it, together with paths the user, a policy or the command line named,
into an ordered list of :class:`ModuleCandidate` values.
"""

from __future__ import annotations

import functools
import json
import ntpath
import os
import platform as platform_module
import re
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import Enum
from importlib import resources
from typing import Final, NoReturn

from signer_app.errors import ConfigError
from signer_app.token.binfmt import normalise_architecture

__all__ = [
    "CATALOGUE_FORMAT",
    "CATALOGUE_VERSION",
    "PLATFORM_KEYS",
    "PURPOSES",
    "Catalogue",
    "CatalogueEntry",
    "ModuleCandidate",
    "ModuleQuirks",
    "ModuleSource",
    "expand_path",
    "load_catalogue",
    "parse_catalogue",
    "platform_key",
]

#: The ``format`` value that marks a catalogue document.
CATALOGUE_FORMAT: Final = "signer-app-pkcs11-catalogue"
#: The only document version this program understands.
CATALOGUE_VERSION: Final = 1
#: The platforms a catalogue entry may list locations for.
PLATFORM_KEYS: Final = (
    "windows-x86_64",
    "windows-x86",
    "windows-arm64",
    "linux-x86_64",
    "linux-aarch64",
    "macos-x86_64",
    "macos-arm64",
)
#: What a module is meant for: a mali mühür, a personal e-signature, any card,
#: or development only.
PURPOSES: Final = ("seal", "signature", "generic", "development")

_SYSTEM_NAMES: Final[dict[str, str]] = {
    "windows": "windows",
    "linux": "linux",
    "darwin": "macos",
    "macos": "macos",
}
# Windows and macOS call 64-bit ARM "arm64"; Linux calls it "aarch64".
_ARM64_SPELLING: Final[dict[str, str]] = {"windows": "arm64", "macos": "arm64"}


def platform_key(
    system: str | None = None, machine: str | None = None, *, bits: int | None = None
) -> str:
    """Return the catalogue's platform key, e.g. ``"windows-x86_64"``.

    :param system: a ``platform.system()`` value; the running system by default.
    :param machine: a ``platform.machine()`` value; the running machine by default.
    :param bits: the process's pointer size. By default the running Python's
        when ``machine`` is not given (32-bit Python on 64-bit Windows must
        get ``windows-x86``), else the machine is taken at face value.
    :returns: ``<system>-<arch>``; systems and machines the catalogue does not
        know give keys no entry lists locations for.
    """
    if bits is None and machine is None:
        bits = struct.calcsize("P") * 8
    system = platform_module.system() if system is None else system
    machine = platform_module.machine() if machine is None else machine
    os_name = _SYSTEM_NAMES.get(system.lower(), system.lower())
    arch = normalise_architecture(machine, bits=bits, system=system)
    if arch == "aarch64":
        arch = _ARM64_SPELLING.get(os_name, arch)
    return f"{os_name}-{arch}"


@dataclass(frozen=True)
class ModuleQuirks:
    """Deviations from the PKCS#11 standard the token layer works around."""

    #: ``C_Initialize`` must get NULL: the module answers ``CKR_ARGUMENTS_BAD``
    #: to an initialisation-arguments structure.
    null_initialize_args: bool = False
    #: ``C_GetSlotList(tokenPresent=TRUE)`` may miss an inserted card: list all
    #: slots and check ``CKF_TOKEN_PRESENT`` on each.
    enumerate_all_slots: bool = False


_QUIRK_NAMES: Final = frozenset(f.name for f in fields(ModuleQuirks))


@dataclass(frozen=True)
class CatalogueEntry:
    """One known PKCS#11 module."""

    #: Stable identifier, e.g. ``"akis"``.
    id: str
    #: Name shown to the user.
    name: str
    vendor: str
    #: One of :data:`PURPOSES`.
    purpose: str
    #: Whether this is the module tried first (AKİS, the mali mühür card).
    default: bool
    #: Paths per platform key, unexpanded (``%SystemRoot%``, ``$HOME``, ``~``).
    locations: dict[str, tuple[str, ...]] = field(hash=False, repr=False)
    quirks: ModuleQuirks = field(default_factory=ModuleQuirks)
    #: How to install the driver, by language code (``"tr"``, ``"en"``).
    hints: dict[str, str] = field(default_factory=dict, hash=False, repr=False)

    def hint(self, language: str, fallback: str = "en") -> str | None:
        """Return the installation hint in a language, else in ``fallback``."""
        return self.hints.get(language, self.hints.get(fallback))

    @property
    def file_names(self) -> frozenset[str]:
        """The module's file names on every platform, case-folded."""
        return frozenset(
            _file_name(path).casefold() for paths in self.locations.values() for path in paths
        )


class ModuleSource(Enum):
    """Where a candidate module path came from."""

    CATALOGUE = "catalogue"
    POLICY = "policy"
    USER = "user"
    COMMAND_LINE = "command_line"
    BROWSED = "browsed"


@dataclass(frozen=True)
class ModuleCandidate:
    """A module file the program may try to load."""

    #: The path with environment variables expanded.
    path: str
    #: The catalogue entry the path belongs to, matched by path or file name.
    entry: CatalogueEntry | None
    source: ModuleSource
    #: Whether the file existed when the list was built.
    exists: bool
    quirks: ModuleQuirks
    #: The entry's name, or the file name for an unknown module.
    display_name: str


_PERCENT_VARIABLE: Final = re.compile(r"%([^%/\\]+)%")
_DOLLAR_VARIABLE: Final = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")


def _lookup(environ: Mapping[str, str], name: str, *, ignore_case: bool) -> str | None:
    value = environ.get(name)
    if value is not None or not ignore_case:
        return value
    folded = name.casefold()
    for key, candidate in environ.items():
        if key.casefold() == folded:
            return candidate
    return None


def expand_path(path: str, environ: Mapping[str, str] | None = None) -> str:
    """Expand ``%VAR%``, ``$VAR``, ``${VAR}`` and a leading ``~`` in a path.

    Both styles are expanded on every system so that a catalogue or policy
    file reads the same everywhere; unknown variables are left as written,
    which leaves a path that does not exist rather than a wrong one.

    :param path: the path as written.
    :param environ: the variables; ``os.environ`` by default.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ

    def replace(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group is not None)
        # %VAR% is Windows syntax, where names ignore case (%SystemRoot% is
        # SYSTEMROOT in os.environ); $VAR is POSIX syntax, where they do not.
        value = _lookup(env, name, ignore_case=match.group(0).startswith("%"))
        return match.group(0) if value is None else value

    expanded = _DOLLAR_VARIABLE.sub(replace, _PERCENT_VARIABLE.sub(replace, path))
    if expanded == "~" or expanded.startswith(("~/", "~\\")):
        home = env.get("HOME") or env.get("USERPROFILE")
        if home is None:
            home = os.path.expanduser("~")
        expanded = home + expanded[1:]
    return expanded


def _file_name(path: str) -> str:
    # ntpath splits on both separators, so Windows paths split on any system.
    return ntpath.basename(path)


def _loose_key(path: str) -> str:
    """Compare paths ignoring case and separator style, for entry matching only."""
    return ntpath.normcase(ntpath.normpath(path))


def _identity(path: str, windows: bool) -> str:
    """Return the key under which two spellings of one file are one candidate."""
    if windows:
        resolved = os.path.realpath(path) if os.name == "nt" else path
        return ntpath.normcase(ntpath.normpath(resolved))
    # Distribution symlinks (/usr/lib/softhsm → multiarch dir) collapse here.
    return os.path.realpath(path)


@dataclass(frozen=True)
class Catalogue:
    """The validated module catalogue."""

    version: int
    #: Entries in file order.
    entries: tuple[CatalogueEntry, ...]

    @property
    def default(self) -> CatalogueEntry | None:
        """The entry tried first, if the catalogue names one."""
        return next((entry for entry in self.entries if entry.default), None)

    def get(self, entry_id: str) -> CatalogueEntry | None:
        """Return the entry with this id, if any."""
        return next((entry for entry in self.entries if entry.id == entry_id), None)

    def _ordered(self) -> Iterator[CatalogueEntry]:
        yield from (entry for entry in self.entries if entry.default)
        yield from (entry for entry in self.entries if not entry.default)

    def entry_for(
        self, path: str, *, environ: Mapping[str, str] | None = None
    ) -> CatalogueEntry | None:
        """Return the entry a module path belongs to.

        A path listed in the catalogue (on any platform) matches its entry;
        otherwise the file name decides, so that a driver copied elsewhere
        (``/somewhere/libakisp11.so``) still gets its entry's quirks.

        :param path: the module path, expanded or not.
        :param environ: variables for expansion; ``os.environ`` by default.
        """
        wanted = _loose_key(expand_path(path, environ))
        for entry in self._ordered():
            for paths in entry.locations.values():
                if any(_loose_key(expand_path(p, environ)) == wanted for p in paths):
                    return entry
        name = _file_name(path).casefold()
        return next((entry for entry in self._ordered() if name in entry.file_names), None)

    def quirks_for(self, path: str, *, environ: Mapping[str, str] | None = None) -> ModuleQuirks:
        """Return the quirks of the module at ``path``; none for an unknown module."""
        entry = self.entry_for(path, environ=environ)
        return ModuleQuirks() if entry is None else entry.quirks

    def candidates(
        self,
        *,
        platform: str | None = None,
        extra: Sequence[tuple[str, ModuleSource]] = (),
        exists: Callable[[str], bool] = os.path.isfile,
        environ: Mapping[str, str] | None = None,
    ) -> list[ModuleCandidate]:
        """List the module files to try, in order.

        ``extra`` paths come first, in the order given (the caller orders
        command line, user and policy paths); then the catalogue's locations
        for the platform, the default entry's first. A file reached twice
        (same path, or a symlink to it) is listed once, with its first source.
        Missing files are listed too, marked ``exists=False``, so that a
        diagnosis can say where the program looked.

        :param platform: a :data:`PLATFORM_KEYS` value; the running platform by default.
        :param extra: paths with their sources; blank paths are ignored.
        :param exists: tells whether a path is an existing file; replaceable for tests.
        :param environ: variables for expansion; ``os.environ`` by default.
        """
        key = platform_key() if platform is None else platform
        windows = key.startswith("windows")
        seen: set[str] = set()
        result: list[ModuleCandidate] = []

        def add(raw: str, source: ModuleSource, entry: CatalogueEntry | None) -> None:
            path = expand_path(raw.strip(), environ)
            identity = _identity(path, windows)
            if identity in seen:
                return
            seen.add(identity)
            if entry is None:
                entry = self.entry_for(path, environ=environ)
            result.append(
                ModuleCandidate(
                    path=path,
                    entry=entry,
                    source=source,
                    exists=exists(path),
                    quirks=ModuleQuirks() if entry is None else entry.quirks,
                    display_name=_file_name(path) if entry is None else entry.name,
                )
            )

        for raw, source in extra:
            if raw.strip():
                add(raw, source, None)
        for entry in self._ordered():
            for raw in entry.locations.get(key, ()):
                add(raw, ModuleSource.CATALOGUE, entry)
        return result


# --- validation ------------------------------------------------------------

_ID_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9_-]*")
_LANGUAGE_PATTERN: Final = re.compile(r"[a-z]{2,3}")
_TOP_KEYS: Final = frozenset({"format", "version", "modules"})
_REQUIRED_ENTRY_KEYS: Final = frozenset(
    {"id", "name", "vendor", "purpose", "default", "locations", "quirks"}
)
_ENTRY_KEYS: Final = _REQUIRED_ENTRY_KEYS | {"hints"}


def _fail(where: str, problem: str) -> NoReturn:
    raise ConfigError(f"PKCS#11 module catalogue: {where}: {problem}", where=where)


def _object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        _fail(where, "must be an object")
    return {str(key): item for key, item in value.items()}


def _check_keys(
    value: dict[str, object], where: str, allowed: frozenset[str], required: frozenset[str]
) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        _fail(where, f"unknown keys {unknown}")
    missing = sorted(required - set(value))
    if missing:
        _fail(where, f"missing keys {missing}")


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(where, "must be a non-empty string")
    return value


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        _fail(where, "must be true or false")
    return value


def _locations(value: object, where: str) -> dict[str, tuple[str, ...]]:
    raw = _object(value, where)
    result: dict[str, tuple[str, ...]] = {}
    for key, paths in raw.items():
        if key not in PLATFORM_KEYS:
            _fail(where, f"unknown platform {key!r}")
        if not isinstance(paths, list):
            _fail(f"{where}.{key}", "must be a list of paths")
        checked = tuple(_text(path, f"{where}.{key}[{i}]") for i, path in enumerate(paths))
        if len(set(checked)) != len(checked):
            _fail(f"{where}.{key}", "lists a path twice")
        result[key] = checked
    return result


def _quirks(value: object, where: str) -> ModuleQuirks:
    raw = _object(value, where)
    _check_keys(raw, where, _QUIRK_NAMES, frozenset())
    return ModuleQuirks(**{name: _flag(flag, f"{where}.{name}") for name, flag in raw.items()})


def _hints(value: object, where: str) -> dict[str, str]:
    raw = _object(value, where)
    for language in raw:
        if not _LANGUAGE_PATTERN.fullmatch(language):
            _fail(where, f"{language!r} is not a language code")
    return {language: _text(text, f"{where}.{language}") for language, text in raw.items()}


def _entry(value: object, where: str) -> CatalogueEntry:
    raw = _object(value, where)
    _check_keys(raw, where, _ENTRY_KEYS, _REQUIRED_ENTRY_KEYS)
    entry_id = _text(raw["id"], f"{where}.id")
    if not _ID_PATTERN.fullmatch(entry_id):
        _fail(f"{where}.id", "must be lower-case letters, digits, '-' or '_'")
    purpose = _text(raw["purpose"], f"{where}.purpose")
    if purpose not in PURPOSES:
        _fail(f"{where}.purpose", f"must be one of {list(PURPOSES)}")
    return CatalogueEntry(
        id=entry_id,
        name=_text(raw["name"], f"{where}.name"),
        vendor=_text(raw["vendor"], f"{where}.vendor"),
        purpose=purpose,
        default=_flag(raw["default"], f"{where}.default"),
        locations=_locations(raw["locations"], f"{where}.locations"),
        quirks=_quirks(raw["quirks"], f"{where}.quirks"),
        hints=_hints(raw["hints"], f"{where}.hints") if "hints" in raw else {},
    )


def parse_catalogue(data: object) -> Catalogue:
    """Validate a decoded catalogue document and build the :class:`Catalogue`.

    Validation is strict (unknown keys, platforms and quirks are errors) so
    that a typo in the data cannot silently drop a path or a workaround.

    :param data: the document as decoded from JSON.
    :raises ConfigError: naming the first offending place.
    """
    raw = _object(data, "document")
    _check_keys(raw, "document", _TOP_KEYS, _TOP_KEYS)
    if raw["format"] != CATALOGUE_FORMAT:
        _fail("format", f"must be {CATALOGUE_FORMAT!r}")
    version = raw["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        _fail("version", "must be an integer")
    if version != CATALOGUE_VERSION:
        _fail("version", f"{version} is not supported (expected {CATALOGUE_VERSION})")
    modules = raw["modules"]
    if not isinstance(modules, list) or not modules:
        _fail("modules", "must be a non-empty list")
    entries = tuple(_entry(item, f"modules[{i}]") for i, item in enumerate(modules))
    ids = [entry.id for entry in entries]
    duplicates = sorted({entry_id for entry_id in ids if ids.count(entry_id) > 1})
    if duplicates:
        _fail("modules", f"duplicate ids {duplicates}")
    if sum(entry.default for entry in entries) > 1:
        _fail("modules", "more than one entry is the default")
    return Catalogue(version=version, entries=entries)


@functools.cache
def load_catalogue() -> Catalogue:
    """Return the catalogue shipped with the program, validated once and cached.

    :raises ConfigError: when the file is missing, not JSON or not valid.
    """
    resource = resources.files("signer_app.token").joinpath("catalogue.json")
    try:
        text = resource.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"PKCS#11 module catalogue unreadable: {exc}") from exc
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"PKCS#11 module catalogue is not JSON: {exc}", line=exc.lineno, column=exc.colno
        ) from exc
    return parse_catalogue(data)
