"""The wizard on the fault-injection card: last PIN try, locked PIN, a slow card."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from reference_portal.demo import DEMO_PASSWORD, seed_pending_activations
from reference_portal.documents import IntegratorSeal
from reference_portal.server import RunningPortal
from signer_app.flow.journal import Journal
from signer_app.portal_api.contract import Contract
from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import CUSTOMER_VKN
from signer_app.token.service import ServiceOptions, TokenService
from signer_app.ui.context import WizardContext
from signer_app.ui.pin_dialog import PinDialog
from tests.support.faultmodule import FaultConfig, build_fault_module, fault_env
from tests.ui.conftest import make_client
from tests.ui.walk import choose_certificate, login, retry_with_pin, sign_with_pin, type_pin

from PySide6.QtCore import QTimer  # isort: skip
from PySide6.QtWidgets import QWizard  # isort: skip

from signer_app.ui.wizard import ActivationWizard  # isort: skip

pytestmark = [pytest.mark.softhsm, pytest.mark.fault]

SEAL_PIN = "123456"


@pytest.fixture(scope="session")
def fault_module() -> Path:
    """The fault-injection module, built once per session."""
    return build_fault_module()


def _fault_tokens(softhsm: Manifest, tmp_path: Path, **faults: object) -> TokenService:
    """A token service whose card is the fault module over ``softhsm``'s tokens."""
    config = tmp_path / "faultp11.conf"
    FaultConfig(target=Path(softhsm.module_path), **faults).write(config)  # type: ignore[arg-type]
    env = {**os.environ, **softhsm.env(), **fault_env(config)}
    return TokenService(ServiceOptions(host_env=env))


def _fault_context(
    tokens: TokenService, journal: Journal, contract: Contract, fault_module: Path
) -> WizardContext:
    """The wizard's context with the fault module as the only card library."""
    return WizardContext(
        make_tokens=lambda: tokens,
        make_journal=lambda: journal,
        make_client=make_client,
        contract=contract,
        portal_url=contract.portal_url,
        modules=[str(fault_module)],
    )


def _wizard(qtbot: QtBot, context: WizardContext) -> ActivationWizard:
    window = ActivationWizard(context)
    window.signing_page.follow_interval = 0.1
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def pin_card(softhsm_copy: Manifest, fault_module: Path, tmp_path: Path) -> Iterator[TokenService]:
    """A card that locks after two wrong PINs (a private copy: wrong PINs stay there)."""
    service = _fault_tokens(softhsm_copy, tmp_path, pin_tries=2, state_file=tmp_path / "card.state")
    yield service
    service.close()


def test_last_try_needs_confirmation_and_locked_shows_unblock_steps(
    qtbot: QtBot,
    contract: Contract,
    pin_card: TokenService,
    journal: Journal,
    fault_module: Path,
) -> None:
    context = WizardContext(
        make_tokens=lambda: pin_card,
        make_journal=lambda: journal,
        make_client=make_client,
        contract=contract,
        portal_url=contract.portal_url,
        modules=[str(fault_module)],
    )
    wizard = _wizard(qtbot, context)
    try:
        login(qtbot, wizard, DEMO_PASSWORD, 4)
        wizard.button(QWizard.WizardButton.NextButton).click()
        choose_certificate(qtbot, wizard)
        sign = wizard.sign_page
        qtbot.waitUntil(lambda: sign.pin_state_label.text() == "PIN kullanılabilir.", timeout=10000)

        sign_with_pin(qtbot, wizard, type_pin("000000"))
        qtbot.waitUntil(lambda: "PIN yanlış" in sign.error_label.text(), timeout=15000)
        qtbot.waitUntil(lambda: "son PIN deneme" in sign.pin_state_label.text(), timeout=10000)
        assert wizard.currentId() == ActivationWizard.SIGN

        sign_with_pin(qtbot, wizard, type_pin("000000", confirm=True))
        qtbot.waitUntil(lambda: sign.pin_state_label.text() == "PIN bloke.", timeout=15000)
        assert wizard.currentId() == ActivationWizard.SIGN

        seen: list[PinDialog] = []

        def look(dialog: PinDialog) -> None:
            seen.append(dialog)
            assert dialog.pin_edit is None  # no PIN field on a locked card
            assert "PIN bloke çözme" in dialog.steps_label.text()
            dialog.reject()

        sign_with_pin(qtbot, wizard, look)
        assert len(seen) == 1
        assert wizard.currentId() == ActivationWizard.SIGN
    finally:
        wizard.done(0)


