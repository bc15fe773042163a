"""The honest picture: each precision keeps its own mark at every zoom and width, the legend shows
exactly the marks drawn, labels never cross a band's edge or each other, and axis labels are never
cut. Checked on the renderer's list of marks and on the pixels of real exports."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPointF, QSizeF
from PySide6.QtGui import QColor, QImage, QPainter

from viewer.export import export_timeline
from viewer.model.dates import SECONDS_PER_DAY, DateSpan, parse_date
from viewer.model.scale import MAX_VISIBLE_SECONDS, TimeScale
from viewer.model.scene import GLYPH_PX, KIND_TEXT, PALE_END_TEXT, MarkKind, crosses
from viewer.model.timeline import Category, Citation, Event, Timeline
from viewer.render import PUBLICATION, SCREEN, TimelineRenderer

COLOR = "#0072B2"
# One event of each precision, and ranges with exact, imprecise and touching ends.
EVENTS = {
    "day": ("2022-04-22", None, MarkKind.DAY),
    "month": ("2021-04", None, MarkKind.MONTH),
    "year": ("2019", None, MarkKind.YEAR),
    "range-exact": ("2022-02-24", "2022-03-10", MarkKind.RANGE),
    "range-months": ("2023-08", "2024-07", MarkKind.RANGE),
    "range-years": ("2015", "2016", MarkKind.RANGE),
}
WIDTHS = (400, 800, 1600, 4000)
HOUR = 3600.0


def make_timeline(events=EVENTS) -> Timeline:
    return Timeline(
        title="Precision",
        description="",
        sources={},
        categories={"c": Category("c", "Things", COLOR)},
        events=[
            Event(
                id=eid,
                title=f"The {eid} event",
                when=DateSpan(parse_date(a), parse_date(b) if b else None),
                category="c",
                summary="",
                citations=(Citation("s", "q", None),),
            )
            for eid, (a, b, _kind) in events.items()
        ],
    )


def zooms(width: float) -> list[float]:
    """Twelve seconds-per-pixel values from the whole calendar down to an hour per pixel."""
    top = MAX_VISIBLE_SECONDS / width
    return [top * (HOUR / top) ** (k / 11) for k in range(12)]


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return make_timeline()


def frame_for(renderer, scale, width, deco=SCREEN, height=900.0):
    return renderer.frame(QSizeF(width, height), deco, scale)


@pytest.mark.parametrize("width", WIDTHS)
def test_each_precision_keeps_its_mark_and_the_legend_names_it(qapp, timeline, width):
    renderer = TimelineRenderer(timeline)
    for spp in zooms(width):
        for eid, (_a, _b, kind) in EVENTS.items():
            i = timeline.index_of(eid)
            e = timeline.events[i]
            scale = TimeScale(e.start - width * spp / 3, spp, width).clamped()
            frame = frame_for(renderer, scale, width)
            marks = {m.event: m for m in renderer.scene(scale, frame)}
            mark = marks[i]
            assert mark.kind is kind, (eid, spp)
            period_px = (e.end - e.start) / scale.spp
            assert mark.narrow == (period_px < GLYPH_PX), (eid, spp)
            if mark.narrow:
                assert mark.rect[2] == pytest.approx(GLYPH_PX)
            if kind is not MarkKind.RANGE or mark.narrow:
                assert mark.glyph is not None and mark.glyph[2] == GLYPH_PX  # its precision's
            legend = renderer.legend_items(scale, width)
            entries = [item for item in legend if item.kind == kind.value]
            assert entries and entries[0].text == KIND_TEXT[kind], (eid, spp)
            assert ("glyph" if mark.narrow else "band") in entries[0].samples
            if mark.pale_ends:
                assert any(item.text == PALE_END_TEXT for item in entries)


def test_the_legend_shows_only_the_marks_in_view(qapp, timeline):
    renderer = TimelineRenderer(timeline)
    width = 1200
    # Zoomed to days over 20-25 April 2022: the day event only (the month and year events are
    # off the view), as a wide day.
    a = parse_date("2022-04-20").start
    scale = TimeScale(a, 5 * SECONDS_PER_DAY / width, width)
    marks = {k.value for k in MarkKind}
    kinds = {item.kind for item in renderer.legend_items(scale, width) if item.kind in marks}
    assert kinds == {MarkKind.DAY.value}
    day = next(item for item in renderer.legend_items(scale, width) if item.kind == "day")
    assert day.samples == ("band",)
    # The whole timeline: every kind is in view.
    fitted = renderer.fit_scale(width)
    kinds = {item.kind for item in renderer.legend_items(fitted, width) if item.kind in marks}
    assert kinds == marks


def test_range_ends_known_to_the_month_are_pale_and_the_certain_part_solid(qapp, timeline):
    renderer = TimelineRenderer(timeline)
    i = timeline.index_of("range-months")
    e = timeline.events[i]
    width = 1600
    scale = TimeScale(e.start - 30 * SECONDS_PER_DAY, 500 * SECONDS_PER_DAY / width, width)
    mark = next(m for m in renderer.scene(scale, frame_for(renderer, scale, width)) if m.event == i)
    assert mark.pale_ends
    core_a, core_b = mark.core
    assert core_a == pytest.approx(scale.x_of(parse_date("2023-09").start))
    assert core_b == pytest.approx(scale.x_of(parse_date("2024-07").start))
    exact = timeline.index_of("range-exact")
    scale = TimeScale(timeline.events[exact].start - SECONDS_PER_DAY, 30 * 86400 / width, width)
    mark = next(
        m for m in renderer.scene(scale, frame_for(renderer, scale, width)) if m.event == exact
    )
    assert not mark.pale_ends
    assert mark.core == pytest.approx((mark.rect[0], mark.rect[0] + mark.rect[2]))


# -- pixels ----------------------------------------------------------------------------------


def glyph_shape(image: QImage, glyph) -> str:
    """What the pixels of a glyph's square show: 'diamond' (filled centre, empty corners),
    'circle' (hollow centre, empty corners), 'square' (hollow centre, inked corners) or 'bar'
    (filled centre, empty top and bottom)."""
    x, y, w, h = glyph
    ink = QColor(COLOR)

    def inked(px: float, py: float) -> bool:
        c = QColor(image.pixel(int(px), int(py)))
        # Inked: much closer to the category colour than to white.
        d_ink = sum(abs(a - b) for a, b in zip(c.getRgb()[:3], ink.getRgb()[:3], strict=True))
        d_white = sum(abs(a - 255) for a in c.getRgb()[:3])
        return d_ink < d_white

    centre = inked(x + w / 2, y + h / 2)
    corner = inked(x + 1.5, y + 1.5) and inked(x + w - 2, y + h - 2)
    top = inked(x + w / 2, y + 1)
    ring = inked(x + 1.2, y + h / 2) and inked(x + w / 2, y + 1.2)
    if centre and top and not corner:
        return "diamond"
    if centre and not top:
        return "bar"
    if not centre and corner:
        return "square"
    if not centre and ring:
        return "circle"
    return "unknown"


SHAPES = {MarkKind.DAY: "diamond", MarkKind.MONTH: "circle", MarkKind.YEAR: "square"}


def paint(renderer, scale, width, height=700) -> tuple[QImage, object]:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    frame = renderer.paint(painter, QSizeF(width, height), scale)
    painter.end()
    return image, frame


@pytest.mark.parametrize("width", [600, 4000])
def test_exported_png_draws_each_precision_with_its_glyph(qapp, timeline, tmp_path, width):
    path = tmp_path / f"p{width}.png"
    renderer = TimelineRenderer(timeline)
    plan = export_timeline(timeline, path, width=width, renderer=renderer)
    image = QImage(str(path))
    assert image.width() == width
    frame = renderer.frame(QSizeF(plan.width, plan.height), PUBLICATION, plan.scale)
    checked = set()
    for mark in renderer.scene(plan.scale, frame):
        if mark.glyph is None:
            continue
        want = SHAPES.get(mark.kind, "bar")
        assert glyph_shape(image, mark.glyph) == want, (mark.kind, mark.glyph)
        checked.add(mark.kind)
    assert checked >= {MarkKind.DAY, MarkKind.MONTH, MarkKind.YEAR}


def test_zoomed_to_hours_a_day_still_reads_as_a_day_and_a_month_as_a_month(qapp, timeline):
    renderer = TimelineRenderer(timeline)
    width = 1200
    day = timeline.index_of("day")
    start = timeline.events[day].start
    scale = TimeScale(start - 6 * HOUR, 2 * SECONDS_PER_DAY / width, width)
    image, frame = paint(renderer, scale, width)
    mark = next(m for m in renderer.scene(scale, frame) if m.event == day)
    assert not mark.narrow and mark.rect[2] == pytest.approx(SECONDS_PER_DAY / scale.spp)
    assert glyph_shape(image, mark.glyph) == "diamond"
    # The day's width is drawn: inked at both of its ends, not beyond.
    x, y, w, h = mark.rect
    row = y + h / 2
    assert QColor(image.pixel(int(x + 3), int(row))) != QColor("#FFFFFF")
    assert QColor(image.pixel(int(x + w - 3), int(row))) != QColor("#FFFFFF")
    assert QColor(image.pixel(int(x + w + 3), int(row))) == QColor("#FFFFFF")
    # Over a month known only to the month, zoomed in to days: a band with its circle.
    month = timeline.index_of("month")
    start = timeline.events[month].start
    scale = TimeScale(start + 10 * SECONDS_PER_DAY, 5 * SECONDS_PER_DAY / width, width)
    image, frame = paint(renderer, scale, width)
    mark = next(m for m in renderer.scene(scale, frame) if m.event == month)
    assert not mark.narrow and mark.rect[0] < 0  # it starts off the view
    assert mark.glyph[0] >= 0  # its glyph is pinned in view
    assert glyph_shape(image, mark.glyph) == "circle"
    assert mark.label and 0 <= mark.label_rect[0] <= 40  # so is its label


# -- labels ----------------------------------------------------------------------------------


def assert_labels_clear(renderer, scale, frame) -> int:
    """No drawn label crosses a band's edge or another label; returns how many were drawn."""
    marks = renderer.scene(scale, frame)
    drawn = [m for m in marks if m.label]
    for m in drawn:
        for other in marks:
            if not other.narrow:
                assert not crosses(other.rect, m.label_rect), (m.label, other.event)
        for other in drawn:
            if other is not m:
                ax, ay, aw, ah = m.label_rect
                bx, by, bw, bh = other.label_rect
                overlap = ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
                assert not overlap, (m.label, other.label)
        # '(disputed)' never stands without its title.
        assert m.label.replace("(disputed)", "").strip("\u2068\u2069 ")
    return len(drawn)


