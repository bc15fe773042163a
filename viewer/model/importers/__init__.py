"""Importing other tools' timeline files, told apart by their content (see docs/import.md).

`load_any` is what the app calls for every file it opens: our own format goes to
viewer.model.loader.load_timeline, anything else to its importer. Importers report progress
and honour cancellation the same way, and build a Timeline marked `imported`, whose events may
cite nothing (they are *uncited*) and whose sources may be link-only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from viewer.model.importers import aeon, generic, plaso, timelinejs, timelineproj, timesketch
from viewer.model.importers.common import decode, progress_of, read_file
from viewer.model.importers.detect import HEAD_BYTES, detect
from viewer.model.importers.generic import Columns
from viewer.model.loader import CancelFlag, TimelineError, load_timeline
from viewer.model.timeline import Timeline

__all__ = ["Columns", "detect", "detect_file", "import_file", "load_any"]

_IMPORTERS = {
    "timelinejs-json": timelinejs.import_json,
    "timelinejs-csv": timelinejs.import_csv,
    "timelineproj": timelineproj.import_xml,
    "aeon-csv": aeon.import_csv,
    "generic-csv": generic.import_csv,  # with the columns guessed from the header
}
# These read the file's bytes: a forensic file of a million rows is kept as bytes, never as
# text as well (viewer/model/importers/forensic.py).
_BYTE_IMPORTERS = {
    "timesketch-csv": timesketch.import_csv,
    "timesketch-jsonl": timesketch.import_jsonl,
    "plaso-csv": plaso.import_csv,
    "plaso-jsonl": plaso.import_jsonl,
}


def _head(path: Path) -> bytes | None:
    try:
        with path.open("rb") as f:
            return f.read(HEAD_BYTES)
    except OSError:
        return None  # the loader says what is wrong (not found, a folder, no permission)


def detect_file(path: str | Path) -> str | None:
    """The format of the file at `path` (as load_any tells it), or None when it cannot be told
    here (not a regular file, unreadable, or refused: load_any then says why)."""
    path = Path(path)
    head = _head(path) if path.is_file() else None
    if head is None:
        return None
    try:
        return detect(path, head)
    except TimelineError:
        return None


def import_file(
    path: str | Path,
    kind: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: CancelFlag | None = None,
    columns: Columns | None = None,
) -> Timeline:
    """Import `path` as format `kind` (one of detect.FORMATS but 'own'); `columns` are a
    generic CSV's (None: guessed from its header)."""
    path = Path(path)
    steps = progress_of(progress, cancel)
    steps.at(0)
    raw = read_file(path, steps)
    if kind in _BYTE_IMPORTERS:
        return _BYTE_IMPORTERS[kind](path, raw, steps)
    if kind == "generic-csv":
        return generic.import_csv(path, decode(path, raw), steps, columns)
    return _IMPORTERS[kind](path, decode(path, raw), steps)


def load_any(
    path: str | Path,
    *,
    root: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: CancelFlag | None = None,
    columns: Columns | None = None,
) -> Timeline:
    """Load our own timeline file or import another tool's, told apart by content; `columns`
    say which column is what in a CSV of no known format (None: guessed from its header).

    Raises TimelineError (one line) for a file that cannot be read, and LoadCancelled once
    `cancel` is set; `progress` is called as load_timeline calls it."""
    path = Path(path)
    head = _head(path) if path.is_file() else None
    kind = detect(path, head) if head is not None else "own"
    if kind == "own":
        return load_timeline(path, root=root, progress=progress, cancel=cancel)
    return import_file(path, kind, progress=progress, cancel=cancel, columns=columns)
