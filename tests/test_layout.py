"""Row layout: packing extents into rows, placing markers and labels, fitting with labels."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viewer.model.dates import MAX_YEAR, SECONDS_PER_DAY, PartialDate
from viewer.model.layout import (
    INSIDE_PAD_PX,
    LABEL_GAP_PX,
    ROW_GAP_PX,
    Placed,
    fit_with_labels,
    inside_label_x,
    max_label_px,
    pack_rows,
    place_events,
)
from viewer.model.scene import GLYPH_PX, MarkKind

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

KINDS = list(MarkKind)


def random_events(
    rng: random.Random, n: int
) -> tuple[list[tuple[float, float]], list[float], list[MarkKind]]:
    """Random events in time order (as a timeline keeps them), with label widths and kinds."""
    base = PartialDate(2000).start
    spans = []
    for _ in range(n):
        start = base + rng.uniform(0, 20 * 365) * DAY
        length = rng.choice([1.0, 30.0, 365.0, rng.uniform(1, 2000)]) * DAY
        spans.append((start, start + length))
    spans.sort()
    widths = [rng.uniform(10, 300) for _ in range(n)]
    kinds = [rng.choice(KINDS) for _ in range(n)]
    return spans, widths, kinds


def row_boxes(placed: list[Placed]) -> list[tuple[float, float]]:
    return [(p.left, p.right) for p in placed]


def assert_reads_in_time_order(placed: list[Placed]) -> None:
    """Each row, read left to right, goes forward in time, each label beside its own mark (to
    its right, or inside its band), and the rows' first events are in time order top down."""
    by_row: dict[int, list[Placed]] = {}
    for p in placed:  # `placed` is in time order
        by_row.setdefault(p.row, []).append(p)
    assert sorted(by_row) == list(range(len(by_row)))  # no empty row
    firsts = [by_row[r][0].bar_x0 for r in sorted(by_row)]
    assert firsts == sorted(firsts)
    for items in by_row.values():
        for a, b in itertools.pairwise(items):
            assert a.bar_x0 <= b.bar_x0
            assert a.right + ROW_GAP_PX <= b.left + 1e-6  # nothing of b before a ends
        for p in items:
            assert p.label_x >= p.bar_x0  # never left of its mark
            if p.label_inside:
                assert p.label_x + p.label_w + INSIDE_PAD_PX <= p.bar_x1 + 1e-6
            else:
                assert p.label_x == pytest.approx(p.bar_x1 + LABEL_GAP_PX)


@pytest.mark.parametrize("seed", range(6))
def test_placed_extents_in_a_row_never_overlap_and_read_in_time_order(seed):
    rng = random.Random(seed)
    spans, widths, kinds = random_events(rng, rng.randint(200, 400))
    for spp in (DAY / 10, DAY, 7 * DAY, 60 * DAY):
        placed = place_events(spans, widths, spp, spans[0][0], kinds=kinds)
        assert [p.index for p in placed] == list(range(len(spans)))
        assert_rows_apart(row_boxes(placed), [p.row for p in placed], ROW_GAP_PX)
        assert_reads_in_time_order(placed)
        for p, w in zip(placed, widths, strict=True):
            assert p.label_w == w
            assert p.left <= p.bar_x0 < p.bar_x1 <= p.right


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 5000),  # start, days
            st.sampled_from([0.04, 1.0, 31.0, 366.0, 900.0]),  # length, days
            st.floats(5, 400),  # label width
            st.sampled_from(KINDS),
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from([DAY / 24, DAY / 2, DAY, 7 * DAY, 60 * DAY, 400 * DAY]),
)
def test_rows_read_in_time_order_for_any_timeline(events, spp):
    events.sort(key=lambda e: e[0])
    spans = [(s * DAY, (s + n) * DAY) for s, n, _w, _k in events]
    widths = [w for _s, _n, w, _k in events]
    kinds = [k for _s, _n, _w, k in events]
    placed = place_events(spans, widths, spp, 0.0, kinds=kinds)
    assert_rows_apart(row_boxes(placed), [p.row for p in placed], ROW_GAP_PX)
    assert_reads_in_time_order(placed)


def test_place_events_is_deterministic():
    spans, widths, kinds = random_events(random.Random(7), 100)
    a = place_events(spans, widths, DAY, spans[0][0], kinds=kinds)
    b = place_events(spans, widths, DAY, spans[0][0], kinds=kinds)
    assert a == b


def test_place_events_empty():
    assert place_events([], [], DAY, 0.0) == []