@pytest.mark.parametrize("width", WIDTHS)
def test_labels_never_cross_a_band_edge_or_each_other(qapp, builtin, width):
    renderer = TimelineRenderer(builtin)
    fitted = renderer.fit_scale(width)
    drawn = 0
    for spp in [fitted.spp * f for f in (1, 0.5, 0.2, 0.05, 0.01, 0.002)] + zooms(width)[:4]:
        for k in range(len(builtin.events)):
            e = builtin.events[k]
            scale = TimeScale(e.start - width * spp / 2, spp, width).clamped()
            drawn += assert_labels_clear(renderer, scale, frame_for(renderer, scale, width))
    assert drawn > 100


def test_a_fitted_export_shows_every_label_whole(qapp, builtin, tmp_path):
    for width in (400, 600, 1600, 4000):
        renderer = TimelineRenderer(builtin)
        plan = export_timeline(builtin, tmp_path / f"w{width}.png", width=width, renderer=renderer)
        frame = renderer.frame(QSizeF(plan.width, plan.height), PUBLICATION, plan.scale)
        marks = renderer.scene(plan.scale, frame)
        assert len(marks) == len(builtin.events)
        for m in marks:
            assert m.label, m.event
            x, y, w, h = m.label_rect
            assert x >= 0 and x + w <= width, (width, m.label)
            assert frame.rows_top <= y and y + h <= frame.rows_bottom
        assert_labels_clear(renderer, plan.scale, frame)


