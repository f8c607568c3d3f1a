"""Our Linux folders are exactly platformdirs' (which the start-up no longer loads)."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from signer_app import paths

pytestmark = pytest.mark.skipif(
    sys.platform.startswith(("win", "darwin")), reason="Windows and macOS use platformdirs itself"
)

XDG = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME")


@pytest.mark.parametrize(
    "environment",
    [
        {},  # the defaults below HOME
        {"XDG_CONFIG_HOME": "/x/config", "XDG_STATE_HOME": "/x/state", "XDG_DATA_HOME": "/x/data"},
        # Relative XDG values are not absolute: ignored, as the XDG spec says.
        {"XDG_CONFIG_HOME": "rel/config", "XDG_STATE_HOME": "", "XDG_DATA_HOME": "./data"},
        {"XDG_CONFIG_HOME": "/with space/ş"},
    ],
    ids=["defaults", "absolute", "relative-ignored", "unicode"],
)
@pytest.mark.parametrize("home", ["/home/ayşe", "relative/home", ""], ids=["home", "rel", "empty"])
def test_linux_folders_equal_platformdirs(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], home: str
) -> None:
    for name in XDG:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOME", home)
    name = paths.APP_NAME
    assert paths.user_config_dir() == Path(platformdirs.user_config_dir(name, name))
    assert paths.user_log_dir() == Path(platformdirs.user_log_dir(name, name))
    assert paths.user_data_dir() == Path(platformdirs.user_data_dir(name, name))
