"""The column cache (viewer.model.column_cache): a second open of the same bytes gives the same
timeline without checking the events again, and anything that differs reads the file in full.
No Qt."""

from __future__ import annotations

import json
import shutil

import pytest

from benchmarks.make_timeline import make_timeline
from viewer.model import bulk, column_cache
from viewer.model.loader import load_timeline


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder that every file is big enough for."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("TIMELINE_VIEWER_CACHE", str(folder))
    monkeypatch.delenv("TIMELINE_VIEWER_NO_CACHE", raising=False)
    monkeypatch.setattr(column_cache, "MIN_FILE_BYTES", 0)
    return folder


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated timeline (events out of time order, some disputed) whose head lacks one
    category its events use, so that the reading adds it."""
    path = make_timeline(tmp_path_factory.mktemp("cc") / "t.json", 2000, seed=3, shape="bursty")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["categories"] = doc["categories"][1:]
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def beside(generated, folder, name="t.json", text=None):
    """A copy of the generated file (or `text` in its place) with its sources, in `folder`."""
    sources = generated.parent / f"{generated.stem}-sources"
    folder.mkdir(exist_ok=True)
    if not (folder / sources.name).exists():
        shutil.copytree(sources, folder / sources.name)
    path = folder / name
    path.write_text(generated.read_text(encoding="utf-8") if text is None else text, "utf-8")
    return path


def entries(folder):
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def reading_the_events_fails(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the events were read again")

    monkeypatch.setattr(bulk, "read_events", refuse)
    monkeypatch.setattr(bulk, "decode_top", refuse)


def test_a_second_open_reads_the_columns_and_gives_the_same_timeline(cache, generated, monkeypatch):
    first = load_timeline(generated)
    assert len(entries(cache)) == 1
    with monkeypatch.context() as m:
        reading_the_events_fails(m)
        again = load_timeline(generated)
    assert again == first
    assert list(again.categories.values()) == list(first.categories.values())
    assert list(again.events.starts) == list(first.events.starts)
    assert list(again.events.categories) == list(first.events.categories)
    assert again.warned == first.warned == 0
    assert again.events.facts(0, 50) == first.events.facts(0, 50)
    disputed = [e for e in first.events if e.disputed_by]
    assert disputed
    for event in disputed:
        for other in event.disputed_by:
            assert again.disputes_of(other) == first.disputes_of(other)
    for i in range(0, len(first.events), 97):
        assert again.index_of(first.events[i].id) == i
    # The event index comes from the cache too, and answers as the one worked out.
    assert again.events.index_parts is not None
    assert again.index.parts() == first.index.parts()
    t0, t1 = first.extent
    for k in range(20):
        a = t0 + (t1 - t0) * k / 20
        assert again.index.visible(a, a + 86_400 * 3) == first.index.visible(a, a + 86_400 * 3)


def test_changed_bytes_or_sources_read_the_file_in_full(cache, generated, tmp_path):
    load_timeline(generated)
    # The same events in other bytes: another key, read in full.
    load_timeline(beside(generated, tmp_path / "a", text=generated.read_text("utf-8") + "\n"))
    assert len(entries(cache)) == 2
    # A source text changed: its quotes are searched again, and a lost one is a warning.
    local = beside(generated, tmp_path / "b")
    assert load_timeline(local).warned == 0  # the same bytes: from the cache
    assert len(entries(cache)) == 2
    texts = local.parent / f"{generated.stem}-sources"
    victim = sorted(texts.iterdir())[0]
    victim.write_text("Nothing quoted is here any more.", encoding="utf-8")
    assert load_timeline(local).warned > 0


def test_a_damaged_entry_is_ignored(cache, generated):
    first = load_timeline(generated)
    (entry,) = entries(cache)
    data = bytearray((cache / entry).read_bytes())
    data[-10] ^= 0xFF  # one byte of the ids
    (cache / entry).write_bytes(bytes(data))
    assert column_cache.read(entry) is None
    assert load_timeline(generated) == first
    (cache / entry).write_bytes(b"not an entry")
    assert load_timeline(generated) == first


def test_no_entry_for_small_files_warnings_or_when_turned_off(generated, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TIMELINE_VIEWER_CACHE", str(folder))
    load_timeline(generated)  # smaller than MIN_FILE_BYTES
    assert not folder.exists()
    monkeypatch.setattr(column_cache, "MIN_FILE_BYTES", 0)
    monkeypatch.setenv("TIMELINE_VIEWER_NO_CACHE", "1")
    load_timeline(generated)
    assert not folder.exists()
    monkeypatch.delenv("TIMELINE_VIEWER_NO_CACHE")
    doc = json.loads(generated.read_text(encoding="utf-8"))
    doc["events"][0]["citations"][0]["quote"] = "words no source holds"
    warned = beside(generated, tmp_path / "w", text=json.dumps(doc))
    assert load_timeline(warned).warned == 1
    assert not folder.exists() or not entries(folder)


def test_only_the_newest_entries_are_kept(cache, generated, tmp_path):
    text = generated.read_text(encoding="utf-8")
    for k in range(column_cache.KEEP + 2):
        load_timeline(beside(generated, tmp_path / "c", f"t{k}.json", text + " " * k))
    kept = entries(cache)
    assert len(kept) == column_cache.KEEP
    newest = column_cache.file_key((text + " " * (column_cache.KEEP + 1)).encode()).value()
    assert newest in kept


def test_a_file_already_in_time_order_is_cached_too(cache, generated, tmp_path, monkeypatch):
    doc = json.loads(generated.read_text(encoding="utf-8"))
    order = load_timeline(generated).events._order
    doc["events"] = [doc["events"][k] for k in order]
    path = beside(generated, tmp_path / "s", text=json.dumps(doc))
    first = load_timeline(path)
    assert first.events._order is None
    with monkeypatch.context() as m:
        reading_the_events_fails(m)
        again = load_timeline(path)
    assert again.events._order is None
    assert again == first


def test_without_a_digest_nothing_is_kept_or_read(cache, generated, monkeypatch):
    def broken(data=b""):
        raise ValueError("no digest here")

    monkeypatch.setattr(column_cache, "_digest", broken)
    first = load_timeline(generated)
    assert not cache.exists() or not entries(cache)
    assert load_timeline(generated) == first


@pytest.mark.parametrize("step", [1, 2, 7, 1 << 20])
def test_kept_ids_are_hashed_a_piece_at_a_time_as_a_whole(step):
    ids = ["e1", "évènement", "x" * 40, "日本語", "last"]
    blob = ("\0".join(ids) + "\0").encode("utf-8")
    assert list(bulk._id_hashes(blob, step)) == [hash(i) for i in ids]
