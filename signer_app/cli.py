"""The command line: ``signer-app COMMAND``, or ``signer-app [FILE.aktivasyon]`` for the window.

The CLI turns errors into words (with :mod:`signer_app.cli_texts`) and exit
statuses in one place, :func:`run`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Final, cast

from signer_app import __version__
from signer_app.cli_texts import Language, text
from signer_app.config import LoadedSettings, load_settings
from signer_app.errors import SignerAppError
from signer_app.logs import configure_logging, log_environment

if TYPE_CHECKING:
    import argparse

__all__ = ["EXIT_ERROR", "EXIT_INVALID", "EXIT_NO_TOKEN", "EXIT_OK", "EXIT_USAGE", "run"]

EXIT_OK: Final = 0
EXIT_ERROR: Final = 1
EXIT_USAGE: Final = 2
#: The document was read and checked, and it is not valid.
EXIT_INVALID: Final = 3
EXIT_NO_TOKEN: Final = 4

_log = logging.getLogger(__name__)

#: The sub-commands; anything else in the command's place is a document for the window.
COMMANDS: Final = frozenset({"tokens", "verify", "countersign", "demo", "diagnose"})


def _parser() -> argparse.ArgumentParser:
    import argparse  # noqa: PLC0415 - the window's usual start does without it

    parser = argparse.ArgumentParser(
        prog="signer-app",
        description="Hizmet Aktivasyon imza istemcisi / signing client",
        epilog="signer-app [FILE.aktivasyon]: komutsuz, pencereyi açar / "
        "without a command, opens the window",
    )
    parser.add_argument("--version", action="version", version=f"signer-app {__version__}")
    parser.add_argument("--lang", choices=["tr", "en"], help="dil / language")
    parser.add_argument("-v", "--verbose", action="store_true", help="ayrıntılı günlük / verbose")
    commands = parser.add_subparsers(dest="command", required=True)
    tokens = commands.add_parser(
        "tokens", help="kart kütüphanelerini, kartları ve sertifikaları listele / list tokens"
    )
    tokens.add_argument(
        "--module",
        action="append",
        default=[],
        metavar="PATH",
        help="yalnız bu PKCS#11 kütüphanesi / only this module (repeatable)",
    )
    tokens.add_argument(
        "--customer",
        metavar="VKN|TCKN",
        help="uygunluğu bu müşteri için değerlendir / assess for this customer",
    )
    tokens.add_argument("--json", action="store_true", help="JSON çıktı / JSON output")
    tokens.add_argument("--backend", choices=["python-pkcs11", "pykcs11"])
    tokens.add_argument(
        "--in-process",
        action="store_true",
        help="kütüphaneyi bu süreçte yükle (tanılama) / load in this process",
    )
    verify = commands.add_parser(
        "verify", help="GİB belgesini veya zarfını doğrula / verify a GİB document or envelope"
    )
    verify.add_argument("file", metavar="FILE")
    verify.add_argument("--json", action="store_true", help="JSON çıktı / JSON output")
    countersign = commands.add_parser(
        "countersign", help="belgeye müşterinin seri imzasını ekle / add the customer's signature"
    )
    countersign.add_argument("file", metavar="FILE")
    countersign.add_argument("--out", required=True, metavar="OUT")
    countersign.add_argument("--module", metavar="PATH", help="PKCS#11 kütüphanesi / module")
    countersign.add_argument("--slot", type=int, metavar="N", help="okuyucu / reader slot id")
    countersign.add_argument(
        "--force", action="store_true", help="OUT varsa üzerine yaz / overwrite OUT"
    )
    demo = commands.add_parser(
        "demo", help="yerel test portalı ve test mühürüyle tüm işi çalıştır / run the whole job"
    )
    demo.add_argument(
        "--unattended", action="store_true", help="sihirbazsız, test PIN'iyle / headless"
    )
    demo.add_argument("--work", metavar="DIR", help="çalışma klasörü / working folder")
    diagnose = commands.add_parser(
        "diagnose", help="destek paketi (tanılama ZIP'i) oluştur / write a support bundle"
    )
    diagnose.add_argument("--out", required=True, metavar="FILE.zip")
    diagnose.add_argument("--portal", metavar="URL", help="denetlenecek portal / portal to check")
    diagnose.add_argument(
        "--module",
        action="append",
        default=[],
        metavar="PATH",
        help="ayrıca bu PKCS#11 kütüphanesi / also this module (repeatable)",
    )
    return parser


def _gui_parser() -> argparse.ArgumentParser:
    import argparse  # noqa: PLC0415

    parser = argparse.ArgumentParser(
        prog="signer-app",
        description="Hizmet Aktivasyon imza istemcisi: pencere / the window",
        epilog="komutlar / commands: " + ", ".join(sorted(COMMANDS)),
    )
    parser.add_argument("--version", action="version", version=f"signer-app {__version__}")
    parser.add_argument("--lang", choices=["tr", "en"], help="dil / language")
    parser.add_argument("-v", "--verbose", action="store_true", help="ayrıntılı günlük / verbose")
    parser.add_argument(
        "files", nargs="*", metavar="FILE.aktivasyon", help="aktivasyon dosyası / contract file"
    )
    return parser


def _wants_window(argv: Sequence[str]) -> bool:
    """No sub-command: the first word that is not an option is a document (or absent)."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help"):
            return False
        if word == "--lang":
            next(words, None)
            continue
        if word == "--":
            return True
        if word.startswith("-"):
            continue
        return word not in COMMANDS
    return True


