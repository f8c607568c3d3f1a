"""The user's folders for settings, logs and the journal.

On Linux these follow the XDG base directories exactly as platformdirs
computes them (a test compares the two), without loading platformdirs:
importing it costs the window's start-up ~2.5 ms. Windows and macOS ask
platformdirs.
"""

from __future__ import annotations

import os
import posixpath
import sys
from pathlib import Path
from typing import Final

__all__ = ["APP_NAME", "user_config_dir", "user_data_dir", "user_log_dir"]

#: The folder name under the platform's folders (and platformdirs' appname/appauthor).
APP_NAME: Final = "signer-app"


def _linux() -> bool:
    return not sys.platform.startswith(("win", "darwin"))


def _home() -> str:
    home = os.environ.get("HOME")
    if home is not None and not posixpath.isabs(home):
        # A relative or empty HOME would root the folders in the working directory.
        import pwd  # noqa: PLC0415

        return pwd.getpwuid(os.getuid()).pw_dir.rstrip("/") or "/"
    return os.path.expanduser("~")


def _xdg(variable: str, default_below_home: str) -> Path:
    value = os.environ.get(variable, "")
    base = value if posixpath.isabs(value) else posixpath.join(_home(), default_below_home)
    return Path(base) / APP_NAME


def user_config_dir() -> Path:
    """Where the user's ``settings.json`` lives."""
    if _linux():
        return _xdg("XDG_CONFIG_HOME", ".config")
    import platformdirs  # noqa: PLC0415

    return Path(platformdirs.user_config_dir(APP_NAME, APP_NAME))


def user_log_dir() -> Path:
    """Where the log files go."""
    if _linux():
        return _xdg("XDG_STATE_HOME", ".local/state") / "log"
    import platformdirs  # noqa: PLC0415

    return Path(platformdirs.user_log_dir(APP_NAME, APP_NAME))


def user_data_dir() -> Path:
    """Where the journal lives."""
    if _linux():
        return _xdg("XDG_DATA_HOME", ".local/share")
    import platformdirs  # noqa: PLC0415

    return Path(platformdirs.user_data_dir(APP_NAME, APP_NAME))
