"""Draw the gallery in docs/gallery/ with the app itself: the built-in timeline at several zooms
and sizes, on screen (the real window, grabbed) and exported.

    python release/make_gallery.py [OUT_DIR]

Each picture shows the legend of the marks it draws. `make gallery` runs it offscreen; the
pictures are committed so that the docs show what the app draws today.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from viewer.bundle import builtin_timeline, trust_root_for  # noqa: E402
from viewer.export import export_timeline  # noqa: E402
from viewer.main_window import MainWindow  # noqa: E402
from viewer.model.dates import parse_date  # noqa: E402
from viewer.model.importers import load_any  # noqa: E402
from viewer.model.loader import load_timeline  # noqa: E402
from viewer.model.scale import MAX_VISIBLE_SECONDS, TimeScale, fit  # noqa: E402
from viewer.theme import apply_theme  # noqa: E402

# (file, window size, what the view shows: 'fit', 'calendar' or a date range, event selected)
SHOTS = [
    ("zoomed-out.png", (1600, 900), "calendar", None),
    ("years.png", (1600, 900), "fit", None),
    ("months-2022.png", (1600, 900), ("2022-01", "2022-12"), "reuters-report"),
    ("days-april-2022.png", (1600, 900), ("2022-04-20", "2022-04-25"), "reuters-report"),
    ("window-800x500.png", (800, 500), "fit", None),
]


# Imported files: (picture, sample, view, the event selected by id, or None)
IMPORTS = [
    ("import-timelinejs.png", "timelinejs/women_in_computing.json", "fit", None),
    ("import-timesketch-seconds.png", "timesketch/sigma_events.csv", "seconds", None),
]


def grab(app, timeline, out: Path, size, view, selected, settings) -> None:
    win = MainWindow(timeline, settings)
    win.resize(*size)
    win.show()
    for _ in range(5):
        app.processEvents()
    width = float(win.view.width())
    if view == "calendar":
        win.view.set_scale(TimeScale(0.0, MAX_VISIBLE_SECONDS / width, width))
    elif view == "seconds":  # the first few seconds of the timeline
        start, _end = timeline.extent
        win.view.set_scale(fit(start - 1, start + 4, width, 24.0))
    elif view != "fit":
        a, b = parse_date(view[0]).start, parse_date(view[1]).end
        win.view.set_scale(fit(a, b, width, 24.0))
    if selected:
        win.view.select(timeline.index_of(selected), keep_in_view=False)
    elif view == "seconds":
        win.view.select(0, keep_in_view=False)
    for _ in range(5):
        app.processEvents()
    win.grab().save(str(out))
    win.close()


def search_shot(app, timeline, out: Path, settings) -> None:
    """A search for "Navalny" with the background claims hidden, the event list open."""
    win = MainWindow(timeline, settings)
    win.resize(1600, 1000)
    win.show()
    for _ in range(5):
        app.processEvents()
    win.find.toggle_category("context")
    win.find_bar.field.setText("Navalny")
    win.find_bar.flush()
    win.event_dock.show()
    win.find_next()
    for _ in range(5):
        app.processEvents()
    win.grab().save(str(out))
    win.close()


def theme_shots(app, timeline, docs: Path, settings) -> None:
    """docs/theme-light.png and docs/theme-dark.png: the window in View → Theme's Light and
    Dark, the Reuters report selected (its quote highlighted) and a search for "Reuters" on."""
    for name in ("light", "dark"):
        settings.setValue("view/theme", name)
        win = MainWindow(timeline, settings)
        win.resize(1600, 900)
        win.show()
        for _ in range(5):
            app.processEvents()
        win.find_bar.field.setText("Reuters")
        win.find_bar.flush()
        win.view.select(timeline.index_of("reuters-report"), keep_in_view=False)
        for _ in range(5):
            app.processEvents()
        out = docs / f"theme-{name}.png"
        win.grab().save(str(out))
        win.close()
        print(out)
    settings.setValue("view/theme", "system")
    apply_theme("system")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "gallery"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    path = builtin_timeline()
    timeline = load_timeline(path, root=trust_root_for(path))
    # The windows' settings live in a folder of their own, gone afterwards (a settings file
    # removed while its QSettings lives is written again when the program ends).
    scratch = tempfile.TemporaryDirectory()
    settings = QSettings(str(Path(scratch.name) / "settings.ini"), QSettings.Format.IniFormat)
    for name, size, view, selected in SHOTS:
        grab(app, timeline, out / name, size, view, selected, settings)
        print(out / name)
    search_shot(app, timeline, out / "search-navalny.png", settings)
    print(out / "search-navalny.png")
    # Files from other tools, from the shared samples beside the checkout (when there).
    samples = ROOT.parent / "shared" / "samples"
    if samples.is_dir():
        for name, file, view, selected in IMPORTS:
            path = samples / file
            imported = load_any(path, root=path.parent)
            grab(app, imported, out / name, (1600, 900), view, selected, settings)
            print(out / name)
    for width in (600, 4000):
        target = out / f"export-{width}.png"
        export_timeline(timeline, target, width=width)
        print(target)
    if len(argv) <= 1:  # the README's pictures too, when drawing the docs' own gallery
        docs = ROOT / "docs"
        grab(app, timeline, docs / "screenshot.png", (1600, 900), "fit", "reuters-report", settings)
        export_timeline(timeline, docs / "timeline.png")
        print(docs / "screenshot.png", docs / "timeline.png")
        theme_shots(app, timeline, docs, settings)
    del settings
    scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
