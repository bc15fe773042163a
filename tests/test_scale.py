"""The time scale: zoom about an anchor, pan, clamps and fitting a range into a width."""

from __future__ import annotations

import pytest

from viewer.model.dates import SECONDS_PER_DAY, PartialDate
from viewer.model.scale import (
    MAX_TIME,
    MAX_VISIBLE_SECONDS,
    MIN_SECONDS_PER_PIXEL,
    MIN_TIME,
    TimeScale,
    fit,
)

T2020 = PartialDate(2020).start
DAY = SECONDS_PER_DAY


def test_x_and_t_are_inverse():
    s = TimeScale(T2020, DAY, 800)
    assert s.x_of(T2020) == 0
    assert s.x_of(T2020 + 10 * DAY) == 10
    assert s.t_of(10) == T2020 + 10 * DAY
    assert s.t1 == T2020 + 800 * DAY
    for x in (0.0, 13.5, 400.0, 800.0):
        assert s.x_of(s.t_of(x)) == pytest.approx(x)


@pytest.mark.parametrize("factor", [1.25, 2.0, 10.0, 0.8, 0.5, 0.1])
@pytest.mark.parametrize("anchor", [0.0, 1.0, 250.0, 533.3, 999.0, 1000.0])
def test_zoom_keeps_the_time_under_the_anchor(factor, anchor):
    s = TimeScale(T2020, DAY, 1000)
    z = s.zoomed(factor, anchor)
    assert abs(z.t_of(anchor) - s.t_of(anchor)) < 1e-3  # seconds
    assert z.spp == pytest.approx(s.spp / factor)
    assert z.width == s.width


def test_repeated_zooms_keep_the_anchor():
    s = TimeScale(T2020, DAY, 1000)
    z = s
    for factor in (1.1, 1.3, 0.7, 2.0, 0.5, 1.01) * 5:
        z = z.zoomed(factor, 321.0)
    assert abs(z.t_of(321.0) - s.t_of(321.0)) < 1e-3


def test_zoom_in_stops_at_the_finest_scale_and_keeps_the_anchor():
    s = TimeScale(T2020, DAY, 1000)
    z = s
    for _ in range(50):
        z = z.zoomed(2.0, 300.0)
    assert z.spp == MIN_SECONDS_PER_PIXEL
    assert abs(z.t_of(300.0) - s.t_of(300.0)) < 1e-3
    assert z.zoomed(2.0, 300.0) == z  # no further


def test_zoom_out_stops_at_the_coarsest_scale():
    s = TimeScale(T2020, DAY, 1000)
    z = s
    for _ in range(50):
        z = z.zoomed(0.5, 300.0)
    assert z.spp == pytest.approx(MAX_VISIBLE_SECONDS / 1000)
    assert z.t1 - z.t0 == pytest.approx(MAX_VISIBLE_SECONDS)
    assert z.t0 >= MIN_TIME and z.t1 <= MAX_TIME
    # The coarsest view is the whole calendar; short of it, the anchor holds.
    part = s
    for _ in range(10):
        part = part.zoomed(0.5, 300.0)
    assert part.spp == pytest.approx(DAY * 1024)
    assert abs(part.t_of(300.0) - s.t_of(300.0)) < 1e-3


def test_zoom_out_at_the_start_of_the_calendar_stays_inside_it():
    s = TimeScale(MIN_TIME, DAY * 30, 1000)
    z = s.zoomed(0.01, 500.0)
    assert z.t0 >= MIN_TIME
    assert z.t1 <= MAX_TIME


def test_panned_moves_by_dx_times_spp():
    s = TimeScale(T2020, DAY, 1000)
    for dx in (1.0, 37.5, -250.0):
        p = s.panned(dx)
        assert p.t0 == pytest.approx(s.t0 - dx * s.spp)
        assert p.spp == s.spp
        assert p.width == s.width
        # The content moves right by dx: what was at x is now at x + dx.
        assert p.x_of(s.t_of(100.0)) == pytest.approx(100.0 + dx)


