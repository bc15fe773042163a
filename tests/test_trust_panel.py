"""Issue 11, the panel and the window: the panel highlights exactly the quoted characters whatever
a source's line breaks, huge texts never stall a click, and untrusted text stays in its bidi box.

Every timeline here is built in memory (or, for a file that fails to load, in tmp_path); the big
inputs are made by code. Timing is not asserted here (see the report's throwaway script): these
tests check what the user sees once a click returns.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from viewer.model.dates import DateSpan, parse_date
from viewer.model.text import FSI, PDI, isolate
from viewer.model.timeline import Category, Citation, Event, Source, Timeline

APP_NAME = " — Timeline viewer"

# Each line break str.splitlines() knows; QTextDocument treats them in three different ways.
BREAKS = {
    "crlf": "\r\n",
    "cr": "\r",
    "lf": "\n",
    "nel": "\x85",
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
    "form-feed": "\f",
    "vertical-tab": "\v",
    "file-separator": "\x1c",
}


def as_shown(text: str) -> str:
    """`text` with each line break as one "\\n": how a plain-text view shows its lines."""
    out = []
    for piece in text.splitlines(keepends=True):
        line = piece.splitlines()[0]
        out.append(line + "\n" if line != piece else piece)
    return "".join(out)


def day(text: str) -> DateSpan:
    return DateSpan(parse_date(text))


def cite(source: Source, quote: str) -> Citation:
    at = source.text.index(quote)
    return Citation(source.id, quote, (at, at + len(quote)))


def timeline_of(sources: list[Source], events: list[Event], title: str = "T") -> Timeline:
    return Timeline(
        title, "", {s.id: s for s in sources}, {"c": Category("c", "Cat", "#0072B2")}, events
    )


def select(qtbot, window, index: int) -> None:
    """Click the event's marker in the view, as a user would."""
    view = window.view
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.marker_center(index).toPoint())
    assert view.selected_index == index


def highlighted(panel) -> tuple[str, int]:
    """The highlighted characters as the source view paints them (its extra selection, with
    the document's block separators as "\\n"), and where in the shown text they start."""
    selections = panel.source_text.extraSelections()
    assert len(selections) == 1
    cursor = selections[0].cursor
    assert selections[0].format.background().color().name() == "#ffe58a"
    return cursor.selectedText().replace("\u2029", "\n"), cursor.selectionStart()


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# -- 1. the highlight, whatever the line breaks --------------------------------------------


def line_ending_source(br: str) -> tuple[Source, list[str]]:
    """A source with `br` between its lines, emoji and other astral characters before the
    quotes, and quotes that span line breaks; each quote occurs once."""
    lines = [f"Line {k}: 😀 𝒜 ordinary words 👨‍👩‍👧 and more{'.' * (k % 7)}" for k in range(60)]
    lines[10] = "The first quote starts here"
    lines[11] = "and goes on past a line break 🎉 to here."
    lines[40] = "𝕏 A middle quote 𝕐 on a line of its own."
    lines[58] = "The last quote, 🙂, is near the end"
    lines[59] = "of the text, after fifty-eight breaks."
    text = br.join(lines) + br
    quotes = [
        f"quote starts here{br}and goes on past a line break 🎉 to here.",
        "A middle quote 𝕐 on a line",
        f"The last quote, 🙂, is near the end{br}of the text",
        f"breaks.{br}",  # ends with the break itself
    ]
    return Source("s", "s.txt", "Source", "", text), quotes


@pytest.mark.parametrize("name", [*BREAKS, "mixed"])
def test_the_highlight_is_exactly_the_quote_whatever_the_line_breaks(qtbot, open_window, name):
    if name == "mixed":
        br = "\r\n"
        source, quotes = line_ending_source(br)
        # Every kind of break in one text, in turn, including inside the quotes.
        kinds = list(BREAKS.values())
        parts = source.text.split(br)
        text = "".join(p + kinds[k % len(kinds)] for k, p in enumerate(parts[:-1]))
        source = Source("s", "s.txt", "Source", "", text + parts[-1])
        quotes = [
            "quote starts here" + kinds[10 % len(kinds)] + "and goes on",
            "A middle quote 𝕐 on a line",
            "The last quote, 🙂, is near the end" + kinds[58 % len(kinds)] + "of the text",
        ]
    else:
        source, quotes = line_ending_source(BREAKS[name])
    events = [
        Event(f"e{k}", f"Event {k}", day(f"2020-01-{k + 1:02d}"), "c", "", (cite(source, q),))
        for k, q in enumerate(quotes)
    ]
    window = open_window(timeline_of([source], events))
    panel = window.panel
    for k, quote in enumerate(quotes):
        select(qtbot, window, k)
        text, start = highlighted(panel)
        assert text == as_shown(quote)
        # ... and at the quote's place, not at a copy of it elsewhere.
        at = source.text.index(quote)
        assert start == utf16(as_shown(source.text[:at]))
        assert panel.highlighted_text() == as_shown(quote)
    # The whole text is shown, one line per line of the source.
    assert panel.source_text.document().blockCount() == len(source.text.splitlines()) + 1
    assert panel.source_text.toPlainText() == as_shown(source.text)


