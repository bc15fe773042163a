"""Any other CSV (or a spreadsheet saved as CSV, with commas, semicolons or tabs): the user says
which columns are the date, end, title, description, category and link (viewer/column_dialog.py),
guessed first from the header's names.

One row is read one way (`read_row`), for the dialog's preview and for the import alike. Dates
are read as our own format reads them (viewer.model.dates.parse_when), at the precision written;
a date that cannot be read is one line naming the file, the row's line and the problem. Events
cite nothing (they are uncited); a link becomes a link-only source, and the columns not chosen
are kept in the note, one `name: value` line each.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from viewer.model.dates import DateError, DateSpan, parse_when
from viewer.model.importers.common import (
    Builder,
    csv_table,
    decode,
    plain_text,
    title_and_rest,
)
from viewer.model.loader import TimelineError, _Progress
from viewer.model.timeline import Timeline

DELIMITERS = (",", ";", "\t")  # tried in this order: the first wins a tie
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
PREVIEW_ROWS = 20
PEEK_BYTES = 64 * 1024  # what the dialog reads for its preview
_SNIFF_ROWS = 20
_EVERY = 4096  # rows between progress reports (and cancellation checks)
UNCATEGORISED = "Events"

# The names a header gives each role, compared with case, spaces, '_' and '-' ignored; first
# whole names in this order, then a name with one of these as a word in it ("Event date").
_NAMES = {
    "date": (
        *("date", "start", "start date", "begin", "datetime", "date time", "timestamp"),
        *("time", "when", "start time", "from", "year"),
    ),
    "end": ("end", "end date", "end time", "until", "to", "finish", "stop"),
    "title": ("title", "headline", "name", "event", "label", "subject", "message"),
    "description": ("description", "text", "summary", "details", "notes", "note", "body"),
    "category": ("category", "group", "type", "tag", "tags", "kind", "class", "lane"),
    "link": ("link", "url", "href", "source url", "web", "website", "source"),
}
_WORDS = {
    "date": ("date", "start", "begin", "timestamp", "datetime"),
    "end": ("end", "until", "finish"),
    "title": ("title", "headline", "name", "event", "label"),
    "description": ("description", "text", "summary", "details", "notes"),
    "category": ("category", "group", "type", "tag", "tags"),
    "link": ("link", "url", "href"),
}


@dataclass(frozen=True)
class Columns:
    """Which column (by its number, from 0) holds each role; None: no column. A date is needed
    to import; the rest may be left out."""

    date: int | None = None
    end: int | None = None
    title: int | None = None
    description: int | None = None
    category: int | None = None
    link: int | None = None

    def of(self, role: str) -> int | None:
        return getattr(self, role)

    def used(self) -> set[int]:
        return {k for k in (getattr(self, f.name) for f in fields(self)) if k is not None}


ROLES = tuple(f.name for f in fields(Columns))


@dataclass(frozen=True)
class Table:
    """The start of a CSV file, for the column dialog: its delimiter, header and first rows
    (line, fields), and the problem that stopped reading them, if any ('' when none)."""

    delimiter: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    problem: str = ""


@dataclass(frozen=True)
class Row:
    """How one row is read: its dates, texts and links, or the problem that stops the import
    (`problem`, '' when none). A row whose date cell is empty has `when` None and no problem:
    it is left out."""

    line: int
    when: DateSpan | None
    title: str = ""
    summary: str = ""
    category: str = ""
    link: str = ""
    note: str = ""
    links: tuple[str, ...] = ()
    problem: str = ""


def _records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    """The first `limit` non-empty records, as far as the text reads as CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                if len(rows) >= limit:
                    break
    except csv.Error:
        pass
    return rows


def sniff(text: str) -> str | None:
    """The delimiter (comma, semicolon or tab) that makes `text` a table: a header of two or
    more named columns, and the most rows as wide as it; None if none does."""
    best: tuple[tuple[int, int], str] | None = None
    for delimiter in DELIMITERS:
        rows = _records(text, delimiter, _SNIFF_ROWS)
        if not rows:
            continue
        header = rows[0]
        if len(header) < 2 or sum(1 for name in header if name.strip()) < 2:
            continue
        score = (sum(1 for row in rows[1:] if len(row) == len(header)), len(header))
        if best is None or score > best[0]:
            best = (score, delimiter)
    return best[1] if best is not None else None


def _norm(name: str) -> str:
    return " ".join(name.replace("_", " ").replace("-", " ").casefold().split())


def guess(header: Sequence[str]) -> Columns:
    """Columns guessed from the header's names ('Date', 'Start', 'Headline', 'Event date',
    'URL'…); each column is given at most one role, the roles in ROLES' order."""
    names = [_norm(h) for h in header]
    taken: set[int] = set()
    chosen: dict[str, int] = {}
    for role in ROLES:
        found = next(
            (names.index(n) for n in _NAMES[role] if n in names and names.index(n) not in taken),
            None,
        )
        if found is None:
            found = next(
                (
                    k
                    for word in _WORDS[role]
                    for k, n in enumerate(names)
                    if k not in taken and word in n.split()
                ),
                None,
            )
        if found is not None:
            chosen[role] = found
            taken.add(found)
    return Columns(**chosen)


