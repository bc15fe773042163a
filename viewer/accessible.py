"""The timeline canvas as assistive technology sees it: a list whose items are the events drawn
in view, each named with its title, its date at its precision, its category and whether it is
disputed or uncited (viewer.model.describe.event_name). The items are the renderer's scene, the
list of marks painting and hit-testing use, so what is read aloud is exactly what is drawn.

Qt asks a factory (installed once, by install()) for the canvas's interface. Each event's
interface is a Python object that Qt only points at: it is kept here, one per event, for as long
as the canvas shows that timeline, and handed back to Qt's cache (deleteAccessibleInterface)
before it is let go, so that Qt never holds an interface Python has freed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, QRect
from PySide6.QtGui import QAccessible, QAccessibleEvent, QAccessibleInterface
from PySide6.QtWidgets import QAccessibleWidget

from viewer.model.describe import event_name, one_line
from viewer.timeline_view import TimelineView

_installed = False
# Every canvas's interface, by the canvas's id, so that Python keeps it while Qt uses it.
_canvases: dict[int, TimelineAccessible] = {}
# Interfaces of canvases that are gone. Qt's cache deletes them with their canvas; Python must
# not delete them a second time, so it keeps a reference (one small object per closed canvas).
_retired: list[TimelineAccessible] = []


class EventAccessible(QAccessibleInterface):
    """One event drawn on the canvas: a list item, selected when the event is."""

    def __init__(self, canvas: TimelineAccessible, index: int) -> None:
        super().__init__()
        self._canvas = canvas
        self.index = index

    def _view(self) -> TimelineView | None:
        return self._canvas.view_or_none()

    def isValid(self) -> bool:
        view = self._view()
        return (
            view is not None
            and view.timeline is not None
            and self.index < len(view.timeline.events)
            and self._canvas.owns(self)
        )

    def object(self) -> QObject | None:
        return None

    def window(self):
        view = self._view()
        return None if view is None else view.window().windowHandle()

    def parent(self) -> QAccessibleInterface | None:
        return self._canvas

    def child(self, index: int) -> QAccessibleInterface | None:
        return None

    def childCount(self) -> int:
        return 0

    def indexOfChild(self, child: QAccessibleInterface) -> int:
        return -1

    def childAt(self, x: int, y: int) -> QAccessibleInterface | None:
        return None

    def focusChild(self) -> QAccessibleInterface | None:
        return None

    def text(self, t: QAccessible.Text) -> str:
        view = self._view()
        if view is None or view.timeline is None or not self.isValid():
            return ""
        event = view.timeline.events[self.index]
        if t == QAccessible.Text.Name:
            return event_name(view.timeline, event, view.zone)
        if t == QAccessible.Text.Description:
            return one_line(event.summary, 1_000)
        return ""

    def setText(self, t: QAccessible.Text, text: str) -> None:
        pass  # read-only

    def rect(self) -> QRect:
        """The event's mark and label, in screen coordinates."""
        view = self._view()
        if view is None or not self.isValid():
            return QRect()
        local = view.event_rect(self.index).toAlignedRect().intersected(view.rect())
        return QRect(view.mapToGlobal(local.topLeft()), local.size())

    def role(self) -> QAccessible.Role:
        return QAccessible.Role.ListItem

    def state(self) -> QAccessible.State:
        state = QAccessible.State()
        view = self._view()
        if view is None or not self.isValid():
            state.invalid = True
            return state
        state.selectable = True
        state.focusable = True
        state.readOnly = True
        if view.selected_index == self.index:
            state.selected = True
            state.focused = view.hasFocus()
        return state

    def actionInterface(self):
        return None

    def tableCellInterface(self):
        return None

    def tableInterface(self):
        return None

    def textInterface(self):
        return None

    def valueInterface(self):
        return None


