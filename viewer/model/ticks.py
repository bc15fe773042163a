"""Axis ticks that follow the zoom: billions, millions and thousands of years, centuries and
decades down to years, quarters, months, weeks, days, hours, minutes, seconds and milliseconds,
each with a readable label, plus a context row (the year above months, the month above days, the
day above hours) so that a label such as `22` is never read without its month.

Years are labelled BC and AD (`44 BC`, `AD 33`) and far back as `66 million years ago`. Year
ticks fall on multiples of their step in historical numbering (100 BC, AD 100: there is no year
0 between them), so round years are labelled on both sides of the era.

With a time zone, boundaries of a day and finer fall on the zone's clock (its midnights, its
hours); a boundary in a daylight-saving gap goes where the clock resumes, labelled with what the
clock reads there, and one boundary is drawn once. Coarser levels and years outside 1..9999 are
read in UTC, where hours make no visible difference.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from viewer.model.dates import (
    MAX_YEAR,
    MIN_YEAR,
    MONTH_ABBR,
    SECONDS_PER_DAY,
    civil_from_days,
    days_from_civil,
    year_text,
)
from viewer.model.scale import TimeScale

# The average length of each calendar unit, for spacing ticks.
_UNIT_SECONDS = {
    "year": 365.2425 * SECONDS_PER_DAY,
    "month": 30.44 * SECONDS_PER_DAY,
    "week": 7 * SECONDS_PER_DAY,
    "day": SECONDS_PER_DAY,
    "hour": 3600.0,
    "minute": 60.0,
    "second": 1.0,
    "ms": 0.001,
}
_UTC = _dt.UTC
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_UTC)


@dataclass(frozen=True)
class Level:
    unit: str  # "year", "month", "week", "day", "hour", "minute", "second" or "ms"
    step: int
    label_chars: int

    @property
    def approx_seconds(self) -> float:
        return _UNIT_SECONDS[self.unit] * self.step


def _deep_levels() -> tuple[Level, ...]:
    out = []
    for power in range(10, 3, -1):  # 10 billion years down to 10,000
        chars = 20 if power >= 6 else 10  # "13.8 billion years ago", "200,000 BC"
        out += [Level("year", m * 10**power // 10, chars) for m in (50, 20, 10)]
    return tuple(out)


LEVELS = (
    *_deep_levels(),
    Level("year", 5000, 7),
    Level("year", 2000, 7),
    Level("year", 1000, 4),
    Level("year", 500, 4),
    Level("year", 200, 4),
    Level("year", 100, 4),
    Level("year", 50, 4),
    Level("year", 10, 4),
    Level("year", 5, 4),
    Level("year", 2, 4),
    Level("year", 1, 4),
    Level("month", 3, 2),
    Level("month", 1, 3),
    Level("week", 1, 6),
    Level("day", 1, 2),
    Level("hour", 6, 5),
    Level("hour", 3, 5),
    Level("hour", 1, 5),
    Level("minute", 30, 5),
    Level("minute", 15, 5),
    Level("minute", 10, 5),
    Level("minute", 5, 5),
    Level("minute", 1, 5),
    Level("second", 30, 8),
    Level("second", 10, 8),
    Level("second", 5, 8),
    Level("second", 1, 8),
    Level("ms", 500, 6),
    Level("ms", 100, 6),
    Level("ms", 50, 6),
    Level("ms", 10, 6),
)
_FINE = ("day", "week", "hour", "minute", "second", "ms")  # levels that follow a time zone


@dataclass(frozen=True)
class Tick:
    t: float
    x: float
    label: str


@dataclass(frozen=True)
class Axis:
    level: Level
    ticks: tuple[Tick, ...]
    minor: tuple[float, ...]  # x of unlabelled ticks between the labelled ones
    context: tuple[Tick, ...]  # the coarser row: years over months, months over days


def choose_level(spp: float, char_px: float = 7.0, gap_px: float = 10.0) -> Level:
    """The finest level whose labels fit between their ticks at `spp` seconds per pixel."""
    best = LEVELS[0]
    for level in LEVELS:
        if level.approx_seconds / spp >= level.label_chars * char_px + gap_px:
            best = level
        else:
            break
    return best


# A boundary on the wall clock: (year, month, day, hour, minute, second, millisecond).
Wall = tuple[int, int, int, int, int, int, int]


def _wall_seconds(w: Wall) -> float:
    y, mo, d, h, mi, s, ms = w
    return days_from_civil(y, mo, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + s + ms / 1000


def _boundaries(unit: str, step: int, w0: float, w1: float) -> list[Wall]:
    """Wall-clock boundaries of `unit`*`step` from just before w0 to just after w1 (both in
    wall seconds, as if UTC)."""
    first, last = (
        civil_from_days(int(w0 // SECONDS_PER_DAY)),
        civil_from_days(int(w1 // SECONDS_PER_DAY)),
    )
    out: list[Wall] = []
    if unit == "year":
        # Historical numbering (no year 0), so that 100 BC and AD 100 are both round.
        hist0 = first[0] if first[0] >= 1 else first[0] - 1
        hist1 = last[0] if last[0] >= 1 else last[0] - 1
        h = hist0 // step * step
        while h <= hist1 + step:
            # Deep levels mark AD 1 where year 0 would be, a year off, invisible at that step.
            if h != 0 or step >= 10_000:
                year = h if h > 0 else h + 1
                if MIN_YEAR <= year <= MAX_YEAR + 1:
                    out.append((year, 1, 1, 0, 0, 0, 0))
            h += step
    elif unit == "month":
        m = (first[0] * 12 + first[1] - 1) // step * step
        while True:
            y, mo = divmod(m, 12)
            out.append((y, mo + 1, 1, 0, 0, 0, 0))
            if _wall_seconds(out[-1]) > w1:
                break
            m += step
    elif unit in ("week", "day"):
        days = days_from_civil(*first[:3])
        if unit == "week":  # weeks start on Monday; 1970-01-01 was a Thursday
            days -= (days + 3) % 7
        while True:
            out.append((*civil_from_days(days), 0, 0, 0, 0))
            if days * SECONDS_PER_DAY > w1:
                break
            days += 7 if unit == "week" else step
    else:
        # In whole milliseconds, so that a label never reads 2.999 s as 2 s.
        size = round(_UNIT_SECONDS[unit] * 1000) * step
        k = int(w0 * 1000 // size)
        while True:
            total = k * size
            days, ms = divmod(total, 86_400_000)
            h, ms = divmod(ms, 3_600_000)
            mi, ms = divmod(ms, 60_000)
            s, ms = divmod(ms, 1000)
            out.append((*civil_from_days(days), h, mi, s, ms))
            if total > w1 * 1000:
                break
            k += 1
    return out


def _label(level: Level, w: Wall, bc: bool) -> str:
    y, mo, d, h, mi, s, ms = w
    if level.unit == "year":
        return year_text(y, ad=bc)
    if level.unit == "month" and level.step == 3:
        return f"Q{(mo - 1) // 3 + 1}"
    if level.unit == "month":
        return MONTH_ABBR[mo - 1]
    if level.unit == "week":
        return f"{d} {MONTH_ABBR[mo - 1]}"
    if level.unit == "day":
        return f"{d}"
    if level.unit in ("hour", "minute"):
        return f"{h:02d}:{mi:02d}"
    if level.unit == "second":
        return f"{h:02d}:{mi:02d}:{s:02d}"
    return f"{s:02d}.{ms:03d}"


# The unlabelled ticks drawn between the labelled ones at each level.
_MINOR = {
    ("year", 100): ("year", 10),
    ("year", 50): ("year", 10),
    ("year", 10): ("year", 1),
    ("year", 5): ("year", 1),
    ("year", 2): ("year", 1),
    ("year", 1): ("month", 3),
    ("month", 3): ("month", 1),
    ("month", 1): ("day", 1),
    ("week", 1): ("day", 1),
    ("day", 1): ("hour", 6),
    ("hour", 6): ("hour", 1),
    ("hour", 3): ("hour", 1),
    ("hour", 1): ("minute", 15),
    ("minute", 30): ("minute", 5),
    ("minute", 15): ("minute", 5),
    ("minute", 10): ("minute", 1),
    ("minute", 5): ("minute", 1),
    ("second", 30): ("second", 5),
    ("second", 10): ("second", 1),
    ("second", 5): ("second", 1),
}
# The context row over each level: its unit and how it is labelled.
_CONTEXT = {
    "month": ("year", 1),
    "week": ("month", 1),
    "day": ("month", 1),
    "hour": ("day", 1),
    "minute": ("day", 1),
    "second": ("minute", 1),
    "ms": ("minute", 1),
}


def _context_label(unit: str, w: Wall) -> str:
    y, mo, d, h, mi = w[:5]
    if unit == "year":
        return year_text(y)
    if unit == "month":
        return f"{MONTH_ABBR[mo - 1]} {year_text(y)}"
    if unit == "day":
        return f"{d} {MONTH_ABBR[mo - 1]} {year_text(y)}"
    return f"{d} {MONTH_ABBR[mo - 1]} {year_text(y)} {h:02d}:{mi:02d}"


class _Clock:
    """Wall seconds <-> instants in a time zone (None: UTC, where they are the same)."""

    def __init__(self, zone: _dt.tzinfo | None) -> None:
        self.zone = zone

    def _usable(self, t: float) -> bool:
        return self.zone is not None and -62_000_000_000.0 < t < 253_000_000_000.0

    def wall(self, t: float) -> float:
        """The zone's clock reading at the instant t, as wall seconds."""
        if not self._usable(t):
            return t
        moment = _EPOCH + _dt.timedelta(seconds=t)
        return t + moment.astimezone(self.zone).utcoffset().total_seconds()

    def instant(self, w: Wall) -> tuple[float, Wall]:
        """The instant the zone's clock reads `w`, and what the clock reads then. In a gap (the
        clock jumps over w) it is the instant the clock resumes; in a fold, the first time."""
        t = _wall_seconds(w)
        if not self._usable(t):
            return t, w
        local = _dt.datetime(*w[:6], w[6] * 1000, tzinfo=self.zone)
        moment = local.astimezone(_UTC)
        back = moment.astimezone(self.zone)
        if back.replace(tzinfo=None) != local.replace(tzinfo=None):
            # A gap: fold=0 read w with the offset before the jump; the clock resumes at the
            # jump itself, which is w read with the offset after it.
            moment = local.replace(fold=1).astimezone(_UTC)
            back = moment.astimezone(self.zone)
        seconds = (moment - _EPOCH).total_seconds()
        shown = (back.year, back.month, back.day, back.hour, back.minute, back.second, w[6])
        return seconds, shown


