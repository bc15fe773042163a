"""The side panel: the selected event, and the source passages it rests on, in their full text.

Everything here comes from the timeline file and its sources, which are untrusted: labels are
set to plain-text format, the article is shown in a QPlainTextEdit and a source's link in a
read-only line edit, so no markup is ever interpreted. A link is opened only when the user clicks
"Open link", and only if it is an http or https address with a host.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QStringListModel,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyledItemDelegate,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from viewer.model.citing import citation_markdown, citation_plain
from viewer.model.dates import Precision
from viewer.model.search import highlight_pattern
from viewer.model.text import isolate
from viewer.model.theme import LIGHT, Theme
from viewer.model.timeline import Event, Source, Timeline
from viewer.theme import theme_from_palette

# In the light theme; each text view takes its colours from its palette (see _apply_theme).
QUOTE_BACKGROUND = QColor(LIGHT.quote)
SEARCH_BACKGROUND = QColor(LIGHT.match)  # a search match, told apart from the cited passage
MAX_SEARCH_MARKS = 2_000  # matches marked in one source text
PRECISION_WORDS = {
    Precision.YEAR: "known to the year",
    Precision.MONTH: "known to the month",
    Precision.DAY: "known to the day",
    Precision.HOUR: "known to the hour",
    Precision.MINUTE: "known to the minute",
    Precision.SECOND: "known to the second",
    Precision.SUBSECOND: "known to a fraction of a second",
}

# Every line break str.splitlines() knows. QTextDocument makes "\r\n" one block separator (one
# position for two characters) and shows \x85, U+2028, \v, \f… as characters of a line, so the
# panel shows each break as one "\n" and maps source offsets onto what it shows.
_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"\r\n|[{_BREAKS}]")
_WORD = re.compile(r"\S+")

# Laying out a line costs time that grows faster than its length (a 50,000-character line without
# spaces takes Qt 0.4 s, 200,000 take 4.5 s), and a document costs time to build: past these
# sizes the source text shows an excerpt around the quote, which the user can page through.
WHOLE_TEXT_CHARS = 200_000
LONGEST_WHOLE_LINE = 5_000
EXCERPT_CHARS = 12_000
_SNAP_CHARS = 2_000  # how far an excerpt's ends move to fall on a line break

# How much of each untrusted text the labels show (a QLabel wraps its whole text on every
# resize: a megabyte takes it tens of seconds). "Show all text" shows the rest.
TITLE_LIMIT = (300, 4)  # characters, lines
TEXT_LIMIT = (1_200, 24)
INLINE_LIMIT = 160  # a title quoted in a line of other text
MAX_LISTED = 50  # dispute lines, before "… and N more"


NO_SOURCE_QUOTED = "No source quoted"


def display_text(text: str) -> str:
    """`text` as the panel shows it: each line break (\\r\\n, \\r, \\x85, U+2028, …) one \\n."""
    return _LINE_BREAK.sub("\n", text)


def utf16_length(text: str) -> int:
    """The length of `text` in UTF-16 code units, as Qt counts (an emoji counts two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def display_position(text: str, index: int, start: int = 0) -> int:
    """Where offset `index` of `text` falls in a QTextDocument showing display_text(text[start:…]).

    Exact for any line breaks and astral characters; an offset inside a \\r\\n pair falls after it.
    """
    return utf16_length(display_text(text[start:index]))


def excerpt(text: str, chars: int, lines: int) -> tuple[str, bool]:
    """At most `chars` characters and `lines` lines of `text` (ending in "…" if cut), and whether
    it was cut. Reads no more of `text` than it keeps, however long `text` is."""
    head = text[: chars + 1]
    for k, m in enumerate(_LINE_BREAK.finditer(head), start=1):
        if k >= lines:
            return head[: m.start()].rstrip() + " …", True
    if len(head) > chars:
        return head[: chars - 1].rstrip() + "…", True
    return text, False


def one_line(text: str, limit: int = INLINE_LIMIT) -> str:
    """`text` on one line (each run of white space and line breaks one space), cut to `limit`
    characters with "…". Line breaks must go: each ends a bidi paragraph, and with it an isolate."""
    words: list[str] = []
    length = 0
    for m in _WORD.finditer(text):
        words.append(m.group())
        length += len(m.group()) + 1
        if length > limit:
            break
    joined = " ".join(words)
    return joined if len(joined) <= limit else joined[: limit - 1].rstrip() + "…"


def inline(text: str, limit: int = INLINE_LIMIT) -> str:
    """Untrusted `text` made fit to sit in a line of other text: one line, at most `limit`
    characters, in a bidi isolate (so a U+202E in it cannot reorder what follows)."""
    return isolate(one_line(text, limit))


def _plain_label(*, bold: bool = False, size_delta: int = 0, muted: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    font = label.font()
    font.setBold(bold)
    if size_delta:
        font.setPointSizeF(font.pointSizeF() + size_delta)
    label.setFont(font)
    if muted:
        label.setProperty("tone", "muted")
    return label


def _tone_style(tone: str, theme: Theme) -> str:
    """The style sheet for a widget of `tone` ('muted', 'disputed', 'warning', 'link') in
    `theme`: colours that keep 4.5:1 against the theme's background."""
    if tone == "disputed":
        return f"color: {theme.disputed};"
    if tone == "warning":
        return f"color: {theme.warning}; font-weight: bold;"
    if tone == "link":
        return f"background: transparent; color: {theme.muted};"
    return f"color: {theme.muted};"


def apply_tones(root: QWidget, theme: Theme) -> None:
    """Colour every widget under `root` that has a 'tone' property as `theme` says."""
    for widget in root.findChildren(QWidget):
        tone = widget.property("tone")
        if isinstance(tone, str) and tone:
            widget.setStyleSheet(_tone_style(tone, theme))


WEB_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")


def web_link(text: str) -> tuple[QUrl | None, str]:
    """The address in `text` if it may be opened (http or https, with a host), else None; and
    a sentence for the Open link button's tooltip saying what a click does, or why it cannot.

    The sentence never quotes `text` beyond its scheme, which is checked to be letters, digits
    and `+.-`, so it cannot carry markup into the tooltip.
    """
    text = text.strip()
    scheme = QUrl(text).scheme().lower()
    if not _SCHEME.fullmatch(scheme):
        return None, "This is not a web address (http:// or https://), so it cannot be opened."
    if scheme not in WEB_SCHEMES:
        return None, f"Only http and https links can be opened; this is a {scheme}: link."
    url = QUrl(text, QUrl.ParsingMode.StrictMode)
    if not url.isValid():
        return None, "This address is not well formed, so it cannot be opened."
    if not url.host():
        return None, "This link names no host, so it cannot be opened."
    return url, "Open this link in your web browser."


# Bidi controls and marks: in an address they could make one host read as another
# ("https://evil.example/\u202egro.elpmaxe" shows as ending in "example.org").
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LINK_LIMIT = 2_000


def shown_link(text: str) -> str:
    """A source's address as the panel shows it: cut to LINK_LIMIT characters (a line edit lays
    out its whole text), with each bidi control written out as <U+202E>, so that it shows the
    characters in the order they are opened in."""
    if len(text) > LINK_LIMIT:
        text = text[: LINK_LIMIT - 1] + "…"
    return _BIDI_CONTROLS.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def quote_excerpt(quote: str, limit: int = 110) -> str:
    """A one-line excerpt of a quote for the citation list."""
    return one_line(quote, limit)


def source_byline(source: Source) -> str:
    """Who published the source, who wrote it and when, as far as the file says:
    `Reuters · Jane Doe · 22 Apr 2022` ('' if it says none). Each text is isolated."""
    parts = [inline(text) for text in (source.outlet, source.author) if text.strip()]
    if source.published is not None:
        parts.append(source.published.label())
    return "  ·  ".join(parts)


def source_name(source: Source) -> str:
    """How the panel names a source: its title (isolated, one line); the file name only when
    the file gives no title at all."""
    if source.title.strip():
        return inline(source.title)
    return inline(PurePosixPath(source.file).name) if source.file else "Untitled source"


class _HeaderScroll(QScrollArea):
    """Text from the file (the event's title, date, summary and notes; a source's title and
    description): as tall as it needs, up to `max_height`, then scrolled, so that a very long
    text (a file may hold anything) never grows the window. Squeezed, it gives way down to
    `min_height` and scrolls; the scroll bar shows only when the text overflows."""

    def __init__(self, content: QWidget, max_height: int = 260, min_height: int = 48) -> None:
        super().__init__()
        self.max_height = max_height
        self.min_height = min_height
        # Not the layout's minimum (every wrapped label at its narrowest, far taller than the
        # text at the width it has): the text's height at the viewport's width decides, below.
        content.setMinimumHeight(1)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setMaximumHeight(max_height)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def _text_height(self) -> int:
        content = self.widget()
        # Measured at the viewport's width without a scroll bar: when the text fits there,
        # none shows (a bar would take width and could make the text need it).
        width = max(self.width() - 2 * self.frameWidth(), 100)
        height = content.heightForWidth(width) if content.hasHeightForWidth() else -1
        if height < 0:
            height = content.sizeHint().height()
        return height

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), min(self._text_height(), self.max_height))

    def minimumSizeHint(self) -> QSize:
        # Short text is never squeezed; long text gives way (and scrolls) so that the window
        # keeps its size: the panel's other parts need their room too.
        height = min(self._text_height(), self.min_height)
        return QSize(super().minimumSizeHint().width(), height)

    def fit(self) -> None:
        """Ask the layout again for room, after the text changed."""
        self.updateGeometry()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.updateGeometry()


