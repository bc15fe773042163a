"""The one renderer: paints a timeline onto any QPainter (the screen, PNG, SVG and PDF alike).

`TimelineRenderer` owns the fonts, the measured labels and the row layout. `scene()` turns a
view (scale and width) into a list of marks (viewer.model.scene.Mark): which event is drawn as
which kind of mark, where, and where its label goes. Painting, hit-testing and the legend all
read that list, so what is clicked and what the legend explains is exactly what is drawn, and
tests can check the list without pixels.
"""

from __future__ import annotations

import datetime as _dt
import enum
import math
import operator
from dataclasses import dataclass, field

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

from viewer.model.aggregate import Cluster, EventIndex
from viewer.model.dates import SECONDS_PER_DAY
from viewer.model.describe import events_in_span
from viewer.model.filtered import FilteredIndex
from viewer.model.layout import (
    GLYPH_INSET_PX,
    INSIDE_PAD_PX,
    Placed,
    fit_with_labels,
    inside_label_x,
    mark_extent,
    max_label_px,
    place_events,
)
from viewer.model.scale import TimeScale, fit
from viewer.model.scene import (
    GLYPH_PX,
    KIND_TEXT,
    PALE_END_TEXT,
    Mark,
    MarkKind,
    certain_part,
    mark_kind,
)
from viewer.model.search import SearchResult
from viewer.model.text import isolate
from viewer.model.theme import LIGHT, Theme
from viewer.model.ticks import Axis, axis_for
from viewer.model.timeline import Timeline

# The light theme's colours, which exports use unless asked for dark (viewer.model.theme).
BACKGROUND = QColor(LIGHT.background)
INK = QColor(LIGHT.text)
MUTED = QColor(LIGHT.muted)
SELECTION = QColor(LIGHT.selection)
MATCH = QColor(LIGHT.match)  # behind the label of an event that matches the search
DIMMED = LIGHT.dimmed  # opacity of what does not match the search
DISPUTED = "  (disputed)"
UNCITED = "  (uncited)"  # quotes no passage of a source (imported events, usually)

MAX_LABEL_PX = 520.0
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
FOOTER_LINES = 3  # the sources named in an export's footer take at most this many lines
TITLE_HEIGHT = 64.0


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
    by_row: dict[int, list[int]] = field(default_factory=dict)  # each row's events, in time order

    def in_rows(self, first: int, last: int) -> list[int]:
        """The events placed in rows first..last, in time order."""
        got = [i for r in range(max(first, 0), last + 1) for i in self.by_row.get(r, ())]
        got.sort()
        return got


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


@dataclass(frozen=True)
class LegendItem:
    """One legend entry: a category's swatch, or a kind of mark drawn as the events' marks are.

    `kind` is 'swatch', 'cluster', 'strip', or a MarkKind's value; `samples` says which forms of
    that mark to draw ('glyph', 'band', 'pale'), those in use.
    """

    kind: str
    text: str
    color: QColor | None = None
    samples: tuple[str, ...] = ()
    category: str | None = None  # a swatch's category: clicking it hides or shows it