def _seed(portal: RunningPortal, softhsm: Manifest, count: int) -> None:
    """``count`` activations waiting for the demo company's signature."""
    seal = IntegratorSeal.from_pem_files(softhsm.integrator_key_pem, softhsm.integrator_cert_pem)
    seed_pending_activations(portal.store, seal, CUSTOMER_VKN, count, now=datetime.now(UTC))


@pytest.fixture
def slow_wizard(
    qtbot: QtBot,
    portal: RunningPortal,
    softhsm: Manifest,
    journal: Journal,
    fault_module: Path,
    tmp_path: Path,
) -> Iterator[ActivationWizard]:
    """Ten documents waiting, a card taking 300 ms per signature; the wizard at İmza."""
    _seed(portal, softhsm, 10)
    tokens = _fault_tokens(softhsm, tmp_path, sign_delay_ms=300)
    context = WizardContext(
        make_tokens=lambda: tokens,
        make_journal=lambda: journal,
        make_client=make_client,
        portal_url=portal.url,
        modules=[str(fault_module)],
        prefill_user=CUSTOMER_VKN,
    )
    wizard = _wizard(qtbot, context)
    try:
        login(qtbot, wizard, DEMO_PASSWORD, 10)
        wizard.button(QWizard.WizardButton.NextButton).click()
        choose_certificate(qtbot, wizard)
        qtbot.waitUntil(
            lambda: wizard.sign_page.pin_state_label.text() == "PIN kullanılabilir.",
            timeout=10000,
        )
        yield wizard
    finally:
        wizard.done(0)
        tokens.close()


def _lines(wizard: ActivationWizard) -> list[str]:
    results = wizard.signing_page.results_list
    return [item.text() for i in range(results.count()) if (item := results.item(i)) is not None]


@pytest.mark.slow
def test_window_stays_responsive_while_a_slow_card_signs_ten_documents(
    qtbot: QtBot, slow_wizard: ActivationWizard
) -> None:
    wizard = slow_wizard
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    started = time.monotonic()
    sign_with_pin(qtbot, wizard, type_pin(SEAL_PIN))
    signing = wizard.signing_page
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    qtbot.waitUntil(lambda: signing.progress_bar.value() >= 1, timeout=20000)
    assert not finish.isEnabled()  # no closing with Kapat while signing
    # Closing mid-batch asks first; "No" keeps the window and the batch.
    asked: list[bool] = []

    def refuse() -> bool:
        asked.append(True)
        return False

    wizard.confirm_close_during_batch = refuse  # type: ignore[method-assign]
    wizard.close()
    assert asked == [True]
    assert wizard.isVisible()
    qtbot.waitUntil(
        lambda: sum("Sonuç: Başarılı" in line for line in _lines(wizard)) == 10, timeout=60000
    )
    timer.stop()
    elapsed = time.monotonic() - started
    assert elapsed > 10 * 0.3  # the card really was slow
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 100
    assert max(gaps) < 0.1, max(gaps)
    assert finish.isEnabled()


@pytest.mark.slow
def test_closing_mid_batch_stops_between_documents_and_keeps_the_journal_consistent(
    qtbot: QtBot, slow_wizard: ActivationWizard, journal: Journal
) -> None:
    wizard = slow_wizard
    sign_with_pin(qtbot, wizard, type_pin(SEAL_PIN))
    signing = wizard.signing_page
    qtbot.waitUntil(lambda: signing.progress_bar.value() >= 2, timeout=20000)
    wizard.confirm_close_during_batch = lambda: True  # type: ignore[method-assign]
    started = time.monotonic()
    wizard.close()
    assert not wizard.isVisible()
    assert not wizard.handle.worker_thread.isRunning()
    assert time.monotonic() - started < 5
    portal_url = wizard.login_page.url_edit.text()
    entries = journal.entries(portal_url, CUSTOMER_VKN)
    assert 2 <= len(entries) < 10  # stopped before the end
    # Whatever was signed was also uploaded: nothing is left half done.
    assert journal.pending(portal_url, CUSTOMER_VKN) == []


