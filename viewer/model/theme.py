"""Colours for a picture and the panel, as plain data: a light set, a dark set, and the rule that
keeps every highlight readable (WCAG 2 contrast ratio, at least 4.5:1 against its text).

Colours are "#RRGGBB" strings. The screen's theme comes from the window's palette
(viewer.theme.theme_from_palette); exports use LIGHT or DARK as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# WCAG 2 AA: normal text against its background.
TEXT_CONTRAST = 4.5
# WCAG 2 non-text contrast: a mark's colour against the background.
MARK_CONTRAST = 3.0


def _rgb(color: str) -> tuple[int, int, int]:
    text = color.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"{color!r} is not #RRGGBB")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02X}" for c in rgb)


def relative_luminance(color: str) -> float:
    """The WCAG 2 relative luminance of an sRGB colour, 0 (black) to 1 (white)."""

    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two colours, 1 (the same) to 21 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def mix(a: str, b: str, t: float) -> str:
    """The colour `t` of the way from `a` to `b` (0: a, 1: b), mixed in sRGB."""
    ra, rb = _rgb(a), _rgb(b)
    return _hex(tuple(x + (y - x) * t for x, y in zip(ra, rb, strict=True)))  # type: ignore[arg-type]


def with_contrast(color: str, against: str, ratio: float) -> str:
    """`color`, or the least change of it towards black or white (away from `against`) that has
    at least `ratio` against `against`; black or white if nothing less will do."""
    if contrast_ratio(color, against) >= ratio:
        return color
    # Away from the other colour: darker against light text, lighter against dark.
    target = "#000000" if relative_luminance(against) > 0.18 else "#FFFFFF"
    lo, hi = 0.0, 1.0
    for _ in range(20):
        mid = (lo + hi) / 2
        if contrast_ratio(mix(color, target, mid), against) >= ratio:
            hi = mid
        else:
            lo = mid
    return mix(color, target, hi)


def is_dark(color: str) -> bool:
    """Whether text on `color` should be light (its luminance is below mid-grey's)."""
    return relative_luminance(color) < 0.18


@dataclass(frozen=True)
class Theme:
    """The colours a picture and the panel are drawn in.

    `selection`, `match`, `quote` and `hover` are backgrounds behind text of colour `text`;
    `dimmed` is the opacity of what a search does not match.
    """

    name: str
    background: str
    text: str
    muted: str  # axis context labels, the legend's words, the footer
    grid: str
    axis_line: str
    selection: str  # behind the selected event's label
    hover: str
    match: str  # behind a search match's label, and a match in the source text
    quote: str  # behind the cited passage in the source text
    warning: str  # a warning's text in the panel
    disputed: str  # the "Disputed by" line in the panel
    dimmed: float = 0.28

    @property
    def dark(self) -> bool:
        return is_dark(self.background)

    def category(self, color: str) -> str:
        """A category's colour as drawn: in a dark theme, moved away from the background until
        it stands out (3:1), so that black becomes a grey; a colour that stands out is kept.
        A light theme keeps the file's colours as given: they were chosen on white."""
        if not self.dark:
            return color
        return with_contrast(color, self.background, MARK_CONTRAST)

    def readable(self) -> Theme:
        """This theme with every highlight and the muted text moved, if need be, to at least
        4.5:1 against the text (or the background, for muted text)."""
        return replace(
            self,
            muted=with_contrast(self.muted, self.background, TEXT_CONTRAST),
            selection=with_contrast(self.selection, self.text, TEXT_CONTRAST),
            hover=with_contrast(self.hover, self.text, TEXT_CONTRAST),
            match=with_contrast(self.match, self.text, TEXT_CONTRAST),
            quote=with_contrast(self.quote, self.text, TEXT_CONTRAST),
            warning=with_contrast(self.warning, self.background, TEXT_CONTRAST),
            disputed=with_contrast(self.disputed, self.background, TEXT_CONTRAST),
        )


LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    text="#1B1F24",
    muted="#5B6470",
    grid="#E7E9EC",
    axis_line="#9AA1AA",
    selection="#FFE58A",
    hover="#EEF2F6",
    match="#CFE3FF",
    quote="#FFE58A",
    warning="#B00020",
    disputed="#A33B00",
)

DARK = Theme(
    name="dark",
    background="#1E2227",
    text="#E6E9ED",
    muted="#A3ABB5",
    grid="#30363D",
    axis_line="#5F6873",
    selection="#6B5310",
    hover="#2C333B",
    match="#1F4A80",
    quote="#6B5310",
    warning="#FF8A80",
    disputed="#FFB070",
    dimmed=0.35,
)

THEMES = {"light": LIGHT, "dark": DARK}


def theme_named(name: str) -> Theme:
    """LIGHT or DARK by name ('light', 'dark'); raises KeyError for any other."""
    return THEMES[name]


def theme_for(
    *,
    background: str,
    text: str,
    name: str = "system",
    high_contrast: bool = False,
) -> Theme:
    """A theme for a palette's base (background) and text colours: the light or the dark set's
    highlights, whichever suits the background, with greys mixed from the two colours and every
    highlight kept at 4.5:1 against the text. `high_contrast` gives the greys full contrast."""
    base = DARK if is_dark(background) else LIGHT
    theme = replace(
        base,
        name=name,
        background=background,
        text=text,
        muted=text if high_contrast else mix(text, background, 0.3),
        grid=mix(text, background, 0.6 if high_contrast else 0.88),
        axis_line=mix(text, background, 0.3 if high_contrast else 0.55),
        hover=mix(text, background, 0.9),
        dimmed=0.5 if high_contrast else base.dimmed,
    )
    return theme.readable()
