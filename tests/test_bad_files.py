"""The bad-file corpus (tests/data/bad/): every untrusted file gets its exact one-line message.

Each case is checked three ways: the loader's TimelineError, the command line (one line on
stderr, exit 1, no traceback), and the window (a dialog with the message; the timeline on show
stays). The corpus is used from a copy, into which the test puts what cannot be committed: a
sparse 200 MB file, symbolic links and a named pipe. While a case loads, every file opened is
recorded, to show that nothing outside the timeline's folder is read.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QSizeF, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from window_state import what_is_shown

from viewer import app as viewer_app
from viewer.export import export_timeline, plan_export
from viewer.model.loader import MAX_FILE_BYTES, TimelineError, load_timeline
from viewer.model.text import isolate
from viewer.render import MAX_LABEL_PX, SCREEN, TimelineRenderer

CORPUS = Path(__file__).parent / "data" / "bad"
CASES = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))
ERRORS: dict[str, str] = CASES["errors"]
LOADS: dict[str, dict] = CASES["loads"]
TOO_LARGE = 200 * 1024 * 1024

pytestmark = pytest.mark.skipif(
    not hasattr(os, "mkfifo") or not hasattr(os, "symlink"), reason="needs POSIX links and pipes"
)


def expected(name: str, path: Path) -> str:
    limit = str(MAX_FILE_BYTES // (1024 * 1024))
    return ERRORS[name].replace("{file}", str(path)).replace("{limit}", limit)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A copy of tests/data/bad, with the entries of cases.json's `made_by_the_test` added."""
    root = tmp_path_factory.mktemp("corpus")
    folder = root / "bad"
    shutil.copytree(CORPUS, folder)
    (root / "outside").mkdir()
    (root / "outside" / "secret.txt").write_text("It opened again in June 2021", encoding="utf-8")
    (folder / "loop.txt").symlink_to("loop.txt")
    (folder / "link-outside.txt").symlink_to(Path("..") / "outside" / "secret.txt")
    os.mkfifo(folder / "fifo.txt")
    with open(folder / "too-large.json", "wb") as f:
        os.truncate(f.fileno(), TOO_LARGE)  # sparse: takes no room on disk
    made = {p.name for p in folder.iterdir()} - {p.name for p in CORPUS.iterdir()}
    assert made == set(CASES["made_by_the_test"])
    return folder


class OpenedFiles:
    """Records every file opened through open() / io.open() (which Path.open uses)."""

    def __init__(self, monkeypatch) -> None:
        self.paths: list[Path] = []
        real = io.open

        def spy(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)):
                self.paths.append(Path(file))
            return real(file, *args, **kwargs)

        monkeypatch.setattr(io, "open", spy)
        monkeypatch.setattr(builtins, "open", spy)

    def outside(self, folder: Path) -> list[Path]:
        inside = folder.resolve()
        return [p for p in self.paths if not p.resolve().is_relative_to(inside)]


@pytest.fixture
def opened(monkeypatch) -> OpenedFiles:
    return OpenedFiles(monkeypatch)


# --- the corpus itself --------------------------------------------------------------------------


def test_every_case_file_has_its_message_and_every_message_its_file():
    committed = {p.name for p in CORPUS.glob("*.json")} - {"cases.json"}
    listed = set(ERRORS) | set(LOADS)
    made = {n for n in CASES["made_by_the_test"] if n.endswith(".json")}
    assert listed == committed | made
    assert not set(ERRORS) & set(LOADS)
    assert len(ERRORS) >= 80
    for name, message in ERRORS.items():
        assert message.startswith("{file}: "), name
        assert "\n" not in message and len(message) < 400, name


def test_the_large_files_are_what_they_claim(corpus):
    deep = (CORPUS / "deep-nesting.json").read_text(encoding="utf-8")
    assert "[" * 100_000 + "]" * 100_000 in deep
    assert (corpus / "too-large.json").stat().st_size == TOO_LARGE > MAX_FILE_BYTES
    title = json.loads((CORPUS / "long-title.json").read_text(encoding="utf-8"))["events"][0]
    assert len(title["title"]) == 10_000


# --- the loader ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_the_loader_refuses_each_bad_file_with_its_message(corpus, opened, name):
    path = corpus / name
    with pytest.raises(TimelineError) as info:  # and nothing else: no crash of any other kind
        load_timeline(path)
    assert str(info.value) == expected(name, path)
    assert opened.outside(corpus) == []


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_with_progress_and_cancel_hooks_the_message_is_the_same(corpus, name):
    # The window loads with both hooks, which takes another way through the JSON parser.
    path = corpus / name
    with pytest.raises(TimelineError) as info:
        load_timeline(path, progress=lambda done, total: None, cancel=FlagNeverSet())
    assert str(info.value) == expected(name, path)


