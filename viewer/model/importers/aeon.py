"""Aeon Timeline's CSV export: `Label`, `Summary`, `Start Date`, `End Date` (and `Latest Start
Date`, `Earliest End Date` for uncertain ones), `Tags`, and more columns kept in the note.

Dates are written `Y-MM-DD` with an optional time, years before 1 as `BC 44-03-15` (historical:
there is no year 0, so BC 1 is our year 0). Rows without a start date (narrative folders) are
left out, and listed in the timeline's description.
"""

from __future__ import annotations

import re
from pathlib import Path

from viewer.model.dates import DateError, PartialDate, UncertainDate, When
from viewer.model.importers.common import Builder, check_width, csv_table, header_of, plain_text
from viewer.model.loader import TimelineError, _Progress
from viewer.model.timeline import Timeline

_DATE = re.compile(
    r"\s*(?:(BC|BCE|AD|CE)\s+)?([0-9]{1,9})(?:-([0-9]{1,2})(?:-([0-9]{1,2})"
    r"(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?)?)?\s*",
    re.IGNORECASE,
)
_NEED = ("Label", "Start Date")
# Columns shown elsewhere, so not repeated in the note.
_USED = {"Label", "Summary", "Start Date", "End Date", "Latest Start Date", "Earliest End Date"}
_UNTAGGED = "Untagged"


def date_of(text: str) -> PartialDate:
    """An Aeon date: `BC 1-11-19`, `99-10-18`, `2020-05-01 13:30`, at the precision given."""
    m = _DATE.fullmatch(text)
    if not m:
        raise DateError(f"{text[:40]!r} is not a date")
    era, year, month, day, hour, minute, second = m.groups()
    y = int(year)
    if era and era.upper() in ("BC", "BCE"):
        if y == 0:
            raise DateError(f"{text[:40]!r} is not a date: there is no year 0 BC")
        y = 1 - y
    ints = [int(v) if v is not None else None for v in (month, day, hour, minute, second)]
    return PartialDate(y, *ints)  # type: ignore[arg-type]


def _uncertain(first: PartialDate, last: PartialDate | None) -> When:
    """`first`, or between `first` and `last` when Aeon gives a window."""
    if last is None or last == first:
        return first
    return UncertainDate(first, last)


def import_csv(path: Path, text: str, steps: _Progress) -> Timeline:
    """An Aeon Timeline CSV export as a timeline (see docs/import.md)."""
    b = Builder(path, "Aeon Timeline CSV", title=path.stem)
    total = text.count("\n") + 1
    line, header, rows = csv_table(path, text)
    col = header_of(path, line, header, _NEED)
    names = [h.strip().lstrip("\ufeff") for h in header]

    for n, (line, row) in enumerate(rows):
        if n % 4096 == 0:
            b.rows_progress(steps, line, total)
        check_width(path, line, row, header)
        where = f"line {line}"
        cells = {name: row[k].strip() for name, k in col.items()}
        start = cells.get("Start Date", "")
        label = plain_text(cells.get("Label", ""))[0]
        if not start:
            b.left_out.append(f"{where} {label[:60]!r} (no start date)")
            continue
        try:
            begin_first = date_of(start)
            latest = cells.get("Latest Start Date", "")
            begin = _uncertain(begin_first, date_of(latest) if latest else None)
            end_text = cells.get("End Date", "")
            until: When | None = None
            if end_text:
                end = date_of(end_text)
                earliest = cells.get("Earliest End Date", "")
                until = _uncertain(date_of(earliest), end) if earliest else end
        except DateError as exc:
            raise TimelineError(path, where, str(exc)) from None
        tags = [t.strip() for t in cells.get("Tags", "").split(",") if t.strip()]
        category = tags[0] if tags else _UNTAGGED
        note = "\n".join(
            f"{name}: {row[k].strip()}"
            for k, name in enumerate(names)
            if name not in _USED and row[k].strip() and not (name == "Tags" and len(tags) < 2)
        )
        summary, links = plain_text(cells.get("Summary", ""))
        cited = [s for s in (b.link(u) for u in links) if s]
        b.add(
            where,
            label,
            begin,
            until,
            b.category(category),
            summary=summary,
            note=note,
            links=cited,
        )
    return b.build(steps)
