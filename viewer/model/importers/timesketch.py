"""Timesketch's CSV and JSON-lines import formats: `message`, `datetime` or `timestamp`
(microseconds since 1970 UTC), `timestamp_desc`, and any extra fields."""

from __future__ import annotations

from pathlib import Path

from viewer.model.importers import forensic
from viewer.model.importers.common import Builder
from viewer.model.loader import _Progress
from viewer.model.timeline import Timeline

# The fields category_of reads.
CATEGORY_KEYS = ("timestamp_desc",)


def category_of(fields: dict) -> str:
    """What the time means (`timestamp_desc`: "Write time", "Creation Time")."""
    desc = fields.get("timestamp_desc")
    return desc if isinstance(desc, str) and desc.strip() else "Time"


def import_csv(path: Path, raw: bytes, steps: _Progress) -> Timeline:
    """A Timesketch CSV file as a timeline (see docs/import.md)."""
    b = Builder(path, "Timesketch CSV")
    return forensic.import_csv(path, raw, steps, b, category_of, CATEGORY_KEYS)


def import_jsonl(path: Path, raw: bytes, steps: _Progress) -> Timeline:
    """A Timesketch JSON-lines file as a timeline (see docs/import.md)."""
    b = Builder(path, "Timesketch JSONL")
    return forensic.import_jsonl(path, raw, steps, b, category_of, CATEGORY_KEYS)
