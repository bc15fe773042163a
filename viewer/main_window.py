"""The main window: the timeline view and the source panel side by side, menus, status bar.

Files opened from the window load in a background thread (viewer.loading): the status bar shows
a progress bar and a Cancel button, Esc cancels too, and the timeline on show stays until the
new one is ready, so a load that fails or is cancelled changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QWidget,
)

from viewer.errors import log
from viewer.export import FIT_MARGIN_PX, ExportError, export_timeline
from viewer.export_dialog import (
    DATES,
    IN_VIEW,
    WHOLE,
    ExportChoice,
    ExportDialog,
)
from viewer.loading import TimelineLoader
from viewer.loading import load_timeline_file as load_timeline_file  # app.py's first load
from viewer.model.timeline import Timeline
from viewer.source_panel import SourcePanel
from viewer.timeline_view import TimelineView

GUI_PNG_SCALE = 2.0  # PNGs saved from the window are for publication: twice the pixels


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

        self._make_actions()
        self.view.eventSelected.connect(self._on_selected)
        self.view.viewChanged.connect(self._update_zoom_label)
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

    def _action(self, text: str, slot, *keys: QKeySequence | str) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        self.open_action = self._action(
            "&Open timeline…", self.open_dialog, QKeySequence.StandardKey.Open
        )
        self.export_action = self._action("&Export image…", self.export_dialog, "Ctrl+E")
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.zoom_in_action = self._action("Zoom &in", self.view.zoom_in, "+", "=", "Ctrl++")
        self.zoom_out_action = self._action("Zoom &out", self.view.zoom_out, "-", "Ctrl+-")
        self.fit_action = self._action("&Fit all", self.view.fit_all, "0", "Ctrl+0")
        self.previous_action = self._action(
            "&Previous event", lambda: self.view.step("previous"), "Left"
        )
        self.next_action = self._action("&Next event", lambda: self.view.step("next"), "Right")
        self.first_action = self._action("&First event", lambda: self.view.step("first"), "Home")
        self.last_action = self._action("&Last event", lambda: self.view.step("last"), "End")
        self.next_citation_action = self._action(
            "Next &citation", self.panel.next_citation, "Ctrl+Right"
        )
        self.previous_citation_action = self._action(
            "Previous c&itation", self.panel.previous_citation, "Ctrl+Left"
        )
        # Arrow keys step through events only while the timeline has focus, so that they still
        # move the cursor in the source text.
        for a in (self.previous_action, self.next_action, self.first_action, self.last_action):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(a)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu("&View")
        for a in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            view_menu.addAction(a)
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

    # -- timeline ---------------------------------------------------------------------------

    @property
    def timeline(self) -> Timeline | None:
        return self.view.timeline

    def set_timeline(self, timeline: Timeline) -> None:
        self.view.set_timeline(timeline)
        # Qt reads "[*]" in a window title as the unsaved-changes mark and hides it; doubled,
        # it shows as itself.
        title = timeline.title.replace("[*]", "[*][*]")
        self.setWindowTitle(f"{title} — Timeline viewer")
        warned = timeline.warned
        note = f"; {warned} with quotes not found in their sources" if warned else ""
        self.statusBar().showMessage(
            f"{len(timeline.events):,} events from {len(timeline.sources)} sources{note}"
        )

    def open_path(self, path: str | Path) -> None:
        """Start loading the timeline at `path` in the background, cancelling any other load.

        The new timeline replaces the current one once it is ready; if the load fails, a dialog
        says why and the current timeline stays.
        """
        path = Path(path)
        self.loader.start(path)
        self._loading_name = path.name
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
        self.load_label.setText(f"Loading {self._loading_name}… {percent}%")

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
        self.statusBar().showMessage(
            f"Opened {self._loading_name} ({len(timeline.events):,} events{note})"
        )

    def _on_load_failed(self, message: str) -> None:
        self._end_load()
        log.warning("cannot open a timeline: %s", message)
        self.last_error = show_error(self, "Cannot open timeline", message)

    def _on_load_cancelled(self) -> None:
        self._end_load()
        log.info("loading %s cancelled", self._loading_name)
        current = self.timeline
        still = f"; still showing {current.title}" if current is not None else ""
        self.statusBar().showMessage(f"Loading cancelled{still}")

    def open_dialog(self) -> None:
        start = str(self.timeline.path.parent) if self.timeline and self.timeline.path else ""
        path, _ = QFileDialog.getOpenFileName(
            self, "Open timeline", start, "Timelines (*.json);;All files (*)"
        )
        if path:
            self.open_path(path)

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
            choice.path, preset=choice.preset, time_range=time_range, range_margin=margin
        )
        if done:
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
    ) -> bool:
        """Export the timeline (or `time_range`, in seconds) to `path`, at the `preset`'s size;
        errors are shown in a dialog."""
        assert self.timeline is not None
        # Without a preset, PNGs saved from the window are for publication: twice the pixels.
        scale = GUI_PNG_SCALE if preset is None and path.suffix.lower() == ".png" else None
        try:
            export_timeline(
                self.timeline,
                path,
                scale=scale,
                renderer=self.view.renderer,
                preset=preset,
                time_range=time_range,
                range_margin=range_margin,
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
        if event is not None:
            self.statusBar().showMessage(f"{event.when.label()} — {event.title}")

    def _update_zoom_label(self) -> None:
        self.zoom_label.setText(f"Axis: {self.view.zoom_level_name()}")

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
        super().closeEvent(event)
