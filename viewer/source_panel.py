"""The side panel: the selected event, and the source passages it rests on, in their full text.

Everything here comes from the timeline file and its sources, which are untrusted: labels are
set to plain-text format, the article is shown in a QPlainTextEdit and a source's link in a
read-only line edit, so no markup is ever interpreted. A link is opened only when the user clicks
"Open link", and only if it is an http or https address with a host.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from viewer.model.dates import Precision
from viewer.model.search import highlight_pattern
from viewer.model.timeline import Event, Timeline

QUOTE_BACKGROUND = QColor("#FFE58A")
SEARCH_BACKGROUND = QColor("#CFE3FF")  # a search match, told apart from the cited passage
MAX_SEARCH_MARKS = 2_000  # matches marked in one source text
PRECISION_WORDS = {
    Precision.YEAR: "known to the year",
    Precision.MONTH: "known to the month",
    Precision.DAY: "known to the day",
}


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
        label.setStyleSheet("color: #5B6470;")
    return label


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


def quote_excerpt(quote: str, limit: int = 110) -> str:
    """A one-line excerpt of a quote for the citation list."""
    one_line = " ".join(quote.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


class _HeaderScroll(QScrollArea):
    """The event's title, date, summary and notes: as tall as they need, up to a limit, then
    scrolled, so that a very long text (a file may hold anything) never grows the window."""

    MAX_HEIGHT = 260

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMaximumHeight(self.MAX_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def sizeHint(self) -> QSize:
        content = self.widget()
        # Measured as if the scroll bar showed: then the text fits whether it shows or not.
        width = max(self.width() - self.verticalScrollBar().sizeHint().width(), 100)
        height = content.heightForWidth(width) if content.hasHeightForWidth() else -1
        if height < 0:
            height = content.sizeHint().height()
        # A few pixels over: the stretch at the bottom of the text adds a spacing of its own.
        return QSize(super().sizeHint().width(), min(height + 8, self.MAX_HEIGHT))

    def minimumSizeHint(self) -> QSize:
        # Never squeezed below its text (up to the limit): the splitter gives way elsewhere.
        return QSize(super().minimumSizeHint().width(), self.sizeHint().height())

    def fit(self) -> None:
        """Ask the layout again for room, after the text changed."""
        self.updateGeometry()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.updateGeometry()


class SourcePanel(QWidget):
    """Shows one event and its citations; `citationShown` reports which citation is on screen."""

    citationShown = Signal(int)

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
        self.dispute = _plain_label()
        self.dispute.setStyleSheet("color: #A33B00;")
        self.warnings = _plain_label()
        self.warnings.setStyleSheet("color: #B00020; font-weight: bold;")

        self.citation_list = QListWidget()
        self.citation_list.setAccessibleName("Citations")
        self.citation_list.setWordWrap(True)
        self.citation_list.setAlternatingRowColors(True)
        self.citation_list.setSpacing(2)
        self.citation_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.citation_list.currentRowChanged.connect(self._on_row)

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
        self.source_description = _plain_label(muted=True)
        # A line edit, not a label: a long address scrolls instead of widening the panel, and
        # it never acts on a click. Only the button opens the link.
        self.source_link = QLineEdit()
        self.source_link.setReadOnly(True)
        self.source_link.setFrame(False)
        self.source_link.setAccessibleName("Source link")
        self.source_link.setStyleSheet("background: transparent; color: #5B6470;")
        self.open_link_button = QPushButton("Open link")
        self.open_link_button.setAccessibleName("Open link")
        self.open_link_button.clicked.connect(self.open_link)
        self._link: QUrl | None = None
        link_row = QHBoxLayout()
        link_row.setContentsMargins(0, 0, 0, 0)
        link_row.addWidget(self.source_link, 1)
        link_row.addWidget(self.open_link_button)
        self.source_text = QPlainTextEdit()
        self.source_text.setReadOnly(True)
        self.source_text.setAccessibleName("Source text")
        self.source_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.source_text.setFrameShape(QFrame.Shape.StyledPanel)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(10, 10, 10, 4)
        header = QWidget()
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.title, self.date, self.summary, self.note, self.dispute, self.warnings):
            header_layout.addWidget(w)
        header_layout.addStretch(1)
        self.header = _HeaderScroll(header)
        top_layout.addWidget(self.header)
        top_layout.addSpacing(6)
        top_layout.addLayout(nav)
        top_layout.addWidget(self.citation_list, 1)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(10, 4, 10, 10)
        bottom_layout.addWidget(self.source_title)
        bottom_layout.addWidget(self.source_description)
        bottom_layout.addLayout(link_row)
        bottom_layout.addWidget(self.source_text, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("panelSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.show_event(None, None)

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
            self.header.fit()
            return
        self.title.setText(event.title)
        category = timeline.categories.get(event.category)
        words = PRECISION_WORDS[event.when.precision]
        kind = "from " if event.when.is_range else ""
        category_name = category.label if category else event.category
        self.date.setText(f"{kind}{event.when.label()} (date {words})  ·  {category_name}")
        self.summary.setText(event.summary)
        self.summary.setVisible(bool(event.summary))
        self.note.setText(event.note)
        self.note.setVisible(bool(event.note))
        disputes = []
        for other_id in event.disputed_by:
            other = timeline.event(other_id)
            disputes.append(f"Disputed by: {other.title} ({other.when.label()})")
        for other in timeline.disputes_of(event.id):
            disputes.append(f"Disputes: {other.title} ({other.when.label()})")
        self.dispute.setText("\n".join(disputes))
        self.dispute.setVisible(bool(disputes))
        self.warnings.setText("\n".join(f"⚠ {w}" for w in event.warnings))
        self.warnings.setVisible(bool(event.warnings))
        for cit in event.citations:
            source = timeline.sources[cit.source_id]
            marker = "" if cit.found else "⚠ not found: "
            self.citation_list.addItem(
                QListWidgetItem(f"{source.title}\n{marker}“{quote_excerpt(cit.quote)}”")
            )
        self.header.fit()
        self._citation = -1
        self.show_citation(0)

    def show_citation(self, index: int) -> None:
        """Show citation `index` of the current event: its source, with the passage highlighted."""
        if self._event is None or not 0 <= index < len(self._event.citations):
            return
        if self.citation_list.currentRow() != index:
            self.citation_list.setCurrentRow(index)  # comes back through _on_row
            return
        self._show_citation(index)

    def open_link(self) -> bool:
        """Open the shown source's link in the web browser, if it is one that may be opened."""
        if self._link is None:
            return False
        return QDesktopServices.openUrl(self._link)

    def _show_link(self, text: str) -> None:
        self._link, why = web_link(text) if text else (None, "")
        self.source_link.setText(text)
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
        self.position.setText(f"{index + 1} of {count}" if index >= 0 else "")
        if self._event is None or self._timeline is None or index < 0:
            self.source_title.setText("")
            self.source_description.setText("")
            self._show_link("")
            self.source_text.setPlainText("")
            self.source_text.setExtraSelections([])
            return
        cit = self._event.citations[index]
        source = self._timeline.sources[cit.source_id]
        self.source_title.setText(f"{source.title}  ({PurePosixPath(source.file).name})")
        self.source_description.setText(source.description)
        self.source_description.setVisible(bool(source.description))
        self._show_link(source.url)
        self.source_text.setPlainText(source.text)
        if cit.span is None:
            self.source_text.setExtraSelections([])
            self.source_text.moveCursor(QTextCursor.MoveOperation.Start)
        else:
            cursor = QTextCursor(self.source_text.document())
            cursor.setPosition(_qt_position(source.text, cit.span[0]))
            cursor.setPosition(
                _qt_position(source.text, cit.span[1]), QTextCursor.MoveMode.KeepAnchor
            )
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(QUOTE_BACKGROUND)
            fmt.setFontWeight(QFont.Weight.Bold)
            selection.format = fmt
            self.source_text.setExtraSelections([selection])
            # Put the cursor at the quote's start and centre it, so the passage is in view.
            view_cursor = QTextCursor(self.source_text.document())
            view_cursor.setPosition(_qt_position(source.text, cit.span[0]))
            self.source_text.setTextCursor(view_cursor)
            self.source_text.centerCursor()
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
        """Add the search's matches in the source text to its highlights (the quote stays)."""
        keep = [
            s
            for s in self.source_text.extraSelections()
            if s.format.background() != SEARCH_BACKGROUND
        ]
        pattern = highlight_pattern(self._search) if self._search else None
        if pattern is None:
            self.source_text.setExtraSelections(keep)
            return
        doc = self.source_text.document()
        text = doc.toPlainText()  # block separators count one, as in the document
        found = []
        for m in pattern.finditer(text):
            cursor = QTextCursor(doc)
            cursor.setPosition(_qt_position(text, m.start()))
            cursor.setPosition(_qt_position(text, m.end()), QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(SEARCH_BACKGROUND)
            selection.format = fmt
            found.append(selection)
            if len(found) >= MAX_SEARCH_MARKS:
                break
        self.source_text.setExtraSelections(keep + found)
        if found and source_id in self._search_sources:
            view_cursor = QTextCursor(doc)
            view_cursor.setPosition(found[0].cursor.selectionStart())
            self.source_text.setTextCursor(view_cursor)
            self.source_text.centerCursor()

    def search_marks(self) -> list[str]:
        """The texts marked as search matches in the source text now."""
        return [
            s.cursor.selectedText()
            for s in self.source_text.extraSelections()
            if s.format.background() == SEARCH_BACKGROUND
        ]

    def highlighted_text(self) -> str:
        """The passage highlighted in the source text now ('' if none)."""
        selections = [
            s
            for s in self.source_text.extraSelections()
            if s.format.background() == QUOTE_BACKGROUND
        ]
        return selections[0].cursor.selectedText() if selections else ""


def _qt_position(text: str, index: int) -> int:
    """A Python string index as a QTextDocument position (which counts UTF-16 code units)."""
    prefix = text[:index]
    return index + sum(1 for ch in prefix if ord(ch) > 0xFFFF)
