"""File → Save As… and File → Export TimelineJS JSON…, driven through the window's actions with
the file dialog answered by the test; the written files are read back."""

from __future__ import annotations

import html
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from viewer.model.loader import load_timeline


def answer_save_dialog(monkeypatch, path) -> list[tuple]:
    asked: list[tuple] = []

    def dialog(*args, **kwargs):
        asked.append(args)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    return asked


def test_save_as_writes_a_timeline_that_opens_with_the_same_events_and_quotes(
    qtbot, window, builtin, tmp_path, monkeypatch
):
    target = tmp_path / "mine"  # no suffix: .json is added
    asked = answer_save_dialog(monkeypatch, target)
    window.activateWindow()  # a window's shortcuts reach only the active window (on xcb)
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window.view,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert asked, "Ctrl+Shift+S did not ask where to save"
    assert asked[0][1] == "Save timeline as" and "(*.json)" in asked[0][3]
    saved = tmp_path / "mine.json"
    again = load_timeline(saved)
    assert [(e.id, e.title, e.when, e.category) for e in again.events] == [
        (e.id, e.title, e.when, e.category) for e in builtin.events
    ]
    assert [[c.span for c in e.citations] for e in again.events] == [
        [c.span for c in e.citations] for e in builtin.events
    ]
    assert sorted(p.name for p in (tmp_path / "sources").iterdir()) == sorted(
        s.file.rsplit("/", 1)[1] for s in builtin.sources.values()
    )
    assert "Saved" in window.statusBar().currentMessage()


def test_save_as_problem_is_shown_and_nothing_is_written(qtbot, window, tmp_path, monkeypatch):
    (tmp_path / "sources").mkdir()
    clash = tmp_path / "sources" / "000_b0f368b6e919a3a2.txt"
    clash.write_text("other text", encoding="utf-8")
    answer_save_dialog(monkeypatch, tmp_path / "t.json")
    window.save_as_action.trigger()
    box = window.last_error
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "already exists with another text" in box.text()
    assert box.windowTitle() == "Cannot save timeline"
    box.close()
    assert not (tmp_path / "t.json").exists()
    assert clash.read_text(encoding="utf-8") == "other text"


def test_export_timelinejs_writes_slides_for_every_event(
    qtbot, window, builtin, tmp_path, monkeypatch
):
    out = tmp_path / "tl.timelinejs.json"
    asked = answer_save_dialog(monkeypatch, out)
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert "Save &As…" in texts and "Export &TimelineJS JSON…" in texts
    window.export_timelinejs_action.trigger()
    assert asked[0][2].endswith("binance-russia.timelinejs.json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert html.unescape(doc["title"]["text"]["headline"]) == builtin.title
    assert [html.unescape(s["text"]["headline"]) for s in doc["events"]] == [
        e.title for e in builtin.events
    ]
    assert all("<blockquote>" in s["text"]["text"] for s in doc["events"])
    # A folder that does not exist: a message, and nothing written.
    bad = tmp_path / "nope" / "x.json"
    answer_save_dialog(monkeypatch, bad)
    window.export_timelinejs_action.trigger()
    assert not bad.exists()
    assert "does not exist" in window.last_error.text()
    window.last_error.close()
