"""The Timeline Project's XML files (`.timeline`): events with `start` and `end` written
`YYYY-MM-DD HH:MM:SS`, a `fuzzy` flag, a category, a description and a hyperlink; categories
with an `R,G,B` colour; eras.

The XML is untrusted: a DOCTYPE or ENTITY declaration is refused before parsing, so no
external entity is read and no entity expands (the Timeline Project never writes either).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from viewer.model.dates import DateError, PartialDate, UncertainDate, When
from viewer.model.importers.common import Builder, plain_text
from viewer.model.loader import TimelineError, _Progress
from viewer.model.timeline import Timeline

_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_WHEN = re.compile(
    r"\s*(-?)([0-9]{1,9})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?\s*"
)
_UNCATEGORIZED = "Uncategorized"


def refuse_declarations(path: Path, text: str) -> None:
    """Refuse XML that declares a DOCTYPE or an entity, naming its line."""
    m = _DECLARATION.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise TimelineError(
            path,
            f"line {line}",
            f"has a {m.group(1).upper()} declaration; refused, since entities could read "
            "other files or expand without end",
        )


def parse_xml(path: Path, text: str) -> ET.Element:
    """The root element of safe XML (see refuse_declarations); a syntax error names its line."""
    refuse_declarations(path, text)
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        raise TimelineError(
            path, f"line {line} column {column + 1}", f"not valid XML ({reason})"
        ) from None


def date_of(text: str) -> PartialDate:
    """`2012-07-04 13:20:00` as a local time: to the day when the time is midnight (how the
    Timeline Project stores whole days), else to the minute, or the second if it is not 0."""
    m = _WHEN.fullmatch(text or "")
    if not m:
        raise DateError(f"{(text or '')[:40]!r} is not a date and time (YYYY-MM-DD HH:MM:SS)")
    sign, year, month, day, hour, minute, second = m.groups()
    y = -int(year) if sign else int(year)
    if hour is None or (int(hour), int(minute), int(second or 0)) == (0, 0, 0):
        return PartialDate(y, int(month), int(day))
    sec = int(second) if second and int(second) else None
    return PartialDate(y, int(month), int(day), int(hour), int(minute), sec)


def _color(text: str | None) -> str | None:
    parts = (text or "").split(",")
    if len(parts) != 3 or not all(p.strip().isdigit() and int(p) <= 255 for p in parts):
        return None
    return "#" + "".join(f"{int(p):02X}" for p in parts)


def _text(el: ET.Element, tag: str) -> str:
    child = el.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _span(b: Builder, where: str, el: ET.Element) -> tuple[When, When | None]:
    try:
        start = date_of(_text(el, "start"))
        end_text = _text(el, "end")
        end = date_of(end_text) if end_text else None
    except DateError as exc:
        raise TimelineError(b.path, where, str(exc)) from None
    begin: When = start
    until: When | None = end if end is not None and end != start else None
    if _text(el, "fuzzy") == "True":
        begin = UncertainDate(start, start, circa=True)
        if until is not None:
            until = UncertainDate(until, until, circa=True)  # type: ignore[arg-type]
    return begin, until


def import_xml(path: Path, text: str, steps: _Progress) -> Timeline:
    """A Timeline Project file as a timeline (see docs/import.md)."""
    root = parse_xml(path, text)
    if root.tag != "timeline":
        raise TimelineError(path, "line 1", f"is XML with a <{root.tag[:40]}> root, not a timeline")
    b = Builder(path, "Timeline Project XML", title=path.stem)
    steps.at(300)
    for cat in root.iter("category"):
        name = _text(cat, "name")
        if name:
            b.category(name, _color(_text(cat, "color")))
    for k, era in enumerate(root.findall("./eras/era")):
        where = f"era {k + 1}"
        begin, until = _span(b, where, era)
        name = _text(era, "name") or f"Era {k + 1}"
        b.add(where, name, begin, until, b.category(f"Era: {name}", _color(_text(era, "color"))))
    events = root.findall("./events/event")
    for k, ev in enumerate(events):
        if k % 4096 == 0:
            b.rows_progress(steps, k, len(events))
        where = f"event {k + 1}"
        begin, until = _span(b, where, ev)
        title, links = plain_text(_text(ev, "text"))
        summary, more = plain_text(_text(ev, "description"))
        hyperlink = _text(ev, "hyperlink")
        cited = [s for s in (b.link(u) for u in [hyperlink, *links, *more]) if s]
        notes = [
            f"{label}: {value}"
            for label, value in (("Progress", _text(ev, "progress")), ("Alert", _text(ev, "alert")))
            if value
        ]
        if _text(ev, "milestone") == "True":
            notes.append("Milestone")
        category = _text(ev, "category") or _UNCATEGORIZED
        b.add(
            where,
            title,
            begin,
            until,
            b.category(category),
            summary=summary,
            note="\n".join(notes),
            links=cited,
        )
    return b.build(steps)
