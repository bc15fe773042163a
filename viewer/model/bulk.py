"""Reading the events of a large timeline file quickly, and keeping them small.

msgspec decodes the document and checks the type of every field in C. Each event is decoded on
its own from the file's bytes, checked (dates, category, citations, ids) and reduced to columns in
an EventStore; the store keeps the file's bytes and where each event lies in them, and decodes
an event again when it is shown.

This path never explains a problem. When anything at all is wrong (or merely unusual, such as a
JSON `null` or a number msgspec will not hold) it gives up and returns None, and the loader's
hand-written checks read the file instead and say exactly what is wrong and where.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

import msgspec
from msgspec import UNSET, Raw, Struct, UnsetType

from viewer.model.dates import DateError, DateSpan, parse_date
from viewer.model.store import EventStore, time_order
from viewer.model.timeline import PALETTE, Category, Event, Source, locate

# What msgspec (and the UTF-8 check in it) raises at input it will not take.
_REFUSED = (msgspec.MsgspecError, ValueError, RecursionError, OverflowError)
# Distinct date texts remembered while reading: a few decades of days.
_DATES_KEPT = 65_536
_QUOTES_KEPT = 65_536
_CHUNK = 2048


class _Citation(Struct, forbid_unknown_fields=True):
    source: str
    quote: str


class _Event(Struct, forbid_unknown_fields=True):
    id: str
    title: str
    date: str
    category: str
    citations: list[_Citation]
    summary: str | UnsetType = UNSET
    end: str | UnsetType = UNSET
    note: str = ""
    disputed_by: list[str] = []


class _Top(Struct, forbid_unknown_fields=True):
    version: Any
    title: Any
    sources: Any
    events: list[Raw]
    description: Any = UNSET
    categories: Any = UNSET


def decode_top(buf: bytes) -> tuple[dict[str, Any], list[Raw]] | None:
    """The top-level fields other than `events` as a dict (as json.loads would give them), and
    each event's undecoded bytes; None if msgspec refuses the document."""
    try:
        top = msgspec.json.decode(buf, type=_Top)
    except _REFUSED:
        return None
    doc = {
        name: getattr(top, name)
        for name in ("version", "title", "sources", "description", "categories")
        if getattr(top, name) is not UNSET
    }
    return doc, top.events


def _bound(
    bounds: dict[str, tuple[float, float]], texts: list[str], got: list[tuple[float, float] | None]
) -> tuple[float, float] | None:
    """Fill the gaps in `got` (the bounds of `texts`), remembering them in `bounds`; the last
    one filled, or None if a text is not a date."""
    if len(bounds) >= _DATES_KEPT:
        bounds.clear()
    found = None
    for j, text in enumerate(texts):
        if got[j] is None:
            try:
                date = parse_date(text)
            except DateError:
                return None
            found = got[j] = bounds[text] = (date.start, date.end)
    return found


def _span(date: str, end: str | UnsetType) -> DateSpan:
    return DateSpan(parse_date(date), None if end is UNSET else parse_date(end))


def _event(e: _Event, sources: dict[str, Source]) -> Event:
    """The Event the loader's hand-written path makes of the same JSON."""
    citations = []
    warnings = []
    for j, c in enumerate(e.citations):
        citation, warning = locate(sources, j, c.source, c.quote)
        citations.append(citation)
        if warning:
            warnings.append(warning)
    return Event(
        id=e.id,
        title=e.title,
        when=_span(e.date, e.end),
        category=e.category,
        summary="" if e.summary is UNSET else e.summary,
        citations=tuple(citations),
        note=e.note,
        disputed_by=tuple(e.disputed_by),
        warnings=tuple(warnings),
    )


