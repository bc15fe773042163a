"""Saving a timeline in our own format (docs/format.md, "Saving"), with its source texts.

A timeline's sources are files beside it, so a saved timeline is the JSON file and the source
files it names. Saving writes both: each source's text, as it was read, at the same path
relative to the new file (or under `sources/` when that path would leave the new folder), then
the JSON. Nothing is written until everything has been checked, including that the saved file
reads back; each file is written whole or not at all (a temporary file in the same folder,
synced, then renamed over the target). Plain Python, no Qt.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from viewer.model.dates import DateSpan
from viewer.model.timeline import Event, Source, Timeline

SOURCES_FOLDER = "sources"


class SaveError(Exception):
    """A timeline cannot be saved; the message is one line naming the file and the problem."""


@dataclass(frozen=True)
class SourceFile:
    """A source text to write beside the saved timeline, at `name` (relative, forward slashes)."""

    name: str
    text: str


def _plain_relative(name: str) -> bool:
    """Whether `name` is a relative path with forward slashes that stays in its folder."""
    if not name or "\\" in name or "\0" in name or PureWindowsPath(name).drive:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and all(part not in ("", ".", "..") for part in name.split("/"))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _fallback_name(source_id: str, original: str) -> str:
    """`sources/<file's own name>`, made of safe characters; the id when the name has none."""
    stem = _UNSAFE.sub("_", PurePosixPath(original.replace("\\", "/")).name).strip("._")
    if not stem:
        stem = _UNSAFE.sub("_", source_id).strip("._")[:100] or "source"
        stem += ".txt"
    return f"{SOURCES_FOLDER}/{stem[:200]}"


def is_link_only(source: Source) -> bool:
    """A source with an address and no text of its own (imported links): saved without a file."""
    return not source.file and not source.text and bool(source.url)


def source_files(timeline: Timeline) -> dict[str, SourceFile]:
    """Where each source (by id) is written beside a saved copy of `timeline`, with its text.

    A source keeps its `file` when that is a plain relative path inside the folder; otherwise
    (the built-in timeline's `../seeds/…`) it goes to `sources/<its file name>`. Two sources
    with different texts never share a name (a `-2`, `-3` … is added); sources that share a
    file and its text keep sharing it."""
    placed: dict[str, SourceFile] = {}
    taken: dict[str, str] = {}  # name (case-folded, for case-insensitive disks) -> text
    for source in timeline.sources.values():
        if is_link_only(source):
            continue  # no file: written with its url alone
        name = source.file if _plain_relative(source.file) else None
        if name is None or taken.get(name.casefold(), source.text) != source.text:
            name = _fallback_name(source.id, source.file)
            stem, dot, suffix = name.rpartition(".")
            if not dot or "/" in suffix:
                stem, dot, suffix = name, "", ""
            n = 1
            while taken.get(name.casefold(), source.text) != source.text:
                n += 1
                name = f"{stem}-{n}{dot}{suffix}"
        taken[name.casefold()] = source.text
        placed[source.id] = SourceFile(name, source.text)
    return placed


def date_text(when: DateSpan) -> tuple[str, str | None]:
    """An event's `date` and `end` as our format writes them, each at its own precision."""
    return when.begin.iso(), None if when.until is None else when.until.iso()


def _event_document(event: Event) -> dict:
    date, end = date_text(event.when)
    doc: dict = {"id": event.id, "title": event.title, "date": date}
    if end is not None:
        doc["end"] = end
    doc["category"] = event.category
    if event.summary.strip():
        doc["summary"] = event.summary
    if event.note:
        doc["note"] = event.note
    if event.disputed_by:
        doc["disputed_by"] = list(event.disputed_by)
    # A link-only citation names its source and quotes nothing.
    doc["citations"] = [
        {"source": c.source_id, "quote": c.quote} if c.quote else {"source": c.source_id}
        for c in event.citations
    ]
    return doc


def timeline_document(timeline: Timeline, files: dict[str, SourceFile] | None = None) -> dict:
    """`timeline` as a document of our format (version 1), its sources at `files` (by default
    where source_files puts them). Events are in time order; categories are listed with their
    colours, so that the palette gives every lane the colour it had."""
    files = source_files(timeline) if files is None else files
    doc: dict = {"version": 1, "title": timeline.title}
    if timeline.description:
        doc["description"] = timeline.description
    doc["categories"] = [
        {"id": c.id, "label": c.label, "color": c.color} for c in timeline.categories.values()
    ]
    sources = []
    for s in timeline.sources.values():
        item = {"id": s.id, "title": s.title}
        if s.id in files:
            item["file"] = files[s.id].name
        if s.description:
            item["description"] = s.description
        if s.url:
            item["url"] = s.url
        for key in ("outlet", "author"):
            if getattr(s, key):
                item[key] = getattr(s, key)
        if s.published is not None:
            item["published"] = s.published.iso()
        sources.append(item)
    doc["sources"] = sources
    doc["events"] = [_event_document(e) for e in timeline.events]
    return doc


def timeline_bytes(timeline: Timeline, files: dict[str, SourceFile] | None = None) -> bytes:
    """The timeline file's bytes: UTF-8 JSON, indented, without a byte-order mark."""
    text = json.dumps(timeline_document(timeline, files), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def check_target(path: Path) -> None:
    """Raise SaveError unless `path` can be written as a new or replaced regular file."""
    if path.is_dir():
        raise SaveError(f"{path}: is a folder, not a file")
    if (path.exists() or path.is_symlink()) and not path.is_file():
        raise SaveError(f"{path}: is not a regular file")
    folder = path.parent
    if not folder.exists():
        raise SaveError(f"{path}: the folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise SaveError(f"{path}: {str(folder)!r} is a file, not a folder")


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all: a temporary file in the same folder, synced,
    then renamed over `path`. On failure the earlier file is left as it was; raises SaveError."""
    try:
        fd, temporary = tempfile.mkstemp(
            prefix=f".{path.name[:50]}-", suffix=".part", dir=path.parent
        )
    except OSError as exc:
        raise SaveError(f"{path}: cannot write in its folder ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file private; a saved file gets the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        reason = exc.strerror or str(exc)
        raise SaveError(f"{path}: could not be written ({reason}); nothing was saved") from None


def _planned_sources(target: Path, files: dict[str, SourceFile]) -> list[tuple[Path, SourceFile]]:
    """The source files that must be written for `target`; raises SaveError (before anything
    is written) when one would replace a different file, or leave or clash with the target."""
    folder = target.parent
    writes: dict[Path, SourceFile] = {}
    for source_id, file in files.items():
        where = folder / file.name
        place = f"{target}: source {source_id!r}"
        if where in writes or where == target:
            if where == target:
                raise SaveError(f"{place}: its file {file.name!r} is the timeline file itself")
            continue
        data = file.text.encode("utf-8")
        try:
            if where.is_symlink() or (where.exists() and not where.is_file()):
                # A link or folder here: the same text is fine, anything else is not ours to touch.
                if where.is_file() and where.read_bytes() == data:
                    continue
                raise SaveError(f"{place}: {file.name!r} exists and is not a plain file")
            if where.exists():
                if where.read_bytes() == data:
                    continue
                raise SaveError(
                    f"{place}: {file.name!r} already exists with another text; "
                    "save in another folder, or move that file away"
                )
            for parent in where.relative_to(folder).parents:
                p = folder / parent
                if p.is_symlink() or (p.exists() and not p.is_dir()):
                    raise SaveError(f"{place}: {str(parent)!r} is not a folder")
        except OSError as exc:
            raise SaveError(
                f"{place}: cannot check {file.name!r} ({exc.strerror or exc})"
            ) from None
        writes[where] = file
    return list(writes.items())


def _text_at(texts: dict[Path, str], path: Path) -> str:
    text = texts.get(path.resolve())
    if text is None:
        raise FileNotFoundError(path)
    return text


def save_timeline(timeline: Timeline, target: str | Path) -> None:
    """Save `timeline` at `target` in our format, with its source texts beside it.

    Everything is checked first (the target, the source files' places, and that the saved file
    reads back with the same quotes found); then the source files that are missing are written,
    then the timeline file, each atomically. A source file already there with the same text is
    left alone; one with another text stops the save before anything is written. Raises
    SaveError with a one-line message.
    """
    from viewer.model.loader import TimelineError, parse_timeline

    target = Path(target)
    check_target(target)
    files = source_files(timeline)
    writes = _planned_sources(target, files)
    data = timeline_bytes(timeline, files)
    # Read the saved file back before writing anything: what cannot be opened is not written.
    texts = {(target.parent / f.name).resolve(): f.text for f in files.values()}
    try:
        saved = parse_timeline(
            data, target, root=target.parent, read_source=lambda p: _text_at(texts, p)
        )
    except TimelineError as exc:
        raise SaveError(f"{target}: would not open again ({exc})") from None
    lost = sum(not c.found for e in saved.events for c in e.citations) - sum(
        not c.found for e in timeline.events for c in e.citations
    )
    if lost:
        raise SaveError(f"{target}: {lost} quotes would no longer be found in their sources")
    for where, file in writes:
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SaveError(f"{where}: cannot make its folder ({exc.strerror or exc})") from None
        atomic_write(where, file.text.encode("utf-8"))
    atomic_write(target, data)
