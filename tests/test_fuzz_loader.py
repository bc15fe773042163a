"""Fuzzing the loader: whatever the bytes, it loads them or raises TimelineError, nothing else.

Two kinds of input: arbitrary bytes, and JSON shaped like our format (docs/format.md): a valid
document, then mutated (wrong types, keys missing or added, odd dates and strings, file names
that leave the folder, deep nesting, cut short). Every input must give a Timeline, or a
TimelineError whose message is one line naming the file.

CI runs a fixed, derandomized budget (the "ci" profile, the default). For a longer, random run:

    HYPOTHESIS_PROFILE=deep python -m pytest tests/test_fuzz_loader.py -p no:cacheprovider \
        -o faulthandler_timeout=0

("deep" tries 20,000 inputs a test, about 4 minutes in all; the option stops pytest dumping
the stack of a test that runs past faulthandler_timeout.)
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from viewer.model.loader import TimelineError, parse_timeline
from viewer.model.timeline import Timeline

settings.register_profile(
    "ci",
    max_examples=1000,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
    database=None,  # no .hypothesis folder in the checkout; print_blob replays a failure
)
settings.register_profile(
    "deep",
    max_examples=20_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
    database=None,  # no .hypothesis folder in the checkout; print_blob replays a failure
)
FUZZ = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SOURCE_TEXT = "On 3 May 2021 the bridge was closed for repairs.\nIt opened again in June 2021.\n"
QUOTES = ["the bridge was closed for repairs", "It opened again in June 2021", "bridge"]


@pytest.fixture(scope="module")
def timeline_path(tmp_path_factory) -> Path:
    """Where the fuzzed file "lives": a folder with one good source, one folder, one bad source."""
    folder = tmp_path_factory.mktemp("fuzz") / "timeline"
    folder.mkdir()
    (folder / "source.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "latin1.txt").write_bytes("fermé".encode("latin-1"))
    (folder.parent / "outside.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    return folder / "timeline.json"


def check(raw: bytes, path: Path) -> Timeline | None:
    """Load `raw`; a TimelineError is fine if its message is one line naming the file."""
    try:
        return parse_timeline(raw, path)
    except TimelineError as exc:
        message = str(exc)
        assert message.startswith(f"{path}: ") and len(message) > len(f"{path}: ")
        assert exc.problem.strip()
        assert "\n" not in message and "\r" not in message
        return None


# --- arbitrary bytes ----------------------------------------------------------------------------


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_arbitrary_bytes_load_or_raise_our_error(timeline_path, raw):
    check(raw, timeline_path)


JSON_TOKENS = [b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\", b"1", b"-", b"e", b"null", b" "]


@FUZZ
@given(parts=st.lists(st.sampled_from(JSON_TOKENS) | st.binary(max_size=4), max_size=200))
def test_json_like_bytes_load_or_raise_our_error(timeline_path, parts):
    check(b"".join(parts), timeline_path)


# --- JSON shaped like the format ----------------------------------------------------------------

ids = st.sampled_from(["a", "b", "c", "works", "x"]) | st.text(min_size=1, max_size=8)
texts = st.text(max_size=30) | st.sampled_from(["", "   ", "a\nb", "\u202e", "\ud800", "<b>x</b>"])
good_dates = st.sampled_from(
    ["2021", "2021-05", "2021-05-03", "May 2021", "3 May 2021", "0001", "9999-12-31", "1999-12"]
)
odd_dates = st.sampled_from(
    [
        "2021-13",
        "2022-02-30",
        "April 31 2022",
        "0000",
        "10000",
        "April",
        "3 May 2021 10:00",
        "2021-5-3",
        "٢٠٢١",
        "99999999999999999999",
        "1 2 3 4 5 6 7 8",
        "June " * 50,
        "",
    ]
) | st.text(max_size=20)
dates = good_dates | odd_dates
file_names = st.sampled_from(
    [
        "source.txt",
        "sub/latin1.txt",
        "sub",
        ".",
        "missing.txt",
        "../outside.txt",
        "sub/../../outside.txt",
        "/etc/passwd",
        "C:\\x.txt",
        "C:/x.txt",
        "//server/share/x.txt",
        "source.txt\x00",
        "notes\ud800.txt",
        "a" * 300,
    ]
)
# Any JSON value, a few levels deep.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def events(draw, n: int) -> list[dict]:
    out = []
    for i in range(n):
        event = {
            "id": f"e{i}",
            "title": draw(st.text(min_size=1, max_size=20).filter(str.strip)),
            "date": draw(good_dates),
            "category": draw(st.sampled_from(["works", "news"])),
            "summary": "Something happened.",
            "citations": [
                {"source": "notes", "quote": draw(st.sampled_from(QUOTES))}
                for _ in range(draw(st.integers(1, 2)))
            ],
        }
        if draw(st.booleans()):
            event["note"] = draw(st.text(max_size=10))
        out.append(event)
    return out


@st.composite
def valid_documents(draw) -> dict:
    n = draw(st.integers(1, 6))
    doc = {
        "version": 1,
        "title": draw(st.text(min_size=1, max_size=30).filter(str.strip)),
        "categories": [{"id": "works", "label": "Public works", "color": "#0072B2"}],
        "sources": [{"id": "notes", "file": "source.txt", "title": "Council notes"}],
        "events": draw(events(n)),
    }
    if draw(st.booleans()):
        doc["description"] = draw(st.text(max_size=20))
    return doc


def containers(doc: dict) -> list[tuple[object, object]]:
    """Every (container, key-or-index) in the document, for a mutation to aim at."""
    found: list[tuple[object, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in list(node):
                found.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for i in range(len(node)):
                found.append((node, i))
                walk(node[i])

    walk(doc)
    return found


DEEP = "\x00deep\x00"  # replaced in the text by a deeply nested list


@st.composite
def mutated_documents(draw) -> bytes:
    doc = draw(valid_documents())
    for _ in range(draw(st.integers(1, 4))):
        places = containers(doc)
        container, key = draw(st.sampled_from(places))
        kind = draw(
            st.sampled_from(
                ["value", "text", "date", "file", "delete", "add", "deep", "empty", "copy"]
            )
        )
        if kind == "value":
            container[key] = draw(json_values)
        elif kind == "text":
            container[key] = draw(texts)
        elif kind == "date":
            listed = doc.get("events")
            event = draw(st.sampled_from(listed)) if isinstance(listed, list) and listed else None
            if isinstance(event, dict):
                event[draw(st.sampled_from(["date", "end"]))] = draw(dates)
        elif kind == "file":
            listed = doc.get("sources")
            source = listed[0] if isinstance(listed, list) and listed else None
            if isinstance(source, dict):
                source["file"] = draw(file_names)
        elif kind == "delete":
            del container[key]
        elif kind == "add":
            name = draw(st.sampled_from(["colour", "dat", "extra", "", "title\n", "id"]))
            target = container[key] if isinstance(container[key], dict) else container
            if isinstance(target, dict):
                target[name] = draw(json_values)
        elif kind == "deep":
            container[key] = DEEP
        elif kind == "empty":
            container[key] = draw(st.sampled_from([[], {}, "", None]))
        elif kind == "copy" and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))  # duplicate ids, and such
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()), allow_nan=True)
    depth = draw(st.sampled_from([5, 600, 3000, 100_000]))
    text = text.replace(json.dumps(DEEP), "[" * depth + "]" * depth)
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        raw = raw[: draw(st.integers(0, len(raw)))]  # cut short
    return raw


@FUZZ
@given(raw=mutated_documents())
def test_documents_shaped_like_the_format_load_or_raise_our_error(timeline_path, raw):
    check(raw, timeline_path)


@settings(FUZZ, max_examples=max(FUZZ.max_examples // 5, 1))  # each builds a whole timeline
@given(doc=valid_documents())
def test_a_valid_document_loads_every_event(timeline_path, doc):
    timeline = parse_timeline(json.dumps(doc).encode("utf-8"), timeline_path)
    assert len(timeline.events) == len(doc["events"])
    assert sorted(e.id for e in timeline.events) == sorted(e["id"] for e in doc["events"])
    assert timeline.title == doc["title"]
    assert all(e.warnings == () for e in timeline.events)
