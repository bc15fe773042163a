"""TimelineJS: its JSON (version 3, and the older `{"timeline": {"date": [...]}}` form) and its
Google Sheets template saved as CSV.

Dates give exactly the precision present (year, month, day, hour, minute, second,
millisecond) and are local times: TimelineJS shows them as written, in no zone. Years are
astronomical (JavaScript's), so -499 is 500 BC. Headlines become titles, HTML becomes plain
text, groups become categories, and media, credits and links become link-only sources.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from viewer.model.dates import DateError, PartialDate, When
from viewer.model.importers.common import (
    Builder,
    check_width,
    csv_table,
    header_of,
    plain_text,
)
from viewer.model.loader import TimelineError, _Progress
from viewer.model.timeline import Timeline

_UNGROUPED = "Events"
_FIELDS = ("year", "month", "day", "hour", "minute", "second", "millisecond")
_TIME = re.compile(
    r"([0-9]{1,2})(?::([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,3}))?)?)?\s*([AaPp][Mm])?"
)


def _number(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if not text:
        return None
    if not re.fullmatch(r"[+-]?[0-9]{1,12}", text):
        raise DateError(f"{text[:40]!r} is not a number")
    return int(text)


def date_of(parts: dict[str, Any]) -> PartialDate | None:
    """A TimelineJS date object ({year, month, day, hour, minute, second, millisecond}) at
    the precision it gives; None without a year. A field given after a missing one is ignored
    (a time without a day says no more than the day does)."""
    values = [_number(parts.get(name)) for name in _FIELDS]
    if values[0] is None:
        return None
    kept: list[int] = []
    for v in values:
        if v is None:
            break
        kept.append(v)
    year, month, day, hour, minute, second, ms = kept + [None] * (7 - len(kept))  # type: ignore[list-item]
    return PartialDate(
        year,
        month,
        day,
        hour,
        minute,
        second,
        (ms or 0) * 1000,
        3 if ms is not None else 0,
    )


def _when(b: Builder, where: str, parts: Any) -> When | None:
    if not isinstance(parts, dict):
        return None
    try:
        return date_of(parts)
    except DateError as exc:
        raise TimelineError(b.path, where, str(exc)) from None


def _text_of(value: Any) -> tuple[str, list[str]]:
    return plain_text(value) if isinstance(value, str) else ("", [])


def _add_slide(
    b: Builder,
    where: str,
    slide: dict,
    category: str | None,
    dates: tuple[When, When | None] | None = None,
) -> None:
    """One slide as an event in `category` (None: its group's); `dates`, if given, already
    read (the older form writes them otherwise)."""
    if dates is None:
        begin = _when(b, f"{where}.start_date", slide.get("start_date"))
        if begin is None:
            b.left_out.append(f"{where} (no start date)")
            return
        until = _when(b, f"{where}.end_date", slide.get("end_date"))
    else:
        begin, until = dates
    text = slide.get("text") if isinstance(slide.get("text"), dict) else {}
    headline, links = _text_of(text.get("headline"))
    summary, more = _text_of(text.get("text"))
    links += more
    notes = []
    display = slide.get("display_date")
    if isinstance(display, str) and display.strip():
        notes.append(f"Display date: {plain_text(display)[0]}")
    media = slide.get("media") if isinstance(slide.get("media"), dict) else {}
    cited = _media_sources(b, media, notes)
    cited += [s for s in (b.link(u) for u in links) if s]
    group = slide.get("group")
    if category is None:
        category = group if isinstance(group, str) and group.strip() else _UNGROUPED
    b.add(
        where,
        headline or summary.split("\n", 1)[0][:200],
        begin,
        until,
        b.category(category),
        summary=summary,
        note="\n".join(notes),
        links=cited,
    )


def _media_sources(b: Builder, media: dict, notes: list[str]) -> list[str]:
    """A link-only source for the media's URL (titled by its credit, described by its
    caption) and for the links in its credit and caption; media that is text (a quote) goes
    into the note."""
    url = media.get("url") if isinstance(media.get("url"), str) else ""
    credit, credit_links = _text_of(media.get("credit"))
    caption, caption_links = _text_of(media.get("caption"))
    cited = []
    if url.strip().lower().startswith(("http://", "https://")):
        source = b.link(url, credit or caption, caption if credit else "")
        if source:
            cited.append(source)
    elif url.strip():
        words, links = plain_text(url)
        notes.append(f"Media: {words}")
        credit_links = credit_links + links
    for u in credit_links + caption_links:
        source = b.link(u, credit or caption)
        if source:
            cited.append(source)
    return cited


def import_json(path: Path, text: str, steps: _Progress) -> Timeline:
    """A TimelineJS JSON file (version 3, or the older `timeline`/`date` form)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TimelineError(
            path, f"line {exc.lineno} column {exc.colno}", f"not valid JSON ({exc.msg})"
        ) from None
    except (ValueError, RecursionError):
        raise TimelineError(path, "", "not valid JSON") from None
    b = Builder(path, "TimelineJS JSON")
    steps.at(300)
    if isinstance(doc, dict) and isinstance(doc.get("timeline"), dict):
        _read_old(b, doc["timeline"])
        return b.build(steps)
    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        raise TimelineError(path, "events", "TimelineJS JSON needs a list of events")
    title = doc.get("title")
    if isinstance(title, dict):
        text_part = title.get("text") if isinstance(title.get("text"), dict) else {}
        b.title = _text_of(text_part.get("headline"))[0]
        b.description = _text_of(text_part.get("text"))[0]
    eras = doc.get("eras") if isinstance(doc.get("eras"), list) else []
    for k, era in enumerate(eras):
        if isinstance(era, dict):
            _add_slide(b, f"eras[{k}]", era, _era_name(era, k))
    for k, slide in enumerate(doc["events"]):
        if not isinstance(slide, dict):
            raise TimelineError(path, f"events[{k}]", "is not an object")
        if k % 4096 == 0:
            b.rows_progress(steps, k, len(doc["events"]))
        _add_slide(b, f"events[{k}]", slide, None)
    return b.build(steps)


