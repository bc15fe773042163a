"""The window as a desktop app: Help and its shortcut list, opening files by drop and from Open
Recent, keys that work wherever the focus is, a side panel that fits, and no surprises (the
window keeps its size, the status bar tells the truth, the process ends when the window does)."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dateutil
import msgspec
import PySide6
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.test_gui import one_event_timeline
from viewer import __version__
from viewer.help import NATIVE, PORTABLE, markdown_table, plain_text, shortcuts
from viewer.main_window import MainWindow, load_timeline_file
from viewer.model.loader import TimelineError
from viewer.model.saving import save_timeline
from viewer.model.text import isolate
from viewer.recent import MAX_RECENT

ROOT = Path(__file__).resolve().parent.parent
OFFSCREEN_MENU = "This plugin does not support grabbing the (keyboard|mouse)"


def _load_script(name: str):
    # release/ is a folder of scripts, not a package.
    spec = importlib.util.spec_from_file_location(name, ROOT / "release" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def press(window, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed as the user presses it: to the window, so that shortcuts apply."""
    if not window.isActiveWindow():
        # Xvfb has no window manager to make a new window active, as a user's click would.
        window.activateWindow()
        assert QTest.qWaitForWindowActive(window)
    QTest.keyClick(window.windowHandle(), key, modifiers)


def a_timeline(folder: Path, name: str = "t") -> Path:
    """A one-event timeline of our own format in `folder/name/`."""
    where = folder / name
    where.mkdir()
    (where / "a.txt").write_text("The bridge opened in May.", encoding="utf-8")
    return one_event_timeline(
        where,
        source="a.txt",
        title=f"Timeline {name}",
        source_title="Notes",
        event_title="Bridge opens",
        date="2021-05",
        quote="The bridge opened",
    )


def wait_loaded(qtbot, window, path: Path) -> None:
    qtbot.waitUntil(lambda: not window.is_loading())
    assert window.timeline.path == path, window.last_error and window.last_error.text()


# -- Help ---------------------------------------------------------------------------------------


def test_f1_lists_every_shortcut_of_the_window_from_its_actions(qtbot, window):
    press(window, Qt.Key.Key_F1)
    box = window.shortcuts_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    rows = box.rows()
    # Every action with keys, wherever it is (menu, toolbar, a widget's own), is listed with
    # its keys as the platform writes them.
    listed = {(keys, what) for keys, what, _where in rows}
    actions = [a for a in window.findChildren(QAction) if a.shortcuts()]
    assert len(actions) >= 20
    for action in actions:
        keys = ", ".join(k.toString(NATIVE) for k in action.shortcuts())
        assert (keys, plain_text(action.text())) in listed, action.text()
    assert ("Alt+Right", "Next event", "Go menu") in rows
    assert ("Right", "Next event", "In the timeline") in rows
    assert ("F1", "Keyboard shortcuts", "Help menu") in rows
    # A shortcut added later, as a QShortcut on the window, is listed when the list opens again.
    extra = QShortcut(QKeySequence("Ctrl+Alt+K"), window)
    extra.setWhatsThis("Keep something")
    box.close()
    window.shortcuts_action.trigger()
    assert ("Ctrl+Alt+K", "Keep something", "Anywhere in the window") in box.rows()
    # Not modal: the window still takes keys with the list open.
    assert box.isVisible() and not box.isModal()
    before = window.view.selected_index
    press(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.view.selected_index != before


def test_readme_lists_the_shortcuts_the_actions_have(qtbot):
    script = _load_script("shortcuts_table")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = script.readme_table(readme)
    assert "| `Alt+Right` | Next event | Go menu |" in table
    assert table == script.current_table(), "README.md is stale: run `make shortcuts`"


def test_readme_table_is_the_windows_list(window):
    # The script's window is a fresh one on the built-in timeline, as this one is.
    table = markdown_table(shortcuts(window, PORTABLE))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert table in readme


def test_about_shows_version_licence_and_libraries(qtbot, window):
    window.about_action.trigger()
    box = window.about_box
    qtbot.waitUntil(box.isVisible)
    assert box.label.textFormat() == Qt.TextFormat.PlainText
    text = box.label.text()
    assert f"Timeline viewer {__version__}" in text
    assert "Licence: MIT" in text
    assert f"PySide6 {PySide6.__version__}" in text
    assert f"python-dateutil {dateutil.__version__}" in text
    assert f"msgspec {msgspec.__version__}" in text
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}." in text


# -- opening files ------------------------------------------------------------------------------


