"""Imported timelines in the window: File → Open recognises them by content, loads them in the
background with progress and Cancel, and never shows an uncited event as sourced."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from viewer.model.text import isolate
from viewer.render import UNCITED
from viewer.source_panel import NO_SOURCE_QUOTED

ROWS = 60_000


def open_file(window, monkeypatch, path: Path) -> None:
    """File → Open, choosing `path` in the (mocked) dialog."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.open_action.trigger()


def timelinejs(tmp_path: Path) -> Path:
    doc = {
        "title": {"text": {"headline": "Imported"}},
        "events": [
            {
                "start_date": {"year": 2020, "month": 5, "day": k + 1},
                "text": {"headline": f"Event {k}", "text": "<p>Said <b>this</b></p>"},
                "media": {"url": f"https://example.org/{k}.jpg", "credit": f"Credit {k}"},
                "group": "Group A" if k % 2 else "Group B",
            }
            for k in range(3)
        ],
    }
    # Named .txt: it is told apart by its content, not its name.
    path = tmp_path / "exported.txt"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_an_imported_timeline_shows_its_events_as_uncited(qtbot, window, tmp_path, monkeypatch):
    path = timelinejs(tmp_path)
    open_file(window, monkeypatch, path)
    qtbot.waitUntil(lambda: not window.is_loading(), timeout=30_000)
    assert window.last_error is None
    assert window.statusBar().currentMessage() == (
        f"Opened {isolate('exported.txt')} (3 events; 3 uncited (no source quoted))"
    )
    assert window.windowTitle() == f"{isolate('Imported')} — Timeline viewer"

    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    panel = window.panel
    assert panel.title.text() == "Event 0"
    assert panel.summary.text() == "Said this"  # HTML as plain text
    assert panel.warnings.isVisible() and panel.warnings.text() == NO_SOURCE_QUOTED
    assert panel.citation_list.count() == 1
    assert panel.citation_list.item(0).text() == f"{isolate('Credit 0')}\nlink only, nothing quoted"
    assert panel.source_link.text() == "https://example.org/0.jpg"
    assert panel.open_link_button.isEnabled()
    assert panel.highlighted_text() == ""  # nothing is highlighted as quoted

    # Drawn so that a reader can tell, and explained in the legend.
    renderer = window.view.renderer
    frame = window.view._frame()
    labels = [m.label for m in renderer.scene(window.view.scale, frame) if m.label]
    assert len(labels) == 3 and all(label.endswith(UNCITED) for label in labels)
    legend = renderer.legend_items(window.view.scale, float(window.view.width()))
    assert [item.text for item in legend if item.kind == "uncited"] == [
        "(uncited): quotes no source"
    ]


def test_our_own_timeline_has_no_uncited_legend(window):
    renderer = window.view.renderer
    legend = renderer.legend_items(window.view.scale, float(window.view.width()))
    assert all(item.kind != "uncited" for item in legend)
    assert window.panel.warnings.text() != NO_SOURCE_QUOTED


def big_timesketch(tmp_path: Path) -> Path:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("message,timestamp,timestamp_desc\n")
        for k in range(ROWS):
            f.write(f"row {k},{1437764461000000 + k * 1000},Write time\n")
    return path


def test_a_timesketch_csv_loads_in_the_background_with_progress(
    qtbot, window, tmp_path, monkeypatch
):
    path = big_timesketch(tmp_path)
    values: list[int] = []
    window.load_bar.valueChanged.connect(values.append)
    open_file(window, monkeypatch, path)
    assert window.is_loading() and window.cancel_load_button.isVisible()
    qtbot.waitUntil(lambda: not window.is_loading(), timeout=60_000)
    assert window.last_error is None
    assert len(window.view.timeline.events) == ROWS
    assert window.view.timeline.imported == "Timesketch CSV"
    assert values == sorted(values) and len(set(values)) >= 5
    assert values[-1] == window.load_bar.maximum()


def test_cancelling_an_import_keeps_the_timeline_on_show(qtbot, window, tmp_path, monkeypatch):
    before = window.view.timeline
    path = big_timesketch(tmp_path)
    open_file(window, monkeypatch, path)
    assert window.is_loading()
    qtbot.mouseClick(window.cancel_load_button, Qt.MouseButton.LeftButton)
    assert not window.is_loading()
    assert window.statusBar().currentMessage().startswith("Loading cancelled")
    qtbot.waitUntil(window.loader.is_idle, timeout=30_000)
    assert window.view.timeline is before and window.last_error is None


def test_a_file_we_do_not_import_says_what_to_do(qtbot, window, tmp_path, monkeypatch):
    before = window.view.timeline
    path = tmp_path / "story.aeon"
    path.write_bytes(b"PK\x03\x04" + bytes(64))
    open_file(window, monkeypatch, path)
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=30_000)
    assert "export it as CSV from Aeon Timeline" in window.last_error.text()
    assert window.view.timeline is before


def test_a_forensic_import_counts_its_uncited_events_without_making_them(tmp_path):
    """The status bar's count for a large forensic file comes from the importer: making a
    million events to count them took minutes."""
    from viewer.main_window import uncited_note
    from viewer.model.importers import load_any

    rows = ["message,datetime,timestamp_desc"] + [
        f"Login {k},2021-04-0{1 + k % 9}T10:00:0{k % 10}+00:00,Event Recorded" for k in range(500)
    ]
    path = tmp_path / "sketch.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    timeline = load_any(path)
    assert timeline.imported and len(timeline.events) == 500
    made = timeline.events._make
    made.cache_clear()
    assert uncited_note(timeline) == "; 500 uncited (no source quoted)"
    assert made.cache_info().misses == 0  # no event was made to count them