def test_stepping_through_citations_in_crlf_sources_keeps_each_highlight_exact(qtbot, open_window):
    source, quotes = line_ending_source("\r\n")
    event = Event("e", "E", day("2020-01-01"), "c", "", tuple(cite(source, q) for q in quotes))
    window = open_window(timeline_of([source], [event]))
    select(qtbot, window, 0)
    panel = window.panel
    for k, quote in enumerate(quotes):
        assert panel.citation_index == k
        assert highlighted(panel)[0] == as_shown(quote)
        if k + 1 < len(quotes):
            qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)


# -- 2. huge texts: the click returns, and every character can still be read ----------------


def cjk(n: int) -> str:
    return ("中文字符测试漢字" * (n // 8 + 1))[:n]


def emoji(n: int) -> str:
    return ("😀👍🏽👨‍👩‍👧" * (n // 7 + 1))[:n]


def many_lines(n: int) -> str:
    return ("line\n" * (n // 5 + 1))[:n]


def test_a_quote_in_a_32_mib_one_line_source_is_highlighted_and_the_window_responds(
    qtbot, open_window
):
    quote = "the passage that the event rests on"
    text = "x" * (16 * 1024 * 1024) + f" {quote} " + "y" * (16 * 1024 * 1024 - 40)
    source = Source("s", "big.txt", "Big", "", text)
    events = [
        Event("e", "Big one", day("2020-01-01"), "c", "", (cite(source, quote),)),
        Event("f", "Next", day("2020-02-01"), "c", "", ()),
    ]
    window = open_window(timeline_of([source], events))
    select(qtbot, window, 0)
    panel = window.panel
    assert highlighted(panel)[0] == quote
    view = panel.source_view
    # An excerpt around the quote shows, and says which part of how much it is.
    a, b = view.shown_range
    assert 0 < a < text.index(quote) and text.index(quote) + len(quote) < b < len(text)
    assert view.bar.isVisible()
    assert f"of {len(text):,}" in view.part.text()
    assert panel.source_text.viewport().rect().contains(panel.source_text.cursorRect())
    # The user pages on: the next part follows on from this one, without the highlight.
    qtbot.mouseClick(view.later_button, Qt.MouseButton.LeftButton)
    assert view.shown_range[0] == b
    assert panel.source_text.toPlainText() == text[b : view.shown_range[1]]
    assert panel.highlighted_text() == ""
    qtbot.mouseClick(view.earlier_button, Qt.MouseButton.LeftButton)
    assert view.shown_range[1] == b
    assert quote in panel.source_text.toPlainText()
    # The window still takes keys at once: Right goes to the next event.
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.panel.title.text() == "Next"


@pytest.mark.parametrize("make", [cjk, emoji, many_lines], ids=["cjk", "emoji", "newlines"])
def test_paging_through_a_long_source_shows_every_character_once(qtbot, open_window, make):
    text = make(150_000) + "\r\n" + "z" * 40_000 + "\r\nend" + make(100_000)
    quote = "z" * 10 + "\r\nend"
    source = Source("s", "s.txt", "Long", "", text)
    event = Event("e", "E", day("2020-01-01"), "c", "", (cite(source, quote),))
    window = open_window(timeline_of([source], [event]))
    select(qtbot, window, 0)
    panel = window.panel
    assert highlighted(panel)[0] == as_shown(quote)
    view = panel.source_view
    while view.earlier_button.isEnabled():
        qtbot.mouseClick(view.earlier_button, Qt.MouseButton.LeftButton)
    assert view.shown_range[0] == 0
    pages = [panel.source_text.toPlainText()]
    ranges = [view.shown_range]
    while view.later_button.isEnabled():
        qtbot.mouseClick(view.later_button, Qt.MouseButton.LeftButton)
        pages.append(panel.source_text.toPlainText())
        ranges.append(view.shown_range)
    assert len(pages) > 3
    assert all(r[1] == s[0] for r, s in pairwise(ranges))
    assert ranges[-1][1] == len(text)
    assert "".join(pages) == as_shown(text)


@pytest.mark.parametrize("make", [cjk, emoji, many_lines], ids=["cjk", "emoji", "newlines"])
@pytest.mark.parametrize("field", ["title", "summary", "note", "source title"])
def test_a_megabyte_title_or_summary_is_cut_short_and_can_be_read_whole(
    qtbot, open_window, make, field
):
    big = make(1_000_000)
    source = Source(
        "s", "s.txt", big if field == "source title" else "Source", "", "Some quoted words."
    )
    texts = {"title": "Short", "summary": "Summary", "note": "Note"}
    if field in texts:
        texts[field] = big
    huge = Event(
        "e",
        texts["title"],
        day("2020-01-01"),
        "c",
        texts["summary"],
        (cite(source, "quoted words"),),
        note=texts["note"],
        disputed_by=("f",),
    )
    other = Event("f", "Other", day("2020-02-01"), "c", "", (cite(source, "Some"),))
    window = open_window(timeline_of([source], [huge, other]))
    panel = window.panel
    select(qtbot, window, 1)  # the other event: its dispute line names the huge one
    assert panel.dispute_text().startswith("Disputes: ")
    assert len(panel.dispute_text()) < 300
    select(qtbot, window, 0)
    for _ in range(3):  # let the layouts settle
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    assert panel.highlighted_text() == "quoted words"
    labels = {"title": panel.title, "summary": panel.summary, "note": panel.note}
    if field in labels:
        shown = labels[field].text()
        assert len(shown) < 2_100
        assert shown.endswith("…")
        assert big.startswith(shown[:-1].rstrip())
        assert panel.show_all_button.isVisible()
        qtbot.mouseClick(panel.show_all_button, Qt.MouseButton.LeftButton)
        dialog = panel.full_text_dialog
        assert dialog is not None and dialog.isVisible()
        view = dialog.view
        pages = [view.edit.toPlainText()]
        # The dialog shows the start and pages to the end; each page joins the last.
        for _ in range(3):
            qtbot.mouseClick(view.later_button, Qt.MouseButton.LeftButton)
            pages.append(view.edit.toPlainText())
        whole = as_shown(view.text)
        assert whole.startswith("".join(pages))
        assert as_shown(big) in whole
        dialog.close()
    else:
        assert not panel.show_all_button.isVisible()
        assert len(panel.source_title.text()) < 300
        item = panel.citation_list.item(0).text()
        assert len(item) < 400
    assert len(window.statusBar().currentMessage()) < 300


# -- 3. untrusted text in its bidi box -------------------------------------------------------

RLO = "\u202e"


def balanced_isolate(text: str) -> bool:
    """Whether `text` is one bidi isolate, opened first, closed last and never before."""
    if not (text.startswith(FSI) and text.endswith(PDI)):
        return False
    depth = 0
    for k, c in enumerate(text):
        if c in "\u2066\u2067\u2068":
            depth += 1
        elif c == PDI:
            depth -= 1
            if depth == 0 and k != len(text) - 1:
                return False
    return depth == 0


def spoofing_timeline() -> Timeline:
    title = f"Evil {RLO}reversed\u2069 and more"
    a = Source("a", "a.txt", f"Source {RLO}A", "", "Quoted words here.")
    b = Source("b", f"{RLO}b.txt", f"Multi\nline {RLO}B", "", "Other words there.")
    events = [
        Event(
            "e",
            f"Spoof {RLO}1\nsecond line",
            day("2020-01-01"),
            f"cat{RLO}x",
            "",
            (cite(a, "Quoted words"), cite(b, "Other words")),
            disputed_by=("f",),
        ),
        Event("f", f"Liar {RLO}2\u2069\u2069", day("2020-02-01"), "c", "", (cite(a, "words"),)),
    ]
    return Timeline(title, "", {"a": a, "b": b}, {"c": Category("c", "Cat", "#000000")}, events)


def test_the_window_title_keeps_the_file_title_in_an_isolate(qtbot, open_window):
    window = open_window(spoofing_timeline())
    for shown in (window.windowTitle(), window.windowHandle().title()):
        assert shown.endswith(APP_NAME)
        inner = shown[: -len(APP_NAME)]
        assert balanced_isolate(inner), repr(inner)
        assert RLO in inner


def test_status_bar_and_panel_labels_isolate_each_untrusted_text(qtbot, open_window):
    window = open_window(spoofing_timeline())
    panel = window.panel
    select(qtbot, window, 0)
    event = window.timeline.events[0]
    label = event.when.label()
    message = window.statusBar().currentMessage()
    assert message.startswith(f"{label} — {FSI}")
    assert balanced_isolate(message[len(f"{label} — ") :])
    assert "\n" not in message  # a line break would end the isolate with its paragraph
    # The date line: the category's name is isolated after the trusted date.
    date_text = panel.date.text()
    assert date_text.startswith(f"{label} (date known to the day)  ·  ")
    assert balanced_isolate(date_text.split("  ·  ")[1])
    # "Disputed by: …" keeps its verb and the date outside the isolated title.
    other = window.timeline.events[1]
    prefix, rest = "Disputed by: ", panel.dispute_text()
    assert rest.startswith(prefix) and rest.endswith(f" ({other.when.label()})")
    assert balanced_isolate(rest[len(prefix) : -len(f" ({other.when.label()})")])
    # Each citation: the source title on its own line, isolated, then the quote, isolated.
    for k in range(panel.citation_list.count()):
        title_line, quote_line = panel.citation_list.item(k).text().split("\n")
        assert balanced_isolate(title_line)
        assert quote_line.startswith("“") and quote_line.endswith("”")
        assert balanced_isolate(quote_line[1:-1])
        # The source heading above the text: its title, isolated (no file name).
        rect = panel.citation_list.visualItemRect(panel.citation_list.item(k))
        qtbot.mouseClick(
            panel.citation_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
        assert panel.citation_index == k
        assert balanced_isolate(panel.source_title.text())
    # The other event: a title with stray closers cannot close the isolate early.
    select(qtbot, window, 1)
    assert window.statusBar().currentMessage().endswith(isolate(other.title))
    assert balanced_isolate(window.statusBar().currentMessage().split(" — ", 1)[1])
    rest = panel.dispute_text()
    assert rest.startswith("Disputes: ") and balanced_isolate(rest[10 : rest.rindex(" (")])


def test_a_file_name_with_bidi_controls_is_isolated_in_the_error_and_status_bar(
    qtbot, open_window, tmp_path
):
    window = open_window(spoofing_timeline())
    bad = tmp_path / f"{RLO}nosj.evil.json"
    bad.write_text("{not json", encoding="utf-8")
    window.open_path(bad)
    assert window.load_label.text().startswith(f"Loading {isolate(bad.name)}…")
    qtbot.waitUntil(lambda: window.last_error is not None)
    box = window.last_error
    assert box.text().startswith(isolate(str(bad)) + ": ")
    assert box.textFormat() == Qt.TextFormat.PlainText
    box.close()


def test_an_event_citing_100000_passages_lists_them_all_and_steps_through_them(qtbot, open_window):
    text = "".join(f"Passage number {k}. " for k in range(2_000))
    source = Source("s", "s.txt", f"Source {RLO}S", "", text)
    citations = tuple(cite(source, f"Passage number {k % 2_000}.") for k in range(100_000))
    events = [
        Event("e", "Many", day("2020-01-01"), "c", "", citations),
        Event("f", "Next", day("2020-02-01"), "c", "", ()),
    ]
    window = open_window(timeline_of([source], events))
    select(qtbot, window, 0)
    panel = window.panel
    listed = panel.citation_list
    assert listed.count() == 100_000
    assert panel.position.text() == "1 of 100,000"
    assert panel.highlighted_text() == "Passage number 0."
    # The rows in view read as the others do: the source, then the quote, each isolated.
    title_line, quote_line = listed.item(3).text().split("\n")
    assert balanced_isolate(title_line) and balanced_isolate(quote_line[1:-1])
    rect = listed.visualItemRect(listed.item(3))
    qtbot.mouseClick(listed.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.citation_index == 3
    assert panel.highlighted_text() == "Passage number 3."
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert panel.citation_index == 4 and listed.currentRow() == 4
    # The last one is reached, shown and scrolled to.
    qtbot.keyClick(listed, Qt.Key.Key_End)
    assert panel.citation_index == 99_999
    assert panel.highlighted_text() == "Passage number 1999."
    assert listed.viewport().rect().intersects(listed.visualItemRect(listed.item(99_999)))
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert panel.title.text() == "Next"


def test_a_link_shows_its_bidi_controls_and_a_huge_one_is_cut(qtbot, open_window):
    spoof = f"https://evil.example/{RLO}gro.elpmaxe"
    huge = "https://example.org/" + "a" * 1_000_000
    a = Source("a", "a.txt", "A", "", "Quoted words here.", url=spoof)
    b = Source("b", "b.txt", "B", "", "Other words there.", url=huge)
    event = Event("e", "E", day("2020-01-01"), "c", "", (cite(a, "Quoted"), cite(b, "Other")))
    window = open_window(timeline_of([a, b], [event]))
    select(qtbot, window, 0)
    panel = window.panel
    assert panel.source_link.text() == "https://evil.example/<U+202E>gro.elpmaxe"
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    shown = panel.source_link.text()
    assert shown.endswith("…") and huge.startswith(shown[:-1]) and len(shown) < 3_000
    assert panel.open_link_button.isEnabled()  # the button opens the whole address
