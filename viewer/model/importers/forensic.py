"""Rows of forensic timelines (Timesketch and plaso): one event a row, at an instant.

Timesketch and plaso share their fields (`datetime`, `timestamp` in microseconds since 1970 UTC,
`timestamp_desc`, `message`), so both importers read rows here and differ only in which field
names an event's category (see docs/import.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from viewer.model.dates import DateError, PartialDate, parse_date
from viewer.model.importers.common import (
    Builder,
    check_width,
    csv_rows,
    header_of,
    instant_from_micros,
    title_and_rest,
)
from viewer.model.loader import TimelineError, _Progress

_EVERY = 4096  # rows between progress reports (and cancellation checks)
# Fields shown as the title or used as the date or category: not repeated in the note.
_USED = {"message", "datetime", "timestamp", "date_time", "__container_type__", "__type__"}
_EMPTY = {"", "-"}
_NANOS = re.compile(r"(\.[0-9]{6})[0-9]+")  # plaso writes '-' for an empty field


def when_of(path: Path, where: str, fields: dict[str, Any]) -> PartialDate | None:
    """The row's instant: its ISO `datetime` (with its offset), else its `timestamp` in
    microseconds; None if it has neither (plaso's rows with no time)."""
    text = fields.get("datetime")
    if isinstance(text, str) and text.strip() and not text.startswith("0000-00-00"):
        try:
            # plaso writes nanoseconds; our dates keep microseconds.
            return parse_date(_NANOS.sub(r"\1", text.strip()))
        except DateError as exc:
            raise TimelineError(path, where, f"datetime: {exc}") from None
    stamp = fields.get("timestamp")
    if isinstance(stamp, bool) or stamp in (None, "", 0, "0"):
        return None
    try:
        micros = int(stamp)
        return instant_from_micros(micros)
    except (ValueError, TypeError, OverflowError, DateError):
        raise TimelineError(
            path, where, f"timestamp: {str(stamp)[:40]!r} is not microseconds since 1970"
        ) from None


def add_row(
    b: Builder, where: str, fields: dict[str, Any], category_of: Callable[[dict], str]
) -> None:
    """One row as an event: its message the title, the other fields the note."""
    when = when_of(b.path, where, fields)
    message = fields.get("message")
    message = message if isinstance(message, str) else ""
    if when is None:
        b.left_out.append(f"{where} (no time)")
        return
    title, summary = title_and_rest(message)
    note = "\n".join(
        f"{k}: {_shown(v)}" for k, v in fields.items() if k not in _USED and _shown(v) not in _EMPTY
    )
    b.add(where, title, when, None, b.category(category_of(fields)), summary=summary, note=note)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    return json.dumps(value, ensure_ascii=False)


def read_csv(b: Builder, text: str, steps: _Progress, category_of: Callable[[dict], str]) -> None:
    """Every row of a CSV whose header names the fields."""
    total = text.count("\n") + 1
    rows = csv_rows(b.path, text)
    first = next(rows, None)
    if first is None:
        return
    line, header = first
    header_of(b.path, line, header, ("message",))
    names = [h.strip().lstrip("\ufeff") for h in header]
    for n, (line, row) in enumerate(rows):
        if n % _EVERY == 0:
            b.rows_progress(steps, line, total)
        check_width(b.path, line, row, header)
        add_row(b, f"line {line}", dict(zip(names, row, strict=True)), category_of)


def json_lines(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, object) of each non-blank line; each must be a JSON object."""
    for k, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except ValueError as exc:
            msg = getattr(exc, "msg", str(exc))
            raise TimelineError(path, f"line {k}", f"not valid JSON ({msg})") from None
        except RecursionError:
            raise TimelineError(path, f"line {k}", "JSON is nested too deeply") from None
        if not isinstance(doc, dict):
            raise TimelineError(path, f"line {k}", "is not a JSON object")
        yield k, doc


def read_jsonl(b: Builder, text: str, steps: _Progress, category_of: Callable[[dict], str]) -> None:
    """Every line of a JSON-lines file, one object an event."""
    total = text.count("\n") + 1
    for n, (line, doc) in enumerate(json_lines(b.path, text)):
        if n % _EVERY == 0:
            b.rows_progress(steps, line, total)
        add_row(b, f"line {line}", doc, category_of)
