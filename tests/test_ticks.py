"""Axis ticks: the level follows the zoom, labels sit on calendar boundaries and never crowd."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from viewer.model.dates import SECONDS_PER_DAY, PartialDate, date_from_seconds, seconds_from_date
from viewer.model.scale import (
    MAX_TIME,
    MAX_VISIBLE_SECONDS,
    MIN_SECONDS_PER_PIXEL,
    MIN_TIME,
    TimeScale,
)
from viewer.model.ticks import LEVELS, axis_for, choose_level

DAY = SECONDS_PER_DAY
CHAR_PX = 7.0


def fineness(level) -> int:
    return LEVELS.index(level)


@pytest.mark.parametrize(
    ("spp_days", "unit", "step"),
    [
        (100_000, "year", 50_000),  # 274 years a pixel: deep time's levels come first
        (1000, "year", 200),
        (300, "year", 50),
        (60, "year", 10),
        (20, "year", 5),
        (10, "year", 2),
        (5, "year", 1),
        (2, "month", 3),
        (0.5, "month", 1),
        (0.05, "week", 1),
        (0.02, "day", 1),
    ],
)
def test_choose_level(spp_days, unit, step):
    level = choose_level(spp_days * DAY)
    assert (level.unit, level.step) == (unit, step)


def test_finer_scales_never_give_coarser_levels():
    spp = MAX_VISIBLE_SECONDS / 200
    previous = choose_level(spp)
    seen = {(previous.unit, previous.step)}
    while spp > MIN_SECONDS_PER_PIXEL / 2:
        spp /= 1.05
        level = choose_level(spp)
        assert fineness(level) >= fineness(previous)
        previous = level
        seen.add((level.unit, level.step))
    # The walk passes through decades, years, quarters, months, weeks and days.
    assert {("year", 10), ("year", 1), ("month", 3), ("month", 1), ("week", 1), ("day", 1)} <= seen


def test_chosen_level_fits_its_labels():
    for spp in (DAY / 100, DAY / 10, DAY, 30 * DAY, 400 * DAY):
        level = choose_level(spp)
        assert level.approx_seconds / spp >= level.label_chars * CHAR_PX


def day_scale() -> TimeScale:
    # 40 px per day, starting at 15 April 2022.
    return TimeScale(PartialDate(2022, 4, 15).start, DAY / 40, 1000)


def test_day_level_labels_days_at_their_start():
    scale = day_scale()
    axis = axis_for(scale)
    assert (axis.level.unit, axis.level.step) == ("day", 1)
    by_label = {t.label: t for t in axis.ticks}
    for day in (22, 23):
        tick = by_label[str(day)]
        start = seconds_from_date(dt.date(2022, 4, day))
        assert tick.t == start
        assert tick.x == pytest.approx(scale.x_of(start))
    assert by_label["22"].x == pytest.approx(7 * 40)
    assert by_label["23"].x - by_label["22"].x == pytest.approx(40)


def test_day_level_has_a_month_context_row():
    scale = day_scale()
    axis = axis_for(scale)
    context = {t.label: t for t in axis.context}
    assert "Apr 2022" in context
    april = PartialDate(2022, 4).start
    assert context["Apr 2022"].x == pytest.approx(scale.x_of(april))
    assert "May 2022" in context
    assert context["May 2022"].x == pytest.approx(scale.x_of(PartialDate(2022, 5).start))


def test_month_level_labels_months_with_the_year_above():
    scale = TimeScale(PartialDate(2022, 1).start, DAY / 5, 1000)  # 5 px a day
    axis = axis_for(scale)
    assert (axis.level.unit, axis.level.step) == ("month", 1)
    labels = [t.label for t in axis.ticks]
    assert {"Jan", "Feb", "Mar", "Apr", "May"} <= set(labels)
    apr = next(t for t in axis.ticks if t.label == "Apr")
    assert apr.x == pytest.approx(scale.x_of(PartialDate(2022, 4).start))
    context = {t.label: t for t in axis.context}
    assert "2022" in context
    assert context["2022"].x == pytest.approx(scale.x_of(PartialDate(2022).start))
    # Days are minor ticks at this zoom, at the start of each day.
    assert len(axis.minor) >= 200
    assert scale.x_of(PartialDate(2022, 4, 22).start) in axis.minor


def test_quarter_level_labels():
    scale = TimeScale(PartialDate(2021, 1).start, 2 * DAY, 1000)
    axis = axis_for(scale)
    assert (axis.level.unit, axis.level.step) == ("month", 3)
    quarters = [(t.label, date_from_seconds(t.t).date()) for t in axis.ticks]
    for label, day in quarters:
        assert day.month in (1, 4, 7, 10)
        assert label == f"Q{(day.month - 1) // 3 + 1}"


def test_week_level_labels_mondays():
    scale = TimeScale(PartialDate(2021, 6).start, 0.08 * DAY, 1000)
    axis = axis_for(scale)
    assert (axis.level.unit, axis.level.step) == ("week", 1)
    assert "7 Jun" in [t.label for t in axis.ticks]
    for tick in axis.ticks:
        assert date_from_seconds(tick.t).date().weekday() == 0
    assert "Jun 2021" in [t.label for t in axis.context]


def random_scales(n: int = 300) -> list[TimeScale]:
    rng = random.Random(20240422)
    out = []
    for _ in range(n):
        width = rng.uniform(200, 2500)
        spp = MIN_SECONDS_PER_PIXEL * (MAX_VISIBLE_SECONDS / width / MIN_SECONDS_PER_PIXEL) ** (
            rng.random()
        )
        t0 = rng.uniform(MIN_TIME, MAX_TIME - width * spp)
        # Clamped: far from 1970 a float cannot hold a fine zoom, and the view never has one.
        out.append(TimeScale(t0, spp, width).clamped())
    return out


def test_ticks_are_in_increasing_x_order_and_cover_the_view():
    for scale in random_scales():
        axis = axis_for(scale)
        xs = [t.x for t in axis.ticks]
        assert xs == sorted(xs)
        assert len(set(xs)) == len(xs)
        assert list(axis.minor) == sorted(axis.minor)
        cx = [t.x for t in axis.context]
        assert cx == sorted(cx)
        assert xs, scale
        # Ticks continue to the right edge (except within a step of the calendar's end).
        if scale.t1 < MAX_TIME - 2 * axis.level.approx_seconds:
            assert xs[-1] >= scale.width


def test_labelled_ticks_are_at_least_a_label_width_apart():
    for scale in random_scales():
        axis = axis_for(scale, CHAR_PX)
        for a, b in itertools.pairwise(axis.ticks):
            assert b.x - a.x >= len(a.label) * CHAR_PX, (scale, a, b)
            assert b.x - a.x >= axis.level.label_chars * CHAR_PX, (scale, a, b)


def test_tick_x_is_x_of_its_time():
    for scale in random_scales(50):
        axis = axis_for(scale)
        for tick in (*axis.ticks, *axis.context):
            assert tick.x == pytest.approx(scale.x_of(tick.t), abs=1e-6)


def historical_year(label: str) -> int:
    """The year a tick's label names, BC years negative: `100 BC` -100, `AD 10,000` 10000."""
    number = int(label.removeprefix("AD ").removesuffix(" BC").replace(",", ""))
    return -number if label.endswith(" BC") else number


