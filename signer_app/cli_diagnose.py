"""``signer-app diagnose``: write the redacted support bundle (see :mod:`signer_app.diagnose`).

Unlike the other commands it runs even when the settings cannot be read: a
broken policy file is one of the things a support bundle has to show.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace

from signer_app.cli_texts import Language, text
from signer_app.config import LoadedSettings, load_settings
from signer_app.errors import ConfigError
from signer_app.logs import configure_logging, log_environment

__all__ = ["run_diagnose"]

_log = logging.getLogger(__name__)


def run_diagnose(
    options: argparse.Namespace | SimpleNamespace,
    command_line: Mapping[str, object],
    language: Language,
) -> int:
    """Run ``signer-app diagnose --out FILE.zip [--portal URL] [--module PATH]…``.

    :param options: the parsed command line.
    :param command_line: settings given on the command line (``--lang``).
    :param language: the language asked for on the command line.
    :returns: 0 when the bundle was written (whatever it found), 1 when not.
    :raises DiagnoseError: the bundle cannot be written (``cli.run`` words it).
    """
    from signer_app.diagnose import write_support_bundle  # noqa: PLC0415

    loaded: LoadedSettings | None = None
    settings_error: ConfigError | None = None
    try:
        loaded = load_settings(command_line=command_line)
        language = loaded.settings.language
    except ConfigError as exc:
        settings_error = exc
        print(f"{text('error', language)}: {text(exc.message_key, language)}", file=sys.stderr)
    try:
        configure_logging(
            level="DEBUG" if options.verbose else (loaded.settings.log_level if loaded else "INFO"),
            console=True,
            verbose=options.verbose,
        )
        log_environment(_log)
    except OSError as exc:
        # No log folder: the bundle says so in its logs section; carry on.
        print(f"{text('error', language)}: {exc.strerror}: {exc.filename}", file=sys.stderr)
    out = Path(options.out)
    print(text("diag.running", language), file=sys.stderr)
    bundle = write_support_bundle(
        out,
        loaded,
        settings_error=settings_error,
        portal_url=options.portal,
        modules=options.module,
        progress=lambda name: _log.info("diagnostics: %s", name),
    )
    print(text("diag.written", language, path=bundle.path))
    for code in bundle.problems:
        name, _, detail = code.partition(":")
        print(f"  ! {text(f'diag.{name}', language, section=detail)}")
    if not bundle.problems:
        print(f"  {text('diag.no_problems', language)}")
    return 0