def _plain_window_start(argv: Sequence[str]) -> SimpleNamespace | None:
    """The options of a plain window start (a double-click), read without argparse.

    Only documents, ``--lang tr|en`` and ``-v``; anything else (help, a
    misspelt option, a command) returns ``None`` and goes to argparse,
    which explains itself. Loading and building the parsers would cost the
    window's start-up about 2 ms (``benchmarks/bench_startup.py``).
    """
    files: list[str] = []
    lang: str | None = None
    verbose = False
    words = iter(argv)
    for word in words:
        if word == "--":
            files.extend(words)
            break
        if word in ("-v", "--verbose"):
            verbose = True
        elif word == "--lang" or word.startswith("--lang="):
            value = next(words, None) if word == "--lang" else word.partition("=")[2]
            if value not in ("tr", "en"):
                return None
            lang = value
        elif word.startswith("-") or (not files and word in COMMANDS):
            return None
        else:
            files.append(word)
    return SimpleNamespace(command=None, files=files, lang=lang, verbose=verbose)


def run(argv: Sequence[str]) -> int:
    """Run one command; return the exit status."""
    options: argparse.Namespace | SimpleNamespace
    plain = _plain_window_start(argv)
    if plain is not None:
        options = plain
    elif _wants_window(argv):
        options = _gui_parser().parse_args(list(argv))
        options.command = None
    else:
        options = _parser().parse_args(list(argv))
    if options.command is not None:
        import gc  # noqa: PLC0415

        gc.enable()  # see signer_app.__main__
    command_line: dict[str, object] = {}
    if options.lang:
        command_line["language"] = options.lang
    if getattr(options, "backend", None):
        command_line["pkcs11.backend"] = options.backend
    if getattr(options, "in_process", False):
        command_line["token.host"] = "inprocess"
    language: Language = options.lang or "tr"
    try:
        if options.command == "diagnose":
            # Before the settings: a bundle is written even when they are unreadable.
            from signer_app.cli_diagnose import run_diagnose  # noqa: PLC0415

            return run_diagnose(options, command_line, language)
        loaded = load_settings(command_line=command_line)
        language = loaded.settings.language
        configure_logging(
            level="DEBUG" if options.verbose else loaded.settings.log_level,
            console=True,
            verbose=options.verbose,
        )
        log_environment(_log)
        if options.command is None:
            return _run_window(options.files, loaded, language)
        # A command: argparse read the line (a plain window start never gets here).
        options = cast("argparse.Namespace", options)
        if options.command == "tokens":
            from signer_app.cli_tokens import run_tokens  # noqa: PLC0415

            return run_tokens(options, loaded, language)
        if options.command == "verify":
            from signer_app.cli_documents import run_verify  # noqa: PLC0415

            return run_verify(options, loaded, language)
        if options.command == "demo":
            from signer_app.cli_documents import run_demo  # noqa: PLC0415

            return run_demo(options, language, loaded)
        if options.command == "countersign":
            from signer_app.cli_documents import run_countersign  # noqa: PLC0415

            return run_countersign(options, loaded, language)
    except OSError as exc:
        # A file named on the command line that cannot be read or written.
        print(f"{text('error', language)}: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return EXIT_ERROR
    except SignerAppError as exc:
        _log.debug("command failed", exc_info=True)
        print(f"{text('error', language)}: {text(exc.message_key, language)}", file=sys.stderr)
        if exc.detail:
            print(f"  ({exc.detail})", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_USAGE


_NO_DISPLAY: Final[dict[str, str]] = {
    "tr": "pencere gösterilemiyor (ekran yok: DISPLAY / WAYLAND_DISPLAY tanımlı değil)",
    "en": "cannot show the window (no display: DISPLAY / WAYLAND_DISPLAY is not set)",
}


def _run_window(files: Sequence[str], loaded: LoadedSettings, language: Language) -> int:
    from signer_app.launch import display_available, run_gui  # noqa: PLC0415 - loads Qt

    if not display_available():
        print(f"{text('error', language)}: {_NO_DISPLAY[language]}", file=sys.stderr)
        return EXIT_ERROR
    return run_gui(files, loaded)
