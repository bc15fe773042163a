"""Exporting a timeline (whole, or a time range) as PNG, SVG or PDF, through the same renderer
as the screen, at a size given or by a preset (article, social, print, an A4 or Letter page).

The picture is drawn in memory, then written through QSaveFile: it goes to a temporary file in
the target's folder and is renamed over the target only once all of it is written, so a failed
export leaves any earlier file as it was and no temporary file behind.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QIODevice,
    QMarginsF,
    QRectF,
    QSaveFile,
    QSize,
    QSizeF,
    qVersion,
)
from PySide6.QtGui import (
    QFont,
    QFontInfo,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)
from PySide6.QtSvg import QSvgGenerator

from viewer.model import saving
from viewer.model.describe import alt_text, summary_line
from viewer.model.saving import SaveError
from viewer.model.scale import TimeScale, fit
from viewer.model.theme import LIGHT, THEMES, Theme
from viewer.model.timeline import Timeline
from viewer.render import PUBLICATION, ROW_HEIGHT, Decorations, TimelineRenderer

FORMATS = {".png": "PNG", ".svg": "SVG", ".pdf": "PDF"}
DEFAULT_WIDTH = 1600
MAX_PIXELS = 16384  # per side; a QImage larger than this is refused by Qt on many platforms
FIT_MARGIN_PX = 48.0
CSS_DPI = 96.0  # a picture pixel is 1/96 inch, as in CSS: 13 px text prints at 9.75 pt
PAGE_MARGIN_MM = 12.0
# Bytes that UTF-8 XML must not contain: C0 controls but tab, newline and return; U+FFFE, U+FFFF.
_XML_INVALID = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
# What follows the family Qt used in the SVG's font-family: the same sans-serif look in any
# browser, whichever of these it has.
FONT_FALLBACKS = ("DejaVu Sans", "Noto Sans", "Liberation Sans", "Arial", "Helvetica")
_FONT_FAMILY = re.compile(rb'font-family="([^"]*)"')


class ExportError(Exception):
    """An export that could not be written; str() is one line naming the file and the problem."""


class PictureTooSmall(ExportError):
    """The height asked for cannot hold the title, the axis, one row, the legend and footer."""

    def __init__(self, path: Path, height: int, needed: int) -> None:
        self.height = height
        self.needed = needed
        super().__init__(
            f"{path}: a height of {height} px is too small for this timeline: "
            f"it needs at least {needed} px"
        )


@dataclass(frozen=True)
class Page:
    """A printed page, landscape: its size in millimetres and the margin on every side."""

    name: str
    width_mm: float
    height_mm: float
    margin_mm: float = PAGE_MARGIN_MM

    def points(self) -> tuple[float, float]:
        """The page's width and height in PDF points (1/72 inch)."""
        return self.width_mm / 25.4 * 72, self.height_mm / 25.4 * 72

    def pixels(self, dpi: float) -> tuple[int, int]:
        """The whole page's width and height in pixels at `dpi`."""
        return round(self.width_mm / 25.4 * dpi), round(self.height_mm / 25.4 * dpi)

    def printable(self, dpi: float) -> QRectF:
        """The area inside the margins, in pixels at `dpi`."""
        k = dpi / 25.4
        m = self.margin_mm * k
        return QRectF(
            m,
            m,
            (self.width_mm - 2 * self.margin_mm) * k,
            (self.height_mm - 2 * self.margin_mm) * k,
        )


A4 = Page("A4", 297.0, 210.0)
LETTER = Page("Letter", 279.4, 215.9)  # 11 × 8.5 in


@dataclass(frozen=True)
class Preset:
    """A size for a purpose. None means: the default width, a height that fits every row."""

    name: str
    summary: str  # for --help and the export dialog
    width: int | None = None  # picture pixels (1/96 in); a page's default is its printable width
    height: int | None = None
    dpi: float = CSS_DPI  # PNG pixel density: 96 is one PNG pixel per picture pixel
    page: Page | None = None  # a page (PDF: that page size; PNG: the page at `dpi`)


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("article", "1200 px wide, height fits: a web article", width=1200),
        Preset("social", "1600×900 (16:9): a social media card", width=1600, height=900),
        Preset(
            "print",
            "1200 px wide (12.5 in), height fits, PNG at 300 dpi (3750 px wide)",
            width=1200,
            dpi=300.0,
        ),
        Preset(
            "a4",
            "A4 landscape page (297×210 mm), 12 mm margins; PNG: the page at 300 dpi (3508×2480)",
            dpi=300.0,
            page=A4,
        ),
        Preset(
            "letter",
            "US Letter landscape page (11×8.5 in), 12 mm margins; PNG: the page at 300 dpi "
            "(3300×2550)",
            dpi=300.0,
            page=LETTER,
        ),
    )
}


