"""Shared fixtures. GUI tests run offscreen unless QT_QPA_PLATFORM says otherwise (CI runs them
both offscreen and on Xvfb)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from viewer.bundle import builtin_timeline
from viewer.model.loader import load_timeline
from viewer.model.timeline import Timeline


@pytest.fixture(scope="session", autouse=True)
def _private_state_home(tmp_path_factory):
    """Send the log file (main() calls setup_logging()) and the column cache to temporary
    folders, not ~/.local/state and ~/.cache.

    Set in os.environ so the app started in a subprocess inherits it too.
    """
    names = ("XDG_STATE_HOME", "TIMELINE_VIEWER_CACHE")
    saved = {name: os.environ.get(name) for name in names}
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    os.environ["TIMELINE_VIEWER_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def builtin() -> Timeline:
    path = builtin_timeline()
    from viewer.bundle import trust_root_for

    return load_timeline(path, root=trust_root_for(path))


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_window(qtbot, settings):
    """Opens a shown main window on a timeline, its view focused and laid out."""
    from viewer.main_window import MainWindow

    def make(timeline, width: int = 1280, height: int = 760):
        win = MainWindow(timeline, settings)
        qtbot.addWidget(win)
        win.resize(width, height)
        win.show()
        qtbot.waitExposed(win)
        win.view.setFocus()
        qtbot.waitUntil(lambda: win.view.width() > width // 2 - 340)
        return win

    return make


@pytest.fixture
def window(open_window, builtin):
    return open_window(builtin)


def index_of(timeline: Timeline, event_id: str) -> int:
    return timeline.index_of(event_id)


@pytest.fixture(autouse=True)
def _system_theme_after_each_test():
    """View → Theme changes the whole application's style and palette: put the system's back
    after a test that chose a theme, so that the next test starts as the app does."""
    yield
    import sys

    theme = sys.modules.get("viewer.theme")
    if theme is not None and theme._system is not None:
        theme.apply_theme("system")
