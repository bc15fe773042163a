"""Importing a large Timesketch CSV, as File → Open does: time to first paint, and memory.

    python -m benchmarks.bench_import [--rows 1000000] [--jsonl]

It writes a Timesketch CSV (message, timestamp, datetime, timestamp_desc and two extra columns,
one event a second from 2015; with --jsonl, the same rows as Timesketch JSON lines), builds the
empty main window (offscreen, 1920x1080), then times:

- the import: what the window's loading thread runs (viewer.loading.load_timeline_file, which
  pauses garbage collections and makes the event index);
- to first paint: the timeline handed to the window as a finished load is (the loader's
  `finished` signal), and the view painted once;
- making events from their rows: the first 100,000 events in time order, one by one, as the
  panel, the labels and the search index ask for them.

Times are wall-clock, with the process's CPU time beside them (on a machine others share, the
CPU time is the steadier figure). Memory is the peak (ru_maxrss) above the empty window.
Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("Write time", "Access time", "Creation time", "Content modification time")


def write_csv(path: Path, rows: int) -> None:
    start = dt.datetime(2015, 7, 24, tzinfo=dt.UTC)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["message", "timestamp", "datetime", "timestamp_desc", "host", "filename"])
        for k in range(rows):
            t = start + dt.timedelta(seconds=k)
            w.writerow(
                [
                    f"File /var/log/app/{k % 977}.log changed",
                    int(t.timestamp()) * 1_000_000,
                    t.isoformat(),
                    KINDS[k % len(KINDS)],
                    f"host-{k % 13}",
                    f"/var/log/app/{k % 977}.log",
                ]
            )


def write_jsonl(path: Path, rows: int) -> None:
    names = ["message", "timestamp", "datetime", "timestamp_desc", "host", "filename"]
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "rows.csv"
        write_csv(table, rows)
        with table.open(encoding="utf-8", newline="") as f, path.open("w", encoding="utf-8") as out:
            reader = csv.reader(f)
            next(reader)
            for row in reader:
                doc = dict(zip(names, row, strict=True))
                doc["timestamp"] = int(doc["timestamp"])
                out.write(json.dumps(doc) + "\n")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--jsonl", action="store_true", help="Timesketch JSON lines, not CSV")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QT_SCALE_FACTOR", "1")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    import viewer.main_window as main_window
    from viewer.loading import load_timeline_file
    from viewer.main_window import MainWindow

    # The status bar counts the uncited events by making every one (main_window.uncited_note):
    # timed apart, unchanged.
    counting = [0.0]
    count_uncited = main_window.uncited_note

    def timed_uncited_note(timeline) -> str:
        t = time.perf_counter()
        try:
            return count_uncited(timeline)
        finally:
            counting[0] += time.perf_counter() - t

    main_window.uncited_note = timed_uncited_note

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("timesketch.jsonl" if args.jsonl else "timesketch.csv")
        t = time.perf_counter()
        (write_jsonl if args.jsonl else write_csv)(path, args.rows)
        made = time.perf_counter() - t
        size = path.stat().st_size

        app = QApplication.instance() or QApplication([sys.argv[0]])
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(None, settings)
        window.resize(1920, 1080)
        window.show()
        app.processEvents()
        baseline = _peak_mb()

        t, cpu = time.perf_counter(), time.process_time()
        timeline = load_timeline_file(path)  # as the loading thread does
        imported = time.perf_counter() - t
        imported_cpu = time.process_time() - cpu
        imported_mb = _peak_mb() - baseline
        window.loader.finished.emit(timeline)  # as a finished load reaches the window
        app.processEvents()
        window.view.repaint()
        painted = time.perf_counter() - t
        painted_cpu = time.process_time() - cpu
        painted_mb = _peak_mb() - baseline

        events = timeline.events
        t = time.perf_counter()
        for i in range(min(len(events), 100_000)):
            events[i]
        per_event = (time.perf_counter() - t) / max(1, min(len(events), 100_000))
        window.close()
    kind = "JSONL" if args.jsonl else "CSV"
    print(
        f"{len(timeline.events):,} rows of Timesketch {kind} ({size / 2**20:.0f} MiB, written in "
        f"{made:.1f} s): imported in {imported:.1f} s ({imported_cpu:.1f} s of CPU; "
        f"{imported_mb:.0f} MB), first paint at {painted:.1f} s ({painted_cpu:.1f} s of CPU; "
        f"{painted_mb:.0f} MB above the empty window), of which "
        f"{counting[0]:.1f} s the status bar counting uncited events one by one; "
        f"an event made from its row in {per_event * 1e6:.0f} µs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
