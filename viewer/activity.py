"""When the window last drew, so that background work can give way while the user moves the picture.

Python runs one thread at a time. A background thread that computes without pause (building the
search index of a million events takes seconds) makes every frame wait for it again and again,
turning 15 ms frames into 50 ms ones. So such work runs in short steps and, before each step,
waits until the timeline has not been drawn for a moment.
"""

from __future__ import annotations

import time
from collections.abc import Callable

QUIET_S = 0.3  # no frame drawn for this long: the user has stopped moving the picture
_last_frame = 0.0


def frame_drawn() -> None:
    """The timeline was just drawn (called by the view at each paint)."""
    global _last_frame
    _last_frame = time.monotonic()


def wait_until_quiet(cancelled: Callable[[], bool]) -> None:
    """Return once no frame has been drawn for QUIET_S, or at once if `cancelled()`."""
    while not cancelled():
        idle = time.monotonic() - _last_frame
        if idle >= QUIET_S:
            return
        time.sleep(max(QUIET_S - idle, 0.01))
