"""Axis ticks that follow the zoom: centuries and decades down to years, quarters, months, weeks
and days, each with a readable label, plus a context row (the year above months, the month above
days) so that a label such as `22` is never read without its month."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from viewer.model.dates import MONTH_ABBR, SECONDS_PER_DAY, date_from_seconds, seconds_from_date
from viewer.model.scale import TimeScale

# The average length of each calendar unit, for spacing ticks.
_UNIT_SECONDS = {
    "year": 365.2425 * SECONDS_PER_DAY,
    "month": 30.44 * SECONDS_PER_DAY,
    "week": 7 * SECONDS_PER_DAY,
    "day": SECONDS_PER_DAY,
}


@dataclass(frozen=True)
class Level:
    unit: str  # "year", "month", "week" or "day"
    step: int
    label_chars: int

    @property
    def approx_seconds(self) -> float:
        return _UNIT_SECONDS[self.unit] * self.step


LEVELS = (
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
)


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


def _boundaries(unit: str, step: int, t0: float, t1: float) -> list[_dt.date]:
    """Calendar boundaries of `unit`*`step` from just before t0 to just after t1."""
    first = date_from_seconds(t0).date()
    last = date_from_seconds(t1).date()
    out: list[_dt.date] = []
    if unit == "year":
        y = first.year - first.year % step
        if y < 1:  # no year 0: start at the first multiple of the step, not at year 1
            y += step
        while y <= min(last.year + step, 9999):
            out.append(_dt.date(y, 1, 1))
            y += step
    elif unit == "month":
        m = (first.year * 12 + first.month - 1) // step * step
        while True:
            y, mo = divmod(m, 12)
            if y > 9999 or y > last.year + 1:
                break
            if y >= 1:
                out.append(_dt.date(y, mo + 1, 1))
            if out and out[-1] > last:
                break
            m += step
    else:
        days = 7 if unit == "week" else step
        d = first - _dt.timedelta(days=first.weekday()) if unit == "week" else first
        while True:
            out.append(d)
            if d > last:
                break
            try:
                d = d + _dt.timedelta(days=days)
            except OverflowError:
                break
    return out


def _label(level: Level, d: _dt.date) -> str:
    if level.unit == "year":
        return f"{d.year}"
    if level.unit == "month" and level.step == 3:
        return f"Q{(d.month - 1) // 3 + 1}"
    if level.unit == "month":
        return MONTH_ABBR[d.month - 1]
    if level.unit == "week":
        return f"{d.day} {MONTH_ABBR[d.month - 1]}"
    return f"{d.day}"


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
}


def axis_for(scale: TimeScale, char_px: float = 7.0) -> Axis:
    """The ticks to draw across `scale`, with labels, minor ticks and the context row."""
    level = choose_level(scale.spp, char_px)
    t0, t1 = scale.t0, scale.t1
    ticks = tuple(
        Tick(seconds_from_date(d), scale.x_of(seconds_from_date(d)), _label(level, d))
        for d in _boundaries(level.unit, level.step, t0, t1)
    )
    minor: tuple[float, ...] = ()
    ml = _MINOR.get((level.unit, level.step))
    # Minor ticks only where they stay at least 4 px apart.
    if ml and _UNIT_SECONDS[ml[0]] * ml[1] / scale.spp >= 4:
        minor = tuple(scale.x_of(seconds_from_date(d)) for d in _boundaries(ml[0], ml[1], t0, t1))
    context: tuple[Tick, ...] = ()
    if level.unit == "month":
        context = tuple(
            Tick(seconds_from_date(d), scale.x_of(seconds_from_date(d)), f"{d.year}")
            for d in _boundaries("year", 1, t0, t1)
        )
    elif level.unit in ("week", "day"):
        context = tuple(
            Tick(
                seconds_from_date(d),
                scale.x_of(seconds_from_date(d)),
                f"{MONTH_ABBR[d.month - 1]} {d.year}",
            )
            for d in _boundaries("month", 1, t0, t1)
        )
    return Axis(level, ticks, minor, context)
