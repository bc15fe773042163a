"""The window, driven as a user drives it: clicks, keys, the wheel, drags and menu actions."""

from __future__ import annotations

import json
import shutil

from PySide6.QtCore import QPoint, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from viewer.bundle import data_root
from viewer.model.text import isolate
from viewer.model.ticks import choose_level
from viewer.render import SCREEN


def wheel(view, x: float, notches: float = 1.0, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """Turn the mouse wheel over the view at x (positive notches zoom in)."""
    pos = QPointF(x, view.height() / 2)
    event = QWheelEvent(
        pos,
        view.mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, int(120 * notches)),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view, event)


def drawn_rects(view, index: int):
    frame = view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)
    marker, label = view.renderer.event_rects(index, view.scale, frame, view.y_offset)
    return frame, marker, label


def one_event_timeline(folder, *, source, title, source_title, event_title, date, quote):
    """Write `folder/timeline.json`: one event citing `quote` from the file `folder/source`."""
    doc = {
        "version": 1,
        "title": title,
        "sources": [{"id": "n", "file": source, "title": source_title}],
        "events": [
            {
                "id": "e",
                "title": event_title,
                "date": date,
                "category": "works",
                "summary": "It happened.",
                "citations": [{"source": "n", "quote": quote}],
            }
        ],
    }
    path = folder / "timeline.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def click_event(qtbot, view, index: int) -> None:
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.marker_center(index).toPoint())


def test_window_opens_fitted_with_every_event_and_label_in_view(window, builtin):
    view = window.view
    assert window.windowTitle().startswith(isolate("Binance and Russia")[:-1])
    for i in range(len(builtin.events)):
        frame, marker, label = drawn_rects(view, i)
        both = marker.united(label)
        assert both.left() >= 0 and both.right() <= view.width(), builtin.events[i].title
        assert both.top() >= frame.rows_top and both.bottom() <= frame.rows_bottom
    # No two labels overlap.
    labels = [drawn_rects(view, i)[2] for i in range(len(builtin.events))]
    for a in range(len(labels)):
        for b in range(a + 1, len(labels)):
            assert not labels[a].intersects(labels[b])


def test_clicking_an_event_selects_it_and_the_panel_shows_its_quote(qtbot, window, builtin):
    i = builtin.index_of("reuters-report")
    click_event(qtbot, window.view, i)
    assert window.view.selected_index == i
    panel = window.panel
    assert panel.title.text() == "Reuters report"
    assert panel.date.text().startswith("22 Apr 2022 (date known to the day)")
    first = builtin.events[i].citations[0]
    assert panel.highlighted_text() == first.quote
    source = builtin.sources[first.source_id]
    assert panel.source_title.text().startswith(isolate(source.title))
    # The whole article is shown (Qt shows a no-break space as a plain space).
    assert panel.source_text.toPlainText() == source.text.replace("\xa0", " ")
    # The passage is scrolled into view.
    assert panel.source_text.viewport().rect().contains(panel.source_text.cursorRect())
    assert "Reuters report" in window.statusBar().currentMessage()


def test_clicking_empty_space_clears_the_selection(qtbot, window, builtin):
    view = window.view
    click_event(qtbot, view, 0)
    assert view.selected_index == 0
    frame = view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)
    empty = QPoint(view.width() - 5, int(frame.rows_bottom) - 5)
    assert view.event_at(QPointF(empty)) is None
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=empty)
    assert view.selected_index is None
    assert window.panel.title.text() == "No event selected"


