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

SECONDS_PER_DAY = 86_400.0
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The three forms we write ourselves (fullmatch: `$` would let a trailing newline in).
_ISO = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")  # ASCII digits only
# A date text is a few words at most; anything longer is refused before it is parsed.
MAX_DATE_CHARS = 100


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
    """Parse `text` into a PartialDate at the precision the text gives, or raise DateError.

    Read: `2019`, `2021-04`, `2022-04-22`, `2022/04/22`, `2022/04`, and English month names
    (full or three letters, any case) with a day and a year: `April 2021`, `Apr. 2021`,
    `22 April 2022`, `April 22, 2022`. Nothing else may be in the text but spaces and commas, so
    a date says exactly what it says. Refused, each with its reason: a text longer than
    MAX_DATE_CHARS (before any parsing), a time of day or offset, a sign, a control character,
    digits other than ASCII 0-9, no year, a day that does not exist, and `04/05/2022`
    (ambiguous: day or month first).
    """
    if not isinstance(text, str):
        raise DateError(f"{_quoted(text)} is not a date")
    if len(text) > MAX_DATE_CHARS:  # before anything else: a 1 MB text costs nothing more
        raise DateError(
            f"{_quoted(text)} is not a date: it is longer than {MAX_DATE_CHARS} characters"
        )
    return _parse_text(text)


def _not_a_date(text: str, why: str = "") -> DateError:
    return DateError(f"{_quoted(text)} is not a date" + (f": {why}" if why else ""))


# Large timelines repeat the same few thousand dates; PartialDate is immutable, so one parse
# serves them all. Failures raise and are not cached.
@functools.lru_cache(maxsize=1 << 16)
def _parse_text(text: str) -> PartialDate:
    s = text.strip(" ")
    if not s:
        raise _not_a_date(text)
    if not s.isascii():
        if any(c.isdigit() or c.isnumeric() for c in s if not c.isascii()):
            raise _not_a_date(text, "digits must be ASCII 0-9")
        raise _not_a_date(text, "only English month names, ASCII digits and spaces are read")
    if _CONTROL.search(s):
        raise _not_a_date(text, "it contains a control character")
    m = _ISO.fullmatch(s) or _YEAR_FIRST.fullmatch(s)
    if m:
        # The form tells the precision; PartialDate checks the calendar (month 13, 30 February).
        year, month, day = (int(g) if g else None for g in m.groups())
        return _date(text, year, month, day)  # type: ignore[arg-type]
    if s[0] == "-" and s[1:2].isdigit():
        raise _not_a_date(text, "years before 1 are not supported yet")
    if s[0] == "+":
        raise _not_a_date(text, "a year has no sign")
    if ":" in s or _TIME_T.search(s):
        raise DateError(f"{_quoted(text)} has a time of day; give a year, a month or a day")
    if _DAY_MONTH_YEAR.fullmatch(s):
        raise _not_a_date(text, "day or month first? Write it as YYYY-MM-DD")
    return _words(text, s)


_MONTHS = {
    name: k + 1
    for k, full in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )
    for name in (full, full[:3])
}
_MONTHS["sept"] = 9
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_YEAR_FIRST = re.compile(r"([0-9]{4})/([0-9]{1,2})(?:/([0-9]{1,2}))?")
_DAY_MONTH_YEAR = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}")
_TIME_T = re.compile(r"[0-9][Tt][0-9]")
# A text of words: each token a month name (with an optional full stop after it) or a number,
# the tokens apart by spaces and commas.
_TOKEN = re.compile(r"([A-Za-z]+)\.?|([0-9]+)")
_APART = re.compile(r"[ ,]+")


def _date(text: str, year: int, month: int | None = None, day: int | None = None) -> PartialDate:
    try:
        return PartialDate(year, month, day)
    except DateError:
        raise _not_a_date(text) from None


def _words(text: str, s: str) -> PartialDate:
    """`April 2021`, `22 Apr 2022`, `April 22, 2022`: a month name, a day and a year, and
    nothing else. A one- or two-digit number is a day; three or four digits are a year."""
    kinds: list[str] = []
    month = day = year = None
    for part in _APART.split(s.strip(",")):
        m = _TOKEN.fullmatch(part)
        if m is None:
            raise _not_a_date(text)
        if m.group(1):
            if m.group(1).lower() not in _MONTHS or month is not None:
                raise _not_a_date(text)
            month = _MONTHS[m.group(1).lower()]
            kinds.append("M")
        elif len(m.group(2)) <= 2 and day is None:
            day = int(m.group(2))
            kinds.append("D")
        elif 3 <= len(m.group(2)) <= 4 and year is None:
            year = int(m.group(2))
            kinds.append("Y")
        else:
            raise _not_a_date(text)
    form = "".join(kinds)
    if form in ("M", "MD", "DM"):
        raise DateError(f"{_quoted(text)} has no year")
    if form == "MY":
        return _date(text, year, month)  # type: ignore[arg-type]
    if form in ("DMY", "MDY"):
        return _date(text, year, month, day)  # type: ignore[arg-type]
    raise _not_a_date(text)


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
