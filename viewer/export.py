"""Exporting the whole timeline as PNG, SVG or PDF, through the same renderer as the screen.

Every format is written through QSaveFile: the picture goes to a temporary file in the target's
folder and is renamed over the target only once it is complete, so a failed export leaves any
earlier file as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QIODevice, QMarginsF, QRectF, QSaveFile, QSize, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator

from viewer.model.scale import TimeScale
from viewer.model.timeline import Timeline
from viewer.render import PUBLICATION, Decorations, TimelineRenderer

FORMATS = {".png": "PNG", ".svg": "SVG", ".pdf": "PDF"}
DEFAULT_WIDTH = 1600
MAX_PIXELS = 16384  # per side; a QImage larger than this is refused by Qt on many platforms
FIT_MARGIN_PX = 48.0


class ExportError(Exception):
    """An export that could not be written; str() is one line naming the file and the problem."""


@dataclass(frozen=True)
class ExportPlan:
    """The size and scale of an exported picture, so that tests can find what was drawn where."""

    width: int
    height: int
    scale: TimeScale
    deco: Decorations


def plan_export(
    renderer: TimelineRenderer, width: int | None = None, height: int | None = None
) -> ExportPlan:
    """The picture's size in pixels (the height fits every row unless given) and its scale."""
    w = int(width or DEFAULT_WIDTH)
    scale = renderer.fit_scale(w, FIT_MARGIN_PX)
    h = int(height or round(renderer.natural_height(scale, w, PUBLICATION)))
    return ExportPlan(w, h, scale, PUBLICATION)


def export_timeline(
    timeline: Timeline,
    path: str | Path,
    *,
    width: int | None = None,
    height: int | None = None,
    scale: float = 1.0,
    renderer: TimelineRenderer | None = None,
) -> ExportPlan:
    """Write the whole timeline to `path`, in the format its suffix names. Raises ExportError."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(f"{path}: unknown image type {path.suffix!r}; use .png, .svg or .pdf")
    for name, value in (("width", width), ("height", height)):
        if value is not None and not 16 <= value <= MAX_PIXELS:
            raise ExportError(f"{path}: {name} {value} is outside 16..{MAX_PIXELS} pixels")
    if not 0.25 <= scale <= 8:
        raise ExportError(f"{path}: scale {scale} is outside 0.25..8")
    renderer = renderer or TimelineRenderer(timeline)
    plan = plan_export(renderer, width, height)
    if plan.height * scale > MAX_PIXELS or plan.width * scale > MAX_PIXELS:
        raise ExportError(f"{path}: the picture would be larger than {MAX_PIXELS} pixels a side")
    if path.is_dir():
        raise ExportError(f"{path}: is a folder")
    if not path.parent.is_dir():
        raise ExportError(f"{path}: the folder {str(path.parent)!r} does not exist")

    out = QSaveFile(str(path))
    if not out.open(QIODevice.OpenModeFlag.WriteOnly):
        raise ExportError(f"{path}: cannot write ({out.errorString()})")
    try:
        if fmt == "PNG":
            _write_png(renderer, plan, scale, out)
        elif fmt == "SVG":
            _write_svg(renderer, plan, out)
        else:
            _write_pdf(renderer, plan, out)
    except ExportError:
        out.cancelWriting()
        raise
    if out.error() != QSaveFile.FileError.NoError:
        message = out.errorString()
        out.cancelWriting()
        raise ExportError(f"{path}: writing failed ({message})")
    if not out.commit():
        raise ExportError(f"{path}: could not be saved ({out.errorString()})")
    return plan


def _paint(renderer: TimelineRenderer, plan: ExportPlan, painter: QPainter) -> None:
    renderer.paint(painter, QSizeF(plan.width, plan.height), plan.scale, deco=plan.deco)


def _write_png(renderer: TimelineRenderer, plan: ExportPlan, scale: float, out: QSaveFile) -> None:
    image = QImage(
        QSize(round(plan.width * scale), round(plan.height * scale)), QImage.Format.Format_ARGB32
    )
    if image.isNull():
        raise ExportError(f"{out.fileName()}: not enough memory for a {image.width()}-pixel image")
    image.setDevicePixelRatio(scale)
    painter = QPainter(image)
    _paint(renderer, plan, painter)
    painter.end()
    if not image.save(out, "PNG"):
        raise ExportError(f"{out.fileName()}: the PNG could not be written")


def _write_svg(renderer: TimelineRenderer, plan: ExportPlan, out: QSaveFile) -> None:
    gen = QSvgGenerator()
    gen.setOutputDevice(out)
    gen.setSize(QSize(plan.width, plan.height))
    gen.setViewBox(QRectF(0, 0, plan.width, plan.height))
    gen.setResolution(96)
    gen.setTitle(renderer.timeline.title)
    gen.setDescription(renderer.footer_text())
    painter = QPainter()
    if not painter.begin(gen):
        raise ExportError(f"{out.fileName()}: the SVG could not be started")
    _paint(renderer, plan, painter)
    painter.end()


def _write_pdf(renderer: TimelineRenderer, plan: ExportPlan, out: QSaveFile) -> None:
    writer = QPdfWriter(out)
    writer.setResolution(96)
    writer.setTitle(renderer.timeline.title)
    writer.setCreator("Timeline viewer")
    # One page the size of the picture: 96 px to the inch, 72 points to the inch.
    page = QPageSize(QSizeF(plan.width * 0.75, plan.height * 0.75), QPageSize.Unit.Point)
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(f"{out.fileName()}: the PDF could not be started")
    _paint(renderer, plan, painter)
    painter.end()
