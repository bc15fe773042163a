"""The window at every size: nothing lost (a scroll bar when rows do not fit, Fit that shows every
label whole) and navigation that keeps the selected event and its neighbours in view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QSizeF, Qt

from viewer.render import SCREEN

SIZES = [(640, 400), (800, 500), (1280, 760), (1920, 1080)]


def visible_width(view) -> float:
    bar = view.v_scroll
    return view.width() - (bar.width() if bar.isVisible() else 0)


def frame_of(view):
    return view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)


def assert_selected_label_whole(view) -> None:
    i = view.selected_index
    frame = frame_of(view)
    mark = view.renderer.mark_of(i, view.scale, frame, view.y_offset)
    assert mark.label, "the selected event's label is drawn"
    x, y, w, h = mark.label_rect
    mx, _my, mw, _mh = mark.rect
    assert x >= 0 and x + w <= visible_width(view) + 0.5, (mark.label, x, w, view.width())
    assert frame.rows_top <= y and y + h <= frame.rows_bottom, (mark.label, y, frame)
    assert mx + mw >= 0 and mx <= view.width(), "its mark is in view too"


def assert_not_mostly_empty(view, timeline) -> None:
    start, end = timeline.extent
    t0, t1 = view.scale.t0, view.scale.t1
    overlap = min(t1, end) - max(t0, start)
    assert overlap >= 0.5 * (t1 - t0) or overlap >= (end - start) * 0.999, (t0, t1, start, end)


@pytest.mark.parametrize("size", SIZES)
def test_home_end_next_previous_keep_the_label_and_its_neighbours_in_view(
    qtbot, open_window, builtin, size
):
    win = open_window(builtin, *size)
    view = win.view
    n = len(builtin.events)
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.selected_index == 0
    assert_selected_label_whole(view)
    assert_not_mostly_empty(view, builtin)
    for k in range(1, n):
        qtbot.keyClick(view, Qt.Key.Key_Right)
        assert view.selected_index == k
        assert_selected_label_whole(view)
        assert_not_mostly_empty(view, builtin)
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert_selected_label_whole(view)
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.selected_index == n - 1
    assert_selected_label_whole(view)
    for k in range(n - 2, -1, -1):
        qtbot.keyClick(view, Qt.Key.Key_Left)
        assert view.selected_index == k
        assert_selected_label_whole(view)
        assert_not_mostly_empty(view, builtin)


def test_home_after_launch_leaves_the_fitted_view_as_it_is(qtbot, open_window, builtin):
    win = open_window(builtin, 1600, 900)
    view = win.view
    fitted = view.scale
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.scale == fitted  # the first event and its label were in view already
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.scale == fitted


def test_navigation_zoomed_in_pans_to_each_event_with_context(qtbot, open_window, builtin):
    win = open_window(builtin, 1280, 760)
    view = win.view
    for _ in range(6):
        qtbot.keyClick(view, Qt.Key.Key_Plus)
    for _ in range(len(builtin.events)):
        qtbot.keyClick(view, Qt.Key.Key_Right)
        assert_selected_label_whole(view)
        # The selected mark sits in the view's left half or the view shows the timeline's end:
        # what came before it is in view too.
        frame = frame_of(view)
        mark = view.renderer.mark_of(view.selected_index, view.scale, frame, view.y_offset)
        assert mark.rect[0] >= 0


@pytest.mark.parametrize("size", [(640, 400), (800, 500)])
def test_after_fit_no_label_is_clipped_and_rows_scroll(qtbot, open_window, builtin, size):
    win = open_window(builtin, *size)
    view = win.view
    qtbot.keyClick(view, Qt.Key.Key_0)
    frame = frame_of(view)
    marks = view.renderer.scene(view.scale, frame, view.y_offset)
    assert len(marks) == len(builtin.events)
    rows_fit = all(
        frame.rows_top <= m.rect[1] and m.rect[1] + m.rect[3] <= frame.rows_bottom for m in marks
    )
    assert view.v_scroll.isVisible() == (not rows_fit)
    for m in marks:
        assert m.label
        x, _y, w, _h = m.label_rect
        assert x >= 0 and x + w <= visible_width(view) + 0.5, (m.label, x, w, view.width())
    if not rows_fit:
        # Every row can be reached: scroll to the end and the last row is in view.
        bar = view.v_scroll
        bar.setValue(bar.maximum())
        assert view.y_offset == bar.maximum()
        frame = frame_of(view)
        lowest = max(view.renderer.scene(view.scale, frame, view.y_offset), key=lambda m: m.rect[1])
        assert lowest.rect[1] + lowest.rect[3] <= frame.rows_bottom
        # And a click on it selects it.
        qtbot.mouseClick(
            view,
            Qt.MouseButton.LeftButton,
            pos=QPointF(lowest.label_rect[0] + 5, lowest.label_rect[1] + 9).toPoint(),
        )
        assert view.selected_index == lowest.event


def test_the_scroll_bar_hides_when_rows_fit(qtbot, open_window, builtin):
    win = open_window(builtin, 1920, 1080)
    assert not win.view.v_scroll.isVisible()
    win.resize(640, 400)
    qtbot.waitUntil(lambda: win.view.height() < 400)
    qtbot.keyClick(win.view, Qt.Key.Key_0)
    assert win.view.v_scroll.isVisible()
    win.resize(1920, 1080)
    qtbot.waitUntil(lambda: win.view.height() > 700)
    qtbot.keyClick(win.view, Qt.Key.Key_0)
    assert not win.view.v_scroll.isVisible()


def test_home_keeps_a_fitted_view_whose_first_event_is_a_point(qtbot, open_window):
    # A day-precise first event: its diamond reaches a few pixels left of the fit's margin,
    # yet it is whole in view, so Home must not move the view (and cut the last labels).
    from viewer.model.dates import DateSpan, parse_date
    from viewer.model.timeline import Category, Citation, Event, Source, Timeline

    events = [
        Event(
            f"e{k}",
            f"Event number {k} with a longer title",
            DateSpan(parse_date(d)),
            "c",
            "",
            (Citation("s", "q", None),),
        )
        for k, d in enumerate(["2012-01-22", "2013-05-01", "2026-03-02"])
    ]
    sources = {"s": Source("s", "s.txt", "S", "", "q")}
    timeline = Timeline("T", "", sources, {"c": Category("c", "C", "#0072B2")}, events)
    win = open_window(timeline, 1400, 800)
    view = win.view
    fitted = view.scale
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.selected_index == 0
    assert view.scale == fitted
    frame = frame_of(view)
    for m in view.renderer.scene(view.scale, frame, view.y_offset):
        assert m.label_rect[0] + m.label_rect[2] <= visible_width(view) + 0.5
