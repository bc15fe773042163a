"""The theme model: WCAG contrast ratios, the light and dark sets, themes from a palette's
colours, and the text alternatives of a picture (no Qt)."""

from __future__ import annotations

import pytest

from viewer.model.describe import alt_text, event_name, events_in_span, one_line, summary_line
from viewer.model.theme import (
    DARK,
    LIGHT,
    TEXT_CONTRAST,
    contrast_ratio,
    relative_luminance,
    theme_for,
    with_contrast,
)
from viewer.model.timeline import PALETTE


def test_contrast_ratio_matches_wcag():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    # WCAG's own examples: #777777 on white is just under 4.5:1, #767676 just over.
    assert contrast_ratio("#777777", "#FFFFFF") < 4.5 < contrast_ratio("#767676", "#FFFFFF")
    assert relative_luminance("#FF0000") == pytest.approx(0.2126)
    assert contrast_ratio("#123456", "#ABCDEF") == contrast_ratio("#ABCDEF", "#123456")


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_every_highlight_keeps_aa_contrast_with_the_text(theme):
    for name in ("selection", "match", "quote", "hover", "background"):
        assert contrast_ratio(getattr(theme, name), theme.text) >= TEXT_CONTRAST, name
    for name in ("muted", "warning", "disputed"):
        assert contrast_ratio(getattr(theme, name), theme.background) >= TEXT_CONTRAST, name


def test_dark_lifts_category_colours_that_would_vanish_and_light_keeps_the_files():
    assert DARK.dark and not LIGHT.dark
    for color in PALETTE:
        assert contrast_ratio(DARK.category(color), DARK.background) >= 3.0, color
        assert LIGHT.category(color) == color
    assert DARK.category("#000000") != "#000000"
    assert DARK.category("#56B4E9") == "#56B4E9"  # stands out already


def test_with_contrast_moves_a_colour_only_as_far_as_needed():
    assert with_contrast("#FFE58A", "#000000", 4.5) == "#FFE58A"
    # Pale yellow behind white text must darken until white text reads on it.
    dark_enough = with_contrast("#FFE58A", "#FFFFFF", 4.5)
    assert 4.5 <= contrast_ratio(dark_enough, "#FFFFFF") < 4.8
    # Nothing reaches 21:1 against mid-grey: the most there is (black) is returned.
    assert with_contrast("#808080", "#808080", 21) in ("#000000", "#FFFFFF")


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#FFFFFF", "#000000"),  # Fusion light
        ("#2D2D2D", "#FFFFFF"),  # Breeze Dark-like
        ("#000000", "#FFFF00"),  # a high-contrast theme
        ("#FFFFFF", "#3C3C3C"),
        ("#31363B", "#EFF0F1"),
        ("#F0F0F0", "#F0F0F0"),  # a broken palette: text the colour of its background
    ],
)
def test_a_theme_from_any_palette_keeps_its_highlights_readable(background, text):
    for high_contrast in (False, True):
        theme = theme_for(background=background, text=text, high_contrast=high_contrast)
        assert theme.background == background and theme.text == text
        for name in ("selection", "match", "quote"):
            ratio = contrast_ratio(getattr(theme, name), theme.text)
            # At least AA; when the text colour itself is too pale or dark for that, the most
            # there is (black or white behind it).
            assert ratio >= TEXT_CONTRAST or getattr(theme, name) in ("#000000", "#FFFFFF")


def test_a_theme_from_a_dark_palette_uses_the_dark_highlights():
    theme = theme_for(background="#2D2D2D", text="#FFFFFF")
    assert theme.dark
    assert theme.quote == DARK.quote and theme.match == DARK.match
    assert theme_for(background="#FFFFFF", text="#000000").quote == LIGHT.quote


def test_events_are_named_with_title_date_category_and_flags(builtin):
    reuters = builtin.event("reuters-report")
    assert event_name(builtin, reuters) == "Reuters report, 22 Apr 2022, Press reports, disputed"
    navalny = builtin.events[0]
    assert event_name(builtin, navalny).startswith(f"{navalny.title}, 2018, Background")


def test_alt_text_lists_the_events_shown_in_time_order_with_their_dates(builtin):
    events = builtin.events
    shown = list(range(len(events)))
    text = alt_text(builtin, shown)
    lines = text.splitlines()
    assert lines[0] == summary_line(builtin, shown)
    assert lines[0] == f"{builtin.title}: a timeline of 13 events, 2018 to 2024."
    listed = [line for line in lines if line.startswith("- ")]
    assert len(listed) == len(events)
    for line, e in zip(listed, events, strict=True):
        assert line.startswith(f"- {e.when.label()}: {e.title} (")
    assert "- 22 Apr 2022: Reuters report (Press reports, disputed)" in lines
    assert text.endswith("\n")


def test_alt_text_keeps_to_a_span_and_says_what_filters_left_out(builtin):
    events = builtin.events
    t0, t1 = builtin.event("reuters-report").start, builtin.event("binance-denial").end
    shown = events_in_span(events.starts, events.ends, range(len(events)), t0, t1)
    titles = [events[i].title for i in shown]
    assert "Reuters report" in titles and "Binance denies the report" in titles
    assert "CommEx shuts down" not in titles
    text = alt_text(builtin, shown, note="Filtered: 2 of 13 events left out (Background).")
    assert "Filtered: 2 of 13 events left out (Background)." in text.splitlines()
    assert alt_text(builtin, []).startswith(f"{builtin.title}: a timeline with no events")


def test_untrusted_titles_stay_on_one_line():
    assert one_line("a\nb\r\n\tc\u2028d\x00e") == "a b c d e"
    assert one_line("x" * 500, 10) == "x" * 9 + "…"
