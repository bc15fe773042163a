"""Saving in our format and exporting TimelineJS JSON (issue 13): round trips, atomic writes,
the schema, and `--convert` on the command line."""

from __future__ import annotations

import html
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from tests.test_cli import one_clean_line, run
from viewer.bundle import resource
from viewer.model.dates import PartialDate, Precision, parse_when
from viewer.model.loader import TimelineError, load_timeline
from viewer.model.saving import SaveError, save_timeline, source_files, timeline_document
from viewer.model.timeline import Timeline
from viewer.model.timelinejs import timelinejs_document, web_address

SCHEMA = json.loads(resource("timeline.schema.json").read_text(encoding="utf-8"))

# Each form the date model reads, and what our format writes for it.
DATES = {
    "2019": "2019",
    "April 2021": "2021-04",
    "22 Apr 2022": "2022-04-22",
    "2022-04-22T14Z": "2022-04-22T14Z",
    "2022-04-22T16:05+0200": "2022-04-22T16:05+02:00",
    "2022-04-22T14:05:09": "2022-04-22T14:05:09",
    "2022-04-22 14:05:09.25-05:30": "2022-04-22T14:05:09.25-05:30",
    "2022-04-22T14:05:09.123456Z": "2022-04-22T14:05:09.123456Z",
    "0000": "0000",
    "-0043-03-15": "-0043-03-15",
    "-11999": "-11999",
    "+10000": "+10000",
    "-13800000000": "-13800000000",
    "c. 1850": "circa 1850",
    "between 2022-04-03 and 2022-04-05": "between 2022-04-03 and 2022-04-05",
    "circa -0500-06": "circa -0500-06",
}


def snapshot(timeline: Timeline) -> list[tuple]:
    """What a reader sees of each event: its fields, its date as written and its precision,
    its category's label and colour, and each citation's source, quote and where it was found."""
    rows = []
    for e in timeline.events:
        cat = timeline.categories[e.category]
        cites = tuple(
            (
                c.source_id,
                timeline.sources[c.source_id].title,
                timeline.sources[c.source_id].url,
                c.quote,
                c.span,
            )
            for c in e.citations
        )
        rows.append(
            (
                e.id,
                e.title,
                e.when,
                e.when.written_label(),
                e.when.precision,
                cat.label,
                cat.color,
                e.summary,
                e.note,
                e.disputed_by,
                cites,
                e.warnings,
            )
        )
    return rows


