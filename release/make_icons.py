"""Generate every app icon from the one source image, resources/icons/timeline-viewer.svg.

    python release/make_icons.py [OUT_DIR]

Writes the PNG sizes the desktops use (timeline-viewer-<N>.png), the Windows .ico and the macOS
.icns into OUT_DIR (default: resources/icons). Qt's SVG renderer draws each size from the
vector source, so small sizes are drawn, not downscaled; Pillow packs the .ico and .icns.
tests/test_icons.py regenerates them and checks that the committed files are current.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "timeline-viewer.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # Windows' sizes; 256 is the largest .ico holds
# Pillow writes .icns entries for these; macOS draws 16 pt from the 32 px entry.
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)


def png_name(size: int) -> str:
    return f"timeline-viewer-{size}.png"


def render_pngs(out: Path) -> dict[int, Path]:
    """Draw the SVG at each size into OUT; returns size -> file."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE}: not a valid SVG")
    files = {}
    for size in PNG_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        files[size] = out / png_name(size)
        if not image.save(str(files[size]), "PNG"):
            raise SystemExit(f"{files[size]}: cannot write")
    del app
    return files


def pack(out: Path, pngs: dict[int, Path]) -> None:
    """Write timeline-viewer.ico and timeline-viewer.icns from the rendered PNGs."""
    from PIL import Image

    images = {size: Image.open(path).convert("RGBA") for size, path in pngs.items()}
    largest = images[max(ICO_SIZES)]
    largest.save(
        out / "timeline-viewer.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES],
    )
    images[max(ICNS_SIZES)].save(
        out / "timeline-viewer.icns", append_images=[images[s] for s in ICNS_SIZES]
    )


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else SOURCE.parent
    out.mkdir(parents=True, exist_ok=True)
    pack(out, render_pngs(out))
    print(f"icons written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
