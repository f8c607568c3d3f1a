"""Hizmet Seçimi: one check box per pending activation, "XML'i Göster", select all."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from signer_app.flow.journal import JournalState
from signer_app.flow.results import Item, ItemResult, Outcome
from signer_app.ui.messages import message_for
from signer_app.ui.state import WizardState, activation_text, opening_text

__all__ = ["ServicesPage", "XmlDialog"]


class XmlDialog(QDialog):
    """A read-only view of the document to be signed, with a plain summary."""

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("XML'i Göster"))
        document = item.document
        lines = [self.tr("Hizmet: {0}").format(activation_text(item.activation))]
        if document is not None:
            lines.append(self.tr("Firma: {0}").format(document.customer_name or "-"))
            lines.append(self.tr("VKN/TCKN: {0}").format(document.customer_id or "-"))
            aliases = [a.alias for a in document.accounts if a.alias]
            lines.append(self.tr("Etiketler: {0}").format(", ".join(aliases) or "-"))
            lines.append(
                self.tr("İşlem: {0}").format(
                    self.tr("hesap açma")
                    if item.activation.operation == "open"
                    else self.tr("hesap kapatma")
                )
            )
        self.summary_label = QLabel("\n".join(lines))
        self.summary_label.setAccessibleName(self.tr("Özet"))
        self.xml_view = QPlainTextEdit()
        self.xml_view.setReadOnly(True)
        self.xml_view.setAccessibleName(self.tr("XML belgesi"))
        raw = item.data or (document.raw if document is not None else b"")
        self.xml_view.setPlainText(raw.decode("utf-8", errors="replace"))
        buttons = QDialogButtonBox()
        close = buttons.addButton(self.tr("Kapat"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setAccessibleName(self.tr("Kapat"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.xml_view, 1)
        layout.addWidget(buttons)
        self.resize(720, 520)


class ServicesPage(QWizardPage):
    """Lists the pending activations; complete when at least one is checked."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._boxes: list[tuple[QCheckBox, Item]] = []
        self._notes: list[QLabel] = []
        self.setTitle(self.tr("Hizmet Seçimi"))
        self.setSubTitle(
            self.tr('Lütfen imzalamak istediğiniz hizmetleri seçip "Sonraki" butonuna basınız')
        )
        self.group = QGroupBox(self.tr("Bekleyen hizmetler"))
        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._grid_host)
        group_layout = QVBoxLayout(self.group)
        group_layout.addWidget(scroll)
        self.select_all_button = QPushButton(self.tr("&Tümünü seç"))
        self.select_all_button.setAccessibleName(self.tr("Tümünü seç"))
        self.select_all_button.clicked.connect(self.select_all)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.select_all_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.group, 1)
        layout.addLayout(row)
        layout.addWidget(self.status_label)
        worker = state.handle.worker
        worker.pending_ready.connect(self._on_pending)
        worker.resumed.connect(self._on_resumed)
        worker.failed.connect(self._on_failed)
        self._loading = False
        self._resumed_text = ""

    @property
    def boxes(self) -> list[QCheckBox]:
        """The check boxes, one per pending activation."""
        return [box for box, _ in self._boxes]

    @property
    def notes(self) -> list[str]:
        """The text beside each box: the opening time, or why it cannot be chosen."""
        return [label.text() for label in self._notes]

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        """Ask the worker for the pending activations."""
        self._clear()
        self._loading = True
        self.status_label.setText(self.tr("Bekleyen hizmetler alınıyor ve denetleniyor…"))
        self._state.handle.request_pending.emit()

    def _clear(self) -> None:
        self._boxes = []
        self._notes = []
        while self._grid.count():
            child = self._grid.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.deleteLater()
        self.completeChanged.emit()

    @Slot(list)
    def _on_pending(self, items: list[Item]) -> None:
        self._loading = False
        self._state.items = list(items)
        self._clear()
        if not items:
            self.status_label.setText(self.tr("İmza bekleyen hizmet yok."))
            return
        self.status_label.setText(self._resumed_text)
        for row, item in enumerate(items):
            box = QCheckBox(activation_text(item.activation))
            box.setAccessibleName(activation_text(item.activation))
            note = QLabel(opening_text(item.activation))
            if item.journal is not None and item.journal.state is JournalState.SIGNED:
                note.setText(self.tr("İmzalandı; portala gönderilmeyi bekliyor"))
                box.setChecked(True)
            elif item.signable:
                box.setChecked(True)
            else:
                box.setEnabled(False)
                if item.problem is not None:
                    _title, text = message_for(item.problem)
                    note.setText(text)
                elif item.journal is not None:
                    note.setText(self.tr("Daha önce imzalandı"))
            note.setWordWrap(True)
            box.toggled.connect(self.completeChanged)
            self._grid.addWidget(box, row, 0)
            self._grid.addWidget(note, row, 1)
            if item.data is not None or item.document is not None:
                show = QPushButton(self.tr("XML'i Göster"))
                show.setAccessibleName(
                    self.tr("XML'i Göster: {0}").format(activation_text(item.activation))
                )
                show.clicked.connect(lambda _=False, it=item: self.show_xml(it))
                self._grid.addWidget(show, row, 2)
            self._boxes.append((box, item))
            self._notes.append(note)
        self._grid.setRowStretch(len(items), 1)
        self.completeChanged.emit()

    @Slot(list)
    def _on_resumed(self, results: list[ItemResult]) -> None:
        """Documents an earlier run signed and this login sent: say so."""
        done = sum(1 for r in results if r.outcome is Outcome.SUCCESS)
        self._resumed_text = (
            self.tr("Önceki çalışmada imzalanan {0} belge portala gönderildi.").format(done)
            if done
            else ""
        )

    def show_xml(self, item: Item) -> XmlDialog:
        """Open the read-only viewer of ``item``'s document."""
        dialog = XmlDialog(item, self)
        dialog.setModal(True)
        dialog.show()
        return dialog

    @Slot(str, object)
    def _on_failed(self, operation: str, error: object) -> None:
        if operation != "pending":
            return
        self._loading = False
        title, text = message_for(error if isinstance(error, Exception) else Exception())
        self.status_label.setText(f"{title}: {text}")

    def select_all(self) -> None:
        """Check every selectable service."""
        for box, _ in self._boxes:
            if box.isEnabled():
                box.setChecked(True)

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        """At least one service checked."""
        return not self._loading and any(b.isChecked() and b.isEnabled() for b, _ in self._boxes)

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        """Remember the checked services."""
        # A refused document's box is disabled; it never joins, even if checked.
        self._state.selected = [
            item for box, item in self._boxes if box.isChecked() and box.isEnabled()
        ]
        return bool(self._state.selected)
