"""Row layout: packing extents into rows, placing markers and labels, fitting with labels."""

from __future__ import annotations

import itertools
import random

import pytest

from viewer.model.dates import SECONDS_PER_DAY, PartialDate
from viewer.model.layout import (
    LABEL_GAP_PX,
    POINT_BELOW_PX,
    POINT_HALF_PX,
    ROW_GAP_PX,
    Placed,
    fit_with_labels,
    pack_rows,
    place_events,
)

DAY = SECONDS_PER_DAY


def assert_rows_apart(extents, rows, gap):
    by_row: dict[int, list[tuple[float, float]]] = {}
    for extent, row in zip(extents, rows, strict=True):
        by_row.setdefault(row, []).append(extent)
    for items in by_row.values():
        items.sort()
        for (_, right), (left, _) in itertools.pairwise(items):
            assert left >= right + gap, (right, left)


def max_depth(extents, gap) -> int:
    """The most extents (each widened by `gap` on the right) that meet at one point."""
    best = 0
    for left, _ in extents:
        best = max(best, sum(1 for a, b in extents if a <= left < b + gap))
    return best


# --- pack_rows ------------------------------------------------------------------------------


def test_pack_rows_empty():
    assert pack_rows([], 10) == []


def test_pack_rows_disjoint_extents_share_row_zero():
    assert pack_rows([(0, 10), (30, 40), (60, 70)], 14) == [0, 0, 0]


def test_pack_rows_honours_the_gap():
    assert pack_rows([(0, 10), (20, 30)], 14) == [0, 1]  # 20 < 10 + 14
    assert pack_rows([(0, 10), (24, 30)], 14) == [0, 0]  # exactly the gap apart


def test_pack_rows_simple_overlaps_use_the_fewest_rows():
    assert pack_rows([(0, 10), (5, 15), (20, 30)], 0) == [0, 1, 0]
    assert pack_rows([(0, 100), (10, 20), (30, 40), (50, 60)], 5) == [0, 1, 1, 1]
    # Three on top of each other need three rows; the next one after them goes back to row 0.
    assert pack_rows([(0, 50), (0, 50), (0, 50), (60, 70)], 5) == [0, 1, 2, 0]
    assert max(pack_rows([(0, 10), (5, 15), (12, 25), (20, 30)], 0)) + 1 == 2


def test_pack_rows_reuses_the_lowest_free_row():
    rows = pack_rows([(0, 100), (0, 10), (0, 10), (30, 40)], 0)
    assert rows == [0, 1, 2, 1]


def test_pack_rows_does_not_depend_on_input_order_of_left_edges():
    extents = [(50, 60), (0, 10), (5, 20)]
    rows = pack_rows(extents, 0)
    assert rows == [0, 0, 1]


@pytest.mark.parametrize("seed", range(8))
def test_pack_rows_random_is_valid_minimal_and_deterministic(seed):
    rng = random.Random(seed)
    extents = []
    for _ in range(200):
        left = rng.uniform(0, 5000)
        extents.append((left, left + rng.uniform(1, 400)))
    gap = rng.choice([0.0, 6.0, 14.0])
    rows = pack_rows(extents, gap)
    assert_rows_apart(extents, rows, gap)
    assert max(rows) + 1 == max_depth(extents, gap)
    assert pack_rows(extents, gap) == rows
    assert pack_rows(list(extents), gap) == rows


# --- place_events ---------------------------------------------------------------------------


def random_events(rng: random.Random, n: int) -> tuple[list[tuple[float, float]], list[float]]:
    base = PartialDate(2000).start
    spans = []
    for _ in range(n):
        start = base + rng.uniform(0, 20 * 365) * DAY
        length = rng.choice([1.0, 30.0, rng.uniform(1, 2000)]) * DAY
        spans.append((start, start + length))
    widths = [rng.uniform(10, 300) for _ in range(n)]
    return spans, widths


def row_boxes(placed: list[Placed]) -> list[tuple[float, float]]:
    return [(p.left, p.right) for p in placed]


@pytest.mark.parametrize("seed", range(6))
def test_placed_extents_in_a_row_never_overlap(seed):
    rng = random.Random(seed)
    spans, widths = random_events(rng, rng.randint(200, 400))
    for spp in (DAY / 10, DAY, 7 * DAY, 60 * DAY):
        placed = place_events(spans, widths, spp, spans[0][0])
        assert [p.index for p in placed] == list(range(len(spans)))
        assert_rows_apart(row_boxes(placed), [p.row for p in placed], ROW_GAP_PX)
        for p, w in zip(placed, widths, strict=True):
            assert p.label_w == w
            # The label never sits on top of its own marker.
            assert p.label_x >= p.bar_x1 or p.label_x + w <= p.bar_x0 or not p.is_point
            assert p.left <= p.bar_x0 < p.bar_x1 <= p.right


def test_place_events_is_deterministic():
    spans, widths = random_events(random.Random(7), 300)
    a = place_events(spans, widths, DAY, spans[0][0])
    b = place_events(spans, widths, DAY, spans[0][0])
    assert a == b


def test_place_events_empty():
    assert place_events([], [], DAY, 0.0) == []


