"""File → Open Recent and the preference to reopen the last timeline at start, kept in the
app's QSettings.

The settings file may have been edited or damaged: a value that is not what we wrote (a number
where a list of paths should be) counts as no value.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 10
RECENT_KEY = "files/recent"
REOPEN_KEY = "files/reopen_last"


class RecentFiles:
    """The last MAX_RECENT timelines opened, newest first, as absolute paths."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def paths(self) -> list[Path]:
        """The recent files, newest first (missing ones included: the menu greys them)."""
        try:
            value = self.settings.value(RECENT_KEY, [])
        except Exception:  # a value QSettings cannot even convert
            return []
        if isinstance(value, str):  # QSettings gives a one-item list back as a string
            value = [value]
        if not isinstance(value, list):
            return []
        paths: list[Path] = []
        for item in value:
            if isinstance(item, str) and item and Path(item).is_absolute():
                path = Path(item)
                if path not in paths:
                    paths.append(path)
        return paths[:MAX_RECENT]

    def add(self, path: Path) -> None:
        """Put `path` first, dropping it from further down and the oldest past MAX_RECENT."""
        path = Path(path).absolute()
        paths = [path, *(p for p in self.paths() if p != path)]
        self._write(paths[:MAX_RECENT])

    def remove(self, path: Path) -> None:
        self._write([p for p in self.paths() if p != Path(path)])

    def clear(self) -> None:
        self._write([])

    def last(self) -> Path | None:
        """The timeline opened last, if any."""
        paths = self.paths()
        return paths[0] if paths else None

    def _write(self, paths: list[Path]) -> None:
        self.settings.setValue(RECENT_KEY, [str(p) for p in paths])
        self.settings.sync()

    @property
    def reopen_last(self) -> bool:
        """Whether the app reopens the last timeline when it starts without a file."""
        try:
            value = self.settings.value(REOPEN_KEY, False)
        except Exception:
            return False
        # INI files give booleans back as the strings "true" and "false".
        return value is True or (isinstance(value, str) and value.lower() == "true")

    @reopen_last.setter
    def reopen_last(self, on: bool) -> None:
        self.settings.setValue(REOPEN_KEY, bool(on))
        self.settings.sync()
