"""Exports for publication: a span of time (--range, or what is in view), size presets with
real page sizes, and an SVG whose fonts a browser can find. Every file is read back with a
real decoder: Pillow for PNG, pypdf for PDF, xml.etree for SVG."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageChops
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QApplication

from viewer.export import A4, FIT_MARGIN_PX, LETTER, PRESETS, ExportError, export_timeline
from viewer.model.dates import parse_date
from viewer.model.scale import fit

SVG = "{http://www.w3.org/2000/svg}"
POINTS_PER_MM = 72 / 25.4


@pytest.fixture(autouse=True)
def _app(qapp):
    """Fonts and painting in this process need the application object."""


def run(*args: str) -> subprocess.CompletedProcess:
    """`python -m viewer ARGS` from this worktree, with no display."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def svg_texts(path: Path) -> list[tuple[str, str]]:
    """(text, font-family in force) of every <text> in the SVG, the family inherited from the
    nearest element that sets one."""
    out: list[tuple[str, str]] = []

    def walk(element: ET.Element, family: str) -> None:
        family = element.get("font-family", family)
        if element.tag == f"{SVG}text":
            out.append(("".join(element.itertext()), family))
        for child in element:
            walk(child, family)

    walk(ET.parse(path).getroot(), "")
    return out


def year_labels(path: Path) -> set[str]:
    """The axis's year labels (a text that is a year and nothing else)."""
    return {t for t, _ in svg_texts(path) if len(t) == 4 and t.isdigit()}


# -- a span of time ---------------------------------------------------------------------------


def test_a_range_spans_the_width_from_its_first_instant_to_its_last(builtin, tmp_path):
    start, end = parse_date("2021-04").start, parse_date("2022-12").end
    plan = export_timeline(builtin, tmp_path / "r.svg", width=1000, time_range=(start, end))
    assert plan.scale.x_of(start) == pytest.approx(FIT_MARGIN_PX)
    assert plan.scale.x_of(end) == pytest.approx(1000 - FIT_MARGIN_PX)
    years = year_labels(tmp_path / "r.svg")
    assert {"2021", "2022"} <= years
    assert not years & {"2018", "2019", "2020", "2024"}
    whole = export_timeline(builtin, tmp_path / "w.svg", width=1000)
    assert {"2019", "2020", "2021", "2022", "2023", "2024"} <= year_labels(tmp_path / "w.svg")
    assert whole.scale.spp > plan.scale.spp * 2


def test_range_on_the_command_line_is_the_same_picture(builtin, tmp_path):
    out = tmp_path / "cli.png"
    result = run("--export", str(out), "--width", "900", "--range", "2021-04", "2022-12")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    span = (parse_date("2021-04").start, parse_date("2022-12").end)
    export_timeline(builtin, tmp_path / "same.png", width=900, time_range=span)
    export_timeline(builtin, tmp_path / "whole.png", width=900)
    cli = Image.open(out).convert("RGB")
    assert cli.size[0] == 900
    same = Image.open(tmp_path / "same.png").convert("RGB")
    assert ImageChops.difference(cli, same).getbbox() is None
    whole = Image.open(tmp_path / "whole.png").convert("RGB")
    assert cli.size != whole.size or ImageChops.difference(cli, whole).getbbox() is not None


def test_a_range_with_no_events_still_exports(builtin, tmp_path):
    out = tmp_path / "empty.svg"
    result = run("--export", str(out), "--range", "2030", "2031")
    assert result.returncode == 0, result.stderr
    texts = {t for t, _ in svg_texts(out)}
    assert {"2030", "2031"} <= texts
    assert not any(e.title in texts for e in builtin.events)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2022", "2021"], "--range: 2021 ends before 2022 starts"),
        (["2021-13", "2022"], "argument --range: '2021-13' is not a date"),
    ],
)
def test_a_bad_range_fails_in_one_line(tmp_path, args, message):
    result = run("--export", str(tmp_path / "x.png"), "--range", *args)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"timeline-viewer: error: {message} (see --help)"]
    assert not (tmp_path / "x.png").exists()


def test_a_backwards_range_is_refused_by_the_api(builtin, tmp_path):
    with pytest.raises(ExportError, match="must end after it starts"):
        export_timeline(builtin, tmp_path / "x.png", time_range=(10.0, 5.0))


