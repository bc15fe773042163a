"""The entry point: `timeline-viewer [TIMELINE]` and `python -m viewer` both call main()."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import signal
import stat
import sys
import textwrap
import time
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import NoReturn

from viewer import __version__
from viewer.errors import log, setup_logging, stderr_line

APP_NAME = "Timeline viewer"
ORGANISATION = "Timeline Viewer"


class _ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line, without the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _date_arg(text: str) -> object:
    """A --range end: a date in the timeline format (2021, 2021-04, 2021-04-22 …)."""
    from viewer.model.dates import DateError, parse_date

    try:
        return parse_date(text)
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    from viewer.export import PRESETS

    presets = "\n".join(
        textwrap.fill(p.summary, initial_indent=f"  {p.name:8} ", subsequent_indent=" " * 11)
        for p in PRESETS.values()
    )
    p = _ArgumentParser(
        prog="timeline-viewer",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "View a timeline of sourced events. Without TIMELINE, opens the built-in "
            "Binance–Russia timeline. With --export, writes the timeline as an image and "
            "exits without opening a window."
        ),
        epilog="\n\n".join(
            [
                "presets (--preset NAME; --width, --height and --scale override a preset's):\n"
                + presets,
                textwrap.fill(
                    "A page preset (a4, letter) gives a PDF of exactly that page with the "
                    "picture scaled to fit inside the margins, a PNG of the whole page at "
                    "300 dpi, or an SVG of the page's size. A pixel is 1/96 inch, as in CSS."
                ),
                textwrap.fill(
                    "--range START END exports from the first instant of START to the last of "
                    "END, each at its precision: --range 2021-04 2022 runs from 1 April 2021 to "
                    "the end of 2022. A range with no events in it still exports (the axis, "
                    "legend and footer, no rows)."
                ),
            ]
        ),
    )
    p.add_argument("timeline", nargs="?", metavar="TIMELINE", help="a timeline file (.json)")
    p.add_argument(
        "--export",
        metavar="PATH",
        help="write the timeline to PATH (.png, .svg or .pdf) and exit; needs no display",
    )
    p.add_argument(
        "--convert",
        metavar="OUT",
        help=(
            "save the timeline to OUT in our format, with its source files beside it, and exit "
            "(--to timelinejs: as TimelineJS 3 JSON); needs no display"
        ),
    )
    p.add_argument(
        "--to",
        choices=("timeline", "timelinejs"),
        help="the format for --convert: timeline (ours, the default) or timelinejs",
    )
    p.add_argument("--width", type=int, metavar="W", help="export width in pixels (default 1600)")
    p.add_argument(
        "--height", type=int, metavar="H", help="export height in pixels (default: fits all rows)"
    )
    p.add_argument(
        "--scale",
        type=float,
        metavar="S",
        help="PNG pixel ratio (default 1, or the preset's: 300 dpi is 3.125)",
    )
    p.add_argument(
        "--preset", choices=list(PRESETS), metavar="NAME", help="an export size; see below"
    )
    p.add_argument(
        "--range",
        nargs=2,
        type=_date_arg,
        metavar=("START", "END"),
        help="export only this span of time, across the picture's width",
    )
    p.add_argument(
        "--theme",
        choices=("light", "dark"),
        help="the export's colours: light (the default) or dark",
    )
    p.add_argument(
        "--alt-text",
        metavar="FILE",
        help=(
            "with --export, also write a plain-text description of the picture to FILE (its "
            "events in time order with their dates), for an article's alt attribute"
        ),
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


def _offscreen_for_export() -> str | None:
    """Make the next Qt application use the offscreen platform, whatever QT_QPA_PLATFORM says
    (xcb with no DISPLAY aborts the process); returns the value to put back afterwards."""
    saved = os.environ.get("QT_QPA_PLATFORM")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return saved


def run_export(args: argparse.Namespace) -> int:
    """Render the timeline to a file without a window. Prints one line on failure."""
    from PySide6.QtGui import QGuiApplication

    from viewer.export import ExportError, PictureTooSmall, export_timeline
    from viewer.main_window import load_timeline_file
    from viewer.model.loader import TimelineError

    # Fonts and painting need an application object; it lives until the export is written.
    app = QGuiApplication.instance()
    if app is None:
        saved = _offscreen_for_export()
        app = QGuiApplication([sys.argv[0]])
        # Only the application's creation reads it; a process that goes on (a test) keeps its own.
        if saved is None:
            os.environ.pop("QT_QPA_PLATFORM", None)
        else:
            os.environ["QT_QPA_PLATFORM"] = saved
    time_range = None
    if args.range:
        start, end = args.range
        time_range = (start.start, end.end)
    try:
        timeline = load_timeline_file(_timeline_path(args.timeline))
        export_timeline(
            timeline,
            args.export,
            width=args.width,
            height=args.height,
            scale=args.scale,
            preset=args.preset,
            time_range=time_range,
            theme=args.theme or "light",
            alt_text_path=args.alt_text,
        )
    except PictureTooSmall as exc:
        if args.height is None:
            return _fail(str(exc))
        return _fail(
            f"--height {exc.height} is too small for this timeline: "
            f"it needs at least {exc.needed} px"
        )
    except (TimelineError, ExportError) as exc:
        return _fail(str(exc))
    finally:
        del app
    log.info("exported %s", args.export)
    return 0


def run_convert(args: argparse.Namespace) -> int:
    """Save the timeline in our format (or TimelineJS's) without a window. Prints one line on
    failure and returns non-zero; nothing is left half-written."""
    from viewer.loading import load_timeline_file
    from viewer.model.loader import TimelineError
    from viewer.model.saving import SaveError, atomic_write, check_target, save_timeline
    from viewer.model.timelinejs import timelinejs_bytes

    target = Path(args.convert)
    try:
        timeline = load_timeline_file(_timeline_path(args.timeline))
        if args.to == "timelinejs":
            check_target(target)
            atomic_write(target, timelinejs_bytes(timeline))
        else:
            save_timeline(timeline, target)
    except (TimelineError, SaveError) as exc:
        return _fail(str(exc))
    log.info("converted %s to %s", timeline.path, target)
    return 0


def sanitise_scale_factors(environ: MutableMapping[str, str] = os.environ) -> None:
    """Drop QT_SCALE_FACTOR or QT_SCREEN_SCALE_FACTORS when they are not positive numbers (a
    window at scale -1 never paints), saying so in one line each. Before the application."""

    def positive(text: str) -> bool:
        try:
            value = float(text)
        except ValueError:
            return False
        return math.isfinite(value) and value > 0

    factor = environ.get("QT_SCALE_FACTOR")
    if factor is not None and not positive(factor):
        del environ["QT_SCALE_FACTOR"]
        stderr_line(f"QT_SCALE_FACTOR={factor!r} is not a positive number; ignored")
    screens = environ.get("QT_SCREEN_SCALE_FACTORS")
    if screens is not None:
        # "1.5;2" or "HDMI-1=1.5;DP-1=2": each factor must be a positive number.
        parts = [part.rpartition("=")[2] for part in screens.split(";") if part.strip()]
        if not all(positive(part) for part in parts):
            del environ["QT_SCREEN_SCALE_FACTORS"]
            stderr_line(
                f"QT_SCREEN_SCALE_FACTORS={screens!r} has a factor that is not a "
                "positive number; ignored"
            )


# Qt's platforms that show windows on a display server: X11 (xcb) and Wayland. Any other
# (offscreen, minimal, eglfs, vnc …) needs no DISPLAY.
_X11_PLATFORMS = {"xcb"}
_WAYLAND_PLATFORMS = {"wayland", "wayland-egl", "wayland-brcm"}


def display_problem(environ: Mapping[str, str] = os.environ) -> str | None:
    """One line saying that no window can open, when Qt would use X11 or Wayland and neither has
    a display (Qt itself aborts the process with a core dump and a misleading "libxcb-cursor0 is
    needed"); None when a window can open or QT_QPA_PLATFORM names a platform without one."""
    if os.name != "posix" or sys.platform == "darwin":
        return None
    asked = environ.get("QT_QPA_PLATFORM", "")
    # "xcb;offscreen" is a list Qt tries in turn; "offscreen:fontengine=freetype" has options.
    names = [part.partition(":")[0].strip() for part in asked.split(";") if part.strip()]
    # Unset, Qt picks X11, or Wayland in a Wayland session.
    names = names or ["xcb", "wayland"]
    if any(name not in _X11_PLATFORMS | _WAYLAND_PLATFORMS for name in names):
        return None
    runtime = environ.get("XDG_RUNTIME_DIR")
    wayland = bool(
        environ.get("WAYLAND_DISPLAY")
        or environ.get("WAYLAND_SOCKET")
        # Without WAYLAND_DISPLAY, Wayland clients connect to the compositor's default socket.
        or (runtime and os.path.exists(os.path.join(runtime, "wayland-0")))
    )
    for name in names:
        if (name in _X11_PLATFORMS and environ.get("DISPLAY")) or (
            name in _WAYLAND_PLATFORMS and wayland
        ):
            return None
    return (
        "cannot open a window: there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set); "
        "--export and --convert work without one"
    )


def settings_path() -> Path | None:
    """Where QSettings() keeps this app's settings on Linux and other XDG systems (None on
    Windows and macOS, where they are not a file we can check first)."""
    if os.name != "posix" or sys.platform == "darwin":
        return None
    from PySide6.QtCore import QStandardPaths

    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    return Path(folder) / ORGANISATION / f"{APP_NAME}.conf"


def open_settings():
    """The app's QSettings; in-memory defaults, said once, when the settings file is there but
    not a regular file (QSettings would wait forever reading a FIFO)."""
    from PySide6.QtCore import QSettings

    path = settings_path()
    if path is not None:
        try:
            problem = None if stat.S_ISREG(os.stat(path).st_mode) else "it is not a regular file"
        except FileNotFoundError:
            problem = None
        except OSError as exc:
            problem = exc.strerror or str(exc)
        if problem:
            message = f"{path}: {problem}; using the default settings, which will not be saved"
            log.warning("%s", message)
            stderr_line(message)
            # A file under /dev/null can never be read or written: the settings stay in memory.
            return QSettings("/dev/null/settings.ini", QSettings.Format.IniFormat)
    return QSettings()


def _quit_on_signals(app) -> None:
    """SIGTERM (logout, `kill`) and Ctrl+C close the windows, so settings are saved, and exit 0.

    Python runs signal handlers only between bytecodes, and Qt's event loop is C++: the signal
    also writes a byte to a socket (signal.set_wakeup_fd) that Qt watches, which gives the
    interpreter its turn at once (a timer polling a few times a second made the exit wait).
    """
    import socket

    from PySide6.QtCore import QSocketNotifier, QTimer

    def close(signum, _frame) -> None:
        log.info("signal %d: closing", signum)
        QTimer.singleShot(0, app.closeAllWindows)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, close)
    reader, writer = socket.socketpair()
    for end in (reader, writer):
        end.setblocking(False)
    signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def drain() -> None:
        with contextlib.suppress(OSError):
            reader.recv(64)  # the handler itself has run by now: Python got its turn

    notifier.activated.connect(drain)
    app._signal_sockets = (reader, writer, notifier)  # kept as long as the application


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
    app = QApplication.instance()
    if app is None:
        # Before the application: without a display Qt aborts the whole process.
        problem = display_problem()
        if problem:
            return _fail(problem)
        app = QApplication([sys.argv[0], *argv])
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

    from viewer.model.importers import detect_file

    problem = None
    # A CSV of no known format opens with the column dialog, over the built-in timeline.
    ask_columns = bool(args.timeline) and detect_file(args.timeline) == "generic-csv"
    try:
        timeline = None
        if args.timeline and not ask_columns:
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
    window = MainWindow(timeline, open_settings())
    window.show()
    if not args.timeline and not args.select:
        # File → Reopen last timeline at start: the built-in shows until it has loaded.
        window.reopen_last()
    if args.select:
        try:
            window.view.select(timeline.index_of(args.select))
        except KeyError:
            problem = problem or f"{timeline.path}: no event has the id {args.select!r}"
    if problem:
        window.last_error = show_error(window, "Cannot open timeline", problem)
    if ask_columns:
        window.open_path(args.timeline)
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
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.range and args.range[1].end <= args.range[0].start:
            parser.error(f"--range: {args.range[1].iso()} ends before {args.range[0].iso()} starts")
    except SystemExit as exc:
        return int(exc.code or 0)
    setup_logging()
    sanitise_scale_factors()
    log.info(
        "%s %s starting (%s, Python %s, %s)",
        APP_NAME,
        __version__,
        "packaged" if getattr(sys, "frozen", False) else "from source",
        platform.python_version(),
        platform.platform(terse=True),
    )
    if args.export and args.convert:
        return _fail("--export and --convert cannot be given together")
    if args.to is not None and not args.convert:
        return _fail("--to goes with --convert")
    if args.convert:
        for flag in (
            "width",
            "height",
            "scale",
            "preset",
            "range",
            "select",
            "screenshot",
            "theme",
            "alt_text",
        ):
            if getattr(args, flag) is not None:
                return _fail(f"--{flag.replace('_', '-')} does not go with --convert")
        return run_convert(args)
    if args.export:
        return run_export(args)
    for flag in ("width", "height", "scale", "preset", "range", "theme", "alt_text"):
        if getattr(args, flag) is not None:
            return _fail(f"--{flag.replace('_', '-')} goes with --export")
    return run_gui(args, argv)


def exit_now(code: int) -> NoReturn:
    """End the process with `code` at once, once the log and the standard streams are
    flushed. The window has saved its settings and stopped its threads when it closed; what
    is left (tearing down Qt's objects and every module, one by one) only made the process
    linger after its window had gone."""
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def main_entry() -> None:
    """The console script."""
    exit_now(main())
