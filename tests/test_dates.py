"""Partial dates: parsing at the precision given, the spans they cover, labels and ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from viewer.model.dates import (
    SECONDS_PER_DAY,
    DateError,
    DateSpan,
    PartialDate,
    Precision,
    date_from_seconds,
    parse_date,
    seconds_from_date,
)


def secs(y: int, m: int = 1, d: int = 1) -> float:
    return seconds_from_date(dt.date(y, m, d))


# --- parse_date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("2019", PartialDate(2019), Precision.YEAR),
        ("2021-04", PartialDate(2021, 4), Precision.MONTH),
        ("2022-04-22", PartialDate(2022, 4, 22), Precision.DAY),
        ("April 2021", PartialDate(2021, 4), Precision.MONTH),
        ("22 Apr 2022", PartialDate(2022, 4, 22), Precision.DAY),
        ("April 22, 2022", PartialDate(2022, 4, 22), Precision.DAY),
        ("  2019  ", PartialDate(2019), Precision.YEAR),
        ("29 Feb 2020", PartialDate(2020, 2, 29), Precision.DAY),
    ],
)
def test_parse_date_keeps_the_precision_given(text, expected, precision):
    d = parse_date(text)
    assert d == expected
    assert d.precision is precision


def test_parse_date_does_not_invent_a_month_or_day():
    assert parse_date("2019").month is None
    assert parse_date("2019").day is None
    assert parse_date("April 2021").day is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2021-13", "'2021-13' is not a date"),
        ("2022-02-30", "'2022-02-30' is not a date"),
        ("April 31 2022", "'April 31 2022' is not a date"),
        ("29 Feb 2021", "'29 Feb 2021' is not a date"),
        ("April 22", "'April 22' has no year"),
        ("April", "'April' has no year"),
        ("", "'' is not a date"),
        ("   ", "'   ' is not a date"),
        ("-0000", "'-0000' is not a date: year 0 has no sign (write 0000)"),
        ("22", "'22' is not a date"),
        ("not a date at all", "'not a date at all' is not a date"),
        (
            "Jan 2020 12:30",
            "'Jan 2020 12:30' is not a date: a time of day is read only as YYYY-MM-DDThh:mm "
            "(with :ss, .fff, Z or ±hh:mm)",
        ),
    ],
)
def test_parse_date_rejects(text, message):
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert str(info.value) == message


@pytest.mark.parametrize("value", [None, 2019, 2019.0, b"2019", ["2019"]])
def test_parse_date_rejects_non_strings(value):
    with pytest.raises(DateError) as info:
        parse_date(value)  # type: ignore[arg-type]
    assert str(info.value) == f"{value!r} is not a date"


def test_date_error_is_a_value_error():
    assert issubclass(DateError, ValueError)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-100_000_000_000,), "year -100000000000 is outside -99,999,999,999..99,999,999,999"),
        ((100_000_000_000,), "year 100000000000 is outside -99,999,999,999..99,999,999,999"),
        ((2020, 13), "month 13 is not 1..12"),
        ((2020, 0), "month 0 is not 1..12"),
        ((2020, None, 5), "a day needs a month"),
    ],
)
def test_partial_date_rejects_impossible_fields(args, message):
    with pytest.raises(DateError) as info:
        PartialDate(*args)
    assert str(info.value) == message


def test_partial_date_rejects_a_day_the_month_lacks():
    with pytest.raises(DateError):
        PartialDate(2022, 4, 31)


# --- spans ----------------------------------------------------------------------------------


def test_a_year_covers_the_whole_year():
    d = PartialDate(2019)
    assert d.start == secs(2019, 1, 1)
    assert d.end == secs(2020, 1, 1)
    assert d.end - d.start == 365 * SECONDS_PER_DAY


def test_a_leap_year_has_366_days():
    d = PartialDate(2020)
    assert d.end - d.start == 366 * SECONDS_PER_DAY


def test_a_month_covers_the_whole_month():
    d = PartialDate(2021, 4)
    assert d.start == secs(2021, 4, 1)
    assert d.end == secs(2021, 5, 1)
    assert d.end - d.start == 30 * SECONDS_PER_DAY
    feb = PartialDate(2024, 2)
    assert feb.end - feb.start == 29 * SECONDS_PER_DAY


def test_a_day_covers_one_day():
    d = PartialDate(2022, 4, 22)
    assert d.start == secs(2022, 4, 22)
    assert d.end == secs(2022, 4, 23)
    assert d.end - d.start == SECONDS_PER_DAY


def test_december_rolls_over_into_the_next_year():
    assert PartialDate(2021, 12).end == secs(2022, 1, 1)
    assert PartialDate(2021, 12, 31).end == secs(2022, 1, 1)
    assert PartialDate(2021, 12).day_after() == dt.date(2022, 1, 1)


def test_the_year_9999_ends_with_the_calendar():
    calendar_end = seconds_from_date(dt.date.max) + SECONDS_PER_DAY
    for d in (PartialDate(9999), PartialDate(9999, 12), PartialDate(9999, 12, 31)):
        assert d.day_after() is None
        assert d.end == calendar_end
        assert d.end > d.start
    assert PartialDate(9999).end - PartialDate(9999).start == 365 * SECONDS_PER_DAY


def test_the_year_1_starts_the_calendar():
    assert PartialDate(1).start == seconds_from_date(dt.date.min)
    assert PartialDate(1).end == secs(2, 1, 1)


def test_epoch_is_zero():
    assert PartialDate(1970, 1, 1).start == 0.0
    assert PartialDate(1969, 12, 31).start == -SECONDS_PER_DAY


def test_partial_dates_order_by_year_then_month_then_day():
    assert PartialDate(2021, 4, 1) < PartialDate(2021, 4, 2) < PartialDate(2021, 5, 1)
    assert PartialDate(2020, 12, 31) < PartialDate(2021, 1, 1)


# --- labels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "label", "iso"),
    [
        (PartialDate(2019), "2019", "2019"),
        (PartialDate(2021, 4), "Apr 2021", "2021-04"),
        (PartialDate(2022, 4, 22), "22 Apr 2022", "2022-04-22"),
        (PartialDate(2022, 4, 2), "2 Apr 2022", "2022-04-02"),
        (PartialDate(33, 1), "Jan 33", "0033-01"),
    ],
)
def test_labels_and_iso_at_the_dates_own_precision(date, label, iso):
    assert date.label() == label
    assert date.iso() == iso
    assert parse_date(iso) == date


# --- DateSpan -------------------------------------------------------------------------------


def test_a_single_date_span():
    span = DateSpan(PartialDate(2021, 4))
    assert not span.is_range
    assert span.label() == "Apr 2021"
    assert span.start == secs(2021, 4, 1)
    assert span.end == secs(2021, 5, 1)
    assert span.precision is Precision.MONTH


def test_a_range_label_and_extent():
    span = DateSpan(parse_date("2023-08"), parse_date("2024-07"))
    assert span.is_range
    assert span.label() == "Aug 2023 – Jul 2024"
    assert span.start == secs(2023, 8, 1)
    assert span.end == secs(2024, 8, 1)  # the end month is included whole


def test_a_range_has_the_coarser_precision_of_its_ends():
    assert DateSpan(PartialDate(2022, 4, 22), PartialDate(2023)).precision is Precision.YEAR
    assert DateSpan(PartialDate(2021), PartialDate(2022, 4, 22)).precision is Precision.YEAR
    assert DateSpan(PartialDate(2022, 4, 1), PartialDate(2022, 6)).precision is Precision.MONTH
    assert DateSpan(PartialDate(2022, 4, 1), PartialDate(2022, 4, 3)).precision is Precision.DAY


def test_a_range_ending_before_it_starts_raises():
    with pytest.raises(DateError) as info:
        DateSpan(PartialDate(2022), PartialDate(2021))
    assert str(info.value) == "the end '2021' is before the start '2022'"
    with pytest.raises(DateError):
        DateSpan(PartialDate(2022, 4, 22), PartialDate(2022, 4, 21))


def test_a_range_of_one_day_is_allowed():
    span = DateSpan(PartialDate(2022, 4, 22), PartialDate(2022, 4, 22))
    assert span.end - span.start == SECONDS_PER_DAY


# --- seconds <-> dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        dt.date(1, 1, 1),
        dt.date(1, 12, 31),
        dt.date(1969, 12, 31),
        dt.date(1970, 1, 1),
        dt.date(2000, 2, 29),
        dt.date(2022, 4, 22),
        dt.date(9999, 1, 1),
        dt.date(9999, 12, 31),
    ],
)
def test_seconds_round_trip(day):
    t = seconds_from_date(day)
    assert date_from_seconds(t) == dt.datetime(day.year, day.month, day.day)
    noon = date_from_seconds(t + SECONDS_PER_DAY / 2)
    assert noon == dt.datetime(day.year, day.month, day.day, 12)


def test_seconds_round_trip_every_hundredth_day_across_the_calendar():
    for ordinal in range(1, dt.date.max.toordinal() + 1, 100):
        day = dt.date.fromordinal(ordinal)
        assert date_from_seconds(seconds_from_date(day)).date() == day


def test_date_from_seconds_clamps_to_the_calendar():
    assert date_from_seconds(seconds_from_date(dt.date.min) - 1e12) == dt.datetime(1, 1, 1)
    late = date_from_seconds(seconds_from_date(dt.date.max) + 1e12)
    assert late.date() == dt.date(9999, 12, 31)
    end = date_from_seconds(PartialDate(9999).end)
    assert end.date() == dt.date(9999, 12, 31)
