"""When something goes wrong: the log file, the crash dialog, a clean exit on SIGTERM, and a
damaged install that must say so rather than vanish."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import viewer.bundle
from viewer import app as viewer_app
from viewer import errors
from viewer.errors import CrashDialog, install_excepthook, log, log_file, setup_logging

# The exception a button raises; it holds markup, which the dialog must show as typed.
BOOM = "boom-123 <b>not bold</b>"


def log_path_under(state_home: Path) -> Path:
    """Where setup_logging() puts the log file for XDG_STATE_HOME=state_home (platformdirs)."""
    return state_home / "timeline-viewer" / "log" / "timeline-viewer.log"


@pytest.fixture
def no_log_file(monkeypatch, tmp_path):
    """The "viewer" logger without a log file and XDG_STATE_HOME in tmp_path; the logger's
    handlers, level and propagation are put back afterwards so no test leaks a file handler."""
    saved_handlers, saved_level, saved_propagate = list(log.handlers), log.level, log.propagate
    for handler in saved_handlers:
        if isinstance(handler, RotatingFileHandler):
            log.removeHandler(handler)
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    yield state
    for handler in list(log.handlers):
        if handler not in saved_handlers:
            log.removeHandler(handler)
            handler.close()
    for handler in saved_handlers:
        if handler not in log.handlers:
            log.addHandler(handler)
    log.setLevel(saved_level)
    log.propagate = saved_propagate


def stderr_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


# The log file


def test_the_log_goes_to_a_file_in_the_users_state_folder(no_log_file):
    path = setup_logging()
    assert path == log_path_under(no_log_file)
    assert log_file() == path
    log.info("hello from the test %d", 42)
    assert re.search(r"INFO hello from the test 42$", path.read_text(encoding="utf-8"), re.M)
    # A second call reuses the file rather than adding a second handler.
    assert setup_logging() == path
    assert sum(isinstance(h, RotatingFileHandler) for h in log.handlers) == 1


@pytest.mark.parametrize("damage", ["state folder is a file", "log file is a folder"])
def test_an_unwritable_log_is_one_line_on_stderr_and_the_app_goes_on(
    damage, no_log_file, tmp_path, monkeypatch, capsys
):
    if damage == "state folder is a file":
        blocker = tmp_path / "plain-file"
        blocker.write_text("not a folder")
        monkeypatch.setenv("XDG_STATE_HOME", str(blocker / "state"))
        path = log_path_under(blocker / "state")
    else:
        path = log_path_under(no_log_file)
        path.mkdir(parents=True)
    assert setup_logging() is None
    assert log_file() is None
    out, err = capsys.readouterr()
    assert out == ""
    [line] = stderr_lines(err)
    assert line.startswith(f"timeline-viewer: cannot write the log file {path}: ")
    assert "Traceback" not in err
    # Later records are not printed a second time by logging's last-resort handler.
    logging.getLogger("viewer").error("an export failed")
    assert capsys.readouterr().err == ""


# The crash dialog


@pytest.fixture
def crash_hook(no_log_file):
    """Our excepthook installed, logging to a fresh file; returns the log file.

    Use with @pytest.mark.qt_no_exception_capture, or pytest-qt's own hook would take the
    exceptions (and fail the test) before ours sees them.
    """
    saved = sys.excepthook
    path = setup_logging()
    install_excepthook()
    yield path
    sys.excepthook = saved
    for dialog in open_crash_dialogs():
        dialog.reject()
    CrashDialog.current = None


@pytest.fixture
def buttons(qtbot):
    """A window with a "Fail" button whose slot raises and a "Works" button that counts its
    clicks in `window.clicks`."""
    window = QWidget()
    window.setWindowTitle("Buttons")
    window.fail = fail = QPushButton("Fail", window)
    window.works = works = QPushButton("Works", window)
    layout = QVBoxLayout(window)
    layout.addWidget(fail)
    layout.addWidget(works)
    clicks = []

    def broken() -> None:
        raise RuntimeError(BOOM)

    fail.clicked.connect(broken)
    works.clicked.connect(lambda: clicks.append(1))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # The buttons are the window's children: the window must live as long as they are used.
    window.clicks = clicks
    return window


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_crash_dialogs() -> list[CrashDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible()
    ]


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_its_traceback_in_the_crash_dialog(
    qtbot, crash_hook, buttons, capsys
):
    assert CrashDialog.current is None
    click(qtbot, buttons.fail)
    dialog = CrashDialog.current
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert open_crash_dialogs() == [dialog]
    assert dialog.windowTitle() == "Unexpected error"
    details = dialog.details.toPlainText()
    assert details.startswith("Traceback (most recent call last):")
    # Shown as typed: the markup in the message is text, not formatting.
    assert f"RuntimeError: {BOOM}" in details
    assert dialog.details.isReadOnly()
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText
    assert str(crash_hook) in dialog.message.text()
    # The same report is in the log file and on stderr.
    logged = crash_hook.read_text(encoding="utf-8")
    assert "ERROR Unexpected error" in logged
    assert f"RuntimeError: {BOOM}" in logged
    assert f"RuntimeError: {BOOM}" in capsys.readouterr().err


@pytest.mark.qt_no_exception_capture
def test_copy_details_puts_them_on_the_clipboard(qtbot, crash_hook, buttons):
    click(qtbot, buttons.fail)
    dialog = CrashDialog.current
    QGuiApplication.clipboard().setText("something else")
    click(qtbot, dialog.copy_button)
    copied = QGuiApplication.clipboard().text()
    assert copied == f"Unexpected error\n\n{dialog.details.toPlainText()}"
    assert f"RuntimeError: {BOOM}" in copied
    assert dialog.copy_button.text() == "Copied"


@pytest.mark.qt_no_exception_capture
def test_a_second_exception_joins_the_open_dialog_and_the_app_keeps_working(
    qtbot, crash_hook, buttons
):
    click(qtbot, buttons.fail)
    dialog = CrashDialog.current
    click(qtbot, buttons.fail)
    assert CrashDialog.current is dialog
    assert open_crash_dialogs() == [dialog]
    details = dialog.details.toPlainText()
    assert details.count(f"RuntimeError: {BOOM}") == 2
    assert "\nAgain:\n" in details
    assert dialog.repeats == 1
    assert dialog.windowTitle() == "Unexpected error (2 times)"
    # The failed action ended; the rest of the app still answers.
    click(qtbot, buttons.works)
    assert buttons.clicks == [1]
    assert crash_hook.read_text(encoding="utf-8").count("ERROR Unexpected error") == 2


@pytest.mark.qt_no_exception_capture
def test_closing_the_dialog_forgets_it_so_the_next_error_opens_a_new_one(
    qtbot, crash_hook, buttons
):
    click(qtbot, buttons.fail)
    first = CrashDialog.current
    click(qtbot, first.close_button)
    assert CrashDialog.current is None
    assert not first.isVisible()
    click(qtbot, buttons.fail)
    second = CrashDialog.current
    assert second is not None and second is not first
    assert open_crash_dialogs() == [second]
    assert "Again:" not in second.details.toPlainText()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_of_the_main_window_leaves_it_working(
    qtbot, crash_hook, window, builtin, monkeypatch
):
    """The app's own window, not a test widget: a slot of it raises while the user steps
    through the events; the crash dialog says so, and the window goes on working."""
    view, panel = window.view, window.panel
    show_event = panel.show_event
    raised = []

    def broken(timeline, event) -> None:
        raised.append(event.id)
        raise RuntimeError(BOOM)

    # The window's eventSelected slot hands the event to the panel, which raises once.
    monkeypatch.setattr(panel, "show_event", broken)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert raised == [builtin.events[0].id]
    dialog = CrashDialog.current
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert f"RuntimeError: {BOOM}" in dialog.details.toPlainText()
    assert "_on_selected" in dialog.details.toPlainText()  # the slot that failed
    assert dialog.copy_button.text() == "Copy details" and dialog.copy_button.isVisible()
    logged = crash_hook.read_text(encoding="utf-8")
    assert "ERROR Unexpected error" in logged and f"RuntimeError: {BOOM}" in logged

    # The app is alive: the user closes the dialog and goes on stepping; the panel follows.
    monkeypatch.setattr(panel, "show_event", show_event)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert CrashDialog.current is None
    window.activateWindow()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.selected_index == 1
    assert panel.title.text() == builtin.events[1].title
    window.zoom_in_action.trigger()
    assert window.isVisible() and open_crash_dialogs() == []
    assert crash_hook.read_text(encoding="utf-8").count("ERROR Unexpected error") == 1


@pytest.mark.qt_no_exception_capture
def test_keyboard_interrupt_goes_to_the_default_hook_not_the_dialog(qtbot, crash_hook, monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "__excepthook__", lambda kind, value, tb: seen.append(kind))
    button = QPushButton("Interrupt")
    qtbot.addWidget(button)
    button.show()

    def interrupted() -> None:
        raise KeyboardInterrupt

    button.clicked.connect(interrupted)
    click(qtbot, button)
    assert seen == [KeyboardInterrupt]
    assert CrashDialog.current is None
    assert open_crash_dialogs() == []
    assert "Unexpected error" not in crash_hook.read_text(encoding="utf-8")


# The app as a separate process, as the desktop starts it


def app_env(tmp_path) -> dict[str, str]:
    """No display at all, and settings and log inside tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    return env


