"""Issue 11, the loader: what the app shows is exactly what the file and its sources say, and no
file can stall it, fill its memory or make it read outside its folder.

- Duplicate keys: both loading paths (the fast one in viewer.model.bulk and the hand-written
  one) are fed the same documents, and agree with each other and with json.loads: the same
  timeline, or the same one-line refusal.
- Limits: each is refused with its message, and cheap checks come before the quote searches.
- Sources: each distinct file is read once, the total is bounded, and a folder swapped for a link
  while loading never leads the loader outside.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from viewer.model import bulk, limits, loader
from viewer.model.aggregate import EventIndex
from viewer.model.loader import TimelineError, load_timeline
from viewer.model.timeline import QuoteSearch, SearchTooLong, Source, Timeline

SOURCE_TEXT = "On 3 May 2021 the bridge was closed for repairs: the mayor said so.\n"


def event(i: int, **fields) -> dict:
    e = {
        "id": f"e{i}",
        "title": f"Event {i}",
        "date": "2021-05-03",
        "category": "works",
        "citations": [{"source": "s", "quote": "the bridge was closed"}],
    }
    e.update(fields)
    return e


def document(events: list[dict] | None = None, **top) -> dict:
    d = {
        "version": 1,
        "title": "The bridge",
        "categories": [{"id": "works", "label": "Works"}],
        "sources": [{"id": "s", "file": "source.txt", "title": "Report"}],
        "events": events if events is not None else [event(0), event(1, date="2021")],
    }
    d.update(top)
    return d


def write(folder: Path, text: str | dict, source: str = SOURCE_TEXT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "source.txt").write_text(source, encoding="utf-8")
    path = folder / "timeline.json"
    if isinstance(text, dict):
        text = json.dumps(text, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def fast(path: Path) -> Timeline | None:
    """The fast path alone: a timeline, or None where it leaves the file to the other."""
    files = loader._SourceFiles(path.parent, None)
    return loader._parse_fast(path.read_bytes(), path, files, loader._Progress(None, None))


def checked(path: Path) -> Timeline:
    """The hand-written path alone."""
    files = loader._SourceFiles(path.parent, None)
    return loader._parse_checked(path.read_bytes(), path, files, loader._Progress(None, None))


def outcome(read) -> Timeline | str:
    try:
        return read()
    except TimelineError as exc:
        return str(exc)


def has_duplicate_keys(text: str) -> bool:
    found = []

    def hook(pairs):
        if len({k for k, _ in pairs}) != len(pairs):
            found.append(pairs)
        return dict(pairs)

    json.loads(text, object_pairs_hook=hook)
    return bool(found)


# --- duplicate keys: one policy in both paths ----------------------------------------------------

E0 = '{"id": "e0", "title": "Bridge closed", "date": "2021-05-03", "category": "works", "citations": [{"source": "s", "quote": "the bridge was closed"}]}'  # noqa: E501
MAYOR = '{"id": "e9", "title": "Mayor arrested!", "date": "2021-05-04", "category": "works", "citations": [{"source": "s", "quote": "the mayor"}]}'  # noqa: E501
HEAD = '"version": 1, "title": "The bridge", "categories": [{"id": "works", "label": "Works"}], "sources": [{"id": "s", "file": "source.txt", "title": "Report"}]'  # noqa: E501


def text_of(head: str = HEAD, *parts: str) -> str:
    """A document's text: `{head, parts...}`, written by hand so that keys can repeat."""
    return "{" + ", ".join([head, *parts]) + "}"


def events(*items: str) -> str:
    return '"events": [' + ", ".join(items) + "]"


def first_key(obj: str, key_value: str) -> str:
    """`obj` with `key_value` put first, before the keys it has."""
    return "{" + key_value + ", " + obj[1:]


