"""Exports and the app in a hostile environment: targets that are not files, no display with an
X11 platform asked for, file names that are not UTF-8, a log file or settings file that is a
FIFO, a full disk under the log, broken settings values and scale factors, and a height that
cannot hold the picture. Each gives at most one clear line and never hangs."""

from __future__ import annotations

import errno
import json
import os
import re
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QCoreApplication, QSettings, Qt

from viewer.export import ExportError, export_timeline

REPO = Path(__file__).resolve().parent.parent
# What the offscreen platform says of every top-level window: not ours.
QT_NOISE = re.compile(r"This plugin does not support")


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No display at all, this worktree's code, and settings and log inside tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("QT_SCALE_FACTOR", None)
    env.pop("QT_SCREEN_SCALE_FACTORS", None)
    env["PYTHONPATH"] = str(REPO)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    env.update(extra)
    return env


def run(
    tmp_path: Path, *args: str | bytes, timeout: float = 120, **kw
) -> subprocess.CompletedProcess:
    env = kw.pop("env", None) or app_env(tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=timeout,
        **kw,
    )


def lines(stderr: bytes) -> list[str]:
    """stderr's lines, without the offscreen platform's own remarks."""
    text = stderr.decode("utf-8", "backslashreplace")
    assert "Traceback" not in text and "Logging error" not in text, text
    return [line for line in text.splitlines() if line.strip() and not QT_NOISE.search(line)]


def log_text(tmp_path: Path) -> str:
    return (tmp_path / "state" / "timeline-viewer" / "log" / "timeline-viewer.log").read_text(
        encoding="utf-8"
    )


# -- export targets ---------------------------------------------------------------------------


def test_export_to_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "x.png"
    os.mkfifo(fifo)
    # Opening a FIFO for writing waits for a reader: the timeout would catch a hang.
    result = run(tmp_path, "--export", str(fifo), timeout=60)
    assert result.returncode == 1
    assert lines(result.stderr) == [f"timeline-viewer: {fifo}: is not a regular file"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO, not replaced by a file
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".png") == ["x.png"]


def test_export_to_a_character_device_is_refused(qapp, builtin, tmp_path):
    link = tmp_path / "x.png"
    link.symlink_to(os.devnull)
    with pytest.raises(ExportError) as caught:
        export_timeline(builtin, link)
    assert str(caught.value) == f"{link}: is not a regular file"
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)


@pytest.mark.parametrize("platform", ["xcb", "wayland"])
def test_export_needs_no_display_whatever_the_platform_asked(tmp_path, platform):
    out = tmp_path / "t.png"
    env = app_env(tmp_path, QT_QPA_PLATFORM=platform)
    result = run(tmp_path, "--export", str(out), "--width", "500", env=env)
    assert result.returncode == 0, result.stderr
    assert lines(result.stderr) == []
    assert Image.open(out).size[0] == 500


# -- no display -------------------------------------------------------------------------------

NO_DISPLAY = (
    "timeline-viewer: cannot open a window: there is no display (neither DISPLAY nor "
    "WAYLAND_DISPLAY is set); --export and --convert work without one"
)


@pytest.mark.parametrize("platform", [None, "xcb", "wayland", "xcb;wayland"])
def test_the_window_without_a_display_says_so_in_one_line(tmp_path, platform):
    # What `make run` does over ssh or in a container: Qt alone would abort with a core dump
    # and "libxcb-cursor0 is needed". XDG_RUNTIME_DIR holds no Wayland socket either.
    env = app_env(tmp_path, XDG_RUNTIME_DIR=str(tmp_path))
    if platform is not None:
        env["QT_QPA_PLATFORM"] = platform
    result = run(tmp_path, env=env, timeout=60)
    assert result.returncode == 1  # an exit, not a signal (-6 is Qt's abort)
    assert result.stderr.decode("utf-8").splitlines() == [NO_DISPLAY]
    assert result.stdout == b""
    assert NO_DISPLAY.removeprefix("timeline-viewer: ") in log_text(tmp_path)


def test_export_and_convert_still_need_no_display(tmp_path):
    env = app_env(tmp_path, XDG_RUNTIME_DIR=str(tmp_path))
    result = run(tmp_path, "--export", str(tmp_path / "t.png"), "--width", "500", env=env)
    assert result.returncode == 0, result.stderr
    assert lines(result.stderr) == []
    assert Image.open(tmp_path / "t.png").size[0] == 500
    result = run(tmp_path, "--convert", str(tmp_path / "t.json"), env=env)
    assert result.returncode == 0, result.stderr
    assert lines(result.stderr) == []
    assert json.loads((tmp_path / "t.json").read_text("utf-8"))["version"] == 1


