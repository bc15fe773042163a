"""Timeline viewer: a desktop viewer for sourced events."""

from __future__ import annotations


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("timeline-viewer")
    except PackageNotFoundError:
        return "0.0.0+unknown"


__version__ = _version()
