"""Exporting a timeline as TimelineJS 3 JSON (https://timeline.knightlab.com/docs/json-format.html).

Each event becomes a slide: its title the headline; its summary, each quote in a
`<blockquote>` with its source's title, and its note the text; its category's label the group;
its first cited source with a web address the media. Dates give only the fields their
precision has (a month has no `day`), with our label as `display_date`. All text from the
timeline is untrusted: it is HTML-escaped, and the only links made are `href`s to http(s)
addresses with a host. Plain Python, no Qt.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit

from viewer.model.dates import PartialDate, UncertainDate, When
from viewer.model.timeline import Event, Timeline

# JavaScript's Date reaches 271,821 BC to AD 275,760; past that TimelineJS needs its
# "cosmological" scale (years only).
HUMAN_YEARS = (-271_820, 275_759)

# Spaces, controls and bidi marks could hide or break an address; quotes and angle brackets
# have no place in a well-formed one and would matter to a page that pastes it into HTML.
_CONTROLS = re.compile("[\x00-\x20\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\"'<>`\\\\]")
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")


def web_address(text: str) -> str | None:
    """`text` if it is an http or https address with a host and nothing that could hide or
    break it (spaces, control or bidi characters); else None."""
    text = text.strip()
    if not text or _CONTROLS.search(text):
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return text


def _date_fields(date: PartialDate, label: str) -> dict:
    """A TimelineJS date object with the fields `date`'s precision has. An instant is given
    in UTC (TimelineJS has no offsets); a local time as written."""
    if date.offset is not None:
        date = date.in_utc()
    fields: dict = {"year": date.year}
    for name in ("month", "day", "hour", "minute", "second"):
        value = getattr(date, name)
        if value is None:
            break
        fields[name] = value
    if date.places:
        fields["millisecond"] = date.microsecond // 1000
    fields["display_date"] = label
    return fields


def _ends(when: When) -> tuple[PartialDate, PartialDate]:
    if isinstance(when, UncertainDate):
        return when.earliest, when.latest
    return when, when


def _slide_dates(event: Event) -> dict:
    """start_date, end_date (for a range, or a `between` window) and display_date."""
    span = event.when
    first, last = _ends(span.begin)
    out: dict = {"start_date": _date_fields(first, span.begin.label())}
    if span.until is not None:
        out["end_date"] = _date_fields(_ends(span.until)[1], span.until.label())
    elif last != first:
        out["end_date"] = _date_fields(last, span.begin.label())
    if span.is_uncertain:
        out["display_date"] = span.label()
    return out


def _cited_title(title: str, url: str) -> str:
    shown = html.escape(title)
    link = web_address(url)
    if link is None:
        return shown
    return f'<a href="{html.escape(link, quote=True)}">{shown}</a>'


def slide_text(event: Event, timeline: Timeline) -> str:
    """The slide's HTML: the summary, each quote in a blockquote with its source, the note."""
    parts = []
    if event.summary:
        parts.append(f"<p>{html.escape(event.summary)}</p>")
    for c in event.citations:
        source = timeline.sources.get(c.source_id)
        title = source.title if source else c.source_id
        cite = _cited_title(title, source.url if source else "")
        parts.append(f"<blockquote>{html.escape(c.quote)}<br>— {cite}</blockquote>")
    if event.note:
        parts.append(f"<p><em>Note:</em> {html.escape(event.note)}</p>")
    return "".join(parts)


def _media(event: Event, timeline: Timeline) -> dict | None:
    for c in event.citations:
        source = timeline.sources.get(c.source_id)
        if source is not None and web_address(source.url):
            return {"url": web_address(source.url), "credit": html.escape(source.title)}
    return None


def timelinejs_document(timeline: Timeline) -> dict:
    """`timeline` as a TimelineJS 3 document: a title slide and one slide per event, in time
    order; `scale` is "cosmological" when a year is beyond what JavaScript dates reach."""
    events = []
    outside = False
    for event in timeline.events:
        slide: dict = _slide_dates(event)
        for key in ("start_date", "end_date"):
            if key in slide:
                year = slide[key]["year"]
                outside = outside or not HUMAN_YEARS[0] <= year <= HUMAN_YEARS[1]
        slide["text"] = {
            "headline": html.escape(event.title),
            "text": slide_text(event, timeline),
        }
        category = timeline.categories.get(event.category)
        slide["group"] = html.escape(category.label if category else event.category)
        media = _media(event, timeline)
        if media is not None:
            slide["media"] = media
        if _PLAIN_ID.fullmatch(event.id):  # it becomes a page address's #fragment
            slide["unique_id"] = event.id
        # Only our own <a href> are links: a web address inside a quote stays text.
        slide["autolink"] = False
        events.append(slide)
    title_text = f"<p>{html.escape(timeline.description)}</p>" if timeline.description else ""
    doc: dict = {
        "title": {"text": {"headline": html.escape(timeline.title), "text": title_text}},
        "events": events,
    }
    if outside:
        doc["scale"] = "cosmological"
    return doc


def timelinejs_bytes(timeline: Timeline) -> bytes:
    """The TimelineJS file's bytes: UTF-8 JSON, indented."""
    text = json.dumps(timelinejs_document(timeline), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")