MAYOR_8 = MAYOR.replace("e9", "e8")
REOPENED = MAYOR.replace("e9", "e1").replace("Mayor arrested!", "Bridge reopened")
DUPLICATED = {
    # The testers' two: an event only in the list json.loads drops, and a crash.
    "events-twice-mayor": text_of(HEAD, events(MAYOR), events(E0)),
    "events-twice-same-first": text_of(HEAD, events(E0, MAYOR), events(E0)),
    "events-twice-truncated": text_of(HEAD, events(E0, MAYOR, MAYOR), events(E0, MAYOR_8)),
    # The first event's text also in the dropped list: the old fast path placed the later
    # events by it, and crashed (msgspec.DecodeError) or showed a dropped one.
    "dropped-list-differs": text_of(HEAD, events(E0, MAYOR), events(E0, REOPENED)),
    "dropped-list-short": text_of(HEAD, events(E0, '{"id": "z"}'), events(E0, REOPENED)),
    "title-twice": text_of(HEAD, '"title": "Another"', events(E0)),
    "version-twice": text_of(HEAD, '"version": 2', events(E0)),
    "event-id": text_of(HEAD, events(first_key(E0, '"id": "x"'))),
    "event-title": text_of(HEAD, events(first_key(E0, '"title": "Mayor arrested!"'))),
    "event-date": text_of(HEAD, events(first_key(E0, '"date": "1999"'))),
    "event-citations": text_of(HEAD, events(first_key(E0, '"citations": []'))),
    "citation-quote": text_of(
        HEAD, events(E0.replace('"quote": "the', '"quote": "x", "quote": "the'))
    ),
    "citation-source": text_of(
        HEAD, events(E0.replace('"source": "s"', '"source": "t", "source": "s"'))
    ),
    "category-color": text_of(
        HEAD.replace(
            '"label": "Works"', '"label": "Works", "color": "#000000", "color": "#FFFFFF"'
        ),
        events(E0),
    ),
    "source-file": text_of(
        HEAD.replace('"file": "source.txt"', '"file": "../secret.txt", "file": "source.txt"'),
        events(E0),
    ),
    "sources-twice": text_of(
        HEAD, '"sources": [{"id": "s", "file": "source.txt", "title": "Other"}]', events(E0)
    ),
    "categories-twice": text_of(HEAD, '"categories": []', events(E0)),
    "spelt-with-an-escape": text_of(HEAD, events(first_key(E0, '"\\u0069d": "x"'))),
    "hidden-by-an-escaped-colon": text_of(
        HEAD.replace('"title": "The bridge"', '"title": "a\\u003ab"'), '"title": "x"', events(E0)
    ),
    "empty-key-twice": text_of(HEAD, '"": 1, "": 2', events(E0)),
    "nested-in-a-wrong-value": text_of(HEAD, events(first_key(E0, '"note": {"a": 1, "a": 2}'))),
    "twice-the-same-value": text_of(HEAD, events(E0), events(E0)),
}

CLEAN = {
    "plain": text_of(HEAD, events(E0, MAYOR)),
    "colons-in-texts": text_of(
        HEAD.replace('"title": "The bridge"', '"title": "Note: a: b::"'),
        events(E0.replace("Bridge closed", "10:00 closed: yes")),
    ),
    "escaped-colons": text_of(
        HEAD.replace('"title": "The bridge"', '"title": "a\\u003ab\\u003A"'), events(E0)
    ),
    "spaced-out": "{\n  "
    + HEAD.replace(": ", " :\t")
    + ',\n  "events" : [ '
    + E0.replace(": ", " : ")
    + " ]\n}",
    "events-first": "{" + events(E0) + ", " + HEAD + "}",
    "same-text-twice": text_of(HEAD, '"description": ' + json.dumps(E0), events(E0)),
}


@pytest.mark.parametrize("name", sorted(DUPLICATED))
def test_a_duplicate_key_is_refused_the_same_way_by_both_paths(tmp_path, name):
    text = DUPLICATED[name]
    assert has_duplicate_keys(text)  # the document is what its name says
    path = write(tmp_path, text)
    whole = outcome(lambda: load_timeline(path))
    hooked = outcome(lambda: load_timeline(path, progress=lambda d, t: None))
    assert isinstance(whole, str) and "duplicate field" in whole, whole
    assert whole.startswith(f"{path}: ") and "\n" not in whole
    assert outcome(lambda: checked(path)) == whole == hooked
    assert outcome(lambda: fast(path)) is None  # the fast path never reads it its own way
    assert "Mayor arrested!" not in whole


def test_the_duplicate_is_named_with_its_place(tmp_path):
    cases = {
        "events-twice-mayor": "events",
        "event-id": "events[0].id",
        "citation-quote": "events[0].citations[0].quote",
        "category-color": "categories[0].color",
        "source-file": "sources[0].file",
        "empty-key-twice": "['']",
        "nested-in-a-wrong-value": "events[0].note.a",
    }
    for name, place in cases.items():
        path = write(tmp_path / name, DUPLICATED[name])
        assert outcome(lambda p=path: load_timeline(p)) == (
            f"{path}: {place}: duplicate field (given more than once in the same object)"
        )


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_a_clean_document_reads_the_same_in_both_paths_and_as_json_loads_does(tmp_path, name):
    text = CLEAN[name]
    assert not has_duplicate_keys(text)
    path = write(tmp_path, text)
    timeline = load_timeline(path)
    quick = fast(path)
    assert quick is not None  # colons and spacing do not push a clean file off the fast path
    assert quick == checked(path) == timeline
    doc = json.loads(text)
    assert timeline.title == doc["title"]
    assert sorted(e.title for e in timeline.events) == sorted(e["title"] for e in doc["events"])


