"""Issue 13, the date model, without Qt: BC and year 0, expanded years, deep time, times of day
to the microsecond, offsets and floating times, time zones and their daylight-saving gaps,
circa and between, and round trips through our file format on both reading paths."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path

import pytest

from viewer.model import bulk
from viewer.model.dates import (
    SECONDS_PER_DAY,
    DateError,
    DateSpan,
    PartialDate,
    Precision,
    UncertainDate,
    civil_from_days,
    days_from_civil,
    parse_date,
    parse_when,
)
from viewer.model.loader import TimelineError, load_timeline
from viewer.model.scale import MIN_TIME, TimeScale, fit, min_spp
from viewer.model.scene import MarkKind, certain_part, mark_kind
from viewer.model.ticks import axis_for

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


# --- the calendar beyond datetime -----------------------------------------------------------


def test_day_numbers_agree_with_datetime_over_its_years():
    for ordinal in range(1, dt.date.max.toordinal(), 9_973):
        d = dt.date.fromordinal(ordinal)
        n = days_from_civil(d.year, d.month, d.day)
        assert n == ordinal - dt.date(1970, 1, 1).toordinal()
        assert civil_from_days(n) == (d.year, d.month, d.day)


def test_day_numbers_run_on_without_a_gap_through_year_0_and_far_back():
    for year in (-13_800_000_000, -4_000_001, -44, -1, 0, 1, 10_000, 99_999_999_999):
        jan1 = days_from_civil(year, 1, 1)
        assert civil_from_days(jan1) == (year, 1, 1)
        assert civil_from_days(jan1 - 1) == (year - 1, 12, 31)


def test_year_0_is_1_bc_and_a_leap_year():
    d = parse_date("0000")
    assert d.label() == "1 BC"
    assert d.end - d.start == 366 * SECONDS_PER_DAY
    assert parse_date("0000-02-29").label() == "29 Feb 1 BC"
    assert parse_date("0001").start == d.end  # 1 BC is followed by AD 1, no gap


@pytest.mark.parametrize(
    ("text", "label", "precision"),
    [
        ("-0043-03-15", "15 Mar 44 BC", Precision.DAY),
        ("-0043", "44 BC", Precision.YEAR),
        ("-0001-12", "Dec 2 BC", Precision.MONTH),
        ("-9999", "10,000 BC", Precision.YEAR),
        ("-11999", "12,000 BC", Precision.YEAR),
        ("+10000", "AD 10,000", Precision.YEAR),
        ("+12345-06-07", "7 Jun AD 12,345", Precision.DAY),
        ("-66000000", "66 million years ago", Precision.YEAR),
        ("-4540000000", "4.54 billion years ago", Precision.YEAR),
        ("-13800000000", "13.8 billion years ago", Precision.YEAR),
    ],
)
def test_bc_expanded_and_deep_years(text, label, precision):
    d = parse_date(text)
    assert d.label() == label
    assert d.precision is precision
    assert d.iso() == text
    assert parse_date(d.iso()) == d


def test_44_bc_is_2065_years_before_ad_2022():
    ides = parse_date("-0043-03-15")
    later = parse_date("2022-03-15")
    days = (later.start - ides.start) / SECONDS_PER_DAY
    assert 2064 * 365.2425 < days < 2066 * 365.2425
    assert ides.end - ides.start == SECONDS_PER_DAY


def test_deep_time_is_a_year_in_order_with_the_rest():
    big_bang, dinosaurs, ides = (parse_date(t) for t in ("-13800000000", "-66000000", "-0043"))
    assert big_bang.start < big_bang.end <= dinosaurs.start < ides.start
    # A float holds the year's width to a few parts in a billion there.
    assert big_bang.end - big_bang.start == pytest.approx(366 * SECONDS_PER_DAY, rel=1e-6)


# --- times of day ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "precision", "length", "label"),
    [
        ("2022-04-22T14Z", Precision.HOUR, 3600, "22 Apr 2022 14h UTC"),
        ("2022-04-22T14:05Z", Precision.MINUTE, 60, "22 Apr 2022 14:05 UTC"),
        ("2022-04-22T14:05:09Z", Precision.SECOND, 1, "22 Apr 2022 14:05:09 UTC"),
        ("2022-04-22T14:05:09.25Z", Precision.SUBSECOND, 0.01, "22 Apr 2022 14:05:09.25 UTC"),
        (
            "2022-04-22T14:05:09.000001Z",
            Precision.SUBSECOND,
            1e-6,
            "22 Apr 2022 14:05:09.000001 UTC",
        ),
    ],
)
def test_a_time_keeps_its_precision(text, precision, length, label):
    d = parse_date(text)
    assert d.precision is precision
    # A float near 2022 holds a quarter of a microsecond.
    assert d.end - d.start == pytest.approx(length, rel=1e-3, abs=3e-7)
    assert d.label() == label
    assert d.iso() == text
    assert mark_kind(DateSpan(d)) is MarkKind.DAY  # known to the day, or finer


def test_microseconds_are_exact_in_the_label_and_placed_to_the_microsecond():
    d = parse_date("2022-04-22T23:59:59.999999+00:00")
    assert d.label() == "22 Apr 2022 23:59:59.999999 UTC"
    assert d.start == pytest.approx(PartialDate(2022, 4, 23).start - 1e-6, abs=1e-7)


def test_an_offset_makes_an_instant_placed_in_utc():
    berlin = parse_date("2022-04-22T16:05+02:00")
    utc = parse_date("2022-04-22T14:05Z")
    assert berlin.is_instant and not berlin.is_floating
    assert berlin.start == utc.start
    assert berlin.label() == "22 Apr 2022 14:05 UTC"
    assert berlin.written_label() == "22 Apr 2022 16:05 UTC+02:00"
    assert parse_date("2022-04-22T16:05+0200") == berlin
    assert parse_date("2022-04-22T14:05-00:00").start == utc.start


def test_an_instant_is_shown_in_the_zone_chosen():
    d = parse_date("2022-04-22T14:05Z")
    assert d.label(BERLIN) == "22 Apr 2022 16:05 CEST"
    assert d.label(KOLKATA) == "22 Apr 2022 19:35 IST"
    assert parse_date("2022-01-22T14:05Z").label(BERLIN) == "22 Jan 2022 15:05 CET"
    # Across midnight the day changes with the zone.
    assert parse_date("2022-04-22T23:30Z").label(BERLIN) == "23 Apr 2022 01:30 CEST"


def test_a_floating_time_is_shown_as_written_in_every_zone():
    d = parse_date("2022-04-22T14:05")
    assert d.is_floating and not d.is_instant
    assert d.start == parse_date("2022-04-22T14:05Z").start  # placed as if UTC
    for zone in (None, BERLIN, KOLKATA):
        assert d.label(zone) == "22 Apr 2022 14:05 (local time)"


def test_a_floating_time_in_a_daylight_saving_gap_is_kept_as_written():
    # 02:30 on 27 March 2022 never happened in Berlin: the clocks went from 02:00 to 03:00.
    # A floating time is never converted, so it is neither refused nor moved.
    d = parse_date("2022-03-27T02:30")
    assert d.label(BERLIN) == "27 Mar 2022 02:30 (local time)"
    assert d.start == PartialDate(2022, 3, 27).start + 2.5 * 3600


def test_the_axis_in_a_zone_skips_the_hour_a_daylight_saving_gap_removes():
    night = PartialDate(2022, 3, 26, 23, offset=0).start  # 00:00 in Berlin, 27 March
    scale = TimeScale(night, 60.0, 300)  # five hours, an hour every 60 px
    axis = axis_for(scale, zone=BERLIN)
    assert axis.level.unit == "hour"
    labels = [t.label for t in axis.ticks]
    assert "02:00" not in labels  # it did not exist
    assert labels[labels.index("01:00") + 1] == "03:00"
    ticks = {t.label: t.t for t in axis.ticks}
    assert ticks["03:00"] - ticks["01:00"] == 3600  # one real hour apart
    utc = [t.label for t in axis_for(scale).ticks]
    assert "02:00" in utc


def test_the_axis_in_a_zone_puts_days_at_its_midnights():
    scale = TimeScale(PartialDate(2022, 4, 20).start, SECONDS_PER_DAY / 40, 400)
    berlin = {t.label: t.t for t in axis_for(scale, zone=BERLIN).ticks}
    utc = {t.label: t.t for t in axis_for(scale).ticks}
    assert utc["22"] - berlin["22"] == 7200  # midnight in Berlin is 22:00 UTC in summer


def test_times_of_day_and_milliseconds_on_the_axis():
    t = parse_date("2022-04-22T14:05:03Z").start
    axis = axis_for(TimeScale(t, 0.001, 1000))
    assert axis.level.unit == "ms"
    assert "03.100" in [tick.label for tick in axis.ticks]
    assert "22 Apr 2022 14:05" in [tick.label for tick in axis.context]
    axis = axis_for(TimeScale(t, 1.0, 1000))
    assert axis.level.unit in ("minute", "second")
    assert "22 Apr 2022" in [tick.label for tick in axis.context] or axis.level.unit == "second"


def test_deep_time_on_the_axis():
    big_bang = parse_date("-13800000000")
    scale = fit(big_bang.start, parse_date("2022").end, 1000)
    labels = [t.label for t in axis_for(scale).ticks]
    assert any(label.endswith("billion years ago") for label in labels), labels
    millions = fit(parse_date("-70000000").start, parse_date("-60000000").end, 1000)
    labels = [t.label for t in axis_for(millions).ticks]
    assert "66 million years ago" in labels, labels
    bc = fit(parse_date("-0300").start, parse_date("0300").end, 1000)
    labels = [t.label for t in axis_for(bc).ticks]
    assert "100 BC" in labels and "AD 100" in labels, labels


def test_the_finest_zoom_is_a_millisecond_near_today_and_coarser_in_deep_time():
    assert min_spp(parse_date("2022").start) == 0.001
    assert min_spp(MIN_TIME) > 1000  # a float cannot tell milliseconds apart there
    assert parse_date("-13800000000").start > MIN_TIME


# --- circa and between ----------------------------------------------------------------------


def test_circa_and_between():
    c = parse_when("circa 1850")
    assert isinstance(c, UncertainDate) and c.circa
    assert (c.start, c.end) == (PartialDate(1850).start, PartialDate(1850).end)
    assert c.label() == "c. 1850"
    assert parse_when("c. 1850") == c
    b = parse_when("between 1850 and 1860")
    assert (b.start, b.end) == (PartialDate(1850).start, PartialDate(1860).end)
    assert b.label() == "between 1850 and 1860"
    assert parse_when(b.iso()) == b and parse_when(c.iso()) == c


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("between 1850 and 1860", MarkKind.YEAR),
        ("between 2021-12 and 2022-02", MarkKind.YEAR),  # crosses a year: no finer glyph holds it
        ("between 2022-04-03 and 2022-04-05", MarkKind.MONTH),  # not known to the day
        ("between 2022-04-22T10:00Z and 2022-04-22T11:00Z", MarkKind.DAY),
        ("circa 2022-04-22", MarkKind.MONTH),  # one step coarser than its own
        ("circa 2022-04", MarkKind.YEAR),
        ("circa 1850", MarkKind.YEAR),
    ],
)
def test_an_uncertain_date_gets_a_glyph_that_claims_no_more_than_is_known(text, kind):
    assert mark_kind(DateSpan(parse_when(text))) is kind


def test_an_uncertain_end_of_a_range_is_never_certain():
    span = DateSpan(parse_when("between 1850 and 1855"), parse_when("1900-05-01"))
    assert mark_kind(span) is MarkKind.RANGE
    assert certain_part(span) == (PartialDate(1855).end, PartialDate(1900, 5, 1).end)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("circa April", "'circa April' is not a date: 'April' has no year"),
        (
            "between 1860 and 1850",
            "'between 1860 and 1850' is not a date: the latest '1850' is before the earliest "
            "'1860'",
        ),
        (
            "between 1850 and 1850",
            "'between 1850 and 1850' is not a date: between needs two different dates",
        ),
        ("circa circa 1850", "'circa circa 1850' is not a date: 'circa 1850' is not a date"),
        ("about 1850", "'about 1850' is not a date"),
        ("between 1850", "'between 1850' is not a date"),
        ("Circa 1850", "'Circa 1850' is not a date"),
    ],
)
def test_uncertain_forms_refused_with_the_reason(text, message):
    with pytest.raises(DateError) as info:
        parse_when(text)
    assert str(info.value) == message


def test_parse_date_itself_reads_one_date_only():
    with pytest.raises(DateError):
        parse_date("circa 1850")


# --- our format -----------------------------------------------------------------------------

DATES = [
    ("0000", None),
    ("-0043-03-15", None),
    ("-13800000000", "-4540000000"),
    ("+10000", None),
    ("2022-04-22T14:05Z", "2022-04-22T16:05:09.25+02:00"),
    ("2022-04-22T14:05", None),
    ("circa 1850", None),
    ("between 1850 and 1860", "circa 1900"),
    ("2022-03-27T02:30", None),
]


def write_timeline(folder: Path) -> Path:
    (folder / "s.txt").write_text("It happened.", encoding="utf-8")
    events = []
    for k, (date, end) in enumerate(DATES):
        event = {
            "id": f"e{k}",
            "title": f"Event {k}",
            "date": date,
            "category": "c",
            "citations": [{"source": "s", "quote": "It happened."}],
        }
        if end:
            event["end"] = end
        events.append(event)
    doc = {
        "version": 1,
        "title": "Dates",
        "sources": [{"id": "s", "file": "s.txt", "title": "S"}],
        "events": events,
    }
    path = folder / "t.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_every_new_form_round_trips_through_our_format_on_both_paths(tmp_path, monkeypatch):
    path = write_timeline(tmp_path)
    fast = load_timeline(path)
    with monkeypatch.context() as m:
        m.setattr(bulk, "decode_top", lambda raw: None)
        slow = load_timeline(path)
    assert fast == slow
    assert list(fast.events.starts) == [e.start for e in slow.events]
    by_id = {e.id: e for e in fast.events}
    for k, (date, end) in enumerate(DATES):
        when = by_id[f"e{k}"].when
        assert when.begin.iso() == date
        assert (when.until.iso() if when.until else None) == end


def test_a_bad_new_form_is_refused_with_its_place(tmp_path):
    path = write_timeline(tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["events"][4]["date"] = "2022-04-22T25:00Z"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(TimelineError) as info:
        load_timeline(path)
    assert str(info.value) == (
        f"{path}: events[4].date: '2022-04-22T25:00Z' is not a date: no such time of day"
    )
