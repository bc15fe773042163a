"""Search matching, with no Qt: folding, accents, scripts, line breaks, every field of an event."""

from __future__ import annotations

import pytest

from viewer.model.dates import DateSpan, parse_date
from viewer.model.search import SearchIndex, fold, fold_query, highlight_pattern
from viewer.model.timeline import Category, Citation, Event, Source, Timeline

SOURCE_TEXT = (
    "On Friday, April 22, it was all over the news that the world’s largest\r\n"
    "crypto exchange leaked data.\nLa crème de la crème.\n"
    "Алексей Навальный was named. 北京 is mentioned. ＦＵＬＬ width."
)


def event(eid, date, title, summary="", note="", quote=None, source="s"):
    citations = ()
    if quote is not None:
        at = SOURCE_TEXT.find(quote)
        citations = (Citation(source, quote, (at, at + len(quote)) if at >= 0 else None),)
    return Event(eid, title, DateSpan(parse_date(date)), "c", summary, citations, note=note)


@pytest.fixture(scope="module")
def timeline():
    sources = {
        "s": Source("s", "s.txt", "Binance accused of leaking data", "", SOURCE_TEXT),
        "t": Source("t", "t.txt", "Другой источник", "", "Nothing here about it."),
    }
    events = [
        event("a", "2019", "CZ tells Russians Binance will protect users"),
        event(
            "b",
            "2022-04-22",
            "Reuters report",
            summary="Intelligence sought data",
            quote="the world’s largest\r\ncrypto exchange",
        ),
        event("c", "2021-04", "Kostarev meets Rosfinmonitoring", note="Café meeting"),
        event("d", "2024-04", "CommEx shuts down", quote="Nothing here", source="t"),
        event("e", "2020", "Без источника"),
    ]
    return Timeline("T", "", sources, {"c": Category("c", "C", "#000000")}, events)


def ids(timeline, result):
    return [timeline.events[i].id for i in result.events]


def test_fold():
    assert fold("Crème BRÛLÉE") == "creme brulee"
    assert fold("Straße") == "strasse"
    assert fold("ＦＵＬＬ") == "full"
    assert fold("a\r\n \tb") == "a b"
    assert fold("НАВАЛЬНЫЙ") == fold("навальный")
    assert fold_query("  Navalny  ") == "navalny"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("navalny", []),  # the Latin spelling is not in this timeline's texts
        ("Навальный", ["b"]),  # in the cited source's full text
        ("навальныи", ["b"]),  # й and и fold together
        ("reuters", ["b"]),  # title
        ("INTELLIGENCE SOUGHT", ["b"]),  # summary
        ("cafe", ["c"]),  # note, accent-insensitive
        ("CRÈME DE LA", ["b"]),  # source text, accents both ways
        ("creme de la creme", ["b"]),
        ("largest crypto", ["b"]),  # a quote across a CRLF line break
        ("北京", ["b"]),  # CJK
        ("full width", ["b"]),  # full-width letters
        ("leaking data", ["b"]),  # the cited source's title
        ("другой", ["d"]),  # a Cyrillic source title
        ("binance", ["a", "b"]),  # in time order
        ("без", ["e"]),
        ("", []),
        ("   ", []),
        ("\x00", []),  # the field separator finds nothing
        ("report intelligence", []),  # no match across two fields (title, summary)
    ],
)
def test_search_finds_every_field(timeline, query, expected):
    index = SearchIndex(timeline)
    assert ids(timeline, index.search(query)) == expected


def test_source_text_matches_are_reported(timeline):
    index = SearchIndex(timeline)
    result = index.search("crème")
    assert result.sources == {"s"}
    assert ids(timeline, result) == ["b"]  # b cites s; d cites t
    title_only = index.search("reuters report")
    assert title_only.sources == frozenset()


def test_stepping_through_matches_wraps_in_time_order(timeline):
    result = SearchIndex(timeline).search("binance")
    a, b = timeline.index_of("a"), timeline.index_of("b")
    assert result.next_after(None) == a
    assert result.next_after(a) == b
    assert result.next_after(b) == a  # wraps
    assert result.next_after(None, backwards=True) == b
    assert result.next_after(a, backwards=True) == b
    assert a in result and timeline.index_of("c") not in result


def test_highlight_pattern_finds_the_match_in_the_original_text():
    pattern = highlight_pattern("creme de la CREME")
    m = pattern.search(SOURCE_TEXT)
    assert m.group() == "crème de la crème"
    m = highlight_pattern("largest crypto").search(SOURCE_TEXT)
    assert m.group() == "largest\r\ncrypto"
    m = highlight_pattern("навальныи").search(SOURCE_TEXT)
    assert m.group() == "Навальный"
    decomposed = "cre\u0300me"
    assert highlight_pattern("creme").search(decomposed).group() == decomposed
    assert highlight_pattern("  ") is None


def test_building_reports_progress_and_can_be_cancelled(timeline):
    seen = []
    SearchIndex(timeline, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (5, 5)
    with pytest.raises(InterruptedError):
        SearchIndex(timeline, cancelled=lambda: True)


def _index_parts(index):
    return (index._texts, index.kinds, index.disputed, index.warned, index.uncited, index._citing)


@pytest.mark.parametrize("which", ["built-in", "generated"])
def test_index_read_from_the_file_equals_the_index_of_the_events(tmp_path, which):
    """The loader lets the index read each event's fields straight from the file's bytes;
    what it builds must be exactly what the events themselves give."""
    from benchmarks.make_timeline import make_timeline
    from viewer.bundle import builtin_timeline, trust_root_for
    from viewer.model.loader import load_timeline

    if which == "built-in":
        loaded = load_timeline(builtin_timeline(), root=trust_root_for(builtin_timeline()))
    else:
        path = make_timeline(tmp_path / "t.json", 9000, seed=3, shape="bursty")
        loaded = load_timeline(path)
    assert loaded.events.facts(0, 1) is not None  # the loader's fast reading is in use
    made = Timeline(
        loaded.title,
        loaded.description,
        loaded.sources,
        dict(loaded.categories),
        list(loaded.events),  # ready-made events: the index reads them one by one
    )
    assert made.events.facts(0, 1) is None
    fast, slow = SearchIndex(loaded), SearchIndex(made)
    assert _index_parts(fast) == _index_parts(slow)
    assert any(fast.disputed) and any(fast.kinds)  # the comparison covers disputes, precisions
    for query in ("porto", "filing", "zürich", "meets"):
        assert fast.search(query).events == slow.search(query).events
