"""Finding events by their words: case- and accent-insensitive, across every text an event has.

Matching works on folded text: Unicode compatibility decomposition (NFKD), combining marks
dropped, case folded, and every run of white space made one space. So "navalny" finds "Navalny",
"creme" and "crème" find each other, full-width letters find ASCII ones, and a phrase finds a
passage that breaks across lines.

`SearchIndex` folds each event's title, summary, note, quotes and the titles of the sources it
cites into one string an event (its fields separated by a character no folded text holds), and
each source's text once. A search is a substring test an event, run in C, and one a source
text; its cost does not grow with the number of matches, and it needs no database: the folded
texts are the index (see docs/performance.md).

`highlight_pattern()` turns a query into a regular expression over the *original* text, so the
panel can mark a match where it really is, whatever folding did to lengths.
"""

from __future__ import annotations

import bisect
import collections
import functools
import itertools
import re
import sys
import unicodedata
from array import array
from collections.abc import Callable
from dataclasses import dataclass, replace

from viewer.model.aggregate import EventIndex
from viewer.model.scene import MarkKind, mark_kind
from viewer.model.store import Facts
from viewer.model.timeline import Event, Timeline

_SEP = "\x00"  # between an event's fields: not white space, and no query holds it
_EVENT_SEP = "\x01"  # between events' texts while they are folded together
_CHUNK = 1024  # events read and folded at a time while indexing (about 10 ms)
_QUOTES_KEPT = 100_000  # distinct folded quotes remembered while indexing
# Combining marks of the scripts in use, dropped after decomposition (é -> e, й -> и).
_MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)


def fold(text: str) -> str:
    """`text` as search compares it: decomposed, without accents, case-folded, each run of
    white space one space, none at the ends."""
    if text.isascii():
        folded = text.lower()
    else:
        folded = _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()
    return " ".join(folded.split())  # split() in C: faster than a regular expression


def fold_query(query: str) -> str:
    """A query folded, with its ends trimmed: '' means no search. It never holds the field
    separator, so it cannot match across two fields."""
    return fold(query.replace(_SEP, " ")).strip()


@dataclass(frozen=True)
class SearchResult:
    """The events a query matches, in time order, and the sources whose full text matched (an
    event citing one of those matches through it, whether or not its own words match)."""

    query: str
    events: list[int]
    sources: frozenset[str] = frozenset()
    flags: bytes = b""  # one byte an event, 1 for a match ('' when not computed)
    # For each lane of the event index, the starts of its matching events: a cluster's count
    # of matches is then two binary searches (see with_lanes).
    lane_starts: tuple[array, ...] | None = None

    def flags_for(self, n: int) -> bytes:
        """The matches as one byte an event of a timeline of n events."""
        if len(self.flags) == n:
            return self.flags
        flags = bytearray(n)
        for i in self.events:
            flags[i] = 1
        return bytes(flags)

    def with_lanes(self, index: EventIndex) -> SearchResult:
        """The same result with `lane_starts` made for `index` (a pass over every lane's
        events, in C; done in the thread that searched)."""
        flags = self.flags_for(len(index.starts))
        lanes = tuple(
            array("d", itertools.compress(starts, kept))
            for starts, kept in zip(index.lane_starts, index.lane_flags(flags), strict=True)
        )
        return replace(self, flags=flags, lane_starts=lanes)

    def count_in_lane(self, lane: int, t_a: float, t_b: float) -> int:
        """How many matches of `lane` start in [t_a, t_b) (needs with_lanes)."""
        assert self.lane_starts is not None
        starts = self.lane_starts[lane]
        return bisect.bisect_left(starts, t_b) - bisect.bisect_left(starts, t_a)

    def within(self, shown: bytes) -> SearchResult:
        """The matches among the events `shown` keeps (one byte an event)."""
        n = len(shown)
        both = int.from_bytes(self.flags_for(n), "little") & int.from_bytes(shown, "little")
        flags = both.to_bytes(n, "little")
        return SearchResult(
            self.query, list(itertools.compress(range(n), flags)), self.sources, flags
        )

    def __len__(self) -> int:
        return len(self.events)

    def __contains__(self, index: object) -> bool:
        at = bisect.bisect_left(self.events, index)  # type: ignore[arg-type]
        return at < len(self.events) and self.events[at] == index

    def next_after(self, index: int | None, backwards: bool = False) -> int | None:
        """The match after (or before) event `index` in time order, wrapping round; the first
        (or last) when `index` is None."""
        if not self.events:
            return None
        if index is None:
            return self.events[-1 if backwards else 0]
        if backwards:
            at = bisect.bisect_left(self.events, index) - 1
            return self.events[at] if at >= 0 else self.events[-1]
        at = bisect.bisect_right(self.events, index)
        return self.events[at] if at < len(self.events) else self.events[0]


