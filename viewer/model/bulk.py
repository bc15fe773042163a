"""Reading the events of a large timeline file quickly, and keeping them small.

msgspec decodes the document and checks the type of every field in C. Each event is decoded on
its own from the file's bytes, checked (dates, category, citations, ids) and reduced to columns in
an EventStore; the store keeps the file's bytes and where each event lies in them, and decodes
an event again when it is shown.

This path never explains a problem. When anything at all is wrong (or merely unusual, such as a
JSON `null` or a number msgspec will not hold) it gives up and returns None, and the loader's
hand-written checks read the file instead and say exactly what is wrong and where. That
includes a key given twice in one object, which msgspec would quietly read as its last value:
the loader refuses such a file, so this path must not read it (see `_no_duplicate_keys`).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import msgspec
from msgspec import UNSET, Raw, Struct, UnsetType

from viewer.model import column_cache
from viewer.model.aggregate import IndexParts
from viewer.model.dates import DateError, DateSpan, parse_when
from viewer.model.limits import MAX_CATEGORIES, MAX_CHARS, MAX_SEARCH_CHARS
from viewer.model.scene import MarkKind, mark_kind
from viewer.model.store import EventStore, Facts, time_order
from viewer.model.timeline import PALETTE, Category, Event, QuoteSearch, Source, locate
from viewer.model.timeline import SearchTooLong as _SearchTooLong

# What msgspec (and the UTF-8 check in it) raises at input it will not take.
REFUSED = (msgspec.MsgspecError, ValueError, RecursionError, OverflowError)
# Distinct date texts remembered while reading: a few decades of days.
_DATES_KEPT = 65_536
_CHUNK = 2048


class SearchTooLong(Exception):
    """The quote searches went past MAX_SEARCH_CHARS at citation args[1] of event args[0]
    (positions in the file), where the loader's other path stops too."""


class _Citation(Struct, forbid_unknown_fields=True):
    source: str
    quote: str


class _Event(Struct, forbid_unknown_fields=True):
    id: str
    title: str
    date: str
    category: str
    citations: list[_Citation]
    # UNSET rather than a default value, so that the fields given can be counted.
    summary: str | UnsetType = UNSET
    end: str | UnsetType = UNSET
    note: str | UnsetType = UNSET
    disputed_by: list[str] | UnsetType = UNSET


class _Facts(Struct):
    """The fields of an event that search and the filters read (its checks are _Event's)."""

    id: str
    title: str
    date: str
    citations: list[_Citation]
    summary: str = ""
    end: str = ""
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
    except REFUSED:
        return None
    doc = {
        name: getattr(top, name)
        for name in ("version", "title", "sources", "description", "categories")
        if getattr(top, name) is not UNSET
    }
    return doc, top.events


class _Head(Struct):
    """The top level without `events` (skipped unread): for a file whose bytes are known good."""

    version: Any
    title: Any
    sources: Any
    description: Any = UNSET
    categories: Any = UNSET


def decode_head(buf: bytes) -> dict[str, Any] | None:
    """The top-level fields other than `events`, as decode_top gives them, without reading the
    events; for bytes that have passed every check before (see column_cache)."""
    try:
        top = msgspec.json.decode(buf, type=_Head)
    except REFUSED:
        return None
    return {
        name: getattr(top, name)
        for name in ("version", "title", "sources", "description", "categories")
        if getattr(top, name) is not UNSET
    }


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
                date = parse_when(text)
            except DateError:
                return None
            found = got[j] = bounds[text] = (date.start, date.end)
    return found


def _span(date: str, end: str | UnsetType) -> DateSpan:
    return DateSpan(parse_when(date), None if end is UNSET else parse_when(end))


def _event(e: _Event, sources: dict[str, Source], search: QuoteSearch) -> Event:
    """The Event the loader's hand-written path makes of the same JSON."""
    citations = []
    warnings = []
    for j, c in enumerate(e.citations):
        citation, warning = locate(sources, j, c.source, c.quote, search)
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
        note="" if e.note is UNSET else e.note,
        disputed_by=() if e.disputed_by is UNSET else tuple(e.disputed_by),
        warnings=tuple(warnings),
    )


def _too_long(texts: list[str], field: str) -> bool:
    return max(map(len, texts), default=0) > MAX_CHARS[field]


def _head_keys(doc: dict[str, Any]) -> tuple[int, int]:
    """The keys given in the head (the top level, sources and categories), and the colons in
    its texts. The loader's head checks have passed: the lists hold objects of texts."""
    keys = len(doc) + 1  # and `events`
    texts = [v for v in doc.values() if isinstance(v, str)]
    for name in ("sources", "categories"):
        for item in doc.get(name, ()):
            keys += len(item)
            texts.extend(item.values())
    return keys, "\0".join(texts).count(":")


