"""Rendering at scale: load, frame times, wheel latency, a 4K export and memory, per size.

    python -m benchmarks.bench_render [--sizes 1000,10000,100000,1000000] [--shapes uniform,bursty]
                                      [--json benchmarks/results.json]

For each size and shape the generator (benchmarks/make_timeline.py, seed 1) writes a timeline
once into benchmarks/.cache/, and a fresh Python process measures it, so that memory figures
do not mix. Each process, on Qt's offscreen platform at device pixel ratio 1:

- builds the empty main window at 1920x1080 and notes its peak memory (the baseline);
- load to first paint: reads and checks the file as the app's loading thread does (garbage
  collections paused, the event index made), hands it to the window, paints once;
- frame times: a scripted sweep of 240 steps, alternating a zoom step about the centre with a
  pan of 150 px, from the whole range down to a single day around the busiest moment; each
  step is painted synchronously (QWidget.repaint) and timed; p50, p95 and max;
- the 40-step zoom sweep of issue 15 (the whole range to one day and back out to 37% of it,
  each step painted synchronously): its slowest frame and the span it showed;
- wheel to frame: 30 mouse-wheel events sent to the view at points of the sweep, each timed
  from the event to the end of the painted frame;
- a 3840x2160 PNG export of the whole timeline;
- peak memory above the baseline (ru_maxrss): once loaded, after the sweep, and at the end
  (the 4K export alone needs a 33 MB image);
- reopen: a second fresh process loads the same file and paints once, as a user opening it
  again would. Each size starts from an empty column cache (viewer/model/column_cache.py), so
  the first open reads the file in full and, for a large file, fills the cache the second
  finds.

At the largest size it also times the whole command-line process
`python -m viewer --export out.png --width 3840 --height 2160 FILE` of the uniform file, first
and again.

It prints a table and writes the figures as JSON. `make bench` runs it.
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
CACHE = ROOT / "benchmarks" / ".cache"
SWEEP_STEPS = 240
ZOOM_STEPS = 40  # issue 15's sweep: the whole range to one day and back to 37% of it
WHEEL_SAMPLES = 30
DAY = 86_400.0


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path, reopen: bool = False) -> dict:
    """Run in a fresh process: every figure for one timeline file (with `reopen`, only the
    load and its memory: the second open, which finds the file's columns in the cache)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QT_SCALE_FACTOR", "1")
    from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from viewer.export import export_timeline
    from viewer.loading import collections_paused
    from viewer.main_window import MainWindow, load_timeline_file
    from viewer.model.scale import fit

    app = QApplication([sys.argv[0]])
    settings = QSettings(str(CACHE / "bench-settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(None, settings)
    window.resize(1920, 1080)
    window.show()
    app.processEvents()
    view = window.view
    baseline = _peak_mb()

    t = time.perf_counter()
    # As the app's loading thread does: garbage collections paused, the event index made.
    with collections_paused():
        timeline = load_timeline_file(path)
        timeline.index  # noqa: B018
    window.set_timeline(timeline)
    app.processEvents()
    view.repaint()
    load_s = time.perf_counter() - t
    loaded_mb = _peak_mb() - baseline
    if reopen:
        window.close()
        app.processEvents()
        return {"load_to_first_paint_s": load_s, "memory_after_load_mb": loaded_mb}

    # The sweep: from the whole range down to one day around the busiest moment.
    renderer = view.renderer
    starts = renderer.index.starts
    busiest = max(
        range(0, len(starts), max(1, len(starts) // 2000)),
        key=lambda i: renderer.index.count_starting(starts[i], starts[i] + 7 * DAY),
    )
    target = starts[busiest] + DAY / 2
    view.fit_all()
    width = float(view.width())
    whole = view.scale.spp
    finest = fit(target - DAY / 2, target + DAY / 2, width, 0).spp
    zoom_steps = SWEEP_STEPS // 2
    factor = (whole / finest) ** (1 / zoom_steps)
    frames = []
    wheel = []
    wheel_every = max(1, SWEEP_STEPS // WHEEL_SAMPLES)
    for step in range(SWEEP_STEPS):
        scale = view.scale
        if step % 2 == 0:
            # Zoom about the target where it is on screen (bringing it into view first).
            if not 0 <= scale.x_of(target) <= width:
                scale = scale.centred_on(target)
            view.set_scale(scale.zoomed(factor, scale.x_of(target)))
        else:
            view.set_scale(scale.panned(150 if step % 4 == 1 else -150))
        t = time.perf_counter()
        view.repaint()
        frames.append(time.perf_counter() - t)
        if step % wheel_every == 0:
            pos = QPointF(width / 2, view.height() / 2)
            event = QWheelEvent(
                pos,
                view.mapToGlobal(pos),
                QPoint(0, 0),
                QPoint(0, 120 if step % 2 else -120),
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
                Qt.ScrollPhase.NoScrollPhase,
                False,
            )
            t = time.perf_counter()
            QApplication.sendEvent(view, event)
            view.repaint()
            wheel.append(time.perf_counter() - t)
    frames.sort()
    zoom_max_ms, zoom_max_span = zoom_sweep(view, target)
    browsing_mb = _peak_mb() - baseline

    out = CACHE / f"{path.stem}-4k.png"
    t = time.perf_counter()
    export_timeline(timeline, out, width=3840, height=2160)
    export_s = time.perf_counter() - t
    out.unlink()
    end_mb = _peak_mb() - baseline
    window.close()  # stops the background search index (a QThread must not outlive it)
    app.processEvents()
    return {
        "events": len(timeline.events),
        "load_to_first_paint_s": load_s,
        "frame_p50_ms": 1000 * frames[len(frames) // 2],
        "frame_p95_ms": 1000 * frames[int(len(frames) * 0.95)],
        "frame_max_ms": 1000 * frames[-1],
        "wheel_to_frame_p50_ms": 1000 * statistics.median(wheel),
        "wheel_to_frame_max_ms": 1000 * max(wheel),
        "export_4k_png_s": export_s,
        "memory_after_load_mb": loaded_mb,
        "memory_browsing_mb": browsing_mb,
        "memory_above_empty_app_mb": end_mb,
        "sweep_steps": SWEEP_STEPS,
        "zoom_sweep_max_ms": zoom_max_ms,
        "zoom_sweep_max_at_span_days": zoom_max_span / DAY,
        "final_spp": view.scale.spp,
    }


def zoom_sweep(view, target: float, steps: int = ZOOM_STEPS) -> tuple[float, float]:
    """Issue 15's sweep: from the whole range down to one day about `target` in steps/2 zoom
    steps, then back out to 37% of the range in as many; each step painted synchronously.
    The slowest frame (ms) and the span (seconds) it showed."""
    from viewer.model.scale import fit

    view.fit_all()
    width = float(view.width())
    whole = view.scale.spp
    finest = fit(target - DAY / 2, target + DAY / 2, width, 0).spp
    half = steps // 2
    spps = [whole * (finest / whole) ** (k / half) for k in range(1, half + 1)]
    back = 0.37 * whole
    spps += [finest * (back / finest) ** (k / half) for k in range(1, half + 1)]
    worst, worst_span = 0.0, 0.0
    for spp in spps:
        scale = view.scale
        view.set_scale(scale.zoomed(scale.spp / spp, scale.x_of(target)))
        t = time.perf_counter()
        view.repaint()
        took = 1000 * (time.perf_counter() - t)
        if took > worst:
            worst, worst_span = took, view.scale.spp * width
    return worst, worst_span


def _run(args: list[str], env: dict[str, str]) -> dict | str:
    """The figures a fresh process prints, or what went wrong."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_render", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return done.stderr.strip()[-400:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cli_export(path: Path, env: dict[str, str]) -> float:
    """Seconds the whole `python -m viewer --export` process takes for a 3840x2160 PNG."""
    out = CACHE / f"{path.stem}-cli.png"
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "viewer",
            "--export",
            str(out),
            "--width",
            "3840",
            "--height",
            "2160",
            str(path),
        ],
        cwd=ROOT,
        env=dict(env, QT_QPA_PLATFORM="offscreen"),
        check=True,
        capture_output=True,
    )
    took = time.perf_counter() - t
    out.unlink()
    return took


def timeline_file(events: int, shape: str) -> Path:
    """The generated timeline for a size and shape, made once."""
    from benchmarks.make_timeline import make_timeline

    path = CACHE / f"{shape}-{events}.json"
    if not path.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        make_timeline(path, events, 1, shape)
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--shapes", default="uniform,bursty")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"))
    parser.add_argument("--one", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--reopen", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(Path(args.one), args.reopen)))
        return 0
    results = []
    header = (
        f"{'events':>9} {'shape':8} {'load→paint':>10} {'p50':>7} {'p95':>7} {'max':>7} "
        f"{'zoom40':>7} {'wheel':>7} {'4K PNG':>7} {'mem:load':>8} {'browse':>7} {'+export':>7} "
        f"{'reopen':>7} {'mem':>8}"
    )
    sizes = [int(s) for s in args.sizes.split(",")]
    max_size = max(sizes)
    cli: list[float] = []
    print(header)
    print("-" * len(header))
    for size in sizes:
        for shape in args.shapes.split(","):
            path = timeline_file(size, shape)
            # A fresh column cache: the first open reads the file in full (and fills the
            # cache, for a large file), the second finds it there.
            with tempfile.TemporaryDirectory() as cache:
                env = dict(os.environ, TIMELINE_VIEWER_CACHE=cache)
                runs = [
                    _run(["--one", str(path)], env),
                    _run(["--one", str(path), "--reopen"], env),
                ]
            if size == max_size and shape == "uniform":
                # The command line from an empty cache, then again (its columns cached).
                with tempfile.TemporaryDirectory() as cache:
                    env = dict(os.environ, TIMELINE_VIEWER_CACHE=cache)
                    cli = [_cli_export(path, env), _cli_export(path, env)]
            if any(isinstance(r, str) for r in runs):
                print(f"{size:>9} {shape:8} failed: {[r for r in runs if isinstance(r, str)]}")
                continue
            r, again = runs
            r["shape"] = shape
            r["reopen_to_first_paint_s"] = again["load_to_first_paint_s"]
            r["memory_after_reopen_mb"] = again["memory_after_load_mb"]
            results.append(r)
            print(
                f"{size:>9,} {shape:8} {r['load_to_first_paint_s']:>9.2f}s "
                f"{r['frame_p50_ms']:>5.1f}ms {r['frame_p95_ms']:>5.1f}ms "
                f"{r['frame_max_ms']:>5.1f}ms {r['zoom_sweep_max_ms']:>5.1f}ms "
                f"{r['wheel_to_frame_p50_ms']:>5.1f}ms "
                f"{r['export_4k_png_s']:>6.2f}s {r['memory_after_load_mb']:>6.0f}MB "
                f"{r['memory_browsing_mb']:>5.0f}MB {r['memory_above_empty_app_mb']:>5.0f}MB "
                f"{r['reopen_to_first_paint_s']:>6.2f}s {r['memory_after_reopen_mb']:>6.0f}MB",
                flush=True,
            )
    if cli:
        print(
            f"command line, {max_size:,} uniform events to a 3840x2160 PNG, whole process: "
            f"{cli[0]:.2f} s first, {cli[1]:.2f} s again (columns cached)"
        )
        results.append({"cli_export_4k_s": cli[0], "cli_export_4k_again_s": cli[1]})
    Path(args.json).write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