YEAR_1 = PartialDate(1).start
YEARS_1_TO_9999 = PartialDate(9999).end - YEAR_1


def test_year_ticks_fall_on_multiples_of_their_step_even_near_year_1():
    # A view that starts in the first years AD labels round years, as any other.
    for t0 in (YEAR_1, YEAR_1 + 20 * 366 * DAY, PartialDate(1990).start):
        scale = TimeScale(t0, YEARS_1_TO_9999 / 1000, 1000)
        axis = axis_for(scale)
        assert axis.level.unit == "year"
        step = axis.level.step
        assert step >= 10
        years = [historical_year(t.label) for t in axis.ticks]
        assert all(y % step == 0 for y in years), years
        assert years == sorted(years)


def test_year_ticks_are_stable_under_a_pan():
    scale = TimeScale(YEAR_1, YEARS_1_TO_9999 / 1000, 1000)
    a = {t.label for t in axis_for(scale).ticks}
    b = {t.label for t in axis_for(scale.panned(-150)).ticks}
    common = a & b
    assert len(common) >= 5
    assert all(historical_year(y) % 50 == 0 for y in a | b)


def test_axis_across_the_end_of_the_year_9999():
    # The calendar goes on past 9999 (issue 13): the days run into AD 10,000.
    scale = TimeScale(PartialDate(9999).end - 500 * DAY / 40, DAY / 40, 1000)
    axis = axis_for(scale)
    assert axis.level.unit == "day"
    assert {"Dec 9999", "Jan AD 10,000"} <= {t.label for t in axis.context}
    assert "31" in [t.label for t in axis.ticks]
