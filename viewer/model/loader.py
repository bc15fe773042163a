"""Reading a timeline file: every problem becomes a TimelineError naming file, place and problem.

The format is documented in docs/format.md and described by resources/timeline.schema.json.
Checks are written out here rather than run through a schema validator: they give messages in the
form `events[3].date: 'April 31 2022' is not a date`, and they stay fast on a million events.

A load can report its progress and be cancelled (the app loads in a background thread); both
hooks are plain Python, so the model stays free of Qt.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import reprlib
import stat
from collections.abc import Callable, Iterator
from json.decoder import JSONDecoder, scanstring
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Protocol

from viewer.model import bulk, column_cache
from viewer.model.dates import DateError, DateSpan, PartialDate, parse_date, parse_when
from viewer.model.limits import (
    MAX_CATEGORIES,
    MAX_CHARS,
    MAX_FILE_BYTES,
    MAX_SEARCH_CHARS,
    MAX_SOURCE_BYTES,
    MAX_SOURCES,
    MAX_SOURCES_TOTAL_BYTES,
)
from viewer.model.store import EventStore
from viewer.model.timeline import (
    PALETTE,
    Category,
    Citation,
    Event,
    QuoteSearch,
    SearchTooLong,
    Source,
    Timeline,
    locate,
)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_SOURCE_BYTES",
    "CancelFlag",
    "LoadCancelled",
    "TimelineError",
    "load_timeline",
    "parse_timeline",
]

FORMAT_VERSION = 1
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")  # what json skips between tokens
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Brackets outside strings (a string is skipped whole; an unclosed one ends the scan).
_BRACKETS = re.compile(r'"(?:[^"\\]++|\\.)*+"|"|[\[\]{}]')
# An integer too long for int() (sys.get_int_max_str_digits), outside strings.
_LONG_INTEGER = re.compile(r'"(?:[^"\\]++|\\.)*+"|(?<![0-9.eE+-])(-?[0-9]{4301,}+)(?![.eE])')
_MAX_DEPTH = 500

_TOP_KEYS = {"version", "title", "description", "categories", "sources", "events"}
_SOURCE_KEYS = {"id", "file", "title", "description", "url", "outlet", "author", "published"}
_CATEGORY_KEYS = {"id", "label", "color"}
_EVENT_KEYS = {
    "id",
    "title",
    "date",
    "end",
    "category",
    "summary",
    "note",
    "citations",
    "disputed_by",
}
_CITATION_KEYS = {"source", "quote"}

# Progress is reported in thousandths of the whole load. Each stage has a share of it, roughly
# in proportion to its time on a large file, and a budget of reports, so a load makes at most
# about 200 calls to its progress hook however large the file is.
PROGRESS_TOTAL = 1000
_READ, _PARSE, _SOURCES, _EVENTS = 20, 200, 210, 770  # where each stage ends; then sorting
_READ_REPORTS, _PARSE_REPORTS, _SOURCE_REPORTS, _EVENT_REPORTS = 10, 40, 10, 120


class LoadCancelled(Exception):
    """The load was cancelled through its `cancel` argument.

    Not a TimelineError: nothing is wrong with the file, so there is nothing to show as an error.
    """


class CancelFlag(Protocol):
    """What `cancel` must offer; a threading.Event does."""

    def is_set(self) -> bool: ...


class _Progress:
    """Reports progress (never going back) and checks for cancellation, at the same points."""

    def __init__(
        self, report: Callable[[int, int], None] | None, cancel: CancelFlag | None
    ) -> None:
        self.report = report
        self.cancel = cancel
        self.done = -1

    def at(self, done: int) -> None:
        """Raise LoadCancelled if cancellation was asked for; else report `done` if it is new."""
        if self.cancel is not None and self.cancel.is_set():
            raise LoadCancelled
        done = min(done, PROGRESS_TOTAL)
        if done > self.done:
            self.done = done
            if self.report is not None:
                self.report(done, PROGRESS_TOTAL)

    def within(self, start: int, end: int, i: int, count: int) -> None:
        """Report step `i` of `count` of the stage that runs from `start` to `end`."""
        self.at(start + (end - start) * i // max(count, 1))


def _ceil_div(n: int, parts: int) -> int:
    """The step that divides `n` things into at most `parts` parts (at least 1)."""
    return max(1, -(-n // parts))


class TimelineError(Exception):
    """A timeline that cannot be loaded. str() is one line: `file: place: problem`."""

    def __init__(self, file: str | Path, location: str, problem: str) -> None:
        self.file = str(file)
        self.location = location
        self.problem = problem
        super().__init__(
            f"{self.file}: {location}: {problem}" if location else f"{file}: {problem}"
        )


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


_SHOWN_CHARS = 200


def _shown(value: Any) -> str:
    """`value` as it goes into a message: repr() (one line, whatever it holds), cut to about
    200 characters so that a 10,000-character id does not make a 10,000-character message."""
    if isinstance(value, str):
        return repr(value if len(value) <= _SHOWN_CHARS else value[: _SHOWN_CHARS - 1] + "…")
    return reprlib.repr(value)  # a list or object: cut to a few items and levels


def _key_place(loc: str, key: str) -> str:
    """The place of field `key` in the object at `loc`: `events[1].colour`, or
    `events[1]['two words']` for a key that is not a plain name (it may hold a line break)."""
    if _NAME.fullmatch(key) and len(key) <= _SHOWN_CHARS:  # not match: $ lets in a \n
        return f"{loc}.{key}" if loc else key
    return f"{loc}[{_shown(key)}]"


def _line_column(text: str, at: int) -> str:
    """`line L column C` of position `at` (both from 1, as json counts them)."""
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at)
    return f"line {line} column {column}"


def _too_deep(path: Path, text: str) -> TimelineError:
    """The error for a document nested deeper than json can read, placed at the bracket that
    first goes past _MAX_DEPTH levels (json's own limit is near 1000, less the stack in use)."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        c = m.group()
        if c == '"':  # a string that never closes: no bracket after it counts
            break
        if c in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                return TimelineError(
                    path,
                    _line_column(text, m.start()),
                    f"JSON is nested more than {_MAX_DEPTH} levels deep",
                )
        elif c in "]}":
            depth -= 1
    return TimelineError(path, "", "JSON is nested too deeply")


def _not_json(path: Path, text: str, exc: ValueError) -> TimelineError:
    """The error for what json.loads raises besides JSONDecodeError: Python refuses to convert
    an integer of more than 4300 digits (sys.get_int_max_str_digits)."""
    for m in _LONG_INTEGER.finditer(text):
        if m.group(1):
            return TimelineError(
                path,
                _line_column(text, m.start(1)),
                "not valid JSON (a number has too many digits)",
            )
    return TimelineError(path, "", "not valid JSON (" + " ".join(str(exc).split()) + ")")


class _Duplicated(dict):
    """An object in which `key` occurs more than once (json.loads keeps only the last)."""

    key = ""


class _Objects:
    """json's object_pairs_hook: a dict for each object, a _Duplicated one where a key occurs
    twice; `duplicated` says whether any did, so that a clean document is not walked again."""

    def __init__(self) -> None:
        self.duplicated = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                break
            seen.add(key)
        self.duplicated = True
        marked = _Duplicated(obj)
        marked.key = key
        return marked


def _duplicate(path: Path, doc: Any) -> TimelineError | None:
    """The error for the first object (depth first, in file order) that has a key twice.

    Such a file is ambiguous: every JSON tool reads it its own way (json.loads and msgspec keep
    the last value, some keep the first), so it is refused rather than read one of them."""
    stack: list[tuple[str, Any]] = [("", doc)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value, _Duplicated):
                return TimelineError(
                    path,
                    _key_place(loc, value.key),
                    "duplicate field (given more than once in the same object)",
                )
            inner = [(_key_place(loc, k), v) for k, v in value.items()]
        elif isinstance(value, list):
            inner = [(f"{loc}[{i}]", v) for i, v in enumerate(value)]
        else:
            continue
        stack.extend(reversed([(at, v) for at, v in inner if isinstance(v, (dict, list))]))
    return None


class _Reader:
    """Checks one parsed document; `fail` raises with the file name filled in."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, location: str, problem: str) -> TimelineError:
        return TimelineError(self.file, location, problem)

    def obj(self, value: Any, loc: str, allowed: set[str], required: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(loc or "top level", f"expected an object, found {_type_name(value)}")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(
                _key_place(loc, unknown[0]),
                "unknown field (allowed: " + ", ".join(sorted(allowed)) + ")",
            )
        for key in required:
            if key not in value:
                raise self.fail(loc or "top level", f"missing field {key!r}")
        return value

    def text(self, obj: dict, key: str, loc: str, *, required: bool = True, empty: bool = False):
        where = f"{loc}.{key}" if loc else key
        if key not in obj:
            if required:
                raise self.fail(loc or "top level", f"missing field {key!r}")
            return ""
        value = obj[key]
        if not isinstance(value, str):
            raise self.fail(where, f"expected a string, found {_type_name(value)}")
        if not empty and not value.strip():
            raise self.fail(where, "must not be empty")
        limit = MAX_CHARS.get(key)
        if limit is not None and len(value) > limit:
            raise self.fail(where, f"is {len(value):,} characters long; the limit is {limit:,}")
        return value

    def array(self, obj: dict, key: str, loc: str, *, required: bool = True) -> list:
        where = f"{loc}.{key}" if loc else key
        if key not in obj:
            if required:
                raise self.fail(loc or "top level", f"missing field {key!r}")
            return []
        value = obj[key]
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, found {_type_name(value)}")
        return value


def _resolve_inside(root: Path, base: Path, name: str) -> Path | str:
    """The file `name` (relative to `base`) if it stays inside `root`, else why it does not."""
    # Not PureWindowsPath(name).root: '/home/me/x.txt' has one too, and is an absolute path.
    if "\\" in name or PureWindowsPath(name).drive:
        return "must be a relative path with forward slashes, not a Windows or UNC path"
    if PurePosixPath(name).is_absolute():
        return "must be relative to the timeline's folder, not an absolute path"
    if "\0" in name:  # the system cannot even look such a name up
        return "contains a NUL character"
    try:
        os.fsencode(name)
    except UnicodeEncodeError:  # a lone surrogate, written in JSON as \ud800
        return "is not a name the system can look up"
    try:
        resolved = (base / name).resolve()
        # resolve() leaves a loop as it is from Python 3.12; 3.11 raises RuntimeError.
        looped = resolved.is_symlink()
    except RuntimeError:
        looped = True
    except OSError as exc:  # such as a name too long for the system
        return f"cannot be looked up ({exc.strerror or exc})"
    if looped:
        return "is a loop of symbolic links"
    if not resolved.is_relative_to(root.resolve()):
        return "points outside the timeline's folder"
    return resolved


def _read_source_text(path: Path) -> str:
    """A source file's text, by its path (where the system cannot open files race-free)."""
    if not path.exists():
        raise FileNotFoundError
    if path.is_dir():
        raise IsADirectoryError
    if not path.is_file():  # a pipe or a device: opening it could wait for ever
        raise OSError(errno.EINVAL, "not a regular file")
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise OverflowError
    return path.read_bytes().decode("utf-8")


class _SymlinkOnPath(Exception):
    """A folder on a source's path became a symbolic link after the path was checked."""


class _TooMuchSource(Exception):
    """The distinct source files together are over MAX_SOURCES_TOTAL_BYTES."""


# Open without following a link in the last part, and without waiting on a pipe.
_NO_LINK = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_RACE_FREE = bool(getattr(os, "O_NOFOLLOW", 0)) and os.open in os.supports_dir_fd


class _SourceFiles:
    """Reads the source files of one load: each distinct file once, and all of them together
    no more than MAX_SOURCES_TOTAL_BYTES.

    A path is checked (resolved inside the root) and then opened one part at a time from the
    root's folder, never following a link, and the file is read from the descriptor it opened:
    a folder swapped for a link between the check and the open cannot lead outside.
    `read_source`, if given, replaces that reading (for tests); it gets the resolved path.
    """

    def __init__(self, root: Path, read_source: Callable[[Path], str] | None) -> None:
        self.root = root
        self.read_source = read_source
        self.total = 0
        self._texts: dict[object, str] = {}  # by (device, inode), or by path for read_source
        self._real_root: Path | None = None

    def read(self, resolved: Path) -> str:
        if self.read_source is not None:
            text = self._texts.get(resolved)
            if text is None:
                text = self._texts[resolved] = self.read_source(resolved)
            return text
        if not _RACE_FREE:
            return self._counted(resolved, None, lambda: _read_source_text(resolved))
        if self._real_root is None:
            self._real_root = self.root.resolve()
        real_root = self._real_root
        parts = resolved.relative_to(real_root).parts
        if not parts:
            raise IsADirectoryError
        folder = os.open(real_root, os.O_RDONLY | os.O_DIRECTORY | _NO_LINK)
        part = parts[0]
        try:
            for part in parts[:-1]:
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | _NO_LINK, dir_fd=folder)
                os.close(folder)
                folder = inner
            part = parts[-1]
            fd = os.open(part, os.O_RDONLY | os.O_NONBLOCK | _NO_LINK, dir_fd=folder)
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                raise
            # The resolved path held no link: one there now appeared after the check.
            try:
                linked = stat.S_ISLNK(os.lstat(part, dir_fd=folder).st_mode)
            except OSError:
                linked = False
            if linked:
                raise _SymlinkOnPath from None
            raise FileNotFoundError from None  # a file where a folder should be
        finally:
            os.close(folder)
        with open(fd, "rb") as f:  # closes fd
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError
            if not stat.S_ISREG(info.st_mode):
                raise OSError(errno.EINVAL, "not a regular file")
            return self._counted((info.st_dev, info.st_ino), info.st_size, f.read)

    def _counted(self, key: object, size: int | None, read: Callable[[], Any]) -> str:
        """The text of the file `key`, read by `read` unless it was read before."""
        text = self._texts.get(key)
        if text is not None:
            return text
        if size is not None and size > MAX_SOURCE_BYTES:
            raise OverflowError
        if size is not None and self.total + size > MAX_SOURCES_TOTAL_BYTES:
            raise _TooMuchSource
        if size is None:
            data = read()
        else:  # what stat said, and more if the file grew since (up to one past the limit)
            data = read(size + 1)
            if len(data) > size:
                data += read(MAX_SOURCE_BYTES + 1 - len(data))
        got = len(data)  # what was read, not what stat said: the file may have grown
        if got > MAX_SOURCE_BYTES:
            raise OverflowError
        if self.total + got > MAX_SOURCES_TOTAL_BYTES:
            raise _TooMuchSource
        self.total += got
        text = self._texts[key] = data.decode("utf-8") if isinstance(data, bytes) else data
        return text