def test_a_short_period_is_a_point_and_a_long_one_a_band():
    origin = PartialDate(2022).start
    day = PartialDate(2022, 4, 22)
    month = PartialDate(2022, 4)
    spp = DAY  # a day is 1 px, a month 30 px
    placed = place_events([(day.start, day.end), (month.start, month.end)], [50, 50], spp, origin)
    point, band = placed
    assert point.is_point
    mid = (day.start - origin) / spp + 0.5
    assert point.bar_x0 == pytest.approx(mid - POINT_HALF_PX)
    assert point.bar_x1 == pytest.approx(mid + POINT_HALF_PX)
    assert not band.is_point
    assert band.bar_x0 == pytest.approx((month.start - origin) / spp)
    assert band.bar_x1 == pytest.approx((month.end - origin) / spp)


def test_the_point_threshold():
    spp = DAY
    just_under = (0.0, (POINT_BELOW_PX - 0.01) * spp)
    at = (0.0, POINT_BELOW_PX * spp)
    placed = place_events([just_under, at], [40, 40], spp, 0.0)
    assert placed[0].is_point
    assert not placed[1].is_point
    # Zooming in turns the same day into a band.
    day = (0.0, DAY)
    assert place_events([day], [40], DAY, 0.0)[0].is_point
    assert not place_events([day], [40], DAY / 10, 0.0)[0].is_point


def test_a_wide_band_carries_its_label_inside():
    placed = place_events([(0.0, 500 * DAY), (600 * DAY, 601 * DAY)], [100, 20], DAY, 0.0)
    band = placed[0]
    assert band.bar_x0 < band.label_x < band.bar_x1
    assert band.right == band.bar_x1


def test_a_narrow_band_puts_its_label_after_it():
    spans = [(0.0, 20 * DAY), (1000 * DAY, 1001 * DAY)]
    band = place_events(spans, [100, 20], DAY, 0.0)[0]
    assert band.label_x == pytest.approx(band.bar_x1 + LABEL_GAP_PX)


def test_the_last_label_flips_left_rather_than_run_past_the_end():
    spans = [(0.0, DAY), (500 * DAY, 501 * DAY)]
    last = place_events(spans, [100, 100], DAY, 0.0)[1]
    assert last.label_x + last.label_w == pytest.approx(last.bar_x0 - LABEL_GAP_PX)
    # Unless there is no room for it before the first event.
    lone = place_events([(0.0, DAY)], [100], DAY, 0.0)[0]
    assert lone.label_x == pytest.approx(lone.bar_x1 + LABEL_GAP_PX)


@pytest.mark.parametrize("seed", range(4))
def test_a_pan_does_not_change_the_rows(seed):
    rng = random.Random(100 + seed)
    spans, widths = random_events(rng, 300)
    spp = rng.choice([DAY / 4, DAY, 10 * DAY])
    origin = min(s for s, _ in spans)
    placed = place_events(spans, widths, spp, origin)
    for shift_px in (-1000.0, -37.0, 512.0, 40000.0):
        moved = place_events(spans, widths, spp, origin + shift_px * spp)
        assert [p.row for p in moved] == [p.row for p in placed]
        assert [p.is_point for p in moved] == [p.is_point for p in placed]
        for a, b in zip(placed, moved, strict=True):
            assert b.label_x == pytest.approx(a.label_x - shift_px, abs=1e-6)
            assert b.bar_x0 == pytest.approx(a.bar_x0 - shift_px, abs=1e-6)


# --- fit_with_labels ------------------------------------------------------------------------


def small_example() -> tuple[list[tuple[float, float]], list[float]]:
    dates = [
        (PartialDate(2019, 3), PartialDate(2019, 3)),
        (PartialDate(2020), PartialDate(2021, 6)),
        (PartialDate(2022, 4, 22), PartialDate(2022, 4, 22)),
        (PartialDate(2023, 8), PartialDate(2024, 7)),
    ]
    spans = [(a.start, b.end) for a, b in dates]
    return spans, [180.0, 220.0, 150.0, 260.0]


@pytest.mark.parametrize("width", [600.0, 900.0, 1280.0, 2000.0])
def test_fit_with_labels_shows_every_extent_whole(width):
    spans, widths = small_example()
    margin = 40.0
    scale = fit_with_labels(spans, widths, width, margin)
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    assert scale.x_of(start) == pytest.approx(margin)
    assert scale.x_of(end) <= width - margin + 1e-6
    offset = scale.x_of(start)
    for p in place_events(spans, widths, scale.spp, start):
        assert p.left + offset >= -1e-6
        assert p.right + offset <= width + 1e-6


def test_fit_with_labels_makes_room_for_a_label_that_cannot_flip():
    # One short event: its label can only go right, so the fit leaves room for it there.
    day = PartialDate(2022, 4, 22)
    spans = [(PartialDate(2019).start, PartialDate(2019).end), (day.start, day.end)]
    widths = [40.0, 120.0]
    scale = fit_with_labels(spans, widths, 1000, 40)
    offset = scale.x_of(spans[0][0])
    for p in place_events(spans, widths, scale.spp, spans[0][0]):
        assert p.left + offset >= 0
        assert p.right + offset <= 1000 + 1e-6


def test_fit_with_labels_never_gives_more_than_45_percent_to_labels():
    spans = [(0.0, DAY), (100 * DAY, 101 * DAY)]
    scale = fit_with_labels(spans, [5000.0, 5000.0], 1000, 40)
    assert scale.x_of(101 * DAY) >= 1000 * 0.55 - 1e-6
    assert scale.x_of(0.0) == pytest.approx(40)
