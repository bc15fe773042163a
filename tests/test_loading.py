"""Loading in the background: progress, cancelling (button, Esc, a second load), failures.

The loader's hooks are tested without Qt; the window is driven as a user drives it. Where a test
must act while a load is surely still running, a stand-in loader holds the load half way until
the test lets it go, so that no test depends on how fast the machine is.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from window_state import what_is_shown

from viewer import loading
from viewer.model.loader import (
    PROGRESS_TOTAL,
    LoadCancelled,
    TimelineError,
    load_timeline,
    parse_timeline,
)
from viewer.model.text import isolate

BIG = 40_000  # events: enough that a load takes a while even on a fast machine
QUOTES = (
    "the shipment left the northern depot before dawn",
    "the council met again to review the accounts",
    "a second transfer was recorded the following week",
)
SOURCE_TEXT = "Notes from the ledger. " + " Then ".join(QUOTES) + ".\n"


def write_timeline(folder: Path, events: int, name: str = "timeline.json", title: str = "") -> Path:
    """Write a valid timeline of `events` events (docs/format.md) citing `folder/notes.txt`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    first = dt.date(1990, 1, 1)
    doc = {
        "version": 1,
        "title": title or f"{events:,} events",
        "categories": [{"id": "c0", "label": "Ledger", "color": "#0072B2"}],
        "sources": [{"id": "notes", "file": "notes.txt", "title": "Ledger notes"}],
        "events": [
            {
                "id": f"e{i}",
                "title": f"Event {i}",
                "date": (first + dt.timedelta(days=i % 12_000)).isoformat(),
                "category": f"c{i % 3}",
                "summary": "Something was recorded.",
                "citations": [{"source": "notes", "quote": QUOTES[i % len(QUOTES)]}],
            }
            for i in range(events)
        ],
    }
    path = folder / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    return write_timeline(tmp_path_factory.mktemp("big"), BIG, name="big.json")


class Gate:
    """Stands in for viewer.loading.load_timeline_file: a load of a path given to `hold` stops
    half way, after reporting its progress, until `release()` (or until it is cancelled, unless
    it was told to ignore cancelling, as a load that finishes just as it is cancelled would)."""

    def __init__(self, monkeypatch) -> None:
        self.held: dict[Path, bool] = {}
        self.reached = threading.Event()
        self.released = threading.Event()
        real = loading.load_timeline_file

        def load(path, *, progress=None, cancel=None):
            path = Path(path)
            if path not in self.held:
                return real(path, progress=progress, cancel=cancel)
            heed_cancel = self.held[path]

            def hook(done: int, total: int) -> None:
                progress(done, total)
                if 2 * done >= total and not self.released.is_set():
                    self.reached.set()
                    # Bounded, so that a failing test cannot hang the run.
                    for _ in range(6000):
                        if self.released.wait(0.01) or (heed_cancel and cancel.is_set()):
                            break

            return real(path, progress=hook, cancel=cancel if heed_cancel else None)

        monkeypatch.setattr(loading, "load_timeline_file", load)

    def hold(self, path: Path, *, heed_cancel: bool = True) -> None:
        self.held[Path(path)] = heed_cancel

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def gate(monkeypatch):
    g = Gate(monkeypatch)
    yield g
    g.release()


def choose_file(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def open_file(window, monkeypatch, path: Path) -> None:
    """File → Open, choosing `path` in the (mocked) dialog."""
    choose_file(monkeypatch, path)
    window.open_action.trigger()


def wait_until_held(qtbot, window, gate: Gate) -> None:
    qtbot.waitUntil(gate.reached.is_set, timeout=30_000)
    qtbot.waitUntil(lambda: 2 * window.load_bar.value() >= window.load_bar.maximum())


def loading_widgets(window) -> list:
    return [window.load_label, window.load_bar, window.cancel_load_button]


def message_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]


