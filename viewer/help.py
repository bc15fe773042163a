"""Help → Keyboard shortcuts (F1) and Help → About.

The shortcut list is read from the window's own actions and shortcuts (its menus, its toolbar,
the actions of its widgets and any QShortcut), so it says what the keys do now and cannot drift
from them. README.md's table is written from the same rows (release/shortcuts_table.py) and a
test compares the two.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import PackageNotFoundError, metadata

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer import __version__

LICENCE = "MIT"  # pyproject.toml's; the package metadata says it too, where it is installed
ANYWHERE = "Anywhere in the window"
NATIVE = QKeySequence.SequenceFormat.NativeText
PORTABLE = QKeySequence.SequenceFormat.PortableText


@dataclass(frozen=True)
class Shortcut:
    """One row of the shortcut list: what it does, its keys, and where it works."""

    what: str
    keys: str
    where: str


def plain_text(text: str) -> str:
    """An action's text as read: without mnemonics ("&Open" is "Open", "&&" is "&") or "…"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("…", "").strip()


def _keys(sequences: list[QKeySequence], form: QKeySequence.SequenceFormat) -> str:
    return ", ".join(s.toString(form) for s in sequences if not s.isEmpty())


def _menu_paths(window: QMainWindow) -> dict[int, str]:
    """Where each action of the menu bar sits, by id(action): "File", "View → Time zone"."""
    paths: dict[int, str] = {}

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.isSeparator():
                continue
            sub = action.menu()
            if sub is not None:
                walk(sub, f"{path} → {plain_text(action.text())}")
            else:
                paths.setdefault(id(action), path)

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), plain_text(top.text()))
    return paths


def _widget_name(widget: QWidget) -> str:
    name = widget.accessibleName() or widget.objectName()
    return f"In the {name.lower()}" if name else f"In the {type(widget).__name__}"


def _where(obj: QAction | QShortcut, menus: dict[int, str], window: QMainWindow) -> str:
    if id(obj) in menus:
        return f"{menus[id(obj)]} menu"
    context = obj.shortcutContext() if isinstance(obj, QAction) else obj.context()
    if context in (
        Qt.ShortcutContext.WidgetShortcut,
        Qt.ShortcutContext.WidgetWithChildrenShortcut,
    ):
        widgets: list[QWidget] = []
        if isinstance(obj, QAction):
            widgets = [
                o
                for o in obj.associatedObjects()
                if isinstance(o, QWidget) and not isinstance(o, QMenu)
            ]
        # A QShortcut works in its parent; so does an action a widget keeps for its own menu.
        if not widgets and isinstance(obj.parent(), QWidget):
            widgets = [obj.parent()]
        widgets = [w for w in widgets if w is not window]
        if widgets:
            return _widget_name(widgets[0])
    return ANYWHERE


def shortcuts(window: QMainWindow, form: QKeySequence.SequenceFormat = NATIVE) -> list[Shortcut]:
    """Every keyboard shortcut of `window`: the actions of its menus, toolbars and widgets and
    its QShortcut objects, in menu order, then the others; each with its keys in `form`."""
    menus = _menu_paths(window)
    seen: set[int] = set()
    rows: list[Shortcut] = []

    def add(obj: QAction | QShortcut) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, QAction):
            if obj.isSeparator() or obj.menu() is not None:
                return
            keys = _keys(obj.shortcuts(), form)
            text = obj.text()
        else:
            keys = _keys(obj.keys(), form)
            text = obj.whatsThis() or obj.objectName()
        if keys:
            rows.append(Shortcut(plain_text(text), keys, _where(obj, menus, window)))

    # The menus first, in their order, as the user finds them; then the rest.
    order: list[QAction] = []

    def walk(menu: QMenu) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu())
            else:
                order.append(action)

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu())
    for action in order:
        add(action)
    for action in window.findChildren(QAction):
        add(action)
    for shortcut in window.findChildren(QShortcut):
        add(shortcut)
    return rows


def markdown_table(rows: list[Shortcut]) -> str:
    """The rows as a Markdown table (README.md's), keys in `code`."""
    lines = ["| Keys | What | Where |", "|---|---|---|"]
    for row in rows:
        keys = ", ".join(f"`{k.strip()}`" for k in row.keys.split(", "))
        lines.append(f"| {keys} | {row.what} | {row.where} |")
    return "\n".join(lines) + "\n"


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: a table of every shortcut, read from the window's actions when
    the dialog opens. Not modal: the user can try the keys with it open."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("shortcutTable")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "What", "Where"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(620, 560)
        self.refresh(window)

    def refresh(self, window: QMainWindow) -> None:
        """Read the shortcuts again (an action's keys may have changed)."""
        rows = shortcuts(window)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate((row.keys, row.what, row.where)):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def rows(self) -> list[tuple[str, str, str]]:
        """What the table shows, row by row: (keys, what, where)."""
        return [
            tuple(self.table.item(r, c).text() for c in range(3))  # type: ignore[misc]
            for r in range(self.table.rowCount())
        ]


def _module_version(module: str, attribute: str = "__version__") -> str:
    try:
        return str(getattr(import_module(module), attribute))
    except (ImportError, AttributeError):
        return "not found"


def licence() -> str:
    """The app's licence, from the installed package's metadata, else pyproject.toml's."""
    try:
        return metadata("timeline-viewer").get("License") or LICENCE
    except PackageNotFoundError:
        return LICENCE


def about_lines() -> list[str]:
    """What Help → About says, line by line: version, licence, Python and the libraries."""
    from PySide6 import QtCore

    return [
        f"Timeline viewer {__version__}",
        "",
        "A viewer for timelines of sourced events: every event links to the exact passages of "
        "the source texts it rests on.",
        f"Licence: {licence()}",
        "",
        f"Python {platform.python_version()}",
        f"Qt {QtCore.qVersion()}, PySide6 {_module_version('PySide6')}",
        f"python-dateutil {_module_version('dateutil')}",
        f"msgspec {_module_version('msgspec')}",
        f"platformdirs {_module_version('platformdirs')}",
    ]


class AboutDialog(QDialog):
    """Help → About: the version, the licence and the libraries, as plain text. Not modal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Timeline viewer")
        self.label = QLabel("\n".join(about_lines()))
        self.label.setObjectName("aboutText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