def _no_duplicate_keys(colons: int, escapes: int, keys: int, colons_in_texts: int) -> bool:
    """Whether no object in the document has a key twice, given that it holds `colons` colons
    and `escapes` times `\\u003`, that `keys` keys were read (msgspec keeps the last of two,
    so it reads one) and that the texts read hold `colons_in_texts` colons (or fewer).

    Each key is followed by one colon outside strings, so the keys in the document number at
    most the colons in it, less those in the texts. A colon written `\\u003a` is in a text
    but not among the colons of the bytes: each `\\u003` counts as one more, which keeps the
    bound at or above the true count. Were any key given twice, or a value dropped, the
    document would hold more keys than were read; a count of the texts' colons that is too low
    only raises the bound, so it can make the answer "no" but never a wrong "yes"."""
    return colons + escapes - colons_in_texts == keys


def read_events(
    buf: bytes,
    head: dict[str, Any],
    raws: list[Raw],
    sources: dict[str, Source],
    categories: dict[str, Category],
    progress: Callable[[int, int], None],
    keep: Callable[[column_cache.Entry], None] | None = None,
) -> EventStore | None:
    """Check every event in `raws` (slices of `buf`) and keep them as an EventStore; None if any
    of them has a problem. Empties `raws` as it goes, so each event's Raw is freed once read.
    `head` is the rest of the document as decode_top gave it. With `keep`, the columns of a
    timeline whose quotes are all found are given to it, for the column cache.

    Adds the categories events use but `categories` lacks, as the hand-written path does.
    Everything cheap is checked before any quote is searched for; SearchTooLong if the searches
    go past their budget. `progress(i, n)` is called now and then with i events of n read; it
    may raise to stop.
    """
    n = len(raws)
    if n == 0:
        return None
    decoder = msgspec.json.Decoder(_Event)
    decode = decoder.decode
    links = {sid for sid, source in sources.items() if not source.file}  # no text to quote
    position = {c: k for k, c in enumerate(categories)}
    starts, ends = array("d"), array("d")
    cats, hashes = array("I"), array("q")
    offsets, lengths = array("Q"), array("I")
    bounds: dict[str, tuple[float, float]] = {}  # a date's text: its first instant, and after
    # Each distinct (source, quote), in the order first cited.
    pairs: dict[tuple[str, str], None] = {}
    pending: list[tuple[int, str, str]] = []  # (event, its id, the id it is disputed by)
    keys, colons = _head_keys(head)
    # The ids in file order, each followed by NUL, for the cache.
    ids_blob: bytearray | None = bytearray() if keep is not None else None
    escapes = buf.count(b"\\u003")
    seen_colons, counted_to = 0, 0  # colons in buf[:counted_to]
    # The first event's bytes cannot occur earlier in a document that passed the head's
    # checks; each later one starts at the first "{" after the one before.
    at = buf.find(bytes(raws[0]))
    find = buf.find
    # Events are checked a chunk at a time, column by column, which keeps the Python work per
    # event to a few list comprehensions.
    step = min(_CHUNK, max(16, -(-n // 120)))  # about 120 progress reports on a large file
    for k0 in range(0, n, step):
        progress(k0 // 2, n)  # the first half: the quote searches come after
        chunk = raws[k0 : k0 + step]
        raws[k0 : k0 + step] = [None] * len(chunk)  # free each Raw once read
        try:
            events = list(map(decode, chunk))  # one call an event is faster than one a chunk
        except REFUSED:
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
        titles = [e.title for e in events]
        summaries = [e.summary for e in events if e.summary is not UNSET]
        notes = [e.note for e in events if e.note is not UNSET]
        if not (
            all(map(str.strip, ids))
            and all(map(str.strip, titles))
            and all(map(str.strip, summaries))
        ):
            return None
        if (
            _too_long(ids, "id")
            or _too_long(titles, "title")
            or _too_long(summaries, "summary")
            or _too_long(notes, "note")
        ):
            return None
        hashes.extend(map(hash, ids))
        if ids_blob is not None:
            ids_blob += ("\0".join(ids) + "\0").encode("utf-8", "surrogatepass")
        dates = [e.date for e in events]
        got = list(map(bounds.get, dates))
        if None in got and not _bound(bounds, dates, got):
            return None
        starts.extend([g[0] for g in got])
        until = [g[1] for g in got]
        given_ends = [e.end for e in events]
        for j, end in enumerate(given_ends):
            if end is not UNSET:
                last = bounds.get(end) or _bound(bounds, [end], [None])
                if not last or last[1] <= got[j][0]:  # not a date, or ends before it starts
                    return None
                until[j] = last[1]
        ends.extend(until)
        names = [e.category for e in events]
        lanes = list(map(position.get, names))
        if None in lanes:
            if not all(map(str.strip, names)) or _too_long(names, "category"):
                return None
            for j, name in enumerate(names):
                if lanes[j] is None:
                    if name not in position:
                        if len(categories) >= MAX_CATEGORIES:
                            return None
                        position[name] = len(categories)
                        color = PALETTE[len(categories) % len(PALETTE)]
                        categories[name] = Category(name, name, color)
                    lanes[j] = position[name]
        cats.extend(lanes)
        cited = [e.citations for e in events]
        if not all(cited):
            return None
        chunk_pairs = [(c.source, c.quote) for cs in cited for c in cs]
        sids = [p[0] for p in chunk_pairs]
        quotes = [p[1] for p in chunk_pairs]
        if not all(map(sources.__contains__, sids)):
            return None
        if links and not links.isdisjoint(sids):
            return None  # a link-only source: the hand-written path reads those citations
        if not all(map(str.strip, quotes)) or _too_long(quotes, "quote"):
            return None
        pairs.update(dict.fromkeys(chunk_pairs))
        disputed = [e.disputed_by for e in events]
        for j in [j for j, others in enumerate(disputed) if others]:
            pending.extend((k0 + j, ids[j], other) for other in disputed[j])
        # The keys read, and the colons in the texts read (see _no_duplicate_keys).
        given = [e for e in given_ends if e is not UNSET]
        chunk_keys = (
            5 * len(events)
            + len(summaries)
            + len(notes)
            + len(given)
            + len(disputed)
            - disputed.count(UNSET)
            + 2 * len(chunk_pairs)
        )
        keys += chunk_keys
        # Counting the colons in the texts costs; when the events' own bytes hold no more
        # colons than keys, their texts hold none, and counting none is safe anyway: too low a
        # count can only make _no_duplicate_keys say no.
        a, b = offsets[k0], offsets[-1] + lengths[-1]
        seen_colons += buf.count(b":", counted_to, a)
        in_chunk = buf.count(b":", a, b)
        seen_colons += in_chunk
        counted_to = b
        if escapes or in_chunk != chunk_keys:
            others = [o for d in disputed if d for o in d]
            texts = [ids, titles, summaries, notes, dates, given, names, sids, quotes, others]
            colons += sum("\0".join(t).count(":") for t in texts)
    seen_colons += buf.count(b":", counted_to)
    if not _no_duplicate_keys(seen_colons, escapes, keys, colons):
        return None
    if len(set(hashes)) != n:
        return None  # a duplicate id (or, once in an age, two ids with one hash)

    at_k = _reader(buf, offsets, lengths, decoder)

    def id_at(i: int) -> str:
        return at_k(i).id

    def in_file_order() -> Iterator[_Event]:
        return map(at_k, range(n))

    if pending and not _ids_exist(hashes, id_at, pending):
        return None
    # Only now, with everything else checked, the quotes: each distinct one searched once.
    search = QuoteSearch(sources, MAX_SEARCH_CHARS)
    found: dict[tuple[str, str], bool] = {}
    every = max(1, len(pairs) // 60)
    for p, pair in enumerate(pairs):
        if p % every == 0:
            progress(n // 2 + n * p // (2 * len(pairs)), n)
        try:
            found[pair] = search.find(*pair) >= 0
        except _SearchTooLong:
            raise SearchTooLong(*_first_citing(in_file_order(), pair)) from None
    warned = 0
    if not all(found.values()):  # rare: read the events again to count those warned
        warned = sum(
            not all([found[c.source, c.quote] for c in e.citations]) for e in in_file_order()
        )
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
    columns = {"starts": starts, "ends": ends, "categories": cats}
    columns |= {"offsets": offsets, "lengths": lengths, "order": order}
    kept = {other: tuple(sorted(at)) for other, at in disputes.items()}
    # (An id holding a NUL of its own would make the ids unreadable: no cache then.)
    if keep is not None and ids_blob is not None and not warned and ids_blob.count(0) == n:
        keep(_entry(columns, ids_blob, categories, kept, sources))
    return _store(buf, columns, hashes, kept, warned, found.__getitem__, sources, categories)


def store_from_cache(
    buf: bytes, entry: column_cache.Entry, sources: dict[str, Source]
) -> tuple[EventStore, dict[str, Category]] | None:
    """The store (and categories) that read_events made of the same bytes, from what it left
    in the cache; None if the entry does not fit these bytes and sources."""
    cols = entry.columns
    n = len(cols["starts"])
    if entry.sources != _sources_digest(sources) or not all(
        len(cols[name]) == n for name in ("ends", "categories", "offsets", "lengths")
    ):
        return None
    if len(cols["order"]) not in (0, n) or (n and cols["offsets"][-1] >= len(buf)):
        return None
    hashes = _id_hashes(entry.ids)
    if len(hashes) != n:
        return None
    categories = {cid: Category(cid, label, color) for cid, label, color in entry.categories}
    columns = dict(cols)
    if not columns["order"]:
        columns["order"] = None
    # Every quote was found when the entry was kept (it is kept only then).
    store = _store(
        buf, columns, hashes, entry.disputes, 0, lambda pair: True, sources, categories, entry.index
    )
    return store, categories


def _id_hashes(ids: bytes, step: int = 1 << 20) -> array:
    """hash() of each id in `ids` (UTF-8, each followed by NUL), read about `step` bytes at a
    time: a million ids made at once as strings would take 60 MB for a moment."""
    hashes = array("q")
    at = 0
    while at < len(ids):
        cut = ids.find(0, min(at + step, len(ids) - 1))  # the NUL ending a whole id
        if cut < 0:
            cut = len(ids) - 1
        hashes.extend(map(hash, ids[at:cut].decode("utf-8", "surrogatepass").split("\0")))
        at = cut + 1
    return hashes


def _sources_digest(sources: dict[str, Source]) -> str:
    return column_cache.sources_digest([(sid, s.text) for sid, s in sources.items()])


def _entry(
    columns: dict[str, Any],
    ids: bytes | bytearray,
    categories: dict[str, Category],
    disputes: dict[str, tuple[int, ...]],
    sources: dict[str, Source],
) -> column_cache.Entry:
    cols = dict(columns)
    cols["order"] = array("Q", cols["order"] or ())
    cols["categories"] = array("I", cols["categories"])
    return column_cache.Entry(
        columns=cols,
        ids=ids,
        categories=[(c.id, c.label, c.color) for c in categories.values()],
        disputes=disputes,
        sources=_sources_digest(sources),
    )


def _reader(
    buf: bytes, offsets: array, lengths: array, decoder: msgspec.json.Decoder
) -> Callable[[int], Any]:
    """A function that decodes the event at file position k with `decoder`."""
    view = memoryview(buf)
    decode = decoder.decode

    def at(k: int) -> Any:
        return decode(view[offsets[k] : offsets[k] + lengths[k]])

    return at


def _store(
    buf: bytes,
    columns: dict[str, Any],
    hashes: array,
    disputes: dict[str, tuple[int, ...]],
    warned: int,
    found: Callable[[tuple[str, str]], bool],
    sources: dict[str, Source],
    categories: dict[str, Category],
    index_parts: IndexParts | None = None,
) -> EventStore:
    """The EventStore of checked events: its columns (time order), and functions that make an
    event or read its facts from its bytes in `buf` (`found` says whether a (source, quote)
    pair was found; `index_parts`, the event index's, when kept from an earlier reading)."""
    offsets, lengths = columns["offsets"], columns["lengths"]
    event_at = _reader(buf, offsets, lengths, msgspec.json.Decoder(_Event))
    facts_at = _reader(buf, offsets, lengths, msgspec.json.Decoder(_Facts))
    search = QuoteSearch(sources, MAX_SEARCH_CHARS)
    kinds: dict[tuple[str, str], MarkKind] = {}

    def make(k: int) -> Event:
        return _event(event_at(k), sources, search)

    def kind(date: str, end: str) -> MarkKind:
        if len(kinds) >= _DATES_KEPT:
            kinds.clear()
        k = kinds[date, end] = mark_kind(_span(date, end or UNSET))
        return k

    def facts(positions: Iterable[int]) -> Facts:
        es = list(map(facts_at, positions))
        cited = [[(c.source, c.quote) for c in e.citations] for e in es]
        got = [list(map(found, pairs)) for pairs in cited]
        return Facts(
            ids=[e.id for e in es],
            titles=[e.title for e in es],
            summaries=[e.summary for e in es],
            notes=[e.note for e in es],
            cited=cited,
            disputed_by=[bool(e.disputed_by) for e in es],
            warned=[not all(g) for g in got],
            uncited=[not any(g) for g in got],
            kinds=[kinds.get((e.date, e.end)) or kind(e.date, e.end) for e in es],
        )

    return EventStore(
        starts=columns["starts"],
        ends=columns["ends"],
        categories=columns["categories"],
        category_ids=list(categories),
        id_hashes=hashes,
        make=make,
        warned=warned,
        disputes=disputes,
        order=columns["order"],
        facts=facts,
        # Every event here cites a passage: with every passage found, none is uncited.
        uncited=0 if not warned else None,
        index_parts=index_parts,
    )


def _first_citing(events: Iterable[_Event], pair: tuple[str, str]) -> tuple[int, int]:
    """(event, citation) of the first citation of `pair` (source, quote)."""
    for k, e in enumerate(events):
        for j, c in enumerate(e.citations):
            if (c.source, c.quote) == pair:
                return k, j
    raise ValueError(pair)


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
