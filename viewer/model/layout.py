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

POINT_BELOW_PX = 6.0  # a period narrower than this is drawn as a point
POINT_HALF_PX = 6.0  # half the width of a point marker
LABEL_GAP_PX = 6.0  # between marker and label
ROW_GAP_PX = 14.0  # between one extent and the next in a row
END_ALLOWANCE_PX = 40.0  # how far a label may run past the last event before it flips left


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
) -> list[Placed]:
    """Place events given their (start, end) times and label widths in pixels.

    `spp` is seconds per pixel and `origin` the time at content x = 0. Labels sit right of the
    marker; one that would run more than END_ALLOWANCE_PX past the timeline's end goes to the
    marker's left instead, so that a fitted view shows every label whole.
    """
    if not spans:
        return []
    first = min(s for s, _ in spans)
    last = max(e for _, e in spans)
    x_first = (first - origin) / spp
    x_last = (last - origin) / spp
    boxes: list[tuple[float, float, float, bool, float, float]] = []
    for (start, end), w in zip(spans, label_widths, strict=True):
        x0 = (start - origin) / spp
        x1 = (end - origin) / spp
        is_point = x1 - x0 < POINT_BELOW_PX
        if is_point:
            mid = (x0 + x1) / 2
            x0, x1 = mid - POINT_HALF_PX, mid + POINT_HALF_PX
            label_x = x1 + LABEL_GAP_PX
        else:
            label_x = x0 + LABEL_GAP_PX
        if label_x + w > x_last + END_ALLOWANCE_PX:
            flipped = x0 - LABEL_GAP_PX - w
            if flipped >= x_first - END_ALLOWANCE_PX:
                label_x = flipped
        boxes.append((min(x0, label_x), max(x1, label_x + w), x0, is_point, label_x, x1))
    rows = pack_rows([(b[0], b[1]) for b in boxes], ROW_GAP_PX)
    return [
        Placed(i, rows[i], b[2], b[5], b[3], b[4], label_widths[i]) for i, b in enumerate(boxes)
    ]


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