def write_timeline(folder: Path, dates: list[tuple[str, str | None]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes").mkdir(exist_ok=True)
    (folder / "notes" / "report.txt").write_text(
        "On 3 May 2021 the bridge was closed.\r\nIt reopened later; “ça va”.\n", encoding="utf-8"
    )
    events = []
    for i, (date, end) in enumerate(dates):
        event = {
            "id": f"e{i}",
            "title": f"Event {i} <b>&amp;</b>",
            "date": date,
            "category": "works" if i % 2 else "unlisted",
            "citations": [{"source": "report", "quote": "the bridge was closed"}],
        }
        if end:
            event["end"] = end
        events.append(event)
    events[0]["citations"].append({"source": "report", "quote": "not in the text"})
    events[0]["note"] = "A note."
    events[1]["disputed_by"] = ["e0"]
    doc = {
        "version": 1,
        "title": "Dates of every kind",
        "categories": [{"id": "works", "label": "Public works"}],
        "sources": [
            {
                "id": "report",
                "file": "notes/report.txt",
                "title": "Council <report>",
                "url": "https://example.org/report?a=1&b=2",
            }
        ],
        "events": events,
    }
    path = folder / "timeline.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(("given", "written"), DATES.items())
def test_a_date_is_written_at_its_precision_and_reads_back_the_same(given, written):
    when = parse_when(given)
    assert when.iso() == written
    again = parse_when(written)
    assert again == when
    assert again.precision == when.precision
    assert again.written_label() == when.written_label()


def test_the_builtin_timeline_saved_elsewhere_opens_the_same(builtin, tmp_path):
    target = tmp_path / "copy" / "binance.json"
    target.parent.mkdir()
    save_timeline(builtin, target)
    again = load_timeline(target)
    assert snapshot(again) == snapshot(builtin)
    assert again.title == builtin.title and again.description == builtin.description
    assert list(again.categories.values()) == list(builtin.categories.values())
    for sid, source in builtin.sources.items():
        copy = again.sources[sid]
        assert (copy.title, copy.description, copy.url, copy.text) == (
            source.title,
            source.description,
            source.url,
            source.text,
        )
        # `../seeds/…` would leave the new folder: the copy sits in sources/ beside the file.
        assert copy.file.startswith("sources/") and ".." not in copy.file
    assert sum(c.found for e in again.events for c in e.citations) == sum(
        c.found for e in builtin.events for c in e.citations
    )
    jsonschema.validate(json.loads(target.read_text(encoding="utf-8")), SCHEMA)


def test_times_offsets_bce_and_uncertain_dates_round_trip(tmp_path):
    dates = [(d, None) for d in DATES]
    dates += [
        ("2023-08", "2024-07"),
        ("circa 1850", "between 1860 and 1870"),
        ("-0043-03-15", "-0043-03-17"),
        ("2022-04-22T14:05+02:00", "2022-04-22T15:00Z"),
    ]
    original = load_timeline(write_timeline(tmp_path / "a", dates))
    target = tmp_path / "b" / "saved.json"
    target.parent.mkdir()
    save_timeline(original, target)
    doc = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)
    written = {e["id"]: (e["date"], e.get("end")) for e in doc["events"]}
    for i, (date, end) in enumerate(dates):
        assert written[f"e{i}"] == (DATES.get(date, date), end and DATES.get(end, end))
    again = load_timeline(target)
    assert snapshot(again) == snapshot(original)
    # The quote that was not found is still there, still not found; the other still found.
    first = again.event("e0")
    assert [c.found for c in first.citations] == [True, False]
    assert (tmp_path / "b" / "notes" / "report.txt").read_bytes() == (
        tmp_path / "a" / "notes" / "report.txt"
    ).read_bytes()


def test_saving_in_place_keeps_the_sources_and_replaces_the_file(tmp_path):
    path = write_timeline(tmp_path / "a", [("2021", None), ("2022", None)])
    timeline = load_timeline(path)
    before = (tmp_path / "a" / "notes" / "report.txt").stat().st_mtime_ns
    save_timeline(timeline, path)
    assert (tmp_path / "a" / "notes" / "report.txt").stat().st_mtime_ns == before
    assert snapshot(load_timeline(path)) == snapshot(timeline)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["notes", "timeline.json"]


def test_a_different_source_file_in_the_way_stops_the_save_before_anything_is_written(tmp_path):
    timeline = load_timeline(write_timeline(tmp_path / "a", [("2021", None), ("2022", None)]))
    folder = tmp_path / "b"
    (folder / "notes").mkdir(parents=True)
    (folder / "notes" / "report.txt").write_text("someone else's notes", encoding="utf-8")
    with pytest.raises(SaveError) as caught:
        save_timeline(timeline, folder / "t.json")
    message = str(caught.value)
    assert "\n" not in message
    assert (
        message.startswith(str(folder / "t.json")) and "already exists with another text" in message
    )
    assert (folder / "notes" / "report.txt").read_text(encoding="utf-8") == "someone else's notes"
    assert sorted(p.name for p in folder.iterdir()) == ["notes"]


def test_a_failed_save_over_a_file_leaves_the_old_one(tmp_path, monkeypatch):
    timeline = load_timeline(write_timeline(tmp_path / "a", [("2021", None), ("2022", None)]))
    target = tmp_path / "a" / "old.json"
    target.write_bytes(b"the old file")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    failed = r"old\.json: could not be written \(No space left on device\); nothing was saved"
    with pytest.raises(SaveError, match=failed):
        save_timeline(timeline, target)
    monkeypatch.undo()
    assert target.read_bytes() == b"the old file"
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".part")]