def viewer_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "viewer", *args]


def test_exit_after_first_paint_prints_one_line_and_logs_the_start(tmp_path):
    result = subprocess.run(
        viewer_command("--exit-after-first-paint"),
        capture_output=True,
        text=True,
        env=app_env(tmp_path),
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stdout.splitlines()
    assert re.fullmatch(r"first-paint \d+\.\d+", line), line
    logged = log_path_under(tmp_path / "state").read_text(encoding="utf-8")
    assert "starting (from source" in logged
    assert "opened " in logged


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM is a POSIX signal")
def test_sigterm_closes_the_window_saves_its_settings_and_exits_0(tmp_path):
    log_path = log_path_under(tmp_path / "state")
    proc = subprocess.Popen(
        viewer_command(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=app_env(tmp_path),
        cwd=tmp_path,
    )
    try:
        # Polling for readiness, not asserting on time: the deadline only stops a broken start
        # from hanging the run.
        deadline = time.monotonic() + 30
        while not (log_path.exists() and "opened " in log_path.read_text(encoding="utf-8")):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out, err = proc.communicate(timeout=30)
                pytest.fail(f"the app did not open (exit {proc.returncode}):\n{out}\n{err}")
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "signal 15: closing" in log_path.read_text(encoding="utf-8")
    [conf] = (tmp_path / "config").glob("**/*.conf")
    assert conf.parent.name == viewer_app.ORGANISATION
    saved = QSettings(str(conf), QSettings.Format.IniFormat)
    for key in ("window/geometry", "window/splitter", "window/panel"):
        value = saved.value(key)
        assert value is not None and len(value) > 0, key


# A damaged install


class ModalCloser:
    """From a timer, finds the app-modal message box, records it and clicks its button.

    The box is shown with exec(), so only a timer can reach it. If no modal box turns up after
    `tries` polls it closes whatever dialog or window is open, so the test fails instead of
    hanging.
    """

    def __init__(self, qtbot, tries: int = 100) -> None:
        self.qtbot = qtbot
        self.tries = tries
        self.boxes: list[tuple[str, str, Qt.TextFormat]] = []
        self.gave_up = False
        self.timer = QTimer()
        self.timer.setInterval(50)
        self.timer.timeout.connect(self._poll)

    def _poll(self) -> None:
        self.tries -= 1
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            self.timer.stop()
            self.boxes.append((box.windowTitle(), box.text(), box.textFormat()))
            try:
                self.qtbot.mouseClick(box.buttons()[0], Qt.MouseButton.LeftButton)
            finally:
                if box.isVisible():
                    box.reject()
        elif self.tries <= 0:
            self.timer.stop()
            self.gave_up = True
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, QDialog) and widget.isVisible():
                    widget.reject()
            QApplication.closeAllWindows()


@pytest.fixture
def app_state(qapp):
    """main() configures the one QApplication, the excepthook and the signal handlers of this
    process; put them all back for the tests that follow."""
    names = (
        qapp.applicationName(),
        qapp.organizationName(),
        qapp.applicationVersion(),
        qapp.desktopFileName(),
    )
    icon = qapp.windowIcon()
    hook = sys.excepthook
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    timers = set(qapp.findChildren(QTimer))
    yield
    for timer in qapp.findChildren(QTimer):
        if timer not in timers:
            timer.stop()
            timer.deleteLater()
    for s, handler in handlers.items():
        signal.signal(s, handler)
    sys.excepthook = hook
    qapp.setWindowIcon(icon)
    qapp.setApplicationName(names[0])
    qapp.setOrganizationName(names[1])
    qapp.setApplicationVersion(names[2])
    qapp.setDesktopFileName(names[3])


def test_a_damaged_builtin_timeline_says_so_in_a_box_and_exits_1(
    qtbot, app_state, no_log_file, tmp_path, monkeypatch, capsys
):
    damaged = tmp_path / "binance-russia.json"
    damaged.write_text('{"version": 1, "title": ', encoding="utf-8")
    monkeypatch.setattr(viewer.bundle, "builtin_timeline", lambda: damaged)
    closer = ModalCloser(qtbot)
    closer.timer.start()
    try:
        code = viewer_app.main([])
    finally:
        closer.timer.stop()
    assert not closer.gave_up, "no modal message box was shown"
    assert code == 1
    [(title, text, text_format)] = closer.boxes
    assert title == "Timeline viewer is damaged"
    assert "cannot start" in text
    assert str(damaged) in text
    assert text_format == Qt.TextFormat.PlainText
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [line for line in stderr_lines(err) if line.startswith("timeline-viewer: ")]
    assert "cannot start" in line
    assert "cannot start" in log_path_under(no_log_file).read_text(encoding="utf-8")
    assert errors.log_file() == log_path_under(no_log_file)
