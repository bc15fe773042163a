"""Dates at the precision the sources give: a year, a month or a day.

A `PartialDate` never invents detail. `2019` means the whole of 2019, so it spans from the first
instant of the year to the first instant of the next; `2021-04` spans April 2021; `2022-04-22`
spans that one day. Times on the time axis are float seconds since 1970-01-01 (proleptic
Gregorian, no time zone), computed from day ordinals so that years 1 to 9999 all work.
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import re
from dataclasses import dataclass

from dateutil import parser as _dateparser

SECONDS_PER_DAY = 86_400.0
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The three forms we write ourselves; anything else goes to dateutil.
_ISO = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")  # ASCII digits only
# Two defaults that differ in every field: a field dateutil fills from the default was not
# in the text, so comparing two parses tells us the precision the text gave.
_DEFAULT_A = _dt.datetime(2000, 1, 1)
_DEFAULT_B = _dt.datetime(2001, 2, 2)


class DateError(ValueError):
    """A text that is not a date we can place: the message says why."""


def _quoted(text: object) -> str:
    """`text` as a message quotes it: repr(), cut short past 200 characters (it is untrusted)."""
    if isinstance(text, str) and len(text) > 200:
        return repr(text[:199] + "…")
    return repr(text)


class Precision(enum.IntEnum):
    """How much of a date the source gives. Larger means finer."""

    YEAR = 1
    MONTH = 2
    DAY = 3


def seconds_from_date(d: _dt.date) -> float:
    """Seconds since 1970-01-01 at the start of the day `d`."""
    return (d.toordinal() - _EPOCH_ORDINAL) * SECONDS_PER_DAY


def date_from_seconds(t: float) -> _dt.datetime:
    """The datetime at `t` seconds since 1970, clamped to the years 1..9999."""
    days = t / SECONDS_PER_DAY
    ordinal = int(days // 1) + _EPOCH_ORDINAL
    ordinal = min(max(ordinal, 1), _dt.date.max.toordinal())
    base = _dt.datetime.fromordinal(ordinal)
    frac = t - seconds_from_date(base.date())
    frac = min(max(frac, 0.0), SECONDS_PER_DAY - 1e-6)
    return base + _dt.timedelta(seconds=frac)


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise DateError(f"year {self.year} is outside 1..9999")
        if self.month is None and self.day is not None:
            raise DateError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise DateError(f"month {self.month} is not 1..12")
        if self.day is not None:
            try:
                _dt.date(self.year, self.month or 1, self.day)
            except ValueError as exc:
                raise DateError(str(exc)) from None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    def first_day(self) -> _dt.date:
        """The first day the date covers."""
        return _dt.date(self.year, self.month or 1, self.day or 1)

    def day_after(self) -> _dt.date | None:
        """The first day after the period, or None past the year 9999."""
        try:
            if self.day is not None:
                return self.first_day() + _dt.timedelta(days=1)
            if self.month is not None:
                if self.month == 12:
                    return _dt.date(self.year + 1, 1, 1)
                return _dt.date(self.year, self.month + 1, 1)
            return _dt.date(self.year + 1, 1, 1)
        except (ValueError, OverflowError):
            return None

    @functools.cached_property
    def start(self) -> float:
        """Seconds since 1970 at the first instant the date covers."""
        return seconds_from_date(self.first_day())

    @functools.cached_property
    def end(self) -> float:
        """Seconds since 1970 at the first instant after the period (exclusive end)."""
        after = self.day_after()
        if after is None:  # 9999-12: the period ends with the calendar
            return seconds_from_date(_dt.date.max) + SECONDS_PER_DAY
        return seconds_from_date(after)

    def label(self) -> str:
        """`2019`, `Apr 2021` or `22 Apr 2022`: the date at its own precision."""
        if self.month is None:
            return f"{self.year}"
        if self.day is None:
            return f"{MONTH_ABBR[self.month - 1]} {self.year}"
        return f"{self.day} {MONTH_ABBR[self.month - 1]} {self.year}"

    def iso(self) -> str:
        """The date as written in our file format: `2019`, `2021-04` or `2022-04-22`."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def parse_date(text: str) -> PartialDate:
    """Parse `text` into a PartialDate at the precision the text gives.

    `2019`, `2021-04` and `2022-04-22` are read directly; other forms (`April 2021`,
    `22 Apr 2022`) go through python-dateutil's parser. A text without a year, or naming a day
    that does not exist, raises DateError.
    """
    if not isinstance(text, str):
        raise DateError(f"{_quoted(text)} is not a date")
    return _parse_text(text)


# Large timelines repeat the same few thousand dates; PartialDate is immutable, so one parse
# serves them all. Failures raise and are not cached.
@functools.lru_cache(maxsize=1 << 16)
def _parse_text(text: str) -> PartialDate:
    s = text.strip()
    m = _ISO.match(s)
    if m:
        # The form tells the precision; PartialDate checks the calendar (month 13, 30 February).
        year, month, day = (int(g) if g else None for g in m.groups())
        try:
            return PartialDate(year, month, day)  # type: ignore[arg-type]
        except DateError:
            raise DateError(f"{_quoted(text)} is not a date") from None
    if not s or s.isdigit():
        raise DateError(f"{_quoted(text)} is not a date")
    try:
        a = _dateparser.parse(s, default=_DEFAULT_A)
        b = _dateparser.parse(s, default=_DEFAULT_B)
    except (ValueError, OverflowError, TypeError):
        raise DateError(f"{_quoted(text)} is not a date") from None
    if a.year != b.year:
        raise DateError(f"{_quoted(text)} has no year")
    if (a.hour, a.minute, a.second) != (0, 0, 0):
        raise DateError(f"{_quoted(text)} has a time of day; give a year, a month or a day")
    has_month = a.month == b.month
    has_day = a.day == b.day
    if has_day and not has_month:
        raise DateError(f"{_quoted(text)} has a day but no month")
    return PartialDate(a.year, a.month if has_month else None, a.day if has_day else None)


@dataclass(frozen=True)
class DateSpan:
    """When an event happened: a date, or a range from one date to another (both inclusive)."""

    begin: PartialDate
    until: PartialDate | None = None

    def __post_init__(self) -> None:
        if self.until is not None and self.until.end <= self.begin.start:
            raise DateError(
                f"the end {self.until.iso()!r} is before the start {self.begin.iso()!r}"
            )

    @functools.cached_property
    def start(self) -> float:
        return self.begin.start

    @functools.cached_property
    def end(self) -> float:
        return (self.until or self.begin).end

    @property
    def precision(self) -> Precision:
        """The coarser precision of the two ends."""
        if self.until is None:
            return self.begin.precision
        return min(self.begin.precision, self.until.precision)

    @property
    def is_range(self) -> bool:
        return self.until is not None

    def label(self) -> str:
        """The span in words: `Apr 2021`, or `Aug 2023 – Jul 2024` for a range."""
        if self.until is None:
            return self.begin.label()
        return f"{self.begin.label()} – {self.until.label()}"
