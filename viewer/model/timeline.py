"""The timeline as data: sources, events and the citations that tie them together."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

from viewer.model.dates import DateSpan

# Okabe–Ito: a categorical palette that colour-blind readers can tell apart.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#8C6D31",
    "#000000",
)


@dataclass(frozen=True)
class Source:
    """A text that events cite. `text` is the whole file as read; it is untrusted."""

    id: str
    file: str
    title: str
    description: str
    text: str


@dataclass(frozen=True)
class Citation:
    """A passage quoted from a source. `span` is where it sits in the text, or None if absent."""

    source_id: str
    quote: str
    span: tuple[int, int] | None

    @property
    def found(self) -> bool:
        return self.span is not None


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    color: str


@dataclass(frozen=True)
class Event:
    """Something that happened, when, and the passages it rests on."""

    id: str
    title: str
    when: DateSpan
    category: str
    summary: str
    citations: tuple[Citation, ...]
    note: str = ""
    disputed_by: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def start(self) -> float:
        return self.when.start

    @property
    def end(self) -> float:
        return self.when.end


@dataclass(frozen=True)
class Timeline:
    """A loaded timeline. Events are sorted by start, then end, then id."""

    title: str
    description: str
    sources: dict[str, Source]
    categories: dict[str, Category]
    events: tuple[Event, ...]
    path: Path | None = None
    _starts: tuple[float, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.events, key=lambda e: (e.start, e.end, e.id)))
        object.__setattr__(self, "events", ordered)
        object.__setattr__(self, "_starts", tuple(e.start for e in ordered))

    @property
    def extent(self) -> tuple[float, float]:
        """The first instant any event covers and the first instant after the last one ends."""
        if not self.events:
            raise ValueError("an empty timeline has no extent")
        return self.events[0].start, max(e.end for e in self.events)

    def index_of(self, event_id: str) -> int:
        """Position of the event in time order; raises KeyError if there is no such event."""
        for i, e in enumerate(self.events):
            if e.id == event_id:
                return i
        raise KeyError(event_id)

    def event(self, event_id: str) -> Event:
        return self.events[self.index_of(event_id)]

    def first_starting_at_or_after(self, t: float) -> int:
        """Index of the first event whose start is >= t (len(events) if none)."""
        return bisect.bisect_left(self._starts, t)

    def disputes_of(self, event_id: str) -> tuple[Event, ...]:
        """Events that this one disputes: the reverse of `disputed_by`."""
        return tuple(e for e in self.events if event_id in e.disputed_by)

    def category_color(self, category: str) -> str:
        cat = self.categories.get(category)
        return cat.color if cat else PALETTE[-1]


def step(timeline: Timeline, current: int | None, move: str) -> int | None:
    """The index selected after `move` ('next', 'previous', 'first' or 'last') from `current`.

    With nothing selected, 'next' and 'first' go to the first event, 'previous' and 'last' to the
    last. The ends do not wrap.
    """
    n = len(timeline.events)
    if n == 0:
        return None
    if move == "first":
        return 0
    if move == "last":
        return n - 1
    if current is None:
        return 0 if move == "next" else n - 1
    if move == "next":
        return min(current + 1, n - 1)
    if move == "previous":
        return max(current - 1, 0)
    raise ValueError(f"unknown move {move!r}")
