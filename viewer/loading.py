"""Loading a timeline file in a background thread, so that the window stays responsive.

The worker thread only reads and checks the file (viewer.model.loader, which knows nothing of
Qt) and emits signals; the signals reach the GUI thread queued, where the window acts on them.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from viewer.bundle import trust_root_for
from viewer.errors import log, log_file
from viewer.model.importers import Columns, load_any
from viewer.model.loader import CancelFlag, LoadCancelled, TimelineError
from viewer.model.timeline import Timeline

# A QThread destroyed while it runs aborts the whole process. Each load's thread is kept here
# until it has finished, whatever becomes of the window that started it.
_threads: set[_LoadThread] = set()

# Building a large timeline allocates millions of objects. Python's full garbage collections
# on the way each go through all of them holding the interpreter lock, freezing the window for
# up to seconds, again and again as the heap grows; the objects form no cycles, so those
# collections find nothing. Even the young collections, each going through the last few
# hundred objects made, cost half a second at a million events. While any load runs, the
# collector is off (the objects are freed by their counts as usual).
_gc_lock = threading.Lock()
_gc_pauses = 0


@contextmanager
def collections_paused() -> Iterator[None]:
    global _gc_pauses
    with _gc_lock:
        if _gc_pauses == 0:
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                gc.enable()


def settle_long_lived(collect: bool = True) -> None:
    """Collect what earlier timelines left, then move every object alive now (the timeline on
    show, the window) out of the collector's sight. A full collection, which Python starts now
    and then as objects are made, then scans only what was made since: scanning everything
    took 26 ms in the middle of a zoom at 1,000 events, a dropped frame. Called once a timeline
    is shown; once its search index is built, with `collect` False (the index is new, and a
    collection then could stall a frame: the garbage left is collected at the next timeline)."""
    if collect:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


def load_timeline_file(
    path: str | Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: CancelFlag | None = None,
    columns: Columns | None = None,
) -> Timeline:
    """Load a timeline the way the app does: our own bundled files may use the bundled seeds,
    and other tools' files are imported (viewer.model.importers, told apart by content).

    `progress` and `cancel` are passed on to load_timeline or the importer (see there);
    `columns` are those the user chose for a CSV of no known format (None: guessed).
    The window's loading thread and the command line both load through here, with Python's
    garbage collections paused (they would find nothing and cost seconds).
    """
    path = Path(path)
    with collections_paused():
        timeline = load_any(
            path, root=trust_root_for(path), progress=progress, cancel=cancel, columns=columns
        )
        timeline.index  # noqa: B018  the lanes' columns, made here (in the loading thread)
    return timeline


def unexpected_error_message(path: Path, exc: BaseException) -> str:
    """What to tell the user when loading `path` raised something other than a TimelineError."""
    where = log_file()
    details = f"\nThe details are in the log file:\n{where}" if where else ""
    return f"{path}: unexpected error while loading ({type(exc).__name__}: {exc}){details}"


class _LoadThread(QThread):
    """One load. The object lives in the GUI thread; run() emits its signals from the worker
    thread, so they are queued to the receivers in the GUI thread. Nothing else Qt is touched
    from the worker."""

    progressed = Signal(int, int)
    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, path: Path, columns: Columns | None = None) -> None:
        super().__init__()
        self.path = path
        self.columns = columns
        self.cancel_flag = threading.Event()

    def run(self) -> None:
        # Columns only when chosen, so that a load without them calls as it always has.
        chosen = {"columns": self.columns} if self.columns is not None else {}
        try:
            timeline = load_timeline_file(
                self.path, progress=self.progressed.emit, cancel=self.cancel_flag, **chosen
            )
        except LoadCancelled:
            return  # the loader forgot this load when it asked to cancel it
        except TimelineError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            # A bug, not a bad file: keep the traceback, and still tell the user.
            log.exception("unexpected error while loading %s", self.path)
            self.failed.emit(unexpected_error_message(self.path, exc))
        else:
            self.loaded.emit(timeline)


class TimelineLoader(QObject):
    """Loads one timeline at a time in a background thread.

    Starting a load cancels the one running. Signals are emitted in the GUI thread and only for
    the current load: once a load is cancelled or replaced, nothing more is heard of it, even if
    its thread had already finished reading the file.
    """

    progressed = Signal(int, int)  # done, total: the bar's value and maximum
    finished = Signal(object)  # the Timeline
    failed = Signal(str)  # one message, for an error dialog
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current: _LoadThread | None = None
        self._mine: list[_LoadThread] = []  # threads this loader started that may still run

    @property
    def path(self) -> Path | None:
        """The file being loaded, or None when nothing is."""
        return self._current.path if self._current is not None else None

    def is_loading(self) -> bool:
        """Whether a load is under way (one that was cancelled or replaced does not count)."""
        return self._current is not None

    def is_idle(self) -> bool:
        """Whether none of this loader's threads runs: a cancelled load stops within moments."""
        return not any(t.isRunning() for t in self._mine)

    def start(self, path: str | Path, columns: Columns | None = None) -> None:
        """Start loading `path` (a CSV of no known format read with `columns`, if given); a load
        already running is cancelled (without `cancelled`)."""
        self._forget_current()
        thread = _LoadThread(Path(path), columns)
        thread.progressed.connect(self._on_progressed)
        thread.loaded.connect(self._on_loaded)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(self._on_thread_finished)
        _threads.add(thread)
        self._mine.append(thread)
        self._current = thread
        thread.start()

    def cancel(self) -> bool:
        """Cancel the current load and emit `cancelled` at once; False if nothing was loading."""
        if self._current is None:
            return False
        self._forget_current()
        self.cancelled.emit()
        return True

    def shutdown(self) -> None:
        """Cancel any load and wait until this loader's threads have stopped (before closing)."""
        self._forget_current()
        for thread in self._mine:
            thread.wait()
        self._release_finished()

    def _forget_current(self) -> None:
        if self._current is not None:
            self._current.cancel_flag.set()
            self._current = None

    def _is_current(self) -> bool:
        return self._current is not None and self.sender() is self._current

    @Slot(int, int)
    def _on_progressed(self, done: int, total: int) -> None:
        if self._is_current():
            self.progressed.emit(done, total)

    @Slot(object)
    def _on_loaded(self, timeline: Timeline) -> None:
        if self._is_current():
            self._current = None
            self.finished.emit(timeline)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._is_current():
            self._current = None
            self.failed.emit(message)

    @Slot()
    def _on_thread_finished(self) -> None:
        self._release_finished()

    def _release_finished(self) -> None:
        # isFinished() is already true while a thread emits `finished`, and deleting it then is
        # safe (its destructor waits for the last few instructions). Threads left behind by a
        # loader that is gone are released here too.
        self._mine = [t for t in self._mine if not t.isFinished()]
        _threads.difference_update([t for t in _threads if t.isFinished()])
