"""Untrusted content: markup in a timeline's texts is shown as itself everywhere, nothing it
names is fetched, and a source's link opens only on a click, and only if it is http or https.

The texts point their <img> tags at a local HTTP server that counts requests; it must get none.
"""

from __future__ import annotations

import json
import threading
import urllib.request
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pypdf
import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImageReader, QTextDocument
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QToolTip

from viewer.model.loader import TimelineError, load_timeline
from viewer.model.text import isolate
from viewer.source_panel import web_link

# -- a server that counts what is fetched ---------------------------------------------------


class _Counter(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    """A local HTTP server; `server.requests` lists the paths asked for."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    # The counter counts: one request of our own, then a clean slate.
    port = httpd.server_address[1]
    urllib.request.urlopen(f"http://127.0.0.1:{port}/probe", timeout=10).close()
    assert httpd.requests == ["/probe"]
    httpd.requests.clear()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(10)


def payload(port: int, field: str) -> str:
    """Markup that would fetch /FIELD.png, bolden, or run a script if it were interpreted."""
    return (
        f'<b>bold</b> <img src="http://127.0.0.1:{port}/{field}.png"> '
        "<script>alert(1)</script> &amp; &lt;i&gt;"
    )


def write_timeline(folder, port: int, urls=("https://example.org/x", "", "")):
    """A timeline whose every text carries markup. Events in time order: `deal`, `denial`, `late`.

    Source `a` (cited by `deal`) has urls[0]; `b` (cited by `deal` too) urls[1]; `c` (`late`)
    urls[2].
    """
    sources = folder / "sources"
    sources.mkdir()
    texts = {}
    for sid in "abc":
        texts[sid] = (
            f"Article {sid}. {payload(port, 'text-' + sid)}\n"
            f"On 3 May 2021 the <i>bridge</i> & tunnel were closed ({sid}).\n"
        )
        (sources / f"{sid}.txt").write_text(texts[sid], encoding="utf-8")
    doc = {
        "version": 1,
        "title": f"Timeline [*] <i>it</i> {payload(port, 'title')}",
        "description": f"About {payload(port, 'description')}",
        "categories": [{"id": "works", "label": f"Works <u>&amp;</u> {payload(port, 'cat')}"}],
        "sources": [
            {
                "id": sid,
                "file": f"sources/{sid}.txt",
                "title": f"Source {sid} <b>{sid}</b> &amp;",
                "description": f"Described {payload(port, 'sdesc-' + sid)}",
                **({"url": url} if url else {}),
            }
            for sid, url in zip("abc", urls, strict=True)
        ],
        "events": [
            {
                "id": "deal",
                "title": "Deal <b>bold</b> &amp; <script>x</script>",
                "date": "2021-05-03",
                "category": "works",
                "summary": f"Summary {payload(port, 'summary')}",
                "note": f"Note {payload(port, 'note')}",
                "citations": [
                    {"source": "a", "quote": "the <i>bridge</i> & tunnel were closed (a)"},
                    {"source": "b", "quote": "the <i>bridge</i> & tunnel were closed (b)"},
                ],
            },
            {
                "id": "denial",
                "title": f'<img src="http://127.0.0.1:{port}/e2.png">',
                "date": "2022-06-01",
                "category": "works",
                "summary": "A denial.",
                "disputed_by": ["deal"],
                "citations": [{"source": "a", "quote": "Article a."}],
            },
            {
                "id": "late",
                "title": "Late <a href='http://127.0.0.1/'>link</a>",
                "date": "2023-01-10",
                "category": "works",
                "summary": "Later.",
                "citations": [{"source": "c", "quote": "Article c."}],
            },
        ],
    }
    path = folder / "timeline.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path, doc, texts


@pytest.fixture
def opened(tmp_path, server, open_window, monkeypatch):
    """The window on the hostile timeline, with QDesktopServices.openUrl recorded, not run."""
    opened_urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened_urls.append(url) or True)
    path, doc, texts = write_timeline(tmp_path, server.server_address[1])
    timeline = load_timeline(path)
    win = open_window(timeline)
    return win, timeline, doc, texts, opened_urls


def click_event(qtbot, win, timeline, event_id: str) -> None:
    view = win.view
    i = timeline.index_of(event_id)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.marker_center(i).toPoint())
    assert view.selected_index == i


def shown_as(text: str) -> str:
    """What Qt shows for `text` in a tooltip or an AutoText label: it renders it as rich text
    when Qt.mightBeRichText says so."""
    doc = QTextDocument()
    if QtGuiNamespace.mightBeRichText(text):
        doc.setHtml(text)
    else:
        doc.setPlainText(text)
    return doc.toPlainText()


def hover_tooltip(qtbot, widget, pos) -> str:
    """Move the mouse to `pos` over `widget` and return the text the tooltip shows."""
    QToolTip.hideText()
    # On a real display the last tooltip may take a moment to go; wait, or its text is read.
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    qtbot.mouseMove(widget, pos)
    qtbot.waitUntil(QToolTip.isVisible)
    return shown_as(QToolTip.text())


def svg_text(path) -> tuple[str, set[str], ET.Element]:
    root = ET.parse(path).getroot()
    tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    words = " ".join(" ".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
    return " ".join(words.split()), tags, root


def one_line(text: str) -> str:
    return " ".join(text.split())


# -- the panel, the status bar, the window title -------------------------------------------


def test_the_panel_shows_every_text_literally(qtbot, opened, server):
    win, timeline, doc, texts, _ = opened
    panel = win.panel
    deal = doc["events"][0]
    click_event(qtbot, win, timeline, "deal")

    assert panel.title.text() == deal["title"]
    assert panel.summary.text() == deal["summary"]
    assert panel.note.text() == deal["note"]
    # Texts that sit next to other text are in bidi isolates (tests/test_trust_panel.py).
    assert panel.date.text().endswith(isolate(doc["categories"][0]["label"]))
    assert panel.dispute_text().startswith(f"Disputes: {isolate(doc['events'][1]['title'])} (")
    source = doc["sources"][0]
    assert panel.source_title.text() == isolate(source["title"])  # named by its title alone
    assert panel.source_description.text() == source["description"]
    assert panel.source_text.toPlainText() == texts["a"]
    assert panel.highlighted_text() == deal["citations"][0]["quote"]
    items = [panel.citation_list.item(i).text() for i in range(panel.citation_list.count())]
    assert items[0].startswith(f"{isolate(source['title'])}\n")
    assert f"“{isolate('the <i>bridge</i> & tunnel were closed (a)')}”" in items[0]
    # Every label in the panel is plain text: none would render markup or fetch an image. The
    # dispute lines are links, so rich text, with every title in them escaped.
    for label in panel.findChildren(QLabel):
        if label is panel.dispute:
            assert "<img" not in label.text() and "<i>" not in label.text()
            continue
        if "<" in label.text() or "&" in label.text():
            assert label.textFormat() == Qt.TextFormat.PlainText, label.text()

    # The other event, whose title is an <img>, and its dispute line.
    click_event(qtbot, win, timeline, "denial")
    assert panel.title.text() == doc["events"][1]["title"]
    assert panel.title.textFormat() == Qt.TextFormat.PlainText
    assert panel.dispute_text().startswith(f"Disputed by: {isolate(deal['title'])} (")
    assert server.requests == []


def test_an_auto_text_label_would_have_rendered_the_markup(qapp):
    # The check above is meaningful: Qt does take these texts for rich text.
    title = "Deal <b>bold</b> &amp; <script>x</script>"
    assert shown_as(title) != title
    label = QLabel(title)
    assert label.textFormat() == Qt.TextFormat.AutoText


def test_status_bar_and_window_title_show_the_texts_literally(qtbot, opened, server):
    win, timeline, doc, _, _ = opened
    # "[*]" is Qt's placeholder for unsaved changes; the title must keep it.
    assert win.windowHandle().title() == f"{isolate(doc['title'])} — Timeline viewer"
    qtbot.keyClick(win.view, Qt.Key.Key_Right)
    event = timeline.event("deal")
    title = isolate(doc["events"][0]["title"])
    assert win.statusBar().currentMessage() == f"{event.when.label()} — {title}"
    qtbot.keyClick(win.view, Qt.Key.Key_Right)
    assert win.statusBar().currentMessage().endswith(f" — {isolate(doc['events'][1]['title'])}")
    # The status bar paints its message with QPainter.drawText (plain); no label shows data.
    for label in win.statusBar().findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert server.requests == []


def test_tooltips_show_titles_literally(qtbot, opened, server):
    win, timeline, doc, _, _ = opened
    view = win.view
    for k, event_id in enumerate(("deal", "denial", "late")):
        i = timeline.index_of(event_id)
        shown = hover_tooltip(qtbot, view, view.marker_center(i).toPoint())
        title = doc["events"][k]["title"]
        assert shown.splitlines()[0] == isolate(title)  # isolated, shown literally
        assert shown.splitlines()[1] == timeline.event(event_id).when.label()
    assert server.requests == []


def test_cluster_tooltips_show_the_category_literally(qtbot, tmp_path, server, open_window):
    # Past 300 events in view, lanes of clusters: the tooltip names the lane's category.
    port = server.server_address[1]
    (tmp_path / "s.txt").write_text("Quoted.", encoding="utf-8")
    label = f"Lane <b>x</b> {payload(port, 'lane')}"
    doc = {
        "version": 1,
        "title": "Many",
        "categories": [{"id": "c", "label": label}],
        "sources": [{"id": "s", "file": "s.txt", "title": "S"}],
        "events": [
            {
                "id": f"e{n}",
                "title": f"E{n}",
                "date": f"2020-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "category": "c",
                "summary": "s",
                "citations": [{"source": "s", "quote": "Quoted."}],
            }
            for n in range(360)
        ],
    }
    path = tmp_path / "many.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    win = open_window(load_timeline(path))
    clusters = [(r, c) for r, c in win.view.visible_clusters() if c.count > 1]
    assert clusters, "the view should show clusters"
    rect, cluster = clusters[0]
    shown = hover_tooltip(qtbot, win.view, rect.center().toPoint())
    assert shown.splitlines()[0] == f"{cluster.count:,} events ({isolate(label)})"
    assert server.requests == []


# -- exports ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".svg", ".pdf", ".png"])
def test_exports_keep_the_texts_as_text(qtbot, opened, server, tmp_path, monkeypatch, suffix):
    win, _, doc, _, _ = opened
    out = tmp_path / f"out{suffix}"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    win.export_action.trigger()
    win.export_box.browse_button.click()
    win.export_box.export_button.click()
    assert win.last_error is None
    assert win.statusBar().currentMessage() == f"Exported {out}"
    wanted = [
        doc["title"],
        doc["description"],
        doc["categories"][0]["label"],
        *(e["title"] for e in doc["events"]),
        *(s["title"] for s in doc["sources"]),
    ]
    if suffix == ".svg":
        words, tags, root = svg_text(out)
        for text in wanted:
            assert one_line(text) in words, text
        # Only SVG's own elements: no <img>, <script>, <b> or <a> from the data.
        assert not tags & {"img", "image", "script", "b", "i", "u", "a", "foreignObject"}
        title = root.find("{http://www.w3.org/2000/svg}title")
        assert title is not None and title.text == doc["title"]
    elif suffix == ".pdf":
        reader = pypdf.PdfReader(str(out))
        words = one_line(reader.pages[0].extract_text())
        for text in wanted:
            assert one_line(text) in words, text
        assert reader.metadata.title == doc["title"]
    else:
        reader = QImageReader(str(out))
        assert reader.format().data() == b"png"
        assert not reader.read().isNull()
    assert server.requests == []


def test_control_characters_in_a_title_still_give_valid_svg(qapp, tmp_path):
    from viewer.export import export_timeline

    path, doc, _ = write_timeline(tmp_path, 9)
    doc["title"] = "Bell\x07 and \x01 form\x0cfeed \ufffe end"
    doc["events"][0]["title"] = "Tab\there, escape \x1b[31m"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "t.svg"
    export_timeline(load_timeline(path), out)
    words, _, root = svg_text(out)  # ET.parse raises on a character XML does not allow
    assert (
        "Bell\ufffd and \ufffd form\ufffdfeed \ufffd end"
        in root.find("{http://www.w3.org/2000/svg}title").text
    )
    assert "escape \ufffd[31m" in words


# -- links ------------------------------------------------------------------------------------


def test_an_https_link_opens_only_when_clicked(qtbot, opened):
    win, timeline, _, _, opened_urls = opened
    panel = win.panel
    assert not panel.open_link_button.isVisible()  # nothing selected: no link
    click_event(qtbot, win, timeline, "deal")  # its first citation is source a
    assert panel.source_link.isVisible()
    assert panel.source_link.text() == "https://example.org/x"
    assert panel.open_link_button.isEnabled()
    assert opened_urls == []  # loading and selecting open nothing
    qtbot.mouseClick(panel.open_link_button, Qt.MouseButton.LeftButton)
    assert opened_urls == [QUrl("https://example.org/x")]
    # Source b has no url: the link row is hidden.
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert panel.citation_index == 1
    assert not panel.source_link.isVisible()
    assert not panel.open_link_button.isVisible()
    assert opened_urls == [QUrl("https://example.org/x")]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("javascript:alert(1)", "this is a javascript: link"),
        ("file:///etc/passwd", "this is a file: link"),
        ("data:text/html,<script>alert(1)</script>", "this is a data: link"),
        ("ftp://example.org/x", "this is a ftp: link"),
        ("https:example.org", "names no host"),
        ("example.org/x", "not a web address"),
        ("<b>https://example.org</b>", "not a web address"),
    ],
)
def test_other_links_are_shown_but_cannot_be_opened(
    qtbot, tmp_path, server, open_window, monkeypatch, url, why
):
    opened_urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda u: opened_urls.append(u) or True)
    path, _, _ = write_timeline(tmp_path, server.server_address[1], urls=("", "", url))
    timeline = load_timeline(path)
    win = open_window(timeline)
    panel = win.panel
    click_event(qtbot, win, timeline, "late")  # cites source c
    assert panel.source_link.isVisible()
    assert panel.source_link.text() == url
    assert not panel.open_link_button.isEnabled()
    assert why in panel.open_link_button.toolTip()
    qtbot.mouseClick(panel.open_link_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(panel.source_link, Qt.Key.Key_Return)
    assert panel.open_link() is False
    assert opened_urls == []
    assert server.requests == []


@pytest.mark.parametrize(
    ("text", "opens"),
    [
        ("https://example.org/x", "https://example.org/x"),
        ("HTTP://Example.org/a?b=c#d", "http://example.org/a?b=c#d"),
        ("  https://example.org/  ", "https://example.org/"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("file:///etc/passwd", None),
        ("http://", None),
        ("https://exa mple.org", None),
        ("", None),
    ],
)
def test_web_link(text, opens):
    url, why = web_link(text)
    assert (url.toString() if url is not None else None) == opens
    assert why


def test_the_loader_takes_a_url_that_is_a_string_and_nothing_else(tmp_path):
    path, doc, _ = write_timeline(tmp_path, 9, urls=("javascript:alert(1)", "", ""))
    timeline = load_timeline(path)
    assert timeline.sources["a"].url == "javascript:alert(1)"  # kept; the panel decides
    assert timeline.sources["b"].url == ""
    doc["sources"][1]["url"] = 5
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(TimelineError) as err:
        load_timeline(path)
    assert str(err.value) == f"{path}: sources[1].url: expected a string, found a number"


def test_nothing_is_fetched_while_the_window_shows_the_timeline(qtbot, opened, server):
    win, _, _, _, opened_urls = opened
    for _ in range(3):
        qtbot.keyClick(win.view, Qt.Key.Key_Right)
        qtbot.keyClick(win.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    win.grab()  # paints every widget
    QApplication.processEvents()
    assert server.requests == []
    assert opened_urls == []
