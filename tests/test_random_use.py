"""Random use of the window: thousands of random user actions, and the invariants after each.

The real main window is driven as a user would drive it, through real Qt events: clicks (left,
right, double) anywhere in the window, drags in the view and on the splitters, mouse moves,
wheel turns (whole and fractional notches, with and without Ctrl/Shift/Alt), keys (arrows,
Home/End, +/-, 0, Esc, Tab, PageUp/PageDown, letters and the window's shortcuts), the menus'
actions (Open and Export through mocked file dialogs, giving bad files and paths as well as good
ones), window resizes down to tiny sizes and loads cancelled while they run. After every action:

- no exception escaped, and Qt logged no warning;
- the view's scale is within its clamps (viewer.model.scale) and as wide as the view;
- the selection is None or an index into the timeline on show;
- the side panel shows exactly the selected event, or its empty state;
- a bad file leaves the timeline on show in place and says why in a dialog.

A failure names the seed, the action number and the last 40 actions. The seed and the number
of actions are fixed, so every run on a platform does the same thing: files load in a thread,
but each load waits for the test to let it go at a point that depends only on the actions, so a
failure replays whatever the machine's speed. (The offscreen platform and Xvfb have screens of
other sizes, so their runs differ from each other.) For a longer or different run, set the seed
and the counts in the environment:

    RANDOM_USE_SEED=7 RANDOM_USE_ACTIONS=100000 RANDOM_USE_BIG_ACTIONS=20000 \
        python -m pytest tests/test_random_use.py -s

`RANDOM_USE_ACTIONS` (default 10,000) is the run on the built-in timeline;
`RANDOM_USE_BIG_ACTIONS` (default 2,000) the run on a generated timeline of 20,000 events,
where the view shows clusters. With -s each run prints its seed, count, time and what it did;
`RANDOM_USE_TRACE=file` appends every action to `file`, to compare two runs or to read up to a
failure.

Two things stand in for a window manager, which the test platforms lack: a menu or context menu
left open is closed after each action (a context menu runs an event loop of its own, which a
timer ends), and the window is activated again if nothing is. Qt's test events cannot happen
outside the window, so drags stop at its edge.
"""

from __future__ import annotations

import collections
import json
import os
import random
import shutil
import threading
import time
import traceback
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, QPointF, QSizeF, Qt, QTimer, QtMsgType
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMessageBox

import viewer.find
import viewer.loading
from benchmarks.make_timeline import make_timeline
from viewer.bundle import builtin_timeline, data_root
from viewer.main_window import MainWindow, load_timeline_file
from viewer.model.scale import MAX_TIME, MAX_VISIBLE_SECONDS, MIN_SECONDS_PER_PIXEL, MIN_TIME
from viewer.render import SCREEN, Mode
from viewer.source_panel import TITLE_LIMIT, excerpt, inline

SEED = int(os.environ.get("RANDOM_USE_SEED", "5"))
ACTIONS = int(os.environ.get("RANDOM_USE_ACTIONS", "10000"))
BIG_ACTIONS = int(os.environ.get("RANDOM_USE_BIG_ACTIONS", "2000"))
BIG_EVENTS = 20_000
# As pytest-qt's qt_log_level_fail = "WARNING" in pyproject.toml.
QT_FAILING = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)

M = Qt.KeyboardModifier
B = Qt.MouseButton
K = Qt.Key

