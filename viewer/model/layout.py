"""Where each event and its label go, so that no two labels overlap.

Each event occupies a horizontal extent: its marker (a band over the period it covers, or a point
when that period is narrower than a few pixels) and its label. Extents are packed into rows
greedily in order of their left edge, each into the lowest row that is free there: O(n log n).

Positions are in content pixels measured from the timeline's start, so a pan (which shifts every
x by the same amount) leaves the rows as they were; only the zoom changes them.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from viewer.model.scale import TimeScale, fit

POINT_BELOW_PX = 6.0  # a period narrower than this is drawn as a point
POINT_HALF_PX = 6.0  # half the width of a point marker
LABEL_GAP_PX = 6.0  # between marker and label
ROW_GAP_PX = 14.0  # between one extent and the next in a row
LABEL_INSIDE_MIN_PX = 80.0  # a band at least this wide carries its label inside
END_ALLOWANCE_PX = 24.0  # how far a label may run past the last event before it flips left


@dataclass(frozen=True)
class Placed:
    """One event's place. x values are content pixels (add `offset` of the scale to draw)."""

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


def place_events(
    spans: Sequence[tuple[float, float]],
    label_widths: Sequence[float],
    spp: float,
    origin: float,
    ids: Sequence[int] | None = None,
) -> list[Placed]:
    """Place events given their (start, end) times and label widths in pixels.

    `spp` is seconds per pixel and `origin` the time at content x = 0. Each result's `index` is
    the event's position in `spans`, or its entry in `ids` when given. A label starts inside a
    band wide enough to carry it, and otherwise right of the marker. A label that would run more
    than END_ALLOWANCE_PX past the end of the last event goes left of its marker instead, so a
    fitted view needs little room past the end. All of this depends on the zoom only, not on
    the pan.
    """
    if not spans:
        return []
    x_first = (min(s for s, _ in spans) - origin) / spp
    x_last = (max(e for _, e in spans) - origin) / spp
    boxes: list[tuple[float, float, float, bool, float, float]] = []
    for (start, end), w in zip(spans, label_widths, strict=True):
        x0 = (start - origin) / spp
        x1 = (end - origin) / spp
        is_point = x1 - x0 < POINT_BELOW_PX
        if is_point:
            mid = (x0 + x1) / 2
            x0, x1 = mid - POINT_HALF_PX, mid + POINT_HALF_PX
            label_x = x1 + LABEL_GAP_PX
        elif x1 - x0 >= min(LABEL_INSIDE_MIN_PX, w + 2 * LABEL_GAP_PX + 3):
            label_x = x0 + LABEL_GAP_PX + 3  # past the band's solid start edge
        else:
            label_x = x1 + LABEL_GAP_PX
        if label_x + w > x_last + END_ALLOWANCE_PX and x0 - LABEL_GAP_PX - w >= x_first:
            label_x = x0 - LABEL_GAP_PX - w
        boxes.append((min(x0, label_x), max(x1, label_x + w), x0, is_point, label_x, x1))
    rows = pack_rows([(b[0], b[1]) for b in boxes], ROW_GAP_PX)
    names = range(len(boxes)) if ids is None else ids
    return [
        Placed(names[i], rows[i], b[2], b[5], b[3], b[4], label_widths[i])
        for i, b in enumerate(boxes)
    ]


def fit_with_labels(
    spans: Sequence[tuple[float, float]],
    label_widths: Sequence[float],
    width: float,
    margin_px: float,
) -> TimeScale:
    """The scale that shows every event and, as far as a width allows, every label whole.

    Labels keep their size while the scale changes, so the room they need past the last event
    is found by refitting a few times; it never takes more than 45% of the width.
    """
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    right = margin_px
    scale = fit(start, end, width, margin_px)
    for _ in range(4):
        placed = place_events(spans, label_widths, scale.spp, start)
        x_end = (end - start) / scale.spp
        overhang = max(p.right for p in placed) - x_end
        wanted = min(max(margin_px, overhang + margin_px / 2), width * 0.45)
        if abs(wanted - right) < 1:
            break
        right = wanted
        scale = fit(start, end, width, margin_px, right)
    return scale


def pack_rows(extents: Sequence[tuple[float, float]], gap: float) -> list[int]:
    """Row number for each (left, right) extent so that extents in a row are `gap` apart.

    Greedy in order of left edge, each into the lowest free row: optimal in the number of rows
    for intervals, and O(n log n).
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
