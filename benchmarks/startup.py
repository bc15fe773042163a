"""Startup to first paint, from source and packaged, plus the package's sizes.

    python benchmarks/startup.py [--runs 10] [--frozen dist/timeline-viewer/timeline-viewer]

Each launch runs the app with --exit-after-first-paint, which prints the monotonic clock once
the timeline has painted its first frame; the figure is that time minus the moment before the
process was started (both read CLOCK_MONOTONIC). One launch per variant is made first and not
counted, so the figures are warm: the files are in the page cache, as for a user who has run
the app before. Uses the X server in DISPLAY if there is one, else Qt's offscreen platform.
`make bench-startup` runs it under Xvfb.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FROZEN = ROOT / "dist" / "timeline-viewer" / "timeline-viewer"


def launch(command: list[str], env: dict[str, str]) -> float:
    """Seconds from starting `command` to its first painted frame."""
    start = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    for line in done.stdout.splitlines():
        if line.startswith("first-paint "):
            return float(line.split()[1]) - start
    raise SystemExit(
        f"{command[0]}: no first paint reported (exit {done.returncode}):\n{done.stderr[-2000:]}"
    )


def measure(command: list[str], runs: int) -> dict:
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ)
        env.update(XDG_CONFIG_HOME=f"{home}/config", XDG_STATE_HOME=f"{home}/state")
        if not env.get("DISPLAY"):
            env["QT_QPA_PLATFORM"] = "offscreen"
        launch(command, env)  # warm-up, not counted
        times = [launch(command, env) for _ in range(runs)]
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "runs": runs,
        "platform": env.get("QT_QPA_PLATFORM") or "xcb",
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--frozen", type=Path, default=DEFAULT_FROZEN)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    flag = "--exit-after-first-paint"
    variants = {"from source": [sys.executable, "-m", "viewer", flag]}
    if args.frozen.is_file():
        variants["packaged (one folder)"] = [str(args.frozen), flag]
    else:
        print(f"no packaged app at {args.frozen}; run `make package` to measure it too")
    results = {}
    print(f"startup to first paint, median of {args.runs} warm launches")
    for name, command in variants.items():
        r = results[name] = measure(command, args.runs)
        print(
            f"  {name:22} median {r['median_s']:.3f} s  (min {r['min_s']:.3f}, "
            f"max {r['max_s']:.3f}; platform {r['platform']})"
        )
    if args.frozen.is_file():
        sys.path.insert(0, str(ROOT / "release"))
        import package

        results["sizes"] = package.sizes(args.frozen.parent)
        package.report(results["sizes"])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