class Palette:
    """A theme's colours as QColors, made once per theme (painting asks for them per event)."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.background = QColor(theme.background)
        self.ink = QColor(theme.text)
        self.muted = QColor(theme.muted)
        self.grid = QColor(theme.grid)
        self.axis_line = QColor(theme.axis_line)
        self.selection = QColor(theme.selection)
        self.hover = QColor(theme.hover)
        self.match = QColor(theme.match)
        self.dimmed = theme.dimmed
        # Behind a lane's name, over its density strip: the background, mostly opaque.
        self.name_back = QColor(theme.background)
        self.name_back.setAlpha(210)


def _font(pixels: int, bold: bool = False, italic: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(pixels)
    f.setBold(bold)
    f.setItalic(italic)
    return f


# Room around a glyph's square in its cached picture, for its outline and a selected one's size.
_GLYPH_MARGIN = 3.0


def _prepared(text: str, font: QFont) -> QStaticText:
    """`text` (plain, never rich text: it may be untrusted) laid out once in `font`."""
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.prepare(font=font)
    return static


_PLACE_FIELDS = operator.attrgetter("index", "row", "bar_x0", "bar_x1", "is_point")


def _rect(r: tuple[float, float, float, float]) -> QRectF:
    return QRectF(*r)


class TimelineRenderer:
    """Paints one timeline. Keep one per timeline: it caches labels and row layouts."""

    def __init__(self, timeline: Timeline, theme: Theme = LIGHT) -> None:
        self.timeline = timeline
        # View → Time zone: the axis of days and finer reads this zone's clock (None: UTC).
        self.zone: _dt.tzinfo | None = None
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
        self._small_fm = QFontMetricsF(self.small_font)
        events = timeline.events
        # Lanes: the categories in use, in the order the file lists them.
        lane_ids, lanes = timeline.lanes
        self.lane_ids: list[str] = list(lane_ids)
        # On screen, a pill is a cached background and a cached count text.
        self._pills: dict[tuple[int, float, bool, float], QPixmap] = {}
        self._counts: dict[str, tuple[QStaticText, float]] = {}
        self._static_labels: dict[tuple[str, bool], tuple[QStaticText, float]] = {}
        self._glyphs: dict[tuple, QPixmap] = {}
        # The width of the picture being painted: bands are cut to it (see paint_mark).
        self._picture_width = 1e6
        self._screen_ratio = 0.0
        self.set_theme(theme)
        self.index: EventIndex = timeline.index  # or a FilteredIndex over it (set_filter)
        self._shown: bytes | None = None
        self._hidden: frozenset[str] = frozenset()
        self._filter_note = ""
        self._matches: SearchResult | None = None
        self._lane_of_event = lanes
        # Per event, made when first shown: the label (elided to the label cap of the current
        # width), its width, the mark kind and, for a range, the part it certainly covers.
        self._labels: dict[int, str] = {}
        self._widths: dict[int, float] = {}
        self._kinds: dict[int, MarkKind] = {}
        self._uncited: dict[int, bool] = {}  # known with the label
        self._cores: dict[int, tuple[float, float]] = {}
        self._label_cap = MAX_LABEL_PX
        self._full = len(events) <= FULL_LAYOUT_LIMIT
        self._origin = timeline.extent[0] if events else 0.0
        self._layout: _Layout | None = None
        self._char_px = QFontMetricsF(self.axis_font).averageCharWidth()
        self._frames: dict[tuple, Frame] = {}
        self._clusters: tuple[tuple, list[tuple[QRectF, Cluster]]] = ((), [])
        self._cluster_list: tuple[tuple, list[Cluster]] = ((), [])
        self._mode: tuple[tuple, Mode] = ((), Mode.DETAIL)
        self._scene: tuple[tuple, list[Mark]] = ((), [])
        self._axis_cache: tuple[tuple, Axis | None] = ((), None)
        self._axis_labels: tuple[tuple, list[tuple[str, float, float, bool]]] = ((), [])

    @property
    def theme(self) -> Theme:
        return self.colors.theme

    def set_theme(self, theme: Theme) -> None:
        """Paint in `theme`'s colours from now on (the categories' colours adjusted to it)."""
        self.colors = Palette(theme)
        self.lane_colors = [
            QColor(theme.category(self.timeline.category_color(c))) for c in self.lane_ids
        ]
        # Each lane's density colours, as ARGB32 pixels (stored B, G, R, A on little-endian
        # machines) at every alpha: the strip is built from these bytes each frame.
        self._lane_pixels = [
            [bytes((c.blue(), c.green(), c.red(), a)) for a in range(256)] for c in self.lane_colors
        ]
        self._pills.clear()
        self._glyphs.clear()

    # -- per event ----------------------------------------------------------------------------

    def _use_width(self, width: float) -> None:
        """Labels are elided to a share of the view's width: a new width may mean new labels."""
        cap = max_label_px(width, MAX_LABEL_PX)
        if cap != self._label_cap:
            self._label_cap = cap
            self._labels.clear()
            self._widths.clear()
            self._layout = None
            self._scene = ((), [])

    def _label(self, i: int) -> str:
        """Event i's label: its title, isolated (it is untrusted) and elided so that the whole
        label fits the label cap, then '(disputed)' and '(uncited)' if it is; its width is
        measured once, in bold, so that selecting an event never makes its label overlap another."""
        label = self._labels.get(i)
        if label is None:
            e = self.timeline.events[i]
            uncited = self.timeline.marked_uncited(e)
            label = self._put_label(i, e.title, bool(e.disputed_by), uncited)
        return label

    def _read_labels(self, ids: list[int]) -> None:
        """Labels and mark kinds of the events `ids` (ascending) not yet known, read in runs
        from the store's facts (a few fields decoded, nothing searched) instead of making each
        event: the first view of a busy day lays out a thousand or more at once."""
        events = self.timeline.events
        todo = [i for i in ids if i not in self._labels]
        if len(todo) < 64 or events.facts(0, 0) is None:
            return  # few, or a store of ready-made events: made one by one as before
        run_start = prev = todo[0]
        runs = []
        for i in todo[1:]:
            if i - prev > 64:
                runs.append((run_start, prev + 1))
                run_start = i
            prev = i
        runs.append((run_start, prev + 1))
        for a, b in runs:
            f = events.facts(a, b)
            assert f is not None
            for k, i in enumerate(range(a, b)):
                if i not in self._labels:
                    self._kinds[i] = f.kinds[k]
                    self._put_label(i, f.titles[k], f.disputed_by[k], f.uncited[k])

    def _put_label(self, i: int, title: str, disputed: bool, uncited: bool) -> str:
        self._uncited[i] = uncited
        suffix = (DISPUTED if disputed else "") + (UNCITED if uncited else "")
        # Elided as measured in bold, so that the label stays within the cap when selected.
        room = self._label_cap - self._bold_fm.horizontalAdvance(suffix) - 2
        title = self._bold_fm.elidedText(title, Qt.TextElideMode.ElideRight, room)
        label = isolate(title) + suffix
        self._labels[i] = label
        self._widths[i] = self._bold_fm.horizontalAdvance(label) + 2
        return label

    def _width(self, i: int) -> float:
        self._label(i)
        return self._widths[i]

    def kind(self, i: int) -> MarkKind:
        """The kind of mark event i is drawn with: from its dates alone, the same at every zoom."""
        kind = self._kinds.get(i)
        if kind is None:
            when = self.timeline.events[i].when
            kind = self._kinds[i] = mark_kind(when)
            self._cores[i] = certain_part(when)
        return kind

    def _core(self, i: int) -> tuple[float, float]:
        core = self._cores.get(i)
        if core is None:  # the kind was read from the facts: the dates are needed now
            core = self._cores[i] = certain_part(self.timeline.events[i].when)
        return core

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
        self._use_width(width)
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
            ids: list[int] = self._kept()
        else:
            t_a, t_b = view_a - width * spp / 2, view_b + width * spp / 2
            ids = self.index.visible(t_a - MAX_LABEL_PX * spp, t_b + MAX_LABEL_PX * spp)
        self._read_labels(ids)
        starts, ends = self.index.starts, self.index.ends
        placed = place_events(
            [(starts[i], ends[i]) for i in ids],
            [self._width(i) for i in ids],
            spp,
            self._origin,
            ids,
            [self.kind(i) for i in ids],
        )
        rows = 1 + max((p.row for p in placed), default=0)
        by_row: dict[int, list[int]] = {}
        for p in placed:  # placed in time order
            by_row.setdefault(p.row, []).append(p.index)
        self._layout = _Layout(spp, t_a, t_b, {p.index: p for p in placed}, rows, by_row)
        return self._layout

    def _events_in_rows(
        self, scale: TimeScale, width: float, lay: _Layout, first: int, last: int
    ) -> list[int]:
        """The events in view (as _visible_events finds them) placed in rows first..last: read
        row by row, when a view holds many more events than the rows in sight show."""
        t_a, t_b = scale.t0, scale.t0 + width * scale.spp
        starts, ends = self.index.starts, self.index.ends
        return [i for i in lay.in_rows(first, last) if ends[i] >= t_a and starts[i] <= t_b]

    def fit_scale(self, width: float, margin_px: float = 40.0) -> TimeScale:
        """The scale at which every shown event (for a small timeline, labels too) fits
        `width`."""
        starts, ends = self.index.starts, self.index.ends
        if not self._full:
            if self._shown is None:
                return fit(self._origin, max(ends), width, margin_px)
            kept = self.index.kept()  # type: ignore[attr-defined]
            if not kept:
                return fit(self._origin, max(ends), width, margin_px)
            return fit(starts[kept[0]], max(map(ends.__getitem__, kept)), width, margin_px)
        self._use_width(width)
        ids = self._kept() or list(range(len(starts)))
        return fit_with_labels(
            [(starts[i], ends[i]) for i in ids],
            [self._width(i) for i in ids],
            width,
            margin_px,
            [self.kind(i) for i in ids],
        )

    def _kept(self) -> list[int]:
        """The shown events, in time order."""
        if self._shown is None:
            return list(range(len(self.index)))
        return self.index.kept()  # type: ignore[attr-defined]

    # -- filters and search -----------------------------------------------------------------

    def set_filter(
        self,
        shown: bytes | None,
        hidden: frozenset[str] = frozenset(),
        note: str = "",
        index: EventIndex | None = None,
    ) -> None:
        """Draw only the events whose byte in `shown` is non-zero (None: every event). The
        legend lists the `hidden` categories as hidden, so that a click can show them again;
        an export's footer adds `note`, which says what the filters leave out. `index` is the
        FilteredIndex for `shown` if it was made already (in a thread)."""
        self._shown = shown
        self._hidden = hidden
        self._filter_note = note
        base = self.timeline.index
        if index is None:
            index = base if shown is None else FilteredIndex(base, shown)
        self.index = index
        self._forget_views()
        if self._matches is not None:
            self.set_matches(self._matches)

    def set_matches(self, matches: SearchResult | None) -> None:
        """Emphasise the events `matches` holds and dim the others (None: no search)."""
        self._matches = matches
        self._forget_views()

    @property
    def filter_note(self) -> str:
        """What the filters leave out, as an export's footer says it ('' when none)."""
        return self._filter_note

    def events_in_view(self, scale: TimeScale, width: float) -> list[int]:
        """The events the filters keep that cover some of the view `width` px wide at `scale`,
        in time order."""
        t0, t1 = scale.t0, scale.t0 + width * scale.spp
        kept = self._kept() if self._shown is not None else range(len(self.timeline.events))
        return events_in_span(self.index.starts, self.index.ends, kept, t0, t1)

    @property
    def matches(self) -> SearchResult | None:
        return self._matches

    def cluster_matches(self, cluster: Cluster) -> int:
        """How many of a cluster's events match the search."""
        matches = self._matches
        if matches is None:
            return 0
        if matches.lane_starts is None:  # found in the window's thread (a small timeline)
            matches = self._matches = matches.with_lanes(self.timeline.index)
        return matches.count_in_lane(cluster.lane, cluster.start, cluster.end)

    def _forget_views(self) -> None:
        self._layout = None
        self._scene = ((), [])
        self._mode = ((), Mode.DETAIL)
        self._clusters = ((), [])
        self._cluster_list = ((), [])
        self._frames.clear()

    def range_scale(self, start: float, end: float, width: float, margin_px: float) -> TimeScale:
        """The scale that shows [start, end] across `width` pixels."""
        return fit(start, end, width, margin_px)

    def content_height(self, scale: TimeScale, width: float) -> float:
        """Height of the rows (or lanes) the view at `scale` over `width` px has to show."""
        if self.mode(scale, width) is Mode.AGGREGATE:
            return len(self.lane_ids) * LANE_HEIGHT
        return self.layout(scale, width).rows * ROW_HEIGHT

    def _header_height(self, deco: Decorations) -> float:
        return TITLE_HEIGHT if deco.title else 0.0

    def _footer_height(self, deco: Decorations, width: float) -> float:
        if not deco.footer:
            return 0.0
        rect = self._small_fm.boundingRect(
            QRectF(0, 0, width - 2 * PAD, 10_000),
            int(Qt.TextFlag.TextWordWrap),
            self.footer_text(width),
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
            + (self.legend_height(scale, width) if deco.legend else 0)
            + self._footer_height(deco, width)
        )

    def frame(self, size: QSizeF, deco: Decorations, scale: TimeScale) -> Frame:
        """The geometry for a picture of `size` showing `scale` (the legend, at the bottom, holds
        what that view draws). Cached: every paint and mouse move asks."""
        legend = self.legend_height(scale, size.width()) if deco.legend else 0.0
        key = (size.width(), size.height(), deco, legend)
        frame = self._frames.get(key)
        if frame is None:
            if len(self._frames) > 64:
                self._frames.clear()
            w, h = size.width(), size.height()
            footer_top = h - self._footer_height(deco, w)
            legend_top = footer_top - legend
            axis_top = self._header_height(deco)
            rows_top = axis_top + AXIS_HEIGHT + 12
            frame = Frame(w, h, axis_top, rows_top, legend_top - 4, legend_top, footer_top)
            self._frames[key] = frame
        return frame

    # -- the scene --------------------------------------------------------------------------

    def scene(
        self, scale: TimeScale, frame: Frame, y_offset: float = 0.0, seen_only: bool = False
    ) -> list[Mark]:
        """The events drawn one by one in this view, as marks in picture pixels, in time order.

        In a view of lanes and clusters, the events shown on their own (a cluster of one).
        Rows scrolled above or below the picture are included, unless `seen_only` (painting
        and hit tests: a view of a busy day can hold thousands of events in rows out of sight).
        """
        key = (scale, frame.width, frame.rows_top, frame.rows_bottom, y_offset, seen_only)
        if self._scene[0] == key:
            return self._scene[1]
        marks: list[Mark] = []
        if self.mode(scale, frame.width) is Mode.AGGREGATE:
            for _rect, cluster in self.visible_clusters(scale, frame, y_offset):
                if cluster.count == 1:
                    i = self.index.lane_events[cluster.lane][cluster.first]
                    marks.append(self._lane_mark(i, scale, frame, y_offset, with_label=False))
        else:
            lay = self.layout(scale, frame.width)
            dx = scale.x_of(self._origin)
            if seen_only:
                first = math.floor((y_offset - 2 * ROW_HEIGHT) / ROW_HEIGHT)
                last = math.ceil((frame.rows_bottom - frame.rows_top + y_offset) / ROW_HEIGHT) + 1
                candidates = self._events_in_rows(scale, frame.width, lay, first, last)
            else:
                candidates = self._visible_events(scale, frame.width)
            for i in candidates:
                p = lay.placed.get(i)
                if p is not None:
                    top = frame.rows_top + p.row * ROW_HEIGHT - y_offset
                    if seen_only and not (
                        frame.rows_top - 2 * ROW_HEIGHT < top < frame.rows_bottom + ROW_HEIGHT
                    ):
                        continue
                    marks.append(
                        self._mark(
                            i, p.bar_x0 + dx, p.bar_x1 + dx, p.is_point, p.label_x + dx, top, scale
                        )
                    )
        self._scene = (key, marks)
        return marks

    def _mark(
        self,
        i: int,
        x0: float,
        x1: float,
        narrow: bool,
        label_x: float,
        top: float,
        scale: TimeScale,
        with_label: bool = True,
    ) -> Mark:
        """Event i's mark in a row whose top is `top`: its extent x0..x1 (a glyph's when narrow)
        and its label at label_x, pinned to the view's left edge when its band starts off the
        view, and left out when it would be cut and its mark is off the view."""
        kind = self.kind(i)
        bar_top = top + (ROW_HEIGHT - BAR_HEIGHT) / 2
        glyph_y = bar_top + (BAR_HEIGHT - GLYPH_PX) / 2
        glyph: tuple[float, float, float, float] | None = None
        core = None
        pale = False
        band_x0 = x0
        if narrow:
            glyph = (x0, glyph_y, GLYPH_PX, GLYPH_PX)
        elif kind is MarkKind.DAY:
            mid = (x0 + x1) / 2
            glyph = (mid - GLYPH_PX / 2, glyph_y, GLYPH_PX, GLYPH_PX)
        elif kind is MarkKind.RANGE:
            a, b = self._core(i)
            core = (scale.x_of(a), scale.x_of(b))
            pale = core != (x0, x1) and (core[0] - x0 > 0.5 or x1 - core[1] > 0.5)
        else:
            # The glyph sits at the band's start, or at the view's left edge when the band
            # starts off it, so the band's precision shows wherever it is cut.
            band_x0 = max(x0, 0.0)
            inset = min(GLYPH_INSET_PX, max(0.0, (x1 - band_x0 - GLYPH_PX) / 2))
            glyph = (min(band_x0 + inset, x1 - GLYPH_PX), glyph_y, GLYPH_PX, GLYPH_PX)
        text = self._label(i) if with_label else ""
        w = self._width(i)
        if text and not narrow and label_x < x1 and x0 < 0:
            # Inside a band whose start is off the view: pinned at the left edge, inside.
            label_x = min(max(label_x, inside_label_x(kind, max(x0, 0.0))), x1 - INSIDE_PAD_PX - w)
            if label_x < 0:
                text = ""  # the band's visible part cannot hold it whole
        elif text and x1 < 0 and label_x < 0:
            text = ""  # its mark is off the view: a cut label would stand alone
        return Mark(
            i,
            kind,
            (x0, bar_top, x1 - x0, BAR_HEIGHT),
            glyph,
            narrow,
            text,
            (label_x, bar_top, w, BAR_HEIGHT),
            core,
            pale,
        )

    def _lane_mark(
        self,
        i: int,
        scale: TimeScale,
        frame: Frame,
        y_offset: float,
        lane: int | None = None,
        height: float = LANE_HEIGHT,
        with_label: bool = True,
    ) -> Mark:
        """Event i's mark in its category's lane (in a view of lanes), or in row `lane`."""
        lane = self._lane_of_event[i] if lane is None else lane
        x0, x1, narrow = mark_extent(
            scale.x_of(self.index.starts[i]), scale.x_of(self.index.ends[i])
        )
        top = frame.rows_top + lane * height - y_offset + (height - ROW_HEIGHT) / 2
        return self._mark(i, x0, x1, narrow, x1 + 6, top, scale, with_label)

    def mark_of(self, index: int, scale: TimeScale, frame: Frame, y_offset: float = 0.0) -> Mark:
        """Event `index`'s mark as drawn in this view, or where it would be (in its lane, or in
        the first row) if it is not drawn."""
        for m in self.scene(scale, frame, y_offset, seen_only=True):
            if m.event == index:
                return m
        if self.mode(scale, frame.width) is Mode.AGGREGATE:
            return self._lane_mark(index, scale, frame, y_offset)
        placed = self.layout(scale, frame.width).placed.get(index)
        if placed is None:  # far from the view: where it would be in row 0
            return self._lane_mark(index, scale, frame, y_offset, lane=0, height=ROW_HEIGHT)
        dx = scale.x_of(self._origin)
        top = frame.rows_top + placed.row * ROW_HEIGHT - y_offset
        return self._mark(
            index,
            placed.bar_x0 + dx,
            placed.bar_x1 + dx,
            placed.is_point,
            placed.label_x + dx,
            top,
            scale,
        )

    def event_rects(
        self, index: int, scale: TimeScale, frame: Frame, y_offset: float = 0.0
    ) -> tuple[QRectF, QRectF]:
        """The mark rectangle and the label rectangle of event `index`, in picture pixels."""
        m = self.mark_of(index, scale, frame, y_offset)
        return _rect(m.rect), _rect(m.label_rect)

    def hit_test(
        self, point: QPointF, scale: TimeScale, frame: Frame, y_offset: float = 0.0
    ) -> int | None:
        """The event drawn at `point` (mark or label), or None. A cluster is not an event:
        see cluster_at()."""
        if not frame.rows_top <= point.y() < frame.rows_bottom:
            return None
        for m in reversed(self.scene(scale, frame, y_offset, seen_only=True)):
            if _rect(m.rect).adjusted(-3, -3, 3, 3).contains(point):
                return m.event
            if m.label and _rect(m.label_rect).contains(point):
                return m.event
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
        """Events whose mark or label may show in a view `width` px wide, in time order."""
        margin = (self._label_cap + 20) * scale.spp
        return self.index.visible(scale.t0 - margin, scale.t0 + width * scale.spp + margin)

    def _clusters_in_view(self, scale: TimeScale, width: float) -> list[Cluster]:
        """The clusters of every lane near a view `width` px wide (cached: the legend and the
        drawing of one frame ask for the same)."""
        key = (scale, width)
        if self._cluster_list[0] != key:
            bucket = CLUSTER_PX * scale.spp
            t_a, t_b = scale.t0 - bucket, scale.t0 + width * scale.spp + bucket
            self._cluster_list = (key, self.index.clusters(self._origin, bucket, t_a, t_b))
        return self._cluster_list[1]

    def visible_clusters(
        self, scale: TimeScale, frame: Frame, y_offset: float = 0.0
    ) -> list[tuple[QRectF, Cluster]]:
        """The clusters in view and where each is drawn (a pill, or one event's mark)."""
        key = (scale, frame.width, frame.rows_top, y_offset)
        if self._clusters[0] == key:
            return self._clusters[1]
        out: list[tuple[QRectF, Cluster]] = []
        for cluster in self._clusters_in_view(scale, frame.width):
            top = frame.rows_top + cluster.lane * LANE_HEIGHT - y_offset
            if cluster.count == 1:
                i = self.index.lane_events[cluster.lane][cluster.first]
                rect = _rect(self._lane_mark(i, scale, frame, y_offset, with_label=False).rect)
            else:
                w = self._count(self._cluster_text(cluster))[1]
                # Over the events themselves: a burst on one day sits on that day.
                mid = scale.x_of((cluster.first_start + cluster.last_start) / 2)
                # Below the lane's name, which sits at its top left.
                rect = QRectF(mid - w / 2, top + LANE_HEIGHT - 22, w, 19)
            out.append((rect, cluster))
        self._clusters = (key, out)
        return out

    def _cluster_text(self, cluster: Cluster) -> str:
        """A cluster's pill: its count, or with a search on, how many of them match."""
        if self._matches is None:
            return f"{cluster.count:,}"
        return f"{self.cluster_matches(cluster):,} of {cluster.count:,}"

    def footer_text(self, width: float = 1600.0) -> str:
        """'Sources: …', naming as many sources as fit in FOOTER_LINES lines of `width` px, then
        how many more there are. Each title is isolated and elided: they are untrusted."""
        note = f"\n{self._filter_note}" if self._filter_note else ""
        return self._sources_text(width) + note

    def _sources_text(self, width: float) -> str:
        sources = list(self.timeline.sources.values())
        if not sources:
            return ""
        fm = self._small_fm
        budget = FOOTER_LINES * max(width - 2 * PAD, 100.0) * 0.9
        used = fm.horizontalAdvance("Sources: ")
        names: list[str] = []
        for k, s in enumerate(sources):
            name = isolate(fm.elidedText(s.title, Qt.TextElideMode.ElideRight, 320))
            more = f"; and {len(sources) - k:,} more"
            need = fm.horizontalAdvance(name + "; ")
            last = k == len(sources) - 1
            if used + need + (0 if last else fm.horizontalAdvance(more)) > budget and names:
                return "Sources: " + "; ".join(names) + more
            names.append(name)
            used += need
        return "Sources: " + "; ".join(names)

    # -- the legend -------------------------------------------------------------------------

    def legend_items(
        self, scale: TimeScale, width: float, rows: tuple[float, float] | None = None
    ) -> list[LegendItem]:
        """The legend for the view at `scale`: the categories and the kinds of mark it draws,
        each kind with the forms of it in use (its glyph, its band, a range's pale end).

        `rows` (first, last), when given, keeps to the rows scrolled into view; without it, the
        legend covers every row, which is the room the picture keeps for it."""
        aggregate = self.mode(scale, width) is Mode.AGGREGATE
        # (event, narrow) of each mark whose extent is in view
        shown: list[tuple[int, bool]] = []
        if aggregate:
            lanes = set(range(len(self.lane_ids)))  # every lane is drawn, named, in this view
            for c in self._clusters_in_view(scale, width):
                if c.count == 1:
                    i = self.index.lane_events[c.lane][c.first]
                    x0, x1, narrow = mark_extent(
                        scale.x_of(self.index.starts[i]), scale.x_of(self.index.ends[i])
                    )
                    if x1 >= 0 and x0 <= width:
                        shown.append((i, narrow))
        else:
            lay = self.layout(scale, width)
            dx = scale.x_of(self._origin)
            if rows is None:
                candidates = self._visible_events(scale, width)
            else:
                first, last = math.floor(rows[0]), math.ceil(rows[1])
                candidates = self._events_in_rows(scale, width, lay, first, last)
            # Read in C where it can be: a view of a day among a million events holds ten
            # thousand candidates (each one's place, then its fields as a tuple).
            places = [p for p in map(lay.placed.get, candidates) if p is not None]
            lo, hi = -dx, width - dx  # the view in content pixels
            top, bottom = rows if rows is not None else (-math.inf, math.inf)
            shown = [
                (i, point)
                for i, row, x0, x1, point in map(_PLACE_FIELDS, places)
                if x1 >= lo and x0 <= hi and top <= row <= bottom
            ]
            lanes = {self._lane_of_event[i] for i, _n in shown}
        cats = self.timeline.categories
        items = []
        for k, c in enumerate(self.lane_ids):
            name = isolate(cats[c].label if c in cats else c)
            if c in self._hidden:
                items.append(
                    LegendItem("hidden", f"{name} (hidden)", self.colors.muted, category=c)
                )
            elif k in lanes:
                items.append(LegendItem("swatch", name, self.lane_colors[k], category=c))
        # The forms of each kind in use, found in C as far as can be (a view of a day among a
        # million events shows ten thousand): the distinct (kind, narrow) pairs, by the kinds'
        # ids (an Enum hashes in Python). Only ranges can have pale ends; one found is enough.
        ids = [i for i, _n in shown]
        kinds = list(map(self._kinds.get, ids))
        if None in kinds:
            kinds = [k or self.kind(i) for i, k in zip(ids, kinds, strict=True)]
        by_id = {id(k): k for k in MarkKind}
        forms: dict[MarkKind, set[str]] = {}
        for kind_id, narrow in set(zip(map(id, kinds), [n for _i, n in shown], strict=True)):
            forms.setdefault(by_id[kind_id], set()).add("glyph" if narrow else "band")
        if "band" in forms.get(MarkKind.RANGE, ()):
            wide_ranges = (
                i for (i, n), k in zip(shown, kinds, strict=True) if k is MarkKind.RANGE and not n
            )
            if any(self._has_pale_ends(i, scale) for i in wide_ranges):
                forms[MarkKind.RANGE].add("pale")
        for kind in MarkKind:
            if kind in forms:
                used = forms[kind]
                samples = tuple(s for s in ("glyph", "band") if s in used)
                items.append(LegendItem(kind.value, KIND_TEXT[kind], None, samples))
                if "pale" in used:
                    items.append(LegendItem(kind.value, PALE_END_TEXT, None, ("pale",)))
        if self._any_uncited(ids):
            items.append(LegendItem("uncited", "(uncited): quotes no source"))
        if self._matches is not None:
            items.append(LegendItem("match", "matches the search"))
            items.append(LegendItem("dimmed", "does not match"))
        if aggregate:
            items.append(LegendItem("cluster", "that many events: click to zoom in"))
            items.append(LegendItem("strip", "darker where events are denser"))
        return items

    def _any_uncited(self, ids: list[int]) -> bool:
        """Whether any of the events `ids` is uncited: known with their labels, read
        in runs from the store's facts if not, and not looked for at all when the store knows
        it holds none (a view of a day among a million events covers ten thousand)."""
        if self.timeline.events.uncited == 0 or not ids:
            return False
        self._read_labels(sorted(ids))
        known = self._uncited
        events = self.timeline.events
        return any(known[i] if i in known else self.timeline.marked_uncited(events[i]) for i in ids)

    def _has_pale_ends(self, i: int, scale: TimeScale) -> bool:
        """Whether event i, drawn wide, shows a pale end (a range end known only to a month or
        a year, at least half a pixel wide)."""
        if self.kind(i) is not MarkKind.RANGE:
            return False
        a, b = self._core(i)
        starts, ends = self.index.starts, self.index.ends
        return (a - starts[i]) / scale.spp > 0.5 or (ends[i] - b) / scale.spp > 0.5

    def _legend_places(
        self, scale: TimeScale, width: float, rows: tuple[float, float] | None = None
    ) -> list[tuple[float, int, LegendItem, float]]:
        """Where each legend entry goes: (x, line, item, sample width), wrapping at `width`."""
        key = ("legend", scale, width, rows)
        cached = self._frames.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        fm = self._small_fm
        x, line = PAD, 0
        places = []
        for item in self.legend_items(scale, width, rows):
            sample = self._sample_width(item)
            w = sample + 5 + fm.horizontalAdvance(item.text)
            if x > PAD and x + w > width - PAD:
                x, line = PAD, line + 1
            places.append((x, line, item, sample))
            x += w + 18
        self._frames[key] = places  # type: ignore[assignment]
        return places

    @staticmethod
    def _sample_width(item: LegendItem) -> float:
        if item.kind in ("swatch", "hidden"):
            return 10.0
        if item.kind in ("match", "dimmed", "uncited"):
            return 22.0
        if item.kind in ("cluster",):
            return 24.0
        if item.kind == "strip":
            return 22.0
        return sum(GLYPH_PX if s == "glyph" else 30.0 for s in item.samples) + 4 * (
            len(item.samples) - 1
        )

    def legend_at(
        self, point: QPointF, scale: TimeScale, frame: Frame, y_offset: float = 0.0
    ) -> LegendItem | None:
        """The legend entry drawn at `point` (its sample or its text), or None."""
        if not frame.legend_top <= point.y() < frame.footer_top:
            return None
        fm = self._small_fm
        for x, line, item, sample in self._legend_places(
            scale, frame.width, self._legend_rows(frame, y_offset)
        ):
            top = frame.legend_top + 5 + LEGEND_LINE * line
            w = sample + 5 + fm.horizontalAdvance(item.text)
            if QRectF(x - 3, top, w + 6, LEGEND_LINE).contains(point):
                return item
        return None

    @staticmethod
    def _legend_rows(frame: Frame, y_offset: float) -> tuple[float, float]:
        """The rows scrolled into view, for a legend of what they show."""
        return (
            (y_offset - ROW_HEIGHT) / ROW_HEIGHT,
            (y_offset + frame.rows_bottom - frame.rows_top) / ROW_HEIGHT,
        )

    def legend_height(self, scale: TimeScale, width: float) -> float:
        lines = 1 + max((p[1] for p in self._legend_places(scale, width)), default=0)
        return 10 + lines * LEGEND_LINE

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
        frame = self.frame(size, deco, scale)
        self._picture_width = frame.width
        # On screen (a widget), its pixel ratio: labels, glyphs and pills come from caches
        # there; exports (0.0) draw vectors and text.
        device = painter.device()
        self._screen_ratio = device.devicePixelRatioF() if isinstance(device, QWidget) else 0.0
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.fillRect(QRectF(0, 0, frame.width, frame.height), self.colors.background)
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
                mark = self.mark_of(selected, scale, frame, y_offset)
                self._paint_event(painter, frame, mark, True, False)
        else:
            matches = self._matches
            for mark in self.scene(scale, frame, y_offset, seen_only=True):
                found = None if matches is None else mark.event in matches
                self._paint_event(
                    painter, frame, mark, mark.event == selected, mark.event == hovered, found
                )
        painter.restore()
        if deco.legend:
            self._paint_legend(painter, frame, scale, y_offset)
        if deco.footer:
            self._paint_footer(painter, frame)
        return frame

    def _paint_title(self, painter: QPainter, frame: Frame) -> None:
        room = frame.width - 2 * PAD
        painter.setPen(self.colors.ink)
        painter.setFont(self.title_font)
        title = QFontMetricsF(self.title_font).elidedText(
            self.timeline.title, Qt.TextElideMode.ElideRight, room
        )
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        painter.drawText(QRectF(PAD, 10, room, 28), flags, isolate(title))
        painter.setFont(self.subtitle_font)
        painter.setPen(self.colors.muted)
        fm = QFontMetricsF(self.subtitle_font)
        text = fm.elidedText(self.timeline.description, Qt.TextElideMode.ElideRight, room)
        painter.drawText(QRectF(PAD, 38, room, 20), flags, isolate(text))

    def axis_labels(self, scale: TimeScale, width: float) -> list[tuple[str, float, float, bool]]:
        """The axis's labels as drawn: (text, x, width, is_context). Labels that would be cut at
        either edge are left out; the context row (years over months, months over days) keeps
        its label in view while its period is."""
        key = (scale, width, self.zone)
        if self._axis_labels[0] == key:
            return self._axis_labels[1]
        axis = self._axis(scale)
        fm = QFontMetricsF(self.axis_font)
        out: list[tuple[str, float, float, bool]] = []
        for tick in axis.ticks:
            w = fm.horizontalAdvance(tick.label)
            if tick.x >= 0 and tick.x + 3 + w <= width:
                out.append((tick.label, tick.x + 3, w, False))
        cfm = QFontMetricsF(self.context_font)
        for i, tick in enumerate(axis.context):
            nxt = axis.context[i + 1].x if i + 1 < len(axis.context) else width + 1e6
            if nxt < 0 or tick.x > width:
                continue
            w = cfm.horizontalAdvance(tick.label)
            x = min(max(tick.x, 0) + 3, nxt - w - 6, width - w - 3)
            if x >= 0:  # else no room for it whole between its neighbours
                out.append((tick.label, x, w, True))
        self._axis_labels = (key, out)
        return out

    def _axis(self, scale: TimeScale) -> Axis:
        """The axis at `scale` (the last one is kept: a frame asks twice, a pan's next frame
        often at the same scale)."""
        key = (scale, self.zone)
        if self._axis_cache[0] != key:
            self._axis_cache = (key, axis_for(scale, self._char_px, self.zone))
        return self._axis_cache[1]

    def _paint_axis(self, painter: QPainter, frame: Frame, scale: TimeScale) -> None:
        axis = self._axis(scale)
        top = frame.axis_top
        base = top + AXIS_HEIGHT
        # Grid lines through the rows at each labelled tick.
        # Upright one-pixel lines on pixel centres: crisp without antialiasing, which would
        # cost a millisecond a frame for the tall grid lines.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(self.colors.grid, 1))
        painter.drawLines(
            [
                QLineF(round(tick.x) + 0.5, base, round(tick.x) + 0.5, frame.rows_bottom)
                for tick in axis.ticks
                if 0 <= tick.x <= frame.width
            ]
        )
        painter.setPen(QPen(self.colors.axis_line, 1))
        painter.drawLine(QPointF(0, base), QPointF(frame.width, base))
        # One call for all minor ticks: a call per line costs more than the drawing.
        painter.drawLines(
            [
                QLineF(round(x) + 0.5, base - 4, round(x) + 0.5, base)
                for x in axis.minor
                if 0 <= x <= frame.width
            ]
        )
        painter.drawLines(
            [QLineF(t.x, base - 9, t.x, base) for t in axis.ticks if 0 <= t.x <= frame.width]
            + [QLineF(t.x, top + 4, t.x, base) for t in axis.context if 0 <= t.x <= frame.width]
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        fm = QFontMetricsF(self.axis_font)
        cfm = QFontMetricsF(self.context_font)
        for text, x, _w, context in self.axis_labels(scale, frame.width):
            if context:
                painter.setFont(self.context_font)
                painter.setPen(self.colors.muted)
                painter.drawText(QPointF(x, top + 4 + cfm.ascent()), text)
            else:
                painter.setFont(self.axis_font)
                painter.setPen(self.colors.ink)
                painter.drawText(QPointF(x, base - 10 - fm.descent()), text)

    def _paint_event(
        self,
        painter: QPainter,
        frame: Frame,
        mark: Mark,
        is_selected: bool,
        is_hovered: bool,
        found: bool | None = None,
    ) -> None:
        """One event's mark and label. With a search on (`found` not None), a match has its
        label on the match colour and the others are dimmed."""
        rect, label = _rect(mark.rect), _rect(mark.label_rect)
        if rect.right() < -40 and not mark.label:
            return
        if rect.bottom() < frame.rows_top - 6 or rect.top() > frame.rows_bottom:
            return
        color = self.lane_colors[self._lane_of_event[mark.event]]
        if found is False and not is_selected:
            painter.setOpacity(self.colors.dimmed)
        elif found and mark.label:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.colors.match)
            painter.drawRoundedRect(label.adjusted(-3, -2, 3, 2), 4, 4)
        if is_selected or is_hovered:
            back = rect.united(label) if mark.label else QRectF(rect)
            # The highlight spans what is in view, not a band's whole length.
            back = back.intersected(QRectF(-10, back.top(), frame.width + 20, back.height()))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.colors.selection if is_selected else self.colors.hover)
            painter.drawRoundedRect(back.adjusted(-5, -4, 5, 4), 5, 5)
        self.paint_mark(painter, mark, color, is_selected)
        if mark.label:
            font = self.selected_font if is_selected else self.label_font
            painter.setFont(font)
            painter.setPen(self.colors.ink)
            fm = self._fm
            baseline = label.top() + (BAR_HEIGHT + fm.ascent() - fm.descent()) / 2
            if self._screen_ratio:
                # On screen, each label is laid out once (drawText lays it out every frame);
                # exports draw it as text, which SVG and PDF keep as text.
                static, ascent = self._static_label(mark.label, is_selected)
                painter.drawStaticText(QPointF(label.left(), baseline - ascent), static)
            else:
                painter.drawText(QPointF(label.left(), baseline), mark.label)
        painter.setOpacity(1.0)

    def _static_label(self, text: str, bold: bool) -> tuple[QStaticText, float]:
        """A label laid out for the screen, and its font's ascent (drawStaticText places the
        text's top, drawText its baseline)."""
        got = self._static_labels.get((text, bold))
        if got is None:
            if len(self._static_labels) > 20_000:
                self._static_labels.clear()
            static = _prepared(text, self.selected_font if bold else self.label_font)
            fm = self._bold_fm if bold else self._fm
            got = self._static_labels[text, bold] = (static, fm.ascent())
        return got

    def paint_mark(self, painter: QPainter, mark: Mark, color: QColor, selected: bool) -> None:
        """Draw one event's mark as its kind says: the same code draws the legend's samples."""
        rect = _rect(mark.rect)
        # Very wide bands are drawn only over the picture (and a little beyond, so that the
        # edges cut off lie outside it): a month or a year zoomed to hours is tens of thousands
        # of pixels wide, and no painter should handle coordinates in the millions nor stroke a
        # dotted edge that long (milliseconds a band).
        seen = QRectF(-50, rect.top(), self._picture_width + 100, rect.height())
        visible = rect.intersected(seen)
        if mark.kind is MarkKind.RANGE:
            if mark.narrow:
                self._paint_glyph(painter, MarkKind.RANGE, _rect(mark.glyph), color, selected)
                return
            if mark.pale_ends:
                self._paint_band(painter, visible, color, False, selected)
                # Along the band's foot, clear of a label inside it.
                bar = QRectF(visible.left(), rect.bottom() - 4, visible.width(), 2.5)
                painter.fillRect(bar, color)
            if mark.core is not None and mark.core[1] - mark.core[0] > 0.5:
                core = QRectF(mark.core[0], rect.top(), mark.core[1] - mark.core[0], rect.height())
                core = core.intersected(seen)
                self._paint_band(painter, core, color, True, selected)
            return
        if not mark.narrow:
            if mark.kind is MarkKind.DAY:
                # The day's own width, under its diamond: it still reads as one day.
                bar = QRectF(visible.left(), rect.center().y() - 2, visible.width(), 4)
                tint = QColor(color)
                tint.setAlpha(150)
                painter.fillRect(bar, tint)
                painter.fillRect(
                    QRectF(visible.left(), rect.top() + 4, 1.5, rect.height() - 8), color
                )
                painter.fillRect(
                    QRectF(visible.right() - 1.5, rect.top() + 4, 1.5, rect.height() - 8), color
                )
            else:
                self._paint_band(painter, visible, color, False, selected)
        if mark.glyph is not None:
            self._paint_glyph(painter, mark.kind, _rect(mark.glyph), color, selected)

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
        painter.setPen(QPen(self.colors.grid, 1))
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
        cached_pills = bool(self._screen_ratio)
        ratio = self._screen_ratio or 1.0
        texts: list[tuple[QPointF, QStaticText]] = []
        count_fm = QFontMetricsF(self.count_font)
        text_dy = (19 - count_fm.ascent() - count_fm.descent()) / 2
        for rect, cluster in self.visible_clusters(scale, frame, y_offset):
            color = self.lane_colors[cluster.lane]
            if cluster.count == 1:
                i = self.index.lane_events[cluster.lane][cluster.first]
                mark = self._lane_mark(i, scale, frame, y_offset, with_label=False)
                self.paint_mark(painter, mark, color, False)
                continue
            text = self._cluster_text(cluster)
            dim = self._matches is not None and not self.cluster_matches(cluster)
            if dim:
                painter.setOpacity(self.colors.dimmed)
            if cached_pills and not dim:
                back = self._pill(cluster.lane, rect, cluster == hovered, ratio)
                painter.drawPixmap(rect.topLeft(), back)
                texts.append((QPointF(rect.left() + 6, rect.top() + text_dy), self._count(text)[0]))
            else:
                self._draw_pill(painter, QRectF(rect), color, text, cluster == hovered)
            painter.setOpacity(1.0)
        if texts:
            painter.setPen(self.colors.ink)
            for at, static in texts:
                painter.drawStaticText(at, static)
        # Lane names stay at the left edge, over the strip.
        painter.setFont(self.small_font)
        sfm = QFontMetricsF(self.small_font)
        for lane in range(lanes):
            name = isolate(sfm.elidedText(self.lane_name(lane), Qt.TextElideMode.ElideRight, 220))
            y = top + lane * LANE_HEIGHT
            back = QRectF(4, y + 2, sfm.horizontalAdvance(name) + 8, sfm.height() + 2)
            painter.fillRect(back, self.colors.name_back)
            painter.setPen(self.colors.muted)
            painter.drawText(QPointF(8, y + 3 + sfm.ascent()), name)

    def _draw_pill(
        self, painter: QPainter, rect: QRectF, color: QColor, text: str, hovered: bool
    ) -> None:
        painter.setPen(QPen(self.colors.ink if hovered else color, 1.5))
        painter.setBrush(self.colors.hover if hovered else self.colors.background)
        painter.drawRoundedRect(rect.adjusted(0.75, 0.75, -0.75, -0.75), 9, 9)
        if text:
            painter.setPen(self.colors.ink)
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
            static = _prepared(text, self.count_font)
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

    def _paint_glyph(
        self, painter: QPainter, kind: MarkKind, rect: QRectF, color: QColor, selected: bool
    ) -> None:
        """A precision's glyph in a GLYPH_PX square: a filled diamond (day), a hollow circle
        (month), a hollow square (year), a small solid bar (a range too short to show).

        On screen, a cached picture of it (an antialiased shape costs more than a blit);
        exports draw it as vectors."""
        if self._screen_ratio and painter.opacity() == 1.0:
            ratio = self._screen_ratio
            key = (kind, color.rgba(), selected, rect.width(), rect.height(), ratio)
            glyph = self._glyphs.get(key)
            if glyph is None:
                if len(self._glyphs) > 512:
                    self._glyphs.clear()
                side = rect.width() + 2 * _GLYPH_MARGIN, rect.height() + 2 * _GLYPH_MARGIN
                glyph = QPixmap(math.ceil(side[0] * ratio), math.ceil(side[1] * ratio))
                glyph.setDevicePixelRatio(ratio)
                glyph.fill(Qt.GlobalColor.transparent)
                p = QPainter(glyph)
                p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                at = QRectF(_GLYPH_MARGIN, _GLYPH_MARGIN, rect.width(), rect.height())
                self._draw_glyph(p, kind, at, color, selected)
                p.end()
                self._glyphs[key] = glyph
            painter.drawPixmap(
                QPointF(rect.left() - _GLYPH_MARGIN, rect.top() - _GLYPH_MARGIN), glyph
            )
            return
        self._draw_glyph(painter, kind, rect, color, selected)

    def _draw_glyph(
        self, painter: QPainter, kind: MarkKind, rect: QRectF, color: QColor, selected: bool
    ) -> None:
        c = rect.center()
        r = rect.width() / 2
        outline = QPen(
            self.colors.ink if selected else self.colors.background, 2 if selected else 1.2
        )
        if kind is MarkKind.DAY:
            r += 1 if selected else 0
            diamond = QPolygonF(
                [
                    QPointF(c.x(), c.y() - r),
                    QPointF(c.x() + r, c.y()),
                    QPointF(c.x(), c.y() + r),
                    QPointF(c.x() - r, c.y()),
                ]
            )
            painter.setBrush(color)
            painter.setPen(outline)
            painter.drawPolygon(diamond)
        elif kind is MarkKind.RANGE:
            painter.setBrush(color)
            painter.setPen(outline)
            painter.drawRoundedRect(QRectF(rect.left(), c.y() - 3.5, rect.width(), 7), 2, 2)
        else:
            # Hollow, with a thick ring: told from the filled day diamond at any size.
            painter.setBrush(self.colors.background)
            painter.setPen(QPen(self.colors.ink if selected else color, 2.4))
            inner = QRectF(c.x() - r + 1.2, c.y() - r + 1.2, 2 * r - 2.4, 2 * r - 2.4)
            if kind is MarkKind.MONTH:
                painter.drawEllipse(inner)
            else:
                painter.drawRect(inner)

    def _paint_band(
        self, painter: QPainter, rect: QRectF, color: QColor, solid: bool, selected: bool
    ) -> None:
        # Solid: it lasted that long. Pale with a dotted edge: it happened some time in here.
        fill = QColor(color)
        fill.setAlpha(120 if solid else 40)
        painter.setBrush(QBrush(fill))
        pen = QPen(self.colors.ink if selected else color, 2 if selected else 1.2)
        if not solid:
            # One pixel wide: Qt draws a dotted line that thin directly, where 1.2 px made it
            # stroke every dot as a shape (20 ms for one band across the screen, not 0.2).
            pen.setWidthF(2 if selected else 1.0)
            pen.setStyle(Qt.PenStyle.DotLine)
        painter.setPen(pen)
        path = QPainterPath()
        path.addRoundedRect(rect, 3, 3)
        painter.drawPath(path)

    def _paint_sample(self, painter: QPainter, item: LegendItem, x: float, cy: float) -> None:
        """An entry's sample, drawn by the code that draws the events (paint_mark)."""
        if item.kind == "swatch":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(item.color)
            painter.drawRoundedRect(QRectF(x, cy - 5, 10, 10), 2, 2)
            return
        if item.kind == "hidden":
            painter.setPen(QPen(self.colors.muted, 1.2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(x + 0.5, cy - 4.5, 9, 9), 2, 2)
            return
        if item.kind == "uncited":
            painter.setFont(self.small_font)
            painter.setPen(self.colors.muted)
            painter.drawText(QRectF(x, cy - 7, 22, 14), int(Qt.AlignmentFlag.AlignCenter), "Ab")
            return
        if item.kind in ("match", "dimmed"):
            if item.kind == "match":
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self.colors.match)
                painter.drawRoundedRect(QRectF(x, cy - 7, 22, 14), 4, 4)
            else:
                painter.setOpacity(self.colors.dimmed)
            painter.setFont(self.small_font)
            painter.setPen(self.colors.ink)
            painter.drawText(QRectF(x, cy - 7, 22, 14), int(Qt.AlignmentFlag.AlignCenter), "Ab")
            painter.setOpacity(1.0)
            return
        if item.kind == "cluster":
            self._draw_pill(painter, QRectF(x, cy - 8, 24, 16), self.colors.muted, "", False)
            painter.setFont(self.count_font)
            painter.setPen(self.colors.ink)
            painter.drawText(QRectF(x, cy - 8, 24, 16), int(Qt.AlignmentFlag.AlignCenter), "9")
            painter.setFont(self.small_font)
            return
        if item.kind == "strip":
            for k, a in enumerate((30, 70, 120, 170)):
                shade = QColor(self.colors.muted)
                shade.setAlpha(a)
                painter.fillRect(QRectF(x + k * 5.5, cy - 6, 5.5, 12), shade)
            return
        kind = MarkKind(item.kind)
        top = cy - BAR_HEIGHT / 2
        glyph_y = cy - GLYPH_PX / 2
        for form in item.samples:
            if form == "glyph":
                g = (x, glyph_y, GLYPH_PX, GLYPH_PX)
                mark = Mark(-1, kind, g, g, True, "", g)
                x += GLYPH_PX + 4
            else:
                r = (x, top, 30.0, BAR_HEIGHT)
                glyph = None
                if kind is MarkKind.DAY:
                    glyph = (x + 15 - GLYPH_PX / 2, glyph_y, GLYPH_PX, GLYPH_PX)
                elif kind is not MarkKind.RANGE:
                    glyph = (x + GLYPH_INSET_PX, glyph_y, GLYPH_PX, GLYPH_PX)
                core = (x + 9, x + 21) if form == "pale" else (x, x + 30)
                mark = Mark(-1, kind, r, glyph, False, "", r, core, form == "pale")
                x += 34
            self.paint_mark(painter, mark, self.colors.muted, False)

    def _paint_legend(
        self, painter: QPainter, frame: Frame, scale: TimeScale, y_offset: float
    ) -> None:
        # Only what the rows in view show; the room kept for the legend fits every row's marks.
        rows = self._legend_rows(frame, y_offset)
        painter.setPen(QPen(self.colors.grid, 1))
        painter.drawLine(QPointF(0, frame.legend_top), QPointF(frame.width, frame.legend_top))
        painter.setFont(self.small_font)
        fm = self._small_fm
        for x, line, item, sample in self._legend_places(scale, frame.width, rows):
            cy = frame.legend_top + 5 + LEGEND_LINE * (line + 0.5)
            self._paint_sample(painter, item, x, cy)
            painter.setFont(self.small_font)
            painter.setPen(
                self.colors.ink if item.kind in ("swatch", "match") else self.colors.muted
            )
            painter.drawText(
                QPointF(x + sample + 5, cy + (fm.ascent() - fm.descent()) / 2), item.text
            )

    def _paint_footer(self, painter: QPainter, frame: Frame) -> None:
        painter.setPen(QPen(self.colors.grid, 1))
        painter.drawLine(QPointF(0, frame.footer_top), QPointF(frame.width, frame.footer_top))
        painter.setFont(self.small_font)
        painter.setPen(self.colors.muted)
        rect = QRectF(
            PAD, frame.footer_top + 8, frame.width - 2 * PAD, frame.height - frame.footer_top - 8
        )
        painter.drawText(
            rect,
            int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft),
            self.footer_text(frame.width),
        )