@pytest.mark.parametrize(
    ("environ", "opens"),
    [
        ({}, False),
        ({"QT_QPA_PLATFORM": "xcb"}, False),
        ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-1"}, False),
        ({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, False),
        ({"DISPLAY": ":0"}, True),
        ({"WAYLAND_DISPLAY": "wayland-1"}, True),
        ({"WAYLAND_SOCKET": "5"}, True),
        ({"QT_QPA_PLATFORM": "xcb;wayland", "WAYLAND_DISPLAY": "wayland-1"}, True),
        ({"QT_QPA_PLATFORM": "offscreen"}, True),
        ({"QT_QPA_PLATFORM": "minimal"}, True),
        ({"QT_QPA_PLATFORM": "offscreen:fontengine=freetype"}, True),
        ({"QT_QPA_PLATFORM": "xcb;offscreen"}, True),
        ({"QT_QPA_PLATFORM": "vnc:size=800x600"}, True),
    ],
)
def test_which_environments_have_a_display(tmp_path, environ, opens):
    from viewer.app import display_problem

    environ = {"XDG_RUNTIME_DIR": str(tmp_path), **environ}
    assert (display_problem(environ) is None) == opens


def test_the_default_wayland_socket_is_a_display(tmp_path):
    import socket

    from viewer.app import display_problem

    environ = {"XDG_RUNTIME_DIR": str(tmp_path), "QT_QPA_PLATFORM": "wayland"}
    assert display_problem(environ) is not None
    # WAYLAND_DISPLAY unset: Wayland clients connect to $XDG_RUNTIME_DIR/wayland-0.
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "wayland-0"))
        assert display_problem(environ) is None


# -- file names that are not UTF-8 ------------------------------------------------------------


def test_a_non_utf8_file_name_exports_quietly_and_is_logged_escaped(tmp_path):
    name = os.fsencode(tmp_path) + b"/caf\xe9.png"
    result = run(tmp_path, "--export", name, "--width", "400")
    assert result.returncode == 0, result.stderr
    assert lines(result.stderr) == []
    with open(name, "rb") as f:
        assert Image.open(f).size[0] == 400
    assert "exported " + str(tmp_path) + "/caf\\xe9.png" in log_text(tmp_path)


def test_a_non_utf8_file_name_fails_in_one_escaped_line(tmp_path):
    name = os.fsencode(tmp_path) + b"/missing/caf\xe9.png"
    result = run(tmp_path, "--export", name)
    assert result.returncode == 1
    folder = f"{tmp_path}/missing"
    assert lines(result.stderr) == [
        f"timeline-viewer: {folder}/caf\\xe9.png: the folder {folder!r} does not exist"
    ]
    assert "caf\\xe9.png" in log_text(tmp_path)


# -- the log file -----------------------------------------------------------------------------


def test_a_fifo_log_file_is_not_opened_and_the_export_goes_on(tmp_path):
    log_folder = tmp_path / "state" / "timeline-viewer" / "log"
    log_folder.mkdir(parents=True)
    fifo = log_folder / "timeline-viewer.log"
    os.mkfifo(fifo)
    out = tmp_path / "t.svg"
    result = run(tmp_path, "--export", str(out), "--width", "400", timeout=60)
    assert result.returncode == 0, result.stderr
    assert lines(result.stderr) == [
        f"timeline-viewer: cannot write the log file {fifo}: it is not a regular file; not logging"
    ]
    assert out.read_bytes().startswith(b"<?xml")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_full_disk_under_the_log_says_so_once(qapp, builtin, tmp_path):
    probe = tmp_path / "probe.png"
    export_timeline(builtin, probe, width=400)
    size = probe.stat().st_size
    probe.unlink()
    # A log file already larger than the export, and no room left after it: each log line
    # fails with EFBIG (as a full disk fails with ENOSPC), the export does not.
    log_file = tmp_path / "state" / "timeline-viewer" / "log" / "timeline-viewer.log"
    log_file.parent.mkdir(parents=True)
    filler = b"earlier runs\n" * (2 * size // 13 + 1)
    log_file.write_bytes(filler)
    limit = len(filler) + 10
    assert limit < 1_000_000  # below the rotation size, so the file is written, not rotated
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    out = tmp_path / "t.png"
    result = run(
        tmp_path,
        "--export",
        str(out),
        "--width",
        "400",
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard)),
    )
    assert result.returncode == 0, result.stderr
    reason = os.strerror(errno.EFBIG)
    assert lines(result.stderr) == [
        f"timeline-viewer: cannot write the log file {log_file}: {reason}; logging stops"
    ]
    assert Image.open(out).size[0] == 400
    assert log_file.stat().st_size <= limit