def test_no_msgspec_error_escapes_from_a_cut_short_document(tmp_path):
    text = DUPLICATED["events-twice-truncated"]
    for cut in range(0, len(text), 7):
        path = write(tmp_path, text[:cut] + "]}")
        try:
            load_timeline(path)
        except TimelineError as exc:
            assert "\n" not in str(exc)


# --- limits ---------------------------------------------------------------------------------------


def test_more_categories_than_the_limit_are_refused(tmp_path):
    cats = [{"id": f"c{i}", "label": f"C{i}"} for i in range(limits.MAX_CATEGORIES + 1)]
    path = write(tmp_path, document(categories=cats))
    message = f"{path}: categories: 1,001 categories; the limit is 1,000"
    assert outcome(lambda: load_timeline(path)) == message


def test_events_cannot_make_more_categories_than_the_limit(tmp_path):
    events = [event(i, category=f"c{i}") for i in range(limits.MAX_CATEGORIES)]
    path = write(tmp_path, document(events=events))
    assert outcome(lambda: fast(path)) is None
    assert outcome(lambda: load_timeline(path)) == (
        f"{path}: events[999].category: 'c999' would be category 1,001; the limit is 1,000"
    )
    fits = write(tmp_path / "fits", document(events=events[:-1]))
    assert len(load_timeline(fits).categories) == limits.MAX_CATEGORIES


class CountingLanes(list):
    """A list of lanes that counts how often it is read."""

    reads = 0

    def __getitem__(self, i):
        CountingLanes.reads += 1
        return super().__getitem__(i)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


def test_the_event_index_costs_in_proportion_to_events_not_events_times_lanes():
    n = 3000  # one lane an event: the case that cost events x lanes
    lanes = CountingLanes(range(n))
    CountingLanes.reads = 0
    index = EventIndex([float(i) for i in range(n)], [i + 1.0 for i in range(n)], lanes)
    assert CountingLanes.reads <= 4 * n  # it was n * n
    assert [list(e) for e in index.lane_events] == [[i] for i in range(n)]
    mixed = [i % 7 for i in range(n)]
    index = EventIndex([float(i) for i in range(n)], [i + 1.0 for i in range(n)], mixed)
    for lane in range(7):
        assert list(index.lane_events[lane]) == [i for i in range(n) if i % 7 == lane]
        assert list(index.lane_starts[lane]) == [float(i) for i in range(n) if i % 7 == lane]


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ("title", "events[1].title"),
        ("summary", "events[1].summary"),
        ("note", "events[1].note"),
        ("id", "events[1].id"),
    ],
)
def test_texts_longer_than_their_limit_are_refused(tmp_path, field, where):
    limit = limits.MAX_CHARS[field]
    fine = write(tmp_path / "fine", document(events=[event(0), event(1, **{field: "x" * limit})]))
    load_timeline(fine)
    over = write(
        tmp_path / "over", document(events=[event(0), event(1, **{field: "x" * (limit + 1)})])
    )
    assert fast(over) is None
    assert outcome(lambda: load_timeline(over)) == (
        f"{over}: {where}: is {limit + 1:,} characters long; the limit is {limit:,}"
    )


def test_a_long_quote_is_refused_before_it_is_searched_for(tmp_path, monkeypatch):
    searched = watch_searches(monkeypatch)
    quote = "q" * (limits.MAX_CHARS["quote"] + 1)
    path = write(tmp_path, document(events=[event(0, citations=[{"source": "s", "quote": quote}])]))
    assert "events[0].citations[0].quote: is 10,001 characters long" in outcome(
        lambda: load_timeline(path)
    )
    assert searched == []


def test_a_date_over_100_characters_is_refused_unparsed(tmp_path):
    path = write(tmp_path, document(events=[event(0), event(1, date="2021 " + "of " * 330_000)]))
    message = outcome(lambda: load_timeline(path))
    assert message.startswith(f"{path}: events[1].date: '2021 of of")
    assert message.endswith("is not a date: it is longer than 100 characters")