@pytest.mark.parametrize("width", WIDTHS)
def test_axis_labels_are_never_cut(qapp, builtin, width):
    renderer = TimelineRenderer(builtin)
    start = builtin.extent[0]
    for spp in zooms(width):
        for shift in (0.0, 0.37, 0.81):
            scale = TimeScale(start - width * spp * shift, spp, width).clamped()
            labels = renderer.axis_labels(scale, width)
            assert labels, spp
            for text, x, w, _context in labels:
                assert x >= 0 and x + w <= width, (text, x, w, spp)


def test_a_mark_is_hit_where_it_is_drawn(qapp, timeline):
    renderer = TimelineRenderer(timeline)
    width = 1600
    scale = renderer.fit_scale(width)
    frame = frame_for(renderer, scale, width)
    for m in renderer.scene(scale, frame):
        x, y, w, h = m.rect
        assert renderer.hit_test(QPointF(x + w / 2, y + h / 2), scale, frame) == m.event
        lx, ly, lw, lh = m.label_rect
        assert renderer.hit_test(QPointF(lx + lw / 2, ly + lh / 2), scale, frame) == m.event


def test_long_titles_and_many_sources_fit_the_export(qapp, tmp_path):
    from viewer.model.timeline import Source

    sources = {
        f"s{k}": Source(f"s{k}", f"s{k}.txt", f"Source number {k}", "", "text") for k in range(5000)
    }
    timeline = Timeline(
        title="A very long title " * 40,
        description="",
        sources=sources,
        categories={"c": Category("c", "Things", COLOR)},
        events=[
            Event("e", "E", DateSpan(parse_date("2020")), "c", "", (Citation("s0", "t", (0, 1)),))
        ],
    )
    renderer = TimelineRenderer(timeline)
    footer = renderer.footer_text(800)
    assert footer.startswith("Sources: ") and footer.endswith("more")
    assert "4,9" in footer  # '… and 4,9xx more'
    plan = export_timeline(timeline, tmp_path / "long.png", width=800, renderer=renderer)
    assert plan.height < 400  # the footer takes a few lines, not thousands
    assert math.isfinite(plan.scale.spp)