# Keys a user may press, alone; and key chords. Quit (Ctrl+Q) is left out: it closes the window.
PLAIN_KEYS = (
    [K.Key_Left, K.Key_Right, K.Key_Home, K.Key_End, K.Key_Up, K.Key_Down]
    + [K.Key_Plus, K.Key_Equal, K.Key_Minus, K.Key_0, K.Key_Escape, K.Key_Tab, K.Key_Backtab]
    + [K.Key_PageUp, K.Key_PageDown, K.Key_Space, K.Key_Return, K.Key_Backspace, K.Key_Delete]
    + [K.Key_F1, K.Key_F10, K.Key_Menu, K.Key_1, K.Key_9]
    + [getattr(K, f"Key_{c}") for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
)
CHORDS = [
    (K.Key_Left, M.ControlModifier),
    (K.Key_Right, M.ControlModifier),
    (K.Key_0, M.ControlModifier),
    (K.Key_Plus, M.ControlModifier),
    (K.Key_Equal, M.ControlModifier),
    (K.Key_Minus, M.ControlModifier),
    (K.Key_E, M.ControlModifier),  # Export
    (K.Key_O, M.ControlModifier),  # Open
    (K.Key_A, M.ControlModifier),
    (K.Key_C, M.ControlModifier),
    (K.Key_Left, M.ShiftModifier),
    (K.Key_Right, M.ShiftModifier),
    (K.Key_Home, M.ControlModifier),
    (K.Key_End, M.ControlModifier),
    (K.Key_F, M.AltModifier),  # the menus' mnemonics
    (K.Key_V, M.AltModifier),
    (K.Key_G, M.AltModifier),
    (K.Key_F10, M.ShiftModifier),
    (K.Key_Tab, M.ControlModifier),
]
WHEEL_DELTAS = (120, -120, 240, -240, 360, -360, 15, -15, 40, -40, 7, -7, 1, -1, 60, -60, 0)
WHEEL_MODIFIERS = (
    [M.NoModifier] * 5
    + [M.ControlModifier, M.ShiftModifier, M.AltModifier]
    + [M.ControlModifier | M.ShiftModifier]
)


# -- the files that File → Open and File → Export are given ------------------------------------


def _builtin_copy(folder: Path) -> Path:
    """The built-in timeline, with its articles moved inside its own folder (as any file but
    our own must have them)."""
    doc = json.loads(builtin_timeline().read_text(encoding="utf-8"))
    (folder / "seeds").mkdir(parents=True)
    for source in doc["sources"]:
        name = Path(source["file"]).name
        shutil.copy(data_root() / "seeds" / name, folder / "seeds" / name)
        source["file"] = f"seeds/{name}"
    path = folder / "binance-copy.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _small_timeline(folder: Path) -> Path:
    """A second, small timeline: three events, two sources, one dispute."""
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(
        "On 3 May 2001 the bridge opened. It closed in 2003 for repairs.", encoding="utf-8"
    )
    (folder / "b.txt").write_text("The bridge opened in June 2001, says the mayor.", "utf-8")
    doc = {
        "version": 1,
        "title": "Bridge",
        "sources": [
            {"id": "a", "file": "a.txt", "title": "Notes"},
            {"id": "b", "file": "b.txt", "title": "Mayor"},
        ],
        "events": [
            {
                "id": "open",
                "title": "Bridge opens",
                "date": "2001-05-03",
                "category": "works",
                "summary": "It opened.",
                "citations": [{"source": "a", "quote": "the bridge opened"}],
                "disputed_by": ["open-june"],
            },
            {
                "id": "open-june",
                "title": "Bridge opens (mayor)",
                "date": "2001-06",
                "category": "works",
                "summary": "In June, says the mayor.",
                "citations": [{"source": "b", "quote": "The bridge opened in June 2001"}],
            },
            {
                "id": "closed",
                "title": "Bridge closes",
                "date": "2003",
                "category": "works",
                "summary": "Repairs.",
                "citations": [
                    {"source": "a", "quote": "It closed in 2003"},
                    {"source": "b", "quote": "says the mayor"},
                ],
            },
        ],
    }
    path = folder / "bridge.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _bad_files(folder: Path, good: Path) -> list[Path]:
    """Files the loader must refuse, each for another reason."""
    folder.mkdir(parents=True)
    doc = json.loads(good.read_text(encoding="utf-8"))
    for source in doc["sources"]:  # so that each file fails for its own reason
        shutil.copy(good.parent / source["file"], folder / source["file"])

    def write(name: str, content: str | bytes) -> Path:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def variant(name: str, change) -> Path:
        d = json.loads(json.dumps(doc))
        change(d)
        return write(name, json.dumps(d))

    bad = [
        write("not-json.json", "this is not JSON {"),
        write("truncated.json", json.dumps(doc)[:200]),
        write("empty.json", ""),
        write("binary.json", bytes(range(256)) * 4),
        write("list.json", "[1, 2, 3]"),
        write("string.json", '"a timeline"'),
        write("deep.json", "[" * 5000 + "]" * 5000),
        variant("no-events.json", lambda d: d.update(events=[])),
        variant("wrong-version.json", lambda d: d.update(version="one")),
        variant("events-object.json", lambda d: d.update(events={"a": 1})),
        variant("bad-date.json", lambda d: d["events"][0].update(date="April 31 2022")),
        variant("no-title.json", lambda d: d["events"][0].pop("title")),
        variant("title-number.json", lambda d: d["events"][0].update(title=42)),
        variant("missing-source-file.json", lambda d: d["sources"][0].update(file="gone.txt")),
        variant("outside-folder.json", lambda d: d["sources"][0].update(file="../../etc/passwd")),
        variant("unknown-source.json", lambda d: d["events"][0]["citations"][0].update(source="x")),
        variant("duplicate-ids.json", lambda d: d["events"][1].update(id=d["events"][0]["id"])),
        folder / "does-not-exist.json",
    ]
    (folder / "a-folder.json").mkdir()
    (folder.parent / "a-folder.svg").mkdir()  # for File → Export
    bad.append(folder / "a-folder.json")
    return bad


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Good and bad timeline files for File → Open."""
    root = tmp_path_factory.mktemp("random-use")
    copy = _builtin_copy(root / "copy")
    small = _small_timeline(root / "small")
    return {"good": [copy, small], "bad": _bad_files(root / "bad", small), "root": root}


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    return make_timeline(tmp_path_factory.mktemp("big") / "big.json", BIG_EVENTS, 11, "bursty")


# -- the monkey ---------------------------------------------------------------------------------


class Broken(Exception):
    """An invariant that does not hold."""


class Monkey:
    """Performs random user actions on `window` and checks the invariants after each one."""

    def __init__(
        self, qtbot, qtlog, window: MainWindow, files, seed: int, monkeypatch, fits: float = 0.5
    ) -> None:
        self.qtbot = qtbot
        self.qtlog = qtlog
        self.window = window
        self.files = files
        self.seed = seed
        self.rng = random.Random(seed)
        self.history: collections.deque[str] = collections.deque(maxlen=40)
        trace = os.environ.get("RANDOM_USE_TRACE")
        self.trace = open(trace, "a", encoding="utf-8") if trace else None  # noqa: SIM115
        self.counts: collections.Counter[str] = collections.Counter()
        self.seconds: collections.Counter[str] = collections.Counter()
        self.found: list[str] = []  # what each checked open or export did, for the summary
        self.exceptions: list = []
        self.logged = 0
        self.open_turn = 0
        self.export_serial = 0
        self.next_open: tuple[str, str] | None = None
        self.next_save: tuple[str, str] | None = None
        # Loads run in a thread. So that a run does the same whatever the machine's speed, each
        # load waits at this gate until the test lets it go, at a point that depends only on
        # the actions so far.
        self.gate = threading.Event()
        self.real_load = viewer.loading.load_timeline_file
        monkeypatch.setattr(viewer.loading, "load_timeline_file", self._gated_load)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", self._get_open_file_name)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self._get_save_file_name)
        # Nothing may block: any static message box would be a modal loop of its own.
        for name in ("critical", "warning", "information", "question"):
            monkeypatch.setattr(QMessageBox, name, self._static_box(name))
        monkeypatch.setattr(viewer.find.DateRangeDialog, "exec", lambda d: self._date_range(d))
        weighted = [
            (18, self.click_anywhere),
            (16, self.click_in_view),
            (8, self.drag_in_view),
            (2, self.drag_splitter),
            (6, self.hover),
            (20, self.wheel),
            (20, self.key),
            (4, self.menu_action),
            (1.2, self.open_file),
            (0.3, self.export),
            (2, self.resize),
            (fits, self.fit),
        ]
        self.weights = [w for w, _ in weighted]
        self.actions = [a for _, a in weighted]
        self.while_loading = [self.click_anywhere, self.click_in_view, self.drag_in_view]
        self.while_loading += [self.wheel, self.key, self.key, self.menu_action, self.resize]
        self.while_dragging = [self.wheel, self.key, self.key, self.menu_action, self.resize]

    # -- mocks ----------------------------------------------------------------------------------

    def _static_box(self, name: str):
        def box(*args, **kwargs):
            self.history.append(f"    (QMessageBox.{name} answered at once)")
            return QMessageBox.StandardButton.Ok

        return box

    def _choose_file(self) -> tuple[str, str]:
        """Alternately a bad file and a good one; now and then the user cancels the dialog."""
        self.open_turn += 1
        if self.rng.random() < 0.08:
            return "", "cancelled"
        kind = "bad" if self.open_turn % 2 else "good"
        return str(self.rng.choice(self.files[kind])), kind

    def _get_open_file_name(self, *args, **kwargs):
        path, kind = self.next_open if self.next_open is not None else self._choose_file()
        self.next_open = None
        self.history.append(f"    open dialog gives {path or '(cancel)'} ({kind})")
        return path, "Timelines (*.json)"

    def _choose_save(self) -> tuple[str, str]:
        r = self.rng.random()
        root = self.files["root"]
        self.export_serial += 1
        if r < 0.1:
            return "", ""
        if r < 0.35:
            return self.rng.choice(
                [
                    str(root / "no-such-folder" / "x.png"),
                    str(root / "a-folder.svg"),  # a folder named like a picture
                    "/proc/version.png",  # not writable
                ]
            ), "bad"
        # With another suffix or none, the filter chosen in the dialog adds one.
        suffix = self.rng.choice([".png", ".svg", ".pdf", "", ".txt", ".PNG"])
        return str(root / f"export-{self.export_serial}{suffix}"), "good"

    def _get_save_file_name(self, *args, **kwargs):
        path, kind = self.next_save if self.next_save is not None else self._choose_save()
        self.next_save = None
        chosen = self.rng.choice(
            ["PNG image (*.png)", "SVG drawing (*.svg)", "PDF document (*.pdf)"]
        )
        self.history.append(f"    save dialog gives {path or '(cancel)'} ({kind}, {chosen})")
        return path, chosen

    # -- running --------------------------------------------------------------------------------

    def run(self, count: int) -> int:
        try:
            with self.qtbot.capture_exceptions() as self.exceptions:
                self.logged = len(self.qtlog.records)
                try:
                    self.check(-1)
                except Broken as exc:
                    self.fail(-1, str(exc))
                for n in range(count):
                    self.step(n)
        finally:
            self.gate.set()  # no load may wait for a test that has ended
            if self.trace is not None:
                self.trace.close()
        return count

    def step(self, n: int) -> None:
        [action] = self.rng.choices(self.actions, self.weights)
        self.counts[action.__name__] += 1
        began = time.perf_counter()
        try:
            what = f"{action.__name__} (did not finish)"
            what = action()
            self.history.append(f"{n}: {what}")
            if self.trace is not None:
                print(self._short(f"{n}: {what}"), file=self.trace, flush=True)
            # One round of events per action: paints, queued signals, deferred deletes.
            QApplication.processEvents()
            self._close_popups()
            self._close_export_dialog()
            self._after_load()
            if not self.window.isActiveWindow():
                # The test platforms have no window manager to give the window back its focus
                # once a menu closes (the hidden menu keeps it); a user would click the window.
                self.window.activateWindow()
                QApplication.processEvents()
            self.check(n)
            self.seconds[action.__name__] += time.perf_counter() - began
            if self.window.view.mode is Mode.AGGREGATE:
                self.counts["(in cluster view)"] += 1
        except Exception as exc:
            if not self.history or not self.history[-1].startswith(f"{n}: "):
                self.history.append(f"{n}: {what}")
            if isinstance(exc, Broken):
                self.fail(n, str(exc))
            # The app's own code, called to aim or to check, raised.
            self.fail(n, "".join(traceback.format_exception(exc)))

    def _short(self, text: str) -> str:
        """`text` with the test's file paths relative to their folder, for the record."""
        return text.replace(f"{self.files['root']}{os.sep}", "")

    def fail(self, n: int, problem: str) -> None:
        tail = self._short("\n".join(self.history))
        if self.exceptions and "exception escaped" not in problem:
            problem += "\nand exceptions escaped:\n" + "".join(
                "".join(traceback.format_exception(*exc_info)) for exc_info in self.exceptions
            )
        pytest.fail(
            f"random use, seed {self.seed}, action {n}: {problem}\n"
            f"(replay with RANDOM_USE_SEED={self.seed})\nlast actions:\n{tail}",
            pytrace=False,
        )

    # -- invariants -----------------------------------------------------------------------------

    def check(self, n: int) -> None:
        if self.exceptions:
            text = "".join(
                "".join(traceback.format_exception(*exc_info)) for exc_info in self.exceptions
            )
            raise Broken(f"an exception escaped:\n{text}")
        records = self.qtlog.records
        if len(records) > self.logged:
            new = records[self.logged :]
            self.logged = len(records)
            bad = [r.message for r in new if r.type in QT_FAILING and not r.ignored]
            if bad:
                raise Broken(f"Qt logged: {bad}")
        window = self.window
        view = window.view
        if not window.isVisible():
            raise Broken("the window is gone")
        timeline = window.timeline
        if timeline is None:
            raise Broken("no timeline on show")
        if view.timeline is not timeline:
            raise Broken("the view shows another timeline than the window")

        s = view.scale
        width = float(max(view.width(), 1))
        eps = 1e-9
        if s.width != width:
            raise Broken(f"the scale is {s.width} px wide, the view {view.width()}")
        if not s.spp >= MIN_SECONDS_PER_PIXEL * (1 - eps):
            raise Broken(f"zoomed in past the clamp: {s.spp} s/px")
        if not s.spp * width <= MAX_VISIBLE_SECONDS * (1 + eps):
            raise Broken(f"zoomed out past the clamp: {s.spp * width} s across")
        if not (s.t0 >= MIN_TIME - abs(MIN_TIME) * eps and s.t1 <= MAX_TIME * (1 + eps)):
            raise Broken(f"the view left years 1..9999: {s.t0} .. {s.t1}")

        frame = view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)
        content = view.renderer.content_height(s, float(view.width())) + 8
        room = frame.rows_bottom - frame.rows_top
        if not 0.0 <= view.y_offset <= max(content - room, 0.0) + 1e-6:
            raise Broken(f"scrolled to {view.y_offset}, outside 0..{max(content - room, 0.0)}")

        selected = view.selected_index
        events = timeline.events
        if selected is not None and not (isinstance(selected, int) and 0 <= selected < len(events)):
            raise Broken(f"the selection {selected!r} is not an event of {len(events)}")
        hovered = view.hovered_index
        if hovered is not None and not 0 <= hovered < len(events):
            raise Broken(f"the hovered event {hovered!r} is not an event of {len(events)}")

        panel = window.panel
        if selected is None:
            if panel.current_event is not None:
                raise Broken(f"nothing selected, but the panel shows {panel.current_event.id}")
            if panel.title.text() != "No event selected":
                raise Broken(f"nothing selected, but the panel's title is {panel.title.text()!r}")
            if panel.citation_list.count() != 0 or panel.citation_index != -1:
                raise Broken("nothing selected, but the panel lists citations")
        else:
            event = events[selected]
            shown = panel.current_event
            if shown is None or shown.id != event.id:
                raise Broken(
                    f"event {selected} ({event.id}) is selected, but the panel shows "
                    f"{shown.id if shown else None}"
                )
            if panel.title.text() != excerpt(event.title, *TITLE_LIMIT)[0]:
                raise Broken(f"the panel's title {panel.title.text()!r} is not {event.title!r}")
            if panel.citation_list.count() != len(event.citations):
                raise Broken("the panel lists another number of citations than the event has")
            k = panel.citation_index
            if event.citations and not 0 <= k < len(event.citations):
                raise Broken(f"the panel shows citation {k} of {len(event.citations)}")
            if k >= 0:
                source = timeline.sources[event.citations[k].source_id]
                if not panel.source_title.text().startswith(inline(source.title)):
                    raise Broken(
                        f"citation {k} is from {source.title!r}, the panel shows "
                        f"{panel.source_title.text()!r}"
                    )

        loading = window.is_loading()
        if window.cancel_load_button.isVisibleTo(window) != loading:
            raise Broken(f"loading is {loading}, the Cancel button says otherwise")
        if window.cancel_load_action.isEnabled() != loading:
            raise Broken(f"loading is {loading}, Esc-to-cancel says otherwise")
        if not window.windowTitle().startswith(inline(timeline.title).replace("[*]", "[*][*]")):
            raise Broken(f"the window's title {window.windowTitle()!r} names another timeline")

    # -- helpers --------------------------------------------------------------------------------

    @property
    def handle(self):
        return self.window.windowHandle()

    def _close_popups(self) -> None:
        """Close menus and context menus, also from inside their own event loop."""
        for _ in range(5):
            popup = QApplication.activePopupWidget()
            if popup is None:
                return
            popup.close()

    def _close_export_dialog(self) -> None:
        """Ctrl+E or File → Export image… pressed at random opens the export dialog: the user
        closes it with Esc (the export action itself goes through the dialog and closes it)."""
        dialog = self.window.export_box
        if dialog is not None and dialog.isVisible():
            QTest.keyClick(dialog, K.Key_Escape)
            if dialog.isVisible():
                raise Broken("Esc did not close the export dialog")

    def _guard_popups(self) -> None:
        # A context menu runs an event loop of its own (QMenu.exec): a timer closes it.
        QTimer.singleShot(0, self._close_popups)

    def _point_in_window(self) -> QPoint:
        w, h = self.window.width(), self.window.height()
        # Now and then on the window's very edge.
        if self.rng.random() < 0.05:
            return QPoint(self.rng.choice([0, w - 1]), self.rng.choice([0, h - 1]))
        return QPoint(self.rng.randrange(max(w, 1)), self.rng.randrange(max(h, 1)))

    def _inside(self, p: QPoint) -> QPoint:
        """`p` moved into the window (Qt's test events cannot happen outside it)."""
        w, h = self.window.width(), self.window.height()
        return QPoint(min(max(p.x(), 0), w - 1), min(max(p.y(), 0), h - 1))

    def _view_to_window(self, p: QPointF | QPoint) -> QPoint:
        return self._inside(self.window.view.mapTo(self.window, QPointF(p)).toPoint())

    def _target_in_view(self) -> tuple[QPoint, str]:
        """A point in the view (window coordinates): on an event or a cluster, or anywhere."""
        view = self.window.view
        r = self.rng.random()
        if r < 0.6 and view.mode is Mode.AGGREGATE:
            clusters = view.visible_clusters()
            if clusters:
                rect, cluster = self.rng.choice(clusters)
                self.counts["(aimed at a cluster)"] += 1
                return self._view_to_window(rect.center()), f"cluster of {cluster.count}"
        if r < 0.6:
            timeline = view.timeline
            s = view.scale
            a = timeline.first_starting_at_or_after(s.t0 - 300 * s.spp)
            b = timeline.first_starting_at_or_after(s.t1)
            if a < b:
                i = self.rng.randrange(a, b)
                # A mark in a row scrolled out of sight is aimed at from the view's edge, not
                # from the menu bar above it.
                c = view.marker_center(i)
                c = QPointF(
                    min(max(c.x(), 0), view.width() - 1), min(max(c.y(), 0), view.height() - 1)
                )
                return self._view_to_window(c), f"event {i}"
        p = QPointF(self.rng.uniform(0, view.width()), self.rng.uniform(0, view.height()))
        return self._view_to_window(p), "view"

    def _modifiers(self) -> Qt.KeyboardModifier:
        r = self.rng.random()
        if r < 0.85:
            return M.NoModifier
        return self.rng.choice([M.ShiftModifier, M.ControlModifier, M.AltModifier])

    def _describe(self, p: QPoint) -> str:
        widget = self.window.childAt(p)
        name = type(widget).__name__ if widget is not None else "window"
        return f"({p.x()}, {p.y()}) on {name}"

    # -- actions --------------------------------------------------------------------------------

    def _click(self, p: QPoint, where: str) -> str:
        r = self.rng.random()
        mods = self._modifiers()
        if r < 0.7:
            QTest.mouseClick(self.handle, B.LeftButton, mods, p)
            # A left click may open a popup that does not block (the toolbar's extension
            # menu when the window is narrow): close it, as a user would, before going on.
            self._close_popups()
            return f"left click at {where}"
        if r < 0.85:
            QTest.mouseDClick(self.handle, B.LeftButton, mods, p)
            self._close_popups()
            return f"double click at {where}"
        self._guard_popups()
        button = self.rng.choice([B.RightButton, B.RightButton, B.MiddleButton])
        QTest.mouseClick(self.handle, button, mods, p)
        return f"{button.name} click at {where}"

    def click_anywhere(self) -> str:
        p = self._point_in_window()
        return self._click(p, self._describe(p))

    def click_in_view(self) -> str:
        p, what = self._target_in_view()
        return self._click(p, f"{what} ({p.x()}, {p.y()})")

    def drag_in_view(self) -> str:
        start, what = self._target_in_view()
        button = B.LeftButton if self.rng.random() < 0.9 else B.RightButton
        if button == B.RightButton:
            self._guard_popups()
        mods = self._modifiers()
        QTest.mousePress(self.handle, button, mods, start)
        p = QPoint(start)
        steps = self.rng.randint(1, 6)
        # Now and then the user does something else with the button still down.
        meanwhile = self.rng.randrange(steps) if self.rng.random() < 0.2 else -1
        also = ""
        for k in range(steps):
            p = self._inside(p + QPoint(self.rng.randint(-300, 300), self.rng.randint(-120, 120)))
            QTest.mouseMove(self.handle, p)
            if k == meanwhile:
                also = f", meanwhile {self.rng.choice(self.while_dragging)()};"
        p = self._inside(p)  # the window may have shrunk meanwhile
        QTest.mouseRelease(self.handle, button, mods, p)
        return (
            f"{button.name} drag from {what} ({start.x()}, {start.y()}){also} to ({p.x()}, {p.y()})"
        )

    def drag_splitter(self) -> str:
        splitter = self.rng.choice([self.window.splitter, self.window.panel.splitter])
        handle = splitter.handle(1)
        start = handle.mapTo(self.window, handle.rect().center())
        end = self._inside(start + QPoint(self.rng.randint(-900, 900), self.rng.randint(-600, 600)))
        QTest.mousePress(self.handle, B.LeftButton, M.NoModifier, start)
        QTest.mouseMove(self.handle, (start + end) / 2)
        QTest.mouseMove(self.handle, end)
        QTest.mouseRelease(self.handle, B.LeftButton, M.NoModifier, end)
        return (
            f"drag {splitter.objectName()} handle from ({start.x()}, {start.y()}) to "
            f"({end.x()}, {end.y()})"
        )

    def hover(self) -> str:
        if self.rng.random() < 0.6:
            p, what = self._target_in_view()
        else:
            p = self._point_in_window()
            what = self._describe(p)
        QTest.mouseMove(self.handle, p)
        return f"move the mouse to {what}"

    def wheel(self) -> str:
        window = self.window
        if self.rng.random() < 0.75:
            p, what = self._target_in_view()
        else:
            p = self._point_in_window()
            what = self._describe(p)
        target = window.childAt(p) or window
        dy = self.rng.choice(WHEEL_DELTAS)
        dx = self.rng.choice(WHEEL_DELTAS) if self.rng.random() < 0.15 else 0
        mods = self.rng.choice(WHEEL_MODIFIERS)
        local = target.mapFrom(window, QPointF(p))
        event = QWheelEvent(
            local,
            target.mapToGlobal(local),
            QPoint(0, 0),
            QPoint(dx, dy),
            B.NoButton,
            mods,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(target, event)
        return f"wheel ({dx}, {dy}) {mods.name or mods} at {what} -> {type(target).__name__}"

    def key(self) -> str:
        if self.rng.random() < 0.8:
            key, mods = self.rng.choice(PLAIN_KEYS), M.NoModifier
        else:
            key, mods = self.rng.choice(CHORDS)
        if key in (K.Key_Menu, K.Key_F10) or mods & M.AltModifier:
            self._guard_popups()
        focus = QApplication.focusWidget()
        QTest.keyClick(self.handle, key, mods)
        where = type(focus).__name__ if focus is not None else "nothing"
        return f"key {key.name} {mods.name or ''} (focus on {where})"

    def _menu_actions(self) -> list:
        actions = []
        for top in self.window.menuBar().actions():
            menu = top.menu()
            if menu is None:
                continue
            for action in menu.actions():
                if action.isSeparator() or action.menu() is not None:
                    continue
                if action is self.window.quit_action or "quit" in action.text().lower():
                    continue
                actions.append(action)
        return actions

    def _date_range(self, dialog) -> int:
        """Filter → Date range…: type one of a few ranges (some bad) and press OK or Cancel."""
        start, end = self.rng.choice(
            [("2021", "2022-06"), ("", "2020"), ("2022-04-22", ""), ("soon", "2022"), ("", "")]
        )
        dialog.start_field.setText(start)
        dialog.end_field.setText(end)
        if self.rng.random() < 0.8:
            dialog._check()  # OK: accepted, or the error shown and the dialog left open
        if dialog.result() != dialog.DialogCode.Accepted:
            dialog.reject()
        return dialog.result()

    def menu_action(self) -> str:
        action = self.rng.choice(self._menu_actions())
        action.trigger()
        return f"menu {action.text()!r}"

    def open_file(self) -> str:
        """File → Open (menu, toolbar or Ctrl+O) on a bad or a good file; maybe cancel the load."""
        window = self.window
        before = window.timeline
        self.next_open = path, kind = self._choose_file()
        how = self.rng.choice(["menu", "Ctrl+O"])
        if how == "menu":
            window.open_action.trigger()
        else:
            QTest.keyClick(self.handle, K.Key_O, M.ControlModifier)
        if self.next_open is not None:  # the shortcut did not reach the window
            self.next_open = None
            return f"open {path} ({kind}) by {how}: no dialog (shortcut not taken)"
        if not path:
            if window.is_loading() or window.timeline is not before:
                raise Broken("a cancelled open dialog started a load")
            return f"open by {how}: dialog cancelled"
        if not window.is_loading():
            raise Broken(
                f"opening {path} by {how} started no load (status "
                f"{window.statusBar().currentMessage()!r}, error box {window.last_error})"
            )
        r = self.rng.random()
        if r < 0.2:
            # Cancel before the results arrive, with Esc or the Cancel button.
            if self.rng.random() < 0.5:
                QTest.keyClick(self.handle, K.Key_Escape)
                by = "Esc"
            else:
                button = window.cancel_load_button
                centre = button.mapTo(window, button.rect().center())
                QTest.mouseClick(self.handle, B.LeftButton, M.NoModifier, centre)
                by = "the Cancel button"
            if window.is_loading():
                raise Broken(f"{by} did not cancel the load of {path}")
            self._finish_loads()
            QApplication.processEvents()  # what the cancelled load sends must be ignored
            if window.timeline is not before:
                raise Broken(f"a cancelled load of {path} replaced the timeline")
            if not window.statusBar().currentMessage().startswith("Loading cancelled"):
                raise Broken(f"status after cancel: {window.statusBar().currentMessage()!r}")
            self.found.append(f"cancel ({by})")
            return f"open {path} ({kind}) by {how}, cancelled with {by}"
        if r < 0.45:
            # Go on using the window while the file loads.
            during = [self.rng.choice(self.while_loading)() for _ in range(self.rng.randint(1, 3))]
            return f"open {path} ({kind}) by {how}, and meanwhile: " + "; ".join(during)
        self._finish_loads()
        QApplication.processEvents()
        if window.is_loading():
            raise Broken(f"the load of {path} finished but the window did not hear of it")
        self._check_load_outcome(Path(path), kind, before)
        return f"open {path} ({kind}) by {how}, loaded"

    def _gated_load(self, path, **kwargs):
        """The loader's worker, held until the test lets it go (see _finish_loads)."""
        if not self.gate.wait(timeout=60):
            raise RuntimeError("the test never let the load go")
        return self.real_load(path, **kwargs)

    def _finish_loads(self) -> None:
        """Let the loads that were started run to their end, without handling any Qt events:
        their results then wait in the event queue for the next round of events."""
        self.gate.set()
        try:
            deadline = time.monotonic() + 60
            while not self.window.loader.is_idle():
                if time.monotonic() > deadline:
                    raise Broken("a load has run for 60 s")
                time.sleep(0.001)
        finally:
            self.gate.clear()

    def _check_load_outcome(self, path: Path, kind: str, before) -> None:
        window = self.window
        box = window.last_error
        if kind == "good":
            if window.timeline is before or window.timeline.path != path:
                raise Broken(f"{path} did not open (timeline {window.timeline.path})")
            if window.view.selected_index is not None:
                raise Broken("a newly opened timeline has a selection")
            self.found.append("good open")
            return
        if window.timeline is not before:
            raise Broken(f"the bad file {path} replaced the timeline")
        if box is None or not shiboken6.isValid(box) or not box.isVisible():
            raise Broken(f"the bad file {path} gave no visible error")
        # The path comes first, isolated (a file name from elsewhere may hold bidi controls).
        text = box.text().replace("\u2068", "", 1).replace("\u2069", "", 1)
        if not text.startswith(str(path)):
            raise Broken(f"the error for {path} does not name it: {text!r}")
        if "unexpected error" in text:
            raise Broken(f"loading {path} hit a bug: {text!r}")
        self.found.append(f"bad open: {text[len(str(path)) :][:60]}")
        self._close_error_box(box)

    def _close_error_box(self, box: QMessageBox) -> None:
        """Close the error box as a user would: its button, Esc or Enter."""
        how = self.rng.random()
        if how < 0.5:
            QTest.mouseClick(box.buttons()[0], B.LeftButton)
        else:
            QTest.keyClick(box, K.Key_Escape if how < 0.75 else K.Key_Return)
        if shiboken6.isValid(box) and box.isVisible():
            raise Broken("the error box did not close")
        self.window.activateWindow()

    def _after_load(self) -> None:
        """A load still running (from Ctrl+O pressed at random, say) is let finish, and any
        error box shown is closed, so that the next actions reach the window."""
        window = self.window
        if not window.loader.is_idle():
            self._finish_loads()
            QApplication.processEvents()
            if window.is_loading():
                raise Broken("a load finished but the window did not hear of it")
        box = window.last_error
        if box is not None and shiboken6.isValid(box) and box.isVisible():
            if "unexpected error" in box.text():
                raise Broken(f"an error box reports a bug: {box.text()!r}")
            self.history.append(f"    close error box: {box.text()[:100]!r}")
            self._close_error_box(box)

    def export(self) -> str:
        """File → Export (menu or Ctrl+E) to a good or a bad path."""
        window = self.window
        self.next_save = path, kind = self._choose_save()
        if self.rng.random() < 0.5:
            window.export_action.trigger()
            how = "menu"
        else:
            QTest.keyClick(self.handle, K.Key_E, M.ControlModifier)
            how = "Ctrl+E"
        dialog = window.export_box
        if dialog is None or not dialog.isVisible():
            self.next_save = None
            return f"export to {path} by {how}: no dialog (shortcut not taken)"
        if not path:  # the user cancels the export dialog
            self.next_save = None
            QTest.mouseClick(
                dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), B.LeftButton
            )
            box = window.last_error
            if box is not None and shiboken6.isValid(box) and box.isVisible():
                raise Broken("a cancelled export dialog showed an error")
            if dialog.isVisible():
                raise Broken("the export dialog did not close on Cancel")
            return f"export by {how}: dialog cancelled"
        QTest.mouseClick(dialog.browse_button, B.LeftButton)  # the file dialog gives `path`
        QTest.mouseClick(dialog.export_button, B.LeftButton)
        box = window.last_error
        error = box is not None and shiboken6.isValid(box) and box.isVisible()
        if kind == "bad":
            if not error:
                raise Broken(f"exporting to the bad path {path} gave no visible error")
            self.found.append(f"bad export: {box.text()[:80]}")
            self._close_error_box(box)
            if not dialog.isVisible():
                raise Broken("a failed export closed the export dialog")
            dialog.reject()  # the user gives up
            self.window.activateWindow()
        else:
            if error:
                raise Broken(f"exporting to {path} failed: {box.text()!r}")
            message = window.statusBar().currentMessage()
            written = Path(message.removeprefix("Exported "))
            if not message.startswith("Exported ") or not written.name.startswith(Path(path).name):
                raise Broken(f"after exporting to {path} the status bar says {message!r}")
            head = written.read_bytes()[:8]
            magic = {".png": b"\x89PNG", ".pdf": b"%PDF", ".svg": b"<?xml"}[written.suffix.lower()]
            if not head.startswith(magic):
                raise Broken(f"{written} does not start as a {written.suffix} file: {head!r}")
            self.found.append(f"good export {written.suffix}")
        return f"export to {path} ({kind}) by {how}"

    def fit(self) -> str:
        """Fit everything in view again (0, Ctrl+0 or View → Fit all): on a large timeline,
        back to the clusters. Now and then the filters and the search are cleared first
        (Ctrl+Shift+L, the search field emptied), as the random menu choices may have set them."""
        if self.rng.random() < 0.5:
            QTest.keyClick(self.handle, K.Key_L, M.ControlModifier | M.ShiftModifier)
            self.window.find_bar.field.clear()
        how = self.rng.choice(["0", "Ctrl+0", "menu"])
        if how == "menu":
            self.window.fit_action.trigger()
        else:
            mods = M.ControlModifier if how == "Ctrl+0" else M.NoModifier
            QTest.keyClick(self.handle, K.Key_0, mods)
        return f"fit all by {how}"

    def resize(self) -> str:
        r = self.rng.random()
        if r < 0.2:
            w, h = self.rng.randint(1, 120), self.rng.randint(1, 120)
        elif r < 0.9:
            w, h = self.rng.randint(300, 1700), self.rng.randint(200, 1100)
        else:
            w, h = self.rng.randint(1700, 2600), self.rng.randint(100, 1400)
        self.window.resize(w, h)
        return f"resize to {w} x {h} (now {self.window.width()} x {self.window.height()})"


