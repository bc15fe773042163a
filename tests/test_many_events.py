"""Large timelines in the real window: clusters, zooming into them, stepping, exporting.

The timelines come from the benchmark generator (benchmarks/make_timeline.py), small enough
to keep the tests quick but far past the point where the view aggregates.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImageReader, QWheelEvent
from PySide6.QtWidgets import QApplication

from benchmarks.make_timeline import make_timeline
from viewer.export import export_timeline
from viewer.main_window import load_timeline_file
from viewer.render import DETAIL_LIMIT, Mode


@pytest.fixture(scope="module")
def bursty(tmp_path_factory):
    path = make_timeline(tmp_path_factory.mktemp("bursty") / "b.json", 6000, 4, "bursty")
    return load_timeline_file(path)


@pytest.fixture
def big_window(open_window, bursty):
    win = open_window(bursty, 1400, 860)
    win.view.fit_all()
    return win


def visible_marker_spot(view, index: int) -> QPointF | None:
    """A point on the part of event `index`'s marker that is in view (a long range's middle
    may be off-screen), or None."""
    from PySide6.QtCore import QSizeF

    from viewer.render import SCREEN

    frame = view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)
    marker, _ = view.renderer.event_rects(index, view.scale, frame, view.y_offset)
    left, right = max(marker.left(), 0.0), min(marker.right(), view.width() - 1.0)
    if left > right or not frame.rows_top <= marker.center().y() < frame.rows_bottom:
        return None
    return QPointF((left + right) / 2, marker.center().y())


def starting_in_view(view) -> int:
    t_a, t_b = view.scale.t0, view.scale.t0 + view.width() * view.scale.spp
    return sum(1 for e in view.timeline.events if t_a <= e.start < t_b)


def test_the_whole_range_is_drawn_as_clusters_that_add_up(big_window):
    view = big_window.view
    assert view.mode is Mode.AGGREGATE
    clusters = view.visible_clusters()
    assert clusters
    # Every event starting in the buckets shown is counted once, in one cluster.
    lo = min(c.start for _, c in clusters)
    hi = max(c.end for _, c in clusters)
    in_buckets = sum(1 for e in view.timeline.events if lo <= e.start < hi)
    assert sum(c.count for _, c in clusters) == in_buckets
    assert in_buckets >= starting_in_view(view) == len(view.timeline.events)


def test_clicking_clusters_zooms_in_until_their_events_show_one_by_one(qtbot, big_window):
    view = big_window.view
    # Follow the biggest cluster down: each click zooms to it, until events are shown singly.
    for _ in range(12):
        if view.mode is Mode.DETAIL:
            break
        rect, cluster = max(view.visible_clusters(), key=lambda rc: rc[1].count)
        members = set(view.renderer.index.cluster_events(cluster))
        spp_before = view.scale.spp
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
        assert view.scale.spp < spp_before
    assert view.mode is Mode.DETAIL
    assert starting_in_view(view) <= 20 * DETAIL_LIMIT
    # The last cluster clicked is now a set of single events: stepping through them with the
    # keys scrolls each into view, drawn on its own where a click finds it.
    # (The cluster was one category's; the others' events on the same days come in between.)
    view.select(min(members))
    hit = set()
    while view.selected_index <= max(members):
        index = view.selected_index
        spot = visible_marker_spot(view, index)
        assert spot is not None, f"event {index} is not in view"
        assert view.event_at(spot) == index
        hit.add(index)
        qtbot.keyClick(view, Qt.Key.Key_Right)
    assert hit >= members


def test_a_single_event_in_a_lane_is_drawn_and_clickable(qtbot, big_window):
    view = big_window.view
    view.zoom_in()
    view.zoom_in()
    singles = [(r, c) for r, c in view.visible_clusters() if c.count == 1]
    if not singles:
        pytest.skip("no lone event at this zoom in this timeline")
    rect, cluster = singles[0]
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert view.selected_index == view.renderer.index.lane_events[cluster.lane][cluster.first]


def test_the_keys_walk_every_event_in_time_order(qtbot, big_window):
    view = big_window.view
    events = view.timeline.events
    n = 700  # the first 700 of 6000 keep the test quick; order is what matters
    seen = []
    qtbot.keyClick(view, Qt.Key.Key_Home)
    seen.append(view.selected_index)
    for _ in range(n - 1):
        qtbot.keyClick(view, Qt.Key.Key_Right)
        seen.append(view.selected_index)
    assert seen == list(range(n))
    keys = [(e.start, e.end, e.id) for e in events[:n]]
    assert keys == sorted(keys)
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.selected_index == len(events) - 1
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.selected_index == len(events) - 2
    # The panel follows the keys even in the aggregated view.
    assert big_window.panel.current_event is events[-2]


def test_the_wheel_changes_between_clusters_and_single_events(qtbot, big_window):
    view = big_window.view
    modes = {view.mode}
    for _ in range(60):
        pos = QPointF(view.width() / 2, view.height() / 2)
        QApplication.sendEvent(
            view,
            QWheelEvent(
                pos,
                view.mapToGlobal(pos),
                QPoint(0, 0),
                QPoint(0, 360),
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
                Qt.ScrollPhase.NoScrollPhase,
                False,
            ),
        )
        modes.add(view.mode)
    assert modes == {Mode.AGGREGATE, Mode.DETAIL}


def test_a_large_export_is_lanes_not_a_smear(app_for_export, bursty, tmp_path):
    path = tmp_path / "big.png"
    export_timeline(bursty, path, width=1600)
    image = QImageReader(str(path)).read()
    assert not image.isNull()
    assert image.width() == 1600 and image.height() < 1200  # lanes, not 6000 rows
    dark = total = 0
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            c = image.pixelColor(x, y)
            total += 1
            if c.lightness() < 60:
                dark += 1
    assert dark / total < 0.05, f"{dark / total:.1%} of the picture is near black"


@pytest.fixture
def app_for_export(qapp):
    return qapp


def test_a_shown_timeline_is_kept_out_of_full_collections_and_old_garbage_is_collected(
    qtbot, open_window, bursty, builtin
):
    """Python's full collections scan every object; once a timeline is shown, what is alive is
    moved out of their sight (gc.freeze), so a collection in the middle of a zoom costs what was
    made since. Garbage left from before is collected when the next timeline is shown."""
    import gc
    import weakref

    class Cycle:
        pass

    win = open_window(builtin)
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0)
    garbage = Cycle()
    garbage.me = garbage  # freed only by a collection
    gone = weakref.ref(garbage)
    del garbage
    gc.freeze()  # as if it had been alive when the timeline was shown
    assert gone() is not None
    frozen = gc.get_freeze_count()
    win.set_timeline(bursty)
    qtbot.waitUntil(lambda: gone() is None)
    qtbot.waitUntil(lambda: gc.get_freeze_count() > frozen // 2)  # the living set aside again


def test_the_legend_of_a_busy_view_makes_no_event(qtbot, big_window):
    """A view of a day among many events covers many long ones; the legend learns
    whether any is uncited from the store (none is) instead of making each one."""
    view = big_window.view
    from viewer.model.scale import fit

    made = []
    store = view.timeline.events
    make = store._make
    store._make = lambda i: made.append(i) or make(i)
    try:
        mid = view.timeline.events.starts[len(store) // 2]
        view.set_scale(fit(mid - 86_400, mid + 86_400, view.width(), 0))
        qtbot.waitUntil(lambda: view.mode is Mode.DETAIL)
        assert len(view.renderer.events_in_view(view.scale, view.width())) > 100
        view.renderer._labels.clear()  # as if the rows out of sight had never been laid out
        made.clear()
        legend = view.renderer.legend_items(view.scale, float(view.width()))
    finally:
        store._make = make
    assert legend and all(item.kind != "uncited" for item in legend)
    assert made == []
