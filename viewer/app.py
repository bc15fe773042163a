"""The entry point: `timeline-viewer [TIMELINE]` and `python -m viewer` both call main()."""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from viewer import __version__
from viewer.errors import log, setup_logging, stderr_line

APP_NAME = "Timeline viewer"
ORGANISATION = "Timeline Viewer"


class _ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line, without the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _ArgumentParser(
        prog="timeline-viewer",
        description=(
            "View a timeline of sourced events. Without TIMELINE, opens the built-in "
            "Binance–Russia timeline. With --export, writes the whole timeline as an image and "
            "exits without opening a window."
        ),
    )
    p.add_argument("timeline", nargs="?", metavar="TIMELINE", help="a timeline file (.json)")
    p.add_argument(
        "--export",
        metavar="PATH",
        help="write the timeline to PATH (.png, .svg or .pdf) and exit; needs no display",
    )
    p.add_argument("--width", type=int, metavar="W", help="export width in pixels (default 1600)")
    p.add_argument(
        "--height", type=int, metavar="H", help="export height in pixels (default: fits all rows)"
    )
    p.add_argument(
        "--scale", type=float, default=1.0, metavar="S", help="PNG pixel ratio (default 1)"
    )
    p.add_argument("--select", metavar="EVENT_ID", help="open with this event selected")
    p.add_argument(
        "--screenshot",
        metavar="PATH",
        help="save a PNG of the window once it is shown, then quit (for docs and smoke tests)",
    )
    p.add_argument(
        "--exit-after-first-paint",
        action="store_true",
        help="print the time of the timeline's first paint and quit (for the startup benchmark)",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _timeline_path(arg: str | None) -> Path:
    from viewer.bundle import builtin_timeline

    return Path(arg) if arg else builtin_timeline()


def _fail(message: str) -> int:
    log.error("%s", message)
    stderr_line(message)
    return 1


def run_export(args: argparse.Namespace) -> int:
    """Render the timeline to a file without a window. Prints one line on failure."""
    if args.export and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QGuiApplication

    from viewer.export import ExportError, export_timeline
    from viewer.main_window import load_timeline_file
    from viewer.model.loader import TimelineError

    # Fonts and painting need an application object; it lives until the export is written.
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    try:
        timeline = load_timeline_file(_timeline_path(args.timeline))
        export_timeline(
            timeline, args.export, width=args.width, height=args.height, scale=args.scale
        )
    except (TimelineError, ExportError) as exc:
        return _fail(str(exc))
    finally:
        del app
    log.info("exported %s", args.export)
    return 0


def _quit_on_signals(app) -> None:
    """SIGTERM (logout, `kill`) and Ctrl+C close the windows, so settings are saved, and exit 0.

    Python runs signal handlers only between bytecodes, and Qt's event loop is C++; a slow timer
    gives the interpreter a turn a few times a second.
    """
    from PySide6.QtCore import QTimer

    def close(signum, _frame) -> None:
        log.info("signal %d: closing", signum)
        QTimer.singleShot(0, app.closeAllWindows)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, close)
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(300)


def _report_first_paint(app, widget) -> None:
    """Print `first-paint <monotonic seconds>` once `widget` has painted, then quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                widget.removeEventFilter(self)
                # The timer fires once the paint event, and so the frame, is done.
                QTimer.singleShot(0, self.done)
            return False

        def done(self) -> None:
            print(f"first-paint {time.monotonic():.6f}", flush=True)
            app.closeAllWindows()

    widget.installEventFilter(FirstPaint(widget))


def _fatal(app, title: str, message: str) -> int:
    """Show a blocking error box (the packaged app has no terminal) and return exit code 1."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    _fail(message)
    box = QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Close)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
    return 1


def run_gui(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    if QGuiApplication.instance() is not None and not isinstance(
        QGuiApplication.instance(), QApplication
    ):
        return _fail("a non-widget Qt application is already running")
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationVersion(__version__)
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon

    from viewer.bundle import icon_files
    from viewer.errors import install_excepthook
    from viewer.main_window import MainWindow, load_timeline_file, show_error
    from viewer.model.loader import TimelineError

    # PNGs, not the SVG: they need no image plugin, and each size is drawn for its size.
    icon = QIcon()
    for png in icon_files():
        icon.addFile(str(png))
    app.setWindowIcon(icon)
    app.setDesktopFileName("timeline-viewer")  # matches the .desktop file (Wayland, taskbars)
    install_excepthook()
    if os.name == "posix":
        _quit_on_signals(app)

    problem = None
    try:
        timeline = None
        if args.timeline:
            try:
                timeline = load_timeline_file(args.timeline)
            except TimelineError as exc:
                problem = str(exc)
                _fail(problem)
        # Without a file, or when the file cannot be read, the built-in timeline opens.
        timeline = timeline or load_timeline_file(_timeline_path(None))
    except TimelineError as exc:
        return _fatal(
            app,
            "Timeline viewer is damaged",
            f"The built-in timeline cannot be read, so the app cannot start:\n{exc}"
            "\n\nReinstalling Timeline viewer should fix this.",
        )
    log.info("opened %s (%d events)", timeline.path, len(timeline.events))
    window = MainWindow(timeline)
    window.show()
    if args.select:
        try:
            window.view.select(timeline.index_of(args.select))
        except KeyError:
            problem = problem or f"{timeline.path}: no event has the id {args.select!r}"
    if problem:
        window.last_error = show_error(window, "Cannot open timeline", problem)
    if args.exit_after_first_paint:
        _report_first_paint(app, window.view)
    if args.screenshot:

        def grab() -> None:
            if not window.grab().save(args.screenshot, "PNG"):
                _fail(f"{args.screenshot}: cannot write")
                app.exit(1)
                return
            window.close()
            app.exit(0)

        QTimer.singleShot(800, grab)
    return app.exec()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app (or an export) with command-line arguments `argv`; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    setup_logging()
    log.info(
        "%s %s starting (%s, Python %s, %s)",
        APP_NAME,
        __version__,
        "packaged" if getattr(sys, "frozen", False) else "from source",
        platform.python_version(),
        platform.platform(terse=True),
    )
    if args.export:
        return run_export(args)
    for flag in ("width", "height"):
        if getattr(args, flag) is not None:
            return _fail(f"--{flag} goes with --export")
    return run_gui(args, argv)


def main_entry() -> None:
    """The console script."""
    sys.exit(main())