def test_the_log_handler_reports_one_failure_then_stays_quiet(tmp_path, capsys):
    import logging

    from viewer.errors import LogFileHandler, SafeFormatter

    handler = LogFileHandler(tmp_path / "t.log")
    handler.setFormatter(SafeFormatter("%(message)s"))

    class Broken:
        """A file on a full disk."""

        def seek(self, *args) -> int:
            return 0

        def tell(self) -> int:
            return 0

        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def flush(self) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def close(self) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    handler.stream.close()
    handler.stream = Broken()
    logger = logging.getLogger("test-environment")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for n in range(5):
            logger.error("line %d café \udce9", n)
    finally:
        logger.removeHandler(handler)
        handler.close()
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"timeline-viewer: cannot write the log file {tmp_path / 't.log'}: "
        f"{os.strerror(errno.ENOSPC)}; logging stops"
    ]
    assert handler.failed


def test_log_lines_with_undecodable_names_are_written_escaped(tmp_path):
    import logging

    from viewer.errors import LogFileHandler, SafeFormatter

    handler = LogFileHandler(tmp_path / "t.log")
    handler.setFormatter(SafeFormatter("%(message)s"))
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "exported %s", ("caf\udce9",), None)
    handler.emit(record)
    handler.close()
    assert (tmp_path / "t.log").read_text(encoding="utf-8") == "exported caf\\xe9\n"
    assert not handler.failed


# -- settings ---------------------------------------------------------------------------------


def test_settings_path_is_where_qsettings_keeps_them(qapp, tmp_path, monkeypatch):
    from viewer.app import APP_NAME, ORGANISATION, settings_path

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    saved = QCoreApplication.organizationName(), QCoreApplication.applicationName()
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APP_NAME)
    try:
        assert settings_path() == Path(QSettings().fileName())
        assert settings_path().is_relative_to(tmp_path)
    finally:
        QCoreApplication.setOrganizationName(saved[0])
        QCoreApplication.setApplicationName(saved[1])