def test_citations_can_be_stepped_through(qtbot, window, builtin):
    i = builtin.index_of("binance-denial")
    click_event(qtbot, window.view, i)
    panel = window.panel
    event = builtin.events[i]
    assert panel.citation_list.count() == len(event.citations)
    assert not panel.previous_button.isEnabled()
    seen_sources = set()
    for k, cit in enumerate(event.citations):
        assert panel.citation_index == k
        assert panel.highlighted_text() == cit.quote
        assert panel.position.text() == f"{k + 1} of {len(event.citations)}"
        seen_sources.add(panel.source_title.text())
        if k + 1 < len(event.citations):
            qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert not panel.next_button.isEnabled()
    assert len(seen_sources) == 3
    qtbot.mouseClick(panel.previous_button, Qt.MouseButton.LeftButton)
    assert panel.citation_index == len(event.citations) - 2
    # Clicking a citation in the list shows it too.
    item = panel.citation_list.item(0)
    rect = panel.citation_list.visualItemRect(item)
    qtbot.mouseClick(panel.citation_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.citation_index == 0
    assert panel.highlighted_text() == event.citations[0].quote


def test_wheel_zoom_keeps_the_time_under_the_cursor(window):
    view = window.view
    for x, notches in ((120.0, 1), (400.0, 3), (650.0, -2), (300.5, 0.5)):
        t = view.scale.t_of(x)
        spp = view.scale.spp
        wheel(view, x, notches)
        assert view.scale.spp != spp
        assert abs(view.scale.x_of(t) - x) < 1.0


def test_zooming_into_april_2022_shows_days_and_separates_report_and_denial(window, builtin):
    view = window.view
    report = builtin.index_of("reuters-report")
    denial = builtin.index_of("binance-denial")
    target = builtin.events[report].end  # midnight between 22 and 23 April
    for _ in range(80):
        if choose_level(view.scale.spp).unit == "day":
            break
        wheel(view, view.scale.x_of(target), 1)
    assert choose_level(view.scale.spp).unit == "day"
    _, m1, _ = drawn_rects(view, report)
    _, m2, _ = drawn_rects(view, denial)
    assert 0 <= m1.center().x() < m2.center().x() <= view.width()
    assert m2.center().x() - m1.center().x() >= 12
    assert not m1.intersects(m2)
    assert window.zoom_label.text() == "Axis: days"
    # 0 fits everything again.
    fitted = view.renderer.fit_scale(view.width(), 40)
    QApplication.sendEvent(view, _key(Qt.Key.Key_0))
    assert abs(view.scale.spp - fitted.spp) < 1e-6 * fitted.spp


def _key(key):
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QKeyEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)


def test_zoom_is_clamped(qtbot, window):
    view = window.view
    from viewer.model.scale import MIN_SECONDS_PER_PIXEL

    for _ in range(300):
        wheel(view, 300, 3)
    assert view.scale.spp >= MIN_SECONDS_PER_PIXEL - 1e-6
    assert view.scale.spp <= MIN_SECONDS_PER_PIXEL * 1.001
    for _ in range(300):
        wheel(view, 300, -3)
    span_years = view.scale.spp * view.width() / (365.2425 * 86400)
    # Zoomed out, the whole calendar: from deep time to deep time (issue 13), no further.
    from viewer.model.dates import MAX_YEAR, MIN_YEAR

    assert 100 <= span_years <= (MAX_YEAR - MIN_YEAR + 1) * 1.0001


def test_keys_step_through_events_in_date_order(qtbot, window, builtin):
    view = window.view
    seen = []
    for _ in range(len(builtin.events) + 2):
        qtbot.keyClick(view, Qt.Key.Key_Right)
        seen.append(view.selected_index)
    assert seen[: len(builtin.events)] == list(range(len(builtin.events)))
    assert seen[-1] == len(builtin.events) - 1  # stops at the end
    starts = [builtin.events[i].start for i in seen]
    assert starts == sorted(starts)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.selected_index == len(builtin.events) - 2
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.selected_index == 0
    assert window.panel.title.text() == builtin.events[0].title
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.selected_index == len(builtin.events) - 1


def test_stepping_keeps_the_selection_in_view(qtbot, window, builtin):
    view = window.view
    for _ in range(12):
        qtbot.keyClick(view, Qt.Key.Key_Plus)
    for _ in range(len(builtin.events)):
        qtbot.keyClick(view, Qt.Key.Key_Right)
        _, marker, _ = drawn_rects(view, view.selected_index)
        assert marker.intersects(QRectF(0, 0, view.width(), view.height()))


def test_zoom_actions_and_keys(qtbot, window):
    view = window.view
    spp = view.scale.spp
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.scale.spp < spp
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert view.scale.spp > spp
    window.zoom_in_action.trigger()
    window.zoom_in_action.trigger()
    assert view.scale.spp < spp
    window.fit_action.trigger()
    assert abs(view.scale.spp - spp) < 1e-6 * spp
    window.zoom_out_action.trigger()
    assert view.scale.spp > spp
    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert abs(view.scale.spp - spp) < 1e-6 * spp


def test_go_menu_actions_step(window, builtin):
    window.next_action.trigger()
    window.next_action.trigger()
    assert window.view.selected_index == 1
    window.previous_action.trigger()
    assert window.view.selected_index == 0
    window.last_action.trigger()
    assert window.view.selected_index == len(builtin.events) - 1


def test_dragging_pans(qtbot, window):
    view = window.view
    window.zoom_in_action.trigger()
    t_before = view.scale.t_of(200)
    start = QPoint(200, view.height() - 60)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    for dx in (10, 40, 80, 120):
        qtbot.mouseMove(view, start + QPoint(dx, 0))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=start + QPoint(120, 0))
    # What was at x=200 is now at x=320.
    assert abs(view.scale.x_of(t_before) - 320) < 1.0
    assert view.selected_index is None  # a drag is not a click


