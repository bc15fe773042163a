"""Tests of our data: the built-in Binance–Russia timeline, its schema and the seed articles.

No Qt here. The JSON and the source files are read directly, independent of the loader, and then
once more through the loader the app uses.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from viewer.bundle import builtin_timeline, data_root, trust_root_for
from viewer.model.dates import DateSpan, PartialDate, Precision
from viewer.model.loader import load_timeline
from viewer.model.timeline import Event, Timeline

REPO = Path(__file__).resolve().parents[1]
TIMELINE_FILE = REPO / "resources" / "binance-russia.json"
SCHEMA_FILE = REPO / "resources" / "timeline.schema.json"
SEEDS = REPO / "seeds"
SHARED_SEEDS = REPO.parent / "shared" / "seeds"

SEED_NAMES = {
    "000_b0f368b6e919a3a2.txt",
    "001_85bbd1609ee76f27.txt",
    "002_b85f66659d3b49bd.txt",
    "003_431ac3804ccb70c5.txt",
    "004_dded7d2ee46b7d57.txt",
}

DOC: dict = json.loads(TIMELINE_FILE.read_text(encoding="utf-8"))
SOURCE_FILES: dict[str, str] = {s["id"]: s["file"] for s in DOC["sources"]}
EVENTS: dict[str, dict] = {e["id"]: e for e in DOC["events"]}
CITATIONS = [
    pytest.param(e["id"], c["source"], c["quote"], id=f"{e['id']}[{j}]")
    for e in DOC["events"]
    for j, c in enumerate(e.get("citations", []))
]


def _source_path(file: str) -> Path:
    return (TIMELINE_FILE.parent / file).resolve()


def _source_text(source_id: str) -> str:
    return _source_path(SOURCE_FILES[source_id]).read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    path = builtin_timeline()
    assert path.resolve() == TIMELINE_FILE.resolve()
    root = trust_root_for(path)
    assert root is not None and root.resolve() == data_root().resolve()
    return load_timeline(path, root=root)


def _event(timeline: Timeline, event_id: str) -> Event:
    return timeline.event(event_id)


# -- quotes ---------------------------------------------------------------------------------


def test_the_timeline_has_citations_to_check() -> None:
    assert len(DOC["events"]) >= 10
    assert len(CITATIONS) >= 20


@pytest.mark.parametrize(("event_id", "source_id", "quote"), CITATIONS)
def test_quote_occurs_verbatim_in_its_source_file(event_id: str, source_id: str, quote: str):
    assert source_id in SOURCE_FILES, f"{event_id} cites unknown source {source_id!r}"
    assert quote.strip(), f"{event_id} has an empty quote"
    assert quote in _source_text(source_id), f"{event_id}: quote not in {source_id}: {quote!r}"


def test_loader_finds_every_quote_where_it_is(timeline: Timeline) -> None:
    assert len(timeline.events) == len(DOC["events"])
    for event in timeline.events:
        assert event.warnings == (), f"{event.id}: {event.warnings}"
        assert event.citations, f"{event.id} has no citation"
        for citation in event.citations:
            assert citation.span is not None, f"{event.id}: {citation.quote!r} not found"
            start, end = citation.span
            text = timeline.sources[citation.source_id].text
            assert text[start:end] == citation.quote


def test_loader_reads_the_seed_files_unchanged(timeline: Timeline) -> None:
    assert set(timeline.sources) == set(SOURCE_FILES)
    for sid, source in timeline.sources.items():
        assert source.text == _source_text(sid)


# -- the required events ----------------------------------------------------------------------

REQUIRED = [
    # id, date, end, precision, label, words in the title
    ("cz-protect-users", PartialDate(2019), None, Precision.YEAR, "2019", ("CZ",)),
    (
        "financial-intelligence-meeting",
        PartialDate(2021, 4),
        None,
        Precision.MONTH,
        "Apr 2021",
        ("financial intelligence", "Russia"),
    ),
    ("reuters-report", PartialDate(2022, 4, 22), None, Precision.DAY, "22 Apr 2022", ("Reuters",)),
    (
        "binance-denial",
        PartialDate(2022, 4, 23),
        None,
        Precision.DAY,
        "23 Apr 2022",
        ("Binance", "denies"),
    ),
    (
        "eu-sanctions-restriction",
        PartialDate(2022, 4),
        None,
        Precision.MONTH,
        "Apr 2022",
        ("restricts", "Russian users", "EU sanctions"),
    ),
    (
        "commex-sale",
        PartialDate(2023, 9),
        None,
        Precision.MONTH,
        "Sep 2023",
        ("sells", "CommEx"),
    ),
    (
        "russian-traffic-falls",
        PartialDate(2023, 8),
        PartialDate(2024, 7),
        Precision.MONTH,
        "Aug 2023 – Jul 2024",
        ("Russian traffic", "falls"),
    ),
    (
        "commex-shutdown",
        PartialDate(2024, 4),
        None,
        Precision.MONTH,
        "Apr 2024",
        ("CommEx", "shuts down"),
    ),
    (
        "limited-service",
        PartialDate(2024),
        None,
        Precision.YEAR,
        "2024",
        ("still serves", "Russian users"),
    ),
    ("telegram-channel", PartialDate(2024), None, Precision.YEAR, "2024", ("Telegram",)),
    ("exit-announced", PartialDate(2023), None, Precision.YEAR, "2023", ("exit", "Russia")),
]


@pytest.mark.parametrize(
    ("event_id", "date", "end", "precision", "label", "words"),
    REQUIRED,
    ids=[r[0] for r in REQUIRED],
)
def test_required_event(
    timeline: Timeline,
    event_id: str,
    date: PartialDate,
    end: PartialDate | None,
    precision: Precision,
    label: str,
    words: tuple[str, ...],
) -> None:
    assert event_id in EVENTS, f"no event {event_id!r} in the file"
    raw = EVENTS[event_id]
    assert raw["date"] == date.iso()
    assert raw.get("end") == (end.iso() if end else None)

    event = _event(timeline, event_id)
    assert event.when == DateSpan(date, end)
    assert event.when.is_range is (end is not None)
    assert event.when.precision == precision
    assert event.when.label() == label
    for word in words:
        assert word.lower() in event.title.lower(), f"{event_id}: {word!r} not in {event.title!r}"


def test_reuters_report_title_is_exact(timeline: Timeline) -> None:
    assert _event(timeline, "reuters-report").title == "Reuters report"


def test_cz_statement_names_changpeng_zhao(timeline: Timeline) -> None:
    event = _event(timeline, "cz-protect-users")
    assert "Changpeng Zhao" in event.summary
    assert any("Changpeng Zhao" in c.quote for c in event.citations)


def test_traffic_fall_is_a_range_over_its_months(timeline: Timeline) -> None:
    when = _event(timeline, "russian-traffic-falls").when
    assert when.is_range
    assert when.begin.first_day().isoformat() == "2023-08-01"
    assert when.until is not None and when.until.day_after().isoformat() == "2024-08-01"
    assert "43%" in _event(timeline, "russian-traffic-falls").title


def test_denial_is_the_day_after_the_report(timeline: Timeline) -> None:
    report = _event(timeline, "reuters-report").when
    denial = _event(timeline, "binance-denial").when
    assert denial.start == report.end


def test_events_are_in_story_order(timeline: Timeline) -> None:
    order = [
        "cz-protect-users",
        "financial-intelligence-meeting",
        "reuters-report",
        "binance-denial",
        "commex-sale",
        "commex-shutdown",
    ]
    positions = [timeline.index_of(eid) for eid in order]
    assert positions == sorted(positions)


# -- citations --------------------------------------------------------------------------------


@pytest.mark.parametrize("event", DOC["events"], ids=lambda e: e["id"])
def test_every_event_cites_a_quote(event: dict) -> None:
    citations = event.get("citations", [])
    assert citations, f"{event['id']} cites nothing"
    assert all(c.get("quote", "").strip() for c in citations)


MULTI_SOURCE = {
    "reuters-report": {"leak-claims", "denies-sharing", "no-friends"},
    "binance-denial": {"leak-claims", "denies-sharing", "no-friends"},
    "commex-sale": {"still-serving", "ties-remain"},
    "commex-shutdown": {"still-serving", "ties-remain"},
    "russian-traffic-falls": {"still-serving", "ties-remain"},
    "exit-announced": {"still-serving", "ties-remain"},
    "limited-service": {"still-serving", "ties-remain"},
    "telegram-channel": {"still-serving", "ties-remain"},
}


@pytest.mark.parametrize(("event_id", "expected"), MULTI_SOURCE.items(), ids=list(MULTI_SOURCE))
def test_event_told_by_several_articles_cites_each(event_id: str, expected: set[str]) -> None:
    cited = {c["source"] for c in EVENTS[event_id]["citations"]}
    assert cited == expected


def test_every_source_is_cited_by_some_event() -> None:
    cited = {c["source"] for e in DOC["events"] for c in e["citations"]}
    assert cited == set(SOURCE_FILES)


# -- the disagreement -------------------------------------------------------------------------

_DENIAL_WORD = re.compile(r"\bden(y|ies|ied|ial)\b", re.IGNORECASE)


@pytest.mark.parametrize("event_id", ["reuters-report", "financial-intelligence-meeting"])
def test_disputed_by_the_denial(timeline: Timeline, event_id: str) -> None:
    assert "binance-denial" in EVENTS[event_id].get("disputed_by", [])
    event = _event(timeline, event_id)
    assert "binance-denial" in event.disputed_by
    assert _DENIAL_WORD.search(event.note + " " + event.summary), event_id


def test_denial_disputes_both_accounts(timeline: Timeline) -> None:
    disputed = {e.id for e in timeline.disputes_of("binance-denial")}
    assert {"reuters-report", "financial-intelligence-meeting"} <= disputed


# -- the schema -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_schema_validates_our_timeline(validator: Draft202012Validator) -> None:
    errors = [e.message for e in validator.iter_errors(DOC)]
    assert errors == []


def _without_events(doc: dict) -> None:
    del doc["events"]


def _unknown_top_level(doc: dict) -> None:
    doc["colour"] = "#000000"


def _citation_without_source(doc: dict) -> None:
    # (A citation without a quote is the schema's to allow: a link-only source is cited so.
    # That only a link-only source may be, the loader checks, as it checks that ids exist.)
    del doc["events"][0]["citations"][0]["source"]


@pytest.mark.parametrize(
    ("break_it", "keyword", "path"),
    [
        (_without_events, "required", []),
        (_unknown_top_level, "additionalProperties", []),
        (_citation_without_source, "required", ["events", 0, "citations", 0]),
    ],
    ids=["missing-events", "unknown-top-level-field", "citation-without-source"],
)
def test_schema_rejects_broken_variant(
    validator: Draft202012Validator, break_it, keyword: str, path: list
) -> None:
    doc = copy.deepcopy(DOC)
    break_it(doc)
    errors = list(validator.iter_errors(doc))
    assert errors, "the schema accepted a broken file"
    assert any(e.validator == keyword and list(e.absolute_path) == path for e in errors), [
        (e.validator, list(e.absolute_path)) for e in errors
    ]


# -- the seed files ---------------------------------------------------------------------------


def test_seeds_holds_exactly_the_five_articles() -> None:
    assert {p.name for p in SEEDS.iterdir()} == SEED_NAMES
    assert all((SEEDS / name).is_file() for name in SEED_NAMES)


@pytest.mark.parametrize("name", sorted(SEED_NAMES))
def test_seed_is_a_copy_of_the_shared_seed(name: str) -> None:
    if not SHARED_SEEDS.is_dir():
        pytest.skip(f"{SHARED_SEEDS} is not here to compare with")
    assert (SEEDS / name).read_bytes() == (SHARED_SEEDS / name).read_bytes()


@pytest.mark.parametrize("source", DOC["sources"], ids=lambda s: s["id"])
def test_source_file_is_a_seed(source: dict) -> None:
    path = _source_path(source["file"])
    assert path.parent == SEEDS.resolve()
    assert path.is_file()


def test_every_seed_is_referenced() -> None:
    referenced = [_source_path(f).name for f in SOURCE_FILES.values()]
    assert len(referenced) == len(set(referenced)), "two sources share a file"
    assert set(referenced) == SEED_NAMES