def test_pan_stops_at_the_ends_of_the_calendar():
    s = TimeScale(MIN_TIME + 10 * DAY, DAY, 1000)
    assert s.panned(100.0).t0 == MIN_TIME
    e = TimeScale(MAX_TIME - 1010 * DAY, DAY, 1000)
    assert e.panned(-100.0).t1 == pytest.approx(MAX_TIME)


@pytest.mark.parametrize(
    ("t0", "spp", "width"),
    [
        (MIN_TIME - 1e12, DAY, 1000),
        (MAX_TIME + 1e12, DAY, 1000),
        (MAX_TIME - 10 * DAY, DAY, 1000),
        (T2020, 1.0, 1000),
        (T2020, 1e15, 1000),
        (MIN_TIME, 1e15, 300),
        (T2020, DAY, 0),
    ],
)
def test_clamped_keeps_the_zoom_and_the_window_in_range(t0, spp, width):
    c = TimeScale(t0, spp, width).clamped()
    assert c.spp >= MIN_SECONDS_PER_PIXEL
    assert c.spp * c.width <= MAX_VISIBLE_SECONDS * (1 + 1e-12)
    assert c.t0 >= MIN_TIME
    assert c.t1 <= MAX_TIME * (1 + 1e-12)


def test_clamped_leaves_a_good_scale_alone():
    s = TimeScale(T2020, DAY, 1000)
    assert s.clamped() == s


def test_clamping_the_zoom_keeps_the_centre():
    s = TimeScale(T2020, MIN_SECONDS_PER_PIXEL / 10, 1000)  # finer than allowed
    c = s.clamped()
    assert c.spp == MIN_SECONDS_PER_PIXEL
    assert c.t_of(500) == pytest.approx(s.t_of(500))


def test_resized_keeps_the_left_edge_and_zoom():
    s = TimeScale(T2020, DAY, 1000)
    r = s.resized(600)
    assert (r.t0, r.spp, r.width) == (s.t0, s.spp, 600)


def test_centred_on():
    s = TimeScale(T2020, DAY, 1000)
    t = PartialDate(2022, 4, 22).start
    c = s.centred_on(t)
    assert c.x_of(t) == pytest.approx(500)
    assert c.spp == s.spp


def test_shows():
    s = TimeScale(T2020, DAY, 1000)
    assert s.shows(s.t_of(10), s.t_of(990))
    assert not s.shows(s.t_of(10), s.t_of(990), margin_px=20)
    assert not s.shows(s.t_of(-1), s.t_of(500))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (PartialDate(2019).start, PartialDate(2024).end),
        (PartialDate(2022, 4).start, PartialDate(2022, 6).end),
        (PartialDate(1900).start, PartialDate(2000).end),
    ],
)
@pytest.mark.parametrize("width", [600.0, 1280.0])
def test_fit_puts_start_and_end_at_the_margins(start, end, width):
    s = fit(start, end, width, margin_px=40)
    assert s.x_of(start) == pytest.approx(40)
    assert s.x_of(end) == pytest.approx(width - 40)
    s = fit(start, end, width, margin_px=40, right_margin_px=200)
    assert s.x_of(start) == pytest.approx(40)
    assert s.x_of(end) == pytest.approx(width - 200)


def test_fit_of_a_tiny_range_uses_the_finest_zoom_from_the_left_margin():
    start = PartialDate(2022, 4, 22).start
    s = fit(start, start + 0.1, 1000, margin_px=40)
    assert s.spp == MIN_SECONDS_PER_PIXEL
    assert s.x_of(start) == pytest.approx(40)


def test_fit_of_a_huge_range_is_clamped_to_the_coarsest_zoom():
    s = fit(MIN_TIME, MAX_TIME, 1000)
    assert s.spp * s.width == pytest.approx(MAX_VISIBLE_SECONDS)
    assert s.t0 >= MIN_TIME
    assert s.t1 <= MAX_TIME * (1 + 1e-12)


def test_fit_in_a_narrow_view_still_shows_the_range():
    start, end = PartialDate(2019).start, PartialDate(2024).end
    s = fit(start, end, 100, margin_px=40)
    assert 0 < s.x_of(start) < s.x_of(end) < 100
    assert s.x_of(end) - s.x_of(start) == pytest.approx(40)  # 40% of the width
