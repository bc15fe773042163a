"""Exports that fail never lose or half-write a file, from the window and from the command line.

Each case (a read-only folder, a path that is a folder, a missing folder, a full disk) must give
one clear message naming the file and the problem, leave an earlier file at that path byte for
byte as it was (the same file, not a copy), and leave no temporary file behind.

The full disk is a real write error from the kernel: a file size limit (RLIMIT_FSIZE) lower than
the export makes write() fail partway through, with EFBIG where a full disk gives ENOSPC.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from viewer.errors import log

OLD = b"the earlier export, which must survive\n" * 50
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
FILTERS = {
    ".png": "PNG image (*.png)",
    ".svg": "SVG drawing (*.svg)",
    ".pdf": "PDF document (*.pdf)",
}


@dataclass
class Case:
    target: Path
    message: str  # without the "timeline-viewer: " the command line puts first
    watched: Path  # the folder whose contents must not change


def snapshot(folder: Path) -> dict[str, object]:
    """Every file and folder under `folder`: its bytes and inode (a folder: 'folder')."""
    out: dict[str, object] = {}
    for p in sorted(folder.rglob("*")):
        key = str(p.relative_to(folder))
        out[key] = "folder" if p.is_dir() else (p.read_bytes(), p.stat().st_ino)
    return out


def arrange(case: str, tmp_path: Path, suffix: str = ".png") -> Case:
    """Lay out the folder for `case`, with an earlier file wherever one can be."""
    work = tmp_path / "work"
    work.mkdir()
    (work / f"other{suffix}").write_bytes(OLD)  # a neighbour that must not be touched either
    if case == "read-only folder":
        target = work / f"t{suffix}"
        target.write_bytes(OLD)
        work.chmod(0o555)
        return Case(
            target, f"{target}: cannot write in the folder {str(work)!r} (Permission denied)", work
        )
    if case == "path is a folder":
        target = work / f"t{suffix}"
        target.mkdir()
        (target / "inside.txt").write_bytes(OLD)
        return Case(target, f"{target}: is a folder, not a file", work)
    if case == "missing folder":
        target = work / "missing" / f"t{suffix}"
        return Case(target, f"{target}: the folder {str(target.parent)!r} does not exist", work)
    if case == "parent is a file":
        (work / "notes.txt").write_bytes(OLD)
        target = work / "notes.txt" / f"t{suffix}"
        return Case(target, f"{target}: {str(target.parent)!r} is a file, not a folder", work)
    if case == "full disk":
        target = work / f"t{suffix}"
        target.write_bytes(OLD)
        reason = os.strerror(errno.EFBIG)
        return Case(target, f"{target}: could not be written ({reason}); nothing was saved", work)
    raise AssertionError(case)


@pytest.fixture
def restore_permissions(tmp_path):
    yield
    for p in [tmp_path, *tmp_path.rglob("*")]:
        if p.is_dir():
            p.chmod(0o755)


@contextlib.contextmanager
def file_size_limit(limit: int):
    """No file may grow past `limit` bytes while inside: write() fails with EFBIG, as with a
    full disk. Python ignores SIGXFSZ, so the process is not killed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def export_size(timeline, suffix: str, folder: Path, scale: float = 1.0) -> int:
    from viewer.export import export_timeline

    probe = folder / f"probe{suffix}"
    export_timeline(timeline, probe, scale=scale)
    size = probe.stat().st_size
    probe.unlink()
    return size


# -- from the window --------------------------------------------------------------------------

GUI_CASES = ["read-only folder", "path is a folder", "missing folder", "parent is a file"]


def export_from_menu(window, target: Path, monkeypatch) -> None:
    """File → Export image…, Browse… to `target` in the file dialog, then Export."""
    chosen = FILTERS[target.suffix]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), chosen))
    window.export_action.trigger()
    dialog = window.export_box
    assert dialog is not None and dialog.isVisible()
    dialog.browse_button.click()
    dialog.export_button.click()


def check_message_box(window, message: str) -> None:
    box = window.last_error
    assert box is not None and box.isVisible()
    assert box.windowTitle() == "Cannot export"
    assert box.text() == message
    assert box.textFormat() == Qt.TextFormat.PlainText
    box.close()
    window.last_error = None


def writes_into_read_only_folders(tmp_path: Path) -> bool:
    """Whether this process ignores folder permissions (root, unless its capabilities are
    dropped), which makes the read-only case untestable."""
    if not IS_ROOT:
        return False
    folder = tmp_path / "probe-read-only"
    folder.mkdir(mode=0o555)
    try:
        (folder / "x").touch()
    except PermissionError:
        return False
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
    return True


