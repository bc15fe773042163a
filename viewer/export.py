"""Exporting the whole timeline as PNG, SVG or PDF, through the same renderer as the screen.

The picture is drawn in memory, then written through QSaveFile: it goes to a temporary file in
the target's folder and is renamed over the target only once all of it is written, so a failed
export leaves any earlier file as it was and no temporary file behind.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSaveFile, QSize, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator

from viewer.model.scale import TimeScale
from viewer.model.timeline import Timeline
from viewer.render import PUBLICATION, Decorations, TimelineRenderer

FORMATS = {".png": "PNG", ".svg": "SVG", ".pdf": "PDF"}
DEFAULT_WIDTH = 1600
MAX_PIXELS = 16384  # per side; a QImage larger than this is refused by Qt on many platforms
FIT_MARGIN_PX = 48.0
# Bytes that UTF-8 XML must not contain: C0 controls but tab, newline and return; U+FFFE, U+FFFF.
_XML_INVALID = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


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
        raise ExportError(f"{path}: is a folder, not a file")
    folder = path.parent
    if not folder.exists():
        raise ExportError(f"{path}: the folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise ExportError(f"{path}: {str(folder)!r} is a file, not a folder")

    # Drawn in memory first, so that nothing touches the disk until the picture is complete.
    if fmt == "PNG":
        data = _png_bytes(renderer, plan, scale, path)
    elif fmt == "SVG":
        data = _svg_bytes(renderer, plan, path)
    else:
        data = _pdf_bytes(renderer, plan, path)
    _save(path, data)
    return plan


def _save(path: Path, data: bytes) -> None:
    """Write `data` to `path` through QSaveFile: all of it, or nothing and the old file kept."""
    out = QSaveFile(str(path))
    if not out.open(QIODevice.OpenModeFlag.WriteOnly):
        raise ExportError(f"{path}: {_why_not_writable(path, out.errorString())}")
    view = memoryview(data)
    while view:
        # A write may take only part of the data (a disk filling up, a file size limit); the
        # next one then fails with the reason.
        written = out.write(bytes(view[: 1 << 20]))
        if written <= 0:
            reason = out.errorString()
            out.cancelWriting()  # the temporary file is removed; the target is untouched
            raise ExportError(f"{path}: could not be written ({reason}); nothing was saved")
        view = view[written:]
    if not out.commit():  # flushes what is buffered, then renames over the target
        raise ExportError(f"{path}: could not be written ({out.errorString()}); nothing was saved")


def _why_not_writable(path: Path, reason: str) -> str:
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"cannot write in the folder {str(path.parent)!r} ({reason})"
    if path.exists() and not os.access(path, os.W_OK):
        return f"the existing file is read-only ({reason})"
    return f"cannot write ({reason})"


def _paint(renderer: TimelineRenderer, plan: ExportPlan, painter: QPainter) -> None:
    renderer.paint(painter, QSizeF(plan.width, plan.height), plan.scale, deco=plan.deco)


def _memory() -> QBuffer:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    return buffer


def _png_bytes(renderer: TimelineRenderer, plan: ExportPlan, scale: float, path: Path) -> bytes:
    size = QSize(round(plan.width * scale), round(plan.height * scale))
    image = QImage(size, QImage.Format.Format_ARGB32)
    if image.isNull():
        raise ExportError(
            f"{path}: not enough memory for a {size.width()}×{size.height()}-pixel image"
        )
    image.setDevicePixelRatio(scale)
    painter = QPainter(image)
    _paint(renderer, plan, painter)
    painter.end()
    buffer = _memory()
    if not image.save(buffer, "PNG"):
        raise ExportError(f"{path}: the PNG could not be written")
    return buffer.data().data()


def _svg_bytes(renderer: TimelineRenderer, plan: ExportPlan, path: Path) -> bytes:
    buffer = _memory()
    gen = QSvgGenerator()
    gen.setOutputDevice(buffer)
    gen.setSize(QSize(plan.width, plan.height))
    gen.setViewBox(QRectF(0, 0, plan.width, plan.height))
    gen.setResolution(96)
    gen.setTitle(renderer.timeline.title)
    gen.setDescription(renderer.footer_text())
    painter = QPainter()
    if not painter.begin(gen):
        raise ExportError(f"{path}: the SVG could not be started")
    _paint(renderer, plan, painter)
    painter.end()
    # Qt escapes <, > and & but passes control characters through, and XML 1.0 allows none of
    # them (not even as &#1;): a title with one would make the whole file unreadable.
    return _XML_INVALID.sub("\ufffd".encode(), buffer.data().data())


def _pdf_bytes(renderer: TimelineRenderer, plan: ExportPlan, path: Path) -> bytes:
    buffer = _memory()
    writer = QPdfWriter(buffer)
    writer.setResolution(96)
    writer.setTitle(renderer.timeline.title)
    writer.setCreator("Timeline viewer")
    # One page the size of the picture: 96 px to the inch, 72 points to the inch.
    page = QPageSize(QSizeF(plan.width * 0.75, plan.height * 0.75), QPageSize.Unit.Point)
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(f"{path}: the PDF could not be started")
    _paint(renderer, plan, painter)
    painter.end()
    del writer  # its destructor finishes the file
    return buffer.data().data()