def drag_and_drop(window, data: QMimeData) -> tuple[bool, bool]:
    """Drag `data` over the window and drop it; whether the enter and the drop were accepted."""
    at = QPoint(window.width() // 3, window.height() // 2)
    enter = QDragEnterEvent(
        at,
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    drop = QDropEvent(
        QPointF(at),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    drop.setAccepted(False)
    QApplication.sendEvent(window, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_a_timeline_dropped_on_the_window_opens(qtbot, window, tmp_path):
    path = a_timeline(tmp_path)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path)), QUrl.fromLocalFile(str(tmp_path / "other.json"))])
    assert drag_and_drop(window, data) == (True, True)
    wait_loaded(qtbot, window, path)  # the first file
    assert window.windowTitle().startswith(isolate("Timeline t"))


def test_a_web_address_or_text_dropped_is_refused(qtbot, window, builtin):
    web = QMimeData()
    web.setUrls([QUrl("https://example.org/t.json")])
    text = QMimeData()
    text.setText("/tmp/t.json")
    for data in (web, text):
        assert drag_and_drop(window, data) == (False, False)
        assert not window.is_loading()
    assert window.timeline is builtin


def recent_entries(qtbot, window) -> list[tuple[str, bool]]:
    """File → Open Recent as the user sees it when it opens: (text, enabled) per entry."""
    menu = window.recent_menu
    menu.popup(window.mapToGlobal(QPoint(20, 20)))
    qtbot.waitUntil(menu.isVisible)
    entries = [(a.text(), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]
    menu.close()
    return entries


def restart(qtbot, window, builtin, settings_file: Path) -> MainWindow:
    """Close the window and open a new one, as the next launch does, on the same settings."""
    window.close()
    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    again = MainWindow(builtin, settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    return again


@pytest.mark.qt_log_ignore(OFFSCREEN_MENU, extend=True)
def test_open_recent_remembers_files_across_a_restart(qtbot, window, builtin, tmp_path):
    paths = [a_timeline(tmp_path, name) for name in ("a", "b", "c")]
    for path in paths:
        window.open_path(path)
        wait_loaded(qtbot, window, path)
    settings_file = Path(window.settings.fileName())
    window = restart(qtbot, window, builtin, settings_file)
    entries = recent_entries(qtbot, window)
    # Newest first, each numbered for the keyboard, none greyed.
    assert [t.split()[0] for t, _ in entries[:3]] == ["&1", "&2", "&3"]
    assert all(isolate("timeline.json") in t for t, _ in entries[:3])
    assert all(str(paths[k].parent) in t for k, (t, _) in zip((2, 1, 0), entries, strict=False))
    assert all(enabled for _, enabled in entries[:3])
    # Choosing one opens it.
    entry = next(a for a in window.recent_menu.actions() if a.text().startswith("&2"))
    entry.trigger()
    wait_loaded(qtbot, window, paths[1])


@pytest.mark.qt_log_ignore(OFFSCREEN_MENU, extend=True)
def test_open_recent_greys_a_missing_file_and_keeps_ten(qtbot, window, builtin, tmp_path):
    paths = [a_timeline(tmp_path, f"n{k:02d}") for k in range(MAX_RECENT + 2)]
    for path in paths:
        window.open_path(path)
        wait_loaded(qtbot, window, path)
    gone = paths[-2]
    gone.unlink()
    window = restart(qtbot, window, builtin, Path(window.settings.fileName()))
    entries = recent_entries(qtbot, window)
    files = entries[:MAX_RECENT]
    assert len([t for t, _ in entries if "timeline.json" in t]) == MAX_RECENT
    assert str(paths[1].parent) not in " ".join(t for t, _ in entries)  # the oldest went
    text, enabled = files[1]
    assert str(gone.parent) in text and text.endswith("(missing)") and not enabled
    assert all(enabled for t, enabled in files if t != text)
    # Clear recent timelines empties the list.
    clear = next(a for a in window.recent_menu.actions() if a.objectName() == "clearRecent")
    clear.trigger()
    assert recent_entries(qtbot, window)[0] == ("No recent timelines", False)


def test_the_last_timeline_reopens_at_start_only_when_asked(qtbot, window, builtin, tmp_path):
    path = a_timeline(tmp_path)
    window.open_path(path)
    wait_loaded(qtbot, window, path)
    settings_file = Path(window.settings.fileName())
    # Not asked: the next start shows the built-in timeline.
    assert not window.reopen_action.isChecked()
    window = restart(qtbot, window, builtin, settings_file)
    assert not window.reopen_last()
    assert window.timeline is builtin and not window.is_loading()
    # Asked for (File → Reopen last timeline at start): the next start reopens it.
    window.reopen_action.trigger()
    window = restart(qtbot, window, builtin, settings_file)
    assert window.reopen_action.isChecked()
    assert window.reopen_last()
    wait_loaded(qtbot, window, path)
    # A last timeline that has gone is not reopened.
    path.unlink()
    window = restart(qtbot, window, builtin, settings_file)
    assert not window.reopen_last()
    assert window.timeline is builtin


# -- focus --------------------------------------------------------------------------------------


def test_alt_arrows_step_from_the_source_text_and_the_arrows_move_its_cursor(qtbot, window):
    view, panel = window.view, window.panel
    press(window, Qt.Key.Key_Home)
    assert view.selected_index == 0
    assert window.next_action.shortcut().toString() == "Alt+Right"
    text = panel.source_text
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    qtbot.mouseClick(text.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(30, 8))
    assert QApplication.focusWidget() is text
    # The arrows move the cursor in the text; the selection stays.
    position = text.textCursor().position()
    press(window, Qt.Key.Key_Right)
    press(window, Qt.Key.Key_Right)
    assert text.textCursor().position() == position + 2
    press(window, Qt.Key.Key_Left)
    assert text.textCursor().position() == position + 1
    assert view.selected_index == 0
    # Alt+Right and Alt+Left step through the events from there.
    press(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert view.selected_index == 1
    press(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    press(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert view.selected_index == 1
    press(window, Qt.Key.Key_End, Qt.KeyboardModifier.AltModifier)
    assert view.selected_index == len(window.timeline.events) - 1


# -- the panel ----------------------------------------------------------------------------------


def select_by_id(window, event_id: str) -> None:
    window.view.select(window.timeline.index_of(event_id))
    QApplication.processEvents()


def whole_rows(citation_list) -> int:
    viewport = citation_list.viewport().rect()
    return sum(
        1
        for k in range(citation_list.count())
        if viewport.contains(citation_list.visualItemRect(citation_list.item(k)))
    )


def test_the_citation_list_shows_three_entries_whole_and_grows(qtbot, window, builtin):
    event = max(builtin.events, key=lambda e: len(e.citations))
    assert len(event.citations) >= 4
    select_by_id(window, event.id)
    citations = window.panel.citation_list
    assert window.size().width() == 1280 and window.size().height() == 760  # the default size
    assert whole_rows(citations) >= 3
    assert not citations.horizontalScrollBar().isVisible()  # rows are elided, not cut
    before = citations.viewport().height()
    window.resize(1280, 1000)
    qtbot.waitUntil(lambda: citations.viewport().height() > before)
    assert whole_rows(citations) > 3


def test_no_scroll_bar_in_the_header_when_nothing_overflows(qtbot, window):
    header = window.panel.header
    assert window.panel.title.text() == "No event selected"
    assert not header.verticalScrollBar().isVisible()
    press(window, Qt.Key.Key_Home)
    press(window, Qt.Key.Key_Escape)
    assert window.panel.title.text() == "No event selected"
    assert not header.verticalScrollBar().isVisible()


def test_sources_are_named_by_their_titles(qtbot, window, builtin):
    select_by_id(window, builtin.events[0].id)
    panel = window.panel
    for k in range(panel.citation_list.count()):
        panel.show_citation(k)
        source = builtin.sources[builtin.events[0].citations[k].source_id]
        heading = panel.source_title.text()
        assert isolate(source.title) in heading
        assert Path(source.file).name not in heading
        assert ".txt" not in panel.citation_list.item(k).text()


def a_timeline_with_a_byline(folder: Path, **source_fields) -> Path:
    (folder / "002_b85f66659d3b49bd.txt").write_text("The bridge opened in May.", encoding="utf-8")
    source = {"id": "n", "file": "002_b85f66659d3b49bd.txt", "title": "Bridge report"}
    doc = {
        "version": 1,
        "title": "Bridges",
        "sources": [{**source, **source_fields}],
        "events": [
            {
                "id": "e",
                "title": "Bridge opens",
                "date": "2021-05",
                "category": "works",
                "citations": [{"source": "n", "quote": "The bridge opened"}],
            }
        ],
    }
    path = folder / "bridges.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_source_is_named_with_its_outlet_author_and_date(qtbot, open_window, tmp_path):
    path = a_timeline_with_a_byline(
        tmp_path, outlet="The Daily", author="Ann Lee", published="22 April 2022"
    )
    window = open_window(load_timeline_file(path))
    press(window, Qt.Key.Key_Home)
    panel = window.panel
    assert panel.source_title.text() == isolate("Bridge report")
    assert panel.source_byline.isVisibleTo(window)
    assert (
        panel.source_byline.text()
        == f"{isolate('The Daily')}  ·  {isolate('Ann Lee')}  ·  22 Apr 2022"
    )
    assert "002_b85f" not in panel.source_title.text() + panel.source_byline.text()
    # Saved and read again, the source keeps them.
    (tmp_path / "saved").mkdir()
    saved = tmp_path / "saved" / "bridges.json"
    save_timeline(window.timeline, saved)
    source = load_timeline_file(saved).sources["n"]
    assert (source.outlet, source.author, source.published.iso()) == (
        "The Daily",
        "Ann Lee",
        "2022-04-22",
    )


def test_a_source_without_a_byline_shows_none(qtbot, open_window, tmp_path):
    window = open_window(load_timeline_file(a_timeline_with_a_byline(tmp_path)))
    press(window, Qt.Key.Key_Home)
    assert window.panel.source_title.text() == isolate("Bridge report")
    assert window.panel.source_byline.text() == ""
    assert not window.panel.source_byline.isVisibleTo(window)


def test_a_source_date_says_what_it_says_or_is_refused(tmp_path):
    path = a_timeline_with_a_byline(tmp_path, published="about 2022")
    with pytest.raises(TimelineError) as refused:
        load_timeline_file(path)
    assert str(refused.value).startswith(f"{path}: sources[0].published: ")
    assert "\n" not in str(refused.value)


# -- no surprises -------------------------------------------------------------------------------


def test_selecting_never_resizes_the_window(qtbot, open_window, builtin):
    window = open_window(builtin, 800, 500)
    assert (window.width(), window.height()) == (800, 500)
    window.view.setFocus()
    for _ in range(len(builtin.events)):
        press(window, Qt.Key.Key_Right)
        QApplication.processEvents()
        assert (window.width(), window.height()) == (800, 500), window.view.selected_index
    assert window.view.selected_index == len(builtin.events) - 1


def empty_point(view) -> QPoint:
    """A point among the rows where no event is drawn."""
    for y in range(view.height() // 4, view.height() // 2, 7):
        for x in range(view.width() - 20, 20, -13):
            if view.event_at(QPointF(x, y)) is None:
                return QPoint(x, y)
    raise AssertionError("no empty place in the view")


def test_the_status_bar_tells_the_truth_after_the_selection_is_cleared(qtbot, window, builtin):
    bar = window.statusBar()
    everything = f"{len(builtin.events)} events from {len(builtin.sources)} sources"
    assert bar.currentMessage().startswith(everything)
    press(window, Qt.Key.Key_Home)
    first = builtin.events[window.view.selected_index]
    assert first.when.label() in bar.currentMessage()
    press(window, Qt.Key.Key_Escape)  # clears the selection
    assert window.view.selected_index is None
    assert bar.currentMessage().startswith(everything)
    assert first.when.label() not in bar.currentMessage()
    # A click on empty space clears it too.
    press(window, Qt.Key.Key_End)
    assert bar.currentMessage() != everything
    qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton, pos=empty_point(window.view))
    assert window.view.selected_index is None
    assert bar.currentMessage().startswith(everything)


def _start_app(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHONPATH=str(ROOT),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "viewer", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_process_ends_when_its_window_closes(tmp_path):
    """Closing the window (here at its first paint, as --exit-after-first-paint does) and
    SIGTERM both end the process at once. The times are printed, not asserted (timing belongs
    in benchmarks); a process that hangs fails."""
    app = _start_app(tmp_path / "close", "--exit-after-first-paint")
    painted = float(app.stdout.readline().split()[1])
    assert app.wait(timeout=5) == 0
    after_close = time.monotonic() - painted
    log = tmp_path / "term" / "state" / "timeline-viewer" / "log"
    app = _start_app(tmp_path / "term")
    deadline = time.monotonic() + 60
    # Up once it has logged the timeline it opened.
    while not any("opened" in f.read_text() for f in log.glob("*")) and app.poll() is None:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    time.sleep(0.5)
    sent = time.monotonic()
    app.send_signal(signal.SIGTERM)
    assert app.wait(timeout=5) == 0
    after_term = time.monotonic() - sent
    print(f"\nexit: {after_close:.3f} s after the window closed, {after_term:.3f} s after SIGTERM")


def test_a_failed_export_leaves_the_dialog_open_with_the_typed_path(qtbot, window, tmp_path):
    """Ctrl+E, a path in a folder that does not exist, Enter: the writer refuses it (nothing
    patched), the error is shown over the dialog, and the dialog stays with the path typed."""
    press(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = window.export_box
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    typed = tmp_path / "no-such-folder" / "picture.png"
    dialog.path_edit.selectAll()
    qtbot.keyClicks(dialog.path_edit, str(typed))
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    box = window.last_error
    assert box is not None and box.isVisible()
    assert "does not exist" in box.text()
    qtbot.mouseClick(box.buttons()[0], Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.path_edit.text() == str(typed)
    assert not typed.parent.exists()
