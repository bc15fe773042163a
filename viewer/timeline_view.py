"""The timeline widget: turns mouse and keys into zoom, pan and selection; the renderer paints."""

from __future__ import annotations

import datetime as _dt
import html

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QScrollBar, QSizePolicy, QToolTip, QWidget

from viewer import activity
from viewer.model.aggregate import Cluster, EventIndex
from viewer.model.dates import PartialDate, date_from_seconds
from viewer.model.scale import TimeScale, fit
from viewer.model.search import SearchResult
from viewer.model.text import isolate
from viewer.model.ticks import choose_level
from viewer.model.timeline import Timeline, step
from viewer.render import SCREEN, Frame, LegendItem, Mode, TimelineRenderer
from viewer.theme import theme_from_palette

ZOOM_STEP = 1.5  # one press of + or -
WHEEL_ZOOM_PER_NOTCH = 1.25  # one notch (120 units) of the mouse wheel
KEEP_IN_VIEW_PX = 60.0
FIT_MARGIN_PX = 40.0


class TimelineView(QWidget):
    """Shows a timeline on a zoomable, pannable time axis and lets the user pick an event."""

    eventSelected = Signal(int)  # index into timeline.events, or -1 when nothing is selected
    viewChanged = Signal()  # the zoom or the pan changed
    categoryToggled = Signal(str)  # a category's legend entry was clicked
    eventMenuRequested = Signal(int, QPoint)  # right-click on an event: its index, where
    zoneChanged = Signal()  # View → Time zone chose another zone

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Every paint covers the whole widget (the picture, or "No timeline" on the base
        # colour), so Qt need not draw what lies under it first.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 200)
        self.setAccessibleName("Timeline")
        self._timeline: Timeline | None = None
        self._renderer: TimelineRenderer | None = None
        self._zone: _dt.tzinfo | None = None  # View → Time zone (None: UTC)
        self._scale = TimeScale(0.0, 86400.0, float(max(self.width(), 1)))
        self._selected: int | None = None
        self._hovered: int | None = None
        self._hovered_cluster: Cluster | None = None
        self._y_offset = 0.0
        self._press: QPointF | None = None
        self._press_scale: TimeScale | None = None
        self._press_y = 0.0
        self._dragging = False
        self._fitted = False
        self._shown: bytes | None = None  # one byte an event: 1 if the filters keep it
        self._events_shown: tuple[list, Frame, list[int]] | None = None  # events_in_view()
        # Rows that do not fit the height scroll: a scroll bar over the rows' right edge.
        self.v_scroll = QScrollBar(Qt.Orientation.Vertical, self)
        self.v_scroll.setAccessibleName("Rows")
        self.v_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.v_scroll.hide()
        self.v_scroll.valueChanged.connect(self._on_scrolled)

    # -- state ------------------------------------------------------------------------------

    @property
    def timeline(self) -> Timeline | None:
        return self._timeline

    @property
    def renderer(self) -> TimelineRenderer | None:
        return self._renderer

    @property
    def scale(self) -> TimeScale:
        return self._scale

    @property
    def selected_index(self) -> int | None:
        return self._selected

    @property
    def hovered_index(self) -> int | None:
        return self._hovered

    @property
    def y_offset(self) -> float:
        return self._y_offset

    @property
    def mode(self) -> Mode:
        """Whether the view shows events one by one or lanes of clusters."""
        if self._renderer is None:
            return Mode.DETAIL
        return self._renderer.mode(self._scale, float(self.width()))

    @property
    def zone(self) -> _dt.tzinfo | None:
        """The zone whose clock the axis and the instants' labels follow (None: UTC)."""
        return self._zone

    def set_zone(self, zone: _dt.tzinfo | None) -> None:
        """Show the axis and the instants in `zone` (None: UTC); positions do not move."""
        self._zone = zone
        if self._renderer is not None:
            self._renderer.zone = zone
        self.update()
        self.zoneChanged.emit()

    def set_timeline(self, timeline: Timeline) -> None:
        """Show `timeline`, fitted to the view, with nothing selected."""
        self._timeline = timeline
        self._renderer = TimelineRenderer(timeline, theme_from_palette(self.palette()))
        self._renderer.zone = self._zone
        self._shown = None
        self._selected = None
        self._hovered = None
        self._hovered_cluster = None
        self._y_offset = 0.0
        self.fit_all()
        self.eventSelected.emit(-1)

    def set_scale(self, scale: TimeScale, *, fitted: bool = False) -> None:
        """Show the time range `scale` gives (clamped). A fitted view refits when resized."""
        self._fitted = fitted
        self._scale = scale.clamped()
        self._clamp_y()
        self.update()
        self.viewChanged.emit()

    def _frame(self) -> Frame:
        assert self._renderer is not None
        return self._renderer.frame(QSizeF(self.width(), self.height()), SCREEN, self._scale)

    def _on_scrolled(self, value: int) -> None:
        if value != round(self._y_offset):
            self._y_offset = float(value)
            self.update()

    def zoom_level_name(self) -> str:
        """The axis unit at the current zoom, for the status bar."""
        level = choose_level(self._scale.spp)
        if level.unit == "year" and level.step > 1:
            return f"{level.step:,} years"
        if level.unit == "month" and level.step == 3:
            return "quarters"
        if level.unit == "ms":
            return "milliseconds"
        return f"{level.unit}s"

    # -- actions ----------------------------------------------------------------------------

    def zoom_in(self) -> None:
        self.set_scale(self._scale.zoomed(ZOOM_STEP, self._zoom_anchor()))

    def zoom_out(self) -> None:
        self.set_scale(self._scale.zoomed(1 / ZOOM_STEP, self._zoom_anchor()))

    def fit_all(self) -> None:
        """Zoom and pan so that every event, with its label, is in view."""
        if self._renderer is None:
            return
        self._y_offset = 0.0
        width = float(max(self.width(), 1))
        self.set_scale(self._renderer.fit_scale(width, FIT_MARGIN_PX), fitted=True)

    def select(self, index: int | None, *, keep_in_view: bool = True) -> None:
        """Select the event at `index` (None clears), scrolling it into view if asked."""
        if self._timeline is None:
            return
        if index is not None and not 0 <= index < len(self._timeline.events):
            index = None
        changed = index != self._selected
        self._selected = index
        if index is not None and keep_in_view:
            self._ensure_visible(index)
        self.update()
        if changed:
            self.eventSelected.emit(-1 if index is None else index)

    def set_find(
        self,
        shown: bytes | None,
        matches: SearchResult | None,
        hidden: frozenset[str] = frozenset(),
        index: EventIndex | None = None,
    ) -> None:
        """Show only the events `shown` keeps (None: all), emphasise `matches`; a selected event
        that is hidden is unselected. `index` is the FilteredIndex for `shown`, if made."""
        if self._renderer is None:
            return
        self._shown = shown
        self._renderer.set_filter(shown, hidden, index=index)
        self._renderer.set_matches(matches)
        if self._selected is not None and shown is not None and not shown[self._selected]:
            self.select(None)
        self._clamp_y()
        self.update()
        self.viewChanged.emit()

    def is_shown(self, index: int) -> bool:
        return self._shown is None or bool(self._shown[index])

    def step(self, move: str) -> None:
        """Select the 'next', 'previous', 'first' or 'last' shown event in time."""
        if self._timeline is None:
            return
        shown = self._shown
        if shown is None:
            self.select(step(self._timeline, self._selected, move))
            return
        # The flags are bytes: find() and rfind() look for the next kept event in C.
        current = self._selected
        if move == "first" or (move == "next" and current is None):
            at = shown.find(1)
        elif move == "last" or (move == "previous" and current is None):
            at = shown.rfind(1)
        elif move == "next":
            at = shown.find(1, current + 1)
            at = current if at < 0 else at
        else:
            at = shown.rfind(1, 0, current)
            at = current if at < 0 else at
        if at is not None and at >= 0:
            self.select(at)

    def event_at(self, pos: QPointF) -> int | None:
        if self._renderer is None:
            return None
        frame = self._frame()
        return self._renderer.hit_test(pos, self._scale, frame, self._y_offset)

    def events_in_view(self) -> list[int]:
        """The events drawn one by one whose mark or label shows in the view, in time order
        (from the scene painting and hit-testing use): the canvas's accessible items."""
        if self._renderer is None:
            return []
        frame = self._frame()
        marks = self._renderer.scene(self._scale, frame, self._y_offset)
        # Asked once for each item a screen reader walks: the answer lasts as long as the scene.
        cached = self._events_shown
        if cached is not None and cached[0] is marks and cached[1] == frame:
            return cached[2]
        view = QRectF(0, frame.rows_top, self.width(), frame.rows_bottom - frame.rows_top)
        shown = []
        for m in marks:
            rect = QRectF(*m.rect)
            if m.label:
                rect = rect.united(QRectF(*m.label_rect))
            if rect.intersects(view):
                shown.append(m.event)
        self._events_shown = (marks, frame, shown)
        return shown

    def event_rect(self, index: int) -> QRectF:
        """Event `index`'s mark and label as drawn now, in widget coordinates."""
        assert self._renderer is not None
        return self._whole_rect(index, self._frame())

    def cluster_at(self, pos: QPointF) -> Cluster | None:
        """The cluster of events drawn at `pos`, in a view that shows clusters."""
        if self._renderer is None:
            return None
        frame = self._frame()
        return self._renderer.cluster_at(pos, self._scale, frame, self._y_offset)

    def legend_at(self, pos: QPointF) -> LegendItem | None:
        """The legend entry drawn at `pos`, or None."""
        if self._renderer is None:
            return None
        return self._renderer.legend_at(pos, self._scale, self._frame(), self._y_offset)

    def visible_clusters(self) -> list[tuple[QRectF, Cluster]]:
        """The clusters drawn now and where (empty when events are shown one by one)."""
        if self._renderer is None or self.mode is not Mode.AGGREGATE:
            return []
        frame = self._frame()
        return self._renderer.visible_clusters(self._scale, frame, self._y_offset)

    def zoom_to_cluster(self, cluster: Cluster) -> None:
        """Zoom so that the cluster's events fill the view: from its first start to its last,
        with a margin."""
        assert self._renderer is not None
        start, end = self._renderer.cluster_span(cluster)
        self._hovered_cluster = None
        self._y_offset = 0.0
        self.set_scale(fit(start, end, float(max(self.width(), 1)), FIT_MARGIN_PX))

    def marker_center(self, index: int) -> QPointF:
        """Where event `index`'s marker is drawn now, in widget coordinates."""
        assert self._renderer is not None
        frame = self._frame()
        marker, _label = self._renderer.event_rects(index, self._scale, frame, self._y_offset)
        return marker.center()

    def _zoom_anchor(self) -> float:
        # Zoom about the selected event when it is in view, else about the centre.
        if self._selected is not None and self._timeline is not None:
            e = self._timeline.events[self._selected]
            x = self._scale.x_of((e.start + e.end) / 2)
            if 0 <= x <= self.width():
                return x
        return self.width() / 2

    def _ensure_visible(self, index: int) -> None:
        """Bring event `index`'s mark and whole label into view, with its neighbours around it.

        Nothing moves if it is whole in view already. Otherwise the view pans (never zooms) to
        put it a third of the way in, so that what came before shows too, without running past
        either end of the timeline where that would leave the window mostly empty.
        """
        assert self._timeline is not None and self._renderer is not None
        width = float(max(self.width(), 1))
        margin = min(FIT_MARGIN_PX, width / 8)
        frame = self._frame()
        whole = self._whole_rect(index, frame)
        if not self._in_view(whole):
            want = max(margin, min(width / 3, width - margin - whole.width()))
            scale = self._scale.panned(want - whole.left())
            lo, hi = self._content_span(scale)
            spp = scale.spp
            t0 = min(max(scale.t0, lo - margin * spp), max(hi + margin * spp - width * spp, lo))
            bounded = TimeScale(t0, spp, scale.width).clamped()
            self._scale = scale
            if self._fits(index, bounded):
                self._scale = bounded
            self.set_scale(self._scale)
            frame = self._frame()
        marker = self._whole_rect(index, frame)
        if marker.top() < frame.rows_top:
            self._y_offset -= frame.rows_top - marker.top() + 6
        elif marker.bottom() > frame.rows_bottom:
            self._y_offset += marker.bottom() - frame.rows_bottom + 6
        self._clamp_y()

    def _whole_rect(self, index: int, frame: Frame) -> QRectF:
        """Event `index`'s mark and label as laid out (a pinned label counts where it belongs)."""
        assert self._renderer is not None
        marker, label = self._renderer.event_rects(index, self._scale, frame, self._y_offset)
        return marker.united(label)

    def _in_view(self, rect: QRectF) -> bool:
        """Whether `rect` shows whole across the view (left of the rows' scroll bar)."""
        bar = self.v_scroll.width() if self.v_scroll.isVisible() else 0
        return rect.left() >= -0.5 and rect.right() <= self.width() - bar + 0.5

    def _fits(self, index: int, scale: TimeScale) -> bool:
        saved = self._scale
        self._scale = scale
        try:
            whole = self._whole_rect(index, self._frame())
        finally:
            self._scale = saved
        return self._in_view(whole)

    def _content_span(self, scale: TimeScale) -> tuple[float, float]:
        """The times from the timeline's start to the end of its last label, at this zoom."""
        assert self._renderer is not None and self._timeline is not None
        start, end = self._timeline.extent
        lay = self._renderer.layout(scale, float(max(self.width(), 1)))
        right = max((p.right for p in lay.placed.values()), default=0.0)
        return start, max(end, start + right * scale.spp)

    def _clamp_y(self) -> None:
        if self._renderer is None:
            self._y_offset = 0.0
            self.v_scroll.hide()
            return
        frame = self._frame()
        content = self._renderer.content_height(self._scale, float(self.width())) + 8
        room = frame.rows_bottom - frame.rows_top
        top = max(content - room, 0.0)
        self._y_offset = min(max(self._y_offset, 0.0), top)
        self._update_scroll_bar(frame, top, room)

    def _update_scroll_bar(self, frame: Frame, top: float, room: float) -> None:
        """Show the scroll bar over the rows when they do not all fit, in step with y_offset."""
        bar = self.v_scroll
        if top <= 0:
            bar.hide()
            return
        w = bar.sizeHint().width()
        bar.setGeometry(
            self.width() - w, round(frame.rows_top), w, round(frame.rows_bottom - frame.rows_top)
        )
        bar.blockSignals(True)
        bar.setRange(0, round(top))
        bar.setPageStep(max(round(room), 1))
        bar.setSingleStep(30)
        bar.setValue(round(self._y_offset))
        bar.blockSignals(False)
        bar.show()

    # -- Qt events --------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        # The window's palette changed (View → Theme, or the desktop's theme): paint in it.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            if self._renderer is not None:
                self._renderer.set_theme(theme_from_palette(self.palette()))
            self.update()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        activity.frame_drawn()
        painter = QPainter(self)
        if self._renderer is None:
            painter.fillRect(self.rect(), self.palette().base())
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), "No timeline")
            painter.end()
            return
        self._renderer.paint(
            painter,
            QSizeF(self.width(), self.height()),
            self._scale,
            deco=SCREEN,
            selected=self._selected,
            hovered=self._hovered,
            hovered_cluster=self._hovered_cluster,
            y_offset=self._y_offset,
        )
        if self.hasFocus():
            pen = painter.pen()
            pen.setColor(self.palette().highlight().color())
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self._fitted and self._renderer is not None:
            self.fit_all()
        else:
            self._scale = self._scale.resized(float(max(self.width(), 1)))
            self._clamp_y()
        if self._press_scale is not None:
            # A drag pans from the scale at the press: it must have the view's new width too,
            # or the drag would leave the scale as wide as the view was (the layout can settle
            # mid-drag).
            self._press_scale = self._press_scale.resized(float(max(self.width(), 1)))
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        if delta.y() == 0 and delta.x() == 0:
            event.ignore()
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier or abs(delta.x()) > abs(delta.y()):
            # Shift+wheel or a sideways scroll pans.
            amount = delta.x() if abs(delta.x()) > abs(delta.y()) else delta.y()
            self.set_scale(self._scale.panned(amount / 120 * 60))
        else:
            factor = WHEEL_ZOOM_PER_NOTCH ** (delta.y() / 120)
            self.set_scale(self._scale.zoomed(factor, event.position().x()))
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position()
            self._press_scale = self._scale
            self._press_y = self._y_offset
            self._dragging = False
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._press is not None and self._press_scale is not None:
            d = pos - self._press
            if not self._dragging and d.manhattanLength() >= QApplication.startDragDistance():
                self._dragging = True
                self.setCursor(Qt.CursorShape.ClosedHandCursor)
            if self._dragging:
                self._y_offset = self._press_y - d.y()
                self.set_scale(self._press_scale.panned(d.x()))
            return
        hovered = self.event_at(pos)
        cluster = None if hovered is not None else self.cluster_at(pos)
        if hovered != self._hovered or cluster != self._hovered_cluster:
            self._hovered = hovered
            self._hovered_cluster = cluster
            self.update()
            if hovered is None and cluster is None:
                QToolTip.hideText()
        if cluster is not None and self._renderer is not None:
            name = self._renderer.lane_name(cluster.lane)
            first, last = (_day(t) for t in (cluster.first_start, cluster.last_start))
            when = first if first == last else f"{first} – {last}"
            tip = (
                f"<b>{cluster.count:,} events</b> ({html.escape(isolate(name))})<br>{when}"
                "<br>Click to zoom in"
            )
            QToolTip.showText(event.globalPosition().toPoint(), tip, self)
        if hovered is not None and self._timeline is not None:
            e = self._timeline.events[hovered]
            # Titles are untrusted: escape them and let Qt render the escaped text.
            tip = (
                f"<b>{html.escape(isolate(e.title))}</b><br>{html.escape(e.when.label(self._zone))}"
            )
            QToolTip.showText(event.globalPosition().toPoint(), tip, self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._press is not None:
            if not self._dragging:
                cluster = self.cluster_at(event.position())
                item = self.legend_at(event.position())
                if item is not None and item.category is not None:
                    self.categoryToggled.emit(item.category)
                elif cluster is not None:
                    self.zoom_to_cluster(cluster)
                else:
                    self.select(self.event_at(event.position()), keep_in_view=False)
            self._press = None
            self._press_scale = None
            self._dragging = False
            self.unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def leaveEvent(self, event) -> None:
        if self._hovered is not None or self._hovered_cluster is not None:
            self._hovered = None
            self._hovered_cluster = None
            self.update()
        super().leaveEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Right-click on an event (or the menu key with one selected): it is selected and
        its menu asked for."""
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            index = self.event_at(QPointF(event.pos()))
        else:
            index = self._selected
        if index is None:
            event.ignore()
            return
        self.select(index, keep_in_view=False)
        self.eventMenuRequested.emit(index, event.globalPos())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        moves = {
            Qt.Key.Key_Right: "next",
            Qt.Key.Key_Left: "previous",
            Qt.Key.Key_Home: "first",
            Qt.Key.Key_End: "last",
        }
        if key in moves:
            self.step(moves[key])
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.fit_all()
        elif key == Qt.Key.Key_Escape:
            self.select(None)
        else:
            super().keyPressEvent(event)
            return
        event.accept()


def _day(t: float) -> str:
    """The day that `t` falls on, as a label: `3 Mar 2021`."""
    d = date_from_seconds(t)
    return PartialDate(d.year, d.month, d.day).label()