def watch_searches(monkeypatch) -> list[tuple[str, str]]:
    searched: list[tuple[str, str]] = []
    real = QuoteSearch.find

    def find(self, source_id, quote):
        searched.append((source_id, quote))
        return real(self, source_id, quote)

    monkeypatch.setattr(QuoteSearch, "find", find)
    return searched


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"date": "2021-02-30"}, "events[5].date: '2021-02-30' is not a date"),
        ({"id": "e0"}, "events[5].id: duplicate event id 'e0'"),
        ({"disputed_by": ["nobody"]}, "events[5].disputed_by[0]: no event has the id 'nobody'"),
        (
            {"citations": [{"source": "t", "quote": "q"}]},
            "events[5].citations[0].source: no source has the id 't'",
        ),
    ],
)
def test_cheap_checks_come_before_any_quote_search(tmp_path, monkeypatch, bad, message):
    searched = watch_searches(monkeypatch)
    events = [event(i, citations=[{"source": "s", "quote": f"missing {i}"}]) for i in range(5)] + [
        event(5, **bad)
    ]
    path = write(tmp_path, document(events=events))
    assert outcome(lambda: load_timeline(path)) == f"{path}: {message}"
    assert searched == []


def test_each_distinct_quote_is_searched_for_once(tmp_path, monkeypatch):
    searched = watch_searches(monkeypatch)
    events = [event(i, citations=[{"source": "s", "quote": f"missing {i % 3}"}]) for i in range(30)]
    path = write(tmp_path, document(events=events))
    timeline = load_timeline(path)
    assert timeline.warned == 30
    assert sorted(searched) == [("s", f"missing {k}") for k in range(3)]


@pytest.mark.parametrize("path_taken", [fast, checked])
def test_the_quote_searches_stop_at_their_budget_in_the_same_place(
    tmp_path, monkeypatch, path_taken
):
    monkeypatch.setattr(loader, "MAX_SEARCH_CHARS", 10 * len(SOURCE_TEXT))
    monkeypatch.setattr(bulk, "MAX_SEARCH_CHARS", 10 * len(SOURCE_TEXT))
    events = [event(i, citations=[{"source": "s", "quote": f"missing {i}"}]) for i in range(8)]
    events[6]["citations"].insert(0, {"source": "s", "quote": "the bridge"})  # found: cheap
    events += [
        event(
            8,
            citations=[{"source": "s", "quote": "the mayor"}] * 2
            + [{"source": "s", "quote": "gone"}],
        )
    ]
    path = write(tmp_path, document(events=events))
    expected = (
        f"{path}: events[8].citations[2].quote: the quotes need more than "
        f"{10 * len(SOURCE_TEXT):,} characters of the sources searched "
        "(the limit; see Limits in docs/format.md)"
    )
    assert outcome(lambda: path_taken(path)) == expected


def test_the_search_budget_is_spent_by_what_is_searched():
    text = "abc " * 100
    search = QuoteSearch({"s": Source("s", "s.txt", "S", "", text)}, budget=1000)
    assert search.find("s", "abc") == 0
    assert search.left == 1000 - 3
    assert search.find("s", "zzz") == -1  # a whole pass
    assert search.left == 1000 - 3 - 400
    assert search.find("s", "zzz") == -1  # remembered: no second pass
    assert search.left == 597
    search.find("s", "yyy")
    with pytest.raises(SearchTooLong):
        search.find("s", "xxx")  # 197 left: not enough for another pass


# --- sources: read once, bounded, and never outside ---------------------------------------------


def sources_doc(files: list[str]) -> dict:
    return document(
        sources=[{"id": f"s{i}", "file": f, "title": "S"} for i, f in enumerate(files)],
        events=[event(0, citations=[{"source": "s0", "quote": "the bridge"}])],
    )


