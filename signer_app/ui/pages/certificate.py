"""Sertifika Seçimi: card library, reader slot, "Kartı Aç", the certificate table, "Seç"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from signer_app.token.probe import ProbeResult
from signer_app.ui.messages import message_for, probe_text, reason_text
from signer_app.ui.state import local_date_text

if TYPE_CHECKING:
    from signer_app.flow.certificates import CertificateChoice
    from signer_app.token.api import SlotInfo
    from signer_app.token.catalogue import ModuleCandidate
    from signer_app.ui.state import WizardState

__all__ = ["CertificatePage"]

_ALL_SLOTS = -1


class CertificatePage(QWizardPage):
    """The "CryptoToken (PKCS#11)" part of the help document."""

    COLUMNS = 6

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._choices: list[CertificateChoice] = []
        self._busy = False
        self.setTitle(self.tr("Sertifika Seçimi"))
        self.setSubTitle(
            self.tr(
                "Mali mühür sertifikanıza erişim yöntemini belirleyin ve imza sertifikanızı seçin."
            )
        )
        self.module_combo = QComboBox()
        self.module_combo.setEditable(False)
        self.module_combo.setAccessibleName(self.tr("Kart Kütüphanesi"))
        self.browse_button = QPushButton(self.tr("&Gözat…"))
        self.browse_button.setAccessibleName(self.tr("Kart kütüphanesi dosyası seç"))
        self.find_button = QPushButton(self.tr("Kartımı &bul"))
        self.find_button.setAccessibleName(self.tr("Kartımı bul"))
        self.slot_combo = QComboBox()
        self.slot_combo.setAccessibleName(self.tr("Slot"))
        self.open_button = QPushButton(self.tr("Kartı &Aç"))
        self.open_button.setAccessibleName(self.tr("Kartı Aç"))
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setAccessibleName(self.tr("Sertifikalar"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Subject"),
                self.tr("Issuer"),
                self.tr("Valid from"),
                self.tr("Valid to"),
                self.tr("Algorithm"),
                self.tr("Kullanılabilirlik"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.choose_button = QPushButton(self.tr("&Seç"))
        self.choose_button.setAccessibleName(self.tr("Seç"))
        self.choose_button.setEnabled(False)
        self.chosen_label = QLabel()
        self.chosen_label.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.probe_view = QPlainTextEdit()
        self.probe_view.setReadOnly(True)
        self.probe_view.setAccessibleName(self.tr("Kart arama sonuçları"))
        self.probe_view.setVisible(False)
        self.probe_view.setMaximumHeight(120)

        grid = QGridLayout()
        # "&": Alt+letter moves to the field or presses the button.
        library_label = QLabel(self.tr("Kart &Kütüphanesi"))
        library_label.setBuddy(self.module_combo)
        grid.addWidget(library_label, 0, 0)
        grid.addWidget(self.module_combo, 0, 1)
        grid.addWidget(self.browse_button, 0, 2)
        grid.addWidget(self.find_button, 0, 3)
        slot_label = QLabel(self.tr("S&lot"))
        slot_label.setBuddy(self.slot_combo)
        grid.addWidget(slot_label, 1, 0)
        grid.addWidget(self.slot_combo, 1, 1)
        grid.addWidget(self.open_button, 1, 2)
        grid.setColumnStretch(1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.chosen_label, 1)
        buttons.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.probe_view)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)

        self.browse_button.clicked.connect(self.browse)
        self.find_button.clicked.connect(self.find_card)
        self.open_button.clicked.connect(self.open_card)
        self.choose_button.clicked.connect(self.choose)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self.choose())
        self.module_combo.currentIndexChanged.connect(self._module_changed)
        #: Reader slots are read again this often to notice a card going in or out.
        self.slot_poll_ms = 2000
        self._slot_key: tuple[tuple[int, bool, str], ...] | None = None
        self._polling = False
        self._poll_timer = QTimer(self)
        self._poll_timer.timeout.connect(self._poll_slots)
        worker = state.handle.worker
        worker.modules_ready.connect(self._on_modules)
        worker.probe_ready.connect(self._on_probe)
        worker.slots_ready.connect(self._on_slots)
        worker.certificates_ready.connect(self._on_certificates)
        worker.failed.connect(self._on_failed)

    # -- libraries and slots ---------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        """Offer the libraries: the context's, else the catalogue's that exist here."""
        self._poll_timer.start(self.slot_poll_ms)
        if self.module_combo.count():
            return
        modules = self._state.context.modules
        if modules is not None:
            self._set_modules([(path, path) for path in modules])
        else:
            self.status_label.setText(self.tr("Kart kütüphaneleri aranıyor…"))
            self._state.handle.request_modules.emit()

    def _set_modules(self, entries: list[tuple[str, str]]) -> None:
        self.module_combo.blockSignals(True)
        self.module_combo.clear()
        for label, path in entries:
            self.module_combo.addItem(label, path)
            self.module_combo.setItemData(
                self.module_combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole
            )
        self.module_combo.blockSignals(False)
        if entries:
            self.module_combo.setCurrentIndex(0)
            self._module_changed()
        else:
            self.status_label.setText(
                self.tr(
                    "Bu bilgisayarda bilinen bir kart kütüphanesi bulunamadı. "
                    'Kart yazılımınızı kurun veya "Gözat…" ile kütüphane dosyasını seçin.'
                )
            )

    @Slot(list)
    def _on_modules(self, candidates: list[ModuleCandidate]) -> None:
        present = [c for c in candidates if c.exists]
        self.status_label.clear()
        self._set_modules([(f"{c.display_name} — {c.path}", c.path) for c in present])

    def current_module(self) -> str | None:
        """The chosen library's path."""
        data = self.module_combo.currentData()
        return data if isinstance(data, str) else None

    def browse(self) -> None:
        """Let the user pick any library file."""
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Kart kütüphanesi seçin"),
            "",
            self.tr("PKCS#11 kütüphanesi (*.dll *.so *.dylib);;Tüm dosyalar (*)"),
        )
        if path:
            self.add_module(path)

    def add_module(self, path: str) -> None:
        """Add ``path`` to the libraries and select it."""
        index = self.module_combo.findData(path)
        if index < 0:
            self.module_combo.addItem(path, path)
            index = self.module_combo.count() - 1
        self.module_combo.setCurrentIndex(index)
        self._module_changed()

    def find_card(self) -> None:
        """Try every known library and say what each found."""
        self._set_busy(True)
        self.status_label.setText(self.tr("Kartınız aranıyor…"))
        self._state.handle.request_probe_all.emit()

    @Slot(list)
    def _on_probe(self, results: list[tuple[ModuleCandidate, ProbeResult]]) -> None:
        self._set_busy(False)
        lines = [f"{candidate.display_name}: {probe_text(result)}" for candidate, result in results]
        self.probe_view.setPlainText("\n".join(lines) or self.tr("Hiç kart kütüphanesi yok."))
        self.probe_view.setVisible(True)
        found = [c.path for c, r in results if r.loaded and r.token_count]
        if found:
            self.add_module(found[0])
            self.status_label.setText(self.tr("Kart bulundu."))
        else:
            self.status_label.setText(self.tr("Takılı bir kart bulunamadı."))

    def _module_changed(self) -> None:
        module = self.current_module()
        self.slot_combo.clear()
        self.status_label.clear()
        self._clear_table()
        self._polling = False
        self._slot_key = None
        if module is None:
            return
        self._set_busy(True)
        self._state.handle.request_slots.emit(module)

    def _poll_slots(self) -> None:
        """Read the slots again while this page is shown (a card went in or out?)."""
        if not self.isVisible():
            self._poll_timer.stop()
            return
        module = self.current_module()
        if module is None or self._busy or self._polling:
            return
        self._polling = True
        self._state.handle.request_slots.emit(module)

    @Slot(str, list)
    def _on_slots(self, module: str, slots: list[SlotInfo]) -> None:
        if module != self.current_module():
            return
        key = tuple(
            (s.slot_id, s.token_present, s.token.serial if s.token is not None else "")
            for s in slots
        )
        polled, self._polling = self._polling, False
        if polled:
            if key == self._slot_key:
                return
            # A card went in or out: what the table shows may be gone.
            self._clear_table()
            self.status_label.setText(
                self.tr("Okuyuculardaki kartlar değişti; kartı yeniden açın.")
            )
        self._slot_key = key
        self._set_busy(False)
        self.slot_combo.clear()
        with_card: list[int] = []
        for info in slots:
            name = info.description.strip() or self.tr("Okuyucu {0}").format(info.slot_id)
            if info.token is not None and info.token_present:
                name = f"{name} — {info.token.label.strip()}"
                if info.token.initialized:
                    with_card.append(self.slot_combo.count())
            else:
                name = self.tr("{0} (kart yok)").format(name)
            self.slot_combo.addItem(name, info.slot_id)
        self.slot_combo.addItem(self.tr("Tüm okuyucular"), _ALL_SLOTS)
        # One card: its reader; several: look at all, so the customer's seal is found.
        self.slot_combo.setCurrentIndex(
            with_card[0] if len(with_card) == 1 else self.slot_combo.count() - 1
        )

    # -- certificates ----------------------------------------------------------

    def open_card(self) -> None:
        """Read the certificates of the chosen slot (no PIN needed)."""
        module = self.current_module()
        slot = self.slot_combo.currentData()
        if module is None or not isinstance(slot, int):
            return
        self._clear_table()
        self._set_busy(True)
        self.status_label.setText(self.tr("Kart okunuyor…"))
        self._state.handle.request_certificates.emit(module, slot)

    def _clear_table(self) -> None:
        self._choices = []
        self.table.setRowCount(0)
        self._state.choice = None
        self.chosen_label.clear()
        self.completeChanged.emit()

    @Slot(list)
    def _on_certificates(self, choices: list[CertificateChoice]) -> None:
        self._set_busy(False)
        self._choices = list(choices)
        self.table.setRowCount(len(choices))
        grey = QBrush(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        preselect = -1
        for row, choice in enumerate(choices):
            info = choice.certificate.info
            assert info is not None
            if choice.usability.usable:
                usability = self.tr("İmza için kullanılabilir")
            else:
                reasons = ", ".join(reason_text(r) for r in choice.usability.reasons)
                usability = self.tr("Kullanılamaz: {0}").format(reasons)
            values = [
                (info.display_name, info.subject),
                (info.issuer_cn or info.issuer, info.issuer),
                (local_date_text(info.not_before), ""),
                (local_date_text(info.not_after), ""),
                (info.key_algorithm.display, ""),
                (usability, ""),
            ]
            for column, (text, tip) in enumerate(values):
                cell = QTableWidgetItem(text)
                if tip:
                    cell.setToolTip(tip)
                if not choice.usability.usable:
                    cell.setFlags(Qt.ItemFlag.NoItemFlags)
                    cell.setForeground(grey)
                self.table.setItem(row, column, cell)
            if choice.preselected:
                preselect = row
        if not choices:
            self.status_label.setText(self.tr("Kartta sertifika bulunamadı."))
        elif preselect < 0:
            self.status_label.setText(
                self.tr("Kartta bu firma için kullanılabilir bir mali mühür sertifikası yok.")
            )
        else:
            self.status_label.clear()
            self.table.selectRow(preselect)
            self.table.setFocus()

    def selected_choice(self) -> CertificateChoice | None:
        """The certificate of the selected row, if usable."""
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if len(rows) != 1:
            return None
        choice = self._choices[rows.pop()]
        return choice if choice.usability.usable else None

    def _selection_changed(self) -> None:
        self.choose_button.setEnabled(self.selected_choice() is not None and not self._busy)

    def choose(self) -> None:
        """Take the selected certificate ("Seç")."""
        choice = self.selected_choice()
        if choice is None:
            return
        self._state.choice = choice
        self._state.module = choice.certificate.module
        self._state.slot_id = choice.certificate.slot_id
        info = choice.certificate.info
        name = info.display_name if info is not None else choice.certificate.label
        self.chosen_label.setText(self.tr("Seçilen sertifika: {0}").format(name))
        self.completeChanged.emit()

    @Slot(str, object)
    def _on_failed(self, operation: str, error: object) -> None:
        if operation not in ("modules", "probe", "slots", "certificates"):
            return
        if operation == "slots":
            self._polling = False
        self._set_busy(False)
        if isinstance(error, ProbeResult):
            self.status_label.setText(probe_text(error))
            return
        title, text = message_for(error if isinstance(error, Exception) else Exception())
        self.status_label.setText(f"{title}: {text}")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.open_button, self.find_button, self.browse_button):
            widget.setEnabled(not busy)
        self._selection_changed()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        """A usable certificate was chosen with "Seç"."""
        return not self._busy and self._state.choice is not None
