"""The timeline as data: sources, events and the citations that tie them together."""

from __future__ import annotations

import bisect
import functools
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from viewer.model.aggregate import EventIndex
from viewer.model.dates import DateSpan, PartialDate
from viewer.model.store import EventStore

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
    """A text that events cite. `text` is the whole file as read; it is untrusted.

    `url` is where the text came from, as the file gives it ('' if none): any scheme is kept,
    and the panel decides what may be opened.
    """

    id: str
    file: str
    title: str
    description: str
    text: str
    url: str = ""
    # Who published it, who wrote it and when, where the file says ('' and None if not).
    outlet: str = ""
    author: str = ""
    published: PartialDate | None = None


@dataclass(frozen=True)
class Citation:
    """A passage quoted from a source. `span` is where it sits in the text, or None if absent."""

    source_id: str
    quote: str
    span: tuple[int, int] | None

    @property
    def found(self) -> bool:
        return self.span is not None


def locate(
    sources: dict[str, Source],
    j: int,
    source_id: str,
    quote: str,
    search: QuoteSearch | None = None,
) -> tuple[Citation, str | None]:
    """Citation j (0-based) of an event, with its span in the source, and a warning or None.

    With `search`, the place is the one it found (searched once, remembered)."""
    if search is not None:
        at = search.find(source_id, quote)
    else:
        at = sources[source_id].text.find(quote)
    if at < 0:
        warning = f"Quote {j + 1} is not found in the text of source {source_id!r}."
        return Citation(source_id, quote, None), warning
    return Citation(source_id, quote, (at, at + len(quote))), None


class SearchTooLong(Exception):
    """The quotes need more of the sources searched than the budget allows."""


class QuoteSearch:
    """Finds quotes in their sources: each distinct (source, quote) once, remembered, within a
    budget of characters searched in all.

    A quote missing from a source costs a pass over the whole text (55 ms over 32 MiB), so a
    file could otherwise make a load take as long as it likes. Past the budget, `find` raises
    SearchTooLong rather than search further.
    """

    def __init__(self, sources: dict[str, Source], budget: int) -> None:
        self.sources = sources
        self.left = budget
        self._at: dict[tuple[str, str], int] = {}

    def find(self, source_id: str, quote: str) -> int:
        """Where `quote` first occurs in the source's text, or -1 if nowhere."""
        key = (source_id, quote)
        at = self._at.get(key)
        if at is not None:
            return at
        text = self.sources[source_id].text
        # Search no further than the budget reaches: a quote found there is found all the same.
        end = min(len(text), max(self.left, 0) + len(quote))
        at = text.find(quote, 0, end)
        if at < 0 and end < len(text):
            raise SearchTooLong
        self.left -= end if at < 0 else at + len(quote)
        self._at[key] = at
        return at

    def found(self, source_id: str, quote: str) -> bool:
        return self.find(source_id, quote) >= 0


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

    @property
    def uncited(self) -> bool:
        """Whether the event quotes no passage found in a source: it must never be shown as
        sourced (imported events, and events whose every quote is missing from its source)."""
        return not any(c.found for c in self.citations)


@dataclass(frozen=True)
class Timeline:
    """A loaded timeline. `events` is in time order: by start, then end, then file order.

    Given a plain sequence of events, the timeline puts them in order in an EventStore (adding
    any category the events use that `categories` lacks); the loader gives a store of its own.

    `imported` names the format an importer read (viewer.model.importers), '' for our own
    format. Only an imported timeline may hold events that cite nothing and sources with no
    file (link-only: a URL and no local text); our own files' checks are the loader's.
    """

    title: str
    description: str
    sources: dict[str, Source]
    categories: dict[str, Category]
    events: EventStore
    path: Path | None = None
    imported: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.events, EventStore):
            events = tuple(self.events)
            for e in events:
                if e.category not in self.categories:
                    color = PALETTE[len(self.categories) % len(PALETTE)]
                    self.categories[e.category] = Category(e.category, e.category, color)
            object.__setattr__(self, "events", EventStore.of(events, list(self.categories)))

    @property
    def extent(self) -> tuple[float, float]:
        """The first instant any event covers and the first instant after the last one ends."""
        if not self.events:
            raise ValueError("an empty timeline has no extent")
        return self.events.starts[0], max(self.events.ends)

    @property
    def warned(self) -> int:
        """How many events carry a warning (such as a quote not found in its source)."""
        return self.events.warned

    def index_of(self, event_id: str) -> int:
        """Position of the event in time order; raises KeyError if there is no such event."""
        return self.events.index_of(event_id)

    def event(self, event_id: str) -> Event:
        return self.events[self.index_of(event_id)]

    def first_starting_at_or_after(self, t: float) -> int:
        """Index of the first event whose start is >= t (len(events) if none)."""
        return bisect.bisect_left(self.events.starts, t)

    def disputes_of(self, event_id: str) -> tuple[Event, ...]:
        """Events that this one disputes: the reverse of `disputed_by`."""
        return tuple(self.events[i] for i in self.events.disputing(event_id))

    @functools.cached_property
    def lanes(self) -> tuple[tuple[str, ...], Sequence[int]]:
        """The categories in use, in the order the file lists them (one lane each), and each
        event's lane."""
        events = self.events
        used = set(events.categories)
        positions = [k for k in range(len(events.category_ids)) if k in used]
        lane_ids = tuple(events.category_ids[k] for k in positions)
        if positions == list(range(len(positions))):
            return lane_ids, events.categories
        lane_at = dict(zip(positions, range(len(positions)), strict=True))  # close the gaps
        return lane_ids, array("I", map(lane_at.__getitem__, events.categories))

    @functools.cached_property
    def index(self) -> EventIndex:
        """The events' times by lane, for finding and counting what is in view. Made once (the
        loader makes it in its thread, so that the window does not wait for it)."""
        events = self.events
        # Parts kept from an earlier reading are used once: the index copies what it keeps.
        parts, events.index_parts = events.index_parts, None
        return EventIndex(events.starts, events.ends, self.lanes[1], parts)

    def marked_uncited(self, event: Event) -> bool:
        """Whether `event` is drawn and shown as uncited ("No source quoted"): no passage it
        cites was found verbatim in its source (or it cites nothing). One rule for every
        timeline, imported or ours: an event with no verbatim quote is never shown as sourced."""
        return not event.citations or event.uncited

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
