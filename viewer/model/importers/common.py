"""What every importer shares: reading the file within the limits, HTML made plain text, CSV
rows, link-only sources, and the Timeline an importer builds.

Imported files are untrusted like our own: text stays text (HTML is reduced to its words and
the addresses of its links, never rendered or fetched), nothing outside the file is read, and
every problem is a TimelineError of one line naming the file, the place and the problem.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from viewer.model.dates import DateError, DateSpan, PartialDate, When
from viewer.model.limits import MAX_CATEGORIES, MAX_CHARS, MAX_FILE_BYTES
from viewer.model.loader import PROGRESS_TOTAL, CancelFlag, TimelineError, _Progress
from viewer.model.store import EventStore
from viewer.model.timeline import PALETTE, Category, Citation, Event, Source, Timeline

# Progress, in thousandths: reading ends here, then the rows, then building the timeline.
READ_END, ROWS_END = 150, 900
_READ_CHUNK = 1 << 20
_LEFT_OUT_NAMED = 5  # rows left out that the description names; the rest are counted
MAX_TITLE = 200  # characters of a message or headline kept as the label; the rest is summary
OTHER = "Other"


def progress_of(
    progress: Callable[[int, int], None] | None, cancel: CancelFlag | None
) -> _Progress:
    """The loader's progress reporter, so that imports report and cancel as loads do."""
    return _Progress(progress, cancel)


def read_file(path: Path, steps: _Progress) -> bytearray:
    """The file's bytes, refused before reading if over the limit; read in chunks, reporting
    progress and checking for cancellation. Read into one buffer of the file's size, so that a
    large file is never in memory twice."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            raise TimelineError(path, "", f"is {size / 1048576:.0f} MB; the limit is {limit} MB")
        buf = bytearray(size)
        got = 0
        with path.open("rb") as f:
            with memoryview(buf) as view:
                while got < size and (n := f.readinto(view[got : got + _READ_CHUNK])):
                    got += n
                    steps.within(0, READ_END, got, max(size, 1))
            del buf[got:]  # shrank while being read
            while got == size and (part := f.read(_READ_CHUNK)):  # or grew
                buf += part
                if len(buf) > MAX_FILE_BYTES:
                    raise TimelineError(path, "", "is over the size limit")
    except FileNotFoundError:
        raise TimelineError(path, "", "file not found") from None
    except PermissionError:
        raise TimelineError(path, "", "permission denied") from None
    except OSError as exc:
        raise TimelineError(path, "", exc.strerror or str(exc)) from None
    return buf


def decode(path: Path, raw: bytes | bytearray) -> str:
    """The bytes as UTF-8 text (a byte-order mark is allowed: spreadsheets write one)."""
    return raw[check_utf8(path, raw) :].decode("utf-8")


# What str.strip() keeps among ASCII characters: a file with none of these is empty.
_NOT_SPACE = re.compile(rb"[^ \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f]")
_CHECK_CHUNK = 1 << 22


def check_utf8(path: Path, raw: bytes | bytearray) -> int:
    """Where the text of `raw` begins (3 after a UTF-8 byte-order mark, else 0), once it is
    known to be UTF-8 text that is not blank; else the one-line error `decode` gives.

    Checked a few MiB at a time, so that a large file is never held as bytes and as text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TimelineError(path, "line 1", "is UTF-16 text; save it as UTF-8")
    begin = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    if raw.isascii():
        blank = _NOT_SPACE.search(raw) is None
    else:
        blank = True
        at = begin
        while at < len(raw):
            # Cut after a line feed: no UTF-8 sequence holds that byte.
            cut_at = raw.find(b"\n", at + _CHECK_CHUNK)
            cut_at = len(raw) if cut_at < 0 else cut_at + 1
            try:
                part = raw[at:cut_at].decode("utf-8")
            except UnicodeDecodeError as exc:
                line = raw.count(b"\n", begin, at + exc.start) + 1
                raise TimelineError(
                    path, f"line {line}", "is not valid UTF-8 text (save the file as UTF-8)"
                ) from None
            blank = blank and not part.strip()
            at = cut_at
    if blank:
        raise TimelineError(path, "", "is empty")
    return begin