def read_row(line: int, cells: Sequence[str], header: Sequence[str], columns: Columns) -> Row:
    """Row `cells` (at `line`) read with `columns`: what the preview shows and the import adds."""
    if len(cells) != len(header):
        return Row(line, None, problem=f"has {len(cells)} fields; the header has {len(header)}")

    def cell(role: str) -> str:
        k = columns.of(role)
        return cells[k].strip() if k is not None else ""

    summary, links = plain_text(cell("description"))
    title = plain_text(cell("title"))[0]
    if not title:
        title, rest = title_and_rest(summary)
        summary = rest
    link = cell("link")
    used = columns.used()
    note = "\n".join(
        f"{header[k].strip()}: {value.strip()}"
        for k, value in enumerate(cells)
        if k not in used and value.strip()
    )
    when = None
    problem = ""
    date_text = cell("date")
    role = "date"
    try:
        if date_text:  # else the row is left out
            begin = parse_when(date_text)
            role = "end"
            end_text = cell("end")
            until = parse_when(end_text) if end_text else None
            role = ""
            when = DateSpan(begin, until if until != begin else None)
    except DateError as exc:
        name = header[columns.of(role)].strip() if role else ""
        problem = f"{name or role}: {exc}" if role else str(exc)
    return Row(
        line,
        when,
        title=title,
        summary=summary,
        category=" ".join(cell("category").split()),
        link=link,
        note=note,
        links=tuple(links),
        problem=problem,
    )


def _table(path: Path, text: str) -> tuple[Table, Iterator[tuple[int, list[str]]]]:
    """The table's delimiter and header, and an iterator over the rows after the header."""
    delimiter = sniff(text)
    if delimiter is None:
        raise TimelineError(
            path,
            "line 1",
            "is not a table: no header of two or more columns apart by commas, semicolons or tabs",
        )
    _line, header, rows = csv_table(path, text, delimiter)
    return Table(delimiter, tuple(h.strip() for h in header), ()), rows


def peek(path: str | Path) -> Table:
    """The header and first PREVIEW_ROWS rows of the CSV at `path`, read from its first
    PEEK_BYTES (cut at the last whole line): what the column dialog shows. Raises TimelineError
    for a file that cannot be read or is no table; a problem in the rows is kept in `problem`."""
    path = Path(path)
    if not path.is_file():  # a FIFO would block the window
        raise TimelineError(path, "", "is not a regular file")
    try:
        with path.open("rb") as f:
            raw = f.read(PEEK_BYTES + 1)
    except OSError as exc:
        raise TimelineError(path, "", exc.strerror or str(exc)) from None
    cut = len(raw) > PEEK_BYTES
    if cut:
        raw = raw[: raw.rfind(b"\n", 0, PEEK_BYTES) + 1] or raw[:PEEK_BYTES]
    text = decode(path, raw)
    table, rows = _table(path, text)
    got: list[tuple[int, tuple[str, ...]]] = []
    problem = ""
    try:
        for line, row in rows:
            got.append((line, tuple(row)))
            if len(got) >= PREVIEW_ROWS:
                break
    except TimelineError as exc:
        if not cut:  # a record cut short by the peek is not a problem of the file's
            problem = f"{exc.location}: {exc.problem}" if exc.location else exc.problem
    return Table(table.delimiter, table.header, tuple(got), problem)


def missing_for_guess(columns: Columns) -> list[str]:
    """The roles a guess must find for an import without the dialog (the command line)."""
    return [role for role in ("date", "title") if columns.of(role) is None]


def import_csv(path: Path, text: str, steps: _Progress, columns: Columns | None = None) -> Timeline:
    """A CSV file read with `columns`; None: the columns guessed from its header, which must
    find the date and the title (the command line has no dialog to ask)."""
    b = Builder(path, "CSV")
    b.title = path.stem
    total = text.count("\n") + 1
    table, rows = _table(path, text)
    header = table.header
    if columns is None:
        columns = guess(header)
        missing = missing_for_guess(columns)
        if missing:
            shown = ", ".join(repr(h) for h in header[:8]) + (", …" if len(header) > 8 else "")
            raise TimelineError(
                path,
                "line 1",
                f"is a CSV file whose {' and '.join(missing)} column"
                f"{'s' if len(missing) > 1 else ''} could not be guessed from its header "
                f"({shown}): open it in the window to choose them",
            )
    if columns.date is None:
        raise TimelineError(path, "", "no column was chosen as the date")
    if any(k >= len(header) for k in columns.used()):
        raise TimelineError(path, "line 1", "has fewer columns than were chosen")
    for n, (line, cells) in enumerate(rows):
        if n % _EVERY == 0:
            b.rows_progress(steps, line, total)
        row = read_row(line, cells, header, columns)
        where = f"line {line}"
        if row.problem:
            raise TimelineError(path, where, row.problem)
        if row.when is None:
            b.left_out.append(f"{where} (no date)")
            continue
        link = b.link(row.link) if row.link else None
        cited = [s for s in (link, *(b.link(u) for u in row.links)) if s]
        note = row.note
        if row.link and link is None:  # not an address (spaces in it): kept as text
            note = f"Link: {row.link}" + (f"\n{note}" if note else "")
        b.add(
            where,
            row.title,
            row.when.begin,
            row.when.until,
            b.category(row.category or UNCATEGORISED),
            summary=row.summary,
            note=note,
            links=cited,
        )
    return b.build(steps)
