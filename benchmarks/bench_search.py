"""Search and filters at scale: index build, a search's count, the window's work per keystroke
and per filter change.

    python -m benchmarks.bench_search [--sizes 10000,100000,1000000] [--runs 5]

For each size it generates a timeline (benchmarks/make_timeline.py), loads it and prints:
- index: building the search index (done once, in a background thread, as a large timeline
  opens), and how long after the window opens it is ready (it gives way while frames are drawn);
- count: a one-word search's count (median of the runs, for a rare and a common word);
- keystroke: how long the GUI thread is busy when a search is asked for (the search itself runs
  in a thread past viewer.find.SYNC_SEARCH_EVENTS) and when its answer is shown;
- filter: a category hidden, a precision, a date range: the time until the filtered picture is
  drawn, and the longest the GUI thread is busy on the way.
Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def bench(path: Path, runs: int) -> dict[str, float]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from viewer.main_window import MainWindow
    from viewer.model.dates import parse_date
    from viewer.model.filters import Filters
    from viewer.model.loader import load_timeline
    from viewer.model.scene import MarkKind
    from viewer.model.search import SearchIndex

    app = QApplication.instance() or QApplication([])
    timeline = load_timeline(path)
    t = time.perf_counter()
    index = SearchIndex(timeline)
    out = {"events": len(timeline.events), "index_s": time.perf_counter() - t}
    out["count_rare_ms"] = median_ms(lambda: index.search("valletta"), runs)
    out["count_common_ms"] = median_ms(lambda: index.search("transfer"), runs)
    out["count_none_ms"] = median_ms(lambda: index.search("zzqx"), runs)

    settings = QSettings(str(path.with_suffix(".ini")), QSettings.Format.IniFormat)
    win = MainWindow(timeline, settings)
    win.resize(1600, 900)
    win.show()
    app.processEvents()
    # The window builds its own index in the background as the timeline opens.
    t = time.perf_counter()
    while win.find.index is None:
        app.processEvents()
        time.sleep(0.005)
    out["index_ready_after_open_s"] = time.perf_counter() - t
    # The GUI thread's share of a keystroke: asking for the search, then showing its answer.
    busy = []
    for word in ("riga", "transfer", "zurich"):
        t = time.perf_counter()
        win.find.search(word)
        busy.append(time.perf_counter() - t)
        while win.find.matches is None or win.find.matches.query != word:
            app.processEvents()
        t = time.perf_counter()
        app.processEvents()
        win.view.repaint()
        busy.append(time.perf_counter() - t)
    out["keystroke_gui_max_ms"] = 1000 * max(busy)
    win.find.search("")
    app.processEvents()

    category = timeline.events.category_ids[0]
    cases = {
        "filter_category_ms": Filters(hidden_categories=frozenset({category})),
        "filter_precision_ms": Filters(kinds=frozenset({MarkKind.DAY})),
        "filter_dates_ms": Filters(start=parse_date("2018").start, end=parse_date("2019").end),
    }
    for name, filters in cases.items():
        # The GUI thread's share (asking, then drawing the answer) and the time until the
        # filtered picture is drawn (the filters of a large timeline are worked out in a thread).
        t = time.perf_counter()
        win.find.set_filters(filters)
        gui = time.perf_counter() - t
        while win.find.shown is None:
            app.processEvents()
        t2 = time.perf_counter()
        app.processEvents()
        win.view.repaint()
        gui = max(gui, time.perf_counter() - t2)
        out[name] = 1000 * (time.perf_counter() - t)
        out[name.replace("_ms", "_gui_ms")] = 1000 * gui
        win.find.clear_filters()
        while win.find.shown is not None:
            app.processEvents()
        app.processEvents()
    win.close()
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.make_timeline import make_timeline

    print(
        f"{'events':>9} {'index':>7} {'ready':>7} {'rare':>8} {'common':>8} {'none':>8} "
        f"{'key GUI':>8} {'category':>9} {'precision':>9} {'dates':>8} {'filt GUI':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"t{size}.json"
            make_timeline(path, size, seed=1, shape="uniform")
            r = bench(path, args.runs)
            print(
                f"{r['events']:>9,} {r['index_s']:>6.2f}s {r['index_ready_after_open_s']:>6.2f}s "
                f"{r['count_rare_ms']:>6.0f}ms "
                f"{r['count_common_ms']:>6.0f}ms {r['count_none_ms']:>6.0f}ms "
                f"{r['keystroke_gui_max_ms']:>6.0f}ms {r['filter_category_ms']:>7.0f}ms "
                f"{r['filter_precision_ms']:>7.0f}ms {r['filter_dates_ms']:>6.0f}ms "
                f"{max(r[k] for k in r if k.endswith('_gui_ms') and 'filter' in k):>7.0f}ms",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
