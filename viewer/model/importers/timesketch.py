"""Timesketch's CSV and JSON-lines import formats: `message`, `datetime` or `timestamp`
(microseconds since 1970 UTC), `timestamp_desc`, and any extra fields."""

from __future__ import annotations

from pathlib import Path

from viewer.model.importers import forensic
from viewer.model.importers.common import Builder
from viewer.model.loader import _Progress
from viewer.model.timeline import Timeline


def category_of(fields: dict) -> str:
    """What the time means (`timestamp_desc`: "Write time", "Creation Time")."""
    desc = fields.get("timestamp_desc")
    return desc if isinstance(desc, str) and desc.strip() else "Time"


def import_csv(path: Path, text: str, steps: _Progress) -> Timeline:
    """A Timesketch CSV file as a timeline (see docs/import.md)."""
    b = Builder(path, "Timesketch CSV")
    forensic.read_csv(b, text, steps, category_of)
    return b.build(steps)


def import_jsonl(path: Path, text: str, steps: _Progress) -> Timeline:
    """A Timesketch JSON-lines file as a timeline (see docs/import.md)."""
    b = Builder(path, "Timesketch JSONL")
    forensic.read_jsonl(b, text, steps, category_of)
    return b.build(steps)
