"""Finding events in view and counting clusters (viewer.model.aggregate): no Qt."""

from __future__ import annotations

import math
import random

import pytest

from viewer.model.aggregate import EventIndex

DAY = 86_400.0


def random_events(n: int, seed: int, lanes: int = 4) -> tuple[list[float], list[float], list[int]]:
    """Sorted starts with ends of every kind: points, days, months and a few very long ranges."""
    rng = random.Random(seed)
    starts = sorted(rng.uniform(0, 3000 * DAY) for _ in range(n))
    ends = []
    for s in starts:
        kind = rng.random()
        if kind < 0.02:
            ends.append(s + rng.uniform(300, 2000) * DAY)  # years long
        elif kind < 0.3:
            ends.append(s + 30 * DAY)
        else:
            ends.append(s + DAY)
    return starts, ends, [rng.randrange(lanes) for _ in range(n)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_visible_is_exactly_the_events_overlapping_the_range(seed):
    starts, ends, lanes = random_events(3000, seed)
    index = EventIndex(starts, ends, lanes)
    rng = random.Random(seed)
    for _ in range(50):
        a = rng.uniform(-100 * DAY, 3100 * DAY)
        b = a + rng.choice([DAY, 30 * DAY, 400 * DAY, 4000 * DAY])
        expected = [i for i in range(len(starts)) if ends[i] >= a and starts[i] <= b]
        assert index.visible(a, b) == expected


def test_visible_holds_for_durations_from_a_microsecond_to_deep_time():
    """Events are searched in groups by how long they last (powers of two of seconds): from
    sub-second times to ranges of billions of years, and instants of no length."""
    rng = random.Random(11)
    lengths = [0.0, 1e-6, 0.5, 1.0, 59.0, 3600.0, DAY, 31 * DAY, 366 * DAY, 1e12, 4.3e17]
    starts = sorted(rng.uniform(-5e17, 5e9) for _ in range(2000))
    ends = [s + rng.choice(lengths) for s in starts]
    index = EventIndex(starts, ends, [0] * len(starts))
    for _ in range(200):
        a = rng.uniform(-6e17, 6e9)
        b = a + rng.choice([1e-6, 1.0, DAY, 1e9, 1e18])
        expected = [i for i in range(len(starts)) if ends[i] >= a and starts[i] <= b]
        assert index.visible(a, b) == expected


@pytest.mark.parametrize("bucket_days", [0.5, 3, 40, 365])
def test_cluster_counts_add_up_to_the_events_starting_in_range(bucket_days):
    starts, ends, lanes = random_events(5000, 7)
    index = EventIndex(starts, ends, lanes)
    bucket = bucket_days * DAY
    origin = starts[0]
    for a, b in [(0, 3000 * DAY), (500 * DAY, 900 * DAY), (1234 * DAY, 1240 * DAY)]:
        clusters = index.clusters(origin, bucket, a, b)
        # Clusters are whole buckets counted from the origin: together they cover [a, b) and
        # spill over its ends to the bucket edges.
        lo = origin + math.floor((a - origin) / bucket) * bucket
        hi = origin + (math.floor((b - origin) / bucket) + 1) * bucket
        assert lo <= a and hi >= b
        assert all(lo <= c.start and c.end <= hi + 1e-6 for c in clusters)
        assert sum(c.count for c in clusters) == index.count_starting(lo, hi)
        assert index.count_starting(lo, hi) == sum(1 for s in starts if lo <= s < hi)
        for c in clusters:
            members = list(index.cluster_events(c))
            assert len(members) == c.count > 0
            assert all(lanes[i] == c.lane and c.start <= starts[i] < c.end for i in members)
            assert c.first_start == starts[members[0]] and c.last_start == starts[members[-1]]


def test_clusters_do_not_move_when_the_range_pans():
    starts, ends, lanes = random_events(2000, 11)
    index = EventIndex(starts, ends, lanes)
    bucket = 20 * DAY
    one = {(c.lane, c.start): c.count for c in index.clusters(0.0, bucket, 100 * DAY, 900 * DAY)}
    two = {(c.lane, c.start): c.count for c in index.clusters(0.0, bucket, 333 * DAY, 1200 * DAY)}
    shared = one.keys() & two.keys()
    assert len(shared) > 20
    assert all(one[k] == two[k] for k in shared)


def test_lane_counts_split_a_lane_by_edges():
    starts, ends, lanes = random_events(4000, 5)
    index = EventIndex(starts, ends, lanes)
    edges = [k * 100 * DAY for k in range(31)]
    for lane in range(index.lane_count):
        counts = index.lane_counts(lane, edges)
        assert len(counts) == 30
        assert sum(counts) == sum(1 for s, ln in zip(starts, lanes, strict=True) if ln == lane)


def test_an_empty_index_finds_nothing():
    index = EventIndex([], [], [])
    assert len(index) == 0
    assert index.visible(0, DAY) == []
    assert index.clusters(0.0, DAY, 0.0, 10 * DAY) == []


def test_mismatched_columns_are_refused():
    with pytest.raises(ValueError):
        EventIndex([0.0, 1.0], [1.0], [0, 0])
    with pytest.raises(ValueError):
        EventIndex([0.0], [1.0], [0]).clusters(0.0, 0.0, 0.0, 1.0)


def test_an_index_made_from_its_parts_is_the_same_and_parts_that_do_not_fit_are_ignored():
    from viewer.model.aggregate import IndexParts

    starts, ends, lanes = random_events(2000, 4)
    index = EventIndex(starts, ends, lanes)
    parts = index.parts()
    again = EventIndex(starts, ends, lanes, parts)
    assert again.parts() == parts
    assert again.lane_events[1] is not index.lane_events[1]  # made of the parts, not shared
    assert again.clusters(0.0, 40 * DAY, 0.0, 3000 * DAY) == index.clusters(
        0.0, 40 * DAY, 0.0, 3000 * DAY
    )
    wrong = IndexParts(**{**parts.__dict__, "lane_sizes": [*parts.lane_sizes[:-1], 0]})
    fixed = EventIndex(starts, ends, lanes, wrong)
    assert fixed.parts() == parts  # worked out again
    for _ in range(20):
        a = random.uniform(0, 3000 * DAY)
        assert fixed.visible(a, a + 9 * DAY) == again.visible(a, a + 9 * DAY)