@dataclass(frozen=True)
class ExportPlan:
    """The size and scale of an exported picture, so that tests can find what was drawn where.

    `width`×`height` is the picture in picture pixels; with a `page`, it is scaled (keeping its
    aspect) into the page's printable area. `dpi` is the PNG's pixel density.
    """

    width: int
    height: int
    scale: TimeScale
    deco: Decorations
    page: Page | None = None
    dpi: float = CSS_DPI


def plan_export(
    renderer: TimelineRenderer,
    width: int | None = None,
    height: int | None = None,
    *,
    preset: Preset | None = None,
    time_range: tuple[float, float] | None = None,
    range_margin: float = FIT_MARGIN_PX,
) -> ExportPlan:
    """The picture's size in pixels and its scale.

    Explicit `width` and `height` win over the preset's. Without `time_range` the whole
    timeline fits the width; with it, [start, end] (seconds) spans the width, `range_margin` px
    in from each edge. The height fits every row unless given (on a page: at least the page).
    """
    page = preset.page if preset else None
    printable = page.printable(CSS_DPI) if page else None
    w = width or (preset.width if preset else None)
    if w is None:
        w = int(printable.width()) if printable else DEFAULT_WIDTH
    w = int(w)
    if time_range is None:
        scale = renderer.fit_scale(w, FIT_MARGIN_PX)
    else:
        scale = fit(time_range[0], time_range[1], w, range_margin)
    h = height or (preset.height if preset else None)
    if h is None:
        h = round(renderer.natural_height(scale, w, PUBLICATION))
        if printable is not None and width is None:
            # On a page the picture fills the printable area; a taller one is scaled down.
            h = max(h, int(printable.height()))
    return ExportPlan(w, int(h), scale, PUBLICATION, page, preset.dpi if preset else CSS_DPI)


def minimum_height(renderer: TimelineRenderer, plan: ExportPlan) -> int:
    """The least height at which a picture of `plan.width` shows its title, axis, one row,
    legend and footer."""
    frame = renderer.frame(QSizeF(plan.width, plan.height), plan.deco, plan.scale)
    room = frame.rows_bottom - frame.rows_top
    return math.ceil(plan.height - room + ROW_HEIGHT)


def export_timeline(
    timeline: Timeline,
    path: str | Path,
    *,
    width: int | None = None,
    height: int | None = None,
    scale: float | None = None,
    renderer: TimelineRenderer | None = None,
    preset: str | Preset | None = None,
    time_range: tuple[float, float] | None = None,
    range_margin: float = FIT_MARGIN_PX,
    theme: Theme | str | None = None,
    alt_text_path: str | Path | None = None,
) -> ExportPlan:
    """Write the timeline to `path`, in the format its suffix names. Raises ExportError.

    `theme` ('light', 'dark' or a Theme) colours the picture; without it, a renderer given
    keeps its theme and a new one is light. `alt_text_path` also writes the picture's text
    alternative there (describe_export), as plain UTF-8 text, atomically.

    `preset` is a name in PRESETS (or a Preset); `width`/`height` override its size and
    `scale` (the PNG pixel ratio) its density. `time_range` (start, end in seconds) exports
    that span across the width instead of the whole timeline; a span with no events in it
    still exports (the axis, empty rows, legend and footer).
    """
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(f"{path}: unknown image type {path.suffix!r}; use .png, .svg or .pdf")
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise ExportError(f"{path}: unknown preset {preset!r}; use {', '.join(PRESETS)}")
        preset = PRESETS[preset]
    for name, value in (("width", width), ("height", height)):
        if value is not None and not 16 <= value <= MAX_PIXELS:
            raise ExportError(f"{path}: {name} {value} is outside 16..{MAX_PIXELS} pixels")
    if scale is None:
        scale = preset.dpi / CSS_DPI if preset else 1.0
    if not 0.25 <= scale <= 8:
        raise ExportError(f"{path}: scale {scale} is outside 0.25..8")
    if time_range is not None and not (
        all(map(math.isfinite, time_range)) and time_range[0] < time_range[1]
    ):
        raise ExportError(f"{path}: the time range must end after it starts")
    if isinstance(theme, str):
        if theme not in THEMES:
            raise ExportError(f"{path}: unknown theme {theme!r}; use {', '.join(THEMES)}")
        theme = THEMES[theme]
    renderer = renderer or TimelineRenderer(timeline, theme or LIGHT)
    if theme is not None:
        renderer.set_theme(theme)
    plan = plan_export(
        renderer, width, height, preset=preset, time_range=time_range, range_margin=range_margin
    )
    plan = replace(plan, dpi=scale * CSS_DPI)
    _check_size(renderer, plan, path)
    check_target(path)
    if alt_text_path is not None:
        alt_text_path = Path(alt_text_path)
        if alt_text_path.resolve() == path.resolve():
            raise ExportError(f"{alt_text_path}: the text alternative cannot replace the image")
        check_target(alt_text_path)

    # Drawn in memory first, so that nothing touches the disk until the picture is complete.
    if fmt == "PNG":
        data = _png_bytes(renderer, plan, scale, path)
    elif fmt == "SVG":
        data = _svg_bytes(renderer, plan, path)
    else:
        data = _pdf_bytes(renderer, plan, path)
    _save(path, data)
    if alt_text_path is not None:
        _save(alt_text_path, describe_export(renderer, plan).encode("utf-8"))
    return plan


