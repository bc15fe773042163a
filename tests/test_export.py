"""Exports, read back with real decoders: Qt's PNG reader, an XML parser, pypdf."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pypdf
import pytest
from PySide6.QtCore import QSizeF
from PySide6.QtGui import QColor, QImage, QImageReader

from viewer.export import ExportError, export_timeline
from viewer.render import TimelineRenderer


@pytest.fixture
def app(qapp):
    return qapp


def read_png(path) -> QImage:
    reader = QImageReader(str(path))
    assert reader.format().data() == b"png"
    image = reader.read()
    assert not image.isNull(), reader.errorString()
    return image


def marker_centre(renderer, plan, index):
    frame = renderer.frame(QSizeF(plan.width, plan.height), plan.deco, plan.scale)
    marker, _ = renderer.event_rects(index, plan.scale, frame)
    return marker


def test_png_has_the_size_asked_and_shows_the_events(app, builtin, tmp_path):
    path = tmp_path / "timeline.png"
    renderer = TimelineRenderer(builtin)
    plan = export_timeline(builtin, path, width=1400, renderer=renderer)
    image = read_png(path)
    assert (image.width(), image.height()) == (1400, plan.height)
    # Not blank: many colours, and the background is white.
    colours = {image.pixel(x, y) for x in range(0, 1400, 7) for y in range(0, plan.height, 7)}
    assert len(colours) > 20
    assert QColor(image.pixel(2, plan.height // 2)) == QColor("#FFFFFF")
    # At each point event's marker, the event's category colour.
    for event_id in ("reuters-report", "binance-denial"):
        i = builtin.index_of(event_id)
        marker = marker_centre(renderer, plan, i)
        assert marker.width() < 20  # a point at this zoom
        c = marker.center()
        pixel = QColor(image.pixel(int(c.x()), int(c.y())))
        assert pixel == QColor(builtin.category_color(builtin.events[i].category)), event_id
    # A band (the traffic fall, a range) is solid where it certainly lasted, with its solid
    # line along its foot over the pale ends too.
    i = builtin.index_of("russian-traffic-falls")
    band = marker_centre(renderer, plan, i)
    assert band.width() > 40
    frame = renderer.frame(QSizeF(plan.width, plan.height), plan.deco, plan.scale)
    mark = renderer.mark_of(i, plan.scale, frame)
    expected = QColor(builtin.category_color("market"))
    inside = QColor(image.pixel(int(sum(mark.core) / 2), int(band.center().y())))
    # Solid: the colour at 47% over white, darker than a pale band's 16%.
    assert inside.red() < 250 and abs(inside.hue() - expected.hue()) < 12
    foot = QColor(image.pixel(int(band.left() + 2), int(band.bottom() - 3)))
    assert foot == expected


def test_png_scale_multiplies_pixels(app, builtin, tmp_path):
    path = tmp_path / "big.png"
    plan = export_timeline(builtin, path, width=800, height=500, scale=2)
    image = read_png(path)
    assert (image.width(), image.height()) == (1600, 1000)
    assert (plan.width, plan.height) == (800, 500)


def test_svg_parses_and_keeps_every_title_as_text(app, builtin, tmp_path):
    path = tmp_path / "timeline.svg"
    export_timeline(builtin, path)
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    texts = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
    for event in builtin.events:
        assert event.title in texts
    assert builtin.title in texts
    assert "Sources:" in texts


def test_pdf_has_one_page_with_the_timeline(app, builtin, tmp_path):
    path = tmp_path / "timeline.pdf"
    plan = export_timeline(builtin, path)
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width_pt = float(page.mediabox.width)
    assert abs(width_pt - plan.width * 0.75) < 2
    text = " ".join(page.extract_text().split())  # words come out tab-separated
    assert "Reuters report" in text
    assert "CommEx shuts down" in text


def test_export_renders_the_same_picture_as_the_screen_renderer(app, builtin, tmp_path):
    # One renderer serves both: an export painted by hand matches the exported file.
    from PySide6.QtGui import QPainter

    path = tmp_path / "a.png"
    renderer = TimelineRenderer(builtin)
    plan = export_timeline(builtin, path, width=900, renderer=renderer)
    image = QImage(plan.width, plan.height, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    renderer.paint(painter, QSizeF(plan.width, plan.height), plan.scale, deco=plan.deco)
    painter.end()
    assert read_png(path).convertToFormat(QImage.Format.Format_ARGB32) == image


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("out.bmp", "unknown image type '.bmp'; use .png, .svg or .pdf"),
        ("missing/out.png", "the folder"),
    ],
)
def test_bad_paths_fail_cleanly(app, builtin, tmp_path, name, problem):
    with pytest.raises(ExportError) as err:
        export_timeline(builtin, tmp_path / name)
    assert str(err.value).startswith(str(tmp_path / name))
    assert problem in str(err.value)
    assert list(tmp_path.rglob("*")) == []


def test_a_folder_is_not_overwritten(app, builtin, tmp_path):
    folder = tmp_path / "x.png"
    folder.mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        export_timeline(builtin, folder)
    assert folder.is_dir()


def test_a_failed_export_leaves_the_old_file_and_no_temporary(app, builtin, tmp_path, monkeypatch):
    path = tmp_path / "keep.png"
    path.write_bytes(b"the earlier export")
    monkeypatch.setattr(QImage, "save", lambda *args, **kwargs: False)
    with pytest.raises(ExportError, match="could not be written"):
        export_timeline(builtin, path)
    assert path.read_bytes() == b"the earlier export"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]


def test_bad_sizes_are_refused(app, builtin, tmp_path):
    with pytest.raises(ExportError, match="width 5 is outside"):
        export_timeline(builtin, tmp_path / "a.png", width=5)
    with pytest.raises(ExportError, match="scale 100"):
        export_timeline(builtin, tmp_path / "a.png", scale=100)
    assert list(tmp_path.iterdir()) == []
