"""Walk every page of the wizard with real widgets: reference portal + SoftHSM2."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from reference_portal.demo import DEMO_PASSWORD
from reference_portal.faults import Fault, FaultPlan
from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import CUSTOMER_ENCRYPTION_LABEL, CUSTOMER_VKN
from signer_app.ui.context import WizardContext
from tests.ui.walk import (
    choose_certificate,
    login,
    press_next,
    retry_with_pin,
    sign_with_pin,
    type_pin,
)

from PySide6.QtCore import Qt, QTimer  # isort: skip
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QWizard  # isort: skip

from signer_app.ui.wizard import ActivationWizard  # isort: skip

pytestmark = pytest.mark.softhsm

SEAL_PIN = "123456"


@pytest.fixture
def wizard(qtbot: QtBot, context: WizardContext) -> Iterator[ActivationWizard]:
    window = ActivationWizard(context)
    window.signing_page.follow_interval = 0.1
    qtbot.addWidget(window)
    window.show()
    yield window
    window.done(0)


def _cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None
    return item


def _header(table: QTableWidget, column: int) -> str:
    item = table.horizontalHeaderItem(column)
    assert item is not None
    return item.text()


def _next(wizard: ActivationWizard) -> None:
    wizard.button(QWizard.WizardButton.NextButton).click()


def _login(qtbot: QtBot, wizard: ActivationWizard) -> None:
    page = wizard.login_page
    page.password_edit.setText(DEMO_PASSWORD)
    _next(wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == ActivationWizard.SERVICES, timeout=10000)
    qtbot.waitUntil(lambda: len(wizard.services_page.boxes) == 4, timeout=15000)


def _open_card(qtbot: QtBot, wizard: ActivationWizard) -> None:
    page = wizard.certificate_page
    qtbot.waitUntil(lambda: page.slot_combo.count() > 1, timeout=15000)
    qtbot.waitUntil(page.open_button.isEnabled, timeout=5000)
    page.open_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=15000)


def _answer_pin(wizard: ActivationWizard, pin: str) -> Callable[[], None]:
    """Type ``pin`` into the modal PIN dialog once it is open, then press Tamam."""

    def answer() -> None:
        dialog = wizard.sign_page.dialog
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, answer)
            return
        assert dialog.pin_edit is not None and dialog.ok_button is not None
        dialog.pin_edit.setText(pin)
        assert dialog.ok_button.isEnabled()
        dialog.ok_button.click()

    return answer


def test_login_page_checks_input_and_shows_wrong_password(
    qtbot: QtBot, wizard: ActivationWizard
) -> None:
    page = wizard.login_page
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert wizard.currentId() == ActivationWizard.LOGIN
    assert page.title() == "Giriş"
    assert page.subTitle() == "Lütfen kullanıcı ve parola bilgilerinizi girin"
    assert next_button.text() == "Sonraki >>"
    assert wizard.button(QWizard.WizardButton.CancelButton).text() == "Kapat"
    assert page.url_edit.isReadOnly()
    assert page.user_edit.text() == CUSTOMER_VKN
    assert not next_button.isEnabled()  # no password yet
    page.user_edit.setText("12345")
    page.password_edit.setText("yanlış-parola")
    assert not next_button.isEnabled()  # 5 digits is no VKN/TCKN
    page.user_edit.setText(CUSTOMER_VKN)
    assert next_button.isEnabled()
    _next(wizard)
    qtbot.waitUntil(lambda: "parola yanlış" in page.error_label.text(), timeout=10000)
    assert wizard.currentId() == ActivationWizard.LOGIN
    assert next_button.isEnabled()
    _login(qtbot, wizard)
    assert page.error_label.text() == ""


def test_unreachable_portal_has_its_own_message(qtbot: QtBot, wizard: ActivationWizard) -> None:
    page = wizard.login_page
    page.url_edit.setReadOnly(False)
    page.url_edit.setText("http://127.0.0.1:9/")
    page.password_edit.setText(DEMO_PASSWORD)
    _next(wizard)
    qtbot.waitUntil(lambda: "Portala ulaşılamadı" in page.error_label.text(), timeout=20000)
    assert wizard.currentId() == ActivationWizard.LOGIN


def test_every_page_to_active_at_gib(
    qtbot: QtBot,
    wizard: ActivationWizard,
    softhsm: Manifest,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    _login(qtbot, wizard)

    # Hizmet Seçimi
    services = wizard.services_page
    assert services.title() == "Hizmet Seçimi"
    assert services.group.title() == "Bekleyen hizmetler"
    texts = [box.text() for box in services.boxes]
    assert texts[0] == "e-Fatura Hizmeti açma"
    assert all(box.isChecked() and box.isEnabled() for box in services.boxes)
    services.boxes[1].setChecked(False)
    services.select_all()
    assert all(box.isChecked() for box in services.boxes)
    dialog = services.show_xml(services._boxes[0][1])
    assert dialog.xml_view.isReadOnly()
    assert "<" in dialog.xml_view.toPlainText()
    assert CUSTOMER_VKN in dialog.summary_label.text()
    dialog.close()
    _next(wizard)

    # Sertifika Seçimi
    assert wizard.currentId() == ActivationWizard.CERTIFICATE
    page = wizard.certificate_page
    assert page.module_combo.currentData() == softhsm.module_path
    _open_card(qtbot, wizard)
    headers = [_header(page.table, c) for c in range(page.table.columnCount())]
    assert headers[:5] == ["Subject", "Issuer", "Valid from", "Valid to", "Algorithm"]
    selected = page.table.selectionModel().selectedRows()
    assert len(selected) == 1
    row = selected[0].row()
    assert _cell(page.table, row, 4).text() == "RSA (2048 bits)"
    assert _cell(page.table, row, 5).text() == "İmza için kullanılabilir"
    chosen = page.selected_choice()
    assert chosen is not None and chosen.preselected
    assert chosen.certificate.info is not None
    assert chosen.certificate.info.tax_id == CUSTOMER_VKN
    encryption_rows = [
        r
        for r in range(page.table.rowCount())
        if page._choices[r].certificate.label == CUSTOMER_ENCRYPTION_LABEL
    ]
    assert encryption_rows
    cell = _cell(page.table, encryption_rows[0], 5)
    assert "şifreleme sertifikası" in cell.text()
    assert not cell.flags() & Qt.ItemFlag.ItemIsEnabled
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # not chosen yet
    assert page.choose_button.isEnabled()
    page.choose_button.click()
    assert next_button.isEnabled()
    _next(wizard)

    # İmza: a wrong PIN first
    sign = wizard.sign_page
    assert wizard.currentId() == ActivationWizard.SIGN
    assert sign.library_label.text().startswith("PKCS #11")
    assert sign.certificate_label.text() == chosen.certificate.info.display_name
    qtbot.waitUntil(lambda: sign.pin_state_label.text() == "PIN kullanılabilir.", timeout=10000)
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert commit.text() == "İmzala >>"
    QTimer.singleShot(0, _answer_pin(wizard, "000000"))
    commit.click()
    qtbot.waitUntil(lambda: "PIN yanlış" in sign.error_label.text(), timeout=15000)
    assert wizard.currentId() == ActivationWizard.SIGN

    # … then the right one
    qtbot.waitUntil(commit.isEnabled, timeout=10000)
    QTimer.singleShot(0, _answer_pin(wizard, SEAL_PIN))
    commit.click()
    assert wizard.currentId() == ActivationWizard.SIGNING
    signing = wizard.signing_page

    def lines() -> list[str]:
        return [signing.results_list.item(i).text() for i in range(signing.results_list.count())]

    qtbot.waitUntil(lambda: all("Sonuç: Başarılı" in line for line in lines()), timeout=30000)
    assert lines()[0] == "e-Fatura Hizmeti açma. Sonuç: Başarılı"
    assert len(lines()) == 4

    def statuses() -> list[str]:
        return [signing.status_list.item(i).text() for i in range(signing.status_list.count())]

    qtbot.waitUntil(
        lambda: (
            len(statuses()) == 4
            and all("Aktif (1300) BASARIYLA TAMAMLANDI" in s for s in statuses())
        ),
        timeout=30000,
    )
    assert not signing.retry_button.isEnabled()
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.isEnabled() and finish.text() == "Kapat"

    receipt = tmp_path_factory.mktemp("receipt") / "makbuz.csv"
    with qtbot.waitSignal(signing.receipt_saved, timeout=10000):
        signing.save_receipt(receipt)
    assert "BASARIYLA TAMAMLANDI" in receipt.read_text(encoding="utf-8-sig")


def test_retry_only_the_failed_upload(
    qtbot: QtBot, wizard: ActivationWizard, faults: FaultPlan
) -> None:
    login(qtbot, wizard, DEMO_PASSWORD, 4)
    press_next(wizard)
    choose_certificate(qtbot, wizard)
    # The first upload fails each time the client tries: once and its 3 retries.
    for _ in range(4):
        faults.add("uploadSignedDocument", Fault.status(503))
    sign_with_pin(qtbot, wizard, type_pin(SEAL_PIN))
    signing = wizard.signing_page
    qtbot.waitUntil(lambda: not wizard.state.busy and signing.results_list.count() == 4)

    def lines() -> list[str]:
        results = signing.results_list
        return [i.text() for n in range(results.count()) if (i := results.item(n)) is not None]

    qtbot.waitUntil(lambda: "Başarısız" in lines()[0], timeout=20000)
    assert lines()[0].startswith("e-Fatura Hizmeti açma. Sonuç: Başarısız")
    assert "hizmet veremiyor" in lines()[0]
    assert all(line.endswith("Sonuç: Başarılı") for line in lines()[1:]), lines()
    assert signing.retry_button.isEnabled()
    assert wizard.state.pin is None  # not kept after the batch: the retry asks again
    retry_with_pin(qtbot, wizard, type_pin(SEAL_PIN))
    qtbot.waitUntil(lambda: lines()[0] == "e-Fatura Hizmeti açma. Sonuç: Başarılı", timeout=20000)
    assert not signing.retry_button.isEnabled()
