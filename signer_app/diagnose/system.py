"""The system section (OS, Python, versions, environment) and the settings in effect."""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
import platform
import ssl
import struct
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import signer_app
from signer_app.config import LoadedSettings, Settings, Source
from signer_app.diagnose._common import error_text, plain

if TYPE_CHECKING:
    pass

__all__ = ["settings_section", "system_section"]

_log = logging.getLogger(__name__)


#: Libraries whose versions matter to support (distribution names).
_LIBRARIES: Final = (
    "PySide6-Essentials",
    "PySide6",
    "shiboken6",
    "python-pkcs11",
    "PyKCS11",
    "cryptography",
    "asn1crypto",
    "lxml",
    "requests",
    "urllib3",
    "truststore",
    "certifi",
    "keyring",
    "platformdirs",
    "PyYAML",
)
#: Distribution name -> module whose ``__version__`` stands in for missing metadata.
_LIBRARY_MODULES: Final = {
    "PySide6": "PySide6",
    "python-pkcs11": "pkcs11",
    "PyKCS11": "PyKCS11",
    "cryptography": "cryptography",
    "lxml": "lxml",
    "requests": "requests",
    "urllib3": "urllib3",
    "truststore": "truststore",
    "certifi": "certifi",
}
_QT_MODULES: Final = frozenset({"PySide6", "shiboken6"})
#: Environment variables shown in the system section (values redacted); the
#: proxy variables have their own section.
_ENVIRONMENT: Final = (
    "SIGNER_APP_POLICY_FILE",
    "SIGNER_APP_CONFIG_DIR",
    "SIGNER_APP_LOG_DIR",
    "SOFTHSM2_CONF",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "LANG",
    "LC_ALL",
    "TZ",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "QT_QPA_PLATFORM",
)


def _version_of(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _module_version(name: str) -> str | None:
    module = sys.modules.get(name)
    if module is None and name not in _QT_MODULES:
        # Qt is never loaded here (the command line runs without it); a loaded
        # one (the window's) is reported from sys.modules.
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a broken library is reported as absent
            return None
    version = getattr(module, "__version__", None) if module is not None else None
    return str(version) if version else None


def system_section() -> dict[str, Any]:
    """OS, Python, program and library versions, architecture and environment."""
    frozen = bool(getattr(sys, "frozen", False))
    libraries = {name: _version_of(name) for name in _LIBRARIES}
    for name, module in _LIBRARY_MODULES.items():
        if libraries.get(name) is None:
            # A PyInstaller bundle may carry no distribution metadata: ask the module.
            libraries[name] = _module_version(module)
    local = datetime.now().astimezone()
    return {
        "os": platform.platform(),
        "system": platform.system(),
        "release": platform.release(),
        "os_version": platform.version(),
        "machine": platform.machine(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "python_executable": sys.executable,
        "bits": struct.calcsize("P") * 8,
        "frozen": frozen,
        "program_version": signer_app.__version__,
        "openssl": ssl.OPENSSL_VERSION,
        "libraries": {name: version for name, version in libraries.items() if version},
        "filesystem_encoding": sys.getfilesystemencoding(),
        "preferred_encoding": _preferred_encoding(),
        "local_time": local.isoformat(timespec="seconds"),
        "utc_offset": local.strftime("%z"),
        "timezone": local.tzname() or "",
        "environment": {
            name: os.environ[name] for name in _ENVIRONMENT if os.environ.get(name) is not None
        },
    }


def _preferred_encoding() -> str:
    import locale  # noqa: PLC0415

    return locale.getpreferredencoding(False)


def settings_section(
    loaded: LoadedSettings | None, settings_error: BaseException | None
) -> dict[str, Any]:
    """Every setting with its value, source and lock, or why they could not be read."""
    if loaded is None:
        # The program runs on the built-in values when the settings are unusable.
        defaults = Settings().as_flat()
        return {
            "error": error_text(settings_error) if settings_error else "not loaded",
            "values": [
                {"key": k, "value": plain(v), "source": str(Source.DEFAULT), "locked": False}
                for k, v in defaults.items()
            ],
        }
    flat = loaded.settings.as_flat()
    return {
        "values": [
            {
                "key": key,
                "value": plain(value),
                "source": loaded.sources.get(key, str(Source.DEFAULT)),
                "locked": loaded.is_locked(key),
            }
            for key, value in flat.items()
        ],
        "locked": sorted(loaded.locked),
        "origins": dict(loaded.origins),
        "ignored_overrides": [{"key": k, "source": s} for k, s in loaded.ignored_overrides],
        "rejected": [{"key": k, "source": s, "reason": r} for k, s, r in loaded.rejected],
    }
