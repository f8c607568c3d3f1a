"""Login errors each get their own words; a new contract file restarts at Giriş."""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from reference_portal import store as db_rows
from reference_portal.accounts import MAX_FAILED_ATTEMPTS
from reference_portal.demo import DEMO_PASSWORD
from reference_portal.server import RunningPortal
from signer_app.errors import SignerAppError
from signer_app.portal_api.contract import Contract
from signer_app.portal_api.errors import (
    AccountLockedError,
    InvalidCredentialsError,
    PortalConnectionError,
    PortalTimeoutError,
    TlsError,
)
from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import CUSTOMER_VKN
from signer_app.token.errors import PinLockedError, TokenRemovedError
from signer_app.token.pin import PinStatus
from signer_app.ui.context import WizardContext
from signer_app.ui.messages import message_for, table
from tests.support.keyrings import MemoryKeyring, installed
from tests.ui.walk import login, press_next

from PySide6.QtCore import Qt  # isort: skip
from PySide6.QtTest import QTest  # isort: skip
from PySide6.QtWidgets import QWizard  # isort: skip

from signer_app.ui.wizard import ActivationWizard  # isort: skip


@pytest.fixture
def wizard(qtbot: QtBot, context: WizardContext) -> Iterator[ActivationWizard]:
    window = ActivationWizard(context)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.done(0)


def test_login_failures_have_distinct_plain_messages(qapp: object) -> None:
    errors = [
        InvalidCredentialsError("x"),
        AccountLockedError("x"),
        PortalConnectionError("x"),
        PortalTimeoutError("x"),
        TlsError("x"),
    ]
    texts = [message_for(e) for e in errors]
    assert len(set(texts)) == len(texts)
    assert texts[0][1] == "Kullanıcı adı veya parola yanlış."
    assert "kilitlendi" in texts[1][1]
    assert "ulaşılamadı" in texts[2][1]
    assert "sertifikası doğrulanamadı" in texts[4][1]


def test_every_text_is_turkish_and_unknown_keys_fall_back(qapp: object) -> None:
    assert all(title and text for title, text in table().values())
    removed = message_for(TokenRemovedError("x"))
    assert "Kart çıkarıldı" in removed[1]
    locked = message_for(PinLockedError("x", status=PinStatus.LOCKED))
    assert "PIN bloke" in locked[1]
    assert message_for(ValueError("boom")) == table()["error"]


def test_every_error_of_the_family_has_its_own_words(qapp: object) -> None:
    # Import every module that defines errors, then walk the family.
    for module in (
        "signer_app.envelope.errors",
        "signer_app.portal_api.errors",
        "signer_app.token.errors",
        "signer_app.ui.workers",
    ):
        importlib.import_module(module)

    def family(root: type[SignerAppError]) -> list[type[SignerAppError]]:
        found = [root]
        for child in root.__subclasses__():
            found.extend(family(child))
        return found

    keys = {cls.message_key for cls in family(SignerAppError)}
    assert len(keys) > 40
    missing = sorted(keys - set(table()))
    assert missing == [], f"no UI words for {missing}"


@pytest.mark.softhsm
def test_locked_account_after_wrong_passwords(qtbot: QtBot, wizard: ActivationWizard) -> None:
    page = wizard.login_page
    for attempt in range(MAX_FAILED_ATTEMPTS + 1):
        page.error_label.clear()
        page.password_edit.setText(f"yanlış-{attempt}")
        press_next(wizard)
        qtbot.waitUntil(lambda: page.error_label.text() != "", timeout=10000)
    assert "kilitlendi" in page.error_label.text()
    assert wizard.currentId() == ActivationWizard.LOGIN


@pytest.mark.softhsm
def test_open_contract_restarts_at_login_with_its_data(
    qtbot: QtBot, wizard: ActivationWizard, contract: Contract
) -> None:
    login(qtbot, wizard, DEMO_PASSWORD, 4)
    wizard.open_contract(contract)
    assert wizard.currentId() == ActivationWizard.LOGIN
    page = wizard.login_page
    assert page.url_edit.text() == contract.portal_url
    assert page.user_edit.text() == contract.company.id
    assert wizard.state.selected == []
    assert wizard.button(QWizard.WizardButton.BackButton).text() == "<< Önceki"


@pytest.mark.softhsm
def test_services_page_shows_opening_time_and_xml_summary(
    qtbot: QtBot, wizard: ActivationWizard
) -> None:
    login(qtbot, wizard, DEMO_PASSWORD, 4)
    page = wizard.services_page
    texts = [box.text() for box in page.boxes]
    assert texts == [
        "e-Fatura Hizmeti açma",
        "e-Arşiv Hizmeti açma",
        "e-İrsaliye Hizmeti açma",
        "e-Arşiv Saklama Hizmeti açma",
    ]
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    for box in page.boxes:
        box.setChecked(False)
    assert not next_button.isEnabled()
    page.select_all_button.click()
    assert next_button.isEnabled()


@pytest.mark.softhsm
def test_find_my_card_explains_every_library(
    qtbot: QtBot, wizard: ActivationWizard, softhsm: Manifest
) -> None:
    login(qtbot, wizard, DEMO_PASSWORD, 4)
    press_next(wizard)
    page = wizard.certificate_page
    qtbot.waitUntil(lambda: page.slot_combo.count() > 1, timeout=15000)
    assert not page.probe_view.isVisible()
    page.find_button.click()
    qtbot.waitUntil(page.probe_view.isVisible, timeout=30000)
    text = page.probe_view.toPlainText()
    assert text
    qtbot.waitUntil(page.find_button.isEnabled, timeout=10000)
    assert page.status_label.text() in ("Kart bulundu.", "Takılı bir kart bulunamadı.")


