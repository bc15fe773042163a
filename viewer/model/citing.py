"""Citations as a writer pastes them, and the shown events as CSV and Markdown notes.

Every text here is the file's, quoted whole: a quote is never the elided text a list shows. The
date is the event's at its own precision ("Apr 2021", "22 Apr 2022").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from viewer.model.timeline import Citation, Event, Timeline

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_escape(text: str) -> str:
    """Plain text made literal in Markdown: special characters escaped, line breaks kept as
    spaces (a quote stays one paragraph), so a pasted title cannot become a link or a heading."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def citation_plain(timeline: Timeline, event: Event, citation: Citation) -> str:
    """'"quote" — Source title, URL (event title, date)' as plain text, the quote whole."""
    source = timeline.sources.get(citation.source_id)
    title = source.title if source else citation.source_id
    url = f", {source.url}" if source and source.url else ""
    return f"“{citation.quote}” — {title}{url} ({event.title}, {event.when.label()})"


def citation_markdown(timeline: Timeline, event: Event, citation: Citation) -> str:
    """The citation as a Markdown block quote with its source (linked if it has a URL)."""
    source = timeline.sources.get(citation.source_id)
    title = md_escape(source.title if source else citation.source_id)
    if source and source.url and _safe_url(source.url):
        title = f"[{title}](<{source.url}>)"
    quote = "\n".join(f"> {md_escape(line)}" for line in citation.quote.splitlines() or [""])
    return f"{quote}\n\n— {title} ({md_escape(event.title)}, {md_escape(event.when.label())})"


def event_plain(timeline: Timeline, event: Event) -> str:
    """All of an event's citations, plain, one paragraph each (or a line saying there are
    none quoted)."""
    head = f"{event.title} ({event.when.label()})"
    cited = [citation_plain(timeline, event, c) for c in event.citations if c.found]
    if not cited:
        return f"{head}: no source quoted"
    return "\n\n".join([head, *cited])


def event_markdown(timeline: Timeline, event: Event) -> str:
    head = f"**{md_escape(event.title)}** ({md_escape(event.when.label())})"
    cited = [citation_markdown(timeline, event, c) for c in event.citations if c.found]
    if not cited:
        return f"{head}: no source quoted"
    return "\n\n".join([head, *cited])


def _safe_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://")) and not any(
        c in url for c in "<> \n\r\t"
    )


CSV_COLUMNS = (
    "date",
    "title",
    "category",
    "summary",
    "note",
    "disputed_by",
    "source",
    "source_url",
    "quote",
    "quote_found",
)


def events_csv(timeline: Timeline, indices: Iterable[int]) -> str:
    """One row a citation (an event with none gets one row), in the order given. A cell that
    a spreadsheet would run as a formula starts with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for i in indices:
        e = timeline.events[i]
        cat = timeline.categories.get(e.category)
        base = [
            e.when.label(),
            e.title,
            cat.label if cat else e.category,
            e.summary,
            e.note,
            "; ".join(e.disputed_by),
        ]
        rows = []
        for c in e.citations:
            s = timeline.sources.get(c.source_id)
            rows.append(
                [
                    s.title if s else c.source_id,
                    s.url if s else "",
                    c.quote,
                    "yes" if c.found else "no",
                ]
            )
        for row in rows or [["", "", "", ""]]:
            writer.writerow([_cell(v) for v in base + row])
    return out.getvalue()


def _cell(value: str) -> str:
    # =, +, -, @ (and tab/CR) at the start make spreadsheets evaluate a cell: a file's text
    # must never run as a formula on the fact-checker's machine.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def events_markdown(timeline: Timeline, indices: Iterable[int], note: str = "") -> str:
    """The events as Markdown notes: a heading, then each event with its quotes."""
    parts = [f"# {md_escape(timeline.title)}"]
    if note:
        parts.append(f"_{md_escape(note)}_")
    for i in indices:
        e = timeline.events[i]
        parts.append(f"## {md_escape(e.when.label())}: {md_escape(e.title)}")
        if e.summary:
            parts.append(md_escape(e.summary))
        cited = [citation_markdown(timeline, e, c) for c in e.citations if c.found]
        parts.extend(cited or ["_No source quoted._"])
    return "\n\n".join(parts) + "\n"