class FlagNeverSet:
    def is_set(self) -> bool:
        return False


@pytest.mark.parametrize("hooked", [False, True])
def test_a_file_over_the_size_limit_is_never_opened(corpus, opened, hooked):
    path = corpus / "too-large.json"
    hooks = {"progress": lambda done, total: None} if hooked else {}
    with pytest.raises(TimelineError) as info:
        load_timeline(path, **hooks)
    assert str(info.value) == expected("too-large.json", path)
    assert str(info.value).startswith(f"{path}: is 200 MB; the limit is ")
    assert path not in opened.paths
    assert opened.paths == []


def test_a_symlink_out_of_the_folder_is_refused_before_anything_is_read(corpus, opened):
    secret = (corpus.parent / "outside" / "secret.txt").resolve()
    for name in ("path-symlink-outside.json", "path-parent-passwd.json", "path-absolute.json"):
        with pytest.raises(TimelineError):
            load_timeline(corpus / name)
    assert secret not in [p.resolve() for p in opened.paths]
    assert [p.name for p in opened.paths] == [
        "path-symlink-outside.json",
        "path-parent-passwd.json",
        "path-absolute.json",
    ]


@pytest.mark.parametrize("name", sorted(LOADS))
def test_the_cases_that_load(corpus, opened, name):
    timeline = load_timeline(corpus / name)
    assert len(timeline.events) == LOADS[name]["events"]
    warnings = {e.id: list(e.warnings) for e in timeline.events if e.warnings}
    assert warnings == LOADS[name]["warnings"]
    assert opened.outside(corpus) == []


def test_year_1_and_year_9999_are_placed_on_their_own_days(corpus):
    early = load_timeline(corpus / "year-1.json")
    assert [e.when.label() for e in early.events] == ["1", "4 Mar 1"]
    late = load_timeline(corpus / "year-9999.json")
    assert [e.when.label() for e in late.events] == ["9999", "31 Dec 9999"]
    assert late.events[1].end == late.events[0].end  # both end with the calendar


# --- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_the_command_line_prints_one_line_and_exits_1(corpus, capfd, qapp, name):
    # main() in this process, for every case; a few cases run as real processes below.
    out = corpus.parent / "out.png"
    path = corpus / name
    assert viewer_app.main(["--export", str(out), str(path)]) == 1
    captured = capfd.readouterr()
    assert captured.out == ""
    assert captured.err == f"timeline-viewer: {expected(name, path)}\n"
    assert not out.exists()


