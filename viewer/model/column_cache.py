"""A cache of a large timeline file's columns, so that opening the same file again is quick.

Reading a million events checks every one of them (about 5 s); what the checks leave is a few
columns (times, categories, where each event lies in the file, the ids). Once a file of at least
MIN_FILE_BYTES has been read, its columns are written to the user's cache folder under the
BLAKE2b digest of the file's bytes. The next open of the same bytes, with the same source
texts, reads them back instead of checking the events again: the bytes are those that passed
every check.

The cache holds the events' ids, so it is as private as the files: it lives in the user's own
cache folder (TIMELINE_VIEWER_CACHE names another; TIMELINE_VIEWER_NO_CACHE=1 turns it off),
keeps the newest KEEP entries, and each entry carries a digest of itself, so a damaged one is
ignored and the file read in full. Entries are written atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import threading
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from viewer.model.aggregate import IndexParts

MIN_FILE_BYTES = 16 * 1024 * 1024  # about 80,000 events: smaller files read in under a second
KEEP = 4
_MAGIC = b"timeline-viewer columns 2\n"
# The columns, by name and array type, in the order an entry stores them.
COLUMNS = {
    "starts": "d",
    "ends": "d",
    "categories": "I",
    "offsets": "Q",
    "lengths": "I",
    "order": "Q",
}


# The event index's arrays (viewer.model.aggregate.IndexParts), kept after the columns.
INDEX_COLUMNS = {
    "lane_events": "q",
    "lane_starts": "d",
    "group_events": "q",
    "group_starts": "d",
}
INDEX_LISTS = ("lane_sizes", "group_codes", "group_sizes")


@dataclass
class Entry:
    """What a timeline's events leave once checked: the columns (`order` empty when the file
    is in time order already), the ids in file order (each followed by NUL), the categories
    as (id, label, colour), `disputes` as the store keeps it, the digest of the sources'
    texts the quotes were found in, and the parts of the event index made of them."""

    columns: dict[str, array]
    ids: bytes | bytearray
    categories: list[tuple[str, str, str]]
    disputes: dict[str, tuple[int, ...]]
    sources: str
    index: IndexParts | None = None
    name: str = ""  # the key it was read under


def folder() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    if os.environ.get("TIMELINE_VIEWER_NO_CACHE"):
        return None
    named = os.environ.get("TIMELINE_VIEWER_CACHE")
    if named:
        return Path(named)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "timeline-viewer" / "columns"


class Key:
    """The key of a file's bytes: its size and digest. The digest is worked out in a thread
    (hashing lets go of the interpreter), so that reading the file need not wait for it, unless
    an entry of the same size is there to be checked."""

    def __init__(self, buf: bytes) -> None:
        self.size = len(buf)
        self._digest: str | None = None
        self._thread = threading.Thread(target=self._work, args=(buf,), daemon=True)
        self._thread.start()

    def _work(self, buf: bytes) -> None:
        with contextlib.suppress(Exception):  # no digest, no cache: the file is read in full
            self._digest = _digest(buf).hexdigest()

    def value(self) -> str | None:
        """The key, or None if the digest could not be worked out."""
        self._thread.join()
        return None if self._digest is None else f"{self.size}-{self._digest}"


def file_key(buf: bytes) -> Key | None:
    """The key of a file's bytes, or None when the file is too small to be worth caching or
    the cache is off."""
    if len(buf) < MIN_FILE_BYTES or folder() is None or not hasattr(hashlib, "blake2b"):
        return None
    return Key(buf)


def lookup(key: Key) -> Entry | None:
    """The entry for the file `key` names, if one is kept (its digest is waited for only when
    an entry of the same size is there)."""
    where = folder()
    if where is None:
        return None
    try:
        sizes = {p.name.split("-", 1)[0] for p in where.iterdir()}
    except OSError:
        return None
    if str(key.size) not in sizes:
        return None
    name = key.value()
    return None if name is None else read(name)


def _digest(data: bytes = b"") -> Any:
    """BLAKE2b: built into Python, where SHA-256 would need OpenSSL, which the package leaves
    out (its own SHA-256 is three times slower)."""
    return hashlib.blake2b(data, digest_size=32)


def sources_digest(texts: list[tuple[str, str]]) -> str:
    """A digest of the sources' (id, text) pairs: the quotes were searched in these."""
    h = _digest()
    for sid, text in texts:
        for part in (sid, text):
            data = part.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
    return h.hexdigest()


