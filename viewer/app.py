"""The entry point: `timeline-viewer [TIMELINE]` and `python -m viewer` both call main()."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from viewer import __version__

APP_NAME = "Timeline viewer"
ORGANISATION = "Timeline Viewer"
log = logging.getLogger("viewer")


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
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _timeline_path(arg: str | None) -> Path:
    from viewer.bundle import builtin_timeline

    return Path(arg) if arg else builtin_timeline()


def _fail(message: str) -> int:
    print(f"timeline-viewer: {message}", file=sys.stderr)
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
    return 0


def _install_excepthook() -> None:
    """Unexpected errors are logged and shown in a dialog instead of killing the app."""

    def hook(kind, value, tb) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("Unexpected error:\n%s", details)
        print(details, file=sys.stderr)
        from PySide6.QtWidgets import QApplication

        if QApplication.instance() is not None:
            from viewer.main_window import show_error

            show_error(None, "Unexpected error", f"Something went wrong:\n\n{details}")

    sys.excepthook = hook


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
    from PySide6.QtGui import QIcon

    from viewer.bundle import resource
    from viewer.main_window import MainWindow, load_timeline_file, show_error
    from viewer.model.loader import TimelineError

    icon = resource("icons", "timeline-viewer.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    _install_excepthook()

    problem = None
    try:
        timeline = load_timeline_file(_timeline_path(args.timeline))
    except TimelineError as exc:
        problem = str(exc)
        print(f"timeline-viewer: {problem}", file=sys.stderr)
        try:
            timeline = load_timeline_file(_timeline_path(None))
        except TimelineError as builtin_exc:
            return _fail(f"the built-in timeline is damaged: {builtin_exc}")
    window = MainWindow(timeline)
    window.show()
    if args.select:
        try:
            window.view.select(timeline.index_of(args.select))
        except KeyError:
            problem = problem or f"{timeline.path}: no event has the id {args.select!r}"
    if problem:
        window.last_error = show_error(window, "Cannot open timeline", problem)
    if args.screenshot:
        from PySide6.QtCore import QTimer

        def grab() -> None:
            if not window.grab().save(args.screenshot, "PNG"):
                print(f"timeline-viewer: {args.screenshot}: cannot write", file=sys.stderr)
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
    if args.export:
        return run_export(args)
    for flag in ("width", "height"):
        if getattr(args, flag) is not None:
            return _fail(f"--{flag} goes with --export")
    return run_gui(args, argv)


def main_entry() -> None:
    """The console script."""
    sys.exit(main())