def shown_events(renderer: TimelineRenderer, plan: ExportPlan) -> list[int]:
    """The events an export shows: those the filters keep that cover some of its time span,
    in time order."""
    return renderer.events_in_view(plan.scale, plan.width)


def describe_export(renderer: TimelineRenderer, plan: ExportPlan) -> str:
    """The text alternative of the picture `plan` draws: what it is, then each event it shows
    in time order with its date at its precision (viewer.model.describe.alt_text)."""
    return alt_text(
        renderer.timeline,
        shown_events(renderer, plan),
        zone=renderer.zone,
        note=renderer.filter_note,
    )


def _check_size(renderer: TimelineRenderer, plan: ExportPlan, path: Path) -> None:
    """Refuse a picture (or PNG) too large for Qt, saying what makes it so, and a height that
    cannot hold the picture's parts (PictureTooSmall)."""
    k = plan.dpi / CSS_DPI
    device = (
        plan.page.pixels(plan.dpi)
        if plan.page is not None
        else (round(plan.width * k), round(plan.height * k))
    )
    too_big = next((s for s in ((plan.width, plan.height), device) if max(s) > MAX_PIXELS), None)
    if too_big is not None:
        frame = renderer.frame(QSizeF(plan.width, plan.height), plan.deco, plan.scale)
        footer = plan.height - frame.footer_top
        why = (
            f"; its list of sources alone is {footer:.0f} px tall"
            if footer > plan.height / 2
            else ""
        )
        raise ExportError(
            f"{path}: the picture would be {too_big[0]}×{too_big[1]} pixels, larger than "
            f"{MAX_PIXELS} a side{why}"
        )
    needed = minimum_height(renderer, plan)
    if plan.height < needed:
        raise PictureTooSmall(path, plan.height, needed)


def check_target(path: Path) -> None:
    """Raise ExportError unless `path` can be written as a new or replaced regular file (a
    FIFO or a device would be replaced by the rename, or hang an open for writing)."""
    try:
        saving.check_target(path)
    except SaveError as exc:
        raise ExportError(str(exc)) from None


def write_file(path: str | Path, data: bytes) -> None:
    """Write `data` to `path` atomically, after the same checks as an image export: all of
    it or nothing, the earlier file kept on failure. Raises ExportError."""
    path = Path(path)
    check_target(path)
    _save(path, data)