@pytest.mark.softhsm
def test_keyboard_only_login_and_accessible_names(qtbot: QtBot, wizard: ActivationWizard) -> None:
    page = wizard.login_page
    for widget in (page.url_edit, page.user_edit, page.password_edit, page.remember_box):
        assert widget.accessibleName()
    page.password_edit.setFocus()
    page.password_edit.setText(DEMO_PASSWORD)  # setText: keyClicks aborts on non-ASCII
    QTest.keyClick(page.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentId() == ActivationWizard.SERVICES, timeout=10000)
    qtbot.waitUntil(lambda: len(wizard.services_page.boxes) == 4, timeout=15000)
    assert all(box.accessibleName() == box.text() for box in wizard.services_page.boxes)
    QTest.keyClick(wizard, Qt.Key.Key_Return)
    assert wizard.currentId() == ActivationWizard.CERTIFICATE


@pytest.mark.softhsm
def test_remembered_password_is_read_back_and_forgotten_when_unticked(
    qtbot: QtBot, context: WizardContext
) -> None:
    store = MemoryKeyring()
    with installed(store):
        first = ActivationWizard(context)
        qtbot.addWidget(first)
        first.show()
        try:
            first.login_page.remember_box.setChecked(True)
            login(qtbot, first, DEMO_PASSWORD, 4)
            qtbot.waitUntil(lambda: len(store.store) == 1, timeout=5000)
        finally:
            first.done(0)
        assert list(store.store.values()) == [DEMO_PASSWORD]

        second = ActivationWizard(context)
        qtbot.addWidget(second)
        second.show()
        try:
            page = second.login_page
            # Read on the worker thread, without the user typing anything.
            qtbot.waitUntil(lambda: page.password_edit.text() == DEMO_PASSWORD, timeout=10000)
            assert page.remember_box.isChecked()
            assert "Hatırlanan parola" in page.status_label.text()
            page.remember_box.setChecked(False)
            press_next(second)
            qtbot.waitUntil(lambda: second.currentId() == ActivationWizard.SERVICES, timeout=10000)
            qtbot.waitUntil(lambda: store.store == {}, timeout=5000)
        finally:
            second.done(0)

        third = ActivationWizard(context)
        qtbot.addWidget(third)
        third.show()
        try:
            qtbot.wait(300)  # the worker had time to answer: nothing is remembered now
            assert third.login_page.password_edit.text() == ""
            assert not third.login_page.remember_box.isChecked()
        finally:
            third.done(0)


@pytest.mark.softhsm
def test_alt_letters_reach_every_login_field(qtbot: QtBot, wizard: ActivationWizard) -> None:
    page = wizard.login_page
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow, timeout=5000)
    alt = Qt.KeyboardModifier.AltModifier
    QTest.keyClick(wizard, Qt.Key.Key_P, alt)
    assert page.password_edit.hasFocus()
    QTest.keyClick(wizard, Qt.Key.Key_K, alt)
    assert page.user_edit.hasFocus()
    QTest.keyClick(wizard, Qt.Key.Key_B, alt)
    assert page.url_edit.hasFocus()
    assert not page.remember_box.isChecked()
    QTest.keyClick(wizard, Qt.Key.Key_H, alt)
    qtbot.waitUntil(page.remember_box.isChecked, timeout=2000)  # an animated click


@pytest.mark.softhsm
def test_a_document_failing_verification_is_shown_with_its_reason_and_cannot_be_chosen(
    qtbot: QtBot, context: WizardContext, portal: RunningPortal
) -> None:
    # One document's integrator signature value was altered (one base64 letter).
    with portal.store.transaction() as db:
        first = db_rows.activations(db, company_id=CUSTOMER_VKN)[0]
        value = re.search(rb"<ds:SignatureValue[^>]*>([A-Za-z0-9+/=\s]+)<", first.document)
        assert value is not None
        at = value.start(1) + 10
        letter = first.document[at : at + 1]
        forged = first.document[:at] + (b"B" if letter == b"A" else b"A") + first.document[at + 1 :]
        db.execute(
            "UPDATE activations SET document = ?, document_sha256 = ? WHERE id = ?",
            (forged, hashlib.sha256(forged).hexdigest(), first.id),
        )
    wizard = ActivationWizard(context)
    qtbot.addWidget(wizard)
    wizard.show()
    try:
        login(qtbot, wizard, DEMO_PASSWORD, 4)
        page = wizard.services_page
        boxes = page.boxes
        refused = [n for n, box in enumerate(boxes) if not box.isEnabled()]
        assert len(refused) == 1
        assert not boxes[refused[0]].isChecked()
        assert "imza" in page.notes[refused[0]].lower()  # the reason, in words
        boxes[refused[0]].setChecked(True)  # even if it were checked somehow
        press_next(wizard)
        assert wizard.currentId() == ActivationWizard.CERTIFICATE
        chosen = {item.activation.id for item in wizard.state.selected}
        assert len(chosen) == 3
        assert first.id not in chosen
    finally:
        wizard.done(0)