def _placed(clock: _Clock, unit: str, step: int, w0: float, w1: float) -> list[tuple[float, Wall]]:
    """The boundaries between the wall times w0 and w1 as instants, each with its label's wall
    time; a gap can put two boundaries on one instant, which is kept once."""
    out: list[tuple[float, Wall]] = []
    for w in _boundaries(unit, step, w0, w1):
        t, shown = clock.instant(w)
        if not out or t > out[-1][0]:
            out.append((t, shown))
    return out


def axis_for(scale: TimeScale, char_px: float = 7.0, zone: _dt.tzinfo | None = None) -> Axis:
    """The ticks to draw across `scale`, with labels, minor ticks and the context row; days and
    finer follow the clock of `zone` (UTC when None)."""
    level = choose_level(scale.spp, char_px)
    at = LEVELS.index(level)
    while True:
        clock = _Clock(zone if level.unit in _FINE else None)
        w0, w1 = clock.wall(scale.t0), clock.wall(scale.t1)
        marks = _placed(clock, level.unit, level.step, w0, w1)
        bc = level.unit == "year" and any(w[0] < 1 for _, w in marks)
        labels = [_label(level, w, bc) for _, w in marks]
        # Far years have long labels (`AD 86,676,247,450`): a coarser level until they fit.
        widest = max(map(len, labels), default=0)
        if at == 0 or level.approx_seconds / scale.spp >= widest * char_px + 10.0:
            break
        at -= 1
        level = LEVELS[at]
    ticks = tuple(
        Tick(t, scale.x_of(t), label) for (t, _), label in zip(marks, labels, strict=True)
    )

    def placed(unit: str, step: int) -> list[tuple[float, Wall]]:
        return _placed(clock, unit, step, w0, w1)

    minor: tuple[float, ...] = ()
    ml = _MINOR.get((level.unit, level.step))
    # Minor ticks only where they stay at least 4 px apart.
    if ml and _UNIT_SECONDS[ml[0]] * ml[1] / scale.spp >= 4:
        minor = tuple(scale.x_of(t) for t, _ in placed(*ml))
    context: tuple[Tick, ...] = ()
    if level.unit in _CONTEXT:
        unit, step = _CONTEXT[level.unit]
        context = tuple(
            Tick(t, scale.x_of(t), _context_label(unit, w)) for t, w in placed(unit, step)
        )
    return Axis(level, ticks, minor, context)
