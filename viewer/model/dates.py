"""Dates at the precision the sources give: a year, a month, a day, or a time of day.

A `PartialDate` never invents detail. `2019` means the whole of 2019, so it spans from the first
instant of the year to the first instant of the next; `2021-04` spans April 2021; `2022-04-22`
spans that one day; `2022-04-22T14:05Z` spans that one minute. Times on the time axis are float
seconds since 1970-01-01 (proleptic Gregorian), computed from day numbers of our own so that any
year works: year 0 is 1 BC, `-0043-03-15` is 15 March 44 BC, and `-13800000000` is the Big Bang.

A time with an offset (`Z`, `+02:00`) is an instant and is placed at its moment in UTC. A time
without one is a local ("floating") time: it is not an instant, it is placed as if it were UTC
and always shown as written. Dates without a time are calendar days, months and years, placed
the same way.

`circa 1850` and `between 1850 and 1860` are `UncertainDate`s (see `parse_when`).
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import math
import re
from dataclasses import dataclass, replace
from typing import Union

SECONDS_PER_DAY = 86_400.0
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Astronomical years (0 = 1 BC) a date may have: past the age of the universe either way.
MIN_YEAR = -99_999_999_999
MAX_YEAR = 99_999_999_999
# A time of day is read only in these years: far out, float seconds cannot hold a second.
TIME_YEARS = (-9999, 9999)

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
    HOUR = 4
    MINUTE = 5
    SECOND = 6
    SUBSECOND = 7


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


def is_leap(year: int) -> bool:
    """Proleptic Gregorian leap year, astronomical numbering (year 0 is a leap year)."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to the given proleptic Gregorian day, for any integer year.

    Howard Hinnant's algorithm; Python's floor division makes it right for negative years."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """(year, month, day) of the day `days` after 1970-01-01: the inverse of days_from_civil."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def year_start(year: int) -> float:
    """Seconds since 1970 at the first instant of `year` (astronomical numbering)."""
    return days_from_civil(year, 1, 1) * SECONDS_PER_DAY