class _PlainText(HTMLParser):
    """Collects the words of an HTML fragment and the addresses its links point to."""

    _BREAKS = frozenset({"p", "br", "div", "li", "blockquote", "tr", "h1", "h2", "h3", "h4"})
    _SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.links.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_MARKUP = re.compile(r"<[A-Za-z/!]|&[#A-Za-z0-9]+;")


def plain_text(html: str) -> tuple[str, list[str]]:
    """The words of an HTML fragment as plain text (never rendered, nothing fetched), and the
    addresses of its links. Text without markup is returned as it is, spaces tidied."""
    if not _MARKUP.search(html):
        return _tidy(html), []
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return _tidy("".join(parser.parts)), parser.links


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def cut(text: str, key: str) -> str:
    """`text` within the limit our own files keep for `key`."""
    limit = MAX_CHARS[key]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def title_and_rest(text: str) -> tuple[str, str]:
    """A label from the first line of `text` (at most MAX_TITLE characters), and the whole text
    as a summary when the label does not hold all of it ('' otherwise)."""
    first = text.split("\n", 1)[0].strip()
    if len(first) > MAX_TITLE:
        first = first[: MAX_TITLE - 1].rstrip() + "…"
    return first, ("" if first == text.strip() else cut(text, "summary"))


def instant_from_micros(micros: int) -> PartialDate:
    """A UTC instant from microseconds since 1970: to the second, or to the microsecond when
    there is a fraction."""
    secs, us = divmod(micros, 10**6)
    t = _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=secs)
    return PartialDate(
        t.year, t.month, t.day, t.hour, t.minute, t.second, us, 6 if us else 0, offset=0
    )


def csv_rows(path: Path, text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of each non-empty row; broken quoting is one line naming where."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TimelineError(
                path, f"line {reader.line_num}", f"is not valid CSV ({exc})"
            ) from None
        if any(cell.strip() for cell in row):
            yield reader.line_num, row


def csv_table(
    path: Path, text: str, delimiter: str = ","
) -> tuple[int, list[str], Iterator[tuple[int, list[str]]]]:
    """The header row's line and fields, and the rows after it (as csv_rows gives them); a
    file with no row at all is refused as empty."""
    rows = csv_rows(path, text, delimiter)
    first = next(rows, None)
    if first is None:
        raise TimelineError(path, "", "is empty")
    return first[0], first[1], rows


def header_of(path: Path, line: int, row: list[str], need: tuple[str, ...]) -> dict[str, int]:
    """The column of each name in a header row; the names in `need` must be there."""
    names = {name.strip().lstrip("\ufeff"): k for k, name in reversed(list(enumerate(row)))}
    missing = [n for n in need if n not in names]
    if missing:
        raise TimelineError(path, f"line {line}", f"has no column {missing[0]!r}")
    return names


def check_width(path: Path, line: int, row: list[str], header: list[str]) -> None:
    """Each row has as many fields as the header."""
    if len(row) != len(header):
        raise TimelineError(
            path, f"line {line}", f"has {len(row)} fields; the header has {len(header)}"
        )


def imported_event(
    path: Path,
    where: str,
    event_id: str,
    title: str,
    begin: When,
    until: When | None,
    category: str,
    *,
    summary: str = "",
    note: str = "",
    links: list[str] | tuple[str, ...] = (),
) -> Event:
    """An imported event: its texts within our limits, `links` (source ids) cited with nothing
    quoted (the event stays uncited). A range that ends before it starts is refused, naming
    `where`."""
    try:
        when = DateSpan(begin, until if until is not None and until != begin else None)
    except DateError as exc:
        raise TimelineError(path, where, str(exc)) from None
    title, summary, note = imported_texts(title, summary, note)
    return Event(
        id=event_id,
        title=title,
        when=when,
        category=category,
        summary=summary,
        citations=tuple(Citation(s, "", None) for s in dict.fromkeys(links)),
        note=note,
    )


