"""The Linux package: our own file type (a shared-mime-info XML, read back by Qt's MIME database),
a menu entry that claims only that type, and the .deb's control file, contents and scripts.

The .deb tests need a built package: `make package` builds one where dpkg-deb is, and CI runs them
with TIMELINE_VIEWER_DEB naming it. Without that variable they are skipped; with it set to a
missing file they fail. CI also installs the .deb, runs it and removes it (.ci/run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from viewer.model.saving import timeline_bytes

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "release"
MIME_XML = RELEASE / "timeline-viewer-mime.xml"
MIME_TYPE = "application/x-timeline-viewer+json"
NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
DEB = os.environ.get("TIMELINE_VIEWER_DEB", "")
needs_deb = pytest.mark.skipif(
    not DEB, reason="set TIMELINE_VIEWER_DEB to a built .deb (make package) to test it"
)

sys.path.insert(0, str(RELEASE))
import package  # noqa: E402  (release/package.py: the .deb's name and its Depends)

# --- the file type and the menu entry --------------------------------------------------------


def test_the_mime_type_has_our_glob_and_magic():
    root = ET.parse(MIME_XML).getroot()
    assert root.tag == f"{NS}mime-info"
    [mime] = root.findall(f"{NS}mime-type")
    assert mime.get("type") == MIME_TYPE
    assert [e.get("type") for e in mime.findall(f"{NS}sub-class-of")] == ["application/json"]
    assert [e.get("pattern") for e in mime.findall(f"{NS}glob")] == ["*.timeline.json"]
    [magic] = mime.findall(f"{NS}magic")
    [brace] = magic.findall(f"{NS}match")
    assert (brace.get("type"), brace.get("offset"), brace.get("value")) == ("string", "0", "{")
    values = {m.get("value") for m in brace.findall(f"{NS}match")}
    assert values == {'"version": 1', '"version":1'}


def test_the_menu_entry_opens_only_our_type():
    lines = (RELEASE / "timeline-viewer.desktop").read_text("utf-8").splitlines()
    [mime_types] = [line.partition("=")[2] for line in lines if line.startswith("MimeType=")]
    assert [t for t in mime_types.split(";") if t] == [MIME_TYPE]
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(RELEASE / "timeline-viewer.desktop")],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout + check.stderr


# Qt's own reading of the shared-mime-info database, in a process of its own (the database is
# read once per process), with our XML in XDG_DATA_HOME as install.sh puts it there.
QUERY = """
import sys
from PySide6.QtCore import QMimeDatabase
for name in sys.argv[1:]:
    mime = QMimeDatabase().mimeTypeForFile(name)
    print(mime.name(), mime.inherits("application/json"))
