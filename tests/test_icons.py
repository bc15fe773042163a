"""The app icons: every size release/make_icons.py promises is committed, decodes with Pillow (a
decoder independent of Qt) and is what the script draws from the SVG today."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from viewer.bundle import icon_files

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"


def _load_make_icons():
    # release/ is a folder of scripts, not a package.
    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "release" / "make_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_icons = _load_make_icons()


def assert_drawn(image: Image.Image, size: int) -> None:
    """`image` is the icon at `size` px: RGBA, rounded (clear corners), solid in the middle."""
    assert image.size == (size, size)
    assert image.mode == "RGBA"
    last = size - 1
    for corner in ((0, 0), (last, 0), (0, last), (last, last)):
        assert image.getpixel(corner)[3] == 0, corner
    assert image.getpixel((size // 2, size // 2))[3] == 255


@pytest.mark.parametrize("size", make_icons.PNG_SIZES)
def test_each_png_size_is_committed_and_decodes_to_that_size(size):
    path = ICONS / make_icons.png_name(size)
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.load()
        assert_drawn(image, size)


def test_the_ico_holds_the_windows_sizes():
    path = ICONS / "timeline-viewer.ico"
    with Image.open(path) as ico:
        assert ico.format == "ICO"
        assert ico.info["sizes"] == {(s, s) for s in make_icons.ICO_SIZES}
    for size in make_icons.ICO_SIZES:
        with Image.open(path) as ico:
            ico.size = (size, size)
            ico.load()
            assert_drawn(ico, size)


def icns_pixel_sizes(info_sizes) -> set[int]:
    return {w * scale for w, h, scale in info_sizes}


def test_the_icns_holds_the_macos_sizes_up_to_1024():
    path = ICONS / "timeline-viewer.icns"
    with Image.open(path) as icns:
        assert icns.format == "ICNS"
        sizes = icns.info["sizes"]
    assert max(sizes, key=lambda s: s[0] * s[2]) == (512, 512, 2)
    # Pillow's .icns writer has no 16 px 1x entry (icp4); macOS draws 16 pt from the 32 px one.
    assert icns_pixel_sizes(sizes) == set(make_icons.ICNS_SIZES)
    for w, _h, scale in sizes:
        with Image.open(path) as icns:
            icns.size = (w, w)
            icns.load(scale=scale)
            assert_drawn(icns, w * scale)


def test_regenerating_the_icons_reproduces_the_committed_files(qapp, tmp_path):
    pngs = make_icons.render_pngs(tmp_path)
    make_icons.pack(tmp_path, pngs)
    assert sorted(pngs) == sorted(make_icons.PNG_SIZES)
    for size, path in pngs.items():
        with Image.open(path) as fresh, Image.open(ICONS / make_icons.png_name(size)) as committed:
            fresh, committed = fresh.convert("RGBA"), committed.convert("RGBA")
            assert fresh.size == committed.size
            # Within 2 per channel, not exact: Qt's raster engine may antialias an edge pixel a
            # level differently on another Qt build or CPU (SIMD blend paths). An icon drawn
            # from an edited SVG differs by far more than that somewhere.
            worst = max(hi for _lo, hi in ImageChops.difference(fresh, committed).getextrema())
            assert worst <= 2, f"{path.name} differs by {worst}: run release/make_icons.py"
    for name in ("timeline-viewer.ico", "timeline-viewer.icns"):
        with Image.open(tmp_path / name) as fresh, Image.open(ICONS / name) as committed:
            assert fresh.info["sizes"] == committed.info["sizes"], name


def test_the_app_finds_every_png_size_and_qt_loads_them(qapp):
    files = icon_files()
    assert {p.name for p in files} == {make_icons.png_name(s) for s in make_icons.PNG_SIZES}
    assert all(p.parent == ICONS for p in files)
    # The window icon is built the way viewer.app builds it.
    icon = QIcon()
    for png in files:
        icon.addFile(str(png))
    assert not icon.isNull()
    assert set(icon.availableSizes()) == {QSize(s, s) for s in make_icons.PNG_SIZES}