def make_active(qtbot, window) -> None:
    """Shortcuts such as Esc work in the active window, as the user's is when they type (on
    Xvfb, without a window manager, no window is active until asked)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def select_an_event(qtbot, window) -> None:
    for _ in range(3):
        qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.view.selected_index == 2


# --- the loader's hooks, without Qt -------------------------------------------------------------


def test_progress_never_goes_back_and_ends_complete(tmp_path):
    path = write_timeline(tmp_path, 5000)
    calls: list[tuple[int, int]] = []
    timeline = load_timeline(path, progress=lambda done, total: calls.append((done, total)))
    done = [d for d, _ in calls]
    assert {t for _, t in calls} == {PROGRESS_TOTAL}
    assert done[0] == 0
    assert done[-1] == PROGRESS_TOTAL
    assert done == sorted(done)
    assert 10 <= len(calls) <= 200
    assert timeline == load_timeline(path)


@pytest.mark.parametrize("events", [1, 119, 121, 239, 60_000])
def test_the_number_of_progress_calls_is_bounded_for_any_size(tmp_path, events):
    calls = []
    load_timeline(write_timeline(tmp_path, events), progress=lambda d, t: calls.append(d))
    assert len(calls) <= 200
    assert calls[-1] == PROGRESS_TOTAL


@pytest.mark.parametrize("at", [0, 10, 100, 300, 600, 770])
def test_cancelling_raises_load_cancelled(tmp_path, at):
    path = write_timeline(tmp_path, 3000)
    cancel = threading.Event()
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done >= at:
            cancel.set()

    with pytest.raises(LoadCancelled):
        load_timeline(path, progress=progress, cancel=cancel)
    assert seen[-1] < PROGRESS_TOTAL
    assert not issubclass(LoadCancelled, TimelineError)


def test_a_load_cancelled_before_it_starts_reads_nothing(tmp_path):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(LoadCancelled):
        load_timeline(tmp_path / "missing.json", cancel=cancel)
    with pytest.raises(LoadCancelled):
        parse_timeline(b"{}", tmp_path / "t.json", cancel=cancel)


def test_what_the_progress_hook_raises_is_not_taken_for_a_parsing_problem(tmp_path):
    path = write_timeline(tmp_path, 3000)

    def progress(done: int, total: int) -> None:
        if done > 50:  # while the JSON is parsed
            raise ValueError("from the hook")

    with pytest.raises(ValueError, match="from the hook"):
        load_timeline(path, progress=progress)


DOCUMENTS = [
    # Valid JSON, laid out in every way JSON allows; the last of two equal keys wins.
    '\r\n\t{ "version" : 1 , "title":"T","sources" :[ ],\n"events" : [ ] , "title" : "U" }\t\n',
    '{"version":1,"title":"T","sources":[],"events":[{"id":"a"} , {"id":"b"}\n]}',
    '{"version":1,"title":"T","sources":[],"events":[[1, [2]], NaN, -Infinity, null, "x"]}',
    '{"version":1,"title":"T","sources":[],"events":{"id":"a"}}',
    '{"version":1,"title":"T","sources":[],"events":"none"}',
    "{}",
    "[]",
    "[1, 2]",
    '"a string"',
    "3",
    "null",
    # Invalid JSON: each must give json's own message, at json's own place.
    '{"version":1,"events":[1,2,]}',
    '{"version":1,"events":[1 2]}',
    '{"version":1,"events":[1,2}',
    '{"version":1,"events":[',
    '{"version":1,"events":[\n',
    '{"version":1,"events":[]',
    '{"version":1,"events":[],}',
    '{"version":1 "events":[]}',
    '{"version" 1}',
    "{'version': 1}",
    '{"version":1}}',
    '{"version":1} x',
    '{"version":1}\n[]',
    '{"a":"\\x"}',
    '{"a":"tab\there"}',
    '{"a":[1,\n\n  2,\n  oops]}',
    "{",
    "{\n",
    "   x",
    '{"events":' + "[" * 100_000 + "]" * 100_000 + "}",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_with_or_without_hooks_a_document_gives_the_same_result(tmp_path, text):
    path = tmp_path / "t.json"
    path.write_text(text, encoding="utf-8")

    def outcome(**hooks):
        try:
            return load_timeline(path, **hooks)
        except TimelineError as exc:
            return str(exc)

    plain = outcome()
    assert outcome(progress=lambda d, t: None) == plain
    assert outcome(cancel=threading.Event()) == plain


# --- the window ---------------------------------------------------------------------------------


def test_a_large_file_loads_in_the_background_with_progress(qtbot, window, big, monkeypatch):
    values: list[int] = []
    window.load_bar.valueChanged.connect(values.append)
    open_file(window, monkeypatch, big)
    assert window.is_loading()
    assert all(w.isVisible() for w in loading_widgets(window))
    # File names and titles are untrusted: each is shown in a bidi isolate.
    assert window.load_label.text() == f"Loading {isolate('big.json')}… 0%"
    qtbot.waitUntil(lambda: not window.is_loading(), timeout=60_000)

    assert window.view.timeline.path == big
    assert len(window.view.timeline.events) == BIG
    assert window.windowTitle() == f"{isolate(f'{BIG:,} events')} — Timeline viewer"
    assert window.statusBar().currentMessage() == f"Opened {isolate('big.json')} ({BIG:,} events)"
    assert not any(w.isVisible() for w in loading_widgets(window))
    assert window.last_error is None
    assert values == sorted(values)
    assert len(set(values)) >= 10
    assert values[-1] == window.load_bar.maximum()


def test_the_event_index_is_built_in_the_loading_thread(qtbot, window, big, monkeypatch):
    import threading

    from viewer.model import aggregate

    built_in: list[threading.Thread] = []
    real_init = aggregate.EventIndex.__init__

    def spy(self, *args):
        built_in.append(threading.current_thread())
        real_init(self, *args)

    monkeypatch.setattr(aggregate.EventIndex, "__init__", spy)
    open_file(window, monkeypatch, big)
    qtbot.waitUntil(lambda: not window.is_loading(), timeout=60_000)
    assert len(window.view.timeline.events) == BIG
    # Made once, for the new timeline, and not in the window's thread.
    assert len(built_in) == 1
    assert built_in[0] is not threading.main_thread()
    assert window.view.renderer.index is window.view.timeline.index


def test_the_window_answers_while_a_file_loads(qtbot, window, big, gate, monkeypatch):
    gate.hold(big)
    open_file(window, monkeypatch, big)
    wait_until_held(qtbot, window, gate)
    percent = 100 * window.load_bar.value() // window.load_bar.maximum()
    assert 50 <= percent < 100
    assert window.load_label.text() == f"Loading {isolate('big.json')}… {percent}%"

    # The old timeline can still be browsed, zoomed and read.
    old = window.view.timeline
    select_an_event(qtbot, window)
    assert window.panel.title.text() == old.events[2].title
    spp = window.view.scale.spp
    window.zoom_in_action.trigger()
    assert window.view.scale.spp < spp
    assert window.is_loading()

    gate.release()
    qtbot.waitUntil(lambda: not window.is_loading(), timeout=60_000)
    assert len(window.view.timeline.events) == BIG
    assert window.view.selected_index is None
    assert not any(w.isVisible() for w in loading_widgets(window))


@pytest.mark.parametrize("how", ["button", "Esc"])
def test_cancelling_keeps_the_timeline_on_show(qtbot, window, big, gate, monkeypatch, how):
    make_active(qtbot, window)
    select_an_event(qtbot, window)
    before = what_is_shown(window)
    gate.hold(big)
    open_file(window, monkeypatch, big)
    wait_until_held(qtbot, window, gate)

    if how == "button":
        qtbot.mouseClick(window.cancel_load_button, Qt.MouseButton.LeftButton)
    else:
        qtbot.keyClick(window.view, Qt.Key.Key_Escape)

    assert not window.is_loading()
    assert window.statusBar().currentMessage() == (
        f"Loading cancelled; still showing {isolate(before[1].title)}"
    )
    assert not any(w.isVisible() for w in loading_widgets(window))
    # The load's thread stops at its next check; nothing it does afterwards shows.
    qtbot.waitUntil(window.loader.is_idle)
    QApplication.processEvents()
    assert what_is_shown(window) == before  # Esc cancelled the load and left the selection alone
    assert window.last_error is None and message_boxes() == []

    # Once nothing loads, Esc is the view's again: it clears the selection.
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.view.selected_index is None


BAD = {
    "invalid JSON": '{"version": 1, "title": "x",\n "sources": [] "events": []}',
    "unknown field": json.dumps(
        {"version": 1, "title": "x", "sources": [], "events": [], "colour": "#000000"}
    ),
}


@pytest.mark.parametrize("kind", BAD)
def test_a_file_that_fails_shows_why_and_keeps_the_timeline(
    qtbot, window, tmp_path, monkeypatch, kind
):
    path = tmp_path / "bad.json"
    path.write_text(BAD[kind], encoding="utf-8")
    with pytest.raises(TimelineError) as expected:
        load_timeline(path)
    select_an_event(qtbot, window)
    before = what_is_shown(window)

    open_file(window, monkeypatch, path)
    qtbot.waitUntil(lambda: window.last_error is not None)
    box = window.last_error
    assert box.isVisible()
    assert box.windowTitle() == "Cannot open timeline"
    error = expected.value
    assert box.text() == isolate(error.file) + str(error)[len(error.file) :]
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.windowModality() == Qt.WindowModality.WindowModal
    assert what_is_shown(window) == before
    assert not window.is_loading()
    assert not any(w.isVisible() for w in loading_widgets(window))
    box.close()


def test_a_second_load_replaces_the_first(qtbot, window, big, gate, tmp_path, monkeypatch):
    # The first load ignores being cancelled and finishes after the second: as a load that was
    # done just as it was cancelled would. Its result must not show.
    gate.hold(big, heed_cancel=False)
    open_file(window, monkeypatch, big)
    wait_until_held(qtbot, window, gate)
    small = write_timeline(tmp_path / "small", 3, name="small.json", title="Small")
    open_file(window, monkeypatch, small)
    assert window.load_label.text().startswith(f"Loading {isolate('small.json')}… ")
    qtbot.waitUntil(lambda: window.view.timeline.path == small)
    assert window.statusBar().currentMessage() == f"Opened {isolate('small.json')} (3 events)"
    shown = what_is_shown(window)

    gate.release()
    qtbot.waitUntil(window.loader.is_idle, timeout=60_000)
    QApplication.processEvents()
    assert what_is_shown(window) == shown
    assert window.windowTitle() == f"{isolate('Small')} — Timeline viewer"
    assert window.statusBar().currentMessage() == f"Opened {isolate('small.json')} (3 events)"
    assert window.last_error is None and message_boxes() == []


def test_an_unexpected_error_while_loading_is_shown_and_logged(
    qtbot, window, tmp_path, monkeypatch
):
    def broken(path, **hooks):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(loading, "load_timeline_file", broken)
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("viewer").addHandler(handler)
    try:
        before = what_is_shown(window)
        open_file(window, monkeypatch, tmp_path / "t.json")
        qtbot.waitUntil(lambda: window.last_error is not None)
    finally:
        logging.getLogger("viewer").removeHandler(handler)
    text = window.last_error.text()
    path = isolate(str(tmp_path / "t.json"))
    assert text.startswith(f"{path}: unexpected error while loading")
    assert "ZeroDivisionError: a bug" in text
    assert what_is_shown(window) == before
    logged = [r for r in records if r.exc_info]
    assert logged and logged[0].exc_info[0] is ZeroDivisionError
    window.last_error.close()


def test_closing_the_window_while_a_file_loads_stops_the_load(
    qtbot, window, big, gate, monkeypatch
):
    gate.hold(big)
    open_file(window, monkeypatch, big)
    wait_until_held(qtbot, window, gate)
    window.close()
    assert window.loader.is_idle()