class SearchIndex:
    """The folded texts of one timeline. Building it reads every event once; `progress(done,
    total)` is called now and then, and `cancelled()` may stop it (it then raises
    InterruptedError)."""

    def __init__(
        self,
        timeline: Timeline,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        events = timeline.events
        n = len(events)
        # Folded once each: the sources' titles, and quotes (many events quote the same).
        titles = collections.defaultdict(
            str, {sid: fold(s.title) for sid, s in timeline.sources.items()}
        )
        quotes: dict[str, str] = {}
        texts: list[str] = []
        citing = {sid: bytearray(n) for sid in timeline.sources}
        kinds = bytearray(n)
        disputed = bytearray(n)
        warned = bytearray(n)
        uncited = bytearray(n)
        kind_codes = {kind: k for k, kind in enumerate(MarkKind)}
        disputes = events.disputed_ids()
        for i0 in range(0, n, _CHUNK):
            if cancelled is not None and cancelled():
                raise InterruptedError("search index cancelled")
            if progress is not None:
                progress(i0, n)
            i1 = min(n, i0 + _CHUNK)
            f = events.facts(i0, i1) or _facts_of(timeline, events[i0:i1])
            # Each source an event cites, once, in the order first cited.
            sids = [
                [pairs[0][0]] if len(pairs) == 1 else list(dict.fromkeys(s for s, _q in pairs))
                for pairs in f.cited
            ]
            own = _fold_each(
                [_SEP.join(fields) for fields in zip(f.titles, f.summaries, f.notes, strict=True)]
            )
            if len(quotes) > _QUOTES_KEPT:
                quotes.clear()
            for pairs in f.cited:
                for _sid, q in pairs:
                    if q not in quotes:
                        quotes[q] = fold(q)
            texts += [
                _SEP.join([mine, *[quotes[q] for _s, q in pairs], *[titles[s] for s in ids]])
                for mine, pairs, ids in zip(own, f.cited, sids, strict=True)
            ]
            kinds[i0:i1] = bytes(map(kind_codes.__getitem__, f.kinds))
            warned[i0:i1] = bytes(f.warned)
            uncited[i0:i1] = bytes(f.uncited)
            disputed[i0:i1] = bytes(
                [d or e in disputes for d, e in zip(f.disputed_by, f.ids, strict=True)]
            )
            for i, ids in enumerate(sids, i0):
                for sid in ids:
                    if sid in citing:
                        citing[sid][i] = 1
        self._n = n
        self._texts = texts
        # Facts the filters ask of every event, one byte an event.
        self.kinds = bytes(kinds)  # MarkKind by its position in the enum
        self.disputed = bytes(disputed)  # disputed by another event, or disputing one
        self.warned = bytes(warned)
        self.uncited = bytes(uncited)  # quotes no passage verbatim
        # Which events cite each source, as one big integer a source: a bitwise OR merges a
        # source's citing events into the matches in C, however many there are.
        self._citing = {sid: int.from_bytes(m, "little") for sid, m in citing.items()}
        self._sources = {sid: fold(s.text) for sid, s in timeline.sources.items()}
        if progress is not None:
            progress(n, n)

    def citing(self, source_id: str) -> int:
        """The events citing a source, as a bit mask (bit i for event i)."""
        return self._citing.get(source_id, 0)

    def search(self, query: str) -> SearchResult:
        """The events whose texts, or whose cited sources' texts, hold `query` (folded), in
        time order."""
        q = fold_query(query)
        if not q:
            return SearchResult(query, [])
        # One substring test an event, run by bytearray() in C: a word every event has costs
        # no more than a rare one.
        mask = int.from_bytes(bytearray(q in text for text in self._texts), "little")
        sources = frozenset(sid for sid, text in self._sources.items() if q in text)
        for sid in sources:
            mask |= self._citing.get(sid, 0)
        flags = mask.to_bytes(self._n, "little")
        return SearchResult(query, list(itertools.compress(range(self._n), flags)), sources, flags)


def _facts_of(timeline: Timeline, events: tuple[Event, ...]) -> Facts:
    return Facts(
        ids=[e.id for e in events],
        titles=[e.title for e in events],
        summaries=[e.summary for e in events],
        notes=[e.note for e in events],
        cited=[[(c.source_id, c.quote) for c in e.citations] for e in events],
        disputed_by=[bool(e.disputed_by) for e in events],
        warned=[bool(e.warnings) for e in events],
        uncited=list(map(timeline.marked_uncited, events)),
        kinds=[mark_kind(e.when) for e in events],
    )


def _fold_each(texts: list[str]) -> list[str]:
    """fold() of each text, folding them together as one string (one call into C for many
    short texts instead of several each)."""
    joined = _EVENT_SEP.join(texts)
    if joined.count(_EVENT_SEP) != len(texts) - 1:  # a text holds the separator itself
        return list(map(fold, texts))
    if joined.isascii():
        folded = joined.lower()
    else:
        folded = _MARKS.sub("", unicodedata.normalize("NFKD", joined)).casefold()
    # White space as fold() leaves it, within each text: runs made one space, none at the
    # ends (split() also splits at the separator's neighbours, never at the separator).
    return [" ".join(t.split()) for t in folded.split(_EVENT_SEP)]


@functools.cache
def _same_after_folding() -> dict[str, str]:
    """For each character that folds to one other character, that character: the reverse of
    fold over the Basic Multilingual Plane, grouped by what they fold to."""
    groups: dict[str, list[str]] = {}
    for code in range(0x20, min(sys.maxunicode, 0xFFFF) + 1):
        c = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        f = fold(c)
        if len(f) == 1 and f != c:
            groups.setdefault(f, []).append(c)
    return {f: "".join(cs) for f, cs in groups.items()}


def highlight_pattern(query: str) -> re.Pattern[str] | None:
    """A regular expression that finds `query` in original (unfolded) text as search would:
    each letter also matches the letters that fold to it, and white space any run of white
    space. None for an empty query."""
    q = fold_query(query)
    if not q:
        return None
    same = _same_after_folding()
    marks = "(?:" + _MARKS.pattern + ")*"  # a letter written decomposed (e + U+0301)
    out: list[str] = []
    for c in q:
        if c == " ":
            out.append(r"\s+")
            continue
        variants = c + same.get(c, "")
        if len(variants) > 1:
            out.append("[" + "".join(re.escape(v) for v in variants) + "]" + marks)
        else:
            out.append(re.escape(c) + marks)
    return re.compile("".join(out))