def _layout() -> dict[str, Any]:
    """What an entry's raw arrays depend on: the machine's byte order and item sizes."""
    every = COLUMNS | INDEX_COLUMNS
    return {
        "byteorder": sys.byteorder,
        "sizes": {name: array(code).itemsize for name, code in every.items()},
    }


def read(key: str) -> Entry | None:
    """The entry for `key`, or None if there is none or it is damaged or made elsewhere."""
    where = folder()
    if where is None:
        return None
    try:
        with open(where / key, "rb") as f:
            entry = _parse(f)
    except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError):
        return None
    if entry is not None:
        entry.name = key
    return entry


def _parse(f: BinaryIO) -> Entry | None:
    """An entry read from `f`, each column straight into its array (no copy of the whole)."""
    if f.read(len(_MAGIC)) != _MAGIC:
        return None
    size = int.from_bytes(f.read(8), "little")
    head = json.loads(f.read(size))
    if head["layout"] != _layout():
        return None
    digest = _digest()
    columns = {}
    for name, code in (COLUMNS | INDEX_COLUMNS).items():
        col = array(code)
        col.fromfile(f, head["counts"][name])  # EOFError if the file is short
        digest.update(memoryview(col).cast("B"))
        columns[name] = col
    ids = f.read()
    digest.update(ids)
    if digest.hexdigest() != head["body"]:
        return None
    lists = head["index"]
    index = IndexParts(
        **{name: columns.pop(name) for name in INDEX_COLUMNS},
        **{name: [int(k) for k in lists[name]] for name in INDEX_LISTS},
    )
    return Entry(
        columns=columns,
        ids=ids,
        categories=[tuple(c) for c in head["categories"]],
        disputes={k: tuple(v) for k, v in head["disputes"].items()},
        sources=head["sources"],
        index=index,
    )


def write(key: str | None, entry: Entry) -> None:
    """Keep `entry` under `key` (atomically), and drop the oldest entries past KEEP. A cache
    that cannot be written is no error: the next open reads the file in full."""
    where = folder()
    if where is None or key is None:
        return
    if entry.index is None:
        return  # kept only with the index, which is most of what a second open saves
    # Each column as one array or a list of arrays written one after another (the index's
    # own, lane by lane: see EventIndex.parts), through views of their memory: nothing is
    # copied on the way to the file.
    arrays = entry.columns | {name: getattr(entry.index, name) for name in INDEX_COLUMNS}
    pieces = {n: a if isinstance(a, list) else [a] for n, a in arrays.items()}
    body = [memoryview(a).cast("B") for name in COLUMNS | INDEX_COLUMNS for a in pieces[name]]
    body.append(memoryview(entry.ids))
    digest = _digest()
    for part in body:
        digest.update(part)
    head = json.dumps(
        {
            "layout": _layout(),
            "counts": {n: sum(map(len, pieces[n])) for n in COLUMNS | INDEX_COLUMNS},
            "index": {name: getattr(entry.index, name) for name in INDEX_LISTS},
            "categories": entry.categories,
            "disputes": entry.disputes,
            "sources": entry.sources,
            "body": digest.hexdigest(),
        },
        ensure_ascii=True,
    ).encode("ascii")
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_MAGIC)
                out.write(len(head).to_bytes(8, "little"))
                out.write(head)
                for part in body:
                    out.write(part)
            os.replace(tmp, where / key)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        entries = sorted(
            (p for p in where.iterdir() if not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return


def touch(key: str) -> None:
    """Mark the entry for `key` as just used, so that it is kept over older ones."""
    where = folder()
    if where is not None:
        with contextlib.suppress(OSError):
            os.utime(where / key)