def test_a_fifo_settings_file_does_not_hang_startup(tmp_path):
    conf = tmp_path / "config" / "Timeline Viewer" / "Timeline viewer.conf"
    conf.parent.mkdir(parents=True)
    os.mkfifo(conf)
    env = app_env(tmp_path, QT_QPA_PLATFORM="offscreen")
    result = run(tmp_path, "--exit-after-first-paint", env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(rb"first-paint \d+\.\d+\n", result.stdout), result.stdout
    assert lines(result.stderr) == [
        f"timeline-viewer: {conf}: it is not a regular file; using the default settings, "
        "which will not be saved"
    ]
    assert stat.S_ISFIFO(os.lstat(conf).st_mode)  # not replaced on the way out


def test_values_of_the_wrong_type_in_the_settings_fall_back(qtbot, builtin, tmp_path):
    from viewer.main_window import MainWindow

    ini = tmp_path / "settings.ini"
    ini.write_text(
        "[export]\n"
        "last=1, 2\n"  # a list
        "what=@Variant(\\0\\0\\0\\x2\\0\\0\\0\\x5)\n"  # the number 5
        "preset=3\n"
        "from=@Invalid()\n"
        "[window]\n"
        "geometry=7\n"
        "splitter=1, 2, 3\n",
        encoding="utf-8",
    )
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    assert isinstance(settings.value("export/last"), list)  # the file really is odd
    win = MainWindow(builtin, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.export_action.trigger()
    dialog = win.export_box
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.path_edit.text() == "timeline.png"
    assert dialog.whole_button.isChecked() and dialog.preset() is None
    out = tmp_path / "t.svg"
    dialog.path_edit.clear()
    qtbot.keyClicks(dialog.path_edit, str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert win.last_error is None
    assert out.read_bytes().startswith(b"<?xml")
    assert settings.value("export/last") == str(out)
    win.close()


# -- scale factors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("QT_SCALE_FACTOR", "-1"),
        ("QT_SCALE_FACTOR", "0"),
        ("QT_SCALE_FACTOR", "abc"),
        ("QT_SCREEN_SCALE_FACTORS", "screen=-2"),
    ],
)
def test_a_broken_scale_factor_is_dropped_and_the_window_paints(tmp_path, name, value):
    env = app_env(tmp_path, QT_QPA_PLATFORM="offscreen", **{name: value})
    result = run(tmp_path, "--exit-after-first-paint", env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(rb"first-paint \d+\.\d+\n", result.stdout), result.stdout
    [line] = lines(result.stderr)
    assert line.startswith(f"timeline-viewer: {name}={value!r} ")
    assert line.endswith("; ignored")


def test_a_good_scale_factor_is_kept(tmp_path):
    from viewer.app import sanitise_scale_factors

    env = {"QT_SCALE_FACTOR": "1.5", "QT_SCREEN_SCALE_FACTORS": "DP-1=2;HDMI-1=1.25"}
    sanitise_scale_factors(env)
    assert env == {"QT_SCALE_FACTOR": "1.5", "QT_SCREEN_SCALE_FACTORS": "DP-1=2;HDMI-1=1.25"}


# -- heights too small for the picture --------------------------------------------------------


def test_a_height_too_small_is_refused_with_the_height_it_needs(tmp_path):
    out = tmp_path / "t.png"
    result = run(tmp_path, "--export", str(out), "--height", "120")
    assert result.returncode == 1
    [line] = lines(result.stderr)
    match = re.fullmatch(
        r"timeline-viewer: --height 120 is too small for this timeline: "
        r"it needs at least (\d+) px",
        line,
    )
    assert match, line
    assert not out.exists()
    needed = int(match.group(1))
    assert needed > 120
    # That height is enough, and one pixel less is not.
    assert run(tmp_path, "--export", str(out), "--height", str(needed)).returncode == 0
    assert Image.open(out).size == (1600, needed)
    short = run(tmp_path, "--export", str(tmp_path / "u.png"), "--height", str(needed - 1))
    assert short.returncode == 1


def test_ten_thousand_sources_fit_the_picture(tmp_path):
    # The most sources a file may list (50,000 is refused by the loader, see docs/format.md):
    # the footer names as many as fit in three lines, then how many more, so the picture has
    # the height asked for and its rows are not covered.
    doc = {
        "version": 1,
        "title": "Many sources",
        "sources": [
            {"id": f"s{i}", "file": "s.txt", "title": f"Source number {i}"} for i in range(10_000)
        ],
        "categories": [{"id": "c", "label": "C", "color": "#336699"}],
        "events": [
            {
                "id": "e",
                "title": "An event",
                "date": "2021-04",
                "category": "c",
                "summary": "s",
                "citations": [{"source": "s0", "quote": "Quoted."}],
            }
        ],
    }
    (tmp_path / "s.txt").write_text("Quoted. More text.", encoding="utf-8")
    (tmp_path / "many.json").write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "m.png"
    result = run(tmp_path, "--export", str(out), "--height", "2000", "many.json")
    assert result.returncode == 0, result.stderr
    assert lines(result.stderr) == []
    assert Image.open(out).size == (1600, 2000)


def test_a_non_utf8_name_keeps_the_earlier_file_on_a_full_disk(qapp, builtin, tmp_path):
    target = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.svg"))
    target.write_bytes(b"the earlier export\n")
    inode = target.stat().st_ino
    export_timeline(builtin, tmp_path / "probe.svg", width=600)
    size = (tmp_path / "probe.svg").stat().st_size
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size // 2, hard))  # a full disk, as EFBIG
    try:
        with pytest.raises(ExportError) as caught:
            export_timeline(builtin, target, width=600)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    reason = os.strerror(errno.EFBIG)
    assert str(caught.value) == f"{target}: could not be written ({reason}); nothing was saved"
    assert target.read_bytes() == b"the earlier export\n" and target.stat().st_ino == inode
    assert sorted(os.listdir(os.fsencode(tmp_path))) == [b"caf\xe9.svg", b"probe.svg"]
    # With room, it is replaced, under its own name, with the usual permissions.
    export_timeline(builtin, target, width=600)
    assert target.stat().st_size == size
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
