"""Where each event's mark and label go: in time order, no two labels overlapping.

Each event occupies a horizontal extent: its mark (a band over the period it covers, or its
precision's glyph when that period is narrower than a glyph) and its label. The label sits right
of the mark, or inside a band when it fits there whole (after the glyph), so each row reads left
to right in time and every label is beside its own mark. Labels never go left of their mark: a
label left of a 2023 band reads as if it belonged to 2022.

Extents are packed into rows greedily in time order, each into the lowest row that is free there
(O(n log n)); a new row is opened only for an event later than the first of every row above it,
so the rows' first events are in time order too.

Positions are in content pixels measured from the timeline's start, so a pan (which shifts every
x by the same amount) leaves the rows as they were; only the zoom changes them.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from viewer.model.scale import MAX_TIME, TimeScale, fit
from viewer.model.scene import GLYPH_PX, MarkKind

LABEL_GAP_PX = 6.0  # between a mark and the label right of it
ROW_GAP_PX = 14.0  # between one extent and the next in a row
INSIDE_PAD_PX = 6.0  # room a label keeps from a band's edges when it sits inside
GLYPH_INSET_PX = 4.0  # the glyph's left edge, in from the band's start
MAX_LABEL_SHARE = 0.45  # a label is at most this share of the view's width (then elided)
RIGHT_ROOM_SHARE = 0.5  # at most this share of the width is kept for labels past the last event


@dataclass(frozen=True)
class Placed:
    """One event's place. x values are content pixels (add `offset` of the scale to draw).

    `bar_x0..bar_x1` is the mark's extent: the period it covers, or a glyph's width centred on
    it when `is_point` (the period is narrower than a glyph).
    """

    index: int
    row: int
    bar_x0: float
    bar_x1: float
    is_point: bool
    label_x: float
    label_w: float

    @property
    def left(self) -> float:
        return min(self.bar_x0, self.label_x)

    @property
    def right(self) -> float:
        return max(self.bar_x1, self.label_x + self.label_w)

    @property
    def label_inside(self) -> bool:
        return not self.is_point and self.label_x < self.bar_x1


def inside_label_x(kind: MarkKind, x0: float) -> float:
    """Where a label inside a band of `kind` starting at x0 begins: past its glyph or its solid
    start edge."""
    if kind is MarkKind.RANGE:
        return x0 + INSIDE_PAD_PX
    return x0 + GLYPH_INSET_PX + GLYPH_PX + INSIDE_PAD_PX / 2


def mark_extent(x0: float, x1: float) -> tuple[float, float, bool]:
    """The mark's extent for a period from x0 to x1: the period, or a glyph centred on it when
    the period is narrower than a glyph (then True)."""
    if x1 - x0 < GLYPH_PX:
        mid = (x0 + x1) / 2
        return mid - GLYPH_PX / 2, mid + GLYPH_PX / 2, True
    return x0, x1, False


def place_events(
    spans: Sequence[tuple[float, float]],
    label_widths: Sequence[float],
    spp: float,
    origin: float,
    ids: Sequence[int] | None = None,
    kinds: Sequence[MarkKind] | None = None,
    end_time: float = MAX_TIME,
) -> list[Placed]:
    """Place events given their (start, end) times, label widths in pixels and mark kinds.

    `spans` must be in time order (by start). `spp` is seconds per pixel and `origin` the time
    at content x = 0. Each result's `index` is the event's position in `spans`, or its entry in
    `ids` when given. A label sits inside a band only when it fits there whole, past the band's
    glyph and clear of its end; otherwise right of the mark. A day's mark never holds its label
    (its glyph sits at the day's centre). Only where the calendar ends (`end_time`, the end of
    the year 9999) leaves no room right of a mark does its label go left of it. All of this
    depends on the zoom only, not on the pan.
    """
    if not spans:
        return []
    end_x = (end_time - origin) / spp
    boxes: list[tuple[float, float, bool, float]] = []
    for k, ((start, end), w) in enumerate(zip(spans, label_widths, strict=True)):
        kind = kinds[k] if kinds is not None else MarkKind.RANGE
        x0, x1, is_point = mark_extent((start - origin) / spp, (end - origin) / spp)
        inside = inside_label_x(kind, x0)
        if not is_point and kind is not MarkKind.DAY and inside + w + INSIDE_PAD_PX <= x1:
            label_x = inside
        else:
            label_x = x1 + LABEL_GAP_PX
            if label_x + w > end_x:
                label_x = x0 - LABEL_GAP_PX - w
        boxes.append((x0, x1, is_point, label_x))
    extents = [
        (min(b[0], b[3]), max(b[1], b[3] + w)) for b, w in zip(boxes, label_widths, strict=True)
    ]
    rows = pack_rows(extents, ROW_GAP_PX)
    names = range(len(boxes)) if ids is None else ids
    return [
        Placed(names[i], rows[i], b[0], b[1], b[2], b[3], label_widths[i])
        for i, b in enumerate(boxes)
    ]


def max_label_px(width: float, cap: float) -> float:
    """The widest a label may be in a view `width` px wide: labels longer than this are elided,
    so that a fitted view always has room for them."""
    return max(80.0, min(cap, width * MAX_LABEL_SHARE))


def fit_with_labels(
    spans: Sequence[tuple[float, float]],
    label_widths: Sequence[float],
    width: float,
    margin_px: float,
    kinds: Sequence[MarkKind] | None = None,
) -> TimeScale:
    """The scale that shows every event and its whole label across `width` pixels.

    Labels keep their size while the scale changes, so the room they need past the last event
    is found by refitting a few times; it never takes more than half the width, and labels are
    at most MAX_LABEL_SHARE of it, so they fit.
    """
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    right = margin_px
    scale = fit(start, end, width, margin_px)
    for _ in range(6):
        placed = place_events(spans, label_widths, scale.spp, start, kinds=kinds)
        x_end = (end - start) / scale.spp
        overhang = max(p.right for p in placed) - x_end
        wanted = min(max(margin_px, overhang + margin_px / 2), width * RIGHT_ROOM_SHARE)
        if abs(wanted - right) < 1:
            break
        right = max(wanted, right)  # never shrink: the labels only grow in share as it narrows
        scale = fit(start, end, width, margin_px, right)
    return scale


def pack_rows(extents: Sequence[tuple[float, float]], gap: float) -> list[int]:
    """Row number for each (left, right) extent so that extents in a row are `gap` apart.

    Greedy in order of left edge (ties keep input order), each into the lowest free row:
    optimal in the number of rows for intervals, and O(n log n). Rows are opened in that
    order, so the first extent of each row is to the left of the first of the row below.
    """
    order = sorted(range(len(extents)), key=lambda i: extents[i][0])
    rows = [0] * len(extents)
    busy: list[tuple[float, int]] = []  # (right edge + gap, row)
    free: list[int] = []
    count = 0
    for i in order:
        left, right = extents[i]
        while busy and busy[0][0] <= left:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            row = heapq.heappop(free)
        else:
            row = count
            count += 1
        rows[i] = row
        heapq.heappush(busy, (right + gap, row))
    return rows
