"""Rows of forensic timelines (Timesketch and plaso): one event a row, at an instant.

Timesketch and plaso share their fields (`datetime`, `timestamp` in microseconds since 1970 UTC,
`timestamp_desc`, `message`), so both importers read rows here and differ only in which fields
name an event's category (see docs/import.md).

Such files run to millions of rows, so the importers keep no object per row: `import_csv` and
`import_jsonl` read the rows a chunk at a time into an EventStore's columns (start, end,
category, a hash of the id) and keep the file's bytes and where each row begins in them; an
event is made from its row, read again, when it is shown (`make`). The row-by-row functions
(`read_csv`, `read_jsonl`, `add_row`) are the definition: a chunk with anything wrong in it is
read by them, so every problem gets the same one line, and the tests compare both paths.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, Union

import msgspec

from viewer.model.dates import DateError, PartialDate, days_from_civil, days_in_month, parse_date
from viewer.model.importers.common import (
    Builder,
    category_id,
    check_utf8,
    check_width,
    csv_rows,
    header_of,
    imported_event,
    imported_texts,
    instant_from_micros,
    title_and_rest,
)
from viewer.model.loader import TimelineError, _Progress
from viewer.model.scene import MarkKind
from viewer.model.store import EventStore, Facts, time_order
from viewer.model.timeline import Event, Timeline

_EVERY = 4096  # rows between progress reports (and cancellation checks)
# Fields shown as the title or used as the date or category: not repeated in the note.
_USED = {"message", "datetime", "timestamp", "date_time", "__container_type__", "__type__"}
_EMPTY = {"", "-"}
_NANOS = re.compile(r"(\.[0-9]{6})[0-9]+")  # plaso writes '-' for an empty field

CategoryOf = Callable[[dict], str]


def when_of(path: Path, where: str, fields: dict[str, Any]) -> PartialDate | None:
    """The row's instant: its ISO `datetime` (with its offset), else its `timestamp` in
    microseconds; None if it has neither (plaso's rows with no time)."""
    text = fields.get("datetime")
    if isinstance(text, str) and text.strip() and not text.startswith("0000-00-00"):
        try:
            # plaso writes nanoseconds; our dates keep microseconds.
            return parse_date(_NANOS.sub(_digits_kept, text.strip()))
        except DateError as exc:
            raise TimelineError(path, where, f"datetime: {exc}") from None
    stamp = fields.get("timestamp")
    if isinstance(stamp, bool) or stamp in (None, "", 0, "0"):
        return None
    try:
        micros = int(stamp)
        return instant_from_micros(micros)
    except (ValueError, TypeError, OverflowError, DateError):
        raise TimelineError(
            path, where, f"timestamp: {str(stamp)[:40]!r} is not microseconds since 1970"
        ) from None


def _digits_kept(m: re.Match[str]) -> str:
    # A function, not r"\1": a template makes re import itself on every call, which PySide's
    # import hook makes slow.
    return m[1]


def event_of(
    path: Path,
    where: str,
    event_id: str,
    fields: dict[str, Any],
    category: str,
    instants: Instants | None = None,
) -> Event | None:
    """One row as an event (its message the title, the other fields the note), or None if it
    has no time. `instants` reads the usual form of date faster, to the same result."""
    text = fields.get("datetime")
    when = instants.date(text) if instants is not None and type(text) is str else None
    if when is None:
        when = when_of(path, where, fields)
    if when is None:
        return None
    title, summary, note = _row_texts(fields)
    return imported_event(
        path, where, event_id, title, when, None, category, summary=summary, note=note
    )


def _row_texts(fields: dict[str, Any]) -> tuple[str, str, str]:
    """A row's title and summary (from its message) and note (its other fields)."""
    message = fields.get("message")
    message = message if isinstance(message, str) else ""
    title, summary = title_and_rest(message)
    shown = [(k, _shown(v)) for k, v in fields.items() if k not in _USED]
    return title, summary, "\n".join([f"{k}: {v}" for k, v in shown if v not in _EMPTY])


def _facts(fields_at: Callable[[int], dict[str, Any]]) -> Callable[[Sequence[int]], Facts]:
    """What search and the filters read of the events at some positions in the file, from
    their rows (`fields_at(k)`), without making the events: what search._facts_of reads of
    them. An imported row cites nothing; its instant has a time of day, drawn as a day mark."""

    def facts(positions: Sequence[int]) -> Facts:
        texts = [imported_texts(*_row_texts(fields_at(k))) for k in positions]
        n = len(texts)
        return Facts(
            ids=[f"e{k + 1}" for k in positions],
            titles=[t[0] for t in texts],
            summaries=[t[1] for t in texts],
            notes=[t[2] for t in texts],
            cited=[[] for _ in range(n)],
            disputed_by=[False] * n,
            warned=[False] * n,
            uncited=[True] * n,
            kinds=[MarkKind.DAY] * n,
        )

    return facts


def add_row(b: Builder, where: str, fields: dict[str, Any], category_of: CategoryOf) -> None:
    """One row as an event, or as a row left out (it has no time)."""
    if when_of(b.path, where, fields) is None:
        b.leave_out(f"{where} (no time)")
        return
    category = b.category(category_of(fields))
    event = event_of(b.path, where, f"e{len(b.events) + 1}", fields, category)
    b.events.append(event)  # type: ignore[arg-type]


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    return json.dumps(value, ensure_ascii=False)


def read_csv(b: Builder, text: str, steps: _Progress, category_of: CategoryOf) -> None:
    """Every row of a CSV whose header names the fields, one by one: the definition that
    import_csv follows (and calls on a chunk with a problem in it)."""
    total = text.count("\n") + 1
    rows = csv_rows(b.path, text)
    first = next(rows, None)
    if first is None:
        return
    line, header = first
    header_of(b.path, line, header, ("message",))
    names = [h.strip().lstrip("\ufeff") for h in header]
    for n, (line, row) in enumerate(rows):
        if n % _EVERY == 0:
            b.rows_progress(steps, line, total)
        check_width(b.path, line, row, header)
        add_row(b, f"line {line}", dict(zip(names, row, strict=True)), category_of)


def json_line(path: Path, k: int, line: str) -> dict[str, Any] | None:
    """The object on line k, or None if the line is blank; it must be a JSON object."""
    if not line.strip():
        return None
    try:
        doc = json.loads(line)
    except ValueError as exc:
        msg = getattr(exc, "msg", str(exc))
        raise TimelineError(path, f"line {k}", f"not valid JSON ({msg})") from None
    except RecursionError:
        raise TimelineError(path, f"line {k}", "JSON is nested too deeply") from None
    if not isinstance(doc, dict):
        raise TimelineError(path, f"line {k}", "is not a JSON object")
    return doc


def json_lines(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, object) of each non-blank line; each must be a JSON object."""
    for k, line in enumerate(text.split("\n"), 1):
        doc = json_line(path, k, line)
        if doc is not None:
            yield k, doc


def read_jsonl(b: Builder, text: str, steps: _Progress, category_of: CategoryOf) -> None:
    """Every line of a JSON-lines file, one object an event, one by one: the definition that
    import_jsonl follows."""
    total = text.count("\n") + 1
    for n, (line, doc) in enumerate(json_lines(b.path, text)):
        if n % _EVERY == 0:
            b.rows_progress(steps, line, total)
        add_row(b, f"line {line}", doc, category_of)


# --- the fast path: columns -------------------------------------------------------------------

# The form Timesketch and plaso write, read without parse_date: 2015-07-24T19:01:01+00:00, with
# any fraction (nanoseconds kept to the microsecond, as when_of does) and Z or ±hh:mm.
_FAST_ISO = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
_MAX_MICROS = 253_402_300_800 * 10**6  # 10000-01-01: beyond it datetime (and when_of) refuses
_KEPT = 1 << 16  # days remembered while reading
_MINUTES = {f"{h:02d}:{m:02d}": h * 3600 + m * 60 for h in range(24) for m in range(60)}
_SECONDS = {f"{s:02d}": s for s in range(60)}


class Instants:
    """The (start, end) seconds of a row's instant as when_of would give them, for the forms
    Timesketch and plaso write, computed without making a PartialDate; None for anything else
    (which when_of then reads, or refuses). tests/test_importers.py compares the two."""

    def __init__(self) -> None:
        # The parts of texts read so far, each checked: a date's first second, a zone's offset
        # in minutes (None: not a date, not a zone); and every hour and minute, every second.
        self._days: dict[str, int | None] = {}
        self._zones: dict[str, int | None] = {"Z": 0}
        self._minutes = _MINUTES
        self._seconds = _SECONDS

    def bounds(self, text: Any, stamp: Any) -> tuple[float, float] | None:
        if not text:  # no datetime: the timestamp, in microseconds
            if type(stamp) is str and stamp.isascii() and stamp.isdigit():
                micros = int(stamp)
            elif type(stamp) is int:
                micros = stamp
            else:
                return None
            if not 0 < micros < _MAX_MICROS:
                return None
            return _seconds(micros, 10**6 if micros % 10**6 == 0 else 1)
        if type(text) is not str:
            return None
        # Most texts are of parts known good: "2015-07-24" "T" "19:01" ":" "01" "+00:00",
        # which make the whole of a form _FAST_ISO reads, without a fraction.
        day = self._days.get(text[:10])
        minute = self._minutes.get(text[11:16])
        second = self._seconds.get(text[17:19])
        offset = self._zones.get(text[19:])
        if (
            day is not None
            and minute is not None
            and second is not None
            and offset is not None
            and text[10] == "T"
            and text[16] == ":"
        ):
            return _seconds((day + minute + second - offset * 60) * 10**6, 10**6)
        return self._read(text)

    def _read(self, text: str) -> tuple[float, float] | None:
        m = _FAST_ISO.fullmatch(text)
        if m is None:
            return None
        year, month, day_of_month, hh, mm, ss, frac, zone = m.groups()
        day = self._days.get(text[:10], -1)
        if day == -1:
            day = self._day(int(year), int(month), int(day_of_month))
            if len(self._days) >= _KEPT:
                self._days.clear()
            self._days[text[:10]] = day
        h, mi, sec = int(hh), int(mm), int(ss)
        clock = h * 3600 + mi * 60 + sec if h <= 23 and mi <= 59 and sec <= 59 else None
        offset = self._zones.get(zone, -1)
        if offset == -1:
            offset = self._zones[zone] = _offset(zone)
        if day is None or clock is None or offset is None:
            return None
        micros = (day + clock - offset * 60) * 10**6
        if frac:
            places = min(len(frac), 6)
            return _seconds(micros + int(frac[:6].ljust(6, "0")), 10 ** (6 - places))
        return _seconds(micros, 10**6)

    def date(self, text: str) -> PartialDate | None:
        """The PartialDate when_of reads from a `datetime` of the form `bounds` reads, made
        without parse_date; None for any other text."""
        m = _FAST_ISO.fullmatch(text)
        if m is None:
            return None
        year, month, day, hh, mm, ss, frac, zone = m.groups()
        offset = self._zones.get(zone, -1)
        if offset == -1:
            offset = _offset(zone)
        if offset is None:
            return None
        places = min(len(frac), 6) if frac else 0
        try:
            return PartialDate(
                int(year),
                int(month),
                int(day),
                int(hh),
                int(mm),
                int(ss),
                int(frac[:6].ljust(6, "0")) if frac else 0,
                places,
                offset,
            )
        except DateError:
            return None

    @staticmethod
    def _day(year: int, month: int, day: int) -> int | None:
        """The day's first second since 1970, or None if there is no such day."""
        if not (1 <= month <= 12 and 1 <= day <= days_in_month(year, month)):
            return None
        return days_from_civil(year, month, day) * 86_400


def _offset(zone: str) -> int | None:
    hh, mm = int(zone[1:3]), int(zone[4:6])
    if hh > 23 or mm > 59:
        return None
    return (hh * 60 + mm) * (-1 if zone[0] == "-" else 1)


def _seconds(micros: int, length: int) -> tuple[float, float]:
    """What PartialDate.start and .end give for these microseconds and this length."""
    start = micros / 1e6
    end = (micros + length) / 1e6
    return start, end if end > start else math.nextafter(start, math.inf)


class _Columns:
    """An imported timeline's events as columns, filled a chunk of rows at a time.

    Each chunk comes as its rows' lines, the value of each row's `datetime` and `timestamp`,
    its category key (the values of the fields that name its category, other than texts made
    None) and the byte offset where the row begins. Rows with a time become events; the others
    are left out, as add_row does."""

    def __init__(self, b: Builder, keys: tuple[str, ...], category_of: CategoryOf) -> None:
        self.b = b
        self.keys = keys
        self.category_of = category_of
        self.instants = Instants()
        self.starts, self.ends = array("d"), array("d")
        self.cats, self.offsets = array("H"), array("I")
        self._lane: dict[Any, int] = {}  # category key -> position in b.categories
        self._position: dict[str, int] = {}

    def add(
        self,
        lines: list[int],
        dts: list[Any],
        stamps: list[Any],
        keys: list[Any],
        offsets: Iterable[int],
    ) -> None:
        bounds = list(map(self.instants.bounds, dts, stamps))
        if None in bounds:
            path = self.b.path
            for j in [j for j, got in enumerate(bounds) if got is None]:
                fields = {"datetime": dts[j], "timestamp": stamps[j]}
                when = when_of(path, f"line {lines[j]}", fields)  # raises for a bad one
                if when is not None:
                    bounds[j] = (when.start, when.end)
        kept = list(itertools.compress(range(len(bounds)), bounds))
        if len(kept) < len(bounds):
            for j, got in enumerate(bounds):
                if got is None:
                    self.b.leave_out(f"line {lines[j]} (no time)")
            bounds = [bounds[j] for j in kept]
            keys = [keys[j] for j in kept]
            offsets = list(offsets)
            offsets = [offsets[j] for j in kept]
        self.starts.extend([g[0] for g in bounds])  # type: ignore[index]
        self.ends.extend([g[1] for g in bounds])  # type: ignore[index]
        self.offsets.extend(offsets)
        lanes = list(map(self._lane.get, keys))
        if None in lanes:
            for j, key in enumerate(keys):  # categories are made in the order rows name them
                if lanes[j] is None:
                    lanes[j] = self._lane.get(key)
                    if lanes[j] is None:
                        given = key if len(self.keys) > 1 else (key,)
                        fields = dict(zip(self.keys, given, strict=True))
                        name = self.b.category(self.category_of(fields))
                        lanes[j] = self._lane[key] = self._position.setdefault(
                            name, len(self._position)
                        )
        self.cats.extend(lanes)  # type: ignore[arg-type]

    def timeline(
        self,
        steps: _Progress,
        make: Callable[[int], Event],
        facts: Callable[[Sequence[int]], Facts],
    ) -> Timeline:
        """The timeline of the events read, each made by `make(k)` from row k when asked for;
        `facts` reads what search needs of rows without making their events."""
        starts, ends, cats = self.starts, self.ends, self.cats
        n = len(starts)
        hashes = array("q", map(hash, map("e{}".format, range(1, n + 1))))
        order = time_order(starts, ends) if n else None
        if order is not None:
            starts, ends, cats = (
                array(col.typecode, list(map(col.__getitem__, order)))
                for col in (starts, ends, cats)
            )
            order = array("I", order)
        store = EventStore(
            starts=starts,
            ends=ends,
            categories=cats,
            category_ids=list(self.b.categories),
            id_hashes=hashes,
            make=make,
            warned=0,
            disputes={},
            order=order,
            facts=facts,
            uncited=n,  # an imported row cites nothing
        )
        return self.b.build(steps, store)


def _key_getter(names: list[str], keys: tuple[str, ...]) -> Callable[[list[str]], Any]:
    """A function giving a CSV row's category key: the cells of `keys`, a tuple if there are
    several (None where the header has no such column; of two columns of one name, the last,
    as dict(zip(names, row)) keeps)."""
    at = [_last(names, k) for k in keys]
    if all(i is not None for i in at):
        return itemgetter(*at)  # type: ignore[arg-type]
    if len(at) == 1:
        return lambda row: None
    return lambda row: tuple(row[i] if i is not None else None for i in at)


def _last(names: list[str], name: str) -> int | None:
    """The position of the last column called `name`, or None."""
    for k in range(len(names) - 1, -1, -1):
        if names[k] == name:
            return k
    return None


_CHUNK_BYTES = 1 << 20


def _chunks(raw: bytes | bytearray, begin: int) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of `raw` from `begin` in pieces of about a MiB, each ending with a line
    feed (but the last)."""
    at = begin
    while at < len(raw):
        cut_at = raw.find(b"\n", at + _CHUNK_BYTES)
        cut_at = len(raw) if cut_at < 0 else cut_at + 1
        yield at, bytes(memoryview(raw)[at:cut_at])
        at = cut_at


def _csv_lines(raw: bytes, begin: int, line_at: array) -> Iterator[list[str]]:
    """The lines of `raw` from `begin` as csv.reader reads a file opened with newline='' (ended
    by \\n, \\r or \\r\\n, kept), a list a chunk; the offset of each line's first byte is added
    to `line_at` as its chunk is given out."""
    for at, chunk in _chunks(raw, begin):
        lines = chunk.splitlines(keepends=True)  # bytes split only at \n, \r and \r\n
        line_at.extend(itertools.accumulate(map(len, lines[:-1]), initial=at))
        yield list(map(bytes.decode, lines))


_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)?")


def _lines_from(raw: bytes, at: int) -> Iterator[str]:
    """The lines of `raw` from offset `at`, one at a time, as _csv_lines cuts them."""
    while at < len(raw):
        end = _LINE.match(raw, at).end()  # type: ignore[union-attr]
        yield raw[at:end].decode()
        at = end


def import_csv(
    path: Path,
    raw: bytes,
    steps: _Progress,
    builder: Builder,
    category_of: CategoryOf,
    keys: tuple[str, ...],
) -> Timeline:
    """A forensic CSV file as a timeline, its events kept as columns (see the module's doc).
    `keys` are the fields `category_of` reads."""
    begin = check_utf8(path, raw)
    b = builder
    total = raw.count(b"\n") + 1
    line_at = array("Q")
    reader = csv.reader(itertools.chain.from_iterable(_csv_lines(raw, begin, line_at)), strict=True)

    def failed(exc: csv.Error) -> TimelineError:
        return TimelineError(path, f"line {reader.line_num}", f"is not valid CSV ({exc})")

    try:
        header = next(row for row in reader if any(cell.strip() for cell in row))
    except StopIteration:
        return b.build(steps)  # no header: no events
    except csv.Error as exc:
        raise failed(exc) from None
    header_of(path, reader.line_num, header, ("message",))
    names = [h.strip().lstrip("\ufeff") for h in header]
    width = len(header)
    cols = _Columns(b, keys, category_of)
    i_dt, i_ts, i_msg = _last(names, "datetime"), _last(names, "timestamp"), _last(names, "message")
    key_of = _key_getter(names, keys)
    prev = reader.line_num  # lines read before the next row
    done = False
    while not done:
        rows: list[list[str]] = []
        nums: list[int] = []
        problem = None
        try:
            for row in reader:
                rows.append(row)
                nums.append(reader.line_num)
                if len(rows) == _EVERY:
                    break
            else:
                done = True
        except csv.Error as exc:
            problem, done = failed(exc), True
        if rows:
            b.rows_progress(steps, nums[0], total)
        firsts = [prev, *nums[:-1]]  # each row's first line, counted from 0
        if nums:
            prev = nums[-1]
        # Rows of the header's width with any text in them; blank ones are skipped.
        full = [
            j
            for j, row in enumerate(rows)
            if len(row) == width and (row[i_msg].strip() or any(map(str.strip, row)))  # type: ignore[index]
        ]
        if len(full) < len(rows):
            shown = [j for j, row in enumerate(rows) if any(cell.strip() for cell in row)]
            if len(shown) != len(full):  # a row of another width: the first problem, as read_csv
                for j in shown:  # would find it
                    check_width(path, nums[j], rows[j], header)
                    when_of(path, f"line {nums[j]}", dict(zip(names, rows[j], strict=True)))
            rows = [rows[j] for j in full]
            nums = [nums[j] for j in full]
            firsts = [firsts[j] for j in full]
        if rows:
            cols.add(
                nums,
                [row[i_dt] for row in rows] if i_dt is not None else [None] * len(rows),
                [row[i_ts] for row in rows] if i_ts is not None else [None] * len(rows),
                list(map(key_of, rows)),
                map(line_at.__getitem__, firsts),
            )
        if problem is not None:
            raise problem
    categories = b.categories
    instants = cols.instants

    def fields_at(k: int) -> dict[str, Any]:
        row = next(csv.reader(_lines_from(raw, cols.offsets[k]), strict=True))
        return dict(zip(names, row, strict=True))

    def make(k: int) -> Event:
        fields = fields_at(k)
        category = category_id(categories, category_of(fields))
        return event_of(path, "", f"e{k + 1}", fields, category, instants)  # type: ignore[return-value]

    return cols.timeline(steps, make, _facts(fields_at))


# JSON lines whose values are all texts, numbers, booleans or null: msgspec reads them in C,
# giving what json.loads gives. Any other line (nested values, NaN, a problem) is read by
# json.loads, which says what is wrong.
_flat = msgspec.json.Decoder(dict[str, Union[str, int, float, bool, None]]).decode  # noqa: UP007


def import_jsonl(
    path: Path,
    raw: bytes,
    steps: _Progress,
    builder: Builder,
    category_of: CategoryOf,
    keys: tuple[str, ...],
) -> Timeline:
    """A forensic JSON-lines file as a timeline, its events kept as columns."""
    begin = check_utf8(path, raw)
    b = builder
    total = raw.count(b"\n") + 1
    cols = _Columns(b, keys, category_of)
    k = 0  # lines before the chunk
    for at, chunk in _chunks(raw, begin):
        lines = chunk.split(b"\n")
        if chunk.endswith(b"\n"):
            lines.pop()  # the next chunk begins the next line
        starts = list(itertools.accumulate([len(x) + 1 for x in lines[:-1]], initial=at))
        b.rows_progress(steps, k + 1, total)
        docs: list[dict[str, Any]] = []
        nums: list[int] = []
        firsts: list[int] = []
        for j, line in enumerate(lines):
            try:
                doc = _flat(line)
            except msgspec.MsgspecError:
                try:
                    doc = json_line(path, k + j + 1, line.decode())
                except TimelineError:  # the rows before it come first, as in read_jsonl
                    if docs:
                        cols.add(*_jsonl_columns(docs, nums, keys), firsts)
                    raise
                if doc is None:
                    continue
            docs.append(doc)
            nums.append(k + j + 1)
            firsts.append(starts[j])
            if len(docs) == _EVERY:
                cols.add(*_jsonl_columns(docs, nums, keys), firsts)
                docs, nums, firsts = [], [], []
        if docs:
            cols.add(*_jsonl_columns(docs, nums, keys), firsts)
        k += len(lines)
    categories = b.categories
    instants = cols.instants

    def fields_at(k: int) -> dict[str, Any]:
        at = cols.offsets[k]
        end = raw.find(b"\n", at)
        return json.loads(raw[at : len(raw) if end < 0 else end].decode())

    def make(k: int) -> Event:
        fields = fields_at(k)
        category = category_id(categories, category_of(fields))
        return event_of(path, "", f"e{k + 1}", fields, category, instants)  # type: ignore[return-value]

    return cols.timeline(steps, make, _facts(fields_at))


def _jsonl_columns(
    docs: list[dict[str, Any]], nums: list[int], keys: tuple[str, ...]
) -> tuple[list[int], list[Any], list[Any], list[Any]]:
    values = [tuple(d.get(k) for k in keys) for d in docs]
    # Only texts name a category; anything else is as good as absent (and may not be hashed).
    values = [v if all(type(x) is str or x is None for x in v) else _texts(v) for v in values]
    if len(keys) == 1:
        values = [v[0] for v in values]
    return (
        nums,
        [d.get("datetime") for d in docs],
        [d.get("timestamp") for d in docs],
        values,
    )


def _texts(values: tuple[Any, ...]) -> tuple[str | None, ...]:
    return tuple(x if isinstance(x, str) else None for x in values)
