"""Filters as masks over the events, with no Qt."""

from __future__ import annotations

import itertools

import pytest

from viewer.model.dates import parse_date
from viewer.model.filters import NO_FILTERS, Filters, mask_flags, ones, shown_mask
from viewer.model.scene import MarkKind, mark_kind
from viewer.model.search import SearchIndex


@pytest.fixture(scope="module")
def facts(builtin):
    return SearchIndex(builtin)


def kept(timeline, facts, filters) -> list[str]:
    mask = shown_mask(timeline, facts, filters)
    n = len(timeline.events)
    flags = mask_flags(ones(n) if mask is None else mask, n)
    return [e.id for e, f in zip(timeline.events, flags, strict=True) if f]


def brute(timeline, keep) -> list[str]:
    return [e.id for e in timeline.events if keep(e)]


def test_no_filters_keep_everything(builtin, facts):
    assert shown_mask(builtin, facts, NO_FILTERS) is None
    assert NO_FILTERS.active == 0
    assert kept(builtin, facts, NO_FILTERS) == [e.id for e in builtin.events]


def test_hiding_a_category(builtin, facts):
    f = NO_FILTERS.toggled_category("context")
    assert f.active == 1
    got = kept(builtin, facts, f)
    assert got == brute(builtin, lambda e: e.category != "context")
    assert "navalny-2018-claim" not in got and len(got) == len(builtin.events) - 1
    assert f.toggled_category("context") == NO_FILTERS


def test_by_source(builtin, facts):
    sid = next(iter(builtin.sources))
    f = Filters(sources=frozenset({sid}))
    assert kept(builtin, facts, f) == brute(
        builtin, lambda e: any(c.source_id == sid for c in e.citations)
    )


@pytest.mark.parametrize("kind", list(MarkKind))
def test_by_precision(builtin, facts, kind):
    f = Filters(kinds=frozenset({kind}))
    assert kept(builtin, facts, f) == brute(builtin, lambda e: mark_kind(e.when) is kind)


def test_by_date_range_keeps_what_overlaps(builtin, facts):
    a, b = parse_date("2022-04").start, parse_date("2022-12").end
    f = Filters(start=a, end=b)
    got = kept(builtin, facts, f)
    assert got == brute(builtin, lambda e: e.start < b and e.end > a)
    assert "reuters-report" in got and "cz-protect-users" not in got


def test_disputed_and_warnings_only(builtin, facts):
    disputed = kept(builtin, facts, Filters(disputed_only=True))
    assert disputed == brute(
        builtin, lambda e: bool(e.disputed_by) or bool(builtin.disputes_of(e.id))
    )
    assert "reuters-report" in disputed
    assert kept(builtin, facts, Filters(warnings_only=True)) == brute(
        builtin, lambda e: bool(e.warnings)
    )


def test_filters_combine(builtin, facts):
    everything = [
        NO_FILTERS.toggled_category("context"),
        Filters(kinds=frozenset({MarkKind.DAY, MarkKind.MONTH})),
        Filters(start=parse_date("2021").start),
        Filters(disputed_only=True),
    ]
    for a, b in itertools.combinations(everything, 2):
        both = Filters(
            hidden_categories=a.hidden_categories | b.hidden_categories,
            kinds=a.kinds or b.kinds,
            start=a.start if a.start is not None else b.start,
            disputed_only=a.disputed_only or b.disputed_only,
        )
        assert set(kept(builtin, facts, both)) == set(kept(builtin, facts, a)) & set(
            kept(builtin, facts, b)
        )


@pytest.mark.parametrize("lane_count", [4, 40])  # lanes cut by translate, or one by one
def test_a_filtered_index_answers_as_an_index_of_the_kept_events_would(lane_count):
    import random

    from viewer.model.aggregate import EventIndex
    from viewer.model.filtered import FilteredIndex

    rng = random.Random(5)
    n = 3000
    starts = sorted(rng.uniform(0, 1e7) for _ in range(n))
    ends = [s + rng.choice([1.0, 1e3, 1e5, 5e6]) for s in starts]
    lanes = [rng.randrange(lane_count) for _ in range(n)]
    flags = bytes(rng.random() < 0.4 for _ in range(n))
    # One lane kept whole and one hidden whole.
    flags = bytes(
        1 if lane == 1 else 0 if lane == 2 else f for f, lane in zip(flags, lanes, strict=True)
    )
    kept = [i for i in range(n) if flags[i]]
    index = FilteredIndex(EventIndex(starts, ends, lanes), flags)
    sub = EventIndex([starts[i] for i in kept], [ends[i] for i in kept], [lanes[i] for i in kept])
    assert len(index) == len(kept) and index.kept() == kept
    for _ in range(50):
        a = rng.uniform(-1e6, 1.1e7)
        b = a + rng.uniform(0, 3e6)
        assert index.visible(a, b) == [kept[k] for k in sub.visible(a, b)]
        assert index.count_starting(a, b) == sub.count_starting(a, b)
        got = index.clusters(0.0, 2e5, a, b)
        want = sub.clusters(0.0, 2e5, a, b)
        assert [(c.lane, c.start, c.count, c.first_start, c.last_start) for c in got] == [
            (c.lane, c.start, c.count, c.first_start, c.last_start) for c in want
        ]
        for c, w in zip(got, want, strict=True):
            events = list(index.cluster_events(c))
            assert events == [kept[k] for k in sub.cluster_events(w)]
            # The renderer names a cluster by its first event this way.
            assert index.lane_events[c.lane][c.first] == events[0]
        for edges in ([a, b], [a + k * (b - a) / 300 for k in range(301)]):
            for lane in range(lane_count):
                assert index.lane_counts(lane, edges) == sub.lane_counts(lane, edges)


