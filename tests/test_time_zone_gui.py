"""View → Time zone (issue 13), driven as a user would: the axis follows the zone chosen, the
panel keeps the time as the file wrote it, and the choice is remembered."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from viewer.model.dates import parse_date
from viewer.model.loader import load_timeline
from viewer.model.scale import TimeScale
from viewer.model.text import isolate


@pytest.fixture
def instants(tmp_path):
    (tmp_path / "s.txt").write_text("It happened.", encoding="utf-8")
    cite = [{"source": "s", "quote": "It happened."}]
    doc = {
        "version": 1,
        "title": "Times",
        "sources": [{"id": "s", "file": "s.txt", "title": "S"}],
        "events": [
            {
                "id": "a",
                "title": "Call",
                "date": "2022-04-22T14:05+02:00",
                "category": "c",
                "citations": cite,
            },
            {
                "id": "b",
                "title": "Meeting",
                "date": "2022-04-22T20:00",
                "category": "c",
                "citations": cite,
            },
        ],
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return load_timeline(path)


def hour_labels(win) -> list[str]:
    # Six hours across the window, from 10:00 UTC: the axis labels hours.
    view = win.view
    start = parse_date("2022-04-22T10:00Z").start
    view.set_scale(TimeScale(start, 6 * 3600 / view.width(), float(view.width())))
    return [
        text
        for text, _x, _w, context in view.renderer.axis_labels(view.scale, view.width())
        if not context
    ]


def test_the_axis_follows_the_zone_and_the_panel_keeps_what_the_file_wrote(
    qtbot, open_window, instants, settings, monkeypatch
):
    win = open_window(instants)
    qtbot.keyClick(win.view, Qt.Key.Key_Home)
    assert win.panel.date.text().startswith(
        "22 Apr 2022 14:05 UTC+02:00 (date known to the minute)"
    )
    utc = hour_labels(win)
    assert "12:00" in utc and "14:00" in utc

    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Asia/Kolkata", True))
    menu = win.time_zone_menu
    menu.other_action.trigger()
    assert menu.other_action.isChecked()
    assert "Asia/Kolkata" in menu.other_action.text()
    assert settings.value("view/time_zone") == "Asia/Kolkata"
    kolkata = hour_labels(win)
    assert kolkata != utc
    assert "16:00" in kolkata and "12:00" not in kolkata  # 10:30 UTC is 16:00 in Kolkata
    # The panel and the positions do not move with the zone.
    assert win.panel.date.text().startswith("22 Apr 2022 14:05 UTC+02:00")
    qtbot.keyClick(win.view, Qt.Key.Key_Right)
    assert win.panel.date.text().startswith("22 Apr 2022 20:00 (local time)")

    menu.utc_action.trigger()
    assert hour_labels(win) == utc
    assert settings.value("view/time_zone") == "UTC"


def test_the_zone_chosen_is_kept_for_the_next_window(qtbot, open_window, instants, settings):
    settings.setValue("view/time_zone", "Europe/Berlin")
    win = open_window(instants)
    assert win.time_zone_menu.other_action.isChecked()
    assert "14:00" in hour_labels(win) and "10:00" not in hour_labels(win)  # UTC+2 in April


def test_cancelling_the_zone_dialog_keeps_the_zone(qtbot, open_window, instants, monkeypatch):
    win = open_window(instants)
    before = hour_labels(win)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("", False))
    win.time_zone_menu.other_action.trigger()
    assert win.time_zone_menu.utc_action.isChecked()
    assert hour_labels(win) == before


def list_dates(win) -> dict[str, str]:
    """The event list's Date cell of each row, by its Title cell, as the table shows them."""
    model = win.event_list.table.model()
    return {
        model.index(row, 1).data(): model.index(row, 0).data() for row in range(model.rowCount())
    }


def test_the_status_bar_and_the_event_list_follow_the_zone(
    qtbot, open_window, instants, monkeypatch
):
    win = open_window(instants)
    win.event_list_action.trigger()
    qtbot.waitUntil(win.event_list.isVisible)
    qtbot.keyClick(win.view, Qt.Key.Key_Home)
    assert win.statusBar().currentMessage() == "22 Apr 2022 12:05 UTC — " + isolate("Call")
    assert list_dates(win) == {
        "Call": "22 Apr 2022 12:05 UTC",
        "Meeting": "22 Apr 2022 20:00 (local time)",
    }

    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Asia/Kolkata", True))
    win.time_zone_menu.other_action.trigger()
    # The selected event's date is shown again, read in the new zone; a local time is not moved.
    assert win.statusBar().currentMessage() == "22 Apr 2022 17:35 IST — " + isolate("Call")
    assert list_dates(win) == {
        "Call": "22 Apr 2022 17:35 IST",
        "Meeting": "22 Apr 2022 20:00 (local time)",
    }
    assert win.panel.date.text().startswith("22 Apr 2022 14:05 UTC+02:00")  # as written
    qtbot.keyClick(win.view, Qt.Key.Key_Right)
    assert win.statusBar().currentMessage() == "22 Apr 2022 20:00 (local time) — " + isolate(
        "Meeting"
    )

    win.time_zone_menu.utc_action.trigger()
    assert list_dates(win)["Call"] == "22 Apr 2022 12:05 UTC"
    assert win.statusBar().currentMessage() == "22 Apr 2022 20:00 (local time) — " + isolate(
        "Meeting"
    )