def test_a_period_narrower_than_a_glyph_gets_a_glyph_centred_on_it():
    origin = PartialDate(2022).start
    day = PartialDate(2022, 4, 22)
    month = PartialDate(2022, 6)
    spp = DAY  # a day is 1 px, a month about 30 px
    placed = place_events(
        [(day.start, day.end), (month.start, month.end)],
        [50, 50],
        spp,
        origin,
        kinds=[MarkKind.DAY, MarkKind.MONTH],
    )
    point, band = placed
    mid = (day.start - origin) / spp + 0.5
    assert point.is_point
    assert point.bar_x0 == pytest.approx(mid - GLYPH_PX / 2)
    assert point.bar_x1 == pytest.approx(mid + GLYPH_PX / 2)
    assert not band.is_point


def test_a_label_goes_inside_a_band_only_when_it_fits_whole():
    for kind in (MarkKind.MONTH, MarkKind.YEAR, MarkKind.RANGE):
        band = place_events([(0.0, 500 * DAY)], [100], DAY, 0.0, kinds=[kind])[0]
        assert band.label_inside
        assert band.label_x == pytest.approx(inside_label_x(kind, 0.0))
        # One pixel too narrow for it: right of the band instead, never across its end.
        need = inside_label_x(kind, 0.0) + 100 + INSIDE_PAD_PX
        tight = place_events([(0.0, (need - 1) * DAY)], [100], DAY, 0.0, kinds=[kind])[0]
        assert not tight.label_inside
        assert tight.label_x == pytest.approx(tight.bar_x1 + LABEL_GAP_PX)


def test_a_day_never_holds_its_label():
    # Zoomed in to hours, a day is a wide mark with its diamond at its centre: the label goes
    # right of the day.
    placed = place_events([(0.0, DAY)], [40], DAY / 1000, 0.0, kinds=[MarkKind.DAY])[0]
    assert not placed.is_point
    assert placed.label_x == pytest.approx(placed.bar_x1 + LABEL_GAP_PX)


def test_labels_never_go_left_of_their_mark_even_at_the_end():
    spans = [(0.0, 500 * DAY), (600 * DAY, 601 * DAY)]
    last = place_events(spans, [100, 100], DAY, 0.0, kinds=[MarkKind.RANGE, MarkKind.DAY])[1]
    assert last.label_x == pytest.approx(last.bar_x1 + LABEL_GAP_PX)


def test_the_label_cap_is_a_share_of_the_width():
    assert max_label_px(400, 480) == pytest.approx(180)
    assert max_label_px(4000, 480) == 480
    assert max_label_px(100, 480) == 80


@pytest.mark.parametrize("seed", range(4))
def test_a_pan_does_not_change_the_rows(seed):
    rng = random.Random(100 + seed)
    spans, widths, kinds = random_events(rng, 300)
    spp = rng.choice([DAY / 4, DAY, 10 * DAY])
    origin = min(s for s, _ in spans)
    placed = place_events(spans, widths, spp, origin, kinds=kinds)
    for shift_px in (-1000.0, -37.0, 512.0, 40000.0):
        moved = place_events(spans, widths, spp, origin + shift_px * spp, kinds=kinds)
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
    widths = [min(w, max_label_px(width, 480)) for w in widths]  # as the renderer elides them
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


def test_fit_with_labels_makes_room_right_of_the_last_event():
    day = PartialDate(2022, 4, 22)
    spans = [(PartialDate(2019).start, PartialDate(2019).end), (day.start, day.end)]
    widths = [40.0, 120.0]
    scale = fit_with_labels(spans, widths, 1000, 40)
    offset = scale.x_of(spans[0][0])
    for p in place_events(spans, widths, scale.spp, spans[0][0]):
        assert p.left + offset >= 0
        assert p.right + offset <= 1000 + 1e-6


def test_fit_with_labels_never_gives_more_than_half_to_labels():
    spans = [(0.0, DAY), (100 * DAY, 101 * DAY)]
    scale = fit_with_labels(spans, [5000.0, 5000.0], 1000, 40)
    assert scale.x_of(101 * DAY) >= 1000 * 0.5 - 1e-6
    assert scale.x_of(0.0) == pytest.approx(40)


def test_at_the_end_of_the_calendar_a_label_goes_left_of_its_mark():
    # No time is left right of the calendar's last day, so that label has nowhere else to go.
    last = PartialDate(MAX_YEAR, 12, 31)
    spans = [
        (PartialDate(MAX_YEAR - 9).start, PartialDate(MAX_YEAR - 9).end),
        (last.start, last.end),
    ]
    placed = place_events(spans, [60, 100], DAY, spans[0][0], kinds=[MarkKind.YEAR, MarkKind.DAY])
    assert placed[1].label_x + 100 == pytest.approx(placed[1].bar_x0 - LABEL_GAP_PX)
    assert placed[1].left == placed[1].label_x
