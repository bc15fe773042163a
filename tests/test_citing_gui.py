"""Copying citations and exporting events from the window, read back from the clipboard and
with the csv module."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from viewer.model.citing import citation_markdown, citation_plain, event_plain


def select(qtbot, window, builtin, event_id: str) -> int:
    i = builtin.index_of(event_id)
    qtbot.mouseClick(
        window.view, Qt.MouseButton.LeftButton, pos=window.view.marker_center(i).toPoint()
    )
    assert window.view.selected_index == i
    return i


def test_ctrl_c_on_a_citation_copies_the_whole_quote(qtbot, window, builtin):
    i = select(qtbot, window, builtin, "reuters-report")
    event = builtin.events[i]
    panel = window.panel
    rows = panel.citation_list
    # Click the second citation, then Ctrl+C in the list.
    rect = rows.visualItemRect(rows.item(1))
    qtbot.mouseClick(rows.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.citation_index == 1
    QApplication.clipboard().clear()
    qtbot.keyClick(rows, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    data = QApplication.clipboard().mimeData()
    cit = event.citations[1]
    assert data.text() == citation_plain(builtin, event, cit)
    assert cit.quote in data.text() and "…" not in data.text().replace(cit.quote, "")
    assert "22 Apr 2022" in data.text()
    assert bytes(data.data("text/markdown")).decode() == citation_markdown(builtin, event, cit)


# Offscreen, a menu says it cannot grab the keyboard or mouse: not our warning.
@pytest.mark.qt_log_ignore(
    "This plugin does not support grabbing the (keyboard|mouse)", extend=True
)
def test_right_click_on_an_event_copies_its_citations(qtbot, window, builtin):
    i = builtin.index_of("commex-sale")
    QApplication.clipboard().clear()

    def choose() -> None:
        menu = QApplication.activePopupWidget()
        assert menu is not None
        action = next(a for a in menu.actions() if "Copy" in a.text())
        action.trigger()
        menu.close()

    QTimer.singleShot(50, choose)
    pos = window.view.marker_center(i)
    qtbot.mouseClick(window.view, Qt.MouseButton.RightButton, pos=pos.toPoint())
    # The right button's press asks for the context menu; QTest's click does not send that
    # request itself, so it is sent here as the window system would.
    QApplication.sendEvent(
        window.view,
        QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse,
            pos.toPoint(),
            window.view.mapToGlobal(pos.toPoint()),
        ),
    )
    qtbot.waitUntil(lambda: bool(QApplication.clipboard().text()))
    assert window.view.selected_index == i
    assert QApplication.clipboard().text() == event_plain(builtin, builtin.events[i])
    for c in builtin.events[i].citations:
        assert c.quote in QApplication.clipboard().text()


def test_dispute_links_select_the_other_event(qtbot, window, builtin):
    select(qtbot, window, builtin, "reuters-report")
    panel = window.panel
    links = panel.dispute_links()
    assert links == ["binance-denial"]
    assert 'href="#0"' in panel.dispute.text()
    panel.dispute.linkActivated.emit("#0")  # what a click on the link sends
    assert window.view.selected_index == builtin.index_of("binance-denial")
    # And back: the denial "Disputes" the report.
    assert "reuters-report" in panel.dispute_links()


def test_export_events_writes_the_shown_events_as_csv_and_markdown(
    qtbot, window, builtin, tmp_path, monkeypatch
):
    window.find.toggle_category("context")  # hide the background claim
    out = tmp_path / "events.csv"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "CSV table (*.csv)")
    )
    window.export_events_action.trigger()
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    titles = {r["title"] for r in rows}
    shown = [e for e in builtin.events if e.category != "context"]
    assert titles == {e.title for e in shown}
    assert len(rows) == sum(max(len(e.citations), 1) for e in shown)
    reuters = builtin.event("reuters-report")
    quotes = {r["quote"] for r in rows if r["title"] == reuters.title}
    assert quotes == {c.quote for c in reuters.citations}
    md = tmp_path / "notes.md"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(md), "Markdown notes (*.md)")
    )
    window.export_events_action.trigger()
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "12 of 13 events shown" in text and "Background" in text and "hidden" in text
    # A folder that does not exist: a message, and nothing written.
    bad = tmp_path / "nope" / "x.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(bad), ""))
    window.export_events_action.trigger()
    assert not bad.exists()
    assert "does not exist" in window.last_error.text()
    window.last_error.close()


def test_an_image_export_draws_the_filtered_timeline_and_says_what_was_left_out(
    qtbot, window, builtin, tmp_path
):
    import xml.etree.ElementTree as ET

    window.find.toggle_category("context")
    window.find_bar.field.setText("commex")
    window.find_bar.flush()
    out = tmp_path / "filtered.svg"
    assert window.export_to(out)
    texts = " ".join(
        "".join(t.itertext()) for t in ET.parse(out).getroot().iter() if t.tag.endswith("text")
    )
    hidden = builtin.event("navalny-2018-claim").title
    assert hidden not in texts
    assert builtin.event("reuters-report").title in texts  # not a match: drawn all the same
    assert "Filtered: 1 of 13 events left out" in texts
    assert "Background" in texts and "hidden" in texts