# -- presets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "points"),
    [("a4", (841.89, 595.28)), ("letter", (792.0, 612.0))],
)
def test_page_presets_give_pdf_pages_of_exactly_that_size(builtin, tmp_path, preset, points):
    out = tmp_path / f"{preset}.pdf"
    result = run("--export", str(out), "--preset", preset)
    assert result.returncode == 0, result.stderr
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.left), float(box.bottom)) == (0, 0)
    assert float(box.width) == pytest.approx(points[0], abs=0.01)
    assert float(box.height) == pytest.approx(points[1], abs=0.01)
    text = " ".join(reader.pages[0].extract_text().split())  # pypdf puts tabs between words
    assert builtin.title in text
    assert builtin.events[0].title in text


def test_the_a4_picture_keeps_inside_the_margins(builtin, tmp_path):
    out = tmp_path / "a4.png"
    result = run("--export", str(out), "--preset", "a4")
    assert result.returncode == 0, result.stderr
    image = Image.open(out)
    assert image.size == (3508, 2480)  # 297 × 210 mm at 300 dpi
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    rgb = image.convert("RGB")
    margin = round(A4.margin_mm / 25.4 * 300) - 2
    w, h = image.size
    for strip in (
        (0, 0, margin, h),
        (w - margin, 0, w, h),
        (0, 0, w, margin),
        (0, h - margin, w, h),
    ):
        assert rgb.crop(strip).getextrema() == ((255, 255),) * 3, strip
    # The picture fills the printable width: ink near both side margins.
    inside = rgb.crop((margin, margin, w - margin, h - margin))
    left, _, right, _ = ImageChops.invert(inside).getbbox()
    assert left < 60 and right > inside.size[0] - 60


def test_letter_png_is_the_page_at_300_dpi(tmp_path):
    out = tmp_path / "letter.png"
    assert run("--export", str(out), "--preset", "letter").returncode == 0
    assert Image.open(out).size == (3300, 2550)  # 11 × 8.5 in at 300 dpi


def test_a4_svg_is_the_page_size(tmp_path):
    out = tmp_path / "a4.svg"
    assert run("--export", str(out), "--preset", "a4").returncode == 0
    root = ET.parse(out).getroot()
    assert (root.get("width"), root.get("height")) == ("297mm", "210mm")


@pytest.mark.parametrize(
    ("args", "size", "dpi"),
    [
        (["--preset", "social"], (1600, 900), None),
        (["--preset", "article"], (1200, None), None),
        (["--preset", "article", "--width", "1000"], (1000, None), None),  # explicit wins
        (["--preset", "social", "--height", "700"], (1600, 700), None),
        (["--preset", "print"], (3750, None), 300),
        (["--preset", "print", "--scale", "2"], (2400, None), 192),
    ],
)
def test_pixel_presets(builtin, tmp_path, args, size, dpi):
    out = tmp_path / "p.png"
    result = run("--export", str(out), *args)
    assert result.returncode == 0, result.stderr
    image = Image.open(out)
    assert image.size[0] == size[0]
    if size[1] is not None:
        assert image.size[1] == size[1]
    else:  # the height fits the rows: the natural height at that width
        assert image.size[1] > 300
    if dpi is not None:
        assert image.info["dpi"] == pytest.approx((dpi, dpi), abs=0.01)
    # The picture is the timeline, not a blank page: it has ink.
    assert Image.open(out).convert("L").getextrema()[0] < 100


def test_unknown_preset_fails_in_one_line(tmp_path):
    result = run("--export", str(tmp_path / "x.png"), "--preset", "poster")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("timeline-viewer: error: argument --preset: invalid choice: 'poster'")


def test_help_lists_every_preset():
    result = run("--help")
    for name, preset in PRESETS.items():
        assert f"  {name} " in result.stdout
        assert preset.summary.split()[0] in result.stdout
    assert LETTER.name in result.stdout


# -- fonts in the SVG -------------------------------------------------------------------------


def test_svg_names_a_font_stack_browsers_understand(qapp, builtin, tmp_path):
    out = tmp_path / "t.svg"
    export_timeline(builtin, out, width=900)
    used = QFontInfo(QFont()).family()
    texts = svg_texts(out)
    assert len(texts) > 20
    for text, family in texts:
        names = [n.strip() for n in family.split(",")]
        assert names[0] == f"'{used}'", (text, family)
        assert names[-1] == "sans-serif", (text, family)
        assert len(names) == len(set(names))


# -- the dialog -------------------------------------------------------------------------------


def choose_preset(qtbot, dialog, name: str) -> None:
    """Pick a size in the combo box with the keyboard, as a user does."""
    combo = dialog.preset_combo
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentData() == name:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"no preset {name}")