def test_two_sources_with_one_file_name_and_different_texts_get_two_files(tmp_path):
    for name, text in (("x/report.txt", "first text"), ("y/report.txt", "second text")):
        (tmp_path / name).parent.mkdir()
        (tmp_path / name).write_text(text, encoding="utf-8")
    doc = {
        "version": 1,
        "title": "T",
        "sources": [
            {"id": "a", "file": "x/report.txt", "title": "A"},
            {"id": "b", "file": "y/report.txt", "title": "B"},
            {"id": "a2", "file": "x/report.txt", "title": "A again"},
        ],
        "events": [
            {
                "id": "e",
                "title": "E",
                "date": "2020",
                "category": "c",
                "citations": [{"source": s, "quote": "text"} for s in ("a", "b", "a2")],
            }
        ],
    }
    (tmp_path / "t.json").write_text(json.dumps(doc), encoding="utf-8")
    timeline = load_timeline(tmp_path / "t.json")
    # Paths that lead outside the new folder are moved under sources/, keeping texts apart.
    moved = Timeline(
        timeline.title,
        timeline.description,
        {
            sid: type(s)(s.id, "../" + s.file.split("/")[1], s.title, "", s.text)
            for sid, s in timeline.sources.items()
        },
        dict(timeline.categories),
        list(timeline.events),
    )
    files = source_files(moved)
    assert files["a"].name == "sources/report.txt" == files["a2"].name
    assert files["b"].name == "sources/report-2.txt"
    out = tmp_path / "out"
    out.mkdir()
    save_timeline(moved, out / "t.json")
    again = load_timeline(out / "t.json")
    assert {sid: s.text for sid, s in again.sources.items()} == {
        "a": "first text",
        "b": "second text",
        "a2": "first text",
    }


# --- TimelineJS ---------------------------------------------------------------------------

TJS_FIELDS = ("year", "month", "day", "hour", "minute", "second", "millisecond")


