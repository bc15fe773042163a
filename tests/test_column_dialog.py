"""Opening a CSV of no known format, as a user does: File → Open (or the command line) shows the
column dialog prefilled with a guess, the preview follows the columns chosen, Import loads the
file in the background, and Cancel, or an import that fails, keeps the timeline on show."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

import viewer.app as viewer_app
from viewer.column_dialog import LEFT_OUT, NONE, ColumnDialog
from viewer.model.text import isolate

CSV = (
    "Posted,Happened,Headline,Notes,Kind,Link\n"
    '2022-04-20,2022-04-22T14:05+02:00,Call,"A call, long",talks,https://example.org/call\n'
    "last week,2021-03,Report,Published,press,\n"
    "2023-01-02,1850,Old,,,\n"
)


def write_csv(tmp_path: Path, text: str = CSV, name: str = "found.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def open_file(window, monkeypatch, path: Path) -> None:
    """File → Open, choosing `path` in the (mocked) file dialog."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.open_action.trigger()


def shown_dialog(qtbot, window) -> ColumnDialog:
    qtbot.waitUntil(lambda: window.column_dialog is not None and window.column_dialog.isVisible())
    return window.column_dialog


def column(dialog: ColumnDialog, n: int) -> list[str]:
    return [dialog.preview_text(r, n) for r in range(dialog.preview.rowCount())]


def list_rows(window) -> list[tuple[str, str]]:
    model = window.event_list.table.model()
    return [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())]


def test_choosing_the_columns_previews_the_rows_and_imports_them(
    qtbot, window, tmp_path, monkeypatch
):
    path = write_csv(tmp_path)
    before = window.timeline
    open_file(window, monkeypatch, path)
    dialog = shown_dialog(qtbot, window)
    assert not window.is_loading()  # nothing loads before the user says which column is what

    # Prefilled from the header; no column is named like a date, so Import waits for one.
    combos = dialog.combos
    assert {role: combo.currentText() for role, combo in combos.items()} == {
        "date": NONE,
        "end": NONE,
        "title": "Headline",
        "description": "Notes",
        "category": "Kind",
        "link": "Link",
    }
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem.text() == "Choose the column that holds the dates."
    assert column(dialog, 0) == ["2", "3", "4"]
    assert column(dialog, 1) == [LEFT_OUT] * 3
    assert column(dialog, 2) == ["Call", "Report", "Old"]

    # The user picks the date column with the keyboard: first Posted, which one row cannot read…
    combos["date"].setFocus()
    qtbot.keyClick(combos["date"], Qt.Key.Key_Down)
    assert combos["date"].currentText() == "Posted"
    assert column(dialog, 1) == [
        "20 Apr 2022",
        "Problem: Posted: 'last week' is not a date",
        "2 Jan 2023",
    ]
    assert dialog.ok_button.isEnabled()
    assert dialog.problem.text().startswith("1 of these rows cannot be read")
    # …then Happened: each date at its precision, an instant with its offset as written.
    qtbot.keyClick(combos["date"], Qt.Key.Key_Down)
    assert combos["date"].currentText() == "Happened"
    assert column(dialog, 1) == ["22 Apr 2022 14:05 UTC+02:00", "Mar 2021", "1850"]
    assert not dialog.problem.isVisible()
    assert column(dialog, 5) == ["https://example.org/call", "", ""]

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: window.timeline is not before and not window.is_loading())
    assert window.last_error is None
    assert window.windowTitle() == f"{isolate('found')} — Timeline viewer"
    assert window.statusBar().currentMessage() == (
        f"Opened {isolate('found.csv')} (3 events; 3 uncited (no source quoted))"
    )
    window.event_list_action.trigger()
    qtbot.waitUntil(window.event_list.isVisible)
    assert list_rows(window) == [
        ("1850", "Old"),
        ("Mar 2021", "Report"),
        ("22 Apr 2022 12:05 UTC", "Call"),
    ]
    qtbot.keyClick(window.view, Qt.Key.Key_End)
    assert window.panel.title.text() == "Call"
    assert window.panel.summary.text() == "A call, long"
    assert window.panel.source_link.text() == "https://example.org/call"


