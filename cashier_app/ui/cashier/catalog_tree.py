"""The catalog's groups and services as a model for the cashier's tree: rows are read from the
catalog when the view asks for them, not made into a Qt item each. A point with 10,000
services would otherwise build 10,000 items at every start and catalog refresh (about a tenth
of a second) and keep them, with three tooltips each, in memory (about 12 MB).

Two levels: a group row (not selectable) and its services (name, code). The row's internal id
says where it is: 0 — a group; ``n`` > 0 — a service of the group at row ``n - 1``.
"""

from __future__ import annotations

import heapq

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from cashier_app.core.services import ServiceDefinition

SERVICE_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()
# the view asks every row for its flags and a dozen roles while laying 10,000 rows out: the
# answers are computed once here, and the roles compared as plain integers
_GROUP_FLAGS = Qt.ItemFlag.ItemIsEnabled
_SERVICE_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_DISPLAY, _TOOLTIP = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ToolTipRole)
_SERVICE = int(SERVICE_ROLE)
_ANSWERED = frozenset((_DISPLAY, _TOOLTIP, _SERVICE))


def _tr(text: str) -> str:
    return QCoreApplication.translate("CatalogPanel", text)


class CatalogTreeModel(QAbstractItemModel):
    """Groups (sorted by name) and their services in the catalog's order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[tuple[str, list[ServiceDefinition]]] = []
        self._headers = (_tr("Услуга"), _tr("Код"))

    def set_groups(self, groups: dict[str, list[ServiceDefinition]]) -> None:
        self.beginResetModel()
        self._groups = sorted(groups.items())
        self.endResetModel()

    def service_index(self, service_id: str) -> QModelIndex:
        """The row of a service (invalid when the catalog has none with that id)."""
        for group_row, (_, services) in enumerate(self._groups):
            for row, service in enumerate(services):
                if service.service_id == service_id:
                    return self.createIndex(row, 0, group_row + 1)
        return QModelIndex()

    def longest_codes(self, count: int) -> list[QModelIndex]:
        """The code cells of the ``count`` services with the longest codes (their widths
        decide the code column's)."""
        cells = ((len(service.service_id), group_row, row)
                 for group_row, (_, services) in enumerate(self._groups)
                 for row, service in enumerate(services))
        return [self.createIndex(row, 1, group_row + 1)
                for _, group_row, row in heapq.nlargest(count, cells)]

    # --- QAbstractItemModel ------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = _NO_PARENT) -> QModelIndex:
        if not parent.isValid():
            if 0 <= row < len(self._groups) and 0 <= column < 2:
                return self.createIndex(row, column, 0)
            return QModelIndex()
        if parent.internalId() != 0:
            return QModelIndex()  # a service has no rows under it
        services = self._groups[parent.row()][1]
        if 0 <= row < len(services) and 0 <= column < 2:
            return self.createIndex(row, column, parent.row() + 1)
        return QModelIndex()

    def parent(self, index: Index = _NO_PARENT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = _NO_PARENT) -> int:
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._groups[parent.row()][1])
        return 0

    def columnCount(self, parent: Index = _NO_PARENT) -> int:
        return 2

    def hasChildren(self, parent: Index = _NO_PARENT) -> bool:
        if parent.isValid() and parent.internalId() != 0:
            return False  # a service: the most asked, answered first
        return self.rowCount(parent) > 0

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _SERVICE_FLAGS if index.internalId() else _GROUP_FLAGS

    def data(self, index: Index, role: int = _DISPLAY) -> object:
        role = int(role)
        if role not in _ANSWERED or not index.isValid():
            return None
        column, where = index.column(), index.internalId()
        if where == 0:
            if role == _SERVICE:
                return None
            return self._groups[index.row()][0] if column == 0 else ""
        service = self._groups[where - 1][1][index.row()]
        if role == _DISPLAY:
            return service.name if column == 0 else service.service_id
        if role == _TOOLTIP:
            if column == 0:
                return service.name
            return _tr("{0}, код услуги {1}").format(service.name, service.service_id)
        return service.service_id

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < 2):
            return self._headers[section]
        return None