def _run(
    qtbot, qtlog, window, files, seed, count, monkeypatch, record_property, label, fits=0.5
) -> Monkey:
    """Run `count` random actions on `window`; print and record what was done."""
    monkey = Monkey(qtbot, qtlog, window, files, seed, monkeypatch, fits)
    window.activateWindow()
    began = time.perf_counter()
    done = monkey.run(count)
    took = time.perf_counter() - began
    record_property("random_actions", done)
    record_property("random_seed", seed)
    kinds = ", ".join(
        f"{name} {n} ({monkey.seconds[name]:.1f} s)" if name in monkey.seconds else f"{name} {n}"
        for name, n in sorted(monkey.counts.items())
    )
    outcomes = collections.Counter(f.split(":")[0] for f in monkey.found)
    print(
        f"\n{label}: {done} random actions, seed {seed}, {took:.1f} s\n  {kinds}\n"
        f"  checked outcomes: {dict(sorted(outcomes.items()))}"
    )
    assert done == count == sum(monkey.counts[a.__name__] for a in monkey.actions)
    return monkey


# The offscreen platform says this whenever a menu opens.
OFFSCREEN_MENU = "This plugin does not support grabbing the (keyboard|mouse)"


@pytest.mark.qt_log_ignore(OFFSCREEN_MENU, extend=True)
def test_random_use_of_the_window(qtbot, qtlog, window, files, monkeypatch, record_property):
    monkey = _run(
        qtbot, qtlog, window, files, SEED, ACTIONS, monkeypatch, record_property, "built-in"
    )
    if ACTIONS >= 5000:
        # The run went through every kind of action and every branch of File → Open/Export.
        outcomes = {f.split(":")[0].split(" (")[0] for f in monkey.found}
        assert outcomes >= {"bad open", "good open", "cancel", "bad export"}, outcomes
        assert any(o.startswith("good export") for o in outcomes), outcomes


