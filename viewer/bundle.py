"""Finding the data that ships with the app, the one way that works everywhere.

In the wheel and the PyInstaller bundle, `resources/` and `seeds/` sit inside the package folder
(pyproject's force-include and build.spec's datas map them there). In a source checkout they sit
at the top of the repository, beside the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent

BUILTIN_TIMELINE = "binance-russia.json"


def data_root() -> Path:
    """The folder that holds `resources/` and `seeds/`."""
    if (_PACKAGE / "resources").is_dir():
        return _PACKAGE
    return _PACKAGE.parent


def resource(*parts: str) -> Path:
    """A path inside `resources/`."""
    return data_root().joinpath("resources", *parts)


def icon_files() -> list[Path]:
    """The app icon's PNG sizes (release/make_icons.py draws them from the one SVG)."""
    return sorted(resource("icons").glob("timeline-viewer-*.png"))


def builtin_timeline() -> Path:
    """The Binance–Russia timeline that opens when no file is given."""
    return resource(BUILTIN_TIMELINE)


def trust_root_for(path: Path) -> Path | None:
    """The folder a timeline's sources may come from: the data root for our own files.

    Our built-in timeline keeps its articles in `seeds/`, beside `resources/`; any other file's
    sources must stay inside its own folder (None lets the loader use that default).
    """
    root = data_root()
    try:
        if path.resolve().is_relative_to((root / "resources").resolve()):
            return root
    except OSError:
        pass
    return None
