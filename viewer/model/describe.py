"""Events in words, for those who cannot see the picture: the name a screen reader gives an event
on the canvas, and the text alternative of an exported image (its alt text, the SVG's <desc>,
the PDF's subject).

Titles come from files and are untrusted: their line breaks and control characters become
spaces, so that one event stays one line, and a title is never read as markup by anything here.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence

from viewer.model.timeline import Event, Timeline

# Control characters (C0, DEL, C1) and every line or paragraph separator.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
TITLE_CHARS = 300  # a title longer than this is cut, with an ellipsis


def one_line(text: str, limit: int = TITLE_CHARS) -> str:
    """`text` on one line: control characters and line breaks become spaces, runs of spaces
    one, and past `limit` characters it is cut with an ellipsis."""
    text = _SPACES.sub(" ", _CONTROLS.sub(" ", text)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def category_label(timeline: Timeline, event: Event) -> str:
    cat = timeline.categories.get(event.category)
    return one_line(cat.label if cat is not None else event.category)


def event_name(timeline: Timeline, event: Event, zone: _dt.tzinfo | None = None) -> str:
    """What an event is called when read aloud: its title, its date at its own precision, its
    category, and whether it is disputed or uncited: `Reuters report, 22 Apr 2022, Press
    reports, disputed`."""
    parts = [one_line(event.title), event.when.label(zone), category_label(timeline, event)]
    if event.disputed_by:
        parts.append("disputed")
    if timeline.marked_uncited(event):
        parts.append("uncited")
    return ", ".join(parts)


def summary_line(timeline: Timeline, shown: Sequence[int], zone: _dt.tzinfo | None = None) -> str:
    """One sentence saying what a picture of the events `shown` (indices in time order) is."""
    title = one_line(timeline.title) or "A timeline"
    events = timeline.events
    if not shown:
        return f"{title}: a timeline with no events in the part shown."
    first = events[shown[0]].when.label(zone)
    last = max((events[i] for i in shown), key=lambda e: e.end).when.label(zone)
    span = first if first == last else f"{first} to {last}"
    count = len(shown)
    noun = "event" if count == 1 else "events"
    return f"{title}: a timeline of {count:,} {noun}, {span}."


def alt_text(
    timeline: Timeline,
    shown: Sequence[int],
    *,
    zone: _dt.tzinfo | None = None,
    note: str = "",
) -> str:
    """A plain-text description of a picture showing the events `shown` (indices in time order),
    for an article's alt attribute: what the picture is, then each event in time order with
    its date at its precision and its category, and `note` (what filters left out).

    Ends with a newline; every line is plain text."""
    events = timeline.events
    lines = [summary_line(timeline, shown, zone)]
    description = one_line(timeline.description, 1_000)
    if description:
        lines.append(description)
    if note:
        lines.append(one_line(note, 1_000))
    if shown:
        lines.append("In time order:")
        lines.extend(f"- {event_line(timeline, events[i], zone)}" for i in shown)
    return "\n".join(lines) + "\n"


def event_line(timeline: Timeline, event: Event, zone: _dt.tzinfo | None = None) -> str:
    """One event for the alt text: `22 Apr 2022: Reuters report (Press reports, disputed)`."""
    tags = [category_label(timeline, event)]
    if event.disputed_by:
        tags.append("disputed")
    if timeline.marked_uncited(event):
        tags.append("uncited")
    return f"{event.when.label(zone)}: {one_line(event.title)} ({', '.join(tags)})"


def events_in_span(
    starts: Sequence[float], ends: Sequence[float], kept: Sequence[int], t0: float, t1: float
) -> list[int]:
    """The events of `kept` (indices in time order) that cover some of [t0, t1]."""
    return [i for i in kept if starts[i] <= t1 and ends[i] >= t0]
