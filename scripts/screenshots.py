"""Real screenshots of every wizard page, in Turkish and English, under Xvfb.

Runs ``signer-app demo``'s own start-up (reference portal, SoftHSM2 test
seal, demo contract file, :func:`signer_app.launch.run_gui`) on Qt's xcb
platform and walks the wizard as a user would: Giriş, Hizmet Seçimi (and
the XML viewer), Sertifika Seçimi, İmza (and the PIN dialog), İmzalama
until GİB says "Aktif". Each picture is read back from the X server's
screen (``QScreen.grabWindow``), not rendered off-screen.

Run under Xvfb (the README's set-up installs it)::

    xvfb-run -a -s "-screen 0 1280x900x24" .venv/bin/python scripts/screenshots.py

Writes ``docs/screenshots/<lang>/<n>-<page>.png`` (``--out`` to change),
and with ``--scale 2`` a HiDPI set (``QT_SCALE_FACTOR``) under
``<lang>@2x``. Exit status 1 when a page did not appear in time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from signer_app.ui.wizard import ActivationWizard

#: A step waits for this to become true (polled every 50 ms).
Condition = Callable[[], bool]

#: How long one step may wait, in seconds (GİB's simulated steps are slow).
STEP_TIMEOUT = 60.0


class Walk:
    """Drives the wizard with a generator of conditions, from a Qt timer."""

    def __init__(self, wizard: ActivationWizard, out: Path) -> None:
        from PySide6.QtCore import QTimer  # noqa: PLC0415

        self.wizard = wizard
        self.out = out
        self.taken: list[Path] = []
        self.error: str | None = None
        self._steps = self._script()
        self._waiting: Condition | None = None
        self._since = time.monotonic()
        self._busy = False
        self._timer = QTimer(wizard)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _poll(self) -> None:
        if self._busy:  # a step opened a modal dialog: its loop runs this timer too
            return
        if self._waiting is not None and not self._waiting():
            if time.monotonic() - self._since > STEP_TIMEOUT:
                self._fail(f"timed out on page {self.wizard.currentId()}")
            return
        self._busy = True
        try:
            self._waiting = next(self._steps)
            self._since = time.monotonic()
        except StopIteration:
            self._finish()
        except Exception as exc:  # noqa: BLE001 - reported, then the window closes
            self._fail(repr(exc))
        finally:
            self._busy = False

    def _fail(self, reason: str) -> None:
        self.error = reason
        self._finish()

    def _finish(self) -> None:
        self._timer.stop()
        self.wizard.done(0)

    def shoot(self, name: str, window: QWidget | None = None) -> None:
        """Read the area of *window* (default: the wizard) back from the X server's screen."""
        from PySide6.QtGui import QGuiApplication  # noqa: PLC0415

        screen = QGuiApplication.primaryScreen()
        area = (window or self.wizard).frameGeometry()
        picture = screen.grabWindow(0, area.x(), area.y(), area.width(), area.height())
        path = self.out / f"{len(self.taken) + 1}-{name}.png"
        if not picture.save(str(path)):
            raise OSError(f"cannot write {path}")
        self.taken.append(path)

    def _settled(self, condition: Condition) -> Condition:
        """``condition``, then a short pause so that the last repaint reached the screen."""
        state: dict[str, float] = {}

        def check() -> bool:
            if not condition():
                return False
            first = state.setdefault("at", time.monotonic())
            return time.monotonic() - first > 0.4

        return check

    def _script(self) -> Iterator[Condition]:
        from PySide6.QtCore import QTimer  # noqa: PLC0415
        from PySide6.QtWidgets import QDialog, QPushButton, QWizard  # noqa: PLC0415

        w = self.wizard
        login = w.login_page
        yield self._settled(lambda: login.password_edit.text() != "")
        self.shoot("giris")

        w.button(QWizard.WizardButton.NextButton).click()
        services = w.services_page
        yield self._settled(lambda: w.currentId() == w.SERVICES and len(services.boxes) > 0)
        self.shoot("hizmet-secimi")

        first = next(i for i in w.state.items if i.data is not None or i.document is not None)
        viewer = services.show_xml(first)
        viewer.resize(720, 520)
        yield self._settled(viewer.isVisible)
        self.shoot("xml-goster", viewer)
        viewer.close()

        w.button(QWizard.WizardButton.NextButton).click()
        certificates = w.certificate_page
        yield lambda: certificates.open_button.isEnabled() and certificates.slot_combo.count() > 1
        certificates.open_button.click()
        yield certificates.choose_button.isEnabled
        certificates.choose_button.click()
        yield self._settled(lambda: certificates.chosen_label.text() != "")
        self.shoot("sertifika-secimi")

        w.button(QWizard.WizardButton.NextButton).click()
        sign = w.sign_page
        yield self._settled(
            lambda: (
                w.button(QWizard.WizardButton.CommitButton).isEnabled()
                and sign.pin_state_label.text() != ""
            )
        )
        self.shoot("imza")

        # İmzala opens the modal PIN dialog: press it from its own timer event.
        QTimer.singleShot(0, w.button(QWizard.WizardButton.CommitButton).click)
        yield self._settled(lambda: sign.dialog is not None and sign.dialog.isVisible())
        self.shoot("pin")
        dialog = sign.dialog
        assert dialog is not None and dialog.ok_button is not None
        ok_button: QPushButton = dialog.ok_button
        QTimer.singleShot(0, ok_button.click)
        yield lambda: not isinstance(sign.dialog, QDialog)

        signing = w.signing_page
        yield self._settled(
            lambda: (
                w.currentId() == w.SIGNING
                and signing.status_list.count() > 0
                and all(
                    "(1300)" in item.text()
                    for n in range(signing.status_list.count())
                    if (item := signing.status_list.item(n)) is not None
                )
            )
        )
        self.shoot("imzalama")