SUBPROCESS_CASES = [
    "deep-nesting.json",
    "too-large.json",
    "not-utf8.json",
    "huge-integer.json",
    "unknown-field-odd-name.json",
    "date-april-31.json",
    "source-symlink-loop.json",
    "source-nul-in-name.json",
    "path-symlink-outside.json",
    "path-unc.json",
]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_the_command_line_as_a_process(corpus, name):
    path = corpus / name
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # the export must pick the offscreen platform itself
    result = subprocess.run(
        [sys.executable, "-m", "viewer", "--export", str(corpus.parent / "o.png"), str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"timeline-viewer: {expected(name, path)}"]


# --- the window ---------------------------------------------------------------------------------


def open_through_the_menu(qtbot, window, monkeypatch, path: Path) -> None:
    """File → Open, choosing `path` in the (mocked) file dialog; waits until the load ends."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.open_action.trigger()
    qtbot.waitUntil(lambda: not window.is_loading(), timeout=30_000)


def test_the_window_shows_each_message_and_keeps_its_timeline(qtbot, window, corpus, monkeypatch):
    qtbot.keyClick(window.view, Qt.Key.Key_End)
    before = what_is_shown(window)
    assert before[2] is not None
    wrong: list[str] = []
    for name in sorted(ERRORS):
        path = corpus / name
        previous = window.last_error
        open_through_the_menu(qtbot, window, monkeypatch, path)
        box = window.last_error
        if box is previous or box is None:
            wrong.append(f"{name}: no dialog")
            continue
        if not box.isVisible() or box.windowTitle() != "Cannot open timeline":
            wrong.append(f"{name}: no visible 'Cannot open timeline' dialog")
        want = expected(name, path)
        if want.startswith(str(path)):  # the window isolates the path (it may hold bidi controls)
            want = isolate(str(path)) + want[len(str(path)) :]
        if box.text() != want:
            wrong.append(f"{name}: {box.text()!r}")
        if what_is_shown(window) != before:
            wrong.append(f"{name}: the timeline on show changed")
        box.close()
        qtbot.waitUntil(lambda b=box: not b.isVisible())
    assert wrong == []
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert not [box for box in boxes if box.isVisible()]


def test_a_10000_character_title_is_drawn_elided(qtbot, window, corpus, monkeypatch, tmp_path):
    path = corpus / "long-title.json"
    title = json.loads(path.read_text(encoding="utf-8"))["events"][0]["title"]
    open_through_the_menu(qtbot, window, monkeypatch, path)
    assert window.last_error is None
    assert window.view.timeline.path == path
    qtbot.keyClick(window.view, Qt.Key.Key_Home)
    event = window.view.timeline.events[window.view.selected_index]
    assert event.title == title

    # On screen: the label is elided to MAX_LABEL_PX (its box allows for the bold of selection).
    view = window.view
    frame = view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)
    _marker, label = view.renderer.event_rects(view.selected_index, view.scale, frame)
    assert 100 < label.width() <= 1.25 * MAX_LABEL_PX  # measured in bold, so that selecting fits

    # In an export, read back: the label drawn is a short prefix of the title, ending in "…".
    svg = tmp_path / "long.svg"
    export_timeline(window.view.timeline, svg)
    texts = [
        "".join(e.itertext()) for e in ET.parse(svg).getroot().iter() if e.tag.endswith("text")
    ]
    labels = [t for t in texts if t.startswith("The bridge was closed and")]
    assert len(labels) == 1
    assert labels[0].endswith("…") and 20 < len(labels[0]) < 200
    assert title.startswith(labels[0][:-1])


def test_a_10000_character_title_is_cut_and_wrapped_in_the_panel_without_growing_the_window(
    qtbot, window, corpus, monkeypatch
):
    path = corpus / "long-title.json"
    title = json.loads(path.read_text(encoding="utf-8"))["events"][0]["title"]
    open_through_the_menu(qtbot, window, monkeypatch, path)
    size = window.size()
    qtbot.keyClick(window.view, Qt.Key.Key_Home)
    panel_title = window.panel.title
    # Its start shows, wrapped; the whole of it is a click away (tests/test_trust_panel.py).
    assert panel_title.text().endswith("…")
    assert title.startswith(panel_title.text()[:-1])
    assert len(panel_title.text()) >= 200
    assert window.panel.show_all_button.isVisible()
    assert panel_title.wordWrap()
    for _ in range(5):  # let the layouts settle (they post their requests to each other)
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    assert panel_title.height() > 3 * panel_title.fontMetrics().height()
    assert panel_title.width() <= window.panel.width()
    assert window.panel.citation_list.isVisible()
    assert window.size() == size


@pytest.mark.parametrize(("name", "years"), [("year-1.json", "1"), ("year-9999.json", "9999")])
def test_year_1_and_year_9999_are_drawn(qapp, corpus, tmp_path, name, years):
    timeline = load_timeline(corpus / name)
    renderer = TimelineRenderer(timeline)
    plan = plan_export(renderer, 1600)
    svg = tmp_path / "t.svg"
    export_timeline(timeline, svg, width=1600, renderer=renderer)
    texts = [
        "".join(e.itertext()) for e in ET.parse(svg).getroot().iter() if e.tag.endswith("text")
    ]
    # Both events and their year on the axis are in the picture...
    assert "Bridge closed" in texts and "Bridge opened" in texts
    assert years in texts
    # ...and inside it.
    frame = renderer.frame(QSizeF(plan.width, plan.height), plan.deco, plan.scale)
    for i in range(len(timeline.events)):
        marker, label = renderer.event_rects(i, plan.scale, frame)
        assert marker.right() > 0 and marker.left() < plan.width
        assert label.left() >= -1 and label.right() <= plan.width + 1


def test_a_timeline_from_year_1_to_2021_can_be_stepped_end_to_end(qtbot, window, corpus):
    window.open_path(corpus / "years-1-to-2021.json")
    qtbot.waitUntil(lambda: window.view.timeline.path == corpus / "years-1-to-2021.json")
    view = window.view
    for key, index in ((Qt.Key.Key_Home, 0), (Qt.Key.Key_End, 1)):
        qtbot.keyClick(view, key)
        assert view.selected_index == index
        event = view.timeline.events[index]
        marker = view.marker_center(index)
        assert 0 <= marker.x() <= view.width(), event.when.label()


def test_a_timeline_from_year_1_to_2021_opens_with_both_events_in_view(qtbot, window, corpus):
    window.open_path(corpus / "years-1-to-2021.json")
    qtbot.waitUntil(lambda: window.view.timeline.path == corpus / "years-1-to-2021.json")
    view = window.view
    for i in range(2):
        assert 0 <= view.marker_center(i).x() <= view.width()