def test_a_file_listed_many_times_is_read_once(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "source.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    os.link(tmp_path / "source.txt", tmp_path / "hard.txt")
    (tmp_path / "copy.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    path = write(
        tmp_path, sources_doc(["source.txt"] * 20 + ["sub/../source.txt", "hard.txt", "copy.txt"])
    )
    timeline = load_timeline(path)
    texts = [s.text for s in timeline.sources.values()]
    assert all(t == SOURCE_TEXT for t in texts)
    assert len({id(t) for t in texts}) == 2  # one file (three names), and its copy


def test_a_large_source_listed_a_hundred_times_takes_the_memory_of_one(tmp_path):
    big = "the bridge was closed. " * (2 * 1024 * 1024 // 23)  # 2 MiB
    path = write(tmp_path, sources_doc(["source.txt"] * 100), source=big)
    tracemalloc.start()
    try:
        load_timeline(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * len(big)  # once as bytes, once as text; it was 100 times both


def test_the_sources_together_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_SOURCES_TOTAL_BYTES", 3 * len(SOURCE_TEXT))
    for k in range(4):
        (tmp_path / f"s{k}.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    fits = write(tmp_path, sources_doc(["s0.txt", "s1.txt", "s2.txt", "s0.txt"]))
    assert len(load_timeline(fits).sources) == 4
    over = write(tmp_path, sources_doc(["s0.txt", "s1.txt", "s2.txt", "s3.txt"]))
    assert outcome(lambda: load_timeline(over)) == (
        f"{over}: source 's3': file 's3.txt' takes the source files read over 0 MB in all "
        "(the limit)"
    )


def test_a_source_over_its_limit_is_refused_before_it_is_read(tmp_path):
    path = write(tmp_path, sources_doc(["big.txt"]))
    with open(tmp_path / "big.txt", "wb") as f:
        os.truncate(f.fileno(), limits.MAX_SOURCE_BYTES + 1)  # sparse: no room on disk
    assert outcome(lambda: load_timeline(path)) == (
        f"{path}: source 's0': file 'big.txt' is larger than 8 MB"
    )


def test_too_many_sources_are_refused(tmp_path):
    path = write(tmp_path, sources_doc(["source.txt"] * (limits.MAX_SOURCES + 1)))
    assert outcome(lambda: load_timeline(path)) == (
        f"{path}: sources: 10,001 sources; the limit is 10,000"
    )


SECRET = "SECRET: the outside file"


@pytest.mark.skipif(not loader._RACE_FREE, reason="needs openat and O_NOFOLLOW")
def test_a_folder_swapped_for_a_link_while_loading_never_leads_outside(tmp_path):
    folder = tmp_path / "timeline"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "report.txt").write_text(SECRET, encoding="utf-8")
    path = write(folder, sources_doc(["sub/report.txt"]))
    (folder / "sub").mkdir()
    (folder / "sub" / "report.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (folder / "link").symlink_to(outside)
    stop = threading.Event()
    swaps = [0]

    def racer() -> None:
        sub, real, link = folder / "sub", folder / "sub.real", folder / "link"
        deadline = time.monotonic() + 20
        while not stop.is_set() and time.monotonic() < deadline and swaps[0] < 1_000_000:
            os.rename(sub, real)  # the folder goes, a link to outside takes its name
            os.rename(link, sub)
            os.rename(sub, link)  # and back
            os.rename(real, sub)
            swaps[0] += 1

    thread = threading.Thread(target=racer)
    thread.start()
    loaded = refused = 0
    try:
        deadline = time.monotonic() + 10
        while loaded + refused < 3000 and time.monotonic() < deadline:
            try:
                timeline = load_timeline(path)
            except TimelineError as exc:
                assert "SECRET" not in str(exc)
                refused += 1
            else:
                assert timeline.sources["s0"].text == SOURCE_TEXT
                loaded += 1
    finally:
        stop.set()
        thread.join()
    assert swaps[0] > 0 and loaded > 0  # the race ran, and loads got through it


# --- the schema says the same limits -------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["events"][0].update(date="2022-04-22\x00"),
        lambda d: d["events"][0].update(date="(2022)"),
        lambda d: d["events"][0].update(date="2022" + " " * 100),
        lambda d: d["events"][0].update(title="x" * 10_001),
        lambda d: d["events"][0].update(id="x" * 1_001),
        lambda d: d.update(categories=[{"id": f"c{i}", "label": "C"} for i in range(1_001)]),
    ],
)
def test_the_schema_refuses_what_the_limits_refuse(change):
    from jsonschema import Draft202012Validator

    schema_file = Path(__file__).parent.parent / "resources" / "timeline.schema.json"
    validator = Draft202012Validator(json.loads(schema_file.read_text(encoding="utf-8")))
    d = document()
    assert not list(validator.iter_errors(d))
    change(d)
    assert list(validator.iter_errors(d))


def test_lane_counts_are_the_same_whichever_way_they_are_counted():
    import random

    rng = random.Random(11)
    n = 2000
    starts = sorted(rng.uniform(0, 1000) for _ in range(n))
    lanes = [rng.choice([0, 0, 0, 1, 2]) if i % 50 else 3 for i in range(n)]
    index = EventIndex(starts, [t + 1 for t in starts], lanes)
    for edges in ([0.0, 1000.0], [float(k) for k in range(0, 1001, 7)], [5.0], [], [3.5, 3.5, 9.0]):
        for lane in range(4):
            mine = index.lane_starts[lane]
            expected = [sum(1 for t in mine if a <= t < b) for a, b in itertools.pairwise(edges)]
            assert index.lane_counts(lane, edges) == expected
