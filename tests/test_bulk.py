"""The fast reading path (viewer.model.bulk) gives the same timeline as the hand-written checks,
and gives up (so that they explain) on anything wrong."""

from __future__ import annotations

import json

import pytest

from benchmarks.make_timeline import make_timeline
from viewer.model import bulk
from viewer.model.loader import TimelineError, load_timeline
from viewer.model.store import EventStore


def load_by_hand(path, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(bulk, "decode_top", lambda raw: None)
        return load_timeline(path)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return make_timeline(tmp_path_factory.mktemp("bulk") / "t.json", 3000, seed=5, shape="bursty")


def test_both_paths_give_equal_timelines_in_the_same_order(generated, monkeypatch):
    fast = load_timeline(generated)
    slow = load_by_hand(generated, monkeypatch)
    assert fast.events._order is not None  # the generator writes events out of time order
    assert len(fast.events) == len(slow.events) == 3000
    assert fast == slow
    assert list(fast.categories) == list(slow.categories)
    assert fast.warned == slow.warned
    assert fast.extent == slow.extent
    assert list(fast.events.starts) == [e.start for e in slow.events]


def test_each_event_is_decoded_from_its_own_bytes(generated):
    timeline = load_timeline(generated)
    document = json.loads(generated.read_text(encoding="utf-8"))
    by_id = {e["id"]: e for e in document["events"]}
    for event in timeline.events:
        assert event.title == by_id[event.id]["title"]
        assert event.summary == by_id[event.id].get("summary", "")


def test_ids_and_disputes_are_found(generated, monkeypatch):
    fast = load_timeline(generated)
    slow = load_by_hand(generated, monkeypatch)
    disputed = [e for e in slow.events if e.disputed_by]
    assert disputed
    for i, event in enumerate(fast.events):
        assert fast.index_of(event.id) == i
    for event in disputed:
        for other in event.disputed_by:
            assert fast.disputes_of(other) == slow.disputes_of(other)
            assert event in fast.disputes_of(other)
    with pytest.raises(KeyError):
        fast.index_of("no-such-event")


def test_a_store_made_of_events_keeps_time_then_file_order(generated, monkeypatch):
    slow = load_by_hand(generated, monkeypatch)
    shuffled = list(reversed(slow.events))
    store = EventStore.of(shuffled, list(slow.categories))
    starts = list(store.starts)
    assert starts == sorted(starts)
    assert store[0:3] == tuple(store[i] for i in range(3))
    assert store[-1] == store[len(store) - 1]
    with pytest.raises(IndexError):
        store[len(store)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["events"][7].update(id=d["events"][3]["id"]),
            "events[7].id: duplicate event id",
        ),
        (lambda d: d["events"][9].update(date="2022-02-30"), "events[9].date: "),
        (lambda d: d["events"][9].update(end="1900"), "events[9].end: the end"),
        (lambda d: d["events"][2].update(title="  "), "events[2].title: must not be empty"),
        (lambda d: d["events"][2].update(extra=1), "events[2].extra: unknown field"),
        (lambda d: d["events"][4].update(end=None), "events[4].end: expected a date string"),
        (
            lambda d: d["events"][5]["citations"][0].pop("source"),
            "events[5].citations[0]: missing field 'source'",
        ),
        (
            lambda d: d["events"][5]["citations"][0].update(source="nope"),
            "events[5].citations[0].source: no source has the id 'nope'",
        ),
        (
            lambda d: d["events"][6].update(disputed_by=["missing"]),
            "events[6].disputed_by[0]: no event has the id 'missing'",
        ),
        (
            lambda d: d["events"][6].update(disputed_by=[d["events"][6]["id"]]),
            "events[6].disputed_by[0]: an event cannot dispute itself",
        ),
    ],
)
def test_a_problem_anywhere_is_explained_by_the_hand_written_checks(generated, change, message):
    document = json.loads(generated.read_text(encoding="utf-8"))
    change(document)
    bad = generated.with_name("bad.json")
    bad.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(TimelineError) as caught:
        load_timeline(bad)
    assert str(caught.value).startswith(f"{bad}: {message}")


def test_the_store_knows_none_is_uncited_when_every_quote_is_found(generated, tmp_path):
    assert load_timeline(generated).events.uncited == 0
    doc = json.loads(generated.read_text(encoding="utf-8"))
    for citation in doc["events"][0]["citations"]:
        citation["quote"] = "words no source holds"
    lost = tmp_path / generated.name
    lost.write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / f"{generated.stem}-sources").symlink_to(
        generated.parent / f"{generated.stem}-sources"
    )
    timeline = load_timeline(lost, root=generated.parent.parent)
    assert timeline.warned == 1
    assert timeline.events.uncited is None  # not counted: the events would have to be made
    assert sum(map(timeline.marked_uncited, timeline.events)) == 1