class SourceTextView(QWidget):
    """A text shown read-only, with a passage highlighted and centred: the whole text when it is
    small enough to lay out at once, otherwise an excerpt around the passage, with a bar saying
    which part shows and buttons to page to the text before and after it.

    The text is shown with its line breaks made "\\n" (see display_text); the highlight is placed
    by mapping the passage's offsets onto what is shown, so it covers exactly the passage.
    """

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._span: tuple[int, int] | None = None
        self._shown = (0, 0)
        self._search: re.Pattern[str] | None = None
        self._scroll_to_search = False
        self.edit = QPlainTextEdit()
        self.edit.setReadOnly(True)
        # A cursor the keys move, as in any text: the arrows read and select in it (Alt+arrows
        # step through the events).
        self.edit.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.edit.setAccessibleName(accessible_name)
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.edit.setFrameShape(QFrame.Shape.StyledPanel)
        self.part = QLabel()
        self.part.setTextFormat(Qt.TextFormat.PlainText)
        self.part.setWordWrap(True)
        self.part.setProperty("tone", "muted")
        self.earlier_button = QToolButton()
        self.earlier_button.setText("◀ Earlier")
        self.earlier_button.setToolTip("Show the text before this part")
        self.earlier_button.clicked.connect(self.show_earlier)
        self.later_button = QToolButton()
        self.later_button.setText("Later ▶")
        self.later_button.setToolTip("Show the text after this part")
        self.later_button.clicked.connect(self.show_later)
        self.bar = QWidget()
        bar_layout = QHBoxLayout(self.bar)
        bar_layout.setContentsMargins(0, 0, 0, 0)
        bar_layout.addWidget(self.part, 1)
        bar_layout.addWidget(self.earlier_button)
        bar_layout.addWidget(self.later_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.edit, 1)
        self.bar.hide()
        self.quote_color = QColor(QUOTE_BACKGROUND)
        self.search_color = QColor(SEARCH_BACKGROUND)
        self._apply_theme()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_theme()
        super().changeEvent(event)

    def _apply_theme(self) -> None:
        """Take the passage's and the matches' colours from the palette (kept at 4.5:1 against
        its text), and recolour what is marked now."""
        theme = theme_from_palette(self.palette())  # its children have not had theirs yet
        was = (self.quote_color.name(), self.search_color.name())
        self.quote_color = QColor(theme.quote)
        self.search_color = QColor(theme.match)
        recolour = dict(zip(was, (self.quote_color, self.search_color), strict=True))
        apply_tones(self, theme)
        selections = self.edit.extraSelections()
        for selection in selections:
            new = recolour.get(selection.format.background().color().name())
            if new is not None:
                fmt = selection.format  # a copy: set it back
                fmt.setBackground(new)
                selection.format = fmt
        if selections:
            self.edit.setExtraSelections(selections)

    @property
    def text(self) -> str:
        """The whole text, of which shown_range shows a part."""
        return self._text

    @property
    def shown_range(self) -> tuple[int, int]:
        """The offsets in the text of the part shown: (0, len(text)) when it shows whole."""
        return self._shown

    def set_text(self, text: str, span: tuple[int, int] | None = None) -> None:
        """Show `text` with `span` (offsets into it) highlighted and in view, or its start."""
        self._text = text
        self._span = span
        if len(text) <= WHOLE_TEXT_CHARS and not _has_long_line(text):
            self._show(0, len(text))
            return
        if span is None:
            self._show(*self._snapped(0, EXCERPT_CHARS))
            return
        n = len(text)
        start, end = span
        if end - start <= EXCERPT_CHARS:
            # The passage in the middle, or as near it as the ends of the text allow.
            context = (EXCERPT_CHARS - (end - start)) // 2
            a = max(start - context, 0)
            b = min(max(end + context, a + EXCERPT_CHARS), n)
            a = max(min(a, b - EXCERPT_CHARS), 0)
        else:  # a passage too long to show whole: its beginning
            a = max(start - _SNAP_CHARS, 0)
            b = min(a + EXCERPT_CHARS, n)
        self._show(*self._snapped(a, b, keep=span))

    def show_earlier(self) -> None:
        """Show the part of the text just before the one shown."""
        a, _ = self._shown
        if a > 0:
            # Only the far end moves to a line break: the pages meet, nothing is skipped.
            self._show(*self._snapped(max(a - EXCERPT_CHARS, 0), a, move_end=False), at_end=True)

    def show_later(self) -> None:
        """Show the part of the text just after the one shown."""
        _, b = self._shown
        if b < len(self._text):
            end = min(b + EXCERPT_CHARS, len(self._text))
            self._show(*self._snapped(b, end, move_start=False))

    def highlighted_text(self) -> str:
        """The highlighted passage as shown (line breaks as "\\n"); '' if none shows."""
        selections = [
            s for s in self.edit.extraSelections() if s.format.background() == self.quote_color
        ]
        if not selections:
            return ""
        return selections[0].cursor.selectedText().replace("\u2029", "\n")

    def set_search(self, pattern: re.Pattern[str] | None, *, scroll: bool = False) -> None:
        """Mark what `pattern` matches in the part shown (None: no marks), apart from the
        passage; with `scroll`, bring the first match into view. Paging keeps the marks."""
        self._search = pattern
        self._scroll_to_search = scroll
        self._mark_search()

    def search_marks(self) -> list[str]:
        """The texts marked as search matches now (line breaks as "\\n")."""
        return [
            s.cursor.selectedText().replace("\u2029", "\n")
            for s in self.edit.extraSelections()
            if s.format.background() == self.search_color
        ]

    def _mark_search(self) -> None:
        keep = [s for s in self.edit.extraSelections() if s.format.background() == self.quote_color]
        if self._search is None:
            self.edit.setExtraSelections(keep)
            return
        document = self.edit.document()
        shown = document.toPlainText()  # as displayed: a line break is one character
        found = []
        for m in self._search.finditer(shown):
            cursor = QTextCursor(document)
            cursor.setPosition(_utf16(shown, m.start()))
            cursor.setPosition(_utf16(shown, m.end()), QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(self.search_color)
            selection.format = fmt
            found.append(selection)
            if len(found) >= MAX_SEARCH_MARKS:
                break
        self.edit.setExtraSelections(keep + found)
        if found and self._scroll_to_search:
            view_cursor = QTextCursor(document)
            view_cursor.setPosition(found[0].cursor.selectionStart())
            self.edit.setTextCursor(view_cursor)
            self.edit.centerCursor()

    def _snapped(
        self,
        a: int,
        b: int,
        keep: tuple[int, int] | None = None,
        *,
        move_start: bool = True,
        move_end: bool = True,
    ) -> tuple[int, int]:
        """[a, b) with its ends moved inwards, by up to _SNAP_CHARS, onto line breaks, never into
        `keep` (the passage), and never between the two characters of a \\r\\n."""
        text = self._text
        lo, hi = keep if keep is not None else (b, a)
        if move_start and a > 0:
            m = _LINE_BREAK.search(text, a, min(a + _SNAP_CHARS, lo))
            if m is not None:
                a = m.end()
        if move_end and b < len(text):
            last = None
            for last in _LINE_BREAK.finditer(text, max(b - _SNAP_CHARS, hi), b):  # noqa: B007
                pass
            if last is not None:
                b = last.end()
        if 0 < a < len(text) and text[a - 1] == "\r" and text[a] == "\n":
            a += 1
        if 0 < b < len(text) and text[b - 1] == "\r" and text[b] == "\n":
            b += 1
        return a, b

    def _show(self, a: int, b: int, *, at_end: bool = False) -> None:
        text = self._text
        self._shown = (a, b)
        self.edit.setPlainText(display_text(text[a:b]))
        whole = a == 0 and b == len(text)
        self.bar.setVisible(not whole)
        if not whole:
            self.part.setText(
                f"Characters {a + 1:,}–{b:,} of {len(text):,}: too long to show at once."
            )
            self.earlier_button.setEnabled(a > 0)
            self.later_button.setEnabled(b < len(text))
        document = self.edit.document()
        span = self._span
        start, end = (max(span[0], a), min(span[1], b)) if span is not None else (0, -1)
        if start < end or (span is not None and span[0] == span[1] and a <= span[0] <= b):
            cursor = QTextCursor(document)
            cursor.setPosition(display_position(text, start, a))
            cursor.setPosition(display_position(text, end, a), QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(self.quote_color)
            fmt.setFontWeight(QFont.Weight.Bold)
            selection.format = fmt
            self.edit.setExtraSelections([selection])
            # The cursor at the passage's start, centred, so that the passage is in view.
            view_cursor = QTextCursor(document)
            view_cursor.setPosition(cursor.selectionStart())
            self.edit.setTextCursor(view_cursor)
            self.edit.centerCursor()
            self._mark_search()
            return
        self.edit.setExtraSelections([])
        self.edit.moveCursor(
            QTextCursor.MoveOperation.End if at_end else QTextCursor.MoveOperation.Start
        )
        self._mark_search()


def _utf16(text: str, index: int) -> int:
    """A Python index into `text` as a Qt document position, which counts UTF-16 units."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def _has_long_line(text: str) -> bool:
    """Whether `text` has a line longer than LONGEST_WHOLE_LINE."""
    return _LONG_LINE.search(text) is not None


_LONG_LINE = re.compile(f"[^{_BREAKS}]{{{LONGEST_WHOLE_LINE + 1}}}")


class FullTextDialog(QDialog):
    """The whole of a text that the panel shows cut short, read-only, in a SourceTextView (so
    that even a megabyte on one line opens at once)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.view = SourceTextView("Whole text")
        self.view.set_text(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(640, 560)


@dataclass(frozen=True)
class CitationItem:
    """One row of the citation list, as QListWidget's items are read: its row and text()."""

    row: int
    label: str

    def text(self) -> str:
        return self.label


class _CitationModel(QStringListModel):
    """The citation list's rows, each made into text only when the list asks for it: an event
    may cite thousands of passages. (A QStringListModel of empty strings underneath, so that Qt
    counts the rows itself: a rowCount() in Python is called for every row at each layout.)"""

    def __init__(self) -> None:
        super().__init__()
        self._text_of: Callable[[int], str] = str
        self._made: dict[int, str] = {}

    def set_rows(self, count: int, text_of: Callable[[int], str]) -> None:
        self._text_of = text_of
        self._made = {}
        self.setStringList([""] * count)

    def text(self, row: int) -> str:
        made = self._made.get(row)
        if made is None:
            made = self._made[row] = self._text_of(row)
        return made

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(index.row())
        if role == Qt.ItemDataRole.EditRole:
            return None
        return super().data(index, role)


class _ElidedRowDelegate(QStyledItemDelegate):
    """Rows as wide as the list, never wider: the list lays each row out at its size hint's
    width, so a hint as wide as the whole text would cut it at the edge (and bring a horizontal
    scroll bar) instead of eliding it with "…"."""

    def sizeHint(self, option, index) -> QSize:
        return QSize(1, super().sizeHint(option, index).height())


class CitationList(QListView):
    """The event's citations, one two-line row each (source title, quote excerpt), laid out
    lazily: rows are all one height, so Qt measures one and makes only those in view. Reads
    like a QListWidget: count(), item(row).text(), currentRow(), currentRowChanged.

    Copy (Ctrl+C) asks for the citation whole (`copyRequested`): a list view would copy the
    row's elided text."""

    currentRowChanged = Signal(int)
    copyRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copyRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = _CitationModel()
        self.setModel(self._model)
        self.setUniformItemSizes(True)
        self._delegate = _ElidedRowDelegate(self)
        self.setItemDelegate(self._delegate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(False)  # each line is elided instead: rows stay one height
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setAlternatingRowColors(True)
        self.setSpacing(2)
        self.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.selectionModel().currentRowChanged.connect(self._on_current)

    ROWS_WHOLE = 3  # rows the list always has room for, whole

    def row_height(self) -> int:
        """The height of one row with the spacing around it: two lines of text."""
        if self.count():
            height = self.sizeHintForRow(0)
        else:  # as a row would be: two lines, the delegate's margins
            height = 2 * self.fontMetrics().lineSpacing() + 2
        return height + 2 * self.spacing()

    def minimumSizeHint(self) -> QSize:
        # At least three rows whole: the list is how the citations are chosen. Beyond that it
        # takes what the panel can give (the layout's stretch).
        height = self.ROWS_WHOLE * self.row_height() + 2 * self.frameWidth() + 2
        return QSize(super().minimumSizeHint().width(), height)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), max(hint.height(), self.minimumSizeHint().height()))

    def set_rows(self, count: int, text_of: Callable[[int], str]) -> None:
        """Show `count` rows; row k's text is text_of(k), asked for when the row shows."""
        self._model.set_rows(count, text_of)

    def clear(self) -> None:
        self._model.set_rows(0, str)

    def count(self) -> int:
        return self._model.rowCount()

    def item(self, row: int) -> CitationItem | None:
        if not 0 <= row < self.count():
            return None
        return CitationItem(row, self._model.text(row))

    def visualItemRect(self, item: CitationItem) -> QRect:
        return self.visualRect(self._model.index(item.row))

    def currentRow(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def setCurrentRow(self, row: int) -> None:
        self.setCurrentIndex(self._model.index(row))

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.currentRowChanged.emit(current.row() if current.isValid() else -1)


def copy_to_clipboard(plain: str, markdown: str) -> None:
    """Put a citation on the clipboard as plain text and as Markdown (text/markdown)."""
    data = QMimeData()
    data.setText(plain)
    data.setData("text/markdown", markdown.encode("utf-8"))
    QGuiApplication.clipboard().setMimeData(data)


class SourcePanel(QWidget):
    """Shows one event and its citations; `citationShown` reports which citation is on screen."""

    citationShown = Signal(int)
    eventRequested = Signal(str)  # a "Disputed by" / "Disputes" link: the other event's id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._timeline: Timeline | None = None
        self._event: Event | None = None
        self._citation = -1
        self._search = ""
        self._search_sources: frozenset[str] = frozenset()

        self.title = _plain_label(bold=True, size_delta=3)
        self.title.setAccessibleName("Event title")
        self.date = _plain_label(muted=True)
        self.summary = _plain_label()
        self.note = _plain_label(muted=True)
        italic = self.note.font()
        italic.setItalic(True)
        self.note.setFont(italic)
        # Rich text only for its links: every title in it is escaped (see show_event).
        self.dispute = _plain_label()
        self.dispute.setTextFormat(Qt.TextFormat.RichText)
        self.dispute.setOpenExternalLinks(False)
        self.dispute.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.dispute.setProperty("tone", "disputed")
        self.dispute.linkActivated.connect(self._on_dispute_link)
        self._dispute_ids: list[str] = []
        self.warnings = _plain_label()
        self.warnings.setProperty("tone", "warning")

        self.citation_list = CitationList()
        self.citation_list.setAccessibleName("Citations")
        self.citation_list.currentRowChanged.connect(self._on_row)
        # Copy citation: the whole quote with its source and date, never the elided row.
        self.copy_citation_action = QAction("&Copy citation", self.citation_list)
        self.copy_citation_action.setShortcut(QKeySequence("Ctrl+C"))  # as Help lists it
        self.copy_citation_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_citation_action.triggered.connect(self.copy_citation)
        self.citation_list.copyRequested.connect(self.copy_citation)
        self.citation_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.citation_list.customContextMenuRequested.connect(self._citation_menu)

        self.previous_button = QToolButton()
        self.previous_button.setText("◀")
        self.previous_button.setToolTip("Previous citation")
        self.previous_button.clicked.connect(self.previous_citation)
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.next_button.setToolTip("Next citation")
        self.next_button.clicked.connect(self.next_citation)
        self.position = QLabel()
        self.position.setTextFormat(Qt.TextFormat.PlainText)
        nav = QHBoxLayout()
        nav.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Sources")
        heading.setStyleSheet("font-weight: bold;")
        nav.addWidget(heading)
        nav.addStretch(1)
        nav.addWidget(self.position)
        nav.addWidget(self.previous_button)
        nav.addWidget(self.next_button)

        self.source_title = _plain_label(bold=True)
        self.source_byline = _plain_label(muted=True)
        self.source_byline.setAccessibleName("Source published by")
        self.source_description = _plain_label(muted=True)
        # A line edit, not a label: a long address scrolls instead of widening the panel, and
        # it never acts on a click. Only the button opens the link.
        self.source_link = QLineEdit()
        self.source_link.setReadOnly(True)
        self.source_link.setFrame(False)
        self.source_link.setAccessibleName("Source link")
        self.source_link.setProperty("tone", "link")
        self.open_link_button = QPushButton("Open link")
        self.open_link_button.setAccessibleName("Open link")
        self.open_link_button.clicked.connect(self.open_link)
        self._link: QUrl | None = None
        link_row = QHBoxLayout()
        link_row.setContentsMargins(0, 0, 0, 0)
        link_row.addWidget(self.source_link, 1)
        link_row.addWidget(self.open_link_button)
        self.source_view = SourceTextView("Source text")
        self.source_text = self.source_view.edit
        # Texts cut short in the labels can be read whole in a dialog.
        self.show_all_button = QPushButton("Show all text…")
        self.show_all_button.setAccessibleName("Show all text")
        self.show_all_button.setToolTip("Some texts here are cut short: read them whole")
        self.show_all_button.clicked.connect(self.show_all_text)
        self.full_text_dialog: FullTextDialog | None = None
        self._cut: dict[str, str] = {}  # what is cut short, by name, for show_all_text()

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(10, 10, 10, 4)
        header = QWidget()
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.title, self.date, self.summary, self.note, self.dispute, self.warnings):
            header_layout.addWidget(w)
        header_layout.addWidget(self.show_all_button, 0, Qt.AlignmentFlag.AlignLeft)
        header_layout.addStretch(1)
        self.header = _HeaderScroll(header)
        top_layout.addWidget(self.header)
        top_layout.addSpacing(6)
        top_layout.addLayout(nav)
        top_layout.addWidget(self.citation_list, 1)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(10, 4, 10, 10)
        about_source = QWidget()
        about_layout = QVBoxLayout(about_source)
        about_layout.setContentsMargins(0, 0, 0, 0)
        about_layout.addWidget(self.source_title)
        about_layout.addWidget(self.source_byline)
        about_layout.addWidget(self.source_description)
        about_layout.addStretch(1)
        # A long title or description scrolls in its box rather than pushing the source text
        # (or the window) out of shape.
        self.source_header = _HeaderScroll(about_source, max_height=140, min_height=36)
        bottom_layout.addWidget(self.source_header)
        bottom_layout.addLayout(link_row)
        bottom_layout.addWidget(self.source_view, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("panelSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        apply_tones(self, theme_from_palette(self.palette()))
        self.show_event(None, None)

    def changeEvent(self, event: QEvent) -> None:
        # View → Theme or the desktop's theme changed: the greys and reds follow.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            apply_tones(self, theme_from_palette(self.palette()))
        super().changeEvent(event)

    @property
    def current_event(self) -> Event | None:
        """The event shown. (Not `event`: that name is QWidget's event handler.)"""
        return self._event

    @property
    def citation_index(self) -> int:
        return self._citation

    def show_event(self, timeline: Timeline | None, event: Event | None) -> None:
        """Show `event` of `timeline` (None shows a hint) and its first citation."""
        self._timeline = timeline
        self._event = event
        self.citation_list.blockSignals(True)
        self.citation_list.clear()
        self.citation_list.blockSignals(False)
        self._cut = {}
        if timeline is None or event is None:
            self.title.setText("No event selected")
            self.date.setText("")
            self.summary.setText(
                "Click an event on the timeline, or press Right and Left to step through them."
            )
            self.summary.setVisible(True)
            for w in (self.note, self.dispute, self.warnings):
                w.setText("")
                w.setVisible(False)
            self._citation = -1
            self._show_citation(-1)
            self.show_all_button.setVisible(False)
            self.header.fit()
            return
        self._set_cut(self.title, "Title", event.title, TITLE_LIMIT)
        category = timeline.categories.get(event.category)
        words = PRECISION_WORDS[event.when.precision]
        kind = "from " if event.when.is_range else ""
        category_name = category.label if category else event.category
        # As the file wrote it, whatever View → Time zone says: an instant keeps its offset.
        written = event.when.written_label()
        self.date.setText(f"{kind}{written} (date {words})  ·  {inline(category_name)}")
        self._set_cut(self.summary, "Summary", event.summary, TEXT_LIMIT)
        self.summary.setVisible(bool(event.summary))
        self._set_cut(self.note, "Note", event.note, TEXT_LIMIT)
        self.note.setVisible(bool(event.note))
        disputes = [
            *(("Disputed by", timeline.event(other_id)) for other_id in event.disputed_by),
            *(("Disputes", other) for other in timeline.disputes_of(event.id)),
        ]
        # Each a link that selects the other event. The titles are the file's: escaped, so
        # that nothing in them is markup.
        self._dispute_ids = [other.id for _verb, other in disputes[:MAX_LISTED]]
        lines = [
            f'{verb}: <a href="#{k}">{html.escape(inline(other.title))}</a> '
            f"({html.escape(other.when.label())})"
            for k, (verb, other) in enumerate(disputes[:MAX_LISTED])
        ]
        if len(disputes) > MAX_LISTED:
            lines.append(f"… and {len(disputes) - MAX_LISTED:,} more")
        self.dispute.setText("<br>".join(lines))
        self.dispute.setVisible(bool(lines))
        # Never shown as sourced: an uncited event says so first (its links are no quotes).
        warnings = [NO_SOURCE_QUOTED] if timeline.marked_uncited(event) else []
        warnings += [f"⚠ {inline(w, TEXT_LIMIT[0])}" for w in event.warnings[:MAX_LISTED]]
        if len(event.warnings) > MAX_LISTED:
            warnings.append(f"… and {len(event.warnings) - MAX_LISTED:,} more")
        self.warnings.setText("\n".join(warnings))
        self.warnings.setVisible(bool(warnings))
        citations = event.citations
        sources = timeline.sources

        def row_text(k: int) -> str:
            cit = citations[k]
            title = inline(sources[cit.source_id].title)
            if not cit.quote:  # a link-only source of an imported event
                return f"{title}\nlink only, nothing quoted"
            marker = "" if cit.found else "⚠ not found: "
            return f"{title}\n{marker}“{isolate(quote_excerpt(cit.quote))}”"

        self.citation_list.set_rows(len(citations), row_text)
        self.header.fit()
        self._citation = -1
        self.show_citation(0)

    def dispute_text(self) -> str:
        """The dispute lines as the reader sees them (the label holds them as escaped links)."""
        doc = QTextDocument()
        doc.setHtml(self.dispute.text())
        return doc.toPlainText().replace("\u2028", "\n")

    def dispute_links(self) -> list[str]:
        """The ids of the events the "Disputed by" / "Disputes" links select, in order."""
        return list(self._dispute_ids)

    def _on_dispute_link(self, href: str) -> None:
        k = int(href.lstrip("#")) if href.lstrip("#").isdigit() else -1
        if 0 <= k < len(self._dispute_ids):
            self.eventRequested.emit(self._dispute_ids[k])

    def citation_texts(self, index: int | None = None) -> tuple[str, str] | None:
        """Citation `index` (the one shown by default) as (plain text, Markdown): the whole
        quote, the source's title and link, the event and its date at its precision."""
        event, timeline = self._event, self._timeline
        index = self._citation if index is None else index
        if event is None or timeline is None or not 0 <= index < len(event.citations):
            return None
        cit = event.citations[index]
        return citation_plain(timeline, event, cit), citation_markdown(timeline, event, cit)

    def copy_citation(self) -> bool:
        """Copy the citation shown to the clipboard (plain text and Markdown)."""
        texts = self.citation_texts()
        if texts is None:
            return False
        copy_to_clipboard(*texts)
        return True

    def _citation_menu(self, pos) -> None:
        index = self.citation_list.indexAt(pos)
        if index.isValid():
            self.show_citation(index.row())
        menu = QMenu(self)
        menu.addAction(self.copy_citation_action)
        self.copy_citation_action.setEnabled(self.citation_texts() is not None)
        menu.exec(self.citation_list.viewport().mapToGlobal(pos))

    def show_citation(self, index: int) -> None:
        """Show citation `index` of the current event: its source, with the passage highlighted."""
        if self._event is None or not 0 <= index < len(self._event.citations):
            return
        if self.citation_list.currentRow() != index:
            self.citation_list.setCurrentRow(index)  # comes back through _on_row
            return
        self._show_citation(index)

    def show_all_text(self) -> FullTextDialog | None:
        """Open a dialog with the whole of each text that the panel shows cut short."""
        if not self._cut:
            return None
        text = "\n\n".join(f"{name}:\n{whole}" for name, whole in self._cut.items())
        if self.full_text_dialog is not None:
            self.full_text_dialog.close()
        self.full_text_dialog = FullTextDialog("Whole text", text, self)
        self.full_text_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.full_text_dialog.destroyed.connect(self._forget_dialog)
        self.full_text_dialog.show()
        return self.full_text_dialog

    def _forget_dialog(self) -> None:
        self.full_text_dialog = None

    def _set_cut(self, label: QLabel, name: str, text: str, limit: tuple[int, int]) -> None:
        """Show at most `limit` (characters, lines) of `text` in `label`; note it if cut."""
        shown, cut = excerpt(text, *limit)
        label.setText(shown)
        if cut:
            self._cut[name] = text
        else:
            self._cut.pop(name, None)
        self.show_all_button.setVisible(bool(self._cut))

    def open_link(self) -> bool:
        """Open the shown source's link in the web browser, if it is one that may be opened."""
        if self._link is None:
            return False
        return QDesktopServices.openUrl(self._link)

    def _show_link(self, text: str) -> None:
        self._link, why = web_link(text) if text else (None, "")
        self.source_link.setText(shown_link(text))
        self.source_link.setCursorPosition(0)
        self.open_link_button.setEnabled(self._link is not None)
        self.open_link_button.setToolTip(why)
        for w in (self.source_link, self.open_link_button):
            w.setVisible(bool(text))

    def next_citation(self) -> None:
        self.show_citation(self._citation + 1)

    def previous_citation(self) -> None:
        self.show_citation(self._citation - 1)

    def _on_row(self, row: int) -> None:
        if row >= 0:
            self._show_citation(row)

    def _show_citation(self, index: int) -> None:
        self._citation = index
        count = len(self._event.citations) if self._event else 0
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(0 <= index < count - 1)
        self.position.setText(f"{index + 1:,} of {count:,}" if index >= 0 else "")
        if self._event is None or self._timeline is None or index < 0:
            self.source_title.setText("")
            self.source_byline.setText("")
            self.source_byline.setVisible(False)
            self.source_description.setText("")
            self.source_description.setVisible(False)
            self.source_header.fit()
            self._show_link("")
            self.source_view.set_text("")
            return
        cit = self._event.citations[index]
        source = self._timeline.sources[cit.source_id]
        # Named by its title, as the file gives it, not by the text's file name (often an
        # internal one such as 002_b85f66659d3b49bd.txt).
        self.source_title.setText(source_name(source))
        byline = source_byline(source)
        self.source_byline.setText(byline)
        self.source_byline.setVisible(bool(byline))
        self._set_cut(self.source_description, "Source description", source.description, TEXT_LIMIT)
        self.source_description.setVisible(bool(source.description))
        self.source_header.fit()
        self._show_link(source.url)
        self.source_view.set_text(source.text, cit.span)
        self._mark_search(cit.source_id)
        self.citationShown.emit(index)

    def show_search(self, query: str, sources: frozenset[str] = frozenset()) -> None:
        """Mark `query`'s matches in the source texts shown ('' clears). `sources` are those
        whose text matched: the event's first citation of one is shown, scrolled to the first
        match, since that is where the event matched."""
        self._search = query
        self._search_sources = sources
        event = self._event
        if event is None or self._citation < 0:
            return
        shown = event.citations[self._citation].source_id
        if sources and shown not in sources:
            for k, cit in enumerate(event.citations):
                if cit.source_id in sources:
                    self.show_citation(k)  # marks the matches as it shows the source
                    return
        self._mark_search(shown)

    def _mark_search(self, source_id: str) -> None:
        """Mark the search's matches in the source text shown (the quote stays highlighted),
        scrolled to the first when the event matched through this source's text."""
        pattern = highlight_pattern(self._search) if self._search else None
        self.source_view.set_search(pattern, scroll=source_id in self._search_sources)

    def search_marks(self) -> list[str]:
        """The texts marked as search matches in the source text now."""
        return self.source_view.search_marks()

    def highlighted_text(self) -> str:
        """The passage highlighted in the source text now, line breaks as "\\n" ('' if none)."""
        return self.source_view.highlighted_text()
