"""What happens when something goes wrong: the log file, the crash dialog, the exception hook.

A packaged app has no terminal, so stderr alone would lose every report. Each run appends to a
log file in the user's log folder; an unexpected exception is logged there and shown in a dialog
whose details can be copied. The app keeps running: the exception ends only the action that
raised it.
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

APP_ID = "timeline-viewer"
LOG_FILE = f"{APP_ID}.log"
log = logging.getLogger("viewer")

# One unexpected exception can repeat on every paint; the dialog collects the repeats instead of
# stacking a new window each time, and keeps only this many characters of details.
_MAX_DETAILS = 200_000


def log_dir() -> Path:
    """The user's log folder for this app (on Linux `$XDG_STATE_HOME/timeline-viewer/log`)."""
    from platformdirs import user_log_path

    return user_log_path(APP_ID, appauthor=False)


def setup_logging() -> Path | None:
    """Send the app's log to a rotating file in the user's log folder; returns that file.

    Returns None when the folder cannot be written: the app then runs without a log file rather
    than refusing to start. Calling it again returns the file already in use.
    """
    if (current := log_file()) is not None:
        return current
    log.setLevel(logging.INFO)
    log.propagate = False
    path = log_dir() / LOG_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError as exc:
        stderr_line(f"cannot write the log file {path}: {exc.strerror or exc}")
        # Without any handler, logging's last resort would print every record on stderr a
        # second time; the messages that matter are printed there already.
        log.addHandler(logging.NullHandler())
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    return path


def log_file() -> Path | None:
    """The log file in use, if any."""
    for handler in log.handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def stderr_line(message: str) -> None:
    """Print one `timeline-viewer: …` line on stderr, if there is one (a windowed app has none).

    A message of several lines (a dialog's text) is joined into one.
    """
    if sys.stderr is not None:
        line = " ".join(part.strip() for part in message.splitlines() if part.strip())
        print(f"{APP_ID}: {line}", file=sys.stderr, flush=True)


def report_unexpected(kind, value, tb) -> str:
    """Log an unexpected exception and show it in the crash dialog; returns the details."""
    details = "".join(traceback.format_exception(kind, value, tb))
    log.error("Unexpected error\n%s", details)
    if sys.stderr is not None:
        print(details, file=sys.stderr, end="", flush=True)
    if isinstance(QApplication.instance(), QApplication):
        CrashDialog.report(details)
    return details


def install_excepthook() -> None:
    """Unexpected exceptions (in slots, event handlers, paint) go to report_unexpected()."""

    def hook(kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        try:
            report_unexpected(kind, value, tb)
        except Exception:  # the hook itself must never raise
            sys.__excepthook__(kind, value, tb)

    sys.excepthook = hook


class CrashDialog(QDialog):
    """Shows an unexpected error's details as plain text, with Copy and Close buttons."""

    current: CrashDialog | None = None

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Unexpected error")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.repeats = 0
        path = log_file()
        where = f"The details are also in the log file:\n{path}" if path else ""
        self.message = QLabel(
            "Something went wrong. The app is still running, but the action that failed "
            f"may not have finished.\n{where}"
        )
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setObjectName("copyDetails")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(720, 420)
        self.finished.connect(self._forget)

    @classmethod
    def report(cls, details: str) -> CrashDialog:
        """Show `details` in the open crash dialog, or in a new one if none is open."""
        dialog = cls.current
        if dialog is None:
            dialog = cls.current = cls()
            dialog.details.setPlainText(details)
            dialog.open()
        else:
            dialog.repeats += 1
            dialog.setWindowTitle(f"Unexpected error ({dialog.repeats + 1} times)")
            if len(dialog.details.toPlainText()) < _MAX_DETAILS:
                dialog.details.appendPlainText(f"\nAgain:\n{details}")
        return dialog

    def copy_details(self) -> None:
        """Put the details on the clipboard, for a bug report."""
        QGuiApplication.clipboard().setText(f"{self.windowTitle()}\n\n{self.details.toPlainText()}")
        self.copy_button.setText("Copied")

    def _forget(self) -> None:
        if type(self).current is self:
            type(self).current = None
