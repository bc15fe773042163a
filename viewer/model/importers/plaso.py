"""plaso's psort output: the `dynamic` CSV (`datetime,timestamp_desc,source,source_long,
message,parser,display_name,tag` by default) and `json_line` (one event object a line, its time
in `timestamp`, microseconds since 1970 UTC)."""

from __future__ import annotations

from pathlib import Path

from viewer.model.importers import forensic
from viewer.model.importers.common import Builder
from viewer.model.loader import _Progress
from viewer.model.timeline import Timeline

# The fields category_of reads.
CATEGORY_KEYS = ("source_long", "source", "data_type", "parser")


def category_of(fields: dict) -> str:
    """The kind of source the event came from (`source_long`: "Log File", "Cron log"), else
    its data type or parser."""
    for key in ("source_long", "source", "data_type", "parser"):
        value = fields.get(key)
        if isinstance(value, str) and value.strip() not in ("", "-"):
            return value
    return "Event"


def import_csv(path: Path, raw: bytes, steps: _Progress) -> Timeline:
    """A plaso dynamic CSV file as a timeline (see docs/import.md)."""
    b = Builder(path, "plaso dynamic CSV")
    return forensic.import_csv(path, raw, steps, b, category_of, CATEGORY_KEYS)


def import_jsonl(path: Path, raw: bytes, steps: _Progress) -> Timeline:
    """A plaso json_line file as a timeline (see docs/import.md)."""
    b = Builder(path, "plaso json_line")
    return forensic.import_jsonl(path, raw, steps, b, category_of, CATEGORY_KEYS)