def test_lane_flags_cut_flags_into_each_lanes_order():
    from viewer.model.aggregate import EventIndex

    lanes = [2, 0, 2, 1, 0, 2]
    index = EventIndex([float(k) for k in range(6)], [float(k) for k in range(6)], lanes)
    flags = bytes([1, 0, 0, 1, 1, 1])
    assert index.lane_flags(flags) == [bytes([0, 1]), bytes([1]), bytes([1, 0, 1])]
    with pytest.raises(ValueError):
        index.lane_flags(flags[:-1])


def test_a_category_filter_keeps_or_drops_lanes_whole_without_reading_flags(builtin):
    from viewer.model.filtered import FilteredIndex

    f = NO_FILTERS.toggled_category("context")
    flags = mask_flags(shown_mask(builtin, None, f), len(builtin.events))
    lane_ids, _ = builtin.lanes
    whole = {k for k, c in enumerate(lane_ids) if c != "context"}
    fast = FilteredIndex(builtin.index, flags, whole)
    slow = FilteredIndex(builtin.index, flags)
    span = (builtin.index.starts[0] - 1, builtin.index.ends[-1] + 1)
    clusters = fast.clusters(span[0], 86_400.0 * 30, *span)
    assert clusters == slow.clusters(span[0], 86_400.0 * 30, *span)
    assert lane_ids.index("context") not in {c.lane for c in clusters}
    assert sum(c.count for c in clusters) == flags.count(1) == len(fast)


def test_uncited_is_one_rule_for_the_label_the_panel_and_the_filter(qapp):
    from viewer.model.dates import DateSpan
    from viewer.model.timeline import Category, Citation, Event, Source, Timeline
    from viewer.render import TimelineRenderer

    src = Source("s", "s.txt", "S", "", "The quoted words.")
    events = [
        Event(
            "found",
            "Found",
            DateSpan(parse_date("2020")),
            "c",
            "",
            (Citation("s", "quoted words", (4, 16)),),
        ),
        Event(
            "missing",
            "Missing",
            DateSpan(parse_date("2021")),
            "c",
            "",
            (Citation("s", "never said", None),),
            warnings=("Quote 1 is not found.",),
        ),
    ]
    tl = Timeline("T", "", {"s": src}, {"c": Category("c", "C", "#000000")}, events)
    assert [tl.marked_uncited(e) for e in tl.events] == [False, True]
    renderer = TimelineRenderer(tl)
    labels = [renderer._label(i) for i in range(2)]
    assert "(uncited)" not in labels[0] and labels[1].endswith("(uncited)")
    kept = kept_ids(tl, Filters(uncited_only=True))
    assert kept == ["missing"]


def kept_ids(timeline, filters) -> list[str]:
    return kept(timeline, SearchIndex(timeline), filters)


@pytest.mark.parametrize("many_categories", [False, True])
def test_masks_agree_with_each_event_on_a_loaded_timeline(tmp_path, many_categories):
    """The masks made in C (category and precision lookups, the date range's prefix) against a
    test of each event, on a file the loader read into columns, with few categories and with
    more than fit in a byte."""
    import json

    from benchmarks.make_timeline import make_timeline
    from viewer.model.loader import load_timeline

    path = make_timeline(tmp_path / "t.json", 4000, seed=9, shape="bursty")
    if many_categories:
        doc = json.loads(path.read_text(encoding="utf-8"))
        for k, e in enumerate(doc["events"]):
            e["category"] = f"c{k % 300}"
        doc.pop("categories", None)
        path.write_text(json.dumps(doc), encoding="utf-8")
    timeline = load_timeline(path)
    assert (timeline.events.category_bytes is None) == many_categories
    facts = SearchIndex(timeline)
    events = list(timeline.events)
    cats = timeline.events.category_ids
    middle = events[len(events) // 2]
    t_a, t_b = middle.start, events[3 * len(events) // 4].start
    cases = [
        (NO_FILTERS.toggled_category(cats[1]), lambda e: e.category != cats[1]),
        (
            NO_FILTERS.toggled_category(cats[0]).toggled_category(cats[2]),
            lambda e: e.category not in (cats[0], cats[2]),
        ),
        (Filters(kinds=frozenset({MarkKind.DAY})), lambda e: mark_kind(e.when) is MarkKind.DAY),
        (Filters(start=t_a, end=t_b), lambda e: e.end > t_a and e.start < t_b),
        (Filters(start=t_a), lambda e: e.end > t_a),
        (Filters(end=t_b), lambda e: e.start < t_b),
    ]
    for filters, keep in cases:
        got = kept(timeline, facts, filters)
        assert got == brute(timeline, keep)
        assert 0 < len(got) < len(events)
