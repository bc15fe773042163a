"""Citations and event notes as text, with no Qt: whole quotes, safe Markdown, CSV read back."""

from __future__ import annotations

import csv
import io

from viewer.model.citing import (
    CSV_COLUMNS,
    citation_markdown,
    citation_plain,
    event_plain,
    events_csv,
    events_markdown,
    md_escape,
)
from viewer.model.dates import DateSpan, parse_date
from viewer.model.timeline import Category, Citation, Event, Source, Timeline


def test_a_citation_gives_the_whole_quote_source_url_and_date(builtin):
    e = builtin.event("reuters-report")
    c = e.citations[0]
    text = citation_plain(builtin, e, c)
    assert f"“{c.quote}”" in text  # whole, not the list's elided text
    assert builtin.sources[c.source_id].title in text
    assert "22 Apr 2022" in text
    md = citation_markdown(builtin, e, c)
    assert md.startswith("> ")
    assert "22 Apr 2022" in md


def test_markdown_is_literal():
    assert md_escape("[x](http://evil) *b* # h") == r"\[x\]\(http://evil\) \*b\* \# h"


def hostile_timeline() -> Timeline:
    src = Source(
        "s",
        "s.txt",
        '=HYPERLINK("http://x")',
        "",
        'quoted, text\nwith "quotes"',
        "https://example.org/a",
    )
    e = Event(
        "e",
        "-2+3 title, with comma",
        DateSpan(parse_date("2021-04")),
        "c",
        "sum",
        (Citation("s", 'quoted, text\nwith "quotes"', (0, 26)),),
    )
    bare = Event("b", "No quote", DateSpan(parse_date("2022")), "c", "", ())
    return Timeline("T", "", {"s": src}, {"c": Category("c", "Cat", "#000000")}, [e, bare])


def test_csv_reads_back_with_every_field_and_no_formulas():
    tl = hostile_timeline()
    rows = list(csv.DictReader(io.StringIO(events_csv(tl, range(len(tl.events))))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    first = rows[0]
    assert first["date"] == "Apr 2021"
    assert first["title"] == "'-2+3 title, with comma"
    assert first["source"] == '\'=HYPERLINK("http://x")'
    assert first["quote"] == 'quoted, text\nwith "quotes"'
    assert first["quote_found"] == "yes"
    assert first["source_url"] == "https://example.org/a"
    assert rows[1]["title"] == "No quote" and rows[1]["quote"] == ""


def test_markdown_notes_and_uncited_events():
    tl = hostile_timeline()
    md = events_markdown(tl, range(len(tl.events)), note="1 event left out")
    assert md.startswith("# T\n")
    assert "_1 event left out_" in md
    assert "> quoted, text" in md and '> with "quotes"' in md
    assert "_No source quoted._" in md
    assert event_plain(tl, tl.event("b")) == "No quote (2022): no source quoted"
