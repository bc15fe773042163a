"""The event list: every shown event as a row (date at its precision, title, category, sources,
warnings), sortable, its selection in step with the timeline's both ways.

It is also the way through the data for keyboard and screen-reader users: a QTableView's rows
and cells are exposed to assistive technology by Qt, and the arrow keys move through them.

The model holds only event numbers; a row's texts are made when Qt asks for them, so a million
rows cost a million integers. Sorting by date is the timeline's own order; sorting by another
column reads every row's value once, so it is offered up to SORT_LIMIT rows.
"""

from __future__ import annotations

import datetime as _dt
from array import array

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from viewer.model.search import SearchResult
from viewer.model.timeline import Timeline

COLUMNS = ("Date", "Title", "Category", "Sources", "Warnings")
SORT_LIMIT = 200_000
_ROOT = QModelIndex()  # the parent of every row


class EventTableModel(QAbstractTableModel):
    """The shown events (and, with a search on, only the matches) as rows."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.timeline: Timeline | None = None
        self.rows = array("q")
        self._row_of: dict[int, int] | None = None
        self._sort = (0, Qt.SortOrder.AscendingOrder)
        self.zone: _dt.tzinfo | None = None  # View → Time zone (None: UTC)

    def set_zone(self, zone: _dt.tzinfo | None) -> None:
        """Show instants in `zone` (None: UTC); dates and local times stay as written."""
        self.zone = zone
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, 0), [Qt.ItemDataRole.DisplayRole]
            )

    def set_events(
        self, timeline: Timeline | None, shown: bytes | None, matches: SearchResult | None
    ) -> None:
        self.beginResetModel()
        self.timeline = timeline
        if timeline is None:
            rows: list[int] | range = []
        elif matches is not None:
            rows = matches.events  # already among the shown
        elif shown is not None:
            rows = [i for i, f in enumerate(shown) if f]
        else:
            rows = range(len(timeline.events))
        self.rows = array("q", rows)
        self._row_of = None
        self._apply_sort()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def value(self, event_index: int, column: int) -> str | int:
        """The cell's value for event `event_index` (texts are plain: never markup)."""
        assert self.timeline is not None
        e = self.timeline.events[event_index]
        if column == 0:
            return e.when.label(self.zone)
        if column == 1:
            return e.title
        if column == 2:
            cat = self.timeline.categories.get(e.category)
            return cat.label if cat else e.category
        if column == 3:
            return len({c.source_id for c in e.citations})
        return len(e.warnings)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0):
        if not index.isValid() or self.timeline is None:
            return None
        i = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.value(i, index.column())
            if index.column() == 4:
                return f"{value}" if value else ""
            return value
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            return "\n".join(self.timeline.events[i].warnings) or None
        if role == Qt.ItemDataRole.UserRole:
            return i
        return None

    def flags(self, index):
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        column, order = self._sort
        rows = list(self.rows)
        if column == 0 or len(rows) > SORT_LIMIT:
            rows.sort()  # time order is event order
        else:
            rows.sort(key=lambda i: (_key(self.value(i, column)), i))
        if order == Qt.SortOrder.DescendingOrder:
            rows.reverse()
        self.rows = array("q", rows)
        self._row_of = None

    def row_of(self, event_index: int) -> int | None:
        """The row showing event `event_index`, or None if it is not listed."""
        if self._row_of is None:
            self._row_of = {i: r for r, i in enumerate(self.rows)}
        return self._row_of.get(event_index)


def _key(value: str | int) -> tuple[int, str | int]:
    return (0, value.casefold()) if isinstance(value, str) else (1, value)


class EventList(QWidget):
    """The list widget: a table of events. `eventActivated` gives the event number of the row
    the user selects; `select_event` follows the timeline's selection without echoing it."""

    eventActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = EventTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("eventTable")
        self.table.setAccessibleName("Events")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 110)
        header.resizeSection(2, 150)
        header.resizeSection(3, 64)
        header.resizeSection(4, 72)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self._following = False
        self.table.selectionModel().currentRowChanged.connect(self._on_row)

    def set_events(
        self, timeline: Timeline | None, shown: bytes | None, matches: SearchResult | None
    ) -> None:
        self.model.set_events(timeline, shown, matches)

    def set_zone(self, zone: _dt.tzinfo | None) -> None:
        """Show the dates of instants in `zone` (None: UTC), as the axis does."""
        self.model.set_zone(zone)

    def selected_event(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def select_event(self, event_index: int | None) -> None:
        """Show event `event_index` selected (None clears), without emitting eventActivated."""
        self._following = True
        try:
            row = None if event_index is None else self.model.row_of(event_index)
            sel = self.table.selectionModel()
            if row is None:
                sel.clearSelection()
                return
            index = self.model.index(row, 0)
            sel.setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.scrollTo(index)
        finally:
            self._following = False

    def _on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._following or not current.isValid():
            return
        self.eventActivated.emit(self.model.rows[current.row()])
