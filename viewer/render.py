"""The one renderer: paints a timeline onto any QPainter (the screen, PNG, SVG and PDF alike).

`TimelineRenderer` owns the fonts, the measured label widths and the row layout; `frame()` gives
the geometry of one picture (where the axis, rows, legend and footer go) and both `paint()` and
`hit_test()` use it, so what is clicked is exactly what is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

from viewer.model.dates import Precision
from viewer.model.layout import Placed, fit_with_labels, place_events
from viewer.model.scale import TimeScale
from viewer.model.ticks import axis_for
from viewer.model.timeline import Timeline

BACKGROUND = QColor("#FFFFFF")
INK = QColor("#1B1F24")
MUTED = QColor("#5B6470")
GRID = QColor("#E7E9EC")
AXIS_LINE = QColor("#9AA1AA")
SELECTION = QColor("#FFE58A")
HOVER = QColor("#EEF2F6")
DISPUTED = "  (disputed)"

MAX_LABEL_PX = 480.0
ROW_HEIGHT = 30.0
BAR_HEIGHT = 18.0
AXIS_HEIGHT = 46.0
LEGEND_LINE = 20.0
PAD = 16.0


@dataclass(frozen=True)
class Decorations:
    """What a picture shows besides the events: the screen leaves the title and footer out."""

    title: bool = False
    legend: bool = True
    footer: bool = False


SCREEN = Decorations()
PUBLICATION = Decorations(title=True, legend=True, footer=True)


@dataclass(frozen=True)
class Frame:
    """Geometry of one picture: where the parts go, in device-independent pixels."""

    width: float
    height: float
    axis_top: float
    rows_top: float
    rows_bottom: float
    legend_top: float
    footer_top: float


def _font(pixels: int, bold: bool = False, italic: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(pixels)
    f.setBold(bold)
    f.setItalic(italic)
    return f


class TimelineRenderer:
    """Paints one timeline. Keep one per timeline: it caches label widths and row layouts."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.label_font = _font(13)
        self.selected_font = _font(13, bold=True)
        self.axis_font = _font(12)
        self.context_font = _font(12, bold=True)
        self.title_font = _font(20, bold=True)
        self.subtitle_font = _font(13)
        self.small_font = _font(11)
        fm = QFontMetricsF(self.label_font)
        bold = QFontMetricsF(self.selected_font)
        self._labels: list[str] = []
        widths: list[float] = []
        for e in timeline.events:
            label = e.title + (DISPUTED if e.disputed_by else "")
            label = fm.elidedText(label, Qt.TextElideMode.ElideRight, MAX_LABEL_PX)
            self._labels.append(label)
            # Measured bold, so that selecting an event never makes its label overlap another.
            widths.append(bold.horizontalAdvance(label) + 2)
        self._widths = widths
        self._spans = [(e.start, e.end) for e in timeline.events]
        self._origin = timeline.extent[0]
        self._layout_key: float | None = None
        self._layout: list[Placed] = []
        self._rows = 0
        self._char_px = QFontMetricsF(self.axis_font).averageCharWidth()
        self._frames: dict[tuple[float, float, Decorations], Frame] = {}

    # -- geometry ---------------------------------------------------------------------------

    def layout(self, spp: float) -> list[Placed]:
        """Rows and label places at `spp` seconds per pixel (cached: a pan reuses them)."""
        if self._layout_key != spp:
            self._layout = place_events(self._spans, self._widths, spp, self._origin)
            self._rows = 1 + max((p.row for p in self._layout), default=0)
            self._layout_key = spp
        return self._layout

    def fit_scale(self, width: float, margin_px: float = 40.0) -> TimeScale:
        """The scale at which the whole timeline, labels included, fits `width` pixels."""
        return fit_with_labels(self._spans, self._widths, width, margin_px)

    def row_count(self, spp: float) -> int:
        self.layout(spp)
        return self._rows

    def _header_height(self, deco: Decorations) -> float:
        return 64.0 if deco.title else 0.0

    def _footer_height(self, deco: Decorations, width: float) -> float:
        if not deco.footer:
            return 0.0
        fm = QFontMetricsF(self.small_font)
        text = self.footer_text()
        rect = fm.boundingRect(
            QRectF(0, 0, width - 2 * PAD, 10_000), int(Qt.TextFlag.TextWordWrap), text
        )
        return rect.height() + 18

    def natural_height(self, spp: float, width: float, deco: Decorations) -> float:
        """The height that shows every row with the given decorations."""
        rows = self.row_count(spp)
        return (
            self._header_height(deco)
            + AXIS_HEIGHT
            + 12
            + rows * ROW_HEIGHT
            + 10
            + (self.legend_height(width) if deco.legend else 0)
            + self._footer_height(deco, width)
        )

    def frame(self, size: QSizeF, deco: Decorations) -> Frame:
        """The geometry for a picture of `size` (cached: every paint and mouse move asks)."""
        key = (size.width(), size.height(), deco)
        if key not in self._frames:
            if len(self._frames) > 64:
                self._frames.clear()
            self._frames[key] = self._make_frame(size, deco)
        return self._frames[key]

    def _make_frame(self, size: QSizeF, deco: Decorations) -> Frame:
        w, h = size.width(), size.height()
        footer_h = self._footer_height(deco, w)
        footer_top = h - footer_h
        legend_top = footer_top - (self.legend_height(w) if deco.legend else 0)
        axis_top = self._header_height(deco)
        rows_top = axis_top + AXIS_HEIGHT + 12
        return Frame(w, h, axis_top, rows_top, legend_top - 4, legend_top, footer_top)

    def event_rects(
        self, index: int, scale: TimeScale, frame: Frame, y_offset: float = 0.0
    ) -> tuple[QRectF, QRectF]:
        """The marker rectangle and the label rectangle of event `index`, in picture pixels."""
        placed = self.layout(scale.spp)[index]
        dx = scale.x_of(self._origin)
        top = frame.rows_top + placed.row * ROW_HEIGHT - y_offset
        bar_top = top + (ROW_HEIGHT - BAR_HEIGHT) / 2
        marker = QRectF(placed.bar_x0 + dx, bar_top, placed.bar_x1 - placed.bar_x0, BAR_HEIGHT)
        label = QRectF(placed.label_x + dx, bar_top, placed.label_w, BAR_HEIGHT)
        return marker, label

    def hit_test(
        self, point: QPointF, scale: TimeScale, frame: Frame, y_offset: float = 0.0
    ) -> int | None:
        """The event drawn at `point` (marker or label), or None."""
        if not frame.rows_top <= point.y() < frame.rows_bottom:
            return None
        for i in range(len(self.timeline.events)):
            marker, label = self.event_rects(i, scale, frame, y_offset)
            if marker.adjusted(-3, -3, 3, 3).contains(point) or label.contains(point):
                return i
        return None

    def footer_text(self) -> str:
        names = "; ".join(s.title for s in self.timeline.sources.values())
        return f"Sources: {names}" if names else ""

    # -- painting ---------------------------------------------------------------------------

    def paint(
        self,
        painter: QPainter,
        size: QSizeF,
        scale: TimeScale,
        *,
        deco: Decorations = SCREEN,
        selected: int | None = None,
        hovered: int | None = None,
        y_offset: float = 0.0,
    ) -> Frame:
        """Paint the whole picture into a `size` rectangle at the painter's origin."""
        frame = self.frame(size, deco)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.fillRect(QRectF(0, 0, frame.width, frame.height), BACKGROUND)
        if deco.title:
            self._paint_title(painter, frame)
        self._paint_axis(painter, frame, scale)
        painter.save()
        painter.setClipRect(
            QRectF(0, frame.rows_top - 6, frame.width, frame.rows_bottom - frame.rows_top + 6)
        )
        self._paint_events(painter, frame, scale, selected, hovered, y_offset)
        painter.restore()
        if deco.legend:
            self._paint_legend(painter, frame)
        if deco.footer:
            self._paint_footer(painter, frame)
        return frame

    def _paint_title(self, painter: QPainter, frame: Frame) -> None:
        painter.setPen(INK)
        painter.setFont(self.title_font)
        painter.drawText(
            QRectF(PAD, 10, frame.width - 2 * PAD, 28),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self.timeline.title,
        )
        painter.setFont(self.subtitle_font)
        painter.setPen(MUTED)
        fm = QFontMetricsF(self.subtitle_font)
        text = fm.elidedText(
            self.timeline.description, Qt.TextElideMode.ElideRight, frame.width - 2 * PAD
        )
        painter.drawText(
            QRectF(PAD, 38, frame.width - 2 * PAD, 20),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            text,
        )

    def _paint_axis(self, painter: QPainter, frame: Frame, scale: TimeScale) -> None:
        axis = axis_for(scale, self._char_px)
        top = frame.axis_top
        base = top + AXIS_HEIGHT
        # Grid lines through the rows at each labelled tick.
        painter.setPen(QPen(GRID, 1))
        for tick in axis.ticks:
            if 0 <= tick.x <= frame.width:
                painter.drawLine(QPointF(tick.x, base), QPointF(tick.x, frame.rows_bottom))
        painter.setPen(QPen(AXIS_LINE, 1))
        painter.drawLine(QPointF(0, base), QPointF(frame.width, base))
        for x in axis.minor:
            if 0 <= x <= frame.width:
                painter.drawLine(QPointF(x, base - 4), QPointF(x, base))
        painter.setFont(self.axis_font)
        fm = QFontMetricsF(self.axis_font)
        for i, tick in enumerate(axis.ticks):
            if tick.x > frame.width or (i + 1 < len(axis.ticks) and axis.ticks[i + 1].x < 0):
                continue
            painter.setPen(QPen(AXIS_LINE, 1))
            painter.drawLine(QPointF(tick.x, base - 9), QPointF(tick.x, base))
            painter.setPen(INK)
            painter.drawText(QPointF(tick.x + 3, base - 10 - fm.descent()), tick.label)
        # The context row (years over months, months over days) keeps its label in view.
        painter.setFont(self.context_font)
        cfm = QFontMetricsF(self.context_font)
        for i, tick in enumerate(axis.context):
            nxt = axis.context[i + 1].x if i + 1 < len(axis.context) else frame.width + 1e6
            if nxt < 0 or tick.x > frame.width:
                continue
            w = cfm.horizontalAdvance(tick.label)
            x = min(max(tick.x, 0) + 3, nxt - w - 6)
            painter.setPen(QPen(AXIS_LINE, 1))
            if tick.x >= 0:
                painter.drawLine(QPointF(tick.x, top + 4), QPointF(tick.x, base))
            painter.setPen(MUTED)
            painter.drawText(QPointF(x, top + 4 + cfm.ascent()), tick.label)

    def _paint_events(
        self,
        painter: QPainter,
        frame: Frame,
        scale: TimeScale,
        selected: int | None,
        hovered: int | None,
        y_offset: float,
    ) -> None:
        events = self.timeline.events
        placed = self.layout(scale.spp)
        fm = QFontMetricsF(self.label_font)
        for i, p in enumerate(placed):
            marker, label = self.event_rects(i, scale, frame, y_offset)
            if marker.right() < -MAX_LABEL_PX or marker.left() > frame.width + MAX_LABEL_PX:
                continue
            if label.bottom() < frame.rows_top - 6 or label.top() > frame.rows_bottom:
                continue
            event = events[i]
            color = QColor(self.timeline.category_color(event.category))
            if i in (selected, hovered):
                back = marker.united(label).adjusted(-5, -4, 5, 4)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(SELECTION if i == selected else HOVER)
                painter.drawRoundedRect(back, 5, 5)
            if p.is_point:
                self._paint_point(painter, marker, color, i == selected)
            else:
                self._paint_band(
                    painter, marker, color, event.when.is_range, event.when.precision, i == selected
                )
            painter.setFont(self.selected_font if i == selected else self.label_font)
            painter.setPen(INK)
            baseline = label.top() + (BAR_HEIGHT + fm.ascent() - fm.descent()) / 2
            painter.drawText(QPointF(label.left(), baseline), self._labels[i])

    @staticmethod
    def _paint_point(painter: QPainter, rect: QRectF, color: QColor, selected: bool) -> None:
        c = rect.center()
        r = rect.width() / 2 + (1 if selected else 0)
        diamond = QPolygonF(
            [
                QPointF(c.x(), c.y() - r),
                QPointF(c.x() + r, c.y()),
                QPointF(c.x(), c.y() + r),
                QPointF(c.x() - r, c.y()),
            ]
        )
        painter.setBrush(color)
        painter.setPen(QPen(INK if selected else BACKGROUND, 2 if selected else 1.2))
        painter.drawPolygon(diamond)

    @staticmethod
    def _paint_band(
        painter: QPainter,
        rect: QRectF,
        color: QColor,
        is_range: bool,
        precision: Precision,
        selected: bool,
    ) -> None:
        # A range (it lasted that long) is drawn solid; a date known only to a month or a year
        # (it happened some time in there) is a pale band with a dotted edge.
        fill = QColor(color)
        fill.setAlpha(110 if is_range else 45)
        painter.setBrush(QBrush(fill))
        pen = QPen(INK if selected else color, 2 if selected else 1.2)
        if not is_range:
            pen.setStyle(Qt.PenStyle.DotLine)
        painter.setPen(pen)
        path = QPainterPath()
        path.addRoundedRect(rect, 3, 3)
        painter.drawPath(path)
        # A solid start edge marks where the period begins.
        painter.fillRect(QRectF(rect.left(), rect.top(), 3, rect.height()), color)

    def _legend_items(self) -> list[tuple[str, QColor | None, str]]:
        """(kind, colour, text) for each legend entry: the categories in use, then a key to the
        marker shapes."""
        used = {e.category for e in self.timeline.events}
        items: list[tuple[str, QColor | None, str]] = [
            ("swatch", QColor(c.color), c.label)
            for c in self.timeline.categories.values()
            if c.id in used
        ]
        items += [
            ("point", None, "known to the day"),
            ("pale", None, "known to the month or year"),
            ("solid", None, "lasted this long"),
        ]
        return items

    def _legend_places(self, width: float) -> list[tuple[float, int, str, QColor | None, str]]:
        """Where each legend entry goes: (x, line, kind, colour, text), wrapping at `width`."""
        fm = QFontMetricsF(self.small_font)
        x, line = PAD, 0
        places = []
        for kind, color, text in self._legend_items():
            w = (27 if kind in ("pale", "solid") else 15) + fm.horizontalAdvance(text)
            if x > PAD and x + w > width - PAD:
                x, line = PAD, line + 1
            places.append((x, line, kind, color, text))
            x += w + 18
        return places

    def legend_height(self, width: float) -> float:
        lines = 1 + max((p[1] for p in self._legend_places(width)), default=0)
        return 10 + lines * LEGEND_LINE

    def _paint_legend(self, painter: QPainter, frame: Frame) -> None:
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(0, frame.legend_top), QPointF(frame.width, frame.legend_top))
        painter.setFont(self.small_font)
        fm = QFontMetricsF(self.small_font)
        for x, line, kind, color, text in self._legend_places(frame.width):
            cy = frame.legend_top + 5 + LEGEND_LINE * (line + 0.5)
            text_x = x + 15
            if kind == "swatch":
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                painter.drawRoundedRect(QRectF(x, cy - 5, 10, 10), 2, 2)
            elif kind == "point":
                self._paint_point(painter, QRectF(x, cy - 5, 10, 10), MUTED, False)
            else:
                self._paint_band(
                    painter,
                    QRectF(x, cy - 5, 22, 10),
                    MUTED,
                    kind == "solid",
                    Precision.YEAR,
                    False,
                )
                text_x = x + 27
            painter.setPen(INK if kind == "swatch" else MUTED)
            painter.drawText(QPointF(text_x, cy + (fm.ascent() - fm.descent()) / 2), text)

    def _paint_footer(self, painter: QPainter, frame: Frame) -> None:
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(0, frame.footer_top), QPointF(frame.width, frame.footer_top))
        painter.setFont(self.small_font)
        painter.setPen(MUTED)
        rect = QRectF(
            PAD, frame.footer_top + 8, frame.width - 2 * PAD, frame.height - frame.footer_top - 8
        )
        painter.drawText(
            rect, int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft), self.footer_text()
        )
