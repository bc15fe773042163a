"""Search, filters and the event list, driven as a user drives them: typing, F3, clicks on the
legend and on list rows, menus, and what the window then shows."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QSizeF, Qt
from PySide6.QtWidgets import QApplication

from viewer.model.search import SearchIndex
from viewer.render import DIMMED, MATCH, SCREEN


def type_search(qtbot, win, text: str) -> None:
    # Shortcuts reach the active window only (under Xvfb nothing activates it by itself).
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(win.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    # The field takes the focus (the window's focus widget: under Xvfb with no window manager
    # the window may not be the active one, and then no widget "has" the focus).
    assert win.focusWidget() is win.find_bar.field
    qtbot.keyClicks(win.find_bar.field, text)
    qtbot.waitUntil(lambda: win.find.query == text and win.find.matches is not None)


def ids(timeline, indices) -> list[str]:
    return [timeline.events[i].id for i in indices]


def test_ctrl_f_typing_counts_and_f3_steps_through_matches(qtbot, window, builtin):
    type_search(qtbot, window, "navalny")
    expected = SearchIndex(builtin).search("Navalny").events
    assert len(expected) > 2
    assert window.find_bar.count.text() == f"{len(expected)} events match"
    assert window.view.renderer.matches.events == expected
    # Enter selects the first match in time order; F3 the next; Shift+F3 back.
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Return)
    assert window.view.selected_index == expected[0]
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    assert window.view.selected_index == expected[1]
    qtbot.keyClick(window.view, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert window.view.selected_index == expected[0]
    qtbot.keyClick(window.view, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert window.view.selected_index == expected[-1]  # wraps round
    assert window.panel.title.text()  # the panel shows the selected match


def test_search_is_case_and_accent_insensitive(qtbot, window):
    type_search(qtbot, window, "NAVÁLNY")
    upper = len(window.find.matches)
    window.find_bar.field.clear()
    type_search(qtbot, window, "navalny")
    assert upper == len(window.find.matches) > 0


def test_matches_are_emphasised_and_the_rest_dimmed(qtbot, window, builtin):
    type_search(qtbot, window, "commex")
    matches = set(window.find.matches.events)
    assert matches and len(matches) < len(builtin.events)
    view = window.view
    image = view.grab().toImage()
    frame = view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)
    for m in view.renderer.scene(view.scale, frame, view.y_offset):
        if not m.label:
            continue
        x, y, _w, h = m.label_rect
        # Just left of the label's first glyph: the match colour behind a match, white else.
        pixel = image.pixelColor(int(x - 1), int(y + h / 2))
        if m.event in matches:
            assert pixel == MATCH, m.label
        else:
            assert pixel.red() > 240 and pixel.green() > 240, m.label
    # The dimmed ones are drawn faint: their label ink is light.
    assert 0 < DIMMED < 1
    # Esc in the field clears the search, and every event is drawn as before.
    window.find_bar.field.setFocus()
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Escape)
    assert window.find_bar.field.text() == ""
    qtbot.waitUntil(lambda: window.find.matches is None)
    assert window.view.renderer.matches is None
    assert window.find_bar.count.text() == ""


def test_clicking_a_legend_entry_hides_and_shows_its_category(qtbot, window, builtin):
    view = window.view
    frame = view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)
    places = view.renderer._legend_places(view.scale, view.width(), (0, 100))
    x, line, item, _sample = next(p for p in places if p[2].category == "context")
    pos = QPointF(x + 4, frame.legend_top + 5 + 20 * line + 10).toPoint()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=pos)
    hidden_id = builtin.index_of("navalny-2018-claim")
    assert window.find.filters.hidden_categories == {"context"}
    assert not view.is_shown(hidden_id)
    frame = view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)
    drawn = {m.event for m in view.renderer.scene(view.scale, frame, view.y_offset)}
    assert hidden_id not in drawn and len(drawn) == len(builtin.events) - 1
    total = len(builtin.events)
    assert window.filter_label.text() == f"{total - 1} of {total} events shown · 1 filter"
    assert window.clear_filters_button.isVisible()
    # Home..End step through the shown events only.
    qtbot.keyClick(view, Qt.Key.Key_Home)
    seen = [view.selected_index]
    for _ in range(total):
        qtbot.keyClick(view, Qt.Key.Key_Right)
        if view.selected_index != seen[-1]:
            seen.append(view.selected_index)
    assert hidden_id not in seen and len(seen) == total - 1
    # The legend still lists it, as hidden: a click on it shows it again.
    places = view.renderer._legend_places(view.scale, view.width(), (0, 100))
    x, line, item, _sample = next(p for p in places if p[2].category == "context")
    assert item.kind == "hidden"
    frame = view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)
    qtbot.mouseClick(
        view,
        Qt.MouseButton.LeftButton,
        pos=QPointF(x + 4, frame.legend_top + 5 + 20 * line + 10).toPoint(),
    )
    assert window.find.filters.hidden_categories == frozenset()
    assert not window.filter_label.isVisible()


def test_filter_menu_and_clear(qtbot, window, builtin):
    menu = window.filter_menu
    precision = next(a.menu() for a in menu.actions() if a.text() == "&Precision")
    day = next(a for a in precision.actions() if a.text() == "known to the day or finer")
    day.trigger()  # unticks: day-precise events are hidden
    shown = [e.id for e, f in zip(builtin.events, window.find.shown, strict=True) if f]
    assert "reuters-report" not in shown and "cz-protect-users" in shown
    disputed = next(a for a in window.filter_menu.actions() if a.text() == "Disputed &only")
    disputed.trigger()
    assert window.find.filters.active == 2
    assert "2 filters" in window.filter_label.text()
    qtbot.mouseClick(window.clear_filters_button, Qt.MouseButton.LeftButton)
    assert window.find.filters.active == 0 and window.find.shown is None


def test_a_date_range_filter(qtbot, window, builtin, monkeypatch):
    from viewer import find

    def fake_exec(dialog):
        dialog.start_field.setText("2022-04")
        dialog.end_field.setText("2022")
        dialog._check()
        return dialog.result()

    monkeypatch.setattr(find.DateRangeDialog, "exec", fake_exec)
    window.date_range_dialog()
    shown = {e.id for e, f in zip(builtin.events, window.find.shown, strict=True) if f}
    assert "reuters-report" in shown and "commex-sale" not in shown


def test_event_list_follows_search_filters_and_selection(qtbot, window, builtin):
    window.event_list_action.trigger()
    assert window.event_dock.isVisible()
    model = window.event_list.model
    assert model.rowCount() == len(builtin.events)
    assert model.data(model.index(0, 0)) == builtin.events[0].when.label()
    # Selecting on the timeline selects the row; clicking a row selects on the timeline.
    i = builtin.index_of("reuters-report")
    window.view.select(i)
    assert window.event_list.selected_event() == i
    table = window.event_list.table
    row = 2
    rect = table.visualRect(model.index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.view.selected_index == model.rows[row]
    # A search narrows the list to the matches.
    type_search(qtbot, window, "commex")
    assert list(model.rows) == window.find.matches.events
    # Sorting by title.
    window.find_bar.field.clear()
    qtbot.waitUntil(lambda: model.rowCount() == len(builtin.events))
    table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    titles = [model.data(model.index(r, 1)) for r in range(model.rowCount())]
    assert titles == sorted(titles, key=str.casefold)
    QApplication.processEvents()


def test_a_match_in_a_source_text_is_marked_apart_from_the_quote(qtbot, window, builtin):
    # "poisoned" is in one source's full text, in no event's own words.
    type_search(qtbot, window, "POISONED")
    matches = window.find.matches
    assert len(matches.sources) == 1
    (sid,) = matches.sources
    assert matches.events == [
        i for i, e in enumerate(builtin.events) if any(c.source_id == sid for c in e.citations)
    ]
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    panel = window.panel
    assert panel.current_event is builtin.events[window.view.selected_index]
    shown = panel.current_event.citations[panel.citation_index]
    assert shown.source_id == sid  # the citation of the matching source is on show
    assert panel.search_marks() == ["poisoned"]
    assert panel.highlighted_text().replace("\u2029", "\n") == shown.quote  # still there
    # The match is scrolled into view.
    cursor = panel.source_text.textCursor()
    assert panel.source_text.cursorRect(cursor).intersects(panel.source_text.viewport().rect())
    window.find_bar.field.clear()
    qtbot.waitUntil(lambda: panel.search_marks() == [])
    assert panel.highlighted_text()


def test_clusters_count_their_matches(qtbot, open_window):
    from viewer.model.dates import DateSpan, PartialDate
    from viewer.model.timeline import Category, Citation, Event, Timeline
    from viewer.render import Mode

    events = [
        Event(
            f"e{k}",
            f"{'Transfer' if k % 3 else 'Login'} number {k}",
            DateSpan(PartialDate(2020 + k % 4, 1 + k % 12, 1 + k % 28)),
            "ab"[k % 2],
            "",
            (Citation("s", "q", None),),
        )
        for k in range(1200)
    ]
    cats = {"a": Category("a", "A", "#0072B2"), "b": Category("b", "B", "#D55E00")}
    timeline = Timeline("Many", "", {}, cats, events)
    win = open_window(timeline)
    assert win.view.mode is Mode.AGGREGATE
    type_search(qtbot, win, "login")
    matches = set(win.find.matches.events)
    assert len(matches) == 400
    clusters = [c for _r, c in win.view.visible_clusters() if c.count > 1]
    assert clusters
    renderer = win.view.renderer
    for c in clusters:
        members = set(renderer.index.cluster_events(c))
        assert renderer.cluster_matches(c) == len(members & matches)
        assert renderer._cluster_text(c) == f"{len(members & matches):,} of {c.count:,}"


def test_a_large_timeline_indexes_searches_and_filters_in_threads(
    qtbot, window, builtin, monkeypatch
):
    from viewer import find

    # As for a timeline past the thresholds: everything off the window's thread.
    monkeypatch.setattr(find, "SYNC_INDEX_EVENTS", 0)
    monkeypatch.setattr(find, "SYNC_SEARCH_EVENTS", 0)
    window.find.set_timeline(builtin)
    window.find_bar.field.setText("navalny")
    window.find_bar.flush()
    assert window.find.matches is None  # not yet: the index is being built in a thread
    qtbot.waitUntil(lambda: window.find.matches is not None, timeout=10_000)
    expected = SearchIndex(builtin).search("navalny").events
    assert window.find.matches.events == expected
    assert window.find.matches.lane_starts is not None  # made in the thread too
    assert window.find_bar.count.text() == f"{len(expected)} events match"
    window.find.toggle_category("statement")
    qtbot.waitUntil(lambda: window.find.shown is not None, timeout=10_000)
    assert window.find.filtered_index is not None
    kept = [i for i in expected if builtin.events[i].category != "statement"]
    assert window.find.matches.events == kept
    drawn = window.view.renderer.index
    assert drawn is window.find.filtered_index
    assert len(drawn) == sum(1 for e in builtin.events if e.category != "statement")


def test_a_large_timeline_is_indexed_as_soon_as_it_opens(qtbot, window, builtin, monkeypatch):
    from viewer import find

    monkeypatch.setattr(find, "SYNC_INDEX_EVENTS", 0)  # as for a large timeline
    window.find.set_timeline(builtin)
    # Nothing asked for yet: the index is being built in the background all the same, and the
    # search field says so.
    assert window.find.index is None
    assert window.find_bar.count.text() == "Indexing…"
    qtbot.waitUntil(lambda: window.find.index is not None, timeout=10_000)
    assert window.find_bar.count.text() == ""
    window.find_bar.field.setText("navalny")
    window.find_bar.flush()
    expected = SearchIndex(builtin).search("navalny").events
    qtbot.waitUntil(lambda: window.find.matches is not None, timeout=10_000)
    assert window.find.matches.events == expected


def test_an_index_being_built_is_dropped_for_the_next_timeline(qtbot, window, builtin, tmp_path):
    """Opening another timeline while the last one's index is built stops that work; the new
    timeline's index answers its searches."""
    from benchmarks.make_timeline import make_timeline
    from viewer import find
    from viewer.loading import load_timeline_file

    assert find.SYNC_INDEX_EVENTS < 5000
    big = load_timeline_file(make_timeline(tmp_path / "big.json", 5000, seed=2, shape="uniform"))
    window.find.set_timeline(big)
    first = window.find._building
    assert first is not None
    answers = []
    first.done.connect(answers.append)
    window.find.set_timeline(builtin)
    window.find.ensure_index()  # small: indexed at once, in the window's thread
    assert window.find.index is not None
    qtbot.waitUntil(first.isFinished, timeout=10_000)
    qtbot.wait(50)
    assert answers == []  # stopped part way (InterruptedError), so it never answered
    assert len(window.find.index.search("navalny")) == len(SearchIndex(builtin).search("navalny"))


def test_the_search_field_shows_in_a_narrow_window(qtbot, open_window, builtin):
    win = open_window(builtin, 640, 400)
    field = win.find_bar.field
    assert field.isVisible()
    assert win.rect().contains(field.mapTo(win, field.rect().bottomRight()))