def test_pinpad_reader_prompts_on_the_reader_with_a_countdown(
    qtbot: QtBot,
    contract: Contract,
    softhsm: Manifest,
    journal: Journal,
    fault_module: Path,
    tmp_path: Path,
) -> None:
    tokens = _fault_tokens(
        softhsm, tmp_path, protected_auth=True, pinpad_pin=SEAL_PIN, pinpad_delay_ms=1500
    )
    context = _fault_context(tokens, journal, contract, fault_module)
    context.pinpad_seconds = 45  # the token host's PIN-pad timeout, from the settings
    wizard = _wizard(qtbot, context)
    try:
        login(qtbot, wizard, DEMO_PASSWORD, 4)
        wizard.button(QWizard.WizardButton.NextButton).click()
        choose_certificate(qtbot, wizard)
        sign = wizard.sign_page
        qtbot.waitUntil(lambda: "tuş takımından" in sign.pin_state_label.text(), timeout=10000)
        commit = wizard.button(QWizard.WizardButton.CommitButton)
        commit.click()  # no PIN dialog: the reader asks
        assert sign.dialog is None
        signing = wizard.signing_page
        assert signing.progress_label.text() == "PIN'i okuyucunun tuş takımından girin (45 sn)"
        qtbot.waitUntil(lambda: "(44 sn)" in signing.progress_label.text(), timeout=3000)
        qtbot.waitUntil(
            lambda: sum("Sonuç: Başarılı" in line for line in _lines(wizard)) == 4,
            timeout=30000,
        )
    finally:
        wizard.done(0)
        tokens.close()


def test_card_removed_before_signing_then_retry_after_inserting_it(
    qtbot: QtBot,
    contract: Contract,
    softhsm: Manifest,
    journal: Journal,
    fault_module: Path,
    tmp_path: Path,
) -> None:
    removed = tmp_path / "card-removed"
    tokens = _fault_tokens(softhsm, tmp_path, removed_file=removed)
    context = _fault_context(tokens, journal, contract, fault_module)
    wizard = _wizard(qtbot, context)
    try:
        login(qtbot, wizard, DEMO_PASSWORD, 4)
        wizard.button(QWizard.WizardButton.NextButton).click()
        choose_certificate(qtbot, wizard)
        sign = wizard.sign_page
        qtbot.waitUntil(lambda: sign.pin_state_label.text() == "PIN kullanılabilir.", timeout=10000)
        removed.write_text("pulled")
        sign_with_pin(qtbot, wizard, type_pin(SEAL_PIN))
        signing = wizard.signing_page
        qtbot.waitUntil(signing.retry_button.isEnabled, timeout=20000)
        assert "kart" in signing.progress_label.text().lower()
        assert all("Sonuç: Başarısız" in line for line in _lines(wizard))
        removed.unlink()
        retry_with_pin(qtbot, wizard, type_pin(SEAL_PIN))
        qtbot.waitUntil(
            lambda: sum("Sonuç: Başarılı" in line for line in _lines(wizard)) == 4,
            timeout=30000,
        )
        assert not signing.retry_button.isEnabled()
    finally:
        wizard.done(0)
        tokens.close()


def test_slot_list_follows_a_card_pulled_out_and_put_back(
    qtbot: QtBot,
    contract: Contract,
    softhsm: Manifest,
    journal: Journal,
    fault_module: Path,
    tmp_path: Path,
) -> None:
    removed = tmp_path / "card-removed"
    tokens = _fault_tokens(softhsm, tmp_path, removed_file=removed)
    context = _fault_context(tokens, journal, contract, fault_module)
    wizard = _wizard(qtbot, context)
    page = wizard.certificate_page
    page.slot_poll_ms = 100
    try:
        login(qtbot, wizard, DEMO_PASSWORD, 4)
        wizard.button(QWizard.WizardButton.NextButton).click()
        qtbot.waitUntil(lambda: page.slot_combo.count() > 1, timeout=15000)
        qtbot.waitUntil(page.open_button.isEnabled, timeout=5000)
        page.open_button.click()
        qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=15000)

        def slot_names() -> list[str]:
            return [page.slot_combo.itemText(i) for i in range(page.slot_combo.count())]

        removed.write_text("pulled")
        qtbot.waitUntil(lambda: "kartlar değişti" in page.status_label.text(), timeout=10000)
        assert page.table.rowCount() == 0
        assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
        assert any("(kart yok)" in name for name in slot_names())
        removed.unlink()
        qtbot.waitUntil(
            lambda: not any("(kart yok)" in name for name in slot_names()), timeout=10000
        )
    finally:
        wizard.done(0)
        tokens.close()
