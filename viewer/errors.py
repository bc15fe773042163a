"""What happens when something goes wrong: the log file, the crash dialog, the exception hook.

A packaged app has no terminal, so stderr alone would lose every report. Each run appends to a
log file in the user's log folder; an unexpected exception is logged there and shown in a dialog
whose details can be copied. The app keeps running: the exception ends only the action that
raised it.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
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

    Returns None when the folder cannot be written or the log file is not a regular file (a
    FIFO would block the open forever): the app then runs without a log file, says so once on
    stderr, and goes on. Calling it again returns the file already in use.
    """
    if (current := log_file()) is not None:
        return current
    log.setLevel(logging.INFO)
    log.propagate = False
    path = log_dir() / LOG_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _check_regular(path)
        handler = LogFileHandler(path)
    except OSError as exc:
        stderr_line(f"cannot write the log file {path}: {exc.strerror or exc}; not logging")
        # Without any handler, logging's last resort would print every record on stderr a
        # second time; the messages that matter are printed there already.
        if not log.handlers:
            log.addHandler(logging.NullHandler())
        return None
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    return path


def _check_regular(path: Path) -> None:
    """Raise OSError unless `path` is absent or a regular file. Opened without blocking and
    without following a FIFO's wait for a reader: a FIFO with no reader fails with ENXIO."""
    not_regular = OSError(errno.EINVAL, "it is not a regular file")
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise not_regular
    # Checked again on what is opened, in case the file was replaced between the two.
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags, 0o644)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise not_regular
    finally:
        os.close(fd)


class LogFileHandler(RotatingFileHandler):
    """The log file. A write that fails (a full disk) is reported once on stderr, and the file
    is then left alone, rather than a traceback on every later record."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", errors="backslashreplace"
        )
        self.failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            super().emit(record)

    def shouldRollover(self, record: logging.LogRecord) -> bool:
        # The base class would open a replaced file (a FIFO put there meanwhile) when rotating.
        try:
            return super().shouldRollover(record)
        except OSError:
            return False

    def handleError(self, record: logging.LogRecord) -> None:
        if self.failed:
            return
        self.failed = True
        kind, value, _ = sys.exc_info()
        reason = getattr(value, "strerror", None) or (kind.__name__ if kind else "unknown error")
        stderr_line(f"cannot write the log file {self.baseFilename}: {reason}; logging stops")
        # Closed now: its unwritten bytes would fail again, noisily, when closed at exit.
        stream, self.stream = self.stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()


def printable(text: str) -> str:
    """`text` safe to write anywhere: a byte that was not UTF-8 in a file name (decoded by
    Python as a lone surrogate) shows as `\\xe9`, as repr() shows it, instead of failing."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


class SafeFormatter(logging.Formatter):
    """Formats records so that a file name with undecodable bytes never breaks the log."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def log_file() -> Path | None:
    """The log file in use, if any."""
    for handler in log.handlers:
        if isinstance(handler, RotatingFileHandler) and not getattr(handler, "failed", False):
            return Path(handler.baseFilename)
    return None


def stderr_line(message: str) -> None:
    """Print one `timeline-viewer: …` line on stderr, if there is one (a windowed app has none).

    A message of several lines (a dialog's text) is joined into one.
    """
    if sys.stderr is not None:
        line = " ".join(part.strip() for part in message.splitlines() if part.strip())
        # A closed or broken stderr leaves nowhere to say it.
        with contextlib.suppress(OSError, ValueError):
            print(f"{APP_ID}: {printable(line)}", file=sys.stderr, flush=True)


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