def _era_name(era: dict, k: int) -> str:
    text = era.get("text") if isinstance(era.get("text"), dict) else {}
    name = _text_of(text.get("headline"))[0]
    return f"Era: {name}" if name else f"Era {k + 1}"


def _old_date(b: Builder, where: str, value: Any) -> When | None:
    """`1815,12,10` (year, month, day, hour, minute, second), the older form's dates."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parts = [p.strip() for p in str(value).split(",")]
    fields = dict(zip(_FIELDS, parts, strict=False))
    try:
        return date_of(fields)
    except DateError as exc:
        raise TimelineError(b.path, where, str(exc)) from None


def _read_old(b: Builder, doc: dict) -> None:
    b.title = _text_of(doc.get("headline"))[0]
    b.description = _text_of(doc.get("text"))[0]
    slides = doc.get("date")
    if not isinstance(slides, list):
        raise TimelineError(b.path, "timeline.date", "needs a list of dates")
    eras = doc.get("era") if isinstance(doc.get("era"), list) else []
    for kind, items in (("era", eras), ("date", slides)):
        for k, item in enumerate(items):
            where = f"timeline.{kind}[{k}]"
            if not isinstance(item, dict):
                raise TimelineError(b.path, where, "is not an object")
            asset = item.get("asset") if isinstance(item.get("asset"), dict) else {}
            tag = item.get("tag")
            if kind == "era":
                name = _text_of(item.get("headline"))[0]
                category = f"Era: {name}" if name else f"Era {k + 1}"
            else:
                category = tag if isinstance(tag, str) and tag.strip() else None
            slide = {
                "start_date": None,
                "text": {"headline": item.get("headline"), "text": item.get("text")},
                "media": {
                    "url": asset.get("media"),
                    "credit": asset.get("credit"),
                    "caption": asset.get("caption"),
                },
            }
            begin = _old_date(b, f"{where}.startDate", item.get("startDate"))
            until = _old_date(b, f"{where}.endDate", item.get("endDate"))
            if begin is None:
                b.left_out.append(f"{where} (no start date)")
                continue
            _add_slide(b, where, slide, category, (begin, until))


_CSV_NEED = ("Year", "Headline")


def _csv_time(where: str, b: Builder, text: str) -> dict[str, Any]:
    """The Time column (`13:30`, `1:30 PM`, `13:30:05`) as TimelineJS date fields."""
    text = text.strip()
    if not text:
        return {}
    m = _TIME.fullmatch(text)
    if not m:
        raise TimelineError(b.path, where, f"{text[:40]!r} is not a time of day")
    hour = int(m.group(1))
    if m.group(5):
        if not 1 <= hour <= 12:
            raise TimelineError(b.path, where, f"{text[:40]!r} is not a time of day")
        hour = hour % 12 + (12 if m.group(5).lower() == "pm" else 0)
    return {"hour": hour, "minute": m.group(2), "second": m.group(3), "millisecond": m.group(4)}


def import_csv(path: Path, text: str, steps: _Progress) -> Timeline:
    """The TimelineJS Google Sheets template saved as CSV: one row an event, a `title` row and
    `era` rows marked in the Type column."""
    b = Builder(path, "TimelineJS spreadsheet CSV")
    total = text.count("\n") + 1
    line, header, rows = csv_table(path, text)
    col = header_of(path, line, header, _CSV_NEED)

    def cell(row: list[str], name: str) -> str:
        k = col.get(name)
        return row[k] if k is not None else ""

    slides: list[tuple[str, dict, str | None]] = []
    for n, (line, row) in enumerate(rows):
        if n % 4096 == 0:
            b.rows_progress(steps, line, total)
        check_width(path, line, row, header)
        where = f"line {line}"
        kind = cell(row, "Type").strip().lower()
        slide: dict[str, Any] = {
            "start_date": {
                "year": cell(row, "Year"),
                "month": cell(row, "Month"),
                "day": cell(row, "Day"),
                **_csv_time(f"{where}: Time", b, cell(row, "Time")),
            },
            "end_date": {
                "year": cell(row, "End Year"),
                "month": cell(row, "End Month"),
                "day": cell(row, "End Day"),
                **_csv_time(f"{where}: End Time", b, cell(row, "End Time")),
            },
            "display_date": cell(row, "Display Date"),
            "text": {"headline": cell(row, "Headline"), "text": cell(row, "Text")},
            "media": {
                "url": cell(row, "Media"),
                "credit": cell(row, "Media Credit"),
                "caption": cell(row, "Media Caption"),
            },
            "group": cell(row, "Group"),
        }
        if kind == "title":
            b.title = _text_of(cell(row, "Headline"))[0]
            b.description = _text_of(cell(row, "Text"))[0]
            continue
        category = None
        if kind == "era":
            name = _text_of(cell(row, "Headline"))[0]
            category = f"Era: {name}" if name else "Era"
        slides.append((where, slide, category))
    for where, slide, category in slides:
        _add_slide(b, where, slide, category)
    return b.build(steps)