def test_opening_a_bad_file_shows_why_and_keeps_the_timeline(qtbot, window, tmp_path, monkeypatch):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 1, "title": "x", "sources": [], "events": []}))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    before = window.timeline
    window.open_action.trigger()
    qtbot.waitUntil(lambda: window.last_error is not None)  # files load in the background
    assert window.timeline is before
    box = window.last_error
    assert box is not None and box.isVisible()
    # The path is isolated: a bidi control in a file name cannot reorder the message.
    assert box.text() == f"{isolate(str(bad))}: events: the timeline has no events"
    assert box.textFormat() == Qt.TextFormat.PlainText
    box.close()


def test_opening_another_timeline(qtbot, window, tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("On 3 May 2001 the <b>bridge</b> opened.", encoding="utf-8")
    path = one_event_timeline(
        tmp_path,
        source="notes.txt",
        title="Bridge <i>history</i>",
        source_title="Notes <script>x</script>",
        event_title="Bridge <b>opens</b>",
        date="2001-05-03",
        quote="the <b>bridge</b> opened",
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.open_action.trigger()
    qtbot.waitUntil(lambda: window.timeline.title == "Bridge <i>history</i>")
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    # Markup in the data is shown literally, never interpreted.
    assert window.panel.title.text() == "Bridge <b>opens</b>"
    assert window.panel.title.textFormat() == Qt.TextFormat.PlainText
    assert window.panel.highlighted_text() == "the <b>bridge</b> opened"
    assert window.panel.source_title.text().startswith(isolate("Notes <script>x</script>"))


def test_a_quote_missing_from_its_source_is_a_visible_warning(qtbot, window, tmp_path):
    shutil.copy(data_root() / "seeds" / "002_b85f66659d3b49bd.txt", tmp_path / "a.txt")
    path = one_event_timeline(
        tmp_path,
        source="a.txt",
        title="t",
        source_title="A",
        event_title="E",
        date="2022",
        quote="words that are not in the article",
    )
    window.open_path(path)
    qtbot.waitUntil(lambda: window.timeline.path == path)
    assert "1 with quotes not found" in window.statusBar().currentMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.panel.warnings.isVisible()
    assert "not found" in window.panel.warnings.text()
    assert window.panel.highlighted_text() == ""


def test_window_geometry_and_splitter_are_restored(qtbot, settings, builtin):
    from viewer.main_window import MainWindow

    first = MainWindow(builtin, settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    # Small enough for any test screen (the offscreen platform's is 800 x 600).
    first.resize(720, 520)
    first.splitter.setSizes([420, 300])
    qtbot.waitUntil(lambda: first.width() == 720)
    sizes = first.splitter.sizes()
    first.close()

    second = MainWindow(builtin, settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.size() == first.size()
    assert second.splitter.sizes() == sizes


def test_hovering_an_event_highlights_it_and_shows_a_plain_tooltip(qtbot, window, builtin):
    from PySide6.QtWidgets import QToolTip

    view = window.view
    i = builtin.index_of("commex-shutdown")
    qtbot.mouseMove(view, view.marker_center(i).toPoint())
    qtbot.waitUntil(lambda: view.hovered_index == i)
    qtbot.waitUntil(lambda: QToolTip.isVisible())
    assert QToolTip.text() == f"<b>{isolate('CommEx shuts down')}</b><br>Apr 2024"
    frame, _, _ = drawn_rects(view, i)
    qtbot.mouseMove(view, QPoint(view.width() - 4, int(frame.rows_bottom) - 4))
    qtbot.waitUntil(lambda: view.hovered_index is None)


def test_a_month_wide_band_is_drawn_as_a_band_not_a_diamond(qtbot, window, builtin):
    # At the fitted zoom the CommEx sale (September 2023) is a few pixels wider than the point
    # threshold: a pale band whose solid start edge carries the category colour.
    view = window.view
    i = builtin.index_of("commex-sale")
    _, marker, _ = drawn_rects(view, i)
    assert marker.width() >= 6
    image = view.grab().toImage()
    ratio = image.devicePixelRatio()
    edge = image.pixelColor(int((marker.left() + 1) * ratio), int(marker.center().y() * ratio))
    business = QColor(builtin.category_color("business"))
    assert (
        max(
            abs(edge.red() - business.red()),
            abs(edge.green() - business.green()),
            abs(edge.blue() - business.blue()),
        )
        <= 12
    ), edge.name()
