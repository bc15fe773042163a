"""Loading timeline files: a good file loads, and every problem has one exact, placed message."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from viewer.model.dates import PartialDate, Precision
from viewer.model.loader import TimelineError, load_timeline
from viewer.model.timeline import PALETTE

SOURCE_TEXT = (
    "On 22 April 2022 the exchange limited its services in the country.\n"
    "Later, in August 2023, it announced that it would leave the market entirely.\n"
)

GOOD: dict = {
    "version": 1,
    "title": "A small timeline",
    "description": "For the tests.",
    "categories": [{"id": "statement", "label": "Statements", "color": "#0072B2"}],
    "sources": [{"id": "x", "file": "source.txt", "title": "An article"}],
    "events": [
        {
            "id": "exit",
            "title": "The exit",
            "date": "Aug 2023",
            "end": "2024-07",
            "category": "statement",
            "summary": "It left.",
            "citations": [{"source": "x", "quote": "it would leave the market entirely"}],
            "disputed_by": ["limits"],
        },
        {
            "id": "limits",
            "title": "Limits",
            "date": "22 Apr 2022",
            "category": "business",
            "summary": "It limited services.",
            "note": "A note.",
            "citations": [{"source": "x", "quote": "limited its services"}],
        },
    ],
}


def doc() -> dict:
    return copy.deepcopy(GOOD)


def write(folder: Path, document: dict | bytes | str, name: str = "timeline.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "source.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    path = folder / name
    if isinstance(document, dict):
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    elif isinstance(document, str):
        path.write_text(document, encoding="utf-8")
    else:
        path.write_bytes(document)
    return path


def error_of(path: Path, **kwargs) -> str:
    with pytest.raises(TimelineError) as info:
        load_timeline(path, **kwargs)
    return str(info.value)


# --- a good file ----------------------------------------------------------------------------


def test_a_good_file_loads(tmp_path):
    path = write(tmp_path, doc())
    tl = load_timeline(path)
    assert tl.title == "A small timeline"
    assert tl.description == "For the tests."
    assert tl.path == path
    assert [e.id for e in tl.events] == ["limits", "exit"]  # in time order
    limits, exit_ = tl.events
    assert limits.when.begin == PartialDate(2022, 4, 22)
    assert limits.when.precision is Precision.DAY
    assert limits.note == "A note."
    assert exit_.when.label() == "Aug 2023 – Jul 2024"
    assert exit_.disputed_by == ("limits",)
    assert limits.disputed_by == ()
    assert [e.id for e in tl.disputes_of("limits")] == ["exit"]
    assert tl.disputes_of("exit") == ()
    assert tl.sources["x"].text == SOURCE_TEXT
    assert tl.sources["x"].file == "source.txt"
    assert tl.sources["x"].description == ""
    for e in tl.events:
        assert e.warnings == ()
        for c in e.citations:
            assert c.found
            assert SOURCE_TEXT[c.span[0] : c.span[1]] == c.quote


def test_categories_named_only_by_events_get_a_palette_colour(tmp_path):
    tl = load_timeline(write(tmp_path, doc()))
    assert tl.categories["statement"].color == "#0072B2"
    assert tl.categories["statement"].label == "Statements"
    business = tl.categories["business"]
    assert business.label == "business"
    assert business.color == PALETTE[1]


def test_optional_fields_may_be_left_out(tmp_path):
    d = doc()
    del d["description"]
    del d["categories"]
    del d["events"][0]["disputed_by"]
    tl = load_timeline(write(tmp_path, d))
    assert tl.description == ""
    assert set(tl.categories) == {"statement", "business"}
    assert all(e.disputed_by == () for e in tl.events)


def test_a_source_in_a_subfolder_loads(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text("nested text", encoding="utf-8")
    d = doc()
    d["sources"].append({"id": "n", "file": "sources/a.txt", "title": "Nested"})
    tl = load_timeline(write(tmp_path, d))
    assert tl.sources["n"].text == "nested text"


def test_a_quote_missing_from_its_source_loads_with_a_warning(tmp_path):
    d = doc()
    d["events"][1]["citations"].insert(0, {"source": "x", "quote": "words not in the text"})
    tl = load_timeline(write(tmp_path, d))
    limits = tl.event("limits")
    missing, found = limits.citations
    assert not missing.found
    assert missing.span is None
    assert found.found
    assert limits.warnings == ("Quote 1 is not found in the text of source 'x'.",)
    assert tl.event("exit").warnings == ()


# --- the file itself ------------------------------------------------------------------------


def test_not_json(tmp_path):
    path = write(tmp_path, "{not json")
    message = error_of(path)
    assert "line 1 column" in message
    assert "not valid JSON" in message
    assert message == (
        f"{path}: line 1 column 2: not valid JSON "
        "(Expecting property name enclosed in double quotes)"
    )


def test_not_json_on_a_later_line(tmp_path):
    path = write(tmp_path, '{\n  "version": 1,\n  "title": ,\n}')
    message = error_of(path)
    assert message.startswith(f"{path}: line 3 column 12: not valid JSON (")


@pytest.mark.parametrize("content", [b"", b"   \n\t\n"])
def test_empty_file(tmp_path, content):
    path = write(tmp_path, content)
    assert error_of(path) == f"{path}: is empty"


def test_a_byte_order_mark_is_refused(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf" + json.dumps(doc()).encode())
    assert error_of(path) == (
        f"{path}: line 1: starts with a byte-order mark; save it as UTF-8 without BOM"
    )


def test_invalid_utf8_in_the_timeline(tmp_path):
    path = write(tmp_path, b'{\n"title": "caf\xe9"}')
    assert error_of(path) == f"{path}: line 2: is not valid UTF-8 text"


def test_a_missing_timeline_file(tmp_path):
    path = tmp_path / "nope.json"
    assert error_of(path) == f"{path}: file not found"


def test_a_folder_instead_of_a_timeline_file(tmp_path):
    path = tmp_path / "folder.json"
    path.mkdir()
    assert error_of(path) == f"{path}: is not a file"


def test_top_level_must_be_an_object(tmp_path):
    path = write(tmp_path, "[1, 2]")
    assert error_of(path) == f"{path}: top level: expected an object, found a list"


# --- structure ------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["version", "title", "sources", "events"])
def test_missing_top_level_field(tmp_path, field):
    d = doc()
    del d[field]
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: top level: missing field {field!r}"


@pytest.mark.parametrize("field", ["id", "title", "date", "category", "citations"])
def test_missing_event_field(tmp_path, field):
    d = doc()
    del d["events"][0][field]
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[0]: missing field {field!r}"


def test_the_summary_may_be_left_out_but_not_blank(tmp_path):
    d = doc()
    del d["events"][0]["summary"]
    timeline = load_timeline(write(tmp_path, d))
    assert timeline.event("exit").summary == ""
    d["events"][0]["summary"] = "  "
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[0].summary: must not be empty"


def test_missing_citation_quote(tmp_path):
    d = doc()
    del d["events"][1]["citations"][0]["quote"]
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[1].citations[0]: missing field 'quote'"


def test_wrong_type_for_a_string(tmp_path):
    d = doc()
    d["title"] = 5
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: title: expected a string, found a number"


def test_wrong_type_inside_an_event(tmp_path):
    d = doc()
    d["events"][1]["summary"] = ["a", "list"]
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[1].summary: expected a string, found a list"


def test_a_date_must_be_a_string(tmp_path):
    d = doc()
    d["events"][0]["date"] = 2022
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[0].date: expected a date string, found a number"


def test_events_must_be_a_list(tmp_path):
    d = doc()
    d["events"] = {"id": "a"}
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events: expected a list, found an object"


def test_an_empty_title(tmp_path):
    d = doc()
    d["title"] = "   "
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: title: must not be empty"


@pytest.mark.parametrize(("version", "shown"), [(2, "2"), ("1", "'1'"), (True, "True")])
def test_an_unknown_version(tmp_path, version, shown):
    d = doc()
    d["version"] = version
    path = write(tmp_path, d)
    assert error_of(path) == (
        f"{path}: version: {shown} is not a version this app reads (it reads 1)"
    )


def test_unknown_top_level_field(tmp_path):
    d = doc()
    d["author"] = "someone"
    path = write(tmp_path, d)
    assert error_of(path) == (
        f"{path}: author: unknown field "
        "(allowed: categories, description, events, sources, title, version)"
    )


def test_unknown_event_field(tmp_path):
    d = doc()
    d["events"][1]["colour"] = "red"
    path = write(tmp_path, d)
    assert error_of(path) == (
        f"{path}: events[1].colour: unknown field (allowed: category, citations, date, "
        "disputed_by, end, id, note, summary, title)"
    )


def test_duplicate_event_id(tmp_path):
    d = doc()
    d["events"][1]["id"] = "exit"
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[1].id: duplicate event id 'exit'"


def test_duplicate_source_id(tmp_path):
    d = doc()
    d["sources"].append({"id": "x", "file": "source.txt", "title": "Again"})
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: sources[1].id: duplicate source id 'x'"


def test_duplicate_category_id(tmp_path):
    d = doc()
    d["categories"].append({"id": "statement", "label": "Again"})
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: categories[1].id: duplicate category id 'statement'"


def test_a_bad_colour(tmp_path):
    d = doc()
    d["categories"][0]["color"] = "blue"
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: categories[0].color: 'blue' is not a colour like '#0072B2'"


def test_zero_events(tmp_path):
    d = doc()
    d["events"] = []
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events: the timeline has no events"


def test_an_event_without_citations_loads_as_uncited(tmp_path):
    """An event may cite nothing (a timeline saved from another tool's): it is shown as
    uncited, never as sourced."""
    d = doc()
    d["events"][0]["citations"] = []
    timeline = load_timeline(write(tmp_path, d))
    event = timeline.event(d["events"][0]["id"])
    assert event.citations == () and timeline.marked_uncited(event)


# --- dates ----------------------------------------------------------------------------------


def test_an_impossible_date(tmp_path):
    d = doc()
    d["events"][0]["date"] = "April 31 2022"
    del d["events"][0]["end"]
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[0].date: 'April 31 2022' is not a date"


def test_a_date_without_a_year(tmp_path):
    d = doc()
    d["events"][1]["date"] = "April 22"
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[1].date: 'April 22' has no year"


def test_an_impossible_end(tmp_path):
    d = doc()
    d["events"][0]["end"] = "2024-13"
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[0].end: '2024-13' is not a date"


def test_an_end_before_the_start(tmp_path):
    d = doc()
    d["events"][0]["end"] = "2022"
    path = write(tmp_path, d)
    assert error_of(path) == (
        f"{path}: events[0].end: the end '2022' is before the start '2023-08'"
    )


# --- citations and disputes -----------------------------------------------------------------


def test_a_citation_of_an_unknown_source(tmp_path):
    d = doc()
    d["events"][1]["citations"][0]["source"] = "y"
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[1].citations[0].source: no source has the id 'y'"


def test_disputed_by_an_unknown_event(tmp_path):
    d = doc()
    d["events"][0]["disputed_by"] = ["limits", "ghost"]
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[0].disputed_by[1]: no event has the id 'ghost'"


def test_an_event_cannot_dispute_itself(tmp_path):
    d = doc()
    d["events"][0]["disputed_by"] = ["exit"]
    path = write(tmp_path, d)
    assert error_of(path) == f"{path}: events[0].disputed_by[0]: an event cannot dispute itself"


def test_disputed_by_must_hold_ids(tmp_path):
    d = doc()
    d["events"][0]["disputed_by"] = [3]
    path = write(tmp_path, d)
    assert (
        error_of(path) == f"{path}: events[0].disputed_by[0]: expected an event id, found a number"
    )


def test_disputed_by_may_name_a_later_event(tmp_path):
    # "exit" (first in the file) names "limits" (second): checked once all ids are known.
    tl = load_timeline(write(tmp_path, doc()))
    assert tl.event("exit").disputed_by == ("limits",)


# --- source files ---------------------------------------------------------------------------


def with_source_file(name: str) -> dict:
    d = doc()
    d["sources"][0]["file"] = name
    return d


def test_a_source_file_not_found(tmp_path):
    path = write(tmp_path, with_source_file("missing.txt"))
    assert error_of(path) == f"{path}: source 'x': file 'missing.txt' not found"


def test_a_source_that_is_a_folder(tmp_path):
    (tmp_path / "folder").mkdir()
    path = write(tmp_path, with_source_file("folder"))
    assert error_of(path) == f"{path}: source 'x': file 'folder' is a folder, not a file"


def test_a_source_that_is_not_utf8(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("caf\u00e9".encode("latin-1"))
    path = write(tmp_path, with_source_file("latin1.txt"))
    assert error_of(path) == f"{path}: source 'x': file 'latin1.txt' is not UTF-8 text"


def test_a_source_outside_the_folder(tmp_path):
    (tmp_path / "outside.txt").write_text("limited its services", encoding="utf-8")
    folder = tmp_path / "timeline"
    path = write(folder, with_source_file("../outside.txt"))
    assert error_of(path) == (
        f"{path}: source 'x': file '../outside.txt' points outside the timeline's folder"
    )
    # A wider trusted root lets the same file in.
    tl = load_timeline(path, root=tmp_path)
    assert tl.sources["x"].text == "limited its services"


def test_a_sneaky_relative_path_outside_the_folder(tmp_path):
    folder = tmp_path / "timeline"
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    path = write(folder, with_source_file("sub/../../outside.txt"))
    assert error_of(path) == (
        f"{path}: source 'x': file 'sub/../../outside.txt' points outside the timeline's folder"
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_symlink_that_leads_outside_the_folder(tmp_path):
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    folder = tmp_path / "timeline"
    folder.mkdir()
    try:
        (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    except OSError:
        pytest.skip("cannot make symlinks here")
    path = write(folder, with_source_file("link.txt"))
    assert error_of(path) == (
        f"{path}: source 'x': file 'link.txt' points outside the timeline's folder"
    )


def test_an_absolute_source_path(tmp_path):
    # Refused even when it names the very file a relative path would.
    target = tmp_path / "source.txt"
    for name in (target.as_posix(), "/home/me/report.txt", "/source.txt"):
        path = write(tmp_path, with_source_file(name))
        assert error_of(path) == (
            f"{path}: source 'x': file '{name}' must be relative to the timeline's folder, "
            "not an absolute path"
        )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("C:\\x.txt", r"'C:\\x.txt'"),
        ("C:/x.txt", "'C:/x.txt'"),
        ("C:x.txt", "'C:x.txt'"),
        ("\\\\server\\share\\x.txt", r"'\\\\server\\share\\x.txt'"),
        ("//server/share/x.txt", "'//server/share/x.txt'"),
        ("sub\\source.txt", r"'sub\\source.txt'"),
    ],
)
def test_a_windows_source_path(tmp_path, name, shown):
    path = write(tmp_path, with_source_file(name))
    assert error_of(path) == (
        f"{path}: source 'x': file {shown} must be a relative path with forward slashes, "
        "not a Windows or UNC path"
    )


def test_a_source_too_large(tmp_path):
    def too_large(_path: Path) -> str:
        raise OverflowError

    path = write(tmp_path, doc())
    assert error_of(path, read_source=too_large) == (
        f"{path}: source 'x': file 'source.txt' is larger than 8 MB"
    )


def test_a_source_that_cannot_be_read(tmp_path):
    def unreadable(_path: Path) -> str:
        raise PermissionError(13, "Permission denied")

    path = write(tmp_path, doc())
    assert error_of(path, read_source=unreadable) == (
        f"{path}: source 'x': file 'source.txt' cannot be read (Permission denied)"
    )


def test_read_source_receives_the_resolved_path(tmp_path):
    seen: list[Path] = []

    def reader(p: Path) -> str:
        seen.append(p)
        return SOURCE_TEXT

    load_timeline(write(tmp_path, doc()), read_source=reader)
    assert seen == [(tmp_path / "source.txt").resolve()]


def test_timeline_error_parts(tmp_path):
    d = doc()
    d["events"] = []
    path = write(tmp_path, d)
    with pytest.raises(TimelineError) as info:
        load_timeline(path)
    assert info.value.file == str(path)
    assert info.value.location == "events"
    assert info.value.problem == "the timeline has no events"
