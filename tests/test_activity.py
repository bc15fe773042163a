"""Background work gives way while the timeline is being drawn (viewer/activity.py)."""

from __future__ import annotations

import pytest

from viewer import activity


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_work_waits_until_no_frame_has_been_drawn_for_a_moment(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(activity.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(activity.time, "sleep", clock.sleep)
    activity.frame_drawn()
    clock.now += 0.1
    activity.wait_until_quiet(lambda: False)
    assert clock.slept[0] == pytest.approx(activity.QUIET_S - 0.1)
    assert sum(clock.slept) <= activity.QUIET_S - 0.1 + 0.011  # then at most one short nap
    clock.slept.clear()
    activity.wait_until_quiet(lambda: False)  # quiet already: no waiting
    assert clock.slept == []


def test_cancelled_work_stops_waiting(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(activity.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(activity.time, "sleep", clock.sleep)
    activity.frame_drawn()
    activity.wait_until_quiet(lambda: True)
    assert clock.slept == []


def test_the_view_notes_each_frame(qtbot, window, monkeypatch):
    frames = []
    monkeypatch.setattr(activity, "frame_drawn", lambda: frames.append(1))
    window.view.repaint()
    assert frames
