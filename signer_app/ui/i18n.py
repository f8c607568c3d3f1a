"""Languages of the window: Turkish source texts, an English translation.

The texts in the code are Turkish (``tr()``); English comes from
``i18n/signer_app_en.qm``, built from ``i18n/signer_app_en.ts`` with
``pyside6-lrelease``. Qt's own texts (standard buttons, context menus) come
from the ``qtbase_*.qm`` files PySide6 ships.

Choice, first that applies: ``--lang``, the machine policy or the user's
settings (``language``), the system language (English only when the system
language is English; Turkish otherwise).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "TRANSLATIONS_DIR",
    "Language",
    "choose_language",
    "install_translators",
    "system_language",
]

Language = Literal["tr", "en"]

#: Our ``.ts`` sources and built ``.qm`` files.
TRANSLATIONS_DIR: Final = Path(__file__).resolve().parent / "i18n"

_log = logging.getLogger(__name__)


def system_language(locale: QLocale | None = None) -> Language:
    """``en`` when the system (or *locale*) language is English, else ``tr``."""
    locale = locale if locale is not None else QLocale.system()
    if locale.language() == QLocale.Language.English:
        return "en"
    return "tr"


def choose_language(
    language: str,
    sources: Mapping[str, str],
    *,
    system: Language | None = None,
) -> Language:
    """The window's language.

    :param language: the ``language`` setting.
    :param sources: where each setting came from (``LoadedSettings.sources``);
        a ``language`` from any layer but the built-in default wins.
    :param system: the system language (default: :func:`system_language`).
    """
    if sources.get("language", "default") != "default" and language in ("tr", "en"):
        return "en" if language == "en" else "tr"
    return system if system is not None else system_language()


def install_translators(
    app: QCoreApplication, language: Language, *, directory: Path | None = None
) -> list[QTranslator]:
    """Load Qt's and our translations for *language* into *app*.

    :param directory: where ``signer_app_<language>.qm`` is (tests).
    :returns: the installed translators (keep them alive with the app).
    """
    installed: list[QTranslator] = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qt)
        installed.append(qt)
    else:
        _log.info("no Qt translation qtbase_%s in %s", language, qt_dir)
    if language != "tr":  # the source texts are Turkish
        ours = QTranslator(app)
        folder = directory or TRANSLATIONS_DIR
        if ours.load(f"signer_app_{language}", str(folder)):
            app.installTranslator(ours)
            installed.append(ours)
        else:
            _log.warning("translation signer_app_%s.qm missing in %s", language, folder)
    QLocale.setDefault(
        QLocale(
            QLocale.Language.English if language == "en" else QLocale.Language.Turkish,
            QLocale.Country.UnitedStates if language == "en" else QLocale.Country.Turkey,
        )
    )
    return installed