def _read_in_steps(path: Path, size: int, steps: _Progress) -> bytes:
    """path.read_bytes(), in chunks, reporting progress and checking for cancellation."""
    chunk = max(1 << 20, _ceil_div(size, _READ_REPORTS))
    parts = []
    got = 0
    with path.open("rb") as f:
        while part := f.read(chunk):
            parts.append(part)
            got += len(part)
            steps.within(0, _READ, got, size)
    return b"".join(parts)


def _scan_top_object(text: str, every: int, objects: _Objects) -> Iterator[int]:
    """Parse `text` like json.loads, for a document that is an object, yielding now and then
    the position reached; returns the document. The elements of the object's lists (such as
    `events`) are parsed one by one, so that a background thread lets go of the interpreter
    lock between them (json.loads holds it throughout) and can be cancelled.

    Raises ValueError or IndexError at anything unexpected: the caller then leaves the document
    to json.loads, so that every message is json's own.
    """
    scan = JSONDecoder(object_pairs_hook=objects).scan_once
    space = _JSON_SPACE.match

    def value(i: int) -> tuple[Any, int]:
        try:
            return scan(text, i)
        except StopIteration:  # json's way to say "no value here"
            raise ValueError(i) from None

    mark = every
    i = space(text, 0).end()
    if text[i] != "{":
        raise ValueError(i)
    doc: dict[str, Any] = {}
    i = space(text, i + 1).end()
    if text[i] == "}":
        i += 1
    else:
        while True:
            if text[i] != '"':
                raise ValueError(i)
            key, i = scanstring(text, i + 1, True)
            if key in doc:  # json.loads (with the hook) finds it again and says where
                raise ValueError(i)
            i = space(text, i).end()
            if text[i] != ":":
                raise ValueError(i)
            i = space(text, i + 1).end()
            if text[i] == "[":
                items: list[Any] = []
                i = space(text, i + 1).end()
                if text[i] == "]":
                    i += 1
                else:
                    while True:
                        item, i = value(i)
                        items.append(item)
                        if i >= mark:
                            mark = i + every
                            yield i
                        i = space(text, i).end()
                        if text[i] == "]":
                            i += 1
                            break
                        if text[i] != ",":
                            raise ValueError(i)
                        i = space(text, i + 1).end()
                doc[key] = items
            else:
                doc[key], i = value(i)
            i = space(text, i).end()
            if text[i] == "}":
                i += 1
                break
            if text[i] != ",":
                raise ValueError(i)
            i = space(text, i + 1).end()
    if space(text, i).end() != len(text):
        raise ValueError(i)
    return doc