class _Text(HTMLParser):
    """The quotes (blockquote text up to its <br>) and hrefs of a slide's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.quotes: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[str] = []
        self._in_quote = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "blockquote":
            self._in_quote = True
            self.quotes.append("")
        elif tag == "br":
            self._in_quote = False
        elif tag == "a":
            self.hrefs.append(dict(attrs)["href"])

    def handle_data(self, data):
        if self._in_quote:
            self.quotes[-1] += data


def read_tjs_date(fields: dict) -> PartialDate:
    """A small TimelineJS reader for the round trip (the real importer is another branch's):
    the fields present give the precision; times are taken as UTC."""
    values = [fields.get(name) for name in TJS_FIELDS]
    millis = values.pop()
    hour = values[3]
    if millis is not None:
        return PartialDate(*values, microsecond=millis * 1000, places=3, offset=0)
    return PartialDate(*values, offset=0 if hour is not None else None)


def test_timelinejs_slides_have_only_the_fields_of_each_precision(tmp_path):
    dates = [(d, None) for d in DATES] + [("2023-08", "2024-07")]
    timeline = load_timeline(write_timeline(tmp_path / "a", dates))
    doc = json.loads(json.dumps(timelinejs_document(timeline)))
    slides = {s["unique_id"]: s for s in doc["events"]}
    expected = {
        Precision.YEAR: 1,
        Precision.MONTH: 2,
        Precision.DAY: 3,
        Precision.HOUR: 4,
        Precision.MINUTE: 5,
        Precision.SECOND: 6,
        Precision.SUBSECOND: 7,
    }
    for e in timeline.events:
        start = slides[e.id]["start_date"]
        shown = [name for name in TJS_FIELDS if name in start]
        first = e.when.begin.earliest if e.when.is_uncertain else e.when.begin
        assert shown == list(TJS_FIELDS[: expected[first.precision]]), e.id
        assert all(isinstance(start[name], int) for name in shown)
        assert start["display_date"] == e.when.begin.label()
    # An instant is given in UTC: 16:05 at +02:00 is 14:05.
    e4 = slides["e4"]["start_date"]
    assert (e4["hour"], e4["minute"]) == (14, 5)
    # A range has an end date; between has one too, and says so in display_date.
    assert slides[f"e{len(DATES)}"]["end_date"]["month"] == 7
    between = slides["e14"]
    assert between["end_date"]["day"] == 5 and between["display_date"].startswith("between")
    # 13.8 billion years ago is past JavaScript's dates.
    assert doc["scale"] == "cosmological"


def test_timelinejs_text_escapes_untrusted_text_and_links_only_web_addresses(tmp_path):
    path = write_timeline(tmp_path / "a", [("2021", None), ("2022", None)])
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["events"][0]["summary"] = "<script>alert(1)</script> & more"
    raw["events"][1]["citations"] = [{"source": "bad", "quote": "the bridge"}]
    raw["sources"].append(
        {"id": "bad", "file": "notes/report.txt", "title": "<img src=x>", "url": "javascript:x()"}
    )
    path.write_text(json.dumps(raw), encoding="utf-8")
    timeline = load_timeline(path)
    slides = {s["unique_id"]: s for s in timelinejs_document(timeline)["events"]}
    first, second = slides["e0"], slides["e1"]
    assert "<script>" not in first["text"]["text"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in first["text"]["text"]
    assert first["text"]["headline"] == html.escape("Event 0 <b>&amp;</b>")
    parser = _Text()
    parser.feed(first["text"]["text"])
    assert parser.quotes == ["the bridge was closed", "not in the text"]
    assert parser.hrefs == ["https://example.org/report?a=1&b=2"] * 2
    assert set(parser.tags) <= {"p", "blockquote", "br", "a", "em"}
    assert first["media"] == {
        "url": "https://example.org/report?a=1&b=2",
        "credit": "Council &lt;report&gt;",
    }
    bad = _Text()
    bad.feed(second["text"]["text"])
    assert bad.hrefs == [] and "a" not in bad.tags and "img" not in bad.tags
    assert "&lt;img src=x&gt;" in second["text"]["text"]
    assert "media" not in second and second["autolink"] is False


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("https://example.org/a?b=1", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("https://", False),
        ("https://example.org/\u202egro", False),
        ('https://example.org/"onmouseover="x', False),
        ("ftp://example.org/", False),
        ("example.org", False),
    ],
)
def test_web_address(text, ok):
    assert (web_address(text) is not None) == ok


def test_our_format_to_timelinejs_and_back_keeps_titles_dates_categories_and_links(builtin):
    doc = json.loads(json.dumps(timelinejs_document(builtin)))
    assert html.unescape(doc["title"]["text"]["headline"]) == builtin.title
    assert len(doc["events"]) == len(builtin.events)
    for e, slide in zip(builtin.events, doc["events"], strict=True):
        assert html.unescape(slide["text"]["headline"]) == e.title
        assert html.unescape(slide["group"]) == builtin.categories[e.category].label
        start = read_tjs_date(slide["start_date"])
        assert start.iso() == e.when.begin.iso() and start.precision == e.when.begin.precision
        if e.when.until is None:
            assert "end_date" not in slide
        else:
            end = read_tjs_date(slide["end_date"])
            assert end.iso() == e.when.until.iso()
        parser = _Text()
        parser.feed(slide["text"]["text"])
        assert parser.quotes == [c.quote for c in e.citations]
        urls = [builtin.sources[c.source_id].url for c in e.citations]
        assert parser.hrefs == [u for u in urls if u]


# --- The command line ---------------------------------------------------------------------


def test_convert_writes_our_format_and_timelinejs_without_a_display(builtin, tmp_path):
    out = tmp_path / "saved.json"
    result = run("--convert", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert snapshot(load_timeline(out)) == snapshot(builtin)
    jsonschema.validate(json.loads(out.read_text(encoding="utf-8")), SCHEMA)
    tjs = tmp_path / "t.timelinejs.json"
    result = run(str(out), "--convert", str(tjs), "--to", "timelinejs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(tjs.read_text(encoding="utf-8"))
    assert [html.unescape(s["text"]["headline"]) for s in doc["events"]] == [
        e.title for e in builtin.events
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--convert", "{tmp}/missing/out.json"], r"out\.json: the folder .* does not exist$"),
        (["{tmp}/nope.json", "--convert", "{tmp}/out.json"], r"nope\.json: file not found$"),
        (["--convert", "{tmp}"], r": is a folder, not a file$"),
        (["--to", "timelinejs"], r"--to goes with --convert$"),
        (["--convert", "{tmp}/o.json", "--export", "{tmp}/o.png"], r"cannot be given together$"),
        (["--convert", "{tmp}/o.json", "--to", "csv"], r"invalid choice: 'csv'"),
    ],
)
def test_convert_errors_are_one_line_and_exit_non_zero(args, expected, tmp_path):
    result = run(*(a.format(tmp=tmp_path) for a in args), cwd=tmp_path)
    assert result.returncode != 0
    assert re.search(expected, one_clean_line(result.stderr))
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "o.json").exists()


def test_the_saved_document_validates_against_the_schema(builtin):
    jsonschema.validate(timeline_document(builtin), SCHEMA)


def test_our_format_to_timelinejs_and_back_through_the_importer(builtin, tmp_path):
    # The export read back by the real TimelineJS importer: titles, dates at their precision,
    # categories and links survive.
    from viewer.model.importers import load_any

    path = tmp_path / "t.json"
    path.write_text(json.dumps(timelinejs_document(builtin)), encoding="utf-8")
    back = load_any(path, root=tmp_path)
    assert back.imported  # read as TimelineJS, not as our own format
    assert sorted(e.title for e in back.events) == sorted(e.title for e in builtin.events)
    by_title = {e.title: e for e in back.events}
    for e in builtin.events:
        got = by_title[e.title]
        assert got.when.begin.iso() == e.when.begin.iso()
        assert got.when.begin.precision == e.when.begin.precision
        assert back.categories[got.category].label == builtin.categories[e.category].label
        urls = {builtin.sources[c.source_id].url for c in e.citations} - {""}
        links = {back.sources[c.source_id].url for c in got.citations} - {""}
        assert urls <= links


_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


@pytest.mark.skipif(not _SAMPLES.is_dir(), reason=f"the shared samples are not at {_SAMPLES}")
@pytest.mark.parametrize(
    "sample",
    [
        "timelinejs/women_in_computing.json",
        "timelinejs/my-own-timeline.csv",
        "thetimelineproj/example.timeline",
        "timesketch/sigma_events.csv",
        "timesketch/sigma_events.jsonl",
        "plaso/dynamic.log",
        "aeon/date_limits.csv",
    ],
)
def test_every_imported_sample_saves_in_our_format_and_opens_the_same(tmp_path, sample):
    """Imported events usually quote nothing: saved, they keep their links (a source with a url
    and no file, cited without a quote) or cite nothing, and open again the same, uncited."""
    from viewer.model.importers import load_any

    imported = load_any(_SAMPLES / sample)
    jsonschema.validate(timeline_document(imported), SCHEMA)
    target = tmp_path / "saved.json"
    save_timeline(imported, target)
    back = load_timeline(target)
    assert not back.imported
    assert len(back.events) == len(imported.events)
    for a, b in zip(imported.events, back.events, strict=True):
        assert (b.id, b.title, b.when, b.category, b.summary, b.note) == (
            a.id,
            a.title,
            a.when,
            a.category,
            a.summary,
            a.note,
        )
        assert [(c.source_id, c.quote, c.found) for c in b.citations] == [
            (c.source_id, c.quote, c.found) for c in a.citations
        ]
        assert back.marked_uncited(b) == imported.marked_uncited(a)
    for sid, source in imported.sources.items():
        saved = back.sources[sid]
        assert (saved.title, saved.url, saved.text) == (source.title, source.url, source.text)
    # Nothing written for a link: only sources with a text have a file beside the timeline.
    written = sorted(p.name for p in tmp_path.rglob("*") if p.is_file() and p != target)
    assert len(written) == sum(1 for s in imported.sources.values() if s.text)


def test_a_link_only_source_cannot_be_quoted(tmp_path):
    doc = {
        "version": 1,
        "title": "T",
        "sources": [{"id": "w", "title": "Web page", "url": "https://example.org/a"}],
        "events": [
            {
                "id": "e",
                "title": "E",
                "date": "2020-01-02",
                "category": "c",
                "citations": [{"source": "w", "quote": "said so"}],
            }
        ],
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(TimelineError) as err:
        load_timeline(path)
    assert str(err.value) == (
        f"{path}: events[0].citations[0].quote: source 'w' is a link only (no file): "
        "there is no text to quote from"
    )
    doc["events"][0]["citations"] = [{"source": "w"}]
    path.write_text(json.dumps(doc), encoding="utf-8")
    event = load_timeline(path).events[0]
    assert [(c.source_id, c.quote, c.found) for c in event.citations] == [("w", "", False)]
    assert not event.warnings  # nothing was claimed to be quoted, so nothing is missing
    doc["events"][0]["citations"] = []
    path.write_text(json.dumps(doc), encoding="utf-8")
    timeline = load_timeline(path)
    assert timeline.marked_uncited(timeline.events[0])
    del doc["sources"][0]["url"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(TimelineError, match=r"sources\[0\]: missing field 'file'"):
        load_timeline(path)
