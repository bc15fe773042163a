"""File → Export image…: what to export (the whole timeline, what is in view, or a span of
dates), at which size (a preset), and to which file.

The dialog stays open when an export fails, with everything the user typed, so that a wrong
folder can be corrected without starting again. The window does the export (export_to).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from viewer.export import PRESETS
from viewer.model.dates import DateError, PartialDate, parse_date

EXPORT_FILTERS = {
    "PNG image (*.png)": ".png",
    "SVG drawing (*.svg)": ".svg",
    "PDF document (*.pdf)": ".pdf",
}
WHOLE, IN_VIEW, DATES = "whole", "view", "dates"


@dataclass(frozen=True)
class ExportChoice:
    """What the user asked for: `what` is WHOLE, IN_VIEW or DATES (then `start`..`end`)."""

    path: Path
    what: str
    preset: str | None
    start: PartialDate | None = None
    end: PartialDate | None = None
    theme: str = "light"  # the picture's colours: 'light' or 'dark'


class ExportDialog(QDialog):
    """The export dialog. `export` is called with the choice and returns whether it worked;
    the dialog closes only then. `problem` is called with a message for a bad entry."""

    def __init__(
        self,
        parent: QWidget | None,
        export: Callable[[ExportChoice], bool],
        problem: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self._export = export
        self._problem = problem

        self.whole_button = QRadioButton("&Whole timeline")
        self.view_button = QRadioButton("What is in &view")
        self.dates_button = QRadioButton("&Dates from")
        self.what = QButtonGroup(self)
        for button, name in (
            (self.whole_button, WHOLE),
            (self.view_button, IN_VIEW),
            (self.dates_button, DATES),
        ):
            button.setObjectName(f"export-{name}")
            self.what.addButton(button)
        self.whole_button.setChecked(True)
        self.start_edit = QLineEdit()
        self.end_edit = QLineEdit()
        for edit, example in ((self.start_edit, "2021-04"), (self.end_edit, "2022")):
            edit.setPlaceholderText(example)
            edit.setMaximumWidth(110)
            # Typing a date means exporting those dates.
            edit.textEdited.connect(lambda _text: self.dates_button.setChecked(True))
        dates = QHBoxLayout()
        dates.addWidget(self.dates_button)
        dates.addWidget(self.start_edit)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.end_edit)
        dates.addStretch(1)
        what = QVBoxLayout()
        what.addWidget(self.whole_button)
        what.addWidget(self.view_button)
        what.addLayout(dates)

        self.preset_combo = QComboBox()
        self.preset_combo.addItem("Standard: 1600 px wide, height fits (PNG at twice the pixels)")
        for preset in PRESETS.values():
            self.preset_combo.addItem(f"{preset.name.capitalize()}: {preset.summary}", preset.name)

        self.theme_combo = QComboBox()
        self.theme_combo.setObjectName("export-theme")
        self.theme_combo.addItem("Light: dark text on white", "light")
        self.theme_combo.addItem("Dark: light text on a dark background", "dark")

        self.path_edit = QLineEdit()
        self.path_edit.setMinimumWidth(360)
        self.path_edit.setToolTip("The format comes from the suffix: .png, .svg or .pdf")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setAutoDefault(False)  # Enter in a field exports; it does not browse
        self.browse_button.clicked.connect(self.browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse_button)

        form = QFormLayout()
        form.addRow("Export:", what)
        form.addRow("&Size:", self.preset_combo)
        form.addRow("&Colours:", self.theme_combo)
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path_edit)  # a row of two widgets has no buddy of its own
        form.addRow(file_label, file_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton(
            "&Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.try_export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        # Only once the button is inside the dialog does the dialog take it as its default.
        self.export_button.setDefault(True)

    # -- what the dialog shows --------------------------------------------------------------

    def what_choice(self) -> str:
        if self.view_button.isChecked():
            return IN_VIEW
        return DATES if self.dates_button.isChecked() else WHOLE

    def set_what(self, what: str) -> None:
        {IN_VIEW: self.view_button, DATES: self.dates_button}.get(
            what, self.whole_button
        ).setChecked(True)

    def preset(self) -> str | None:
        return self.preset_combo.currentData()

    def set_preset(self, name: str | None) -> None:
        index = self.preset_combo.findData(name) if name else 0
        self.preset_combo.setCurrentIndex(max(index, 0))

    def theme(self) -> str:
        return self.theme_combo.currentData()

    def set_theme(self, name: str) -> None:
        self.theme_combo.setCurrentIndex(max(self.theme_combo.findData(name), 0))

    def browse(self) -> None:
        """Choose the file in the system's save dialog; its filter adds a missing suffix."""
        suggested = self.path_edit.text().strip() or "timeline.png"
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export image", suggested, ";;".join(EXPORT_FILTERS)
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() not in EXPORT_FILTERS.values():
            target = target.with_name(target.name + EXPORT_FILTERS.get(chosen, ".png"))
        self.path_edit.setText(str(target))

    # -- exporting --------------------------------------------------------------------------

    def choice(self) -> ExportChoice:
        """The choice as typed; raises ValueError with one line for a bad entry."""
        text = self.path_edit.text().strip()
        if not text:
            raise ValueError("Choose a file to export to (Browse…).")
        what = self.what_choice()
        start = end = None
        if what == DATES:
            start = self._date(self.start_edit, "From")
            end = self._date(self.end_edit, "To")
            if end.end <= start.start:
                raise ValueError(f"The dates run backwards: {end.iso()} ends before {start.iso()}.")
        return ExportChoice(Path(text), what, self.preset(), start, end, self.theme())

    @staticmethod
    def _date(edit: QLineEdit, name: str) -> PartialDate:
        try:
            return parse_date(edit.text().strip())
        except DateError as exc:
            raise ValueError(f"{name}: {exc}") from None

    def try_export(self) -> bool:
        """Export as chosen; close on success, else stay open with what was typed."""
        try:
            choice = self.choice()
        except ValueError as exc:
            self._problem(str(exc))
            return False
        if not self._export(choice):
            return False
        self.accept()
        return True