@pytest.mark.qt_log_ignore(OFFSCREEN_MENU, extend=True)
def test_random_use_of_a_window_on_a_large_timeline(
    qtbot, qtlog, open_window, files, big_file, monkeypatch, record_property
):
    big = load_timeline_file(big_file)
    window = open_window(big, 1400, 860)
    assert window.view.mode is Mode.AGGREGATE
    # Opening a good file brings back the large timeline too, so clusters come back.
    files = {**files, "good": [*files["good"], big_file, big_file]}
    monkey = _run(
        qtbot,
        qtlog,
        window,
        files,
        SEED + 1,
        BIG_ACTIONS,
        monkeypatch,
        record_property,
        "large",
        fits=9,  # back to the clusters often (the zoom reaches milliseconds and deep time)
    )
    if BIG_ACTIONS >= 1000:
        # The clusters were aimed at (clicked, dragged, hovered, wheeled), not only shown.
        assert monkey.counts["(aimed at a cluster)"] >= 20, monkey.counts
        assert monkey.counts["(in cluster view)"] >= BIG_ACTIONS // 4, monkey.counts


# -- what the random runs found, kept as plain tests ------------------------------------------


def test_a_drag_goes_on_at_the_new_width_when_the_view_is_resized_mid_drag(qtbot, window):
    """Found by the random run (seed 5): the layout settled while the button was down, the view
    got narrower, and the drag then set a scale as wide as the view had been at the press."""
    view = window.view
    window.zoom_in_action.trigger()
    start = QPoint(300, view.height() - 60)
    qtbot.mousePress(view, B.LeftButton, pos=start)
    qtbot.mouseMove(view, start + QPoint(20, 0))
    window.resize(window.width() - 150, window.height())
    qtbot.waitUntil(lambda: view.scale.width == view.width())
    before = view.scale.t_of(start.x() + 20)
    qtbot.mouseMove(view, start + QPoint(80, 0))
    assert view.scale.width == view.width()
    # The drag still pans: what was under the mouse is still under it.
    assert abs(view.scale.x_of(before) - (start.x() + 80)) < 1.0
    qtbot.mouseRelease(view, B.LeftButton, pos=start + QPoint(80, 0))
    assert view.scale.width == view.width()