def click_radio(qtbot, button) -> None:
    """Click a radio button on its circle, where a click is taken (the button is wider)."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    assert button.isChecked()


def type_path(qtbot, dialog, path: Path) -> None:
    dialog.path_edit.selectAll()
    qtbot.keyClicks(dialog.path_edit, str(path))


def open_export_dialog(qtbot, window):
    window.export_action.trigger()
    dialog = window.export_box
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def test_dialog_exports_what_is_in_view_at_a_preset(qtbot, window, builtin, tmp_path):
    view = window.view
    fitted = view.scale
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.scale.spp < fitted.spp
    dialog = open_export_dialog(qtbot, window)
    click_radio(qtbot, dialog.view_button)
    choose_preset(qtbot, dialog, "social")
    out = tmp_path / "view.png"
    type_path(qtbot, dialog, out)
    scale = view.scale  # as the window was laid out when Export was pressed
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert window.last_error is None
    assert not dialog.isVisible()
    assert window.statusBar().currentMessage() == f"Exported {out}"
    image = Image.open(out).convert("RGB")
    assert image.size == (1600, 900)
    # Exactly the view's span across the width, at the social size.
    plan = export_timeline(
        builtin,
        tmp_path / "same.png",
        preset="social",
        time_range=(scale.t0, scale.t1),
        range_margin=0,
    )
    assert plan.scale == fit(scale.t0, scale.t1, 1600, 0)
    same = Image.open(tmp_path / "same.png").convert("RGB")
    assert ImageChops.difference(image, same).getbbox() is None
    export_timeline(builtin, tmp_path / "whole.png", preset="social")
    whole = Image.open(tmp_path / "whole.png").convert("RGB")
    assert ImageChops.difference(image, whole).getbbox() is not None


def test_dialog_exports_dates_and_keeps_them_for_next_time(qtbot, window, tmp_path):
    dialog = open_export_dialog(qtbot, window)
    qtbot.keyClicks(dialog.start_edit, "2021-04")  # typing a date chooses "Dates from"
    qtbot.keyClicks(dialog.end_edit, "2022-12")
    assert dialog.dates_button.isChecked()
    choose_preset(qtbot, dialog, "a4")
    out = tmp_path / "dates.svg"
    type_path(qtbot, dialog, out)
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    assert window.last_error is None, window.last_error.text()
    assert not dialog.isVisible()
    years = year_labels(out)
    assert {"2021", "2022"} <= years and not years & {"2019", "2020", "2024"}
    assert ET.parse(out).getroot().get("width") == "297mm"
    s = window.settings
    assert (s.value("export/what"), s.value("export/preset")) == ("dates", "a4")
    assert (s.value("export/from"), s.value("export/to")) == ("2021-04", "2022-12")
    assert s.value("export/last") == str(out)


def test_a_failed_export_keeps_the_dialog_and_what_was_typed(qtbot, window, tmp_path):
    dialog = open_export_dialog(qtbot, window)
    click_radio(qtbot, dialog.view_button)
    choose_preset(qtbot, dialog, "letter")
    bad = tmp_path / "no-such-folder" / "t.pdf"
    type_path(qtbot, dialog, bad)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    box = window.last_error
    assert box is not None and box.isVisible()
    assert box.text() == f"{bad}: the folder {str(bad.parent)!r} does not exist"
    qtbot.mouseClick(box.buttons()[0], Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.path_edit.text() == str(bad)
    assert dialog.view_button.isChecked() and dialog.preset() == "letter"
    assert not (tmp_path / "no-such-folder").exists()
    # The user corrects the folder and exports again from the same dialog.
    good = tmp_path / "t.pdf"
    type_path(qtbot, dialog, good)
    window.last_error = None
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert window.last_error is None
    assert not dialog.isVisible()
    box = pypdf.PdfReader(str(good)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == (792, 612)
    # Opened again, it shows what was typed.
    dialog = open_export_dialog(qtbot, window)
    assert dialog.path_edit.text() == str(good)
    dialog.reject()


def test_a_bad_date_in_the_dialog_says_which(qtbot, window, tmp_path):
    dialog = open_export_dialog(qtbot, window)
    qtbot.keyClicks(dialog.start_edit, "2021-13")
    qtbot.keyClicks(dialog.end_edit, "2022")
    type_path(qtbot, dialog, tmp_path / "x.png")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    box = window.last_error
    assert box is not None and box.isVisible()
    assert box.text().startswith("From: '2021-13'")
    box.close()
    assert dialog.isVisible() and dialog.start_edit.text() == "2021-13"
    assert not (tmp_path / "x.png").exists()
    dialog.reject()