def _parse_json_in_steps(text: str, steps: _Progress, objects: _Objects) -> Any:
    """json.loads(text), reporting progress and checking for cancellation as it goes."""
    parser = _scan_top_object(text, _ceil_div(len(text), _PARSE_REPORTS), objects)
    while True:
        try:
            at = next(parser)
        except StopIteration as end:
            return end.value
        except (ValueError, IndexError, RecursionError):
            break
        # Outside the try: what the hook raises (LoadCancelled) is not a parsing problem.
        steps.within(_READ, _PARSE, at, len(text))
    return json.loads(text, object_pairs_hook=objects)


def load_timeline(
    path: str | Path,
    *,
    root: str | Path | None = None,
    read_source: Callable[[Path], str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: CancelFlag | None = None,
) -> Timeline:
    """Load and check the timeline file at `path`.

    Source files are resolved relative to the timeline's folder and must stay inside `root`
    (by default that folder); `read_source(resolved_path)`, if given, reads them instead of the
    loader's own race-free reader. Structural problems raise TimelineError; a quote that is not
    found in its source is kept, with a warning on its event. Everything cheap (structure, ids,
    dates, references) is checked before any quote is searched for, and the limits in
    viewer.model.limits bound the work a file can cause.

    `progress(done, total)`, if given, is called from the loading thread with `done` never
    decreasing: once at the start, at most about 200 times in all, and last with done == total
    when the timeline is ready. `cancel` (a threading.Event, say) is checked at the same points;
    once it is set, the load raises LoadCancelled.
    """
    path = Path(path)
    steps = _Progress(progress, cancel)
    steps.at(0)
    hooked = progress is not None or cancel is not None
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise TimelineError(path, "", "is not a file")
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            raise TimelineError(path, "", f"is {size / 1048576:.0f} MB; the limit is {limit} MB")
        raw = _read_in_steps(path, size, steps) if hooked else path.read_bytes()
    except FileNotFoundError:
        raise TimelineError(path, "", "file not found") from None
    except PermissionError:
        raise TimelineError(path, "", "permission denied") from None
    except OSError as exc:
        raise TimelineError(path, "", exc.strerror or str(exc)) from None
    return _parse(raw, path, root, read_source, steps)


def parse_timeline(
    raw: bytes,
    path: Path,
    *,
    root: str | Path | None = None,
    read_source: Callable[[Path], str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: CancelFlag | None = None,
) -> Timeline:
    """Check the bytes of a timeline file that lives at `path` (see load_timeline)."""
    return _parse(raw, path, root, read_source, _Progress(progress, cancel))


def _parse(
    raw: bytes,
    path: Path,
    root: str | Path | None,
    read_source: Callable[[Path], str] | None,
    steps: _Progress,
) -> Timeline:
    steps.at(_READ)
    files = _SourceFiles(Path(root) if root is not None else path.parent, read_source)
    timeline = _parse_fast(raw, path, files, steps)
    if timeline is not None:
        return timeline
    return _parse_checked(raw, path, files, steps)


def _parse_checked(raw: bytes, path: Path, files: _SourceFiles, steps: _Progress) -> Timeline:
    """The hand-written path: reads any file, and says what its first problem is."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise TimelineError(
            path, "line 1", "starts with a byte-order mark; save it as UTF-8 without BOM"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TimelineError(path, f"line {line}", "is not valid UTF-8 text") from None
    if not text.strip():
        raise TimelineError(path, "", "is empty")
    objects = _Objects()
    try:
        if steps.report is None and steps.cancel is None:
            doc = json.loads(text, object_pairs_hook=objects)
        else:
            doc = _parse_json_in_steps(text, steps, objects)
    except json.JSONDecodeError as exc:
        raise TimelineError(
            path, f"line {exc.lineno} column {exc.colno}", f"not valid JSON ({exc.msg})"
        ) from None
    except RecursionError:
        raise _too_deep(path, text) from None
    except ValueError as exc:  # an integer longer than Python will convert
        raise _not_json(path, text, exc) from None
    if objects.duplicated:
        duplicate = _duplicate(path, doc)
        if duplicate is not None:
            raise duplicate
    r = _Reader(path)
    r.obj(doc, "", _TOP_KEYS, ("version", "title", "sources", "events"))
    title, description, categories, sources = _read_head(r, doc, path, files, steps)
    events = _read_events(r, doc, sources, categories, steps)
    return _finish(steps, title, description, sources, categories, tuple(events), path)


def _finish(
    steps: _Progress,
    title: str,
    description: str,
    sources: dict[str, Source],
    categories: dict[str, Category],
    events: tuple[Event, ...] | EventStore,
    path: Path,
) -> Timeline:
    """The timeline, with its progress reported on either side of putting it together."""
    steps.at(_EVENTS)
    timeline = Timeline(
        title=title,
        description=description,
        sources=sources,
        categories=categories,
        events=events,
        path=path,
    )
    steps.at(PROGRESS_TOTAL)
    return timeline


def _read_head(
    r: _Reader,
    doc: dict,
    path: Path,
    files: _SourceFiles,
    steps: _Progress,
) -> tuple[str, str, dict[str, Category], dict[str, Source]]:
    """Everything but the events: title, description, categories and sources (read in)."""
    version = doc["version"]
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise r.fail(
            "version",
            f"{_shown(version)} is not a version this app reads (it reads {FORMAT_VERSION})",
        )
    title = r.text(doc, "title", "")
    description = r.text(doc, "description", "", required=False, empty=True)
    categories = _read_categories(r, doc)
    steps.at(_PARSE)
    sources = _read_sources(r, doc, path.parent, files, steps)
    return title, description, categories, sources


def _parse_fast(raw: bytes, path: Path, files: _SourceFiles, steps: _Progress) -> Timeline | None:
    """The timeline, if the file has no problem at all, read at C speed by viewer.model.bulk;
    else None, and the hand-written path reads it again to say what the problem is. Nothing
    msgspec raises gets out: any of it means "read it the other way"."""
    key = column_cache.file_key(raw)
    if key is not None and (entry := column_cache.lookup(key)) is not None:
        timeline = _parse_cached(raw, path, files, steps, entry)
        if timeline is not None:
            return timeline
    top = bulk.decode_top(raw)
    if top is None:
        return None
    doc, raw_events = top
    try:
        title, description, categories, sources = _read_head(_Reader(path), doc, path, files, steps)
    except TimelineError:
        return None

    def progress(i: int, n: int) -> None:
        steps.within(_SOURCES, _EVENTS, i, n)

    try:
        kept: list[column_cache.Entry] = []
        keep = kept.append if key is not None else None
        store = bulk.read_events(raw, doc, raw_events, sources, categories, progress, keep)
    except bulk.SearchTooLong as exc:
        raise _search_too_long(path, *exc.args) from None
    except bulk.REFUSED:  # msgspec's own errors never get out: the other path explains
        return None
    if store is None:
        return None
    timeline = _finish(steps, title, description, sources, categories, store, path)
    if kept and key is not None:
        # The event index is made here, in the loading thread, to be kept with the columns.
        kept[0].index = timeline.index.parts(joined=False)
        column_cache.write(key.value(), kept[0])
    return timeline


def _parse_cached(
    raw: bytes,
    path: Path,
    files: _SourceFiles,
    steps: _Progress,
    entry: column_cache.Entry,
) -> Timeline | None:
    """The timeline of bytes read before, from the columns their reading left in the cache
    (the head and the sources are read again); None if the entry does not fit."""
    doc = bulk.decode_head(raw)
    if doc is None:
        return None
    try:
        title, description, _, sources = _read_head(_Reader(path), doc, path, files, steps)
    except TimelineError:
        return None
    made = bulk.store_from_cache(raw, entry, sources)
    if made is None:
        return None
    store, categories = made
    column_cache.touch(entry.name)
    return _finish(steps, title, description, sources, categories, store, path)


def _search_too_long(path: Path, event: int, citation: int) -> TimelineError:
    return TimelineError(
        path,
        f"events[{event}].citations[{citation}].quote",
        f"the quotes need more than {MAX_SEARCH_CHARS:,} characters of the sources searched "
        "(the limit; see Limits in docs/format.md)",
    )


def _read_categories(r: _Reader, doc: dict) -> dict[str, Category]:
    categories: dict[str, Category] = {}
    items = r.array(doc, "categories", "", required=False)
    if len(items) > MAX_CATEGORIES:
        raise r.fail("categories", f"{len(items):,} categories; the limit is {MAX_CATEGORIES:,}")
    for i, item in enumerate(items):
        loc = f"categories[{i}]"
        r.obj(item, loc, _CATEGORY_KEYS, ("id", "label"))
        cid = r.text(item, "id", loc)
        if cid in categories:
            raise r.fail(f"{loc}.id", f"duplicate category id {_shown(cid)}")
        color = r.text(item, "color", loc, required=False) or PALETTE[i % len(PALETTE)]
        if not _COLOR.match(color):
            raise r.fail(f"{loc}.color", f"{_shown(color)} is not a colour like '#0072B2'")
        categories[cid] = Category(cid, r.text(item, "label", loc), color)
    return categories


def _read_sources(
    r: _Reader,
    doc: dict,
    base: Path,
    files: _SourceFiles,
    steps: _Progress,
) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    items = r.array(doc, "sources", "")
    if len(items) > MAX_SOURCES:
        raise r.fail("sources", f"{len(items):,} sources; the limit is {MAX_SOURCES:,}")
    # Every entry is checked before any file is opened: a bad last entry costs no reading.
    entries = []
    for i, item in enumerate(items):
        loc = f"sources[{i}]"
        r.obj(item, loc, _SOURCE_KEYS, ("id", "title"))
        sid = r.text(item, "id", loc)
        if sid in sources:
            raise r.fail(f"{loc}.id", f"duplicate source id {_shown(sid)}")
        # A source with a `url` and no `file` is a link only: no text to quote from.
        link_only = "file" not in item and bool(item.get("url"))
        name = "" if link_only else r.text(item, "file", loc)
        sources[sid] = Source(
            id=sid,
            file=name,
            title=r.text(item, "title", loc),
            description=r.text(item, "description", loc, required=False, empty=True),
            text="",
            url=r.text(item, "url", loc, required=False, empty=True),
            outlet=r.text(item, "outlet", loc, required=False, empty=True),
            author=r.text(item, "author", loc, required=False, empty=True),
            published=_read_published(r, item, loc),
        )
        if not link_only:
            entries.append((sid, name))
    every = _ceil_div(len(items), _SOURCE_REPORTS)
    for i, (sid, name) in enumerate(entries):
        if i % every == 0:
            steps.within(_PARSE, _SOURCES, i, len(items))
        where = f"source {_shown(sid)}"
        shown_name = _shown(name)
        resolved = _resolve_inside(files.root, base, name)
        if isinstance(resolved, str):
            raise r.fail(where, f"file {shown_name} {resolved}")
        try:
            text = files.read(resolved)
        except FileNotFoundError:
            raise r.fail(where, f"file {shown_name} not found") from None
        except IsADirectoryError:
            raise r.fail(where, f"file {shown_name} is a folder, not a file") from None
        except UnicodeDecodeError:
            raise r.fail(where, f"file {shown_name} is not UTF-8 text") from None
        except OverflowError:
            limit = MAX_SOURCE_BYTES // (1024 * 1024)
            raise r.fail(where, f"file {shown_name} is larger than {limit} MB") from None
        except _TooMuchSource:
            limit = MAX_SOURCES_TOTAL_BYTES // (1024 * 1024)
            raise r.fail(
                where,
                f"file {shown_name} takes the source files read over {limit} MB in all (the limit)",
            ) from None
        except _SymlinkOnPath:
            raise r.fail(
                where, f"file {shown_name} changed as it was opened (a link appeared on its path)"
            ) from None
        except OSError as exc:
            raise r.fail(
                where, f"file {shown_name} cannot be read ({exc.strerror or exc})"
            ) from None
        sources[sid] = dataclasses.replace(sources[sid], text=text)
    return sources


def _read_events(
    r: _Reader,
    doc: dict,
    sources: dict[str, Source],
    categories: dict[str, Category],
    steps: _Progress,
) -> list[Event]:
    """The events, checked in two passes: first everything cheap (fields, ids, dates,
    categories, references), then the quote searches, which are the costly part."""
    items = r.array(doc, "events", "")
    if not items:
        raise r.fail("events", "the timeline has no events")
    seen: set[str] = set()
    checked: list[tuple[dict, str, DateSpan, list[tuple[str, str]], tuple[str, ...]]] = []
    pending_disputes: list[tuple[str, str, str]] = []
    every = _ceil_div(len(items), _EVENT_REPORTS)
    for i, item in enumerate(items):
        if i % every == 0:
            steps.within(_SOURCES, (_SOURCES + _EVENTS) // 2, i, len(items))
        loc = f"events[{i}]"
        r.obj(item, loc, _EVENT_KEYS, ("id", "title", "date", "category", "citations"))
        eid = r.text(item, "id", loc)
        if eid in seen:
            raise r.fail(f"{loc}.id", f"duplicate event id {_shown(eid)}")
        seen.add(eid)
        when = _read_span(r, item, loc)
        category = r.text(item, "category", loc)
        if category not in categories:
            if len(categories) >= MAX_CATEGORIES:
                raise r.fail(
                    f"{loc}.category",
                    f"{_shown(category)} would be category {len(categories) + 1:,}; "
                    f"the limit is {MAX_CATEGORIES:,}",
                )
            categories[category] = Category(
                category, category, PALETTE[len(categories) % len(PALETTE)]
            )
        cited = _read_citations(r, item, loc, sources)
        disputed_by = []
        for j, other in enumerate(r.array(item, "disputed_by", loc, required=False)):
            if not isinstance(other, str):
                where = f"{loc}.disputed_by[{j}]"
                raise r.fail(where, f"expected an event id, found {_type_name(other)}")
            disputed_by.append(other)
            pending_disputes.append((f"{loc}.disputed_by[{j}]", other, eid))
        r.text(item, "title", loc)
        r.text(item, "summary", loc, required=False)
        r.text(item, "note", loc, required=False, empty=True)
        checked.append((item, eid, when, cited, tuple(disputed_by)))
    for where, other, eid in pending_disputes:
        if other not in seen:
            raise r.fail(where, f"no event has the id {_shown(other)}")
        if other == eid:
            raise r.fail(where, "an event cannot dispute itself")
    search = QuoteSearch(sources, MAX_SEARCH_CHARS)
    events: list[Event] = []
    for i, (item, eid, when, cited, disputed_by) in enumerate(checked):
        if i % every == 0:
            steps.within((_SOURCES + _EVENTS) // 2, _EVENTS, i, len(items))
        citations: list[Citation] = []
        warnings: list[str] = []
        for j, (sid, quote) in enumerate(cited):
            if not quote:  # a link only: nothing quoted, nothing to find
                citations.append(Citation(sid, "", None))
                continue
            try:
                citation, warning = locate(sources, j, sid, quote, search)
            except SearchTooLong:
                raise _search_too_long(r.file, i, j) from None
            citations.append(citation)
            if warning:
                warnings.append(warning)
        events.append(
            Event(
                id=eid,
                title=item["title"],
                when=when,
                category=item["category"],
                summary=item.get("summary", ""),
                citations=tuple(citations),
                note=item.get("note", ""),
                disputed_by=disputed_by,
                warnings=tuple(warnings),
            )
        )
    return events


def _read_published(r: _Reader, item: dict, loc: str) -> PartialDate | None:
    """A source's `published` date: one date at its precision (no range, no circa), or None."""
    if "published" not in item:
        return None
    value = item["published"]
    if not isinstance(value, str):
        raise r.fail(f"{loc}.published", f"expected a date string, found {_type_name(value)}")
    try:
        return parse_date(value)
    except DateError as exc:
        raise r.fail(f"{loc}.published", str(exc)) from None


def _read_span(r: _Reader, item: dict, loc: str) -> DateSpan:
    dates = []
    for key in ("date", "end"):
        if key not in item:
            dates.append(None)
            continue
        value = item[key]
        if not isinstance(value, str):
            raise r.fail(f"{loc}.{key}", f"expected a date string, found {_type_name(value)}")
        try:
            dates.append(parse_when(value))
        except DateError as exc:
            raise r.fail(f"{loc}.{key}", str(exc)) from None
    try:
        return DateSpan(dates[0], dates[1])
    except DateError as exc:
        raise r.fail(f"{loc}.end", str(exc)) from None


def _read_citations(
    r: _Reader, item: dict, loc: str, sources: dict[str, Source]
) -> list[tuple[str, str]]:
    """The (source id, quote) of each citation, checked; the quotes are searched for later."""
    raw = r.array(item, "citations", loc)  # empty: the event cites nothing (uncited)
    cited: list[tuple[str, str]] = []
    for j, cit in enumerate(raw):
        cloc = f"{loc}.citations[{j}]"
        r.obj(cit, cloc, _CITATION_KEYS, ("source",))
        sid = r.text(cit, "source", cloc)
        if sid not in sources:
            raise r.fail(f"{cloc}.source", f"no source has the id {_shown(sid)}")
        if sources[sid].file:
            cited.append((sid, r.text(cit, "quote", cloc)))
            continue
        # A link only: it points at the source, quoting nothing (there is no text to check).
        if r.text(cit, "quote", cloc, required=False, empty=True):
            raise r.fail(
                f"{cloc}.quote",
                f"source {_shown(sid)} is a link only (no file): there is no text to quote from",
            )
        cited.append((sid, ""))
    return cited
