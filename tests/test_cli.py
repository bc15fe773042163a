"""The command line, run as a user runs it: a separate process with no display at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

import viewer


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # the export must pick the offscreen platform itself
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def one_clean_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_export_png_without_a_display(tmp_path):
    out = tmp_path / "t.png"
    # Run from an unrelated folder: the app must not depend on the current directory.
    result = run("--export", str(out), "--width", "1000", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert image.width() == 1000 and image.height() > 200


def test_export_svg_and_pdf(tmp_path):
    for name in ("t.svg", "t.pdf"):
        result = run("--export", str(tmp_path / name), "--width", "900", "--height", "400")
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "t.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")


def test_unknown_suffix_fails_in_one_line(tmp_path):
    result = run("--export", str(tmp_path / "t.gif"))
    assert result.returncode != 0
    line = one_clean_line(result.stderr)
    target = tmp_path / "t.gif"
    assert line == f"timeline-viewer: {target}: unknown image type '.gif'; use .png, .svg or .pdf"


def test_unwritable_path_fails_in_one_line_and_keeps_nothing(tmp_path):
    target = tmp_path / "no" / "such" / "folder" / "t.png"
    result = run("--export", str(target))
    assert result.returncode != 0
    assert "does not exist" in one_clean_line(result.stderr)
    assert not (tmp_path / "no").exists()


def test_invalid_timeline_fails_in_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "version": 1,
                "title": "t",
                "sources": [],
                "events": [
                    {
                        "id": "a",
                        "title": "A",
                        "date": "April 31 2022",
                        "category": "c",
                        "summary": "s",
                        "citations": [],
                    }
                ],
            }
        )
    )
    result = run("--export", str(tmp_path / "t.png"), str(bad))
    assert result.returncode == 1
    assert one_clean_line(result.stderr) == (
        f"timeline-viewer: {bad}: events[0].date: 'April 31 2022' is not a date"
    )
    assert not (tmp_path / "t.png").exists()


def test_a_csv_of_no_known_format_converts_with_the_guessed_columns(tmp_path):
    good = tmp_path / "plain.csv"
    good.write_text("Title;Date;Notes\nSpring;2021-04;Warm\nYear;2022;\n", encoding="utf-8")
    out = tmp_path / "out.json"
    result = run("--convert", str(out), "--to", "timelinejs", str(good))
    assert result.returncode == 0, result.stderr
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert [(e["text"]["headline"], e["start_date"]) for e in saved["events"]] == [
        ("Spring", {"year": 2021, "month": 4, "display_date": "Apr 2021"}),
        ("Year", {"year": 2022, "display_date": "2022"}),
    ]

    unknown = tmp_path / "unknown.csv"
    unknown.write_text("when,colour\n2020,red\n", encoding="utf-8")
    result = run("--export", str(tmp_path / "t.png"), str(unknown))
    assert result.returncode == 1
    assert one_clean_line(result.stderr) == (
        f"timeline-viewer: {unknown}: line 1: is a CSV file whose title column could not be "
        "guessed from its header ('when', 'colour'): open it in the window to choose them"
    )
    assert not (tmp_path / "t.png").exists()


def test_missing_timeline_file(tmp_path):
    result = run("--export", str(tmp_path / "t.png"), str(tmp_path / "nope.json"))
    assert result.returncode == 1
    assert one_clean_line(result.stderr).endswith("nope.json: file not found")


@pytest.mark.parametrize("args", [["--width", "abc", "--export", "x.png"], ["--bogus"]])
def test_bad_arguments_fail_in_one_line(args, tmp_path):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert one_clean_line(result.stderr).startswith("timeline-viewer: error:")


def test_version_and_help():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"timeline-viewer {viewer.__version__}"
    assert viewer.__version__ == "0.1.0"
    result = run("--help")
    assert result.returncode == 0
    assert "--export PATH" in result.stdout
