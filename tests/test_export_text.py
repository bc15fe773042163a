"""Exports carry a text alternative: the SVG's <title> and <desc>, the PDF's title and subject,
and --alt-text's plain-text file, each read back with a real reader (xml.etree, pypdf)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from tests.test_cli import one_clean_line, run
from viewer.export import export_timeline
from viewer.model.describe import event_line, summary_line
from viewer.render import TimelineRenderer

SVG = "{http://www.w3.org/2000/svg}"


def event_lines(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("- ")]


def test_the_svg_has_a_title_and_a_description_of_its_events(qapp, builtin, tmp_path):
    out = tmp_path / "t.svg"
    export_timeline(builtin, out)
    root = ET.parse(out).getroot()
    assert root.find(f"{SVG}title").text == builtin.title
    desc = root.find(f"{SVG}desc").text
    assert desc.splitlines()[0] == summary_line(builtin, list(range(len(builtin.events))))
    assert event_lines(desc) == [event_line(builtin, e) for e in builtin.events]
    assert "Sources: " in desc  # the footer's sources follow


def test_the_pdf_has_a_title_and_a_subject(qapp, builtin, tmp_path, caplog):
    for preset in (None, "a4"):
        out = tmp_path / f"t-{preset}.pdf"
        export_timeline(builtin, out, preset=preset)
        reader = PdfReader(out, strict=True)
        assert reader.metadata.title == builtin.title
        assert reader.metadata.subject == (
            f"{builtin.title}: a timeline of 13 events, 2018 to 2024."
        )
        assert reader.metadata.creator == "Timeline viewer"
        assert len(reader.pages) == 1
        assert not caplog.records, caplog.text  # pypdf found nothing to correct
        assert "Reuters report" in " ".join(reader.pages[0].extract_text().split())


def test_a_filtered_export_describes_only_what_it_shows(qapp, builtin, tmp_path):
    renderer = TimelineRenderer(builtin)
    shown = bytes(0 if e.category == "context" else 1 for e in builtin.events)
    note = "Filtered: 1 of 13 events left out (Background hidden)."
    renderer.set_filter(shown, frozenset({"context"}), note)
    out = tmp_path / "filtered.svg"
    export_timeline(builtin, out, renderer=renderer)
    desc = ET.parse(out).getroot().find(f"{SVG}desc").text
    kept = [e for e in builtin.events if e.category != "context"]
    assert event_lines(desc) == [event_line(builtin, e) for e in kept]
    assert note in desc.splitlines()
    assert len(kept) == 12
    assert "a timeline of 12 events, 2019 to 2024." in desc.splitlines()[0]


def test_alt_text_on_the_command_line_follows_the_range(tmp_path):
    out, alt = tmp_path / "t.png", tmp_path / "t.txt"
    result = run("--export", str(out), "--range", "2022-04", "2022-04", "--alt-text", str(alt))
    assert result.returncode == 0, result.stderr
    text = alt.read_text(encoding="utf-8")
    lines = event_lines(text)
    assert "22 Apr 2022: Reuters report (Press reports, disputed)" in lines
    assert "23 Apr 2022: Binance denies the report (Binance statements)" in lines
    assert not any("CommEx" in line for line in lines)
    # In time order, and each event once.
    assert len(set(lines)) == len(lines)
    assert text.splitlines()[0].startswith("Binance and Russia, 2019–2024: a timeline of ")


def test_alt_text_whole_timeline_and_dark(tmp_path):
    out, alt = tmp_path / "t.svg", tmp_path / "alt.txt"
    result = run("--export", str(out), "--theme", "dark", "--alt-text", str(alt))
    assert result.returncode == 0, result.stderr
    lines = event_lines(alt.read_text(encoding="utf-8"))
    assert len(lines) == 13
    assert lines[0].startswith("2018: Navalny and the 2018 election")
    assert lines[-1] == "Apr 2024: CommEx shuts down (Business moves)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alt-text", "{tmp}/a.txt"], "--alt-text goes with --export"),
        (["--export", "{tmp}/a.png", "--alt-text", "{tmp}/a.png"], "cannot replace the image"),
        (["--export", "{tmp}/a.png", "--alt-text", "{tmp}/no/such/a.txt"], "a.txt"),
        (["--export", "{tmp}/a.png", "--theme", "sepia"], "--theme"),
    ],
)
def test_bad_alt_text_and_theme_arguments_fail_in_one_line(tmp_path, args, message):
    result = run(*(a.format(tmp=tmp_path) for a in args))
    assert result.returncode != 0
    assert message in one_clean_line(result.stderr)
    assert not (tmp_path / "a.png").exists()  # nothing half done


def test_a_hostile_title_cannot_break_the_pdf_information(qapp, builtin, tmp_path, caplog):
    from dataclasses import replace

    # U+3E3E is the bytes '>>' in UTF-16, which Qt writes raw into its own dictionary.
    title = "\u3e3e>> endobj ) ( \\ trailer startxref \u3e3e"
    hostile = replace(builtin, title=title)
    out = tmp_path / "hostile.pdf"
    export_timeline(hostile, out)
    reader = PdfReader(out, strict=True)
    assert reader.metadata.title == title
    assert reader.metadata.subject.startswith(f"{title}: a timeline of 13 events")
    assert not caplog.records, caplog.text
