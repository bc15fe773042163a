"""A CSV of no known format (viewer.model.importers.generic): its delimiter, the columns guessed
from its header, how each row is read with the columns chosen, and the bad cases. No Qt."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.model.dates import PartialDate, Precision, UncertainDate
from viewer.model.importers import detect_file, load_any
from viewer.model.importers.generic import (
    PEEK_BYTES,
    PREVIEW_ROWS,
    Columns,
    guess,
    peek,
    read_row,
    sniff,
)
from viewer.model.limits import MAX_FILE_BYTES
from viewer.model.loader import TimelineError


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def refused(path: Path, columns: Columns | None = None) -> str:
    with pytest.raises(TimelineError) as info:
        load_any(path, columns=columns)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


# --- the delimiter and the header ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("date,title\n2020,a\n", ","),
        ("Datum;Titel;Text\n2020;a;b, c and d\n2021;e;f\n", ";"),
        ("when\ttitle\tnote\n2020\ta, b\tc; d\n", "\t"),
        # Commas in the texts but semicolons between the fields: the semicolons make the table.
        ("date;title\n2020;one, two, three\n2021;four, five\n", ";"),
        ('date,title\n2020,"semi; colon"\n', ","),
    ],
)
def test_the_delimiter_is_the_one_that_makes_a_table(text, delimiter):
    assert sniff(text) == delimiter


@pytest.mark.parametrize(
    "text",
    ["", "just one line of prose\n", "title\n2020\n", ",x\n1,2\n", "this is not JSON {"],
)
def test_no_table_without_two_named_columns(text):
    assert sniff(text) is None


def test_a_table_of_no_known_format_is_detected_as_generic(tmp_path):
    assert detect_file(write(tmp_path, "a.txt", "name;when\nx;2020\n")) == "generic-csv"
    # Known formats are still told apart first.
    assert detect_file(write(tmp_path, "t.csv", "Year,Headline\n2020,a\n")) == "timelinejs-csv"
    assert detect_file(write(tmp_path, "l.csv", "Label,Start Date\nx,2020\n")) == "aeon-csv"
    assert detect_file(write(tmp_path, "o.json", '{"version": 1}')) == "own"
    assert detect_file(tmp_path) is None  # a folder: the loader says what is wrong


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["Date", "End", "Title", "Description", "Category", "Link"],
            Columns(0, 1, 2, 3, 4, 5),
        ),
        (["start_date", "end-date", "HEADLINE", "text", "group", "URL"], Columns(0, 1, 2, 3, 4, 5)),
        (["timestamp", "message", "tag"], Columns(date=0, title=1, category=2)),
        (["Event", "Event date", "Summary"], Columns(date=1, title=0, description=2)),
        (["Name", "When", "Type", "Notes"], Columns(date=1, title=0, description=3, category=2)),
        (["id", "what", "colour"], Columns()),
        # A column has one role: the first role in order that names it.
        (["date", "date"], Columns(date=0)),
        (["Start Time", "Finish", "Label", "Kind", "href"], Columns(0, 1, 2, None, 3, 4)),
    ],
)
def test_columns_are_guessed_from_the_header(header, expected):
    assert guess(header) == expected


# --- reading rows ----------------------------------------------------------------------------

HEADER = ("When", "Until", "What", "Text", "Kind", "Where", "Extra")
ALL = Columns(0, 1, 2, 3, 4, 5)


def test_a_row_is_read_at_the_precision_written():
    row = read_row(2, ("2022-04", "", "Opened", "It opened.", "works", "", "x"), HEADER, ALL)
    assert row.problem == ""
    assert row.when.begin == PartialDate(2022, 4) and row.when.until is None
    assert row.when.precision is Precision.MONTH
    assert (row.title, row.summary, row.category, row.note) == (
        "Opened",
        "It opened.",
        "works",
        "Extra: x",
    )
    instant = read_row(3, ("2022-04-22T14:05+02:00",) + ("",) * 6, HEADER, ALL)
    assert instant.when.begin.offset == 120 and instant.when.precision is Precision.MINUTE
    circa = read_row(4, ("circa 1850", "1860") + ("",) * 5, HEADER, ALL)
    assert isinstance(circa.when.begin, UncertainDate) and circa.when.until == PartialDate(1860)


def test_mapping_rules_title_from_the_text_html_links_and_unmapped_columns():
    cells = ("2020", "", "", '<p>First line</p><p>More <a href="https://e.org/x">here</a></p>')
    row = read_row(2, (*cells, "", "", ""), HEADER, ALL)
    # No title: the first line of the text is the title, the whole text the summary.
    assert row.title == "First line"
    assert row.summary == "First line\n\nMore here"
    assert row.links == ("https://e.org/x",)
    # Only the date chosen: the other columns go to the note, one `name: value` line each.
    only_date = read_row(2, ("2020", "", "T", "", "k", "", "x"), HEADER, Columns(date=0))
    assert only_date.note == "What: T\nKind: k\nExtra: x"


def test_bad_dates_and_widths_are_a_problem_of_the_row():
    bad = read_row(5, ("yesterday",) + ("",) * 6, HEADER, ALL)
    assert bad.when is None and bad.problem == "When: 'yesterday' is not a date"
    end = read_row(6, ("2020", "31/12/2021") + ("",) * 5, HEADER, ALL)
    assert end.problem.startswith("Until: '31/12/2021' is not a date")
    backwards = read_row(7, ("2020", "2019") + ("",) * 5, HEADER, ALL)
    assert backwards.problem == "the end '2019' is before the start '2020'"
    short = read_row(8, ("2020", "x"), HEADER, ALL)
    assert short.problem == "has 2 fields; the header has 7"
    empty = read_row(9, ("",) * 7, HEADER, ALL)
    assert empty.when is None and empty.problem == ""  # left out, not an error


# --- importing ---------------------------------------------------------------------------------


def test_an_import_with_chosen_columns(tmp_path):
    path = write(
        tmp_path,
        "events.csv",
        "Day;Thing;Notes;Group;Web\n"
        "2022-04-22;Opened;It opened;works;https://example.org/a\n"
        "2022-04;Closed;;works;see the archive\n"
        ";No date;;;\n"
        "2023;Later;;;https://example.org/a\n",
    )
    timeline = load_any(path, columns=Columns(date=0, title=1, description=2, category=3, link=4))
    assert timeline.imported == "CSV"
    assert [e.title for e in timeline.events] == ["Closed", "Opened", "Later"]  # time order
    closed, opened, later = timeline.events
    assert opened.when.begin == PartialDate(2022, 4, 22) and opened.category == "works"
    # Links become link-only sources (one per address); the events stay uncited.
    [source] = timeline.sources.values()
    assert source.url == "https://example.org/a" and source.text == ""
    assert [c.source_id for c in opened.citations] == [source.id]
    assert [c.source_id for c in later.citations] == [source.id]
    assert all(timeline.marked_uncited(e) for e in timeline.events)
    assert closed.note == "Link: see the archive"  # not an address: kept as text
    assert later.category == "Events"  # no category given
    assert "Left out: line 4 (no date)" in timeline.description


def test_the_command_line_uses_the_guess_when_it_finds_date_and_title(tmp_path):
    good = write(tmp_path, "g.csv", "title,date\nA,2020\nB,2021-05\n")
    assert [e.when.begin.iso() for e in load_any(good).events] == ["2020", "2021-05"]
    no_title = write(tmp_path, "n.csv", "date,colour\n2020,red\n")
    assert refused(no_title).endswith(
        "line 1: is a CSV file whose title column could not be guessed from its header "
        "('date', 'colour'): open it in the window to choose them"
    )
    neither = write(tmp_path, "x.csv", "a;b\n1;2\n")
    assert "whose date and title columns could not be guessed" in refused(neither)


def test_bad_dates_name_the_file_the_line_and_the_problem(tmp_path):
    path = write(tmp_path, "d.csv", "date,title\n2020,a\n22/04/2022,b\n")
    assert refused(path) == (
        f"{path}: line 3: date: '22/04/2022' is not a date: day or month first? "
        "Write it as YYYY-MM-DD"
    )


def test_broken_quoting_and_wrong_widths(tmp_path):
    quoting = write(tmp_path, "q.csv", 'date,title\n2020,"open\n')
    assert refused(quoting).endswith("line 2: is not valid CSV (unexpected end of data)")
    wide = write(tmp_path, "w.csv", "date,title\n2020,a,extra\n")
    assert refused(wide).endswith("line 2: has 3 fields; the header has 2")


def test_an_empty_file_a_header_only_and_no_date_column(tmp_path):
    empty = write(tmp_path, "e.csv", "")
    assert refused(empty, Columns(date=0)).endswith(": is empty")
    header_only = write(tmp_path, "h.csv", "date,title\n")
    assert refused(header_only, Columns(date=0, title=1)).endswith(
        ": has no events this app can read (CSV)"
    )
    assert refused(header_only, Columns(title=1)).endswith(": no column was chosen as the date")
    assert refused(header_only, Columns(date=5)).endswith(
        "line 1: has fewer columns than were chosen"
    )


def test_the_size_limit_is_the_other_importers(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.write(b"date,title\n")
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    assert refused(path, Columns(date=0, title=1)) == f"{path}: is 190 MB; the limit is 190 MB"


def test_wrong_encodings(tmp_path):
    latin = write(tmp_path, "l.csv", "date;title\n2020;caf\xe9\n".encode("latin-1"))
    assert refused(latin, Columns(date=0)).endswith(
        "line 2: is not valid UTF-8 text (save the file as UTF-8)"
    )


# --- the preview -------------------------------------------------------------------------------


def test_the_preview_reads_the_first_rows_only(tmp_path):
    rows = "".join(f"2020-01-{k % 28 + 1:02d},Event {k}\n" for k in range(5000))
    path = write(tmp_path, "big.csv", "\ufeffdate,title\n" + rows)
    assert path.stat().st_size > PEEK_BYTES
    table = peek(path)
    assert table.delimiter == "," and table.header == ("date", "title")  # the BOM dropped
    assert len(table.rows) == PREVIEW_ROWS
    assert table.rows[0] == (2, ("2020-01-01", "Event 0"))
    assert table.problem == ""


def test_the_preview_keeps_the_rows_before_broken_quoting(tmp_path):
    path = write(tmp_path, "q.csv", 'date,title\n2020,a\n2021,"b\n')
    table = peek(path)
    assert table.rows == ((2, ("2020", "a")),)
    assert table.problem == "line 3: is not valid CSV (unexpected end of data)"


def test_the_preview_refuses_what_is_no_table(tmp_path):
    with pytest.raises(TimelineError, match="is not a table"):
        peek(write(tmp_path, "p.txt", "one column\nonly\n"))
    with pytest.raises(TimelineError, match="is empty"):
        peek(write(tmp_path, "e.csv", "  \n"))
    with pytest.raises(TimelineError, match="is not a regular file"):
        peek(tmp_path)