"""


@pytest.mark.parametrize("cache", [False, True], ids=["xml", "mime.cache"])
def test_a_mime_database_tells_our_files_from_other_json(builtin, tmp_path, cache):
    data = tmp_path / "data"
    (data / "mime" / "packages").mkdir(parents=True)
    shutil.copy2(MIME_XML, data / "mime" / "packages" / "timeline-viewer.xml")
    if cache:
        if not shutil.which("update-mime-database"):
            pytest.skip("no update-mime-database (shared-mime-info) here")
        subprocess.run(
            ["update-mime-database", str(data / "mime")], check=True, capture_output=True
        )
    ours = timeline_bytes(builtin)  # what Save As writes
    files = {
        "saved.timeline.json": (ours, MIME_TYPE),
        "no-suffix": (ours, MIME_TYPE),
        "compact": (b'{"version":1,"title":"T","sources":[],"events":[]}', MIME_TYPE),
        # Other JSON is left alone: by its suffix, even when it is one of ours, and by content.
        "notes.json": (ours, "application/json"),
        # A package.json's version is a string: not ours (plain text, as far as Qt knows).
        "package": (b'{"name": "x", "version": "1.0.0"}\n', None),
        "settings.json": (b'{"theme": "dark"}\n', "application/json"),
    }
    for name, (content, _) in files.items():
        (tmp_path / name).write_bytes(content)
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    done = subprocess.run(
        [sys.executable, "-c", QUERY, *files],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    found = dict(zip(files, done.stdout.splitlines(), strict=True))
    for name, (_, expected) in files.items():
        kind, is_json = found[name].split()
        if expected is None:
            assert kind != MIME_TYPE, name
            continue
        assert kind == expected, name
        if kind == MIME_TYPE:
            assert is_json == "True"  # a JSON editor can still open it from "Open With"


# --- the .deb --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deb() -> Path:
    path = Path(DEB).resolve()
    assert path.is_file(), f"no .deb at {path}"
    return path


def dpkg_deb(*args) -> str:
    return subprocess.run(
        ["dpkg-deb", *map(str, args)], check=True, capture_output=True, text=True
    ).stdout


@needs_deb
def test_the_control_file(deb):
    fields = {}
    for line in dpkg_deb("-f", deb).splitlines():
        if not line.startswith(" "):
            key, _, value = line.partition(": ")
            fields[key] = value
    assert fields["Package"] == "timeline-viewer"
    assert fields["Version"] == VERSION
    architecture = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert fields["Architecture"] == architecture
    assert deb.name == f"timeline-viewer_{VERSION}_{architecture}.deb"
    depends = [d.strip() for d in fields["Depends"].split(",")]
    assert depends == package.runtime_packages()
    assert {"libegl1", "libfontconfig1", "libxkbcommon-x11-0", "libxcb-cursor0"} <= set(depends)
    assert "<" in fields["Maintainer"] and fields["Maintainer"].endswith(">")
    assert fields["Description"]
    assert int(fields["Installed-Size"]) > 50_000  # KiB: the app is there, not a stub


def contents(deb: Path) -> dict[str, tuple[str, str, str]]:
    """Each path in the .deb (without the leading ".") -> (mode, owner, link target)."""
    entries = {}
    for line in dpkg_deb("-c", deb).splitlines():
        mode, owner, _size, _date, _time, rest = line.split(maxsplit=5)
        path, _, target = rest.partition(" -> ")
        entries[path.removeprefix(".").rstrip("/") or "/"] = (mode, owner, target)
    return entries


@needs_deb
def test_the_contents(deb):
    entries = contents(deb)
    assert {owner for _, owner, _ in entries.values()} == {"root/root"}
    app = entries["/opt/timeline-viewer/timeline-viewer"]
    assert app[0] == "-rwxr-xr-x"
    assert "/opt/timeline-viewer/_internal/viewer/resources/binance-russia.json" in entries
    launcher = entries["/usr/bin/timeline-viewer"]
    assert launcher[0].startswith("l") and launcher[2] == "/opt/timeline-viewer/timeline-viewer"
    share = "/usr/share"
    expected = {
        f"{share}/applications/timeline-viewer.desktop",
        f"{share}/mime/packages/timeline-viewer.xml",
        f"{share}/icons/hicolor/scalable/apps/timeline-viewer.svg",
        f"{share}/doc/timeline-viewer/copyright",
    } | {
        f"{share}/icons/hicolor/{n}x{n}/apps/timeline-viewer.png"
        for n in (16, 24, 32, 48, 64, 128, 256, 512)
    }
    assert expected <= set(entries)
    files = {p for p, (mode, _, _) in entries.items() if not mode.startswith("d")}
    places = ("/opt/timeline-viewer/", "/usr/bin/timeline-viewer", *sorted(expected))
    assert all(p.startswith(places) for p in files), sorted(
        p for p in files if not p.startswith(places)
    )
    # install.sh and the folder's copies of the icons are for the tar.gz, not for /opt.
    top = {p for p in entries if p.startswith("/opt/timeline-viewer/") and p.count("/") == 3}
    assert top == {"/opt/timeline-viewer/timeline-viewer", "/opt/timeline-viewer/_internal"}
    for path, (mode, _, _) in entries.items():
        assert mode.startswith("l") or mode[8] != "w", f"{path} is writable by everyone"


@needs_deb
def test_the_unpacked_files_are_ours_and_the_app_runs(deb, tmp_path):
    root = tmp_path / "root"
    dpkg_deb("-x", deb, root)
    share = root / "usr" / "share"
    assert (share / "mime/packages/timeline-viewer.xml").read_bytes() == MIME_XML.read_bytes()
    assert (share / "applications/timeline-viewer.desktop").read_bytes() == (
        RELEASE / "timeline-viewer.desktop"
    ).read_bytes()
    assert (share / "icons/hicolor/48x48/apps/timeline-viewer.png").read_bytes() == (
        ROOT / "resources/icons/timeline-viewer-48.png"
    ).read_bytes()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(
        [root / "opt/timeline-viewer/timeline-viewer", "--version"],
        env={**env, "XDG_STATE_HOME": str(tmp_path / "state")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"timeline-viewer {VERSION}"


TOOLS = ("update-mime-database", "update-desktop-database", "gtk-update-icon-cache")


@needs_deb
@pytest.mark.parametrize(("script", "action"), [("postinst", "configure"), ("postrm", "purge")])
@pytest.mark.parametrize("tools", [True, False], ids=["with-tools", "without-tools"])
def test_the_scripts_refresh_the_caches_and_need_no_tool(deb, tmp_path, script, action, tools):
    control = tmp_path / "DEBIAN"
    dpkg_deb("-e", deb, control)
    path = control / script
    assert path.stat().st_mode & 0o111
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "log"
    if tools:
        for tool in TOOLS:
            stub = bin_dir / tool
            stub.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\n', "utf-8")
            stub.chmod(0o755)
    done = subprocess.run(
        ["/bin/sh", str(path), action],
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    calls = log.read_text("utf-8").splitlines() if log.exists() else []
    if tools:
        assert calls == [
            "update-mime-database /usr/share/mime",
            "update-desktop-database -q /usr/share/applications",
            "gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor",
        ]
    else:
        assert calls == []