@pytest.mark.parametrize("case", GUI_CASES)
def test_window_export_fails_cleanly(window, tmp_path, monkeypatch, restore_permissions, case):
    if case == "read-only folder" and writes_into_read_only_folders(tmp_path):
        pytest.skip("running as root, which writes into read-only folders")
    c = arrange(case, tmp_path)
    before = snapshot(c.watched)
    window.statusBar().showMessage("before")
    export_from_menu(window, c.target, monkeypatch)
    check_message_box(window, c.message)
    assert snapshot(c.watched) == before
    assert window.statusBar().currentMessage() == "before"  # no "Exported …"


@pytest.mark.parametrize("room", ["half", "all but one byte"])
@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_window_export_on_a_full_disk_keeps_the_earlier_file(
    window, builtin, tmp_path, monkeypatch, suffix, room
):
    c = arrange("full disk", tmp_path, suffix)
    scale = 2.0 if suffix == ".png" else 1.0  # as the window exports PNGs
    size = export_size(builtin, suffix, tmp_path, scale)
    before = snapshot(c.watched)
    # The app's own log file is not the file under test: keep it out of the size limit.
    handlers = [h for h in log.handlers if not isinstance(h, logging.FileHandler)]
    monkeypatch.setattr(log, "handlers", handlers)
    # Half: SVG used to be cut there and saved, its earlier file lost (QSvgGenerator ignores a
    # short write). The last byte: the failure comes only when the file is flushed.
    with file_size_limit(size // 2 if room == "half" else size - 1):
        export_from_menu(window, c.target, monkeypatch)
    check_message_box(window, c.message)
    assert snapshot(c.watched) == before
    # With room again, the same export goes through and replaces the file.
    export_from_menu(window, c.target, monkeypatch)
    assert window.last_error is None
    assert c.target.stat().st_size == size
    assert sorted(p.name for p in c.watched.iterdir()) == sorted(["other" + suffix, "t" + suffix])


# -- from the command line --------------------------------------------------------------------

_LIMITED = (
    "import resource, runpy, sys; "
    "limit = int(sys.argv.pop(1)); "
    "hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]; "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard)); "
    "sys.argv[0] = 'viewer'; "
    "runpy.run_module('viewer', run_name='__main__', alter_sys=True)"
)


def _setpriv_works() -> bool:
    if shutil.which("setpriv") is None:
        return False
    probe = subprocess.run(
        ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", "true"], capture_output=True
    )
    return probe.returncode == 0


def run_cli(tmp_path: Path, *args: str, limit: int | None = None, unprivileged: bool = False):
    """`python -m viewer ARGS` with no display, its own log folder, optionally with a file size
    limit, or (as root) without the capabilities that let root write anywhere."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["XDG_STATE_HOME"] = str(tmp_path / "state")  # a fresh, small log file
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if limit is None:
        command = [sys.executable, "-m", "viewer", *args]
    else:
        command = [sys.executable, "-c", _LIMITED, str(limit), *args]
    if unprivileged and IS_ROOT:
        command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("case", GUI_CASES)
def test_command_line_export_fails_cleanly(tmp_path, restore_permissions, case):
    if case == "read-only folder" and IS_ROOT and not _setpriv_works():
        pytest.skip("root writes into read-only folders, and setpriv cannot drop that")
    c = arrange(case, tmp_path)
    before = snapshot(c.watched)
    result = run_cli(tmp_path, "--export", str(c.target), unprivileged=True)
    assert result.returncode == 1, result.stderr
    assert one_line(result.stderr) == f"timeline-viewer: {c.message}"
    assert snapshot(c.watched) == before


def test_the_read_only_case_really_is_read_only(tmp_path, restore_permissions):
    # The case above is not passing by accident: the same process can write elsewhere.
    if IS_ROOT and not _setpriv_works():
        pytest.skip("needs setpriv as root")
    out = tmp_path / "fine.svg"
    result = run_cli(tmp_path, "--export", str(out), "--width", "400", unprivileged=True)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_command_line_export_on_a_full_disk_keeps_the_earlier_file(qapp, builtin, tmp_path, suffix):
    c = arrange("full disk", tmp_path, suffix)
    size = export_size(builtin, suffix, tmp_path)
    before = snapshot(c.watched)
    result = run_cli(tmp_path, "--export", str(c.target), limit=size // 2)
    assert result.returncode == 1, result.stderr
    assert one_line(result.stderr) == f"timeline-viewer: {c.message}"
    assert snapshot(c.watched) == before
    # The limit is what failed: the same export with room enough succeeds.
    result = run_cli(tmp_path, "--export", str(c.target), limit=size * 2)
    assert result.returncode == 0, result.stderr
    assert c.target.stat().st_size == size