def test_cancel_keeps_the_timeline_on_show(qtbot, window, tmp_path, monkeypatch):
    before = window.timeline
    open_file(window, monkeypatch, write_csv(tmp_path))
    dialog = shown_dialog(qtbot, window)
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    assert not dialog.isVisible()
    assert not window.is_loading()
    assert window.timeline is before and window.last_error is None
    assert window.statusBar().currentMessage() == f"Did not open {isolate('found.csv')}"


def test_an_import_that_fails_says_where_and_keeps_the_timeline(
    qtbot, window, tmp_path, monkeypatch
):
    # The bad date is past the rows the preview reads: the import names its line.
    rows = "".join(f"2020-01-{k + 1:02d};Event {k}\n" for k in range(25))
    path = write_csv(tmp_path, "Date;Title\n" + rows + "31 Febuary 2020;Late\n", "late.csv")
    before = window.timeline
    open_file(window, monkeypatch, path)
    dialog = shown_dialog(qtbot, window)
    assert dialog.combos["date"].currentText() == "Date"  # guessed: Import is ready
    assert dialog.preview.rowCount() == 20
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.last_error is not None and not window.is_loading())
    assert window.last_error.text() == (
        f"{isolate(str(path))}: line 27: Date: '31 Febuary 2020' is not a date"
    )
    assert window.timeline is before


def test_a_csv_dropped_on_the_window_asks_for_its_columns(qtbot, window, tmp_path):
    from PySide6.QtCore import QMimeData, QUrl
    from test_desktop import drag_and_drop

    path = write_csv(tmp_path, "date;title\n2021-04;Spring\n", "dropped.csv")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    assert drag_and_drop(window, data) == (True, True)
    dialog = shown_dialog(qtbot, window)
    assert column(dialog, 1) == ["Apr 2021"]
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.timeline.title == "dropped" and not window.is_loading())
    assert [e.title for e in window.timeline.events] == ["Spring"]


@pytest.fixture
def app_state(qapp):
    """main() configures the one QApplication, the excepthook and the signal handlers of this
    process; put them back for the tests that follow."""
    names = (qapp.applicationName(), qapp.organizationName(), qapp.applicationVersion())
    desktop, icon, hook = qapp.desktopFileName(), qapp.windowIcon(), sys.excepthook
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
    qapp.setDesktopFileName(desktop)


def test_a_csv_named_on_the_command_line_opens_the_dialog(
    qtbot, app_state, settings, tmp_path, monkeypatch
):
    path = write_csv(tmp_path, "date,title\n2021-04,Spring\n2022,Year\n", "start.csv")
    monkeypatch.setattr(viewer_app, "open_settings", lambda: settings)
    seen: dict[str, object] = {}

    def windows():
        from viewer.main_window import MainWindow

        return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]

    def poll() -> None:
        seen["polls"] = int(seen.get("polls", 0)) + 1
        if int(seen["polls"]) > 400:  # ~20 s: fail rather than hang
            QApplication.closeAllWindows()
            return
        [window] = windows() or [None]
        if window is None:
            return
        dialog = window.column_dialog
        if "under" not in seen and dialog is not None and dialog.isVisible():
            seen["under"] = window.timeline.title  # what is on show behind the dialog
            seen["guess"] = (
                dialog.combos["date"].currentText(),
                dialog.combos["title"].currentText(),
            )
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        elif "under" in seen and not window.is_loading() and window.timeline.title == "start":
            seen["events"] = [e.title for e in window.timeline.events]
            QApplication.closeAllWindows()

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(poll)
    timer.start()
    try:
        code = viewer_app.main([str(path)])
    finally:
        timer.stop()
    assert code == 0
    assert seen.get("guess") == ("date", "title")
    assert seen.get("under") != "start"  # the built-in timeline stays until Import
    assert seen.get("events") == ["Spring", "Year"]
