"""plaso's psort output: the `dynamic` CSV (`datetime,timestamp_desc,source,source_long,
message,parser,display_name,tag` by default) and `json_line` (one event object a line, its time
in `timestamp`, microseconds since 1970 UTC)."""

from __future__ import annotations

from pathlib import Path

from viewer.model.importers import forensic
from viewer.model.importers.common import Builder
from viewer.model.loader import _Progress
from viewer.model.timeline import Timeline


def category_of(fields: dict) -> str:
    """The kind of source the event came from (`source_long`: "Log File", "Cron log"), else
    its data type or parser."""
    for key in ("source_long", "source", "data_type", "parser"):
        value = fields.get(key)
        if isinstance(value, str) and value.strip() not in ("", "-"):
            return value
    return "Event"


def import_csv(path: Path, text: str, steps: _Progress) -> Timeline:
    """A plaso dynamic CSV file as a timeline (see docs/import.md)."""
    b = Builder(path, "plaso dynamic CSV")
    forensic.read_csv(b, text, steps, category_of)
    return b.build(steps)


def import_jsonl(path: Path, text: str, steps: _Progress) -> Timeline:
    """A plaso json_line file as a timeline (see docs/import.md)."""
    b = Builder(path, "plaso json_line")
    forensic.read_jsonl(b, text, steps, category_of)
    return b.build(steps)
