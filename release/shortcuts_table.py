"""Write README.md's table of keyboard shortcuts from the window's own actions.

    python release/shortcuts_table.py [--check]

The table sits between the markers START and END in README.md. It is made by
viewer.help.shortcuts(), the same function Help → Keyboard shortcuts uses, on a window opened
offscreen; tests/test_desktop.py checks that README.md's table is current. With --check, it
only says whether it is (exit 1 if not).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START = "<!-- shortcuts: written by release/shortcuts_table.py -->\n"
END = "<!-- end of shortcuts -->\n"


def current_table() -> str:
    """The shortcut table as the window's actions give it now (Qt's portable key names)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from viewer.bundle import builtin_timeline
    from viewer.help import PORTABLE, markdown_table, shortcuts
    from viewer.main_window import MainWindow, load_timeline_file

    app = QApplication.instance() or QApplication([sys.argv[0]])  # noqa: F841 (kept alive)
    # In-memory settings: nothing the user set (or a recent file) changes the table.
    # On the built-in timeline, as the user first sees it (the Filter menu is made for it).
    settings = QSettings("/dev/null/settings.ini", QSettings.Format.IniFormat)
    window = MainWindow(load_timeline_file(builtin_timeline()), settings)
    try:
        return markdown_table(shortcuts(window, PORTABLE))
    finally:
        window.close()
        window.deleteLater()


def readme_table(text: str) -> str:
    """The table as README.md has it ('' if the markers are missing)."""
    if START not in text or END not in text:
        return ""
    return text.split(START, 1)[1].split(END, 1)[0]


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"{README}: the markers {START.strip()} and {END.strip()} are missing")
        return 1
    table = current_table()
    if "--check" in argv:
        same = readme_table(text) == table
        print("README.md's shortcut table is current" if same else "README.md's table is stale")
        return 0 if same else 1
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    from viewer.model.saving import atomic_write

    atomic_write(README, (before + START + table + END + after).encode("utf-8"))
    print(f"wrote {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