def _save(path: Path, data: bytes) -> None:
    """Write `data` to `path` through QSaveFile: all of it, or nothing and the old file kept."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        # A name with bytes that are not UTF-8 (Python keeps them as lone surrogates): Qt
        # would write to a name with U+FFFD in their place, so Python writes it instead.
        _save_undecodable(path, data)
        return
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


def _save_undecodable(path: Path, data: bytes) -> None:
    """As _save, through a temporary file beside `path` renamed over it once complete."""
    try:
        saving.atomic_write(path, data)
    except SaveError as exc:
        raise ExportError(str(exc)) from None


def _why_not_writable(path: Path, reason: str) -> str:
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"cannot write in the folder {str(path.parent)!r} ({reason})"
    if path.exists() and not os.access(path, os.W_OK):
        return f"the existing file is read-only ({reason})"
    return f"cannot write ({reason})"


def _paint(renderer: TimelineRenderer, plan: ExportPlan, painter: QPainter) -> None:
    renderer.paint(painter, QSizeF(plan.width, plan.height), plan.scale, deco=plan.deco)


def _paint_on_page(
    renderer: TimelineRenderer, plan: ExportPlan, painter: QPainter, area: QRectF
) -> None:
    """Paint the picture into `area` (device pixels), scaled to fit it keeping its aspect and
    centred: the renderer lays out at the picture's size, so text keeps its size relative to
    the events."""
    k = min(area.width() / plan.width, area.height() / plan.height)
    painter.save()
    painter.translate(
        area.x() + (area.width() - plan.width * k) / 2,
        area.y() + (area.height() - plan.height * k) / 2,
    )
    painter.scale(k, k)
    # Nothing drawn past the picture's edges (a tick label half outside) reaches the margins.
    painter.setClipRect(QRectF(0, 0, plan.width, plan.height))
    _paint(renderer, plan, painter)
    painter.restore()


def _memory() -> QBuffer:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    return buffer


def _png_bytes(renderer: TimelineRenderer, plan: ExportPlan, scale: float, path: Path) -> bytes:
    if plan.page is not None:
        size = QSize(*plan.page.pixels(plan.dpi))
    else:
        size = QSize(round(plan.width * scale), round(plan.height * scale))
    image = QImage(size, QImage.Format.Format_ARGB32)
    if image.isNull():
        raise ExportError(
            f"{path}: not enough memory for a {size.width()}×{size.height()}-pixel image"
        )
    if plan.dpi != CSS_DPI:
        # Recorded in the PNG, so that a layout program places it at its printed size.
        dots_per_metre = round(plan.dpi / 0.0254)
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
    painter = QPainter()
    if plan.page is not None:
        image.fill(renderer.colors.background)
        painter.begin(image)
        _paint_on_page(renderer, plan, painter, plan.page.printable(plan.dpi))
    else:
        image.setDevicePixelRatio(scale)
        painter.begin(image)
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
    if plan.page is not None:
        width, height = plan.page.pixels(CSS_DPI)
    else:
        width, height = plan.width, plan.height
    gen.setSize(QSize(width, height))
    gen.setViewBox(QRectF(0, 0, width, height))
    gen.setResolution(round(CSS_DPI))
    gen.setTitle(renderer.timeline.title)
    # The text alternative, then the sources the footer names.
    gen.setDescription(describe_export(renderer, plan) + renderer.footer_text())
    painter = QPainter()
    if not painter.begin(gen):
        raise ExportError(f"{path}: the SVG could not be started")
    if plan.page is not None:
        painter.fillRect(QRectF(0, 0, width, height), renderer.colors.background)
        _paint_on_page(renderer, plan, painter, plan.page.printable(CSS_DPI))
    else:
        _paint(renderer, plan, painter)
    painter.end()
    # Qt escapes <, > and & but passes control characters through, and XML 1.0 allows none of
    # them (not even as &#1;): a title with one would make the whole file unreadable.
    data = _XML_INVALID.sub("\ufffd".encode(), buffer.data().data())
    data = with_font_stacks(data)
    if plan.page is not None:
        # The page's exact size, not the whole pixels Qt's size rounds it to.
        data = re.sub(
            rb'<svg width="[^"]*" height="[^"]*"',
            b'<svg width="%gmm" height="%gmm"' % (plan.page.width_mm, plan.page.height_mm),
            data,
            count=1,
        )
    return data


def font_stack(family: str) -> str:
    """A CSS font-family list: `family` as Qt resolves it (QFontInfo: the font really used),
    then common sans-serif families, ending in the generic `sans-serif`."""
    used = QFontInfo(QFont(family)).family() if family else QFontInfo(QFont()).family()
    names: list[str] = []
    for name in (used, *FONT_FALLBACKS):
        if name and name.casefold() not in (n.casefold() for n in names):
            names.append(name)
    quoted = ["'" + n.replace("\\", "\\\\").replace("'", "\\'") + "'" for n in names]
    return ", ".join([*quoted, "sans-serif"])


def with_font_stacks(svg: bytes) -> bytes:
    """`svg` with every font-family attribute replaced by a stack browsers understand.

    QSvgGenerator writes the family the QFont asked for ("Sans Serif", which only fontconfig
    knows): a browser falls back to its default serif font for that.
    """
    stacks: dict[bytes, bytes] = {}

    def stack_for(match: re.Match[bytes]) -> bytes:
        value = match.group(1)
        if value not in stacks:
            family = html.unescape(value.decode("utf-8", "replace"))
            stack = (
                font_stack(family).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            )
            stacks[value] = b'font-family="' + stack.encode("utf-8") + b'"'
        return stacks[value]

    return _FONT_FAMILY.sub(stack_for, svg)


def _pdf_bytes(renderer: TimelineRenderer, plan: ExportPlan, path: Path) -> bytes:
    buffer = _memory()
    writer = QPdfWriter(buffer)
    writer.setResolution(round(CSS_DPI))
    writer.setTitle(renderer.timeline.title)
    writer.setCreator("Timeline viewer")
    subject = summary_line(renderer.timeline, shown_events(renderer, plan), renderer.zone)
    page = plan.page
    if page is None:
        # One page the size of the picture: 96 px to the inch, 72 points to the inch.
        size = QPageSize(QSizeF(plan.width * 0.75, plan.height * 0.75), QPageSize.Unit.Point)
        layout = QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
    else:
        size = QPageSize(
            QSizeF(page.width_mm, page.height_mm), QPageSize.Unit.Millimeter, page.name
        )
        margins = QMarginsF(page.margin_mm, page.margin_mm, page.margin_mm, page.margin_mm)
        layout = QPageLayout(
            size, QPageLayout.Orientation.Portrait, margins, QPageLayout.Unit.Millimeter
        )
    writer.setPageLayout(layout)
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(f"{path}: the PDF could not be started")
    if page is None:
        _paint(renderer, plan, painter)
    else:
        # The painter's origin is the printable area's corner.
        area = QRectF(0, 0, writer.width(), writer.height())
        _paint_on_page(renderer, plan, painter, area)
    painter.end()
    del writer  # its destructor finishes the file
    data = buffer.data().data()
    if page is not None:
        data = _exact_page_box(data, page)
    return with_pdf_info(
        data,
        {
            "Title": renderer.timeline.title,
            "Subject": subject,
            "Creator": "Timeline viewer",
            "Producer": f"Qt {qVersion()}",
            "CreationDate": _dt.datetime.now(_dt.UTC).strftime("D:%Y%m%d%H%M%SZ"),
        },
    )


def _pdf_text(text: str) -> bytes:
    """A PDF text string: UTF-16BE with its byte order mark, in hex (no escaping needed)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def with_pdf_info(pdf: bytes, info: dict[str, str]) -> bytes:
    """`pdf` with the document information `info` (Title, Subject, Creator…), added as an
    incremental update (a new information dictionary, an xref section for it and a trailer
    pointing back at Qt's), so that nothing Qt wrote moves. QPdfWriter sets a title and a
    creator but has no subject. The dictionary is written whole from `info`, never copied
    from Qt's, whose strings hold the untrusted title's raw UTF-16 bytes. The file is returned
    as it was if its trailer is not the simple one Qt writes."""
    trailer = pdf.rfind(b"trailer")
    start = pdf.rfind(b"startxref")
    if trailer < 0 or start < trailer:
        return pdf
    size = re.search(rb"/Size (\d+)", pdf[trailer:start])
    root = re.search(rb"/Root (\d+ \d+ R)", pdf[trailer:start])
    prev = re.match(rb"startxref\s+(\d+)", pdf[start:])
    if not (size and root and prev):
        return pdf
    number = int(size.group(1))
    entries = b"".join(
        b"/%s %s\n" % (key.encode("ascii"), _pdf_text(value)) for key, value in info.items()
    )
    body = b"\n%d 0 obj\n<<\n%s>>\nendobj\n" % (number, entries)
    if not pdf.endswith(b"\n"):
        pdf += b"\n"
    at = len(pdf) + 1  # the object starts after body's leading newline
    xref = len(pdf) + len(body)
    tail = (
        # Entry 0, then the new object: readers expect each section to start at 0.
        b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n"
        b"trailer\n<< /Size %d /Root %s /Info %d 0 R /Prev %s >>\nstartxref\n%d\n%%%%EOF\n"
        % (number, at, number + 1, root.group(1), number, prev.group(1), xref)
    )
    return pdf + body + tail


def _exact_page_box(pdf: bytes, page: Page) -> bytes:
    """Qt writes page boxes in whole points (A4 as 842×595); write the exact size (A4:
    841.89×595.28). The numbers keep their length, so no offset in the file moves."""
    exact = page.points()
    rounded = tuple(float(round(v)) for v in exact)
    old = b"[0 0 %.6f %.6f]" % rounded
    new = b"[0 0 %.6f %.6f]" % exact
    if len(old) != len(new):
        return pdf
    return pdf.replace(b"/MediaBox " + old, b"/MediaBox " + new).replace(
        b"/TrimBox " + old, b"/TrimBox " + new
    )
