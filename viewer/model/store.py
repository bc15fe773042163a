"""The events of a timeline, kept as flat columns, with an Event object made only when asked for.

A timeline of a million events cannot afford a Python object per event, per date and per
citation (about 3 KB an event). `EventStore` keeps what drawing and finding need in `array`
columns (start, end, category, a hash of the id: 26 bytes an event) and makes an `Event` when one
is asked for, from a function it is given. The loader gives one that decodes the event's own
bytes in the file; a store of ready-made events (small timelines, tests) gives `tuple.__getitem__`.
The last few thousand events made are cached, since drawing asks for the same ones frame after
frame.

Events are in time order: by start, then end, then their order in the file.
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from viewer.model.aggregate import IndexParts
    from viewer.model.scene import MarkKind
    from viewer.model.timeline import Event

# Enough for every event a few screens of detail hold, with room for the panel and hit tests.
_CACHED_EVENTS = 8192


def time_order(starts: Sequence[float], ends: Sequence[float]) -> list[int] | None:
    """The positions in time order (start, then end, then position), or None if already so."""
    n = len(starts)
    s0, e0 = starts[0] if n else 0.0, ends[0] if n else 0.0
    for i in range(1, n):
        s, e = starts[i], ends[i]
        if s < s0 or (s == s0 and e < e0):
            break
        s0, e0 = s, e
    else:
        return None
    # Two stable sorts: by end, then by start, leave equal keys in file order.
    order = sorted(range(n), key=ends.__getitem__)
    order.sort(key=starts.__getitem__)
    return order


@dataclass
class Facts:
    """What search and the filters need of a run of events, as columns (one item an event),
    read without making the events."""

    ids: list[str]
    titles: list[str]
    summaries: list[str]
    notes: list[str]
    cited: list[list[tuple[str, str]]]  # (source id, quote) of each citation
    disputed_by: list[bool]  # names another event in `disputed_by`
    warned: list[bool]
    uncited: list[bool]  # no passage quoted was found verbatim (see Timeline.marked_uncited)
    kinds: list[MarkKind]


class EventStore(Sequence["Event"]):
    """Events in time order, as columns; `store[i]` makes (or recalls) event i.

    `starts` and `ends` are seconds since 1970; `categories[i]` is event i's category as a
    position in `category_ids`. `warned` is how many events carry a warning. `disputes` maps an
    id to the positions of the events whose `disputed_by` names it.

    `make(k)` makes the event at position k in the source; `order[i]`, if given, is the source
    position of event i (else they are the same). `id_hashes[k]` is hash() of the id of the
    event at source position k, for finding it by id.

    `index_parts`, when given, are the EventIndex's for these columns, kept from an earlier
    reading of the same file (viewer.model.column_cache).

    `uncited`, when the maker knows it, is how many events cite no passage found in a source
    (Timeline.marked_uncited), so that counting them need not make every event; None if not
    known.
    """

    def __init__(
        self,
        *,
        starts: array,
        ends: array,
        categories: array,
        category_ids: Sequence[str],
        id_hashes: array,
        make: Callable[[int], Event],
        warned: int,
        disputes: dict[str, tuple[int, ...]],
        order: array | None = None,
        facts: Callable[[Sequence[int]], Facts] | None = None,
        uncited: int | None = None,
        index_parts: IndexParts | None = None,
    ) -> None:
        n = len(starts)
        if not (len(ends) == len(categories) == len(id_hashes) == n):
            raise ValueError("the columns differ in length")
        self.starts = starts
        self.ends = ends
        self.categories = categories
        self.category_ids = tuple(category_ids)
        self.id_hashes = id_hashes
        self.warned = warned
        self.uncited = uncited
        self.index_parts = index_parts  # the event index's, when kept from an earlier reading
        self._disputes = disputes
        self._order = order
        self._facts = facts
        if order is not None:
            if len(order) != n:
                raise ValueError("the order differs in length from the columns")
            self._make = functools.lru_cache(maxsize=_CACHED_EVENTS)(lambda i: make(order[i]))
        else:
            self._make = functools.lru_cache(maxsize=_CACHED_EVENTS)(make)

    @classmethod
    def of(cls, events: Iterable[Event], category_ids: Sequence[str]) -> EventStore:
        """A store of ready-made events, put in time order. Every event's category must be in
        `category_ids`."""
        given = tuple(events)
        starts = array("d", (e.start for e in given))
        ends = array("d", (e.end for e in given))
        order = time_order(starts, ends)
        if order is not None:
            given = tuple(given[i] for i in order)
            starts = array("d", (starts[i] for i in order))
            ends = array("d", (ends[i] for i in order))
        position = {c: k for k, c in enumerate(category_ids)}
        disputes: dict[str, list[int]] = {}
        for i, e in enumerate(given):
            for other in e.disputed_by:
                disputes.setdefault(other, []).append(i)
        return cls(
            starts=starts,
            ends=ends,
            categories=array("H", (position[e.category] for e in given)),
            category_ids=category_ids,
            id_hashes=array("q", (hash(e.id) for e in given)),
            make=given.__getitem__,
            warned=sum(1 for e in given if e.warnings),
            disputes={k: tuple(v) for k, v in disputes.items()},
        )

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, i: int) -> Event: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Event, ...]: ...
    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self._make(k) for k in range(*i.indices(len(self))))
        n = len(self.starts)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("event index out of range")
        return self._make(i)

    def __iter__(self) -> Iterator[Event]:
        return (self._make(i) for i in range(len(self.starts)))

    def __eq__(self, other: object) -> bool:
        """The same events in the same order (made one by one: meant for tests)."""
        if not isinstance(other, EventStore):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<EventStore of {len(self)} events>"

    def index_of(self, event_id: str) -> int:
        """Position of the event with this id; raises KeyError if there is none."""
        h = hash(event_id)
        hashes = self.id_hashes
        at = 0
        while True:
            try:
                at = hashes.index(h, at)
            except ValueError:
                raise KeyError(event_id) from None
            i = at if self._order is None else self._order.index(at)
            if self._make(i).id == event_id:
                return i
            at += 1  # another id with the same hash

    def facts(self, i0: int, i1: int) -> Facts | None:
        """The Facts of events i0 to i1 (in time order), if the store can read them faster than
        it makes events; else None."""
        if self._facts is None:
            return None
        if self._order is None:
            return self._facts(range(i0, i1))
        return self._facts(self._order[i0:i1])

    @functools.cached_property
    def category_bytes(self) -> bytes | None:
        """`categories` as one byte an event (for lookups done in C), or None past 256."""
        if len(self.category_ids) > 256:
            return None
        return bytes(iter(self.categories))  # not bytes(array): that copies its raw memory

    def disputed_ids(self) -> Collection[str]:
        """The ids that some event's `disputed_by` names."""
        return self._disputes.keys()

    def disputing(self, event_id: str) -> tuple[int, ...]:
        """Positions of the events whose `disputed_by` names `event_id`."""
        return self._disputes.get(event_id, ())
