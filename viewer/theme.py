"""View → Theme: the window in the system's colours, or light, or dark; and the colours the
canvas and the panel paint with, taken from the window's palette.

Light and Dark switch the whole application to the Fusion style with a light or a dark palette
(Fusion draws with the palette it is given; some platform styles do not). System puts back the
style and palette the application started with, which follow the desktop's, high-contrast
themes included. The choice is remembered in the settings.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QStyleFactory

from viewer.model.theme import DARK, Theme, theme_for

SETTING = "view/theme"  # "system", "light" or "dark"
CHOICES = ("system", "light", "dark")

# The style and palette the application had before a theme was first chosen: what System
# puts back.
_system: tuple[str, QPalette] | None = None


def high_contrast() -> bool:
    """Whether the desktop asks for high contrast (Qt's accessibility hints)."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    # Keep the style hints referenced while asking: the accessibility hints are its child, and
    # a wrapper left from before may point at hints Qt has since replaced.
    style_hints = QGuiApplication.styleHints()
    try:
        hints = style_hints.accessibility()
        return hints.contrastPreference() == Qt.ContrastPreference.HighContrast
    except RuntimeError:
        return False


def theme_from_palette(palette: QPalette, name: str = "system") -> Theme:
    """The canvas's and panel's colours for a widget with `palette`: its base and text, with
    highlights that keep 4.5:1 against that text."""
    group = QPalette.ColorGroup.Active
    return theme_for(
        background=palette.color(group, QPalette.ColorRole.Base).name(),
        text=palette.color(group, QPalette.ColorRole.Text).name(),
        name=name,
        high_contrast=high_contrast(),
    )


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style, its colours those of the dark export theme."""
    window = QColor("#2B3036")
    base = QColor(DARK.background)
    text = QColor(DARK.text)
    muted = QColor(DARK.muted)
    p = QPalette()
    roles = QPalette.ColorRole
    for role, color in (
        (roles.Window, window),
        (roles.WindowText, text),
        (roles.Base, base),
        (roles.AlternateBase, QColor("#252A30")),
        (roles.ToolTipBase, window),
        (roles.ToolTipText, text),
        (roles.PlaceholderText, muted),
        (roles.Text, text),
        (roles.Button, window),
        (roles.ButtonText, text),
        (roles.BrightText, QColor("#FF8A80")),
        (roles.Light, QColor("#3C434B")),
        (roles.Midlight, QColor("#343A41")),
        (roles.Mid, QColor("#23272C")),
        (roles.Dark, QColor("#16191D")),
        (roles.Shadow, QColor("#0B0D0F")),
        (roles.Highlight, QColor("#3A6EA5")),
        (roles.HighlightedText, QColor("#FFFFFF")),
        (roles.Link, QColor("#8AB4F8")),
        (roles.LinkVisited, QColor("#C58AF9")),
    ):
        p.setColor(role, color)
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(disabled, role, QColor("#7D8590"))
    return p


def light_palette() -> QPalette:
    """Fusion's own light palette."""
    style = QStyleFactory.create("Fusion")
    return style.standardPalette()


def current_choice(settings: QSettings) -> str:
    """The theme the settings name: 'system', 'light' or 'dark' (anything else: system)."""
    try:
        value = settings.value(SETTING, "system")
    except Exception:  # a value QSettings cannot even convert
        return "system"
    return value if value in CHOICES else "system"


def apply_theme(choice: str) -> None:
    """Switch the application to `choice` ('system', 'light' or 'dark'). Every widget gets a
    PaletteChange; the canvas and the panel take their colours from the new palette."""
    global _system
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if _system is None:
        _system = (app.style().name(), QPalette(app.palette()))
    if choice == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    elif choice == "light":
        app.setStyle("Fusion")
        app.setPalette(light_palette())
    else:
        style, palette = _system
        if app.style().name() != style:
            app.setStyle(style)
        app.setPalette(palette)
    # Widgets made before the change do not always hear of it from Qt (a theme read from the
    # settings as the window is built left the window light): tell each one.
    for widget in app.allWidgets():
        QApplication.sendEvent(widget, QEvent(QEvent.Type.ApplicationPaletteChange))


class ThemeMenu:
    """The Theme submenu of View: System, Light, Dark; the choice is remembered."""

    def __init__(self, view_menu: QMenu, settings: QSettings) -> None:
        self.settings = settings
        self.menu = view_menu.addMenu("T&heme")
        self.group = QActionGroup(self.menu)
        self.actions: dict[str, QAction] = {}
        for choice, text in (("system", "&System"), ("light", "&Light"), ("dark", "&Dark")):
            action = QAction(text, self.menu)
            action.setCheckable(True)
            action.setObjectName(f"theme-{choice}")
            action.triggered.connect(lambda _checked=False, c=choice: self.choose(c))
            self.group.addAction(action)
            self.menu.addAction(action)
            self.actions[choice] = action
        choice = current_choice(settings)
        self.actions[choice].setChecked(True)
        if choice != "system":
            apply_theme(choice)

    def choose(self, choice: str) -> None:
        """Show the app in `choice` ('system', 'light' or 'dark') and remember it."""
        if choice not in CHOICES:
            choice = "system"
        apply_theme(choice)
        self.settings.setValue(SETTING, choice)
        self.actions[choice].setChecked(True)
