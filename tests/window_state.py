"""What the user sees of a window's timeline, for tests that check a failed or cancelled load
left it alone."""

from __future__ import annotations


def what_is_shown(window) -> tuple:
    """The window title, the timeline, the selection, the panel's title and highlighted quote."""
    return (
        window.windowTitle(),
        window.view.timeline,
        window.view.selected_index,
        window.panel.title.text(),
        window.panel.highlighted_text(),
    )