def test_the_legend_keeps_to_the_rows_scrolled_into_view(qapp, builtin):
    renderer = TimelineRenderer(builtin)
    width = 1600
    scale = renderer.fit_scale(width)
    frame = frame_for(renderer, scale, width)
    marks = renderer.scene(scale, frame)
    rows: dict[int, set[str]] = {}
    for m in marks:
        row = round((m.rect[1] - frame.rows_top - (30 - 18) / 2) / 30)
        rows.setdefault(row, set()).add(m.kind.value)
    assert len(rows) > 3
    for row, kinds in rows.items():
        legend = renderer.legend_items(scale, width, rows=(row, row))
        assert {i.kind for i in legend if i.kind in {k.value for k in MarkKind}} == kinds
    everything = {i.kind for i in renderer.legend_items(scale, width)}
    assert everything >= set().union(*rows.values())


def test_the_built_in_timeline_reads_in_time_order_at_every_zoom(qapp, builtin):
    from test_layout import assert_reads_in_time_order

    renderer = TimelineRenderer(builtin)
    for width in WIDTHS:
        fitted = renderer.fit_scale(width)
        for spp in [fitted.spp * f for f in (1, 0.3, 0.05, 0.002)] + zooms(width)[:3]:
            lay = renderer.layout(TimeScale(fitted.t0, spp, width), width)
            placed = [lay.placed[i] for i in sorted(lay.placed)]
            assert_reads_in_time_order(placed)


