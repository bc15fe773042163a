"""The one renderer: paints a timeline onto any QPainter (the screen, PNG, SVG and PDF alike).

`TimelineRenderer` owns the fonts, the measured label widths and the row layout; `frame()` gives
the geometry of one picture (where the axis, rows, legend and footer go) and both `paint()` and
`hit_test()` use it, so what is clicked is exactly what is drawn.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from PySide6.QtCore import QLineF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
    QStaticText,
)
from PySide6.QtWidgets import QWidget

from viewer.model.aggregate import Cluster
from viewer.model.dates import SECONDS_PER_DAY, Precision
from viewer.model.layout import POINT_BELOW_PX, POINT_HALF_PX, Placed, fit_with_labels, place_events
from viewer.model.scale import TimeScale, fit
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
# More events than this starting in view are drawn as lanes of clusters, not one by one.
DETAIL_LIMIT = 300
# Timelines up to this size are laid out whole at each zoom (rows never change when panning);
# larger ones are laid out over the events near the view, half a screen either side.
FULL_LAYOUT_LIMIT = DETAIL_LIMIT
LANE_HEIGHT = 42.0
CLUSTER_PX = 72.0  # width of a cluster's bucket
HEAT_BIN_PX = 4  # width of one cell of a lane's density strip
ROW_HEIGHT = 30.0
BAR_HEIGHT = 18.0
AXIS_HEIGHT = 46.0
LEGEND_LINE = 20.0
PAD = 16.0


class Mode(enum.Enum):
    """How the events in a view are drawn."""

    DETAIL = "events one by one"
    AGGREGATE = "lanes of clusters"


@dataclass
class _Layout:
    """Placed events at one zoom over the time range [t_a, t_b] (the whole timeline if full)."""

    spp: float
    t_a: float
    t_b: float
    placed: dict[int, Placed]
    rows: int


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
        self.count_font = _font(11, bold=True)
        self._fm = QFontMetricsF(self.label_font)
        self._bold_fm = QFontMetricsF(self.selected_font)
        events = timeline.events
        # Lanes: the categories in use, in the order the file lists them.
        lane_ids, lanes = timeline.lanes
        self.lane_ids: list[str] = list(lane_ids)
        self.lane_colors = [QColor(timeline.category_color(c)) for c in lane_ids]
        # Each lane's density colours, as ARGB32 pixels (stored B, G, R, A on little-endian
        # machines) at every alpha: the strip is built from these bytes each frame.
        self._lane_pixels = [
            [bytes((c.blue(), c.green(), c.red(), a)) for a in range(256)] for c in self.lane_colors
        ]
        # On screen, a pill is a cached background and a cached count text.
        self._pills: dict[tuple[int, float, bool, float], QPixmap] = {}
        self._counts: dict[str, tuple[QStaticText, float]] = {}
        self.index = timeline.index
        self._lane_of_event = lanes
        self._labels: dict[int, str] = {}
        self._widths: dict[int, float] = {}
        self._full = len(events) <= FULL_LAYOUT_LIMIT
        if self._full:
            for i in range(len(events)):
                self._label(i)
        self._origin = timeline.extent[0] if events else 0.0
        self._layout: _Layout | None = None
        self._char_px = QFontMetricsF(self.axis_font).averageCharWidth()
        self._frames: dict[tuple[float, float, Decorations], Frame] = {}
        self._clusters: tuple[tuple, list[tuple[QRectF, Cluster]]] = ((), [])
        self._mode: tuple[tuple, Mode] = ((), Mode.DETAIL)

    def _label(self, i: int) -> str:
        """Event i's label, elided to MAX_LABEL_PX; its width is measured once, in bold, so
        that selecting an event never makes its label overlap another."""
        label = self._labels.get(i)
        if label is None:
            e = self.timeline.events[i]
            label = e.title + (DISPUTED if e.disputed_by else "")
            label = self._fm.elidedText(label, Qt.TextElideMode.ElideRight, MAX_LABEL_PX)
            self._labels[i] = label
            self._widths[i] = self._bold_fm.horizontalAdvance(label) + 2
        return label

    def _width(self, i: int) -> float:
        self._label(i)
        return self._widths[i]

    # -- geometry ---------------------------------------------------------------------------

    def mode(self, scale: TimeScale, width: float) -> Mode:
        """One by one when few events start in view, else aggregated.

        Also one by one (up to 20 times as many) once the view spans two days or less: dates
        are known to the day at best, so zooming further cannot tell such events apart, and
        they are stacked in rows instead.
        """
        if len(self.index) <= DETAIL_LIMIT:
            return Mode.DETAIL
        # Asked for every event drawn and every hit test: remember the last answer.
        if self._mode[0] == (scale, width):
            return self._mode[1]
        span = width * scale.spp
        count = self.index.count_starting(scale.t0, scale.t0 + span)
        if count <= DETAIL_LIMIT or (span <= 2 * SECONDS_PER_DAY and count <= 20 * DETAIL_LIMIT):
            mode = Mode.DETAIL
        else:
            mode = Mode.AGGREGATE
        self._mode = ((scale, width), mode)
        return mode

    def layout(self, scale: TimeScale, width: float) -> _Layout:
        """Rows and label places for the events near the view (cached: a pan reuses them).

        A small timeline is laid out whole; a large one over the view and half a screen either
        side, so panning within that range moves nothing but the picture.
        """
        spp = scale.spp
        view_a, view_b = scale.t0, scale.t0 + width * spp
        cached = self._layout
        if (
            cached is not None
            and cached.spp == spp
            and cached.t_a <= view_a
            and view_b <= cached.t_b
        ):
            return cached
        if self._full:
            t_a, t_b = -math.inf, math.inf
            ids: list[int] = list(range(len(self.index)))
        else:
            t_a, t_b = view_a - width * spp / 2, view_b + width * spp / 2
            ids = self.index.visible(t_a - MAX_LABEL_PX * spp, t_b + MAX_LABEL_PX * spp)
        starts, ends = self.index.starts, self.index.ends
        placed = place_events(
            [(starts[i], ends[i]) for i in ids],
            [self._width(i) for i in ids],
            spp,
            self._origin,
            ids,
        )
        rows = 1 + max((p.row for p in placed), default=0)
        self._layout = _Layout(spp, t_a, t_b, {p.index: p for p in placed}, rows)
        return self._layout

    def fit_scale(self, width: float, margin_px: float = 40.0) -> TimeScale:
        """The scale at which the whole timeline (for a small one, labels too) fits `width`."""
        starts, ends = self.index.starts, self.index.ends
        if not self._full:
            return fit(self._origin, max(ends), width, margin_px)
        spans = list(zip(starts, ends, strict=True))
        return fit_with_labels(
            spans, [self._widths[i] for i in range(len(spans))], width, margin_px
        )

    def content_height(self, scale: TimeScale, width: float) -> float:
        """Height of the rows (or lanes) the view at `scale` over `width` px has to show."""
        if self.mode(scale, width) is Mode.AGGREGATE:
            return len(self.lane_ids) * LANE_HEIGHT
        return self.layout(scale, width).rows * ROW_HEIGHT

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

    def natural_height(self, scale: TimeScale, width: float, deco: Decorations) -> float:
        """The height that shows every row (or lane) with the given decorations."""
        return (
            self._header_height(deco)
            + AXIS_HEIGHT
            + 12
            + self.content_height(scale, width)
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
        """The marker rectangle and the label rectangle of event `index`, in picture pixels.

        In an aggregated view an event sits in its category's lane (the selected one is drawn
        there, over the clusters).
        """
        if self.mode(scale, frame.width) is Mode.AGGREGATE:
            return self._lane_rects(index, scale, frame, y_offset)
        placed = self.layout(scale, frame.width).placed.get(index)
        if placed is None:  # far from the view: where it would be in row 0
            return self._lane_rects(index, scale, frame, y_offset, lane=0, height=ROW_HEIGHT)
        dx = scale.x_of(self._origin)
        top = frame.rows_top + placed.row * ROW_HEIGHT - y_offset
        bar_top = top + (ROW_HEIGHT - BAR_HEIGHT) / 2
        marker = QRectF(placed.bar_x0 + dx, bar_top, placed.bar_x1 - placed.bar_x0, BAR_HEIGHT)
        label = QRectF(placed.label_x + dx, bar_top, placed.label_w, BAR_HEIGHT)
        return marker, label

    def _lane_rects(
        self,
        index: int,
        scale: TimeScale,
        frame: Frame,
        y_offset: float,
        lane: int | None = None,
        height: float = LANE_HEIGHT,
    ) -> tuple[QRectF, QRectF]:
        lane = self._lane_of_event[index] if lane is None else lane
        x0 = scale.x_of(self.index.starts[index])
        x1 = scale.x_of(self.index.ends[index])
        if x1 - x0 < POINT_BELOW_PX:
            mid = (x0 + x1) / 2
            x0, x1 = mid - POINT_HALF_PX, mid + POINT_HALF_PX
        bar_top = frame.rows_top + lane * height - y_offset + (height - BAR_HEIGHT) / 2
        marker = QRectF(x0, bar_top, x1 - x0, BAR_HEIGHT)
        label = QRectF(x1 + 6, bar_top, self._width(index), BAR_HEIGHT)
        return marker, label

    def _is_point(self, index: int, scale: TimeScale, width: float) -> bool:
        """Whether event `index` is drawn as a diamond (a period narrower than a few pixels)
        rather than a band, as the layout decided."""
        if self.mode(scale, width) is Mode.DETAIL:
            placed = self.layout(scale, width).placed.get(index)
            if placed is not None:
                return placed.is_point
        span = self.index.ends[index] - self.index.starts[index]
        return span / scale.spp < POINT_BELOW_PX

    def hit_test(
        self, point: QPointF, scale: TimeScale, frame: Frame, y_offset: float = 0.0
    ) -> int | None:
        """The event drawn at `point` (marker or label), or None. A cluster is not an event:
        see cluster_at()."""
        if not frame.rows_top <= point.y() < frame.rows_bottom:
            return None
        if self.mode(scale, frame.width) is Mode.AGGREGATE:
            for rect, cluster in self.visible_clusters(scale, frame, y_offset):
                if cluster.count == 1 and rect.adjusted(-3, -3, 3, 3).contains(point):
                    return self.index.lane_events[cluster.lane][cluster.first]
            return None
        for i in self._visible_events(scale, frame.width):
            marker, label = self.event_rects(i, scale, frame, y_offset)
            if marker.adjusted(-3, -3, 3, 3).contains(point) or label.contains(point):
                return i
        return None

    def cluster_at(
        self, point: QPointF, scale: TimeScale, frame: Frame, y_offset: float = 0.0
    ) -> Cluster | None:
        """The cluster of several events drawn at `point`, or None."""
        if not frame.rows_top <= point.y() < frame.rows_bottom:
            return None
        if self.mode(scale, frame.width) is not Mode.AGGREGATE:
            return None
        for rect, cluster in self.visible_clusters(scale, frame, y_offset):
            if cluster.count > 1 and rect.adjusted(-2, -2, 2, 2).contains(point):
                return cluster
        return None

    def lane_name(self, lane: int) -> str:
        """The label of the category a lane shows."""
        cat = self.lane_ids[lane]
        cats = self.timeline.categories
        return cats[cat].label if cat in cats else cat

    def cluster_span(self, cluster: Cluster) -> tuple[float, float]:
        """The time from a cluster's first start to its last, at least a day long.

        Starts, not ends: one long range in a burst would otherwise zoom out past the burst.
        """
        return cluster.first_start, max(cluster.last_start, cluster.first_start + 86_400.0)

    def _visible_events(self, scale: TimeScale, width: float) -> list[int]:
        """Events whose marker or label may show in a view `width` px wide, in time order."""
        margin = (MAX_LABEL_PX + 20) * scale.spp
        return self.index.visible(scale.t0 - margin, scale.t0 + width * scale.spp + margin)

    def visible_clusters(
        self, scale: TimeScale, frame: Frame, y_offset: float = 0.0
    ) -> list[tuple[QRectF, Cluster]]:
        """The clusters in view and where each is drawn (a pill, or one event's marker)."""
        key = (scale, frame.width, frame.rows_top, y_offset)
        if self._clusters[0] == key:
            return self._clusters[1]
        bucket = CLUSTER_PX * scale.spp
        t_a, t_b = scale.t0 - bucket, scale.t0 + frame.width * scale.spp + bucket
        out: list[tuple[QRectF, Cluster]] = []
        for cluster in self.index.clusters(self._origin, bucket, t_a, t_b):
            top = frame.rows_top + cluster.lane * LANE_HEIGHT - y_offset
            if cluster.count == 1:
                i = self.index.lane_events[cluster.lane][cluster.first]
                rect, _ = self._lane_rects(i, scale, frame, y_offset)
            else:
                w = self._count(f"{cluster.count:,}")[1]
                # Over the events themselves: a burst on one day sits on that day.
                mid = scale.x_of((cluster.first_start + cluster.last_start) / 2)
                # Below the lane's name, which sits at its top left.
                rect = QRectF(mid - w / 2, top + LANE_HEIGHT - 22, w, 19)
            out.append((rect, cluster))
        self._clusters = (key, out)
        return out

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
        hovered_cluster: Cluster | None = None,
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
        if self.mode(scale, frame.width) is Mode.AGGREGATE:
            self._paint_lanes(painter, frame, scale, y_offset, hovered_cluster)
            if selected is not None:
                self._paint_one(painter, frame, scale, selected, True, y_offset)
        else:
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
        # Upright one-pixel lines on pixel centres: crisp without antialiasing, which would
        # cost a millisecond a frame for the tall grid lines.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(GRID, 1))
        painter.drawLines(
            [
                QLineF(round(tick.x) + 0.5, base, round(tick.x) + 0.5, frame.rows_bottom)
                for tick in axis.ticks
                if 0 <= tick.x <= frame.width
            ]
        )
        painter.setPen(QPen(AXIS_LINE, 1))
        painter.drawLine(QPointF(0, base), QPointF(frame.width, base))
        # One call for all minor ticks: a call per line costs more than the drawing.
        painter.drawLines(
            [
                QLineF(round(x) + 0.5, base - 4, round(x) + 0.5, base)
                for x in axis.minor
                if 0 <= x <= frame.width
            ]
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
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
        for i in self._visible_events(scale, frame.width):
            self._paint_one(painter, frame, scale, i, i == selected, y_offset, i == hovered)

    def _paint_one(
        self,
        painter: QPainter,
        frame: Frame,
        scale: TimeScale,
        i: int,
        is_selected: bool,
        y_offset: float,
        is_hovered: bool = False,
    ) -> None:
        marker, label = self.event_rects(i, scale, frame, y_offset)
        if marker.right() < -MAX_LABEL_PX or marker.left() > frame.width + MAX_LABEL_PX:
            return
        if label.bottom() < frame.rows_top - 6 or label.top() > frame.rows_bottom:
            return
        event = self.timeline.events[i]
        color = self.lane_colors[self._lane_of_event[i]]
        if is_selected or is_hovered:
            back = marker.united(label).adjusted(-5, -4, 5, 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(SELECTION if is_selected else HOVER)
            painter.drawRoundedRect(back, 5, 5)
        if self._is_point(i, scale, frame.width):
            self._paint_point(painter, marker, color, is_selected)
        else:
            self._paint_band(
                painter, marker, color, event.when.is_range, event.when.precision, is_selected
            )
        painter.setFont(self.selected_font if is_selected else self.label_font)
        painter.setPen(INK)
        fm = self._fm
        baseline = label.top() + (BAR_HEIGHT + fm.ascent() - fm.descent()) / 2
        painter.drawText(QPointF(label.left(), baseline), self._label(i))

    def _paint_lanes(
        self,
        painter: QPainter,
        frame: Frame,
        scale: TimeScale,
        y_offset: float,
        hovered: Cluster | None,
    ) -> None:
        """Each category as a lane: a density strip, and clusters labelled with their counts."""
        top = frame.rows_top - y_offset
        lanes = len(self.lane_ids)
        # The strip's cells are fixed in content pixels, so panning does not make them shimmer.
        cell = HEAT_BIN_PX * scale.spp
        k0 = math.floor((scale.t0 - self._origin) / cell)
        cells = int(frame.width / HEAT_BIN_PX) + 2
        edges = [self._origin + (k0 + k) * cell for k in range(cells + 1)]
        counts = [self.index.lane_counts(lane, edges) for lane in range(lanes)]
        peak = max((max(c) for c in counts if c), default=0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if peak:
            scale_log = 110.0 / math.log1p(peak)
            # Each count's alpha, worked out once a frame for each count that occurs.
            alpha = {n: int(25 + math.log1p(n) * scale_log) for n in set().union(*counts)}
            alpha[0] = 0
            rows = []
            for lane, lane_counts in enumerate(counts):
                pixel = self._lane_pixels[lane]
                rows.append(b"".join([pixel[alpha[n]] for n in lane_counts]))
            data = b"".join(rows)
            image = QImage(data, cells, lanes, cells * 4, QImage.Format.Format_ARGB32)
            x0 = round(scale.x_of(edges[0]))
            # Scaled up without smoothing: each cell is a block of whole pixels.
            painter.drawImage(QRectF(x0, top, cells * HEAT_BIN_PX, lanes * LANE_HEIGHT), image)
        painter.setPen(QPen(GRID, 1))
        painter.drawLines(
            [
                QLineF(
                    0, top + lane * LANE_HEIGHT + 0.5, frame.width, top + lane * LANE_HEIGHT + 0.5
                )
                for lane in range(1, lanes)
            ]
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setFont(self.count_font)
        # On screen the pills come from a cache of pixmaps (an antialiased rounded rectangle
        # costs more than a blit); exports draw them as vectors.
        device = painter.device()
        cached_pills = isinstance(device, QWidget)
        ratio = device.devicePixelRatioF() if cached_pills else 1.0
        texts: list[tuple[QPointF, QStaticText]] = []
        count_fm = QFontMetricsF(self.count_font)
        text_dy = (19 - count_fm.ascent() - count_fm.descent()) / 2
        for rect, cluster in self.visible_clusters(scale, frame, y_offset):
            color = self.lane_colors[cluster.lane]
            if cluster.count == 1:
                i = self.index.lane_events[cluster.lane][cluster.first]
                event = self.timeline.events[i]
                if self._is_point(i, scale, frame.width):
                    self._paint_point(painter, rect, color, False)
                else:
                    self._paint_band(
                        painter, rect, color, event.when.is_range, event.when.precision, False
                    )
                continue
            text = f"{cluster.count:,}"
            if cached_pills:
                back = self._pill(cluster.lane, rect, cluster == hovered, ratio)
                painter.drawPixmap(rect.topLeft(), back)
                texts.append((QPointF(rect.left() + 6, rect.top() + text_dy), self._count(text)[0]))
            else:
                self._draw_pill(painter, QRectF(rect), color, text, cluster == hovered)
        if texts:
            painter.setPen(INK)
            for at, static in texts:
                painter.drawStaticText(at, static)
        # Lane names stay at the left edge, over the strip.
        painter.setFont(self.small_font)
        sfm = QFontMetricsF(self.small_font)
        for lane in range(lanes):
            name = sfm.elidedText(self.lane_name(lane), Qt.TextElideMode.ElideRight, 220)
            y = top + lane * LANE_HEIGHT
            back = QRectF(4, y + 2, sfm.horizontalAdvance(name) + 8, sfm.height() + 2)
            painter.fillRect(back, QColor(255, 255, 255, 210))
            painter.setPen(MUTED)
            painter.drawText(QPointF(8, y + 3 + sfm.ascent()), name)

    def _draw_pill(
        self, painter: QPainter, rect: QRectF, color: QColor, text: str, hovered: bool
    ) -> None:
        painter.setPen(QPen(INK if hovered else color, 1.5))
        painter.setBrush(HOVER if hovered else BACKGROUND)
        painter.drawRoundedRect(rect.adjusted(0.75, 0.75, -0.75, -0.75), 9, 9)
        if text:
            painter.setPen(INK)
            painter.setFont(self.count_font)
            fm = QFontMetricsF(self.count_font)
            baseline = rect.top() + (rect.height() + fm.ascent() - fm.descent()) / 2
            painter.drawText(QPointF(rect.left() + 6, baseline), text)

    def _count(self, text: str) -> tuple[QStaticText, float]:
        """A cluster's count as laid-out text, and the width of its pill."""
        got = self._counts.get(text)
        if got is None:
            if len(self._counts) > 20_000:
                self._counts.clear()
            static = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(font=self.count_font)
            width = QFontMetricsF(self.count_font).horizontalAdvance(text) + 12
            got = self._counts[text] = (static, width)
        return got

    def _pill(self, lane: int, rect: QRectF, hovered: bool, ratio: float) -> QPixmap:
        """A pill's background (no text) for the screen, from a cache."""
        key = (lane, rect.width(), hovered, ratio)
        pill = self._pills.get(key)
        if pill is None:
            if len(self._pills) > 2000:
                self._pills.clear()
            pill = QPixmap(math.ceil(rect.width() * ratio), math.ceil(rect.height() * ratio))
            pill.setDevicePixelRatio(ratio)
            pill.fill(Qt.GlobalColor.transparent)
            p = QPainter(pill)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            self._draw_pill(
                p, QRectF(0, 0, rect.width(), rect.height()), self.lane_colors[lane], "", hovered
            )
            p.end()
            self._pills[key] = pill
        return pill

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
        cats = self.timeline.categories
        items: list[tuple[str, QColor | None, str]] = [
            ("swatch", self.lane_colors[k], cats[c].label if c in cats else c)
            for k, c in enumerate(self.lane_ids)
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