class TimelineAccessible(QAccessibleWidget):
    """The canvas: a list of the events drawn in view, in time order; its focused child is the
    selected event when it is drawn."""

    def __init__(self, view: TimelineView) -> None:
        super().__init__(view, QAccessible.Role.List, view.accessibleName() or "Timeline")
        self._view_ref = view
        self._timeline = view.timeline
        self._items: dict[int, EventAccessible] = {}
        key = id(view)
        _canvases[key] = self
        # Qt deletes this interface with the canvas; the items go back to Qt's cache first.
        view.destroyed.connect(lambda _obj=None, k=key: _forget(k))
        view.eventSelected.connect(lambda _index: announce_selection(view))

    def view_or_none(self) -> TimelineView | None:
        return self._view_ref if key_alive(self) else None

    def owns(self, item: EventAccessible) -> bool:
        return self._items.get(item.index) is item

    def _events(self) -> list[int]:
        view = self.view_or_none()
        if view is None:
            return []
        if view.timeline is not self._timeline:
            self.release_items()
            self._timeline = view.timeline
        return view.events_in_view()

    def item(self, index: int) -> EventAccessible:
        """Event `index`'s interface, made once and kept while this timeline is shown."""
        got = self._items.get(index)
        if got is None:
            got = self._items[index] = EventAccessible(self, index)
        return got

    def release_items(self) -> None:
        """Hand every item back to Qt's cache (which deletes those it registered) and let go."""
        items, self._items = self._items, {}
        for item in items.values():
            QAccessible.deleteAccessibleInterface(QAccessible.uniqueId(item))

    def childCount(self) -> int:
        return len(self._events())

    def child(self, index: int) -> QAccessibleInterface | None:
        events = self._events()
        return self.item(events[index]) if 0 <= index < len(events) else None

    def indexOfChild(self, child: QAccessibleInterface) -> int:
        if not isinstance(child, EventAccessible) or not self.owns(child):
            return -1
        events = self._events()
        return events.index(child.index) if child.index in events else -1

    def childAt(self, x: int, y: int) -> QAccessibleInterface | None:
        view = self.view_or_none()
        if view is None:
            return None
        index = view.event_at(view.mapFromGlobal(QPoint(x, y)).toPointF())
        return None if index is None or index not in self._events() else self.item(index)

    def focusChild(self) -> QAccessibleInterface | None:
        view = self.view_or_none()
        if view is None or view.selected_index is None:
            return None
        if view.selected_index not in self._events():
            return None
        return self.item(view.selected_index)

    def text(self, t: QAccessible.Text) -> str:
        view = self.view_or_none()
        if t == QAccessible.Text.Description and view is not None and view.timeline is not None:
            count = len(self._events())
            noun = "event" if count == 1 else "events"
            return f"{count:,} {noun} in view; Left and Right step through them"
        return super().text(t)


def key_alive(canvas: TimelineAccessible) -> bool:
    return _canvases.get(id(canvas._view_ref)) is canvas


def _forget(key: int) -> None:
    canvas = _canvases.pop(key, None)
    if canvas is not None:
        canvas.release_items()
        _retired.append(canvas)


def _factory(class_name: str, obj: QObject) -> QAccessibleInterface | None:
    if isinstance(obj, TimelineView):
        existing = _canvases.get(id(obj))
        if existing is not None and existing._view_ref is obj:
            return existing
        return TimelineAccessible(obj)
    return None


def install() -> None:
    """Let Qt ask us for the canvas's interface (once per process)."""
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True


def announce_selection(view: TimelineView) -> None:
    """Tell assistive technology that the selected event changed (and has the focus, when the
    canvas has it)."""
    if view.selected_index is None:
        return
    interface = QAccessible.queryAccessibleInterface(view)
    if not isinstance(interface, TimelineAccessible):
        return
    child = interface.indexOfChild(interface.item(view.selected_index))
    if child < 0:
        return
    kinds = [QAccessible.Event.Selection]
    if view.hasFocus():
        kinds.append(QAccessible.Event.Focus)
    for kind in kinds:
        event = QAccessibleEvent(view, kind)
        event.setChild(child)
        QAccessible.updateAccessibility(event)
