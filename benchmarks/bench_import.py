"""Importing a large Timesketch CSV, as File → Open does: time to a loaded timeline and memory.

    python -m benchmarks.bench_import [--rows 1000000]

It writes a Timesketch CSV (message, timestamp, datetime, timestamp_desc and two extra columns,
one event a second from 2015) and loads it through viewer.loading.load_timeline_file, the
function the window's loading thread runs. Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from viewer.loading import load_timeline_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "timesketch.csv"
        t = time.perf_counter()
        write_csv(path, args.rows)
        made = time.perf_counter() - t
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        timeline = load_timeline_file(path)
        took = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = path.stat().st_size
    print(
        f"{len(timeline.events):,} rows ({size / 2**20:.0f} MiB, written in {made:.1f} s): "
        f"imported in {took:.1f} s, peak memory {(peak - before) / 1024:.0f} MB above the start"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
