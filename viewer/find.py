"""Search and filters for the window: the search field, and the controller that keeps the search
index, runs searches and works out which events the filters keep.

The index (viewer.model.search) reads every event once. A small timeline is indexed at once; a
large one in a background thread, with the search or filter that asked for it waiting until it
is ready. Searches over a large timeline run in a thread too, so typing never waits for one;
only the latest query's answer is used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from viewer import activity
from viewer.errors import log
from viewer.loading import collections_paused, settle_long_lived
from viewer.model.aggregate import EventIndex
from viewer.model.dates import DateError, date_from_seconds, parse_date
from viewer.model.filtered import FilteredIndex
from viewer.model.filters import NO_FILTERS, Filters, mask_flags, shown_mask
from viewer.model.search import SearchIndex, SearchResult
from viewer.model.theme import TEXT_CONTRAST, with_contrast
from viewer.model.timeline import Timeline
from viewer.theme import theme_from_palette

SYNC_INDEX_EVENTS = 2_000  # indexed in the GUI thread up to this many events (a few ms)
SYNC_SEARCH_EVENTS = 20_000  # searched and filtered in the GUI thread up to this many (a few ms)
TYPING_PAUSE_MS = 150  # a search starts once typing pauses this long

_jobs: set[QThread] = set()  # a QThread destroyed while it runs aborts the process


class _Job(QThread):
    """Runs `work` in a thread and emits its result (or None if it raised) in the GUI thread.

    Kept in `_jobs` until it has finished, and let go only from the GUI thread (start_job,
    wait_for_jobs): a QThread must never be destroyed while it runs, nor from its own thread.
    """

    done = Signal(object)

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__()
        self.work = work

    def run(self) -> None:
        try:
            result = self.work()
        except InterruptedError:
            return
        except Exception:
            log.exception("search or filter work failed")
            result = None
        self.done.emit(result)


def start_job(job: _Job) -> None:
    """Keep `job` until it has finished, and start it (finished ones are let go here)."""
    _jobs.difference_update([j for j in _jobs if j.isFinished()])
    _jobs.add(job)
    job.start()


def wait_for_jobs() -> None:
    """Wait until every search and filter thread has finished (before the window closes)."""
    for job in list(_jobs):
        job.wait()
    _jobs.clear()


class FindController(QObject):
    """The search and the filters of the window's timeline.

    `changed` is emitted when what is shown or matched changes: read `shown` (one byte an event,
    or None for all), `matches` (a SearchResult over shown events, or None with no search) and
    `filters`.
    """

    changed = Signal()
    indexing = Signal(bool)  # the index is being built in the background

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeline: Timeline | None = None
        self.filters: Filters = NO_FILTERS
        self.query = ""
        self.shown: bytes | None = None
        self.filtered_index: EventIndex | None = None  # made in a thread for large timelines
        self.matches: SearchResult | None = None
        self._index: SearchIndex | None = None
        self._building: _Job | None = None
        self._waiting: list[Callable[[], None]] = []
        self._raw: SearchResult | None = None  # the last search, before the filters
        self._generation = 0  # bumped when the timeline changes: late answers are dropped
        self._stop = threading.Event()  # set when the window closes: the index stops building

    # -- state ------------------------------------------------------------------------------

    def set_timeline(self, timeline: Timeline) -> None:
        """A new timeline: no search, no filters, a new index when one is asked for."""
        self._generation += 1
        self.timeline = timeline
        self.filters = NO_FILTERS
        self.query = ""
        self.shown = None
        self.filtered_index = None
        self.matches = None
        self._raw = None
        self._index = None
        self._waiting = []
        if self._building is not None:
            self._building = None
            self.indexing.emit(False)
        self.changed.emit()
        if len(timeline.events) > SYNC_INDEX_EVENTS:
            # Built at once in the background, so that it is ready by the time a large
            # timeline's first search or filter asks for it.
            self.ensure_index()

    @property
    def index(self) -> SearchIndex | None:
        return self._index

    def shown_count(self) -> int:
        if self.timeline is None:
            return 0
        if self.shown is None:
            return len(self.timeline.events)
        return self.shown.count(1)

    # -- filters ----------------------------------------------------------------------------

    def set_filters(self, filters: Filters) -> None:
        """Show only what `filters` keep (the index is built first if they need it)."""
        self.filters = filters
        needs_facts = filters.active > bool(filters.hidden_categories) + (
            filters.start is not None or filters.end is not None
        )
        if needs_facts and self._index is None:
            self._with_index(lambda: self._apply_filters(filters))
        else:
            self._apply_filters(filters)

    def _apply_filters(self, filters: Filters) -> None:
        """Work out what `filters` keep: at once for a small timeline; in a thread for a large
        one (the mask, the filtered event index and the search's matches within it), the window
        showing the last state until the answer comes."""
        if self.timeline is None or filters != self.filters:
            return
        timeline, facts, raw = self.timeline, self._index, self._raw
        if len(timeline.events) <= SYNC_SEARCH_EVENTS:
            self._on_filtered(_filtered(timeline, facts, filters, raw, lanes=False), filters)
            return
        generation = self._generation
        job = _Job(lambda: _filtered(timeline, facts, filters, raw, lanes=True))
        job.done.connect(
            lambda got: self._on_filtered(got, filters) if generation == self._generation else None
        )
        start_job(job)

    def _on_filtered(self, got: tuple | None, filters: Filters) -> None:
        if got is None or filters != self.filters or self.timeline is None:
            return  # a later change has taken over
        self.shown, self.filtered_index, matches, raw = got
        if raw is self._raw:
            self.matches = matches
        else:  # a search ended meanwhile: fit it to these filters
            self._refilter_matches()
        self.changed.emit()

    def toggle_category(self, category: str) -> None:
        self.set_filters(self.filters.toggled_category(category))

    def clear_filters(self) -> None:
        self.set_filters(NO_FILTERS)

    # -- search -----------------------------------------------------------------------------

    def search(self, query: str) -> None:
        """Search for `query` ('' clears the search)."""
        self.query = query
        if not query.strip():
            self._raw = None
            self.matches = None
            self.changed.emit()
            return
        if self._index is None:
            self._with_index(lambda: self._run_search(query))
        else:
            self._run_search(query)

    def _run_search(self, query: str) -> None:
        if query != self.query or self._index is None or self.timeline is None:
            return
        index, shown, base = self._index, self.shown, self.timeline.index
        if len(self.timeline.events) <= SYNC_SEARCH_EVENTS:
            raw = index.search(query)
            self._on_searched((raw, raw if shown is None else raw.within(shown)), self._generation)
            return
        generation = self._generation

        def work() -> tuple[SearchResult, SearchResult]:
            # In the thread: the search, its matches within the filters, and each lane's
            # matches for the clusters' counts, so the window only has to draw.
            raw = index.search(query)
            return raw, (raw if shown is None else raw.within(shown)).with_lanes(base)

        job = _Job(work)
        job.done.connect(lambda got: self._on_searched(got, generation, shown))
        start_job(job)

    def _on_searched(
        self,
        got: tuple[SearchResult, SearchResult] | None,
        generation: int,
        shown: bytes | None = None,
    ) -> None:
        if got is None or generation != self._generation or got[0].query != self.query:
            return  # a later query, or another timeline, has taken over
        self._raw, matches = got
        if shown is self.shown:
            self.matches = matches
        else:  # the filters changed meanwhile
            self._refilter_matches()
        self.changed.emit()

    def _refilter_matches(self) -> None:
        raw, shown = self._raw, self.shown
        if raw is None:
            self.matches = None
        elif shown is None:
            self.matches = raw
        else:
            self.matches = raw.within(shown)

    # -- the index --------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop building the index (the window is closing): wait_for_jobs then returns within
        moments instead of when a large timeline's index is done."""
        self._stop.set()

    def ensure_index(self) -> None:
        """Start building the index if it is not there (for filters that will need it)."""
        if self._index is None:
            self._with_index(lambda: None)

    def _with_index(self, then: Callable[[], None]) -> None:
        """Run `then` once the index is built, building it now for a small timeline."""
        if self.timeline is None:
            return
        if self._index is not None:
            then()
            return
        self._waiting.append(then)
        if len(self.timeline.events) <= SYNC_INDEX_EVENTS:
            self._on_indexed(SearchIndex(self.timeline), self._generation)
            return
        if self._building is not None:
            return
        timeline, generation = self.timeline, self._generation
        stop = self._stop

        def dropped() -> bool:
            # Another timeline, or the window closing: the index is not wanted any more.
            return generation != self._generation or stop.is_set()

        def step_done() -> bool:
            # Between steps, give way while the picture is being moved (see viewer.activity).
            activity.wait_until_quiet(dropped)
            return dropped()

        def build() -> SearchIndex:
            with collections_paused():
                return SearchIndex(timeline, cancelled=step_done)

        job = _Job(build)
        job.done.connect(lambda index: self._on_indexed(index, generation))
        self._building = job
        self.indexing.emit(True)
        start_job(job)

    @Slot(object)
    def _on_indexed(self, index: SearchIndex | None, generation: int) -> None:
        if generation != self._generation or index is None:
            return
        if self._building is not None:
            self._building = None
            self.indexing.emit(False)
        self._index = index
        settle_long_lived(collect=False)  # its million texts live as long as the timeline
        waiting, self._waiting = self._waiting, []
        for then in waiting:
            then()


def _filtered(
    timeline: Timeline,
    facts: SearchIndex | None,
    filters: Filters,
    raw: SearchResult | None,
    *,
    lanes: bool,
) -> tuple[bytes | None, EventIndex | None, SearchResult | None, SearchResult | None]:
    """What `filters` keep: (flags, filtered index, matches within them, the search they came
    from). The index and the matches' lanes are made here only when `lanes` (in a thread)."""
    mask = shown_mask(timeline, facts, filters)
    n = len(timeline.events)
    shown = None if mask is None else mask_flags(mask, n)
    index = None
    if lanes and shown is not None:
        whole = None
        if filters.active == 1 and filters.hidden_categories:
            # Categories only: each lane (a category in use) is kept or dropped whole.
            lane_ids, _ = timeline.lanes
            whole = {k for k, c in enumerate(lane_ids) if c not in filters.hidden_categories}
        index = FilteredIndex(timeline.index, shown, whole)
    matches = None
    if raw is not None:
        matches = raw if shown is None else raw.within(shown)
        if lanes:
            matches = matches.with_lanes(timeline.index)
    return shown, index, matches, raw


class FindBar(QWidget):
    """The toolbar's search field with its count and its previous and next buttons."""

    queryChanged = Signal(str)  # after a pause in typing
    nextRequested = Signal()
    previousRequested = Signal()
    escapePressed = Signal()
    focused = Signal()  # the field took the focus: a search is likely, so index now

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText("Search (Ctrl+F)")
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Search events and sources")
        self.field.setMinimumWidth(180)
        self.field.setMaximumWidth(360)
        self.count = QLabel()
        self.count.setObjectName("searchCount")
        self.previous = QToolButton()
        self.previous.setText("▲")
        self.previous.setToolTip("Previous match (Shift+F3)")
        self.next = QToolButton()
        self.next.setText("▼")
        self.next.setToolTip("Next match (Enter, F3)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(4)
        for w in (self.field, self.count, self.previous, self.next):
            layout.addWidget(w)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(lambda: self.queryChanged.emit(self.field.text()))
        self.field.textChanged.connect(self._on_text)
        self.field.returnPressed.connect(self._on_return)
        self.previous.clicked.connect(self.previousRequested)
        self.next.clicked.connect(self.nextRequested)
        self.field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.FocusIn:
            self.focused.emit()
        if (
            watched is self.field
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Escape  # type: ignore[attr-defined]
        ):
            self.escapePressed.emit()
            return True
        return super().eventFilter(watched, event)

    def _on_text(self, text: str) -> None:
        if not text.strip():
            self._timer.stop()
            self.queryChanged.emit(text)  # clearing is immediate
        else:
            self._timer.start()

    def _on_return(self) -> None:
        if self._timer.isActive():  # Enter before the pause: search now, then step
            self._timer.stop()
            self.queryChanged.emit(self.field.text())
        self.nextRequested.emit()

    def flush(self) -> None:
        """Run the pending search now (the field's text was set by code, or Enter)."""
        if self._timer.isActive():
            self._timer.stop()
            self.queryChanged.emit(self.field.text())

    def show_count(self, matches: SearchResult | None, busy: bool = False) -> None:
        """'N events match', or 'Indexing…', or nothing with no search."""
        if busy:
            text = "Indexing…"
        elif matches is None:
            text = ""
        else:
            n = len(matches)
            text = f"{n:,} event{'' if n == 1 else 's'} match"
            if n == 1:
                text += "es"
        self.count.setText(text)

    @staticmethod
    def shortcuts() -> dict[str, QKeySequence]:
        return {
            "find": QKeySequence(QKeySequence.StandardKey.Find),
            "next": QKeySequence("F3"),
            "previous": QKeySequence("Shift+F3"),
        }


class DateRangeDialog(QDialog):
    """Two dates, each at its own precision ('2021', '2022-04', '22 April 2022'): the range runs
    from the first instant of the first to the last of the second. Either may be left empty."""

    def __init__(self, parent: QWidget | None, filters: Filters) -> None:
        super().__init__(parent)
        self.setWindowTitle("Show a date range")
        self.start_field = QLineEdit(_day_text(filters.start))
        self.start_field.setObjectName("rangeStart")
        self.start_field.setPlaceholderText("e.g. 2021 or 2022-04")
        self.end_field = QLineEdit(_day_text(filters.end, last=True))
        self.end_field.setObjectName("rangeEnd")
        self.end_field.setPlaceholderText("e.g. 2022-12-31")
        self.error = QLabel()
        self.error.setObjectName("rangeError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        # The theme's warning colour, kept at 4.5:1 against this dialog's background.
        window = self.palette().color(QPalette.ColorRole.Window).name()
        warning = with_contrast(theme_from_palette(self.palette()).warning, window, TEXT_CONTRAST)
        self.error.setStyleSheet(f"color: {warning}")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("From", self.start_field)
        form.addRow("To", self.end_field)
        form.addRow(self.error)
        form.addRow(buttons)
        self._range: tuple[float | None, float | None] = (None, None)

    def range(self) -> tuple[float | None, float | None]:
        return self._range

    def _check(self) -> None:
        try:
            a = self.start_field.text().strip()
            b = self.end_field.text().strip()
            start = parse_date(a).start if a else None
            end = parse_date(b).end if b else None
        except DateError as exc:
            self.error.setText(str(exc))
            return
        if start is not None and end is not None and end <= start:
            self.error.setText("The end is before the start.")
            return
        self._range = (start, end)
        self.accept()


def _day_text(t: float | None, last: bool = False) -> str:
    """A range end as a day, for editing ('' when open)."""
    if t is None:
        return ""
    d = date_from_seconds(t - 1 if last else t)
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