def read_events(
    buf: bytes,
    raws: list[Raw],
    sources: dict[str, Source],
    categories: dict[str, Category],
    progress: Callable[[int, int], None],
) -> EventStore | None:
    """Check every event in `raws` (slices of `buf`) and keep them as an EventStore; None if any
    of them has a problem. Empties `raws` as it goes, so each event's Raw is freed once read.

    Adds the categories events use but `categories` lacks, as the hand-written path does.
    `progress(i, n)` is called now and then with i events of n read; it may raise to stop.
    """
    n = len(raws)
    if n == 0:
        return None
    decode = msgspec.json.Decoder(_Event).decode
    position = {c: k for k, c in enumerate(categories)}
    starts, ends = array("d"), array("d")
    cats, hashes = array("I"), array("q")
    offsets, lengths = array("Q"), array("I")
    bounds: dict[str, tuple[float, float]] = {}  # a date's text: its first instant, and after
    quotes: dict[tuple[str, str], bool] = {}
    pending: list[tuple[int, str, str]] = []  # (event, its id, the id it is disputed by)
    warned = 0
    # The first event's bytes cannot occur earlier in a document that passed the head's
    # checks; each later one starts at the first "{" after the one before.
    at = buf.find(bytes(raws[0]))
    find = buf.find
    # Events are checked a chunk at a time, column by column, which keeps the Python work per
    # event to a few list comprehensions.
    step = min(_CHUNK, max(16, -(-n // 120)))  # about 120 progress reports on a large file
    for k0 in range(0, n, step):
        progress(k0, n)
        chunk = raws[k0 : k0 + step]
        raws[k0 : k0 + step] = [None] * len(chunk)  # free each Raw once read
        try:
            events = list(map(decode, chunk))  # one call an event is faster than one a chunk
        except _REFUSED:
            return None
        sizes = list(map(len, chunk))
        lengths.extend(sizes)
        put = offsets.append
        for size in sizes:
            at = find(b"{", at)
            put(at)
            at += size
        del chunk
        ids = [e.id for e in events]
        if not (
            all(map(str.strip, ids))
            and all(map(str.strip, [e.title for e in events]))
            and all(e.summary is UNSET or e.summary.strip() for e in events)
        ):
            return None
        hashes.extend(map(hash, ids))
        dates = [e.date for e in events]
        got = list(map(bounds.get, dates))
        if None in got and not _bound(bounds, dates, got):
            return None
        starts.extend([g[0] for g in got])
        until = [g[1] for g in got]
        for j, end in enumerate([e.end for e in events]):
            if end is not UNSET:
                last = bounds.get(end) or _bound(bounds, [end], [None])
                if not last or last[1] <= got[j][0]:  # not a date, or ends before it starts
                    return None
                until[j] = last[1]
        ends.extend(until)
        names = [e.category for e in events]
        lanes = list(map(position.get, names))
        if None in lanes:
            if not all(map(str.strip, names)):
                return None
            for j, name in enumerate(names):
                if lanes[j] is None:
                    if name not in position:
                        position[name] = len(categories)
                        color = PALETTE[len(categories) % len(PALETTE)]
                        categories[name] = Category(name, name, color)
                    lanes[j] = position[name]
        cats.extend(lanes)
        cited = [e.citations for e in events]
        if not all(cited):
            return None
        pairs = [(c.source, c.quote) for cs in cited for c in cs]
        if not all(map(sources.__contains__, [p[0] for p in pairs])):
            return None
        if not all(map(str.strip, [p[1] for p in pairs])):
            return None
        found = list(map(quotes.get, pairs))
        if None in found:
            if len(quotes) >= _QUOTES_KEPT:
                quotes.clear()
            for j, (sid, quote) in enumerate(pairs):
                if found[j] is None:
                    found[j] = quotes[sid, quote] = quote in sources[sid].text
        if not all(found):
            j = 0
            for cs in cited:
                warned += not all(found[j : j + len(cs)])
                j += len(cs)
        disputed = [e.disputed_by for e in events]
        for j in [j for j, others in enumerate(disputed) if others]:
            pending.extend((k0 + j, ids[j], other) for other in disputed[j])
    if len(set(hashes)) != n:
        return None  # a duplicate id (or, once in an age, two ids with one hash)

    view = memoryview(buf)

    def make(i: int) -> Event:
        return _event(decode(view[offsets[i] : offsets[i] + lengths[i]]), sources)

    def id_at(i: int) -> str:
        return decode(view[offsets[i] : offsets[i] + lengths[i]]).id

    if pending and not _ids_exist(hashes, id_at, pending):
        return None
    order = time_order(starts, ends)
    if order is not None:
        starts, ends, cats = (
            array(col.typecode, list(map(col.__getitem__, order))) for col in (starts, ends, cats)
        )
        order = array("I" if n < 2**32 else "Q", order)
    disputes: dict[str, list[int]] = {}
    if pending:
        now_at = array("Q", range(n))
        if order is not None:
            for new, old in enumerate(order):
                now_at[old] = new
        for k, _eid, other in pending:
            disputes.setdefault(other, []).append(now_at[k])
    return EventStore(
        starts=starts,
        ends=ends,
        categories=cats,
        category_ids=list(categories),
        id_hashes=hashes,
        make=make,
        warned=warned,
        disputes={other: tuple(sorted(at)) for other, at in disputes.items()},
        order=order,
    )


def _ids_exist(
    hashes: array, id_at: Callable[[int], str], pending: list[tuple[int, str, str]]
) -> bool:
    """Whether every id that `disputed_by` names (pending's third column) is an event's id,
    and no event names its own."""
    wanted: dict[int, list[int]] = {}
    for _k, eid, other in pending:
        if other == eid:
            return False
        wanted.setdefault(hash(other), [])
    for i, h in enumerate(hashes):
        at = wanted.get(h)
        if at is not None:
            at.append(i)
    return all(any(id_at(i) == other for i in wanted[hash(other)]) for _k, _eid, other in pending)
