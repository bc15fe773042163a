"""The main window: the timeline view and the source panel side by side, menus, status bar.

Files opened from the window load in a background thread (viewer.loading): the status bar shows
a progress bar and a Cancel button, Esc cancels too, and the timeline on show stays until the
new one is ready, so a load that fails or is cancelled changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolBar,
    QWidget,
)

from viewer import accessible
from viewer.bundle import trust_root_for
from viewer.column_dialog import ColumnDialog
from viewer.errors import log
from viewer.event_list import EventList
from viewer.export import FIT_MARGIN_PX, ExportError, export_timeline, write_file
from viewer.export_dialog import (
    DATES,
    IN_VIEW,
    WHOLE,
    ExportChoice,
    ExportDialog,
)
from viewer.find import DateRangeDialog, FindBar, FindController, wait_for_jobs
from viewer.help import AboutDialog, ShortcutsDialog
from viewer.loading import TimelineLoader, settle_long_lived
from viewer.loading import load_timeline_file as load_timeline_file  # app.py's first load
from viewer.model.citing import event_markdown, event_plain, events_csv, events_markdown
from viewer.model.filters import KIND_NAMES, Filters
from viewer.model.importers import Columns, detect_file
from viewer.model.importers.generic import peek
from viewer.model.loader import TimelineError
from viewer.model.saving import SaveError, save_timeline
from viewer.model.scene import MarkKind
from viewer.model.text import isolate
from viewer.model.timeline import Event, Timeline
from viewer.model.timelinejs import timelinejs_bytes
from viewer.recent import RecentFiles
from viewer.render import TimelineRenderer
from viewer.source_panel import SourcePanel, copy_to_clipboard, inline
from viewer.theme import ThemeMenu
from viewer.time_zone import TimeZoneMenu
from viewer.timeline_view import TimelineView

GUI_PNG_SCALE = 2.0  # PNGs saved from the window are for publication: twice the pixels


# Open offers our own files and those other tools' files that are imported (told apart by
# content, not by name: the names are only the dialog's filter).
IMPORT_FILTER = (
    "Timelines (*.json *.csv *.jsonl *.timeline *.log *.xml *.txt);;"
    "Our timelines (*.json);;All files (*)"
)


def uncited_note(timeline: Timeline) -> str:
    """'; N uncited (no source quoted)' for the status bar, or ''."""
    if not timeline.imported:
        return ""  # our own format's events all cite: a quote not found is a warning
    uncited = timeline.events.uncited  # the importer counted them: no event need be made
    if uncited is None:
        uncited = sum(1 for e in timeline.events if timeline.marked_uncited(e))
    return f"; {uncited:,} uncited (no source quoted)" if uncited else ""


def show_error(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    """A window-modal error box that shows `text` as plain text (it may quote untrusted data)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class MainWindow(QMainWindow):
    """The application window. `settings` keeps the window's geometry between launches."""

    def __init__(self, timeline: Timeline | None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        self.last_error: QMessageBox | None = None
        accessible.install()  # the canvas's events, for assistive technology
        self.view = TimelineView()
        self.panel = SourcePanel()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.zoom_label = QLabel()
        self.zoom_label.setTextFormat(Qt.TextFormat.PlainText)
        self._make_load_indicator()
        self.statusBar().addPermanentWidget(self.zoom_label)

        self.recent = RecentFiles(self.settings)
        self._make_actions()
        self._make_find()
        self._make_help()
        self.setAcceptDrops(True)  # a timeline dropped anywhere on the window opens
        self.view.eventSelected.connect(self._on_selected)
        self.view.viewChanged.connect(self._update_zoom_label)
        self.view.zoneChanged.connect(self._on_zone_changed)
        self.event_list.set_zone(self.view.zone)
        self.resize(1280, 760)
        self._restore_settings()
        if timeline is not None:
            self.set_timeline(timeline)
        self.view.setFocus()

    def _make_load_indicator(self) -> None:
        """The status bar's "Loading big.json… 45%", its bar and Cancel button, hidden when idle.

        Permanent widgets, so that a message such as the selected event's does not hide them.
        """
        self.loader = TimelineLoader(self)
        self.loader.progressed.connect(self._on_load_progress)
        self.loader.finished.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self.loader.cancelled.connect(self._on_load_cancelled)
        self._loading_name = ""
        self._loading_path = ""
        self.load_label = QLabel()
        self.load_label.setObjectName("loadLabel")
        self.load_label.setTextFormat(Qt.TextFormat.PlainText)
        self.load_bar = QProgressBar()
        self.load_bar.setObjectName("loadProgress")
        self.load_bar.setMaximumWidth(160)
        self.load_bar.setTextVisible(False)  # the label says the percentage
        self.cancel_load_button = QPushButton("Cancel")
        self.cancel_load_button.setObjectName("cancelLoad")
        self.cancel_load_button.setToolTip("Stop loading and keep the timeline shown (Esc)")
        self.cancel_load_button.clicked.connect(self.cancel_load)
        # Esc clears the selection in the view; while a file loads, the window takes it to
        # cancel. Disabled when idle, so that Esc reaches the view again.
        self.cancel_load_action = QAction("Cancel loading", self)
        self.cancel_load_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_load_action.setEnabled(False)
        self.cancel_load_action.triggered.connect(self.cancel_load)
        self.addAction(self.cancel_load_action)
        for widget in (self.load_label, self.load_bar, self.cancel_load_button):
            self.statusBar().addPermanentWidget(widget)
            widget.hide()

    # -- actions ----------------------------------------------------------------------------

    # Keys are written out, not Qt's standard keys: those differ between platform themes
    # (Quit has none offscreen, Copy has three on X11), and the list in Help and README.md
    # should say the same everywhere.
    def _action(self, text: str, slot, *keys: QKeySequence | str) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        self.open_action = self._action("&Open timeline…", self.open_dialog, "Ctrl+O")
        self.save_as_action = self._action("Save &As…", self.save_as_dialog, "Ctrl+Shift+S")
        self.export_action = self._action("&Export image…", self.export_dialog, "Ctrl+E")
        self.export_timelinejs_action = self._action(
            "Export &TimelineJS JSON…", self.export_timelinejs_dialog
        )
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q")
        self.zoom_in_action = self._action("Zoom &in", self.view.zoom_in, "+", "=", "Ctrl++")
        self.zoom_out_action = self._action("Zoom &out", self.view.zoom_out, "-", "Ctrl+-")
        self.fit_action = self._action("&Fit all", self.view.fit_all, "0", "Ctrl+0")
        # Alt+arrows step through events from anywhere in the window (the menus show them);
        # the plain keys do it in the timeline only (see below).
        self.previous_action = self._action(
            "&Previous event", lambda: self.view.step("previous"), "Alt+Left"
        )
        self.next_action = self._action("&Next event", lambda: self.view.step("next"), "Alt+Right")
        self.first_action = self._action(
            "&First event", lambda: self.view.step("first"), "Alt+Home"
        )
        self.last_action = self._action("&Last event", lambda: self.view.step("last"), "Alt+End")
        self.next_citation_action = self._action(
            "Next &citation", self.panel.next_citation, "Ctrl+Right"
        )
        self.previous_citation_action = self._action(
            "Previous c&itation", self.panel.previous_citation, "Ctrl+Left"
        )
        # The plain keys step through events only while the timeline has focus, so that they
        # still move the cursor in the source text: actions of the view's own, not in a menu.
        self.view_keys: list[QAction] = []
        for text, how, key in (
            ("Previous event", "previous", "Left"),
            ("Next event", "next", "Right"),
            ("First event", "first", "Home"),
            ("Last event", "last", "End"),
        ):
            a = self._action(text, lambda _=False, h=how: self.view.step(h), key)
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(a)
            self.view_keys.append(a)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recentMenu")
        # Made when it opens: a file may have gone since the last time.
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        self.reopen_action = QAction("Reopen &last timeline at start", self)
        self.reopen_action.setCheckable(True)
        self.reopen_action.setChecked(self.recent.reopen_last)
        self.reopen_action.toggled.connect(self._set_reopen_last)
        file_menu.addAction(self.reopen_action)
        file_menu.addSeparator()
        file_menu.addAction(self.save_as_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.export_timelinejs_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu("&View")
        for a in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            view_menu.addAction(a)
        self.time_zone_menu = TimeZoneMenu(view_menu, self.view, self.settings)
        self.theme_menu = ThemeMenu(view_menu, self.settings)
        go_menu = bar.addMenu("&Go")
        for a in (self.previous_action, self.next_action, self.first_action, self.last_action):
            go_menu.addAction(a)
        go_menu.addSeparator()
        go_menu.addAction(self.previous_citation_action)
        go_menu.addAction(self.next_citation_action)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        for a in (self.open_action, self.export_action):
            toolbar.addAction(a)
        toolbar.addSeparator()
        for a in (self.zoom_out_action, self.zoom_in_action, self.fit_action):
            toolbar.addAction(a)
        toolbar.addSeparator()
        toolbar.addAction(self.previous_action)
        toolbar.addAction(self.next_action)
        # Hidden from its context menu, the toolbar comes back from View by keyboard too.
        self.toolbar_action = toolbar.toggleViewAction()
        self.toolbar_action.setText("Tool&bar")
        view_menu.addSeparator()
        view_menu.addAction(self.toolbar_action)

    # -- timeline ---------------------------------------------------------------------------

    @property
    def timeline(self) -> Timeline | None:
        return self.view.timeline

    def set_timeline(self, timeline: Timeline) -> None:
        self.view.set_timeline(timeline)
        self._remember(timeline)
        self.find.set_timeline(timeline)
        self.find_bar.field.blockSignals(True)
        self.find_bar.field.clear()
        self.find_bar.field.blockSignals(False)
        self._rebuild_filter_menu()
        # Qt reads "[*]" in a window title as the unsaved-changes mark and hides it; doubled,
        # it shows as itself. Isolated, so that a U+202E in it cannot reverse the app's name.
        title = inline(timeline.title).replace("[*]", "[*][*]")
        self.setWindowTitle(f"{title} — Timeline viewer")
        self.statusBar().showMessage(self._timeline_status())
        QTimer.singleShot(0, settle_long_lived)  # once the timeline is painted

    def _timeline_status(self) -> str:
        """The status bar's line when no event is selected: what the timeline holds."""
        timeline = self.timeline
        if timeline is None:
            return ""
        warned = timeline.warned
        note = f"; {warned:,} with quotes not found in their sources" if warned else ""
        note += uncited_note(timeline)
        return f"{len(timeline.events):,} events from {len(timeline.sources):,} sources{note}"

    def _fill_recent_menu(self) -> None:
        """File → Open Recent: the last ten timelines, newest first; a file that is no longer
        there is greyed out and says so."""
        menu = self.recent_menu
        menu.clear()
        paths = self.recent.paths()
        for n, path in enumerate(paths, start=1):
            missing = not path.is_file()
            # "&" would be read as a mnemonic; the path is isolated, so a bidi control in a
            # file name cannot reorder the rest of the entry.
            name = inline(path.name).replace("&", "&&")
            folder = inline(str(path.parent), 80).replace("&", "&&")
            number = f"&{n} " if n < 10 else "1&0 "
            text = f"{number}{name}   {folder}" + ("   (missing)" if missing else "")
            action = menu.addAction(text)
            action.setData(str(path))
            action.setEnabled(not missing)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        if not paths:
            empty = menu.addAction("No recent timelines")
            empty.setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("&Clear recent timelines")
        clear.setObjectName("clearRecent")
        clear.setEnabled(bool(paths))
        clear.triggered.connect(self._clear_recent)

    # The menu is filled again only when it next opens: an entry must not be deleted from
    # inside its own triggered signal.
    def _clear_recent(self) -> None:
        self.recent.clear()

    def _set_reopen_last(self, on: bool) -> None:
        self.recent.reopen_last = on

    def open_recent(self, path: Path) -> None:
        """Open a timeline from File → Open Recent; one that has gone is taken off the list."""
        if not Path(path).is_file():
            self.recent.remove(path)
            self.statusBar().showMessage(f"{inline(str(path))} is no longer there", 8000)
            return
        self.open_path(path)

    def reopen_last(self) -> bool:
        """At start, without a file named: open the timeline opened last, if the preference
        (File → Reopen last timeline at start) says so and the file is still there."""
        last = self.recent.last()
        if not self.recent.reopen_last or last is None or not last.is_file():
            return False
        self.open_path(last)
        return True

    def _remember(self, timeline: Timeline) -> None:
        """Put a timeline opened from a file (not the built-in one) first in Open Recent."""
        path = timeline.path
        if path is None or trust_root_for(path) is not None:
            return
        self.recent.add(path.absolute())

    # -- drag and drop ----------------------------------------------------------------------

    @staticmethod
    def dropped_file(event) -> Path | None:
        """The first local file among what is dragged, if any (a web address is not opened:
        we never fetch)."""
        data = event.mimeData()
        if data is None or not data.hasUrls():
            return None
        for url in data.urls():
            if url.isLocalFile() and url.toLocalFile():
                return Path(url.toLocalFile())
        return None

    def dragEnterEvent(self, event) -> None:
        if self.dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self.dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        path = self.dropped_file(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_path(path)

    column_dialog: ColumnDialog | None = None  # the last CSV whose columns were asked for

    def open_path(self, path: str | Path, columns: Columns | None = None) -> None:
        """Start loading the timeline at `path` in the background, cancelling any other load.

        The new timeline replaces the current one once it is ready; if the load fails, a dialog
        says why and the current timeline stays. A CSV of no known format first asks which
        column is what (unless `columns` say it); cancelling that keeps everything as it was.
        """
        path = Path(path)
        if columns is None and detect_file(path) == "generic-csv":
            self.ask_columns(path)
            return
        self.loader.start(path, columns)
        self._loading_name = path.name
        self._loading_path = str(path)
        self.load_bar.setRange(0, 0)  # busy until the first report
        self._show_load_progress(0)
        for widget in (self.load_label, self.load_bar, self.cancel_load_button):
            widget.show()
        self.cancel_load_action.setEnabled(True)

    def is_loading(self) -> bool:
        """Whether a file is loading in the background."""
        return self.loader.is_loading()

    def cancel_load(self) -> None:
        """Stop the file loading, if any; the timeline on show stays."""
        self.loader.cancel()

    def _show_load_progress(self, percent: int) -> None:
        self.load_label.setText(f"Loading {inline(self._loading_name)}… {percent}%")

    def _end_load(self) -> None:
        self.cancel_load_action.setEnabled(False)
        for widget in (self.load_label, self.load_bar, self.cancel_load_button):
            widget.hide()

    def _on_load_progress(self, done: int, total: int) -> None:
        if self.load_bar.maximum() != total:
            self.load_bar.setRange(0, total)
        self.load_bar.setValue(done)
        self._show_load_progress(done * 100 // max(total, 1))

    def _on_loaded(self, timeline: Timeline) -> None:
        self._end_load()
        log.info("opened %s (%d events)", timeline.path, len(timeline.events))
        self.set_timeline(timeline)
        warned = timeline.warned
        note = f"; {warned:,} with quotes not found in their sources" if warned else ""
        note += uncited_note(timeline)
        self.statusBar().showMessage(
            f"Opened {inline(self._loading_name)} ({len(timeline.events):,} events{note})"
        )

    def ask_columns(self, path: Path) -> None:
        """The column dialog for the CSV at `path` (window-modal, not blocking): Import loads
        it with the columns chosen, Cancel changes nothing."""
        try:
            table = peek(path)
        except TimelineError as exc:
            self._show_open_error(str(path), str(exc))
            return
        if self.column_dialog is not None:
            self.column_dialog.deleteLater()
        dialog = self.column_dialog = ColumnDialog(path, table, self)
        dialog.accepted.connect(lambda: self.open_path(path, dialog.columns()))
        dialog.rejected.connect(
            lambda: self.statusBar().showMessage(f"Did not open {inline(path.name)}", 8000)
        )
        dialog.open()

    def _on_load_failed(self, message: str) -> None:
        self._end_load()
        self._show_open_error(self._loading_path, message)

    def _show_open_error(self, path: str, message: str) -> None:
        log.warning("cannot open a timeline: %s", message)
        # The message starts with the file's path, which may hold bidi controls: isolated, it
        # cannot reorder the rest. (What the message quotes from the file is in repr() form,
        # which writes bidi controls as escapes.)
        if path and message.startswith(path):
            message = isolate(path) + message[len(path) :]
        self.last_error = show_error(self, "Cannot open timeline", message)

    def _on_load_cancelled(self) -> None:
        self._end_load()
        log.info("loading %s cancelled", self._loading_name)
        current = self.timeline
        still = f"; still showing {inline(current.title)}" if current is not None else ""
        self.statusBar().showMessage(f"Loading cancelled{still}")

    def open_dialog(self) -> None:
        start = str(self.timeline.path.parent) if self.timeline and self.timeline.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open timeline", start, IMPORT_FILTER)
        if path:
            self.open_path(path)

    def _save_target(self, title: str, name: str, kind: str) -> Path | None:
        """Ask where to save; `.json` is added when the name has no suffix."""
        path = self.timeline.path if self.timeline else None
        # Not into the app's own folder: the built-in timeline is saved wherever the user says.
        folder = path.parent if path is not None and trust_root_for(path) is None else None
        start = str(folder / name) if folder is not None else name
        path, _ = QFileDialog.getSaveFileName(self, title, start, f"{kind} (*.json)")
        if not path:
            return None
        target = Path(path)
        return target if target.suffix else target.with_name(target.name + ".json")

    def save_as_dialog(self) -> None:
        """File → Save As…: the timeline in our format, with its source files beside it."""
        if self.timeline is None:
            return
        name = self.timeline.path.name if self.timeline.path else "timeline.json"
        target = self._save_target("Save timeline as", name, "Timelines")
        if target is not None:
            self.save_as(target)

    def save_as(self, path: Path) -> bool:
        """Save the timeline at `path` in our format (docs/format.md, Saving), atomically; a
        problem is shown in a dialog and nothing is written."""
        assert self.timeline is not None
        try:
            save_timeline(self.timeline, path)
        except SaveError as exc:
            log.warning("cannot save: %s", exc)
            self.last_error = show_error(self, "Cannot save timeline", str(exc))
            return False
        self.statusBar().showMessage(f"Saved {path}", 8000)
        return True

    def export_timelinejs_dialog(self) -> None:
        """File → Export TimelineJS JSON…: a file TimelineJS 3 can publish."""
        if self.timeline is None:
            return
        stem = self.timeline.path.stem if self.timeline.path else "timeline"
        target = self._save_target("Export TimelineJS JSON", f"{stem}.timelinejs.json", "JSON")
        if target is not None:
            self.export_timelinejs_to(target)

    def export_timelinejs_to(self, path: Path) -> bool:
        """Write the whole timeline as TimelineJS 3 JSON at `path`, atomically; a problem is
        shown in a dialog and nothing is written."""
        assert self.timeline is not None
        try:
            write_file(path, timelinejs_bytes(self.timeline))
        except ExportError as exc:
            log.warning("cannot export TimelineJS: %s", exc)
            self.last_error = show_error(self, "Cannot export", str(exc))
            return False
        self.statusBar().showMessage(f"Exported TimelineJS JSON to {path}", 8000)
        return True

    export_box: ExportDialog | None = None  # made when first asked for

    def export_dialog(self) -> None:
        """File → Export image…: the export dialog (one per window, so that it keeps what was
        typed), filled from the last export."""
        if self.timeline is None:
            return
        if self.export_box is None:
            self.export_box = ExportDialog(self, self._export_choice, self._export_problem)
            self.export_box.path_edit.setText(self._setting("export/last", "timeline.png"))
            self.export_box.set_what(self._setting("export/what", WHOLE))
            self.export_box.set_preset(self._setting("export/preset", "") or None)
            self.export_box.set_theme(self._setting("export/theme", "light"))
            self.export_box.start_edit.setText(self._setting("export/from", ""))
            self.export_box.end_edit.setText(self._setting("export/to", ""))
        self.export_box.open()
        self.export_box.activateWindow()  # keys go to the dialog, not the window's shortcuts
        self.export_box.path_edit.setFocus()

    def _export_problem(self, message: str) -> None:
        """Say why an export failed, over the export dialog while it is open."""
        box = self.export_box
        parent = box if box is not None and box.isVisible() else self
        self.last_error = show_error(parent, "Cannot export", message)

    def _export_choice(self, choice: ExportChoice) -> bool:
        if choice.what == IN_VIEW:
            # Exactly the view's span, edge to edge, as the view shows it.
            scale = self.view.scale
            time_range, margin = (scale.t0, scale.t1), 0.0
        elif choice.what == DATES and choice.start is not None and choice.end is not None:
            time_range, margin = (choice.start.start, choice.end.end), FIT_MARGIN_PX
        else:
            time_range, margin = None, FIT_MARGIN_PX
        done = self.export_to(
            choice.path,
            preset=choice.preset,
            time_range=time_range,
            range_margin=margin,
            theme=choice.theme,
        )
        if done:
            self.settings.setValue("export/theme", choice.theme)
            self.settings.setValue("export/what", choice.what)
            self.settings.setValue("export/preset", choice.preset or "")
            self.settings.setValue("export/from", choice.start.iso() if choice.start else "")
            self.settings.setValue("export/to", choice.end.iso() if choice.end else "")
        return done

    def export_to(
        self,
        path: Path,
        *,
        preset: str | None = None,
        time_range: tuple[float, float] | None = None,
        range_margin: float = FIT_MARGIN_PX,
        theme: str = "light",
    ) -> bool:
        """Export the timeline (or `time_range`, in seconds) to `path`, at the `preset`'s size,
        in the `theme`'s colours ('light' or 'dark'); errors are shown in a dialog."""
        assert self.timeline is not None
        # Without a preset, PNGs saved from the window are for publication: twice the pixels.
        scale = GUI_PNG_SCALE if preset is None and path.suffix.lower() == ".png" else None
        # A picture of its own: the filters apply, the search's dimming does not.
        renderer = TimelineRenderer(self.timeline)
        renderer.zone = self.view.zone
        find = self.find
        if find.filters.active:
            total, shown = len(self.timeline.events), find.shown_count()
            left = ", ".join(find.filters.describe(self.timeline))
            note = f"Filtered: {total - shown:,} of {total:,} events left out ({left})."
            renderer.set_filter(find.shown, find.filters.hidden_categories, note)
        try:
            export_timeline(
                self.timeline,
                path,
                scale=scale,
                renderer=renderer,
                preset=preset,
                time_range=time_range,
                range_margin=range_margin,
                theme=theme,
            )
        except ExportError as exc:
            log.warning("cannot export: %s", exc)
            self._export_problem(str(exc))
            return False
        self.settings.setValue("export/last", str(path))
        self.statusBar().showMessage(f"Exported {path}", 8000)
        return True

    def _on_selected(self, index: int) -> None:
        timeline = self.timeline
        event = timeline.events[index] if timeline is not None and index >= 0 else None
        self.panel.show_event(timeline, event)
        self.event_list.select_event(index if index >= 0 else None)
        if event is not None:
            self._show_selected_in_status(event)
        else:  # never the event that was selected: the status bar says what is true now
            self.statusBar().showMessage(self._timeline_status())

    def _show_selected_in_status(self, event: Event) -> None:
        # The date in View → Time zone's zone, as the axis and the event list show it.
        when = event.when.label(self.view.zone)
        self.statusBar().showMessage(f"{when} — {inline(event.title)}")

    def _on_zone_changed(self) -> None:
        self.event_list.set_zone(self.view.zone)
        index = self.view.selected_index
        if self.timeline is not None and index is not None:
            self._show_selected_in_status(self.timeline.events[index])

    def _update_zoom_label(self) -> None:
        self.zoom_label.setText(f"Axis: {self.view.zoom_level_name()}")

    # -- search, filters and the event list ---------------------------------------------------

    def _make_find(self) -> None:
        """The search field in the toolbar, the Filter menu, the event list and their status."""
        self.find = FindController(self)
        self.find_bar = FindBar()
        # First in the toolbar: in a narrow window the toolbar hides its last items behind »,
        # and a hidden field would take Ctrl+F's typing out of sight (the buttons it hides are
        # all in the menus too).
        toolbar = self.findChild(QToolBar, "mainToolbar")
        first = toolbar.actions()[0]
        toolbar.insertWidget(first, self.find_bar)
        toolbar.insertSeparator(first)
        self.find_action = self._action("&Find…", self.focus_search, "Ctrl+F")
        self.find_next_action = self._action("Find &next", self.find_next, "F3")
        self.find_previous_action = self._action("Find p&revious", self.find_previous, "Shift+F3")
        # Esc in the field clears the search. Not a shortcut: while a file loads, Esc is the
        # window's shortcut to cancel it, and two shortcuts on one key would both be ignored.
        self.find_bar.escapePressed.connect(self.clear_search)
        # A large timeline is indexed in the background: start when a search or a filter
        # that needs the index looks likely, not at the first letter typed.
        self.find_bar.focused.connect(self.find.ensure_index)
        for a in (self.find_action, self.find_next_action, self.find_previous_action):
            self.addAction(a)
        self.find_bar.queryChanged.connect(self.find.search)
        self.find_bar.nextRequested.connect(self.find_next)
        self.find_bar.previousRequested.connect(self.find_previous)
        self.find.changed.connect(self._on_find_changed)
        self.find.indexing.connect(
            lambda busy: self.find_bar.show_count(self.find.matches, busy=busy)
        )
        self.view.categoryToggled.connect(self.find.toggle_category)
        self.view.eventMenuRequested.connect(self._event_menu)
        self.panel.eventRequested.connect(self.select_event_id)
        self.export_events_action = self._action(
            "Export &events…", self.export_events_dialog, "Ctrl+Shift+E"
        )
        file_menu = self.menuBar().actions()[0].menu()
        file_menu.insertAction(self.quit_action, self.export_events_action)
        file_menu.insertSeparator(self.quit_action)

        edit_menu = self.menuBar().addMenu("&Search")
        for a in (self.find_action, self.find_next_action, self.find_previous_action):
            edit_menu.addAction(a)
        self.filter_menu = self.menuBar().addMenu("F&ilter")
        self.filter_menu.aboutToShow.connect(self.find.ensure_index)
        self.clear_filters_action = self._action(
            "&Clear filters", self.find.clear_filters, "Ctrl+Shift+L"
        )
        self.addAction(self.clear_filters_action)

        self.event_list = EventList()
        self.event_list.eventActivated.connect(lambda i: self.view.select(i))
        self.event_dock = QDockWidget("Events", self)
        self.event_dock.setObjectName("eventDock")
        self.event_dock.setWidget(self.event_list)
        # Docked only: a floating list is a window of its own, where the window's shortcuts
        # (Esc to cancel a load, the arrows) would not reach.
        self.event_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.event_dock)
        self.event_dock.hide()
        self.event_list_action = self.event_dock.toggleViewAction()
        self.event_list_action.setText("&Event list")
        self.event_list_action.setShortcut(QKeySequence("Ctrl+L"))
        view_menu = self.menuBar().actions()[1].menu()
        view_menu.addSeparator()
        view_menu.addAction(self.event_list_action)
        self.event_dock.visibilityChanged.connect(self._on_list_visible)

        self.filter_label = QLabel()
        self.filter_label.setObjectName("filterStatus")
        self.filter_label.setTextFormat(Qt.TextFormat.PlainText)
        self.clear_filters_button = QPushButton("Clear filters")
        self.clear_filters_button.setObjectName("clearFilters")
        self.clear_filters_button.clicked.connect(self.find.clear_filters)
        # It hides itself when clicked: it must not keep the focus (Filter → Clear filters and
        # Ctrl+Shift+L do the same from the keyboard).
        self.clear_filters_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_filters_button.setToolTip("Show every event again (Ctrl+Shift+L)")
        for widget in (self.filter_label, self.clear_filters_button):
            self.statusBar().addPermanentWidget(widget)
            widget.hide()

    def _make_help(self) -> None:
        """Help → Keyboard shortcuts (F1) and About: dialogs that do not block the window."""
        help_menu = self.menuBar().addMenu("&Help")
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, "F1")
        self.about_action = self._action("&About Timeline viewer", self.show_about)
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    shortcuts_box: ShortcutsDialog | None = None
    about_box: AboutDialog | None = None

    def show_shortcuts(self) -> ShortcutsDialog:
        """Show the list of every shortcut, read from the actions now."""
        if self.shortcuts_box is None:
            self.shortcuts_box = ShortcutsDialog(self)
        else:
            self.shortcuts_box.refresh(self)
        self.shortcuts_box.show()
        self.shortcuts_box.raise_()
        return self.shortcuts_box

    def show_about(self) -> AboutDialog:
        """Show the version, the licence and the libraries used."""
        if self.about_box is None:
            self.about_box = AboutDialog(self)
        self.about_box.show()
        self.about_box.raise_()
        return self.about_box

    def _rebuild_filter_menu(self) -> None:
        """The Filter menu for the timeline on show: its categories, sources and precisions.
        Made when a timeline is shown; a filter change only ticks its entries
        (_sync_filter_menu), so no entry is deleted while it is being triggered."""
        menu = self.filter_menu
        menu.clear()
        self._filter_checks: list[tuple[QAction, Callable[[Filters], bool]]] = []
        timeline = self.timeline
        if timeline is None:
            return

        def check(parent: QMenu, text: str, shown, toggle) -> None:
            action = parent.addAction(text)
            action.setCheckable(True)
            action.toggled.connect(toggle)
            self._filter_checks.append((action, shown))

        cats = menu.addMenu("&Categories")
        lane_ids, _ = timeline.lanes
        for cid in lane_ids:
            cat = timeline.categories.get(cid)
            check(
                cats,
                isolate(cat.label if cat else cid),
                lambda f, c=cid: c not in f.hidden_categories,
                lambda _on, c=cid: self.find.toggle_category(c),
            )
        sources = menu.addMenu("&Sources")
        for sid, source in timeline.sources.items():
            check(
                sources,
                isolate(source.title),
                lambda f, sid=sid: f.sources is None or sid in f.sources,
                lambda on, sid=sid: self._toggle_source(sid, on),
            )
        kinds = menu.addMenu("&Precision")
        for kind, name in KIND_NAMES.items():
            check(
                kinds,
                name,
                lambda f, k=kind: f.kinds is None or k in f.kinds,
                lambda on, k=kind: self._toggle_kind(k, on),
            )
        menu.addAction("&Date range…", self.date_range_dialog)
        menu.addSeparator()
        for text, attr in (
            ("Disputed &only", "disputed_only"),
            ("With &warnings only", "warnings_only"),
            ("&Uncited only", "uncited_only"),
        ):
            check(
                menu,
                text,
                lambda f, a=attr: getattr(f, a),
                lambda on, a=attr: self.find.set_filters(replace(self.find.filters, **{a: on})),
            )
        menu.addSeparator()
        menu.addAction(self.clear_filters_action)
        self._sync_filter_menu()

    def _sync_filter_menu(self) -> None:
        """Tick the Filter menu's entries as the filters now are."""
        f = self.find.filters
        for action, shown in getattr(self, "_filter_checks", []):
            action.blockSignals(True)
            action.setChecked(shown(f))
            action.blockSignals(False)

    def _toggle_source(self, source_id: str, on: bool) -> None:
        assert self.timeline is not None
        f = self.find.filters
        chosen = set(self.timeline.sources) if f.sources is None else set(f.sources)
        chosen.add(source_id) if on else chosen.discard(source_id)
        every = chosen == set(self.timeline.sources)
        self.find.set_filters(replace(f, sources=None if every else frozenset(chosen)))

    def _toggle_kind(self, kind: MarkKind, on: bool) -> None:
        f = self.find.filters
        chosen = set(MarkKind) if f.kinds is None else set(f.kinds)
        chosen.add(kind) if on else chosen.discard(kind)
        self.find.set_filters(
            replace(f, kinds=None if chosen == set(MarkKind) else frozenset(chosen))
        )

    def date_range_dialog(self) -> None:
        """Ask for a date range (each end at its own precision) and show only what overlaps."""
        dialog = DateRangeDialog(self, self.find.filters)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            start, end = dialog.range()
            self.find.set_filters(replace(self.find.filters, start=start, end=end))

    def _on_find_changed(self) -> None:
        find = self.find
        hidden = find.filters.hidden_categories
        self.view.set_find(find.shown, find.matches, hidden, find.filtered_index)
        self.find_bar.show_count(find.matches)
        if find.matches is None:
            self.panel.show_search("")
        else:
            self.panel.show_search(find.query, find.matches.sources)
        if self.event_dock.isVisible():
            self.event_list.set_events(self.timeline, find.shown, find.matches)
            self.event_list.select_event(self.view.selected_index)
        self._update_filter_status()
        self._sync_filter_menu()

    def _on_list_visible(self, visible: bool) -> None:
        if visible:
            self.event_list.set_events(self.timeline, self.find.shown, self.find.matches)
            self.event_list.select_event(self.view.selected_index)

    def _update_filter_status(self) -> None:
        timeline, active = self.timeline, self.find.filters.active
        if timeline is None or not active:
            self.filter_label.hide()
            self.clear_filters_button.hide()
            return
        total = len(timeline.events)
        shown = self.find.shown_count()
        plural = "filter" if active == 1 else "filters"
        self.filter_label.setText(f"{shown:,} of {total:,} events shown · {active} {plural}")
        self.filter_label.show()
        self.clear_filters_button.show()

    def _event_menu(self, index: int, where: QPoint) -> None:
        """An event's context menu: copy its citations whole."""
        menu = QMenu(self)
        menu.addAction("&Copy citations", lambda: self.copy_event_citations(index))
        menu.exec(where)

    def copy_event_citations(self, index: int) -> None:
        """Put the event's citations on the clipboard: every quote whole, with its source and
        the event's date at its precision, as plain text and Markdown."""
        assert self.timeline is not None
        event = self.timeline.events[index]
        copy_to_clipboard(event_plain(self.timeline, event), event_markdown(self.timeline, event))
        self.statusBar().showMessage(f"Copied the citations of {inline(event.title)}", 5000)

    def select_event_id(self, event_id: str) -> None:
        """Select the event with this id (a dispute link), if the filters show it."""
        assert self.timeline is not None
        index = self.timeline.index_of(event_id)
        if self.view.is_shown(index):
            self.view.select(index)
        else:
            title = inline(self.timeline.events[index].title)
            self.statusBar().showMessage(f"{title} is hidden by the filters", 8000)

    def export_events_dialog(self) -> None:
        """File → Export events…: the shown events with their citations, as CSV or Markdown."""
        if self.timeline is None:
            return
        kinds = {"CSV table (*.csv)": ".csv", "Markdown notes (*.md)": ".md"}
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export events", "events.csv", ";;".join(kinds)
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() not in kinds.values():
            target = target.with_name(target.name + kinds.get(chosen, ".csv"))
        self.export_events_to(target)

    def export_events_to(self, path: Path) -> bool:
        """Write the events the filters show, with their citations, to `path` (.csv or .md),
        atomically; a problem is shown in a dialog and nothing is written."""
        assert self.timeline is not None
        timeline, find = self.timeline, self.find
        shown = find.shown
        indices = (
            range(len(timeline.events)) if shown is None else [i for i, f in enumerate(shown) if f]
        )
        note = ""
        if find.filters.active:
            left = ", ".join(find.filters.describe(timeline))
            note = f"{len(indices):,} of {len(timeline.events):,} events shown ({left})"
        if path.suffix.lower() == ".md":
            data = events_markdown(timeline, indices, note)
        else:
            data = events_csv(timeline, indices)
        try:
            write_file(path, data.encode("utf-8"))
        except ExportError as exc:
            log.warning("cannot export events: %s", exc)
            self.last_error = show_error(self, "Cannot export events", str(exc))
            return False
        self.statusBar().showMessage(f"Exported {len(indices):,} events to {path}", 8000)
        return True

    def focus_search(self) -> None:
        self.find_bar.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_bar.field.selectAll()

    def clear_search(self) -> None:
        """Clear the search and go back to the timeline (Esc in the search field)."""
        self.find_bar.field.clear()
        self.view.setFocus()

    def find_next(self) -> None:
        self._step_match(backwards=False)

    def find_previous(self) -> None:
        self._step_match(backwards=True)

    def _step_match(self, backwards: bool) -> None:
        self.find_bar.flush()
        matches = self.find.matches
        if matches is None:
            return
        target = matches.next_after(self.view.selected_index, backwards)
        if target is not None:
            self.view.select(target)
            self.panel.show_search(self.find.query, matches.sources)

    # -- settings ---------------------------------------------------------------------------

    def _setting(self, key: str, default: str) -> str:
        """A text setting; anything else in the file (a number, a list) gives `default`."""
        try:
            value = self.settings.value(key, default)
        except Exception:  # a value QSettings cannot even convert
            return default
        return value if isinstance(value, str) else default

    def _restore_settings(self) -> None:
        # The file may have been edited or damaged: each value is used only if it has the
        # right type, and restoring it is left to Qt's own checks of the bytes.
        geometry = self._setting_bytes("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        for key, splitter in (
            ("window/splitter", self.splitter),
            ("window/panel", self.panel.splitter),
        ):
            state = self._setting_bytes(key)
            if state is not None:
                splitter.restoreState(state)
        if self._setting_bytes("window/splitter") is None:
            self.splitter.setSizes([820, 460])

    def _setting_bytes(self, key: str) -> QByteArray | None:
        try:
            value = self.settings.value(key)
        except Exception:
            return None
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/panel", self.panel.splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        # A thread must not outlive the window's objects; a cancelled load stops within moments.
        self.loader.shutdown()
        self.find.stop()
        wait_for_jobs()
        super().closeEvent(event)