def year_of(t: float) -> int:
    """The year (astronomical) that holds the instant `t` seconds since 1970."""
    return civil_from_days(int(t // SECONDS_PER_DAY))[0]


def _significant(n: float) -> str:
    """`n` to three significant figures, without trailing zeros: 13.8, 66, 4.54, 250."""
    text = f"{n:.3g}"
    if "e" in text:  # 3 significant figures of a number >= 1000
        text = f"{round(n, -len(str(int(n))) + 3):.0f}"
    return text


def year_text(year: int, ad: bool = False) -> str:
    """A year in words: `2022`, `44 BC` (astronomical -43), `12,000 BC`, `66 million years ago`,
    `13.8 billion years ago`. `ad` writes years 1 to 999 as `AD 33`, for an axis that also
    shows years BC."""
    if year >= 1:
        if year > 9999:
            return f"AD {year:,}"
        return f"AD {year}" if ad and year < 1000 else f"{year}"
    bc = 1 - year
    if bc < 1_000_000:
        return f"{bc} BC" if bc <= 9999 else f"{bc:,} BC"
    # Counted from year 0: the two thousand years to the present are far below three figures.
    ago = -year
    if ago >= 1_000_000_000:
        return f"{_significant(ago / 1e9)} billion years ago"
    return f"{_significant(ago / 1e6)} million years ago"


def offset_text(minutes: int) -> str:
    """`UTC`, `UTC+02:00`, `UTC-05:30`: an offset from UTC as a label shows it."""
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h:02d}:{m:02d}"


@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to a year, a month or a day, or a time known to an hour, a minute,
    a second or a fraction of one (`places` digits of it).

    `offset` is the time's offset from UTC in minutes (an instant), or None for a local
    ("floating") time or a date without a time. `year` is astronomical: 0 is 1 BC.
    """

    year: int
    month: int | None = None
    day: int | None = None
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    microsecond: int = 0
    places: int = 0
    offset: int | None = None

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise DateError(f"year {self.year} is outside {MIN_YEAR:,}..{MAX_YEAR:,}")
        if self.month is None and self.day is not None:
            raise DateError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise DateError(f"month {self.month} is not 1..12")
        if self.day is not None and not 1 <= self.day <= days_in_month(self.year, self.month):
            raise DateError(f"day {self.day} is not in {MONTH_ABBR[self.month - 1]} {self.year}")
        fields = (self.day, self.hour, self.minute, self.second)
        for finer, coarser in zip(fields[1:], fields[:-1], strict=True):
            if finer is not None and coarser is None:
                raise DateError("a time needs a day, and each part of it the one before")
        if self.hour is not None:
            if not TIME_YEARS[0] <= self.year <= TIME_YEARS[1]:
                raise DateError(
                    f"a time of day is read only in the years {TIME_YEARS[0]} to {TIME_YEARS[1]}"
                )
            if not (
                0 <= self.hour <= 23
                and 0 <= (self.minute or 0) <= 59
                and 0 <= (self.second or 0) <= 59
            ):
                raise DateError("no such time of day")
        if (self.places and self.second is None) or not 0 <= self.places <= 6:
            raise DateError("a fraction of a second needs a second, and 1 to 6 digits")
        if not 0 <= self.microsecond < 10**6 or self.microsecond % 10 ** (6 - self.places):
            raise DateError("the microseconds do not fit the digits given")
        if self.offset is not None and (self.hour is None or abs(self.offset) >= 24 * 60):
            raise DateError("an offset needs a time of day and is less than 24 hours")

    @property
    def precision(self) -> Precision:
        if self.places:
            return Precision.SUBSECOND
        if self.second is not None:
            return Precision.SECOND
        if self.minute is not None:
            return Precision.MINUTE
        if self.hour is not None:
            return Precision.HOUR
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def is_instant(self) -> bool:
        """Whether the date is a moment in UTC (a time with an offset)."""
        return self.offset is not None

    @property
    def is_floating(self) -> bool:
        """Whether it is a time of day with no offset: a local time, shown as written."""
        return self.hour is not None and self.offset is None

    @property
    def known_to_the_day(self) -> bool:
        """Whether the date names one day (or a time in it)."""
        return self.day is not None

    def _micros(self) -> int:
        """Microseconds since 1970 at the first instant covered, exactly (ints, no float)."""
        days = days_from_civil(self.year, self.month or 1, self.day or 1)
        secs = (self.hour or 0) * 3600 + (self.minute or 0) * 60 + (self.second or 0)
        secs -= (self.offset or 0) * 60
        return (days * 86_400 + secs) * 10**6 + self.microsecond

    def _length_micros(self) -> int:
        precision = self.precision
        if precision is Precision.YEAR:
            days = days_from_civil(self.year + 1, 1, 1) - days_from_civil(self.year, 1, 1)
            return days * 86_400 * 10**6
        if precision is Precision.MONTH:
            return days_in_month(self.year, self.month or 1) * 86_400 * 10**6
        return {
            Precision.DAY: 86_400 * 10**6,
            Precision.HOUR: 3600 * 10**6,
            Precision.MINUTE: 60 * 10**6,
            Precision.SECOND: 10**6,
        }.get(precision, 10 ** (6 - self.places))

    def first_day(self) -> _dt.date:
        """The first day the date covers (years 1..9999 only: a datetime.date)."""
        return _dt.date(self.year, self.month or 1, self.day or 1)

    def day_after(self) -> _dt.date | None:
        """The first day after a year, month or day, or None outside datetime's years 1..9999."""
        n = days_from_civil(self.year, self.month or 1, self.day or 1)
        n += round(self._length_micros() / 86_400e6) if self.hour is None else 1
        ordinal = n + _EPOCH_ORDINAL
        if not 1 <= ordinal <= _dt.date.max.toordinal():
            return None
        return _dt.date.fromordinal(ordinal)

    @functools.cached_property
    def start(self) -> float:
        """Seconds since 1970 at the first instant the date covers."""
        return self._micros() / 1e6

    @functools.cached_property
    def end(self) -> float:
        """Seconds since 1970 at the first instant after the period (exclusive end)."""
        end = (self._micros() + self._length_micros()) / 1e6
        # Far from 1970 a float cannot hold a microsecond: the period is then the least width.
        return end if end > self.start else math.nextafter(self.start, math.inf)

    def __lt__(self, other: PartialDate) -> bool:
        return (self.start, self.end) < (other.start, other.end)

    def _day_text(self) -> str:
        year = year_text(self.year)
        if self.month is None:
            return year
        if self.day is None:
            return f"{MONTH_ABBR[self.month - 1]} {year}"
        return f"{self.day} {MONTH_ABBR[self.month - 1]} {year}"

    def _fields_at(self, zone: _dt.tzinfo | None) -> tuple[PartialDate, str]:
        """The date's fields as read in `zone` (None: UTC) and the zone's name; a floating time
        or a date as written. An instant outside datetime's years is read in UTC."""
        if self.offset is None:
            return self, "(local time)" if self.hour is not None else ""
        if zone is not None and 1 < self.year < 9999:
            moment = _dt.datetime(
                self.year,
                self.month or 1,
                self.day or 1,
                self.hour or 0,
                self.minute or 0,
                self.second or 0,
                self.microsecond,
                tzinfo=_dt.timezone(_dt.timedelta(minutes=self.offset)),
            ).astimezone(zone)
            name = moment.tzname() or offset_text(int(moment.utcoffset().total_seconds() // 60))
            return self._with_clock(
                (moment.year, moment.month, moment.day),
                moment.hour * 3600 + moment.minute * 60 + moment.second,
                moment.microsecond,
            ), name
        micros = self._micros()
        secs, us = divmod(micros, 10**6)
        days, secs = divmod(secs, 86_400)
        return self._with_clock(civil_from_days(days), int(secs), us), "UTC"

    def _with_clock(self, ymd: tuple[int, int, int], secs: int, us: int) -> PartialDate:
        h, rest = divmod(secs, 3600)
        m, s = divmod(rest, 60)
        p = self.precision
        return PartialDate(
            ymd[0],
            ymd[1],
            ymd[2],
            h,
            m if p >= Precision.MINUTE or m else None,  # an hour read at +05:30 has minutes
            s if p >= Precision.SECOND else None,
            us,
            self.places,
            None,
        )

    def _clock_text(self) -> str:
        if self.hour is None:
            return ""
        if self.minute is None:
            return f" {self.hour:02d}h"
        text = f" {self.hour:02d}:{self.minute:02d}"
        if self.second is not None:
            text += f":{self.second:02d}"
        if self.places:
            text += "." + f"{self.microsecond:06d}"[: self.places]
        return text

    def label(self, zone: _dt.tzinfo | None = None) -> str:
        """The date at its own precision: `2019`, `Apr 2021`, `22 Apr 2022`, `15 Mar 44 BC`,
        `13.8 billion years ago`; a time `22 Apr 2022 14:05 UTC` (an instant, read in `zone`,
        UTC when None) or `22 Apr 2022 14:05 (local time)` (floating, as written)."""
        shown, name = self._fields_at(zone)
        text = shown._day_text() + shown._clock_text()
        return f"{text} {name}" if name else text

    def written_label(self) -> str:
        """The date as the file wrote it, in words: an instant keeps its own offset
        (`22 Apr 2022 14:05 UTC+02:00`)."""
        text = self._day_text() + self._clock_text()
        if self.offset is not None:
            return f"{text} {offset_text(self.offset)}"
        return f"{text} (local time)" if self.hour is not None else text

    def in_utc(self) -> PartialDate:
        """An instant with its clock read in UTC (offset 0, to at least its own precision); a
        date or a local time as it is."""
        if self.offset is None:
            return self
        shown, _ = self._fields_at(None)
        return replace(shown, offset=0)

    def iso(self) -> str:
        """The date as written in our file format: `2019`, `2021-04`, `2022-04-22`, `-0043-03-15`,
        `+10000`, `2022-04-22T14:05:00.250+02:00`."""
        if 0 <= self.year <= 9999:
            text = f"{self.year:04d}"
        else:
            text = f"{'-' if self.year < 0 else '+'}{abs(self.year):04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        if self.hour is not None:
            text += f"T{self.hour:02d}"
        if self.minute is not None:
            text += f":{self.minute:02d}"
        if self.second is not None:
            text += f":{self.second:02d}"
        if self.places:
            text += "." + f"{self.microsecond:06d}"[: self.places]
        if self.offset is not None:
            text += "Z" if self.offset == 0 else offset_text(self.offset)[3:]
        return text


@dataclass(frozen=True)
class UncertainDate:
    """`circa 1850` (about then: `earliest` is `latest`) or `between 1850 and 1860` (some time
    from the start of `earliest` to the end of `latest`). It covers that window, and says no
    more of where in it than a date of the precision below does."""

    earliest: PartialDate
    latest: PartialDate
    circa: bool = False

    def __post_init__(self) -> None:
        if self.circa and self.earliest != self.latest:
            raise DateError("circa names one date")
        if not self.circa and self.latest.end <= self.earliest.start:
            raise DateError(
                f"the latest {self.latest.iso()!r} is before the earliest {self.earliest.iso()!r}"
            )
        if not self.circa and self.earliest == self.latest:
            raise DateError("between needs two different dates")

    @property
    def start(self) -> float:
        return self.earliest.start

    @property
    def end(self) -> float:
        return self.latest.end

    @property
    def precision(self) -> Precision:
        """The finest of year, month and day whose one period holds the whole window; for
        circa, one step coarser than its date (never finer than the day, never below year)."""
        if self.circa:
            own = min(self.earliest.precision, Precision.DAY)
            return Precision(max(Precision.YEAR, own - 1))
        a, b = self.earliest, self.latest
        if a.year == b.year and a.month is not None and a.month == b.month:
            if a.day is not None and a.day == b.day and a.offset == b.offset:
                return Precision.DAY
            return Precision.MONTH
        return Precision.YEAR

    @property
    def is_instant(self) -> bool:
        return self.earliest.is_instant and self.latest.is_instant

    known_to_the_day = False

    def label(self, zone: _dt.tzinfo | None = None) -> str:
        """`c. 1850`, or `between 1850 and 1860`."""
        if self.circa:
            return f"c. {self.earliest.label(zone)}"
        return f"between {self.earliest.label(zone)} and {self.latest.label(zone)}"

    def written_label(self) -> str:
        if self.circa:
            return f"c. {self.earliest.written_label()}"
        return f"between {self.earliest.written_label()} and {self.latest.written_label()}"

    def iso(self) -> str:
        """As written in our format: `circa 1850`, `between 1850 and 1860`."""
        if self.circa:
            return f"circa {self.earliest.iso()}"
        return f"between {self.earliest.iso()} and {self.latest.iso()}"


When = Union[PartialDate, UncertainDate]  # noqa: UP007 (a runtime alias)


def parse_date(text: str) -> PartialDate:
    """Parse `text` into a PartialDate at the precision the text gives, or raise DateError.

    Read: `2019`, `2021-04`, `2022-04-22`, `2022/04/22`, `2022/04`, English month names
    (full or three letters, any case) with a day and a year: `April 2021`, `Apr. 2021`,
    `22 April 2022`, `April 22, 2022`; and ISO 8601 forms: a signed (expanded) year `-0043-03-15`,
    `+10000`, `-13800000000`, and a time `2022-04-22T14`, `T14:05`, `T14:05:09`, `T14:05:09.25`
    with `Z` or `±hh:mm` (an instant) or without (a local time). Nothing else may be in the text
    but spaces and commas, so a date says exactly what it says. Refused, each with its reason: a
    text longer than MAX_DATE_CHARS (before any parsing), a time in other forms, a sign that is
    not needed, a control character, digits other than ASCII 0-9, no year, a day or time that
    does not exist, and `04/05/2022` (ambiguous: day or month first).
    """
    _check_length(text)
    return _parse_text(text)


def parse_when(text: str) -> When:
    """A date as an event's `date` or `end` gives it: what parse_date reads, or `circa D`,
    `c. D` or `between D1 and D2` (each D what parse_date reads)."""
    _check_length(text)
    return _parse_when(text)


def _check_length(text: object) -> None:
    if not isinstance(text, str):
        raise DateError(f"{_quoted(text)} is not a date")
    if len(text) > MAX_DATE_CHARS:  # before anything else: a 1 MB text costs nothing more
        raise DateError(
            f"{_quoted(text)} is not a date: it is longer than {MAX_DATE_CHARS} characters"
        )


def _not_a_date(text: str, why: str = "") -> DateError:
    return DateError(f"{_quoted(text)} is not a date" + (f": {why}" if why else ""))


_CIRCA = re.compile(r"(?:circa|c\.) +(.+)")
_BETWEEN = re.compile(r"between +(.+?) +and +(.+)")


@functools.lru_cache(maxsize=1 << 16)
def _parse_when(text: str) -> When:
    s = text.strip(" ")
    m = _CIRCA.fullmatch(s)
    if m:
        return UncertainDate(_part(text, m.group(1)), _part(text, m.group(1)), circa=True)
    m = _BETWEEN.fullmatch(s)
    if m:
        a, b = _part(text, m.group(1)), _part(text, m.group(2))
        try:
            return UncertainDate(a, b)
        except DateError as exc:
            raise _not_a_date(text, str(exc)) from None
    return _parse_text(text)


def _part(text: str, part: str) -> PartialDate:
    """One date of `circa D` or `between D1 and D2`; a refusal names the whole text."""
    try:
        return _parse_text(part)
    except DateError as exc:
        raise _not_a_date(text, str(exc)) from None


# The ISO 8601 forms: an optional sign (checked after), the year, then month, day, time, offset.
_ISO = re.compile(
    r"(?P<sign>[+-]?)(?P<year>[0-9]{4,11})"
    r"(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2})(?::(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})"
    r"(?:\.(?P<frac>[0-9]{1,6}))?)?)?"
    r"(?P<zone>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?)?)?"
)


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
    m = _ISO.fullmatch(s)
    if m:
        return _iso(text, m)
    m = _YEAR_FIRST.fullmatch(s)
    if m:
        # The form tells the precision; PartialDate checks the calendar (month 13, 30 February).
        year, month, day = (int(g) if g else None for g in m.groups())
        return _date(text, year, month, day)  # type: ignore[arg-type]
    if s[0] in "+-" and s[1:2].isdigit():
        raise _not_a_date(text, "a signed year is read only as ±YYYY, ±YYYY-MM or ±YYYY-MM-DD")
    if ":" in s or _TIME_T.search(s):
        raise _not_a_date(
            text, "a time of day is read only as YYYY-MM-DDThh:mm (with :ss, .fff, Z or ±hh:mm)"
        )
    if _DAY_MONTH_YEAR.fullmatch(s):
        raise _not_a_date(text, "day or month first? Write it as YYYY-MM-DD")
    return _words(text, s)


def _iso(text: str, m: re.Match[str]) -> PartialDate:
    sign, digits = m["sign"], m["year"]
    year = int(digits)
    if not sign and len(digits) != 4:
        raise _not_a_date(text)
    if sign == "+" and year <= 9999:
        raise _not_a_date(text, "a + sign is only for years after 9999")
    if sign == "-":
        if year == 0:
            raise _not_a_date(text, "year 0 has no sign (write 0000)")
        year = -year
    if m["hour"] is not None and not TIME_YEARS[0] <= year <= TIME_YEARS[1]:
        raise _not_a_date(
            text, f"a time of day is read only in the years {TIME_YEARS[0]} to {TIME_YEARS[1]}"
        )
    offset = None
    zone = m["zone"]
    if zone is not None:
        if zone == "Z":
            offset = 0
        else:
            hh, mm = int(zone[1:3]), int(zone[-2:]) if len(zone) > 3 else 0
            if hh > 23 or mm > 59:
                raise _not_a_date(text, f"{zone} is not an offset from UTC")
            offset = (hh * 60 + mm) * (-1 if zone[0] == "-" else 1)
    frac = m["frac"] or ""
    fields = [int(g) if g is not None else None for g in m.group("month", "day", "hour")]
    fields += [int(g) if g is not None else None for g in m.group("minute", "second")]
    try:
        return PartialDate(
            year,
            *fields,
            microsecond=int(frac.ljust(6, "0")) if frac else 0,
            places=len(frac),
            offset=offset,
        )
    except DateError as exc:
        if m["hour"] is not None and str(exc) == "no such time of day":
            raise _not_a_date(text, "no such time of day") from None
        raise _not_a_date(text) from None


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
    # Outside the ISO form a year is 1 to 9999: `0000` there would be a year that prose lacks.
    if year < 1:
        raise _not_a_date(text)
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
    """When an event happened: a date, or a range from one date to another (both inclusive).
    Either may be uncertain (`circa`, `between`)."""

    begin: When
    until: When | None = None

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

    @property
    def is_uncertain(self) -> bool:
        """Whether either end is `circa` or `between`."""
        return isinstance(self.begin, UncertainDate) or isinstance(self.until, UncertainDate)

    def label(self, zone: _dt.tzinfo | None = None) -> str:
        """The span in words: `Apr 2021`, or `Aug 2023 – Jul 2024` for a range; instants read
        in `zone` (UTC when None)."""
        if self.until is None:
            return self.begin.label(zone)
        return f"{self.begin.label(zone)} – {self.until.label(zone)}"

    def written_label(self) -> str:
        """The span as the file wrote it (instants with their own offsets)."""
        if self.until is None:
            return self.begin.written_label()
        return f"{self.begin.written_label()} – {self.until.written_label()}"
