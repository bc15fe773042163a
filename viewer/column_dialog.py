"""Opening a CSV of no known format: a dialog to say which column holds the date, the end, the
title, the description, the category and the link, prefilled with a guess from the header, and a
preview of how the first rows will be read with the columns chosen.

Everything shown comes from the file and is untrusted: the combo boxes and the table show plain
text only (Qt never renders a QComboBox's or a QTableWidgetItem's text as markup), cut to a
length. Reading a row is the model's (viewer.model.importers.generic.read_row), the same for the
preview and the import.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.model.importers.generic import DELIMITER_NAMES, ROLES, Columns, Table, guess, read_row
from viewer.model.text import isolate

NONE = "(none)"
ROLE_LABELS = {
    "date": "&Date (needed):",
    "end": "&End:",
    "title": "&Title:",
    "description": "De&scription:",
    "category": "&Category:",
    "link": "&Link:",
}
PREVIEW_COLUMNS = ("Line", "Date", "Title", "Description", "Category", "Link")
NAME_CHARS = 60  # of a column's name in a combo box
CELL_CHARS = 200  # of a text in the preview
LEFT_OUT = "(no date: left out)"


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ColumnDialog(QDialog):
    """Which column is what in the CSV at `path`, whose start is `table`. `columns()` is the
    choice; OK (Import) is enabled only once a date column is chosen."""

    def __init__(self, path: Path, table: Table, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("columnDialog")
        self.setWindowTitle("Choose the columns")
        self.table = table
        header = table.header
        delimiter = DELIMITER_NAMES.get(table.delimiter, repr(table.delimiter))
        intro = QLabel(
            f"{isolate(path.name)} is a table of {len(header)} columns (apart by {delimiter}s) "
            "in no format this app knows. Say which column holds what: the preview shows how "
            "the first rows will be read."
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)

        form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        counts: dict[str, int] = {}
        for name in header:
            counts[name] = counts.get(name, 0) + 1
        guessed = guess(header)
        for role in ROLES:
            combo = QComboBox()
            combo.setObjectName(f"column-{role}")
            combo.addItem(NONE, None)
            for k, name in enumerate(header):
                shown = _cut(name, NAME_CHARS)
                if not name or counts[name] > 1:
                    shown = f"{shown} (column {k + 1})".strip()
                combo.addItem(shown, k)
            at = guessed.of(role)
            combo.setCurrentIndex(0 if at is None else at + 1)
            combo.currentIndexChanged.connect(self._update)
            label = QLabel(ROLE_LABELS[role])
            label.setBuddy(combo)
            form.addRow(label, combo)
            self.combos[role] = combo

        self.preview = QTableWidget(0, len(PREVIEW_COLUMNS))
        self.preview.setObjectName("columnPreview")
        self.preview.setAccessibleName("Preview")
        self.preview.setHorizontalHeaderLabels(list(PREVIEW_COLUMNS))
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.setWordWrap(False)
        self.preview.verticalHeader().hide()
        cols = self.preview.horizontalHeader()
        cols.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        cols.setStretchLastSection(True)
        for column, width in enumerate((48, 260, 180, 180, 110)):
            cols.resizeSection(column, width)
        self.problem = QLabel()
        self.problem.setObjectName("columnProblem")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        preview_label = QLabel(f"&Preview (the first {len(table.rows)} rows):")
        preview_label.setBuddy(self.preview)
        layout.addWidget(preview_label)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(900, 620)
        self._update()

    def columns(self) -> Columns:
        """The columns chosen (None for a role left at "(none)")."""
        return Columns(**{role: combo.currentData() for role, combo in self.combos.items()})

    def preview_text(self, row: int, column: int) -> str:
        """The text the preview shows in a cell (for tests and screen readers alike)."""
        item = self.preview.item(row, column)
        return item.text() if item is not None else ""

    def _update(self) -> None:
        """Read the preview's rows again with the columns chosen."""
        columns = self.columns()
        header = self.table.header
        rows = [read_row(line, cells, header, columns) for line, cells in self.table.rows]
        self.preview.setRowCount(len(rows))
        problems = 0
        for r, row in enumerate(rows):
            if row.problem:
                problems += 1
                date = f"Problem: {row.problem}"
            elif row.when is None:
                date = LEFT_OUT
            else:
                date = row.when.written_label()
            texts = (str(row.line), date, row.title, row.summary, row.category, row.link)
            for c, text in enumerate(texts):
                item = QTableWidgetItem(_cut(text, CELL_CHARS))
                if c == 1 and row.problem:
                    item.setToolTip(_cut(row.problem, CELL_CHARS))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.preview.setItem(r, c, item)
        notes = []
        if columns.date is None:
            notes.append("Choose the column that holds the dates.")
        if problems:
            notes.append(
                f"{problems} of these rows cannot be read: the import stops at the first "
                "such row, naming it."
            )
        if self.table.problem:
            notes.append(f"Further on: {self.table.problem}")
        self.problem.setText(" ".join(notes))
        self.problem.setVisible(bool(notes))
        self.ok_button.setEnabled(columns.date is not None)
