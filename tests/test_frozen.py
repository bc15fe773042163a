"""The packaged app, run for real: exports, a GUI under its own X server, the bundle's contents.

These tests need a built app; `make package` builds one, and CI runs them with
TIMELINE_VIEWER_FROZEN=dist/timeline-viewer/timeline-viewer. Without that variable they are
skipped; with it set to a missing file they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parent.parent
FROZEN = os.environ.get("TIMELINE_VIEWER_FROZEN", "")
pytestmark = pytest.mark.skipif(
    not FROZEN, reason="set TIMELINE_VIEWER_FROZEN to a built app (make package) to test it"
)
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
TIMELINE = json.loads((ROOT / "resources" / "binance-russia.json").read_text("utf-8"))
CATEGORY_COLOURS = {c["id"]: c["color"] for c in TIMELINE["categories"]}
SELECTION = "#FFE58A"  # viewer.render.SELECTION, the selected event's highlight

sys.path.insert(0, str(ROOT / "release"))
import package  # noqa: E402  (release/package.py: the size budget and the tarball's name)


@pytest.fixture(scope="module")
def binary() -> Path:
    path = Path(FROZEN).resolve()
    assert path.is_file() and os.access(path, os.X_OK), f"no packaged app at {path}"
    return path


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a user with no display, fresh settings and a log folder in `home`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XAUTHORITY")
    }
    env.update(
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_DATA_HOME=str(home / "data"),
    )
    env.update(extra)
    return env


def run(command: list, home: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in command],
        env=clean_env(home, **extra),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
    )


def colour_count(image: Image.Image, colour: str, tolerance: int = 6) -> int:
    """How many pixels of `image` are within `tolerance` of `colour` in every channel."""
    target = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    bands = image.convert("RGB").split()
    masks = [
        band.point(lambda v, t=t: 255 if abs(v - t) <= tolerance else 0)
        for band, t in zip(bands, target, strict=True)
    ]
    both = ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])
    return both.histogram()[255]


# --- version, log, exports -------------------------------------------------------------------


def test_version_is_the_one_in_pyproject(binary, tmp_path):
    done = run([binary, "--version"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"timeline-viewer {VERSION}"


def test_without_a_display_the_app_says_so_in_one_line(binary, tmp_path):
    done = run([binary], tmp_path, XDG_RUNTIME_DIR=str(tmp_path))
    assert done.returncode == 1, done.stderr  # an exit, not Qt's abort (-6, a core dump)
    assert done.stderr.splitlines() == [
        "timeline-viewer: cannot open a window: there is no display (neither DISPLAY nor "
        "WAYLAND_DISPLAY is set); --export and --convert work without one"
    ]


@pytest.fixture(scope="module")
def exports(binary, tmp_path_factory) -> dict[str, Path]:
    """The built-in timeline exported by the packaged app, with no display, from an unrelated
    folder: PNG, SVG and PDF."""
    home = tmp_path_factory.mktemp("frozen-export")
    paths = {}
    for suffix in ("png", "svg", "pdf"):
        paths[suffix] = home / f"timeline.{suffix}"
        done = run([binary, "--export", paths[suffix]], home)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
    paths["home"] = home
    return paths


def test_png_export_reads_back_with_the_timeline(exports):
    image = Image.open(exports["png"])
    assert image.format == "PNG"
    assert image.width == 1600 and image.height > 300
    for category, colour in CATEGORY_COLOURS.items():
        assert colour_count(image, colour) > 20, f"no {category} markers ({colour}) in the PNG"


def test_svg_export_parses_and_keeps_the_titles(exports):
    root = ET.parse(exports["svg"]).getroot()
    assert root.tag.endswith("svg")
    texts = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
    for event in TIMELINE["events"]:
        assert event["title"] in texts


def test_pdf_export_has_one_page_with_the_events(exports):
    reader = pypdf.PdfReader(exports["pdf"])
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Reuters report" in text and "CommEx shuts down" in text


def test_the_run_is_logged_in_the_users_log_folder(exports):
    log = exports["home"] / "state" / "timeline-viewer" / "log" / "timeline-viewer.log"
    text = log.read_text("utf-8")
    assert f"Timeline viewer {VERSION} starting (packaged" in text
    assert f"exported {exports['pdf']}" in text


def test_packaged_png_matches_the_one_from_source(exports, tmp_path):
    """Same arguments, same picture. The packaged app carries its own FreeType and fontconfig
    while the source run uses the system's; glyph edges may differ a little between versions,
    so up to 0.5% of pixels (far less than the text covers) may differ by more than 8 levels.
    Anything bigger, a missing font or plugin or a layout change, moves far more pixels."""
    source_png = tmp_path / "source.png"
    done = run([sys.executable, "-m", "viewer", "--export", source_png], tmp_path)
    assert done.returncode == 0, done.stderr
    frozen = Image.open(exports["png"]).convert("RGB")
    source = Image.open(source_png).convert("RGB")
    assert frozen.size == source.size
    diff = ImageChops.difference(frozen, source)
    worst = ImageChops.lighter(ImageChops.lighter(*diff.split()[:2]), diff.split()[2])
    moved = sum(worst.histogram()[9:])
    assert moved <= 0.005 * frozen.width * frozen.height, f"{moved} pixels differ"


# --- the GUI on a real X server ----------------------------------------------------------------


@pytest.fixture
def x_display():
    """A private Xvfb server; yields its display name (":N")."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()  # Xvfb writes it once it accepts connections
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def window_geometry(display: str) -> tuple[int, int, int, int] | None:
    """x, y, width, height of the app's main window on `display`, once it is mapped."""
    tree = subprocess.run(
        ["xwininfo", "-display", display, "-root", "-tree"],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout
    for line in tree.splitlines():
        if "— Timeline viewer" in line and '"timeline-viewer"' in line:
            size = re.search(r"(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)", line)
            if size:
                w, h, x, y = map(int, size.groups())
                if w > 400 and h > 300:
                    return x, y, w, h
    return None


def test_gui_shows_the_selected_event_on_a_real_x_server(binary, x_display, tmp_path):
    env = clean_env(tmp_path, DISPLAY=x_display, QT_QPA_PLATFORM="xcb")
    app = subprocess.Popen(
        [str(binary), "--select", "reuters-report"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    shot = tmp_path / "screen.png"
    try:
        geometry = None
        deadline = time.monotonic() + 60
        # Wait for the window, then for its first frames: photograph the screen until the
        # selection's highlight shows (or give up at the deadline and check what is there).
        while time.monotonic() < deadline and app.poll() is None:
            geometry = geometry or window_geometry(x_display)
            if geometry:
                subprocess.run(
                    ["import", "-display", x_display, "-window", "root", str(shot)],
                    check=True,
                    timeout=30,
                )
                if colour_count(Image.open(shot), SELECTION) > 500:
                    break
            time.sleep(0.3)
        assert app.poll() is None, f"the app quit early:\n{app.stderr.read()}"
        assert geometry, "no main window appeared"
        app.send_signal(signal.SIGTERM)  # what a session logout sends: the app closes cleanly
        _, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    assert app.returncode == 0, err
    assert "Traceback" not in err

    screen = Image.open(shot).convert("RGB")
    x, y, w, h = geometry
    window = screen.crop((x, y, x + w, y + h))
    assert len(window.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 100, "blank window"
    # The timeline view is the left part of the window, under the toolbar; the source panel
    # is on the right. Every category's colour and the selection's highlight are in the view.
    view = window.crop((0, int(h * 0.08), int(w * 0.6), int(h * 0.92)))
    for category, colour in CATEGORY_COLOURS.items():
        assert colour_count(view, colour) > 20, f"no {category} markers ({colour}) in the view"
    assert colour_count(view, SELECTION) > 500
    panel = window.crop((int(w * 0.65), 0, w, h))
    assert colour_count(panel, SELECTION) > 200, "the cited passage is not highlighted"


# --- what goes wrong in a damaged install ------------------------------------------------------


@pytest.fixture
def damaged_copy(binary, tmp_path) -> tuple[Path, Path]:
    """A hard-linked copy of the packaged app; returns (binary, its bundled timeline file)."""
    copy = tmp_path / "app"
    shutil.copytree(binary.parent, copy, copy_function=os.link, symlinks=True)
    timeline = copy / "_internal" / "viewer" / "resources" / "binance-russia.json"
    assert timeline.is_file()
    return copy / binary.name, timeline


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_a_damaged_bundled_timeline_gives_a_clear_message(damaged_copy, tmp_path, damage):
    app, timeline = damaged_copy
    text = timeline.read_text("utf-8")
    timeline.unlink()  # a hard link: unlink before writing so the real build stays intact
    if damage == "truncated":
        timeline.write_text(text[: len(text) // 2], "utf-8")
    done = run([app, "--export", tmp_path / "out.png"], tmp_path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"timeline-viewer: {timeline}")
    assert not (tmp_path / "out.png").exists()


def test_a_damaged_bundled_timeline_stops_the_gui_with_a_dialog(damaged_copy, tmp_path):
    """No silent exit: the app waits on an error box until the user closes it (here SIGTERM
    closes the windows), logs the problem and exits 1."""
    app, timeline = damaged_copy
    timeline.unlink()
    timeline.write_text("{", "utf-8")
    proc = subprocess.Popen(
        [str(app)],
        env=clean_env(tmp_path, QT_QPA_PLATFORM="offscreen"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = tmp_path / "state" / "timeline-viewer" / "log" / "timeline-viewer.log"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if log.is_file() and "cannot be read" in log.read_text("utf-8"):
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the app exited instead of showing the error"
        time.sleep(0.5)  # the box is up and waiting; it must still be waiting now
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1
    assert f"{timeline}" in err and "Traceback" not in err
    assert "The built-in timeline cannot be read" in log.read_text("utf-8")


# --- the bundle and the tarball ----------------------------------------------------------------


def test_bundle_is_lean(binary):
    internal = binary.parent / "_internal"
    names = {p.relative_to(internal).as_posix() for p in internal.rglob("*")}
    assert not [n for n in names if "/translations/" in n], "Qt translations are bundled"
    for unwanted in ("PyQt5", "PyQt6", "PySide2", "QtNetwork", "QtQml", "QtQuick", "WebEngine"):
        assert not [n for n in names if unwanted in n], f"{unwanted} is bundled"
    plugins = sorted(n.split("plugins/")[1] for n in names if "/plugins/" in n and ".so" in n)
    assert plugins == [
        "iconengines/libqsvgicon.so",
        "imageformats/libqico.so",
        "imageformats/libqsvg.so",
        "platforminputcontexts/libcomposeplatforminputcontextplugin.so",
        "platforminputcontexts/libibusplatforminputcontextplugin.so",
        "platforms/libqminimal.so",
        "platforms/libqoffscreen.so",
        "platforms/libqxcb.so",
        "platformthemes/libqxdgdesktopportal.so",
    ]
    figures = package.sizes(binary.parent, package.tarball_path())
    assert figures["unpacked_bytes"] <= package.BUDGET_UNPACKED
    assert figures["tarball_bytes"] <= package.BUDGET_TARBALL


def test_tarball_holds_the_app_folder(binary):
    tarball = package.tarball_path()
    with tarfile.open(tarball) as tar:
        members = {m.name: m for m in tar.getmembers()}
    main = members["timeline-viewer/timeline-viewer"]
    assert main.isfile() and main.mode & 0o111
    for name in (
        "timeline-viewer.desktop",
        "install.sh",
        "timeline-viewer.png",
        "timeline-viewer-mime.xml",
    ):
        assert f"timeline-viewer/{name}" in members
    assert all(name.startswith("timeline-viewer/") for name in members if name != "timeline-viewer")


def test_install_script_adds_a_valid_menu_entry(binary, tmp_path):
    data = tmp_path / "data"
    done = run(["sh", binary.parent / "install.sh"], tmp_path)
    assert done.returncode == 0, done.stderr
    entry = data / "applications" / "timeline-viewer.desktop"
    lines = entry.read_text("utf-8").splitlines()
    assert f'Exec="{binary}" %f' in lines
    assert (data / "icons" / "hicolor" / "256x256" / "apps" / "timeline-viewer.png").is_file()
    check = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    # Our own file type, not every JSON file.
    mime_types = [line for line in lines if line.startswith("MimeType=")]
    assert mime_types == ["MimeType=application/x-timeline-viewer+json;"]
    mime_package = data / "mime" / "packages" / "timeline-viewer.xml"
    assert mime_package.read_bytes() == (ROOT / "release" / "timeline-viewer-mime.xml").read_bytes()
    if shutil.which("update-mime-database"):
        assert (data / "mime" / "application" / "x-timeline-viewer+json.xml").is_file()
    done = run(["sh", binary.parent / "install.sh", "--remove"], tmp_path)
    assert done.returncode == 0 and not entry.exists()
    assert not mime_package.exists()
    assert not (data / "mime" / "application" / "x-timeline-viewer+json.xml").exists()
