"""What a picture shows, as plain data: a list of marks that painting, hit-testing and tests share.

The precision vocabulary lives here. An event's mark kind comes from its dates alone, never from
the zoom, so a month stays a month whether it covers three pixels or three thousand:

- DAY: a filled diamond. Known to the day or finer (an hour, a minute, a second). Zoomed in until
  its period (the day, or its own hour, minute or second) is wider than the diamond, a thin bar
  shows that width under it, so it still reads as that one period.
- MONTH: a hollow circle. Known only to the month. Wider than the circle, the month is a pale
  band with a dotted edge (somewhere in here), the circle at its start.
- YEAR: a hollow square. Known only to the year; the same pale band when wide.
- RANGE: solid. It lasted that long. When wide, a solid band; an end known only to a month or a
  year is drawn pale and dotted over that month or year, so the solid part is what is certain.
  Narrower than a glyph, a small solid bar.

Uncertain dates use the same vocabulary: `between A and B` is the pale band over [A, B] with the
glyph of the finest of day, month and year that holds the whole window (between 3 and 5 April:
the month's circle), and `circa D` is D's band with the glyph one step coarser than D's own (a
circa day gets the month's circle, a circa month or year the year's square); its label says `c.`.

Each of these is told apart by its glyph's shape and fill, which every width keeps.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from viewer.model.dates import DateSpan, Precision

GLYPH_PX = 12.0  # width of a precision glyph; a period narrower than this is drawn as one


class MarkKind(enum.Enum):
    """How an event is drawn: one kind for each precision, and one for a range."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    RANGE = "range"


# The legend's words for each kind (the legend draws the kind's own mark beside them).
KIND_TEXT = {
    MarkKind.DAY: "known to the day or finer",
    MarkKind.MONTH: "known only to the month",
    MarkKind.YEAR: "known only to the year",
    MarkKind.RANGE: "lasted this long",
}
# A range whose end is known only to a month or a year: its pale end, in the legend.
PALE_END_TEXT = "range end known only to the month or year"


def mark_kind(when: DateSpan) -> MarkKind:
    """The mark an event with these dates is drawn with, at every zoom."""
    if when.is_range:
        return MarkKind.RANGE
    precision = when.begin.precision  # an uncertain date's is already its honest glyph's
    if precision >= Precision.DAY:
        return MarkKind.DAY
    if precision is Precision.MONTH:
        return MarkKind.MONTH
    return MarkKind.YEAR


def certain_part(when: DateSpan) -> tuple[float, float]:
    """For a range, the time it certainly covers: from the end of its first date's period to the
    start of its last date's (the whole range when both ends are days or times, whose periods the
    band covers whole anyway; an uncertain end is never certain). Empty (start == end) when the
    two periods touch."""
    if when.until is None:
        return when.start, when.end
    a = when.begin.start if when.begin.known_to_the_day else when.begin.end
    b = when.until.end if when.until.known_to_the_day else when.until.start
    return a, max(a, b)


@dataclass(frozen=True)
class Mark:
    """One event as drawn: its kind, its mark's rectangle and its label's, in picture pixels.

    `glyph` is where the precision glyph is drawn (None for a wide range, whose solid fill says
    what it is). `narrow` is true when the mark is the glyph alone. `core` is the x extent of a
    range's solid part. `label` is the text drawn, '' when the label is not drawn (its mark is off
    the view and the label would be cut).
    """

    event: int
    kind: MarkKind
    rect: tuple[float, float, float, float]
    glyph: tuple[float, float, float, float] | None
    narrow: bool
    label: str
    label_rect: tuple[float, float, float, float]
    core: tuple[float, float] | None = None
    pale_ends: bool = False


def crosses(outer: tuple[float, float, float, float], inner: tuple[float, float, float, float]):
    """Whether rectangle `inner` (x, y, w, h) straddles a vertical edge of `outer`: it is neither
    inside it nor clear of it, horizontally, where the two share height."""
    ox, oy, ow, oh = outer
    ix, iy, iw, ih = inner
    if iy >= oy + oh or oy >= iy + ih:
        return False
    inside = ix >= ox - 1e-6 and ix + iw <= ox + ow + 1e-6
    clear = ix + iw <= ox + 1e-6 or ix >= ox + ow - 1e-6
    return not (inside or clear)
