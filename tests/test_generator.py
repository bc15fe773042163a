"""Tests of the benchmark generator, benchmarks/make_timeline.py.

No Qt here. Each file is checked the ways the app and an editor would check it: against the JSON
Schema, and through the loader the app uses. A few thousand events keep every test fast.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from benchmarks.make_timeline import SHAPES, make_timeline
from viewer.model.dates import Precision
from viewer.model.loader import load_timeline
from viewer.model.timeline import Timeline

REPO = Path(__file__).resolve().parents[1]
SCHEMA_FILE = REPO / "resources" / "timeline.schema.json"
EVENTS = 2000
SEED = 7


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("generated")
    return {shape: make_timeline(folder / f"{shape}.json", EVENTS, SEED, shape) for shape in SHAPES}


@pytest.fixture(scope="module")
def loaded(generated: dict[str, Path]) -> dict[str, Timeline]:
    return {shape: load_timeline(path) for shape, path in generated.items()}


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


# -- validity -----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_file_validates_against_the_schema(
    generated: dict[str, Path], validator: Draft202012Validator, shape: str
) -> None:
    doc = json.loads(generated[shape].read_bytes().decode("utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    assert len(doc["events"]) == EVENTS


@pytest.mark.parametrize("shape", SHAPES)
def test_file_loads_with_every_quote_found(loaded: dict[str, Timeline], shape: str) -> None:
    timeline = loaded[shape]
    assert len(timeline.events) == EVENTS
    assert [e.id for e in timeline.events if e.warnings] == []
    assert all(c.found for e in timeline.events for c in e.citations)
    assert sorted(e.id for e in timeline.events) == [f"e{i:07d}" for i in range(1, EVENTS + 1)]


@pytest.mark.parametrize("shape", SHAPES)
def test_dates_come_at_every_precision_and_as_ranges(
    loaded: dict[str, Timeline], shape: str
) -> None:
    events = loaded[shape].events
    single = Counter(e.when.precision for e in events if not e.when.is_range)
    assert set(single) == {Precision.DAY, Precision.MONTH, Precision.YEAR}
    assert single[Precision.DAY] > single[Precision.MONTH] > single[Precision.YEAR]
    ranges = [e for e in events if e.when.is_range]
    assert 0.05 * EVENTS < len(ranges) < 0.15 * EVENTS
    assert {e.when.precision for e in ranges} == {Precision.DAY, Precision.MONTH, Precision.YEAR}
    assert all(e.when.until and e.when.until.start >= e.when.begin.start for e in ranges)
    assert min(e.when.begin.first_day().year for e in events) == 2015
    assert max((e.when.until or e.when.begin).first_day().year for e in events) == 2024


def test_categories_sources_notes_and_disputes(
    generated: dict[str, Path], loaded: dict[str, Timeline]
) -> None:
    timeline = loaded["uniform"]
    assert len(timeline.categories) == 6
    assert {c.id for c in timeline.categories.values()} == {e.category for e in timeline.events}
    assert all(c.color.startswith("#") and len(c.color) == 7 for c in timeline.categories.values())
    assert len(timeline.sources) == 8
    stem = generated["uniform"].stem
    for source in timeline.sources.values():
        assert source.file.startswith(f"{stem}-sources/")
        assert 1000 < len(source.text) < 10_000
    quotes = [c.quote for e in timeline.events for c in e.citations]
    assert all(20 <= len(q) <= 40 for q in quotes)
    assert 0.1 < sum(1 for e in timeline.events if e.summary) / len(timeline.events) < 0.4
    assert any(len(e.citations) == 2 for e in timeline.events)
    assert any(e.note for e in timeline.events)
    ids = {e.id for e in timeline.events}
    disputes = [(e.id, other) for e in timeline.events for other in e.disputed_by]
    assert disputes
    assert all(other in ids and other != eid for eid, other in disputes)
    assert all(12 <= len(e.title) <= 40 for e in timeline.events)
    assert len({e.title for e in timeline.events}) > 0.9 * EVENTS


# -- reproducibility and shape --------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    make_timeline(first / "t.json", 300, seed=5, shape="bursty")
    make_timeline(second / "t.json", 300, seed=5, shape="bursty")
    assert _files(first) == _files(second)
    assert len(_files(first)) == 9  # the timeline and its eight sources, no temporary files

    make_timeline(second / "t.json", 300, seed=6, shape="bursty")  # over the old files
    again = _files(second)
    assert again.keys() == _files(first).keys()
    assert again["t.json"] != _files(first)["t.json"]
    assert again["t-sources/source-01.txt"] != _files(first)["t-sources/source-01.txt"]
    assert len(load_timeline(second / "t.json").events) == 300


def _share_of_busiest_weeks(timeline: Timeline) -> float:
    """The share of day-precision events that start in the busiest 5% of the weeks of 2015–2024.

    Weeks rather than days: at a couple of thousand events most days hold none or one, and the
    busiest 5% of days would hold a quarter of even a uniform spread.
    """
    per_week = Counter(
        e.when.begin.first_day().toordinal() // 7
        for e in timeline.events
        if e.when.begin.precision == Precision.DAY
    )
    busiest = sorted(per_week.values(), reverse=True)[: round(0.05 * 3653 / 7)]
    return sum(busiest) / sum(per_week.values())


def test_bursty_events_crowd_into_a_few_weeks(loaded: dict[str, Timeline]) -> None:
    assert _share_of_busiest_weeks(loaded["bursty"]) >= 0.7
    assert _share_of_busiest_weeks(loaded["uniform"]) < 0.3


def test_unknown_shape_and_no_events_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="shape"):
        make_timeline(tmp_path / "t.json", 10, 1, "spiky")
    with pytest.raises(ValueError, match="at least one event"):
        make_timeline(tmp_path / "t.json", 0, 1)
    assert not (tmp_path / "t.json").exists()


# -- the command line -----------------------------------------------------------------------------


def test_command_line_writes_a_loadable_file(tmp_path: Path) -> None:
    out = tmp_path / "cli.json"
    command = [sys.executable, "-m", "benchmarks.make_timeline"]
    args = ["--events", "500", "--seed", "3", "--shape", "bursty", str(out)]
    done = subprocess.run(
        command + args, cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and str(out) in lines[0] and "500 events" in lines[0], lines
    timeline = load_timeline(out)
    assert len(timeline.events) == 500
    assert not any(e.warnings for e in timeline.events)

    refused = subprocess.run(
        [*command, "--events", "0", str(out)], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2
    assert "positive" in refused.stderr