def _take(language: str, out: Path, work: Path) -> list[Path]:
    from signer_app.config import load_settings  # noqa: PLC0415
    from signer_app.launch import demo_session, run_gui  # noqa: PLC0415

    out.mkdir(parents=True, exist_ok=True)
    walks: list[Walk] = []

    def start(wizard: ActivationWizard) -> None:
        wizard.move(0, 0)
        wizard.signing_page.follow_interval = 0.5
        walks.append(Walk(wizard, out))

    settings = load_settings(command_line={"language": language})
    with demo_session(work) as (session, contract):
        from dataclasses import replace  # noqa: PLC0415

        status = run_gui([str(contract)], settings, replace(session, on_ready=start))
    if not walks:
        raise RuntimeError(f"the wizard never became ready (exit {status})")
    if walks[0].error is not None:
        raise RuntimeError(f"{language}: {walks[0].error}")
    return walks[0].taken


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", action="append", choices=["tr", "en"])
    parser.add_argument("--scale", type=int, default=1, help="QT_SCALE_FACTOR (2: HiDPI)")
    parser.add_argument("--work", type=Path, help="the demo's working folder")
    options = parser.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        print("no DISPLAY: run under xvfb-run (see the docstring)", file=sys.stderr)
        return 2
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    if options.scale != 1:
        os.environ["QT_SCALE_FACTOR"] = str(options.scale)
    import tempfile  # noqa: PLC0415

    suffix = "" if options.scale == 1 else f"@{options.scale}x"
    for language in options.lang or ["tr", "en"]:
        with tempfile.TemporaryDirectory(prefix="screenshots-") as folder:
            work = options.work / language if options.work else Path(folder)
            try:
                taken = _take(language, options.out / f"{language}{suffix}", work)
            except RuntimeError as exc:
                print(f"screenshots failed: {exc}", file=sys.stderr)
                return 1
        for path in taken:
            print(path.relative_to(options.out) if path.is_relative_to(options.out) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