def test_a_long_title_is_elided_to_the_export_width(qapp, tmp_path):
    import xml.etree.ElementTree as ET

    title = "A very long title that goes on " * 20
    timeline = Timeline(
        title=title,
        description="",
        sources={},
        categories={"c": Category("c", "Things", COLOR)},
        events=[Event("e", "E", DateSpan(parse_date("2020")), "c", "", ())],
    )
    path = tmp_path / "t.svg"
    export_timeline(timeline, path, width=600)
    texts = [
        "".join(t.itertext()) for t in ET.parse(path).getroot().iter() if t.tag.endswith("text")
    ]
    drawn = next(t for t in texts if t.strip("\u2068\u2069").startswith("A very long title"))
    assert drawn.rstrip("\u2069").endswith("…") and len(drawn) < len(title) / 2


def test_labels_read_in_runs_from_the_file_equal_those_of_the_events(qapp, tmp_path):
    """A busy view's labels and mark kinds are read from the store's facts in runs, without
    making each event: they must be exactly what the events themselves give."""
    from benchmarks.make_timeline import make_timeline as generate
    from viewer.model.loader import load_timeline

    timeline = load_timeline(generate(tmp_path / "t.json", 3000, seed=4, shape="bursty"))
    fast, slow = TimelineRenderer(timeline), TimelineRenderer(timeline)
    ids = [*range(0, 3000, 2), 2999]
    fast._read_labels(ids)
    assert all(i in fast._labels for i in ids)  # read in runs, not left to _label()
    for i in ids:
        assert fast._label(i) == slow._label(i)
        assert fast._width(i) == slow._width(i)
        assert fast.kind(i) == slow.kind(i)
        assert fast._core(i) == slow._core(i)
    assert any(k is MarkKind.RANGE for k in map(fast.kind, ids))
    assert any("(disputed)" in fast._label(i) for i in ids)


def test_the_rows_in_sight_hold_exactly_the_marks_of_the_whole_scene_there(qapp, tmp_path):
    """Painting and hit tests read only the rows in sight, row by row: at every scroll they
    must get the same marks as the whole scene has in those rows."""
    from benchmarks.make_timeline import make_timeline as generate
    from viewer.model.loader import load_timeline
    from viewer.render import BAR_HEIGHT, ROW_HEIGHT

    timeline = load_timeline(generate(tmp_path / "t.json", 6000, seed=8, shape="bursty"))
    renderer = TimelineRenderer(timeline)
    starts = renderer.index.starts
    busiest = max(
        range(0, 6000, 10),
        key=lambda i: renderer.index.count_starting(starts[i], starts[i] + 2 * 86_400),
    )
    scale = TimeScale(starts[busiest], 2 * 86_400 / 1100, 1100)
    frame = frame_for(renderer, scale, 1100, height=600)
    lay = renderer.layout(scale, 1100)
    assert lay.rows * ROW_HEIGHT > 3 * (frame.rows_bottom - frame.rows_top)  # rows to scroll
    for y_offset in (0.0, 250.0, 1000.0, lay.rows * ROW_HEIGHT / 2):
        whole = renderer.scene(scale, frame, y_offset)
        seen = renderer.scene(scale, frame, y_offset, seen_only=True)
        near = [
            m
            for m in whole
            # The row's top, from the bar's (centred in its row).
            if frame.rows_top - 2 * ROW_HEIGHT
            < m.rect[1] - (ROW_HEIGHT - BAR_HEIGHT) / 2
            < frame.rows_bottom + ROW_HEIGHT
        ]
        assert [m.event for m in seen] == [m.event for m in near]
        assert seen == near
