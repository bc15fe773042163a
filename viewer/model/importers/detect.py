"""Which format a file is in, told from its first bytes, never from its name.

`detect` returns one of the FORMATS, or 'own' for our own timeline format (and for anything
it cannot place, so that our loader says what is wrong with it). A table that is none of the
formats below (a header of two or more columns apart by commas, semicolons or tabs) is
'generic-csv': the user chooses its columns (importers/generic.py). A file in a format we
recognise but do not import (Aeon's native `.aeon`, a zip; an HTML page) is refused with one
line naming the format and saying what to do.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from viewer.model.importers.generic import sniff
from viewer.model.loader import TimelineError

HEAD_BYTES = 64 * 1024
FORMATS = (
    "own",
    "timelinejs-json",
    "timelinejs-csv",
    "timelineproj",
    "timesketch-csv",
    "timesketch-jsonl",
    "plaso-csv",
    "plaso-jsonl",
    "aeon-csv",
    "generic-csv",
)
_OWN = re.compile(r'"(version|citations)"\s*:')
_TIMELINEJS = re.compile(r'"(start_date|startDate|timeline)"\s*:')


def detect(path: Path, head: bytes) -> str:
    """The format of a file whose first bytes are `head` (at most HEAD_BYTES of them)."""
    if head.startswith(b"PK\x03\x04"):
        raise TimelineError(
            path,
            "",
            "is a zip archive, such as Aeon Timeline's own .aeon file, which this app does "
            "not read: export it as CSV from Aeon Timeline (File → Export → CSV) and open that",
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TimelineError(path, "line 1", "is UTF-16 text; save it as UTF-8")
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace").lstrip()
    lower = text[:200].lower()
    if lower.startswith(("<!doctype html", "<html")) or "<html" in lower:
        raise TimelineError(
            path,
            "",
            "is an HTML page, not a timeline: for a TimelineJS page, open its JSON file or "
            "its Google Sheet saved as CSV",
        )
    if text.startswith("<"):
        return "timelineproj"
    if text.startswith("{"):
        return _json_kind(text)
    if text.startswith("["):
        return "own"
    return _csv_kind(path, text)


def _json_kind(text: str) -> str:
    first = text.split("\n", 1)[0]
    try:
        doc = json.loads(first)
    except (ValueError, RecursionError):
        doc = None
    if isinstance(doc, dict) and ("message" in doc or "timestamp_desc" in doc):
        return "plaso-jsonl" if "__container_type__" in doc else "timesketch-jsonl"
    if _OWN.search(text):
        return "own"
    if _TIMELINEJS.search(text) or '"events"' in text:
        return "timelinejs-json"
    return "own"


def _csv_kind(path: Path, text: str) -> str:
    line = text.split("\n", 1)[0]
    try:
        header = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return "own"
    names = {h.strip() for h in header}
    if {"Year", "Headline"} <= names:
        return "timelinejs-csv"
    if {"Start Date", "Label"} <= names:
        return "aeon-csv"
    if "message" in names and ("datetime" in names or "timestamp" in names):
        if "source_long" in names or ("source" in names and "timestamp" not in names):
            return "plaso-csv"
        return "timesketch-csv"
    # Any other table (commas, semicolons or tabs): the user says which column is what.
    return "generic-csv" if sniff(text) is not None else "own"
