"""Which events are shown: by category, source, precision, date range, disputed and warnings.

A filter is a frozen value; `shown_mask` turns it into a mask over the timeline's events from
columns, so a change costs a few passes in C over a million events rather than a Python loop. A
mask is an integer holding one byte an event (byte i is 1 when event i is shown), the form the
search index uses too: `&` and `|` combine masks in C, and `to_bytes` gives the flags back.
The facts it needs that the timeline's columns lack (each event's mark kind,
whether it is disputed or warned, which sources it cites) come from the search index, which reads
every event once.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from viewer.model.dates import PartialDate, date_from_seconds
from viewer.model.scene import MarkKind
from viewer.model.search import SearchIndex
from viewer.model.text import isolate
from viewer.model.timeline import Timeline

KIND_NAMES = {
    MarkKind.DAY: "known to the day or finer",
    MarkKind.MONTH: "known only to the month",
    MarkKind.YEAR: "known only to the year",
    MarkKind.RANGE: "ranges",
}


@dataclass(frozen=True)
class Filters:
    """What to hide. The default hides nothing.

    `sources`, when set, keeps the events citing at least one of them; `kinds`, when set, the
    events drawn with one of those marks; `start`/`end` (seconds) keep the events that overlap
    that time.
    """

    hidden_categories: frozenset[str] = frozenset()
    sources: frozenset[str] | None = None
    kinds: frozenset[MarkKind] | None = None
    start: float | None = None
    end: float | None = None
    disputed_only: bool = False
    warnings_only: bool = False
    uncited_only: bool = False

    @property
    def active(self) -> int:
        """How many filters are on."""
        return sum(
            (
                bool(self.hidden_categories),
                self.sources is not None,
                self.kinds is not None,
                self.start is not None or self.end is not None,
                self.disputed_only,
                self.warnings_only,
                self.uncited_only,
            )
        )

    def describe(self, timeline: Timeline) -> list[str]:
        """Each filter on, in words: "Background hidden", "disputed only" (names from the file
        isolated, as they are untrusted)."""
        words = []
        for cid in sorted(self.hidden_categories):
            cat = timeline.categories.get(cid)
            words.append(f"{isolate(cat.label if cat else cid)} hidden")
        if self.sources is not None:
            titles = [
                timeline.sources[s].title for s in sorted(self.sources) if s in timeline.sources
            ]
            words.append("citing " + (", ".join(titles) if titles else "no source"))
        if self.kinds is not None:
            names = [KIND_NAMES[k] for k in MarkKind if k in self.kinds]
            words.append("only " + (", ".join(names) if names else "no precision"))
        if self.start is not None or self.end is not None:
            a = "…" if self.start is None else _day(self.start)
            b = "…" if self.end is None else _day(self.end - 1)
            words.append(f"dates {a} to {b}")
        if self.disputed_only:
            words.append("disputed only")
        if self.warnings_only:
            words.append("with warnings only")
        if self.uncited_only:
            words.append("uncited only")
        return words

    def toggled_category(self, category: str) -> Filters:
        """The same filters with `category` hidden if it was shown, shown if it was hidden."""
        hidden = set(self.hidden_categories)
        hidden.symmetric_difference_update({category})
        return replace(self, hidden_categories=frozenset(hidden))


NO_FILTERS = Filters()


def shown_mask(timeline: Timeline, facts: SearchIndex | None, filters: Filters) -> int | None:
    """The events `filters` keep, as a mask (byte i is 1 when event i is kept); None when
    nothing is filtered. Filters other than categories and dates need `facts`."""
    if not filters.active:
        return None
    events = timeline.events
    n = len(events)
    mask = ones(n)
    if filters.hidden_categories:
        ids = events.category_ids
        shown = {k for k, c in enumerate(ids) if c not in filters.hidden_categories}
        codes = events.category_bytes
        if codes is not None:  # a lookup table applied in C
            mask &= _mask(codes.translate(_table(shown)))
        else:
            mask &= _mask(map(shown.__contains__, events.categories))
    if filters.start is not None or filters.end is not None:
        # Events are in order of start: those starting before the end are a prefix.
        hi = n if filters.end is None else bisect.bisect_left(events.starts, filters.end)
        mask &= ones(hi)
        if filters.start is not None:
            # Those starting after it are kept: only the earlier ones' ends are read.
            lo = bisect.bisect_right(events.starts, filters.start)
            mask &= _mask(map(filters.start.__lt__, events.ends[:lo])) | (ones(n) ^ ones(lo))
    if facts is None:
        if filters.active > bool(filters.hidden_categories) + (
            filters.start is not None or filters.end is not None
        ):
            raise ValueError("these filters need the search index's facts")
        return mask
    if filters.sources is not None:
        citing = 0
        for sid in filters.sources:
            citing |= facts.citing(sid)
        mask &= citing
    if filters.kinds is not None:
        codes = {k for k, kind in enumerate(MarkKind) if kind in filters.kinds}
        mask &= _mask(facts.kinds.translate(_table(codes)))
    if filters.disputed_only:
        mask &= int.from_bytes(facts.disputed, "little")
    if filters.warnings_only:
        mask &= int.from_bytes(facts.warned, "little")
    if filters.uncited_only:
        mask &= int.from_bytes(facts.uncited, "little")
    return mask


def _day(t: float) -> str:
    d = date_from_seconds(t)
    return PartialDate(d.year, d.month, d.day).label()


def ones(n: int) -> int:
    """The mask of the first n events."""
    return int.from_bytes(b"\x01" * n, "little")


def _table(kept: set[int]) -> bytes:
    """A bytes.translate table that makes each byte in `kept` 1 and every other byte 0."""
    return bytes(k in kept for k in range(256))


def _mask(flags) -> int:
    """A mask from an iterable of truth values, one an event."""
    return int.from_bytes(bytearray(flags), "little")


def mask_flags(mask: int, n: int) -> bytes:
    """The mask as n bytes, 1 for a kept event and 0 for a hidden one."""
    return mask.to_bytes(n, "little")
