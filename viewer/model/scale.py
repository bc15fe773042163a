"""The time scale: which instant sits at which x, and how zoom and pan change that.

Zoom changes the scale, not a painter transform, so markers and text stay crisp. Zooming about an
anchor keeps the time under it fixed: t0' = c + (t0 - c) * s (as pyqtgraph's ViewBox.scaleBy).
"""

from __future__ import annotations

from dataclasses import dataclass

from viewer.model.dates import MAX_YEAR, MIN_YEAR, SECONDS_PER_DAY, year_start

SECONDS_PER_YEAR = 365.2425 * SECONDS_PER_DAY
# Finest zoom: a millisecond per pixel, so that a second can fill a window.
MIN_SECONDS_PER_PIXEL = 0.001
# Far from 1970 a float holds time more coarsely: the finest zoom there keeps a pixel's time
# to about a hundredth of a pixel (at 13.8 billion years ago, some 5 days a pixel).
_FLOAT_SPP = 2.0**-45
# Earliest and latest instants the view may show: every year a date may have.
MIN_TIME = year_start(MIN_YEAR)
MAX_TIME = year_start(MAX_YEAR + 1)
# Coarsest zoom: the whole calendar, so that any timeline (say, from the Big Bang to now) fits.
MAX_VISIBLE_SECONDS = MAX_TIME - MIN_TIME


def min_spp(t: float) -> float:
    """The finest zoom, in seconds per pixel, about the time `t`."""
    return max(MIN_SECONDS_PER_PIXEL, abs(t) * _FLOAT_SPP)


@dataclass(frozen=True)
class TimeScale:
    """`t0` is the time at x = 0; `spp` is seconds per pixel; `width` is the view's width in px."""

    t0: float
    spp: float
    width: float

    def x_of(self, t: float) -> float:
        return (t - self.t0) / self.spp

    def t_of(self, x: float) -> float:
        return self.t0 + x * self.spp

    @property
    def t1(self) -> float:
        """The time at the right edge."""
        return self.t0 + self.width * self.spp

    def clamped(self) -> TimeScale:
        """The same view with the zoom in its range and the window inside the calendar."""
        width = max(self.width, 1.0)
        # Keep the centre fixed when the zoom had to be clamped.
        centre = self.t0 + self.width * self.spp / 2
        spp = min(max(self.spp, min_spp(centre)), MAX_VISIBLE_SECONDS / width)
        t0 = centre - width * spp / 2
        t0 = min(max(t0, MIN_TIME), MAX_TIME - width * spp)
        return TimeScale(t0, spp, width)

    def zoomed(self, factor: float, anchor_x: float) -> TimeScale:
        """Zoom by `factor` (> 1 zooms in) keeping the time at `anchor_x` where it is.

        At the clamps the anchor still holds for as much zoom as is allowed.
        """
        c = self.t_of(anchor_x)
        width = max(self.width, 1.0)
        spp = min(max(self.spp / factor, min_spp(c)), MAX_VISIBLE_SECONDS / width)
        t0 = c - anchor_x * spp
        t0 = min(max(t0, MIN_TIME), MAX_TIME - width * spp)
        return TimeScale(t0, spp, self.width)

    def panned(self, dx: float) -> TimeScale:
        """Move the content right by `dx` pixels (the view looks further back in time)."""
        return TimeScale(self.t0 - dx * self.spp, self.spp, self.width).clamped()

    def resized(self, width: float) -> TimeScale:
        """The same left edge and zoom in a view of another width."""
        return TimeScale(self.t0, self.spp, width).clamped()

    def centred_on(self, t: float) -> TimeScale:
        return TimeScale(t - self.width * self.spp / 2, self.spp, self.width).clamped()

    def shows(self, start: float, end: float, margin_px: float = 0.0) -> bool:
        """Whether [start, end] lies inside the view, `margin_px` in from each edge."""
        return start >= self.t_of(margin_px) and end <= self.t_of(self.width - margin_px)


def fit(
    start: float,
    end: float,
    width: float,
    margin_px: float = 40.0,
    right_margin_px: float | None = None,
) -> TimeScale:
    """The scale that shows [start, end] across `width` pixels, `margin_px` in from the left
    edge and `right_margin_px` (by default the same) in from the right."""
    width = max(width, 1.0)
    right = margin_px if right_margin_px is None else right_margin_px
    usable = max(width - margin_px - right, width * 0.4)
    span = max(end - start, min_spp(start) * usable)
    spp = span / usable
    left = margin_px * (width - usable) / (margin_px + right) if margin_px + right else 0.0
    t0 = start - left * spp
    return TimeScale(t0, spp, width).clamped()
