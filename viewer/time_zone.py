"""View → Time zone: instants shown in UTC, in this computer's zone or in one chosen from the
tz database, on the axis, in the tooltips, the status bar and the event list (all through
DateSpan.label(zone)).

Only instants (times written with `Z` or an offset) change with the zone. A floating time and a
date without a time are shown as written whatever the zone, and nothing moves on the axis: the
zone changes what the axis's clock reads, not where events are. The side panel always shows the
time as the file wrote it."""

from __future__ import annotations

import datetime as _dt
import zoneinfo

from PySide6.QtCore import QSettings, QTimeZone
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QInputDialog, QMenu

from viewer.timeline_view import TimelineView

SETTING = "view/time_zone"  # "UTC", "local", or a tz database name


def system_zone() -> _dt.tzinfo:
    """This computer's zone, from the tz database when Qt knows its name (so that daylight
    saving is followed), else its present fixed offset."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return _dt.datetime.now().astimezone().tzinfo or _dt.UTC


def zone_named(name: str) -> _dt.tzinfo | None:
    """The zone a setting names: None for UTC (and for a name the tz database lacks)."""
    if name == "local":
        return system_zone()
    if name in ("", "UTC"):
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class TimeZoneMenu:
    """The Time zone submenu of View: UTC, this computer's zone, or Other zone…; the choice is
    remembered in the settings."""

    def __init__(self, view_menu: QMenu, view: TimelineView, settings: QSettings) -> None:
        self.view = view
        self.settings = settings
        self.menu = view_menu.addMenu("&Time zone")
        self.group = QActionGroup(self.menu)
        self.utc_action = self._add("&UTC", lambda: self.choose("UTC"))
        local = getattr(system_zone(), "key", "fixed offset")
        self.local_action = self._add(f"This &computer's ({local})", lambda: self.choose("local"))
        self.other_action = self._add("&Other zone…", self.ask)
        self.choose(str(settings.value(SETTING, "UTC") or "UTC"))

    def _add(self, text: str, slot) -> QAction:
        action = QAction(text, self.menu)
        action.setCheckable(True)
        action.triggered.connect(slot)
        self.group.addAction(action)
        self.menu.addAction(action)
        return action

    def choose(self, name: str) -> None:
        """Show the timeline in the zone `name` ("UTC", "local" or a tz database name)."""
        zone = zone_named(name)
        if zone is None:
            name = "UTC"
        self.view.set_zone(zone)
        self.settings.setValue(SETTING, name)
        action = {"UTC": self.utc_action, "local": self.local_action}.get(name, self.other_action)
        action.setChecked(True)
        self.other_action.setText(
            "&Other zone…" if action is not self.other_action else f"&Other zone ({name})…"
        )

    def ask(self) -> None:
        """Ask for a zone by its tz database name; cancelling keeps the zone shown."""
        names = sorted(zoneinfo.available_timezones())
        current = str(self.settings.value(SETTING, "UTC"))
        at = names.index(current) if current in names else 0
        name, ok = QInputDialog.getItem(
            self.view, "Time zone", "Show instants in:", names, at, editable=False
        )
        self.choose(name if ok and name else current)