def imported_texts(title: str, summary: str, note: str) -> tuple[str, str, str]:
    """An imported event's title, summary and note as it keeps them: trimmed, within our
    limits, a title at least "(untitled)", no summary that only repeats the title."""
    title = cut(title.strip(), "title") or "(untitled)"
    summary = cut(summary.strip(), "summary")
    return title, "" if summary == title else summary, cut(note.strip(), "note")


def category_id(categories: dict[str, Category], name: str) -> str:
    """The id Builder.category gave `name`, once every category is made (it adds none)."""
    name = cut(" ".join(name.split()), "category") or OTHER
    return name if name in categories else OTHER


@dataclass
class Builder:
    """Collects an imported timeline's events, categories and link-only sources."""

    path: Path
    format: str
    title: str = ""
    description: str = ""
    events: list[Event] = field(default_factory=list)
    categories: dict[str, Category] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    _by_url: dict[str, str] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    more_left_out: int = 0  # past the first few that `left_out` names

    def category(self, name: str, color: str | None = None) -> str:
        """The id of the category called `name` (made if new; past the limit, 'Other')."""
        name = cut(" ".join(name.split()), "category") or OTHER
        if name not in self.categories:
            if len(self.categories) >= MAX_CATEGORIES - 1:
                name = OTHER
                if name in self.categories:
                    return name
            palette = PALETTE[len(self.categories) % len(PALETTE)]
            self.categories[name] = Category(name, cut(name, "label"), color or palette)
        return name

    def link(self, url: str, title: str = "", description: str = "") -> str | None:
        """The id of a link-only source for `url` (one per address): a URL and no local text."""
        url = url.strip()
        if not url or len(url) > MAX_CHARS["url"] or any(c.isspace() for c in url):
            return None
        known = self._by_url.get(url)
        if known is not None:
            return known
        source_id = f"link{len(self.sources) + 1}"
        self.sources[source_id] = Source(
            id=source_id,
            file="",
            title=cut(title or url, "title"),
            description=cut(description, "description"),
            text="",
            url=url,
        )
        self._by_url[url] = source_id
        return source_id

    def add(
        self,
        where: str,
        title: str,
        begin: When,
        until: When | None,
        category: str,
        *,
        summary: str = "",
        note: str = "",
        links: list[str] | tuple[str, ...] = (),
    ) -> None:
        """Add an event; `links` are source ids, cited with nothing quoted (the event stays
        uncited). A range that ends before it starts is refused, naming `where`."""
        self.events.append(
            imported_event(
                self.path,
                where,
                f"e{len(self.events) + 1}",
                title,
                begin,
                until,
                category,
                summary=summary,
                note=note,
                links=links,
            )
        )

    def leave_out(self, what: str) -> None:
        """Note a row that is not an event (the description names the first few)."""
        if len(self.left_out) < _LEFT_OUT_NAMED:
            self.left_out.append(what)
        else:
            self.more_left_out += 1

    def build(self, steps: _Progress, store: EventStore | None = None) -> Timeline:
        """The timeline, marked as imported; refused if no event could be read. Its events are
        those added, or `store` when given (an importer that keeps its events as columns)."""
        steps.at(ROWS_END)
        if not (self.events if store is None else len(store)):
            raise TimelineError(self.path, "", f"has no events this app can read ({self.format})")
        description = self.description
        if self.left_out:
            shown = "; ".join(self.left_out[:_LEFT_OUT_NAMED])
            others = len(self.left_out) + self.more_left_out - _LEFT_OUT_NAMED
            more = f"; and {others:,} more" if others > 0 else ""
            description = (description + "\n\n" if description else "") + (
                f"Left out: {shown}{more}."
            )
        timeline = Timeline(
            title=cut(self.title or self.path.name, "title"),
            description=cut(description, "description"),
            sources=self.sources,
            categories=self.categories,
            events=tuple(self.events) if store is None else store,
            path=self.path,
            imported=self.format,
        )
        steps.at(PROGRESS_TOTAL)
        return timeline

    def rows_progress(self, steps: _Progress, done: int, total: int) -> None:
        """Report the rows read so far, checking for cancellation."""
        steps.within(READ_END, ROWS_END, done, max(total, 1))
