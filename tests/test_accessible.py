"""The canvas through Qt's accessibility interfaces: a list of the events drawn in view, each
named with its title, date at its precision, category and flags; its focused child follows the
selection made by click or key. And every action of the window is in a menu."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible, QAction

from viewer.model.describe import event_name


def canvas_interface(window):
    interface = QAccessible.queryAccessibleInterface(window.view)
    assert interface is not None and interface.isValid()
    return interface


def children(interface) -> list:
    return [interface.child(i) for i in range(interface.childCount())]


def test_each_event_in_view_is_an_item_named_as_it_is_drawn(qtbot, window, builtin):
    interface = canvas_interface(window)
    assert interface.role() == QAccessible.Role.List
    assert interface.text(QAccessible.Text.Name) == "Timeline"
    items = children(interface)
    # Fitted, every event is drawn, in time order.
    assert len(items) == len(builtin.events) == 13
    names = [item.text(QAccessible.Text.Name) for item in items]
    assert names == [event_name(builtin, e) for e in builtin.events]
    assert "Reuters report, 22 Apr 2022, Press reports, disputed" in names
    assert any(
        n.startswith("Navalny and the 2018 election (background claim), 2018,") for n in names
    )
    for k, item in enumerate(items):
        assert item.role() == QAccessible.Role.ListItem
        assert interface.indexOfChild(item) == k
        assert item.parent() is interface
        # Where it is drawn, on screen, inside the canvas.
        rect = item.rect()
        assert rect.isValid()
        top_left = window.view.mapToGlobal(QPoint(0, 0))
        assert window.view.rect().translated(top_left).contains(rect.center())
        assert interface.childAt(rect.center().x(), rect.center().y()) is not None
    # The same interface each time, so that Qt can keep pointing at it.
    assert interface.child(3) is items[3]


def test_uncited_events_say_so(qtbot, open_window, tmp_path):
    from viewer.model.importers import load_any

    path = tmp_path / "t.json"
    path.write_text(
        '{"title": {"text": {"headline": "Imported"}}, "events": ['
        '{"start_date": {"year": "2020", "month": "3"}, "text": {"headline": "Lockdown"}}]}',
        encoding="utf-8",
    )
    timeline = load_any(path, root=tmp_path)
    window = open_window(timeline)
    [item] = children(canvas_interface(window))
    assert item.text(QAccessible.Text.Name).endswith(", uncited")
    assert "Lockdown, Mar 2020, " in item.text(QAccessible.Text.Name)


def test_the_focused_item_follows_a_click_and_the_keys(qtbot, window, builtin):
    view = window.view
    window.activateWindow()  # keyboard focus needs an active window (xcb)
    qtbot.waitUntil(window.isActiveWindow)
    interface = canvas_interface(window)
    assert interface.focusChild() is None  # nothing selected
    index = builtin.index_of("reuters-report")
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.marker_center(index).toPoint())
    focused = interface.focusChild()
    assert focused is not None
    assert focused.text(QAccessible.Text.Name).startswith("Reuters report, 22 Apr 2022")
    assert view.hasFocus()
    assert focused.state().selected and focused.state().focused
    assert interface.indexOfChild(focused) == index
    qtbot.keyClick(view, Qt.Key.Key_Right)
    focused = interface.focusChild()
    assert focused.text(QAccessible.Text.Name).startswith(builtin.events[index + 1].title)
    others = [c for c in children(interface) if c is not focused]
    assert not any(c.state().selected for c in others)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert interface.focusChild() is None


def test_zoomed_in_only_the_events_drawn_are_items(qtbot, window, builtin):
    view = window.view
    index = builtin.index_of("reuters-report")
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.marker_center(index).toPoint())
    for _ in range(8):
        qtbot.keyClick(view, Qt.Key.Key_Plus)
    interface = canvas_interface(window)
    names = [c.text(QAccessible.Text.Name) for c in children(interface)]
    assert 0 < len(names) < len(builtin.events)
    assert any(n.startswith("Reuters report") for n in names)
    assert not any(n.startswith("CommEx shuts down") for n in names)


def test_a_new_timeline_gives_new_items(qtbot, window, builtin, tmp_path):
    interface = canvas_interface(window)
    before = interface.child(0)
    from viewer.bundle import trust_root_for
    from viewer.model.loader import load_timeline

    again = load_timeline(builtin.path, root=trust_root_for(builtin.path))
    window.view.set_timeline(again)  # the same file read again: another timeline
    after = interface.child(0)
    assert after is not None and after is not before
    assert not before.isValid()
    assert after.text(QAccessible.Text.Name) == event_name(builtin, builtin.events[0])


def test_every_action_of_the_window_is_in_a_menu_or_has_a_key(window):
    """Every action can be reached by keyboard: from the menu bar (Alt and the arrows), or by
    its shortcut where it belongs to one widget (Copy citation is Ctrl+C in the citation list,
    Cancel loading is Esc)."""

    def menu_actions(actions) -> set:
        found = set()
        for a in actions:
            found.add(a)
            if a.menu() is not None:
                found |= menu_actions(a.menu().actions())
        return found

    in_menus = menu_actions(window.menuBar().actions())
    own = [a for a in window.findChildren(QAction) if a.text() and not a.isSeparator()]
    missing = [a.text() for a in own if a not in in_menus and a.shortcut().isEmpty()]
    assert not missing, missing
    toolbar = menu_action_named(in_menus, "Toolbar")
    assert toolbar.isCheckable() and toolbar.isChecked()


def menu_action_named(actions, text: str):
    [found] = [a for a in actions if a.text().replace("&", "") == text]
    return found
