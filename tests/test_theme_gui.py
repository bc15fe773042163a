"""View → Theme: the canvas and the panel follow the palette, light or dark, and the quote's
and the selection's highlights keep 4.5:1 against their text, measured on grabbed pixels; the
export dialog's Dark and --theme dark give dark pictures."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QRect, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPalette, QTextCursor
from PySide6.QtWidgets import QApplication

from tests.test_export_options import open_export_dialog, type_path
from tests.test_find import type_search
from viewer.app import main
from viewer.model.theme import TEXT_CONTRAST, contrast_ratio
from viewer.render import SCREEN


def menu_action(window, *path: str):
    """The action at `path` in the menu bar (texts without their '&')."""
    actions = window.menuBar().actions()
    for name in path:
        found = [a for a in actions if a.text().replace("&", "") == name]
        assert found, f"no {name!r} among {[a.text() for a in actions]}"
        action = found[0]
        actions = action.menu().actions() if action.menu() is not None else []
    return action


def choose_theme(qtbot, window, name: str) -> None:
    menu_action(window, "View", "Theme", name).trigger()
    qtbot.wait(10)  # the palette change's events


def most_common(image: QImage, rect: QRect) -> str:
    """The colour most pixels in `rect` of `image` have (a background under text)."""
    counts = Counter(
        image.pixelColor(x, y).name()
        for x in range(max(rect.left(), 0), min(rect.right(), image.width() - 1) + 1)
        for y in range(max(rect.top(), 0), min(rect.bottom(), image.height() - 1) + 1)
    )
    return counts.most_common(1)[0][0]


def lightness(name: str) -> int:
    return QColor(name).lightness()


def grab(widget) -> QImage:
    """What `widget` shows, one image pixel to a widget pixel."""
    image = widget.grab().toImage()
    ratio = image.devicePixelRatio()
    if ratio != 1:
        image = image.scaled(round(image.width() / ratio), round(image.height() / ratio))
    return image


def select_reuters(qtbot, window, builtin) -> int:
    view = window.view
    index = builtin.index_of("reuters-report")
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.marker_center(index).toPoint())
    assert view.selected_index == index
    return index


def canvas_colours(window, index: int) -> tuple[str, str]:
    """The canvas's background and the selected label's highlight, as grabbed."""
    view = window.view
    image = grab(view)
    background = most_common(image, image.rect())
    frame = view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)
    _mark, label = view.renderer.event_rects(index, view.scale, frame, view.y_offset)
    # Under the label's text, inside the highlight (which reaches 4 px below it).
    under = QRect(round(label.left()) + 2, round(label.bottom()) + 1, round(label.width()) - 4, 2)
    return background, most_common(image, under)


def match_colour(window, selected: int) -> str:
    """The search-match highlight behind a matching label other than the selected one."""
    view = window.view
    image = grab(view)
    frame = view.renderer.frame(QSizeF(view.width(), view.height()), SCREEN, view.scale)
    for i in view.renderer.matches.events:
        if i == selected:
            continue
        _mark, label = view.renderer.event_rects(i, view.scale, frame, view.y_offset)
        if view.rect().contains(label.toAlignedRect()):
            # Under the label's text, inside the highlight (2 px below it).
            under = QRect(round(label.left()) + 2, round(label.bottom()) + 1, 20, 1)
            return most_common(image, under)
    raise AssertionError("no matching label in view")


def text_mark_colour(edit, selection) -> str:
    """The background most pixels have around the middle of an extra selection."""
    middle = QTextCursor(selection.cursor)
    middle.setPosition((selection.cursor.selectionStart() + selection.cursor.selectionEnd()) // 2)
    caret = edit.cursorRect(middle)
    image = grab(edit.viewport())
    return most_common(image, QRect(caret.left() - 8, caret.top() + 1, 16, caret.height() - 2))


def quote_colours(window) -> tuple[str, str, str]:
    """The source text's background, the quote's highlight (grabbed from the middle of the
    passage) and the text colour it is drawn in."""
    edit = window.panel.source_text
    [quote] = [s for s in edit.extraSelections() if s.format.fontWeight() > 400]
    middle = QTextCursor(quote.cursor)
    middle.setPosition((quote.cursor.selectionStart() + quote.cursor.selectionEnd()) // 2)
    caret = edit.cursorRect(middle)
    image = grab(edit.viewport())
    around = QRect(caret.left() - 30, caret.top() + 1, 60, caret.height() - 2)
    background = image.pixelColor(image.width() - 8, 4).name()  # a corner with no text
    text = edit.palette().color(QPalette.ColorRole.Text).name()
    return background, most_common(image, around), text


@pytest.mark.parametrize("name", ["Dark", "Light"])
def test_the_theme_menu_recolours_the_canvas_and_the_panel_with_readable_highlights(
    qtbot, window, builtin, settings, name
):
    index = select_reuters(qtbot, window, builtin)
    choose_theme(qtbot, window, name)
    assert menu_action(window, "View", "Theme", name).isChecked()
    assert settings.value("view/theme") == name.lower()
    dark = name == "Dark"

    background, selection = canvas_colours(window, index)
    ink = window.view.renderer.theme.text
    assert (lightness(background) < 80) == dark, background
    assert selection != background
    assert contrast_ratio(selection, ink) >= TEXT_CONTRAST, (selection, ink)

    page, quote, text = quote_colours(window)
    assert (lightness(page) < 80) == dark, page
    assert quote not in (page, text)
    assert contrast_ratio(quote, text) >= TEXT_CONTRAST, (quote, text)
    assert contrast_ratio(text, page) >= TEXT_CONTRAST
    # The whole window, not only the canvas: the window's own background follows.
    assert (lightness(most_common(grab(window.panel), QRect(0, 0, 8, 8))) < 80) == dark
    assert window.panel.highlighted_text() == builtin.events[index].citations[0].quote

    # A search: the matches' labels on the canvas and the matches in the source text.
    type_search(qtbot, window, "Reuters")
    match = match_colour(window, index)
    assert match != background
    assert contrast_ratio(match, ink) >= TEXT_CONTRAST, (match, ink)
    edit = window.panel.source_text
    qtbot.waitUntil(lambda: window.panel.search_marks() != [])
    marks = [s for s in edit.extraSelections() if s.format.fontWeight() <= 400]
    inside = edit.viewport().rect()
    shown = [text_mark_colour(edit, m) for m in marks if inside.contains(edit.cursorRect(m.cursor))]
    assert shown, "no search match in view"
    assert shown[0] not in (page, text)
    assert contrast_ratio(shown[0], text) >= TEXT_CONTRAST, (shown[0], text)


def test_dark_then_system_puts_the_start_palette_back(qtbot, window, builtin):
    start = QApplication.palette().color(QPalette.ColorRole.Base).name()
    index = select_reuters(qtbot, window, builtin)
    before = canvas_colours(window, index)
    choose_theme(qtbot, window, "Dark")
    assert canvas_colours(window, index) != before
    choose_theme(qtbot, window, "System")
    assert QApplication.palette().color(QPalette.ColorRole.Base).name() == start
    assert canvas_colours(window, index) == before


def test_the_theme_chosen_is_kept_for_the_next_window(qtbot, open_window, builtin, settings):
    settings.setValue("view/theme", "dark")
    window = open_window(builtin)
    assert menu_action(window, "View", "Theme", "Dark").isChecked()
    background, _ = canvas_colours(window, 0)
    assert lightness(background) < 80


def test_the_export_dialog_exports_dark_when_asked_and_light_by_default(
    qtbot, window, tmp_path, settings
):
    choose_theme(qtbot, window, "Dark")  # the window's theme is not the export's
    dialog = open_export_dialog(qtbot, window)
    assert dialog.theme_combo.currentData() == "light"
    light = tmp_path / "light.png"
    type_path(qtbot, dialog, light)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert window.last_error is None
    dialog = open_export_dialog(qtbot, window)
    dialog.theme_combo.setFocus()
    qtbot.keyClick(dialog.theme_combo, Qt.Key.Key_Down)
    assert dialog.theme_combo.currentData() == "dark"
    dark = tmp_path / "dark.png"
    type_path(qtbot, dialog, dark)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert window.last_error is None
    assert settings.value("export/theme") == "dark"
    for path, is_dark in ((light, False), (dark, True)):
        image = QImage(str(path))
        assert not image.isNull()
        corner = image.pixelColor(3, image.height() // 2)
        assert (corner.lightness() < 80) == is_dark, (path, corner.name())


def test_export_with_theme_dark_on_the_command_line(qapp, tmp_path):
    out = tmp_path / "dark.png"
    assert main(["--export", str(out), "--theme", "dark"]) == 0
    image = QImage(str(out))
    assert not image.isNull()
    assert most_common(image, QRect(0, 0, 40, image.height())) == "#1e2227"
    assert main(["--export", str(tmp_path / "light.png")]) == 0
    light = QImage(str(tmp_path / "light.png"))
    assert most_common(light, QRect(0, 0, 40, light.height())) == "#ffffff"
    assert main(["--theme", "dark"]) != 0  # goes with --export


@pytest.mark.parametrize("name", ["Dark", "Light"])
def test_the_date_range_dialog_says_what_is_wrong_readably(qtbot, window, name):
    from viewer.find import DateRangeDialog
    from viewer.model.filters import NO_FILTERS

    choose_theme(qtbot, window, name)
    dialog = DateRangeDialog(window, NO_FILTERS)
    qtbot.addWidget(dialog)
    dialog.start_field.setText("not a date")
    dialog._check()
    assert dialog.error.text()
    ink = dialog.error.palette().color(dialog.error.foregroundRole()).name()
    ground = dialog.palette().color(QPalette.ColorRole.Window).name()
    assert contrast_ratio(ink, ground) >= TEXT_CONTRAST, (ink, ground)
