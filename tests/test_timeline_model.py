"""The Timeline data class: ordering, lookups, stepping through events and disputes."""

from __future__ import annotations

import pytest

from viewer.model.dates import DateSpan, PartialDate, parse_date
from viewer.model.timeline import PALETTE, Category, Citation, Event, Timeline, step


def event(eid: str, date: str, end: str | None = None, disputed_by: tuple[str, ...] = ()) -> Event:
    return Event(
        id=eid,
        title=f"Event {eid}",
        when=DateSpan(parse_date(date), parse_date(end) if end else None),
        category="c",
        summary="",
        citations=(Citation("s", "quote", (0, 5)),),
        disputed_by=disputed_by,
    )


def timeline(*events: Event) -> Timeline:
    return Timeline(
        title="T",
        description="",
        sources={},
        categories={"c": Category("c", "C", "#123456")},
        events=events,
    )


def ids(tl: Timeline) -> list[str]:
    return [e.id for e in tl.events]


def test_events_are_sorted_by_start_then_end_then_file_order():
    tl = timeline(
        event("late", "2023"),
        event("b-day", "2022-04-22"),
        event("year", "2022"),  # starts 1 Jan 2022, ends 1 Jan 2023
        event("a-day", "2022-04-22"),
        event("month", "2022-01"),  # starts 1 Jan 2022 too, ends sooner
        event("range", "2021-06", "2024"),
    )
    assert ids(tl) == ["range", "month", "year", "b-day", "a-day", "late"]


def test_sorting_does_not_depend_on_input_order():
    evs = [event("x", "2020"), event("y", "2019-05"), event("z", "2019-05-01")]
    assert ids(timeline(*evs)) == ids(timeline(*reversed(evs))) == ["z", "y", "x"]


def test_extent():
    tl = timeline(event("a", "2021-06", "2022"), event("b", "2020-03-01"), event("c", "2021"))
    assert tl.extent == (PartialDate(2020, 3, 1).start, PartialDate(2022).end)
    with pytest.raises(ValueError):
        _ = timeline().extent


def test_index_of_and_event():
    tl = timeline(event("b", "2021"), event("a", "2020"))
    assert tl.index_of("a") == 0
    assert tl.index_of("b") == 1
    assert tl.event("b").title == "Event b"
    with pytest.raises(KeyError):
        tl.index_of("nope")


def test_category_color_falls_back_to_the_last_palette_colour():
    tl = timeline(event("a", "2020"))
    assert tl.category_color("c") == "#123456"
    assert tl.category_color("unknown") == PALETTE[-1]


def three() -> Timeline:
    return timeline(event("a", "2020"), event("b", "2021"), event("c", "2022"))


@pytest.mark.parametrize(
    ("current", "move", "expected"),
    [
        (None, "next", 0),
        (None, "first", 0),
        (None, "previous", 2),
        (None, "last", 2),
        (0, "next", 1),
        (1, "next", 2),
        (2, "next", 2),  # no wrap at the end
        (2, "previous", 1),
        (1, "previous", 0),
        (0, "previous", 0),  # no wrap at the start
        (1, "first", 0),
        (1, "last", 2),
        (2, "first", 0),
        (0, "last", 2),
    ],
)
def test_step(current, move, expected):
    assert step(three(), current, move) == expected


def test_step_on_an_empty_timeline_selects_nothing():
    for move in ("next", "previous", "first", "last"):
        assert step(timeline(), None, move) is None


def test_step_with_an_unknown_move_raises():
    with pytest.raises(ValueError, match="unknown move 'sideways'"):
        step(three(), 0, "sideways")


def test_first_starting_at_or_after():
    tl = timeline(
        event("a", "2020"), event("b", "2021-06"), event("b2", "2021-06"), event("c", "2022")
    )
    assert tl.first_starting_at_or_after(PartialDate(1999).start) == 0
    assert tl.first_starting_at_or_after(PartialDate(2020).start) == 0
    assert tl.first_starting_at_or_after(PartialDate(2020).start + 1) == 1
    assert tl.first_starting_at_or_after(PartialDate(2021, 6).start) == 1
    assert tl.first_starting_at_or_after(PartialDate(2021, 6).start + 1) == 3
    assert tl.first_starting_at_or_after(PartialDate(2022).start) == 3
    assert tl.first_starting_at_or_after(PartialDate(2022).start + 1) == 4  # none: len(events)


def test_disputes_of_is_the_reverse_of_disputed_by():
    tl = timeline(
        event("claim", "2021", disputed_by=("denial", "counter")),
        event("denial", "2021-05", disputed_by=("counter",)),
        event("counter", "2021-06"),
        event("other", "2022"),
    )
    # "claim is disputed by denial" is "denial disputes claim".
    assert [e.id for e in tl.disputes_of("denial")] == ["claim"]
    assert [e.id for e in tl.disputes_of("counter")] == ["claim", "denial"]
    assert tl.disputes_of("claim") == ()
    assert tl.disputes_of("other") == ()
    assert tl.disputes_of("no-such-event") == ()


def test_event_times_and_citation_found():
    e = event("a", "2022-04")
    assert (e.start, e.end) == (PartialDate(2022, 4).start, PartialDate(2022, 4).end)
    assert Citation("s", "q", (0, 1)).found
    assert not Citation("s", "q", None).found
