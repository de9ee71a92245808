"""The left side of the cashier's window: the search box, the catalog's groups, and the
results as the cashier types — with the operator of a phone number typed in the search.

Names longer than the column are cut with «…» (never a horizontal scroll bar at 1366 px) and
every row carries the whole name in its tooltip.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.answers import OperatorAnswer
from cashier_app.core.search import SearchIndex
from cashier_app.core.services import ACCOUNT, ServiceDefinition
from cashier_app.engine.catalog import Catalog
from cashier_app.processing.errors import ProcessingError

from .catalog_tree import SERVICE_ROLE, CatalogTreeModel
from .statusbar import outcome_of

log = logging.getLogger(__name__)
__all__ = ["MAX_RESULTS", "PREFILL_ROLE", "SERVICE_ROLE", "CatalogPanel", "phone_digits"]
PREFILL_ROLE = Qt.ItemDataRole.UserRole + 2
#: Search shows at most this many matches; the cashier narrows the query for the rest.
MAX_RESULTS = 100
#: How many of the longest service codes are measured for the width of the code column.
CODES_MEASURED = 20
_PHONE_CHARS = re.compile(r"^[\d\s()+\-]+$")


def phone_digits(text: str) -> str | None:
    """``+7 (903) 123-45-67``, ``89031234567``, ``9031234567`` → ``9031234567``; else None."""
    if not _PHONE_CHARS.match(text.strip() or "x"):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    return digits if len(digits) == 10 else None


def spoken_phone(digits: str) -> str:
    """``9031234567`` → ``903 123-45-67``: as people say and compare a number."""
    return f"{digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}"


class _ColumnWide(QStyledItemDelegate):
    """Rows as wide as the list, not as their text: a long name is cut with «…» instead of
    widening the list into a horizontal scroll."""

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(1, super().sizeHint(option, index).height())


class CatalogPanel(QWidget):
    #: the cashier picked a service (Enter, a click): its id and the fields to prefill
    service_chosen = Signal(str, object)

    def __init__(self, *, usage: Callable[[], dict[str, int]],
                 lookup_phone: Callable[[str], Awaitable[OperatorAnswer]],
                 request_done: Callable[[str, str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read_usage = usage
        self._lookup = lookup_phone
        self._request_done = request_done
        self.catalog: Catalog | None = None
        self._by_id: dict[str, ServiceDefinition] = {}
        self._index = SearchIndex(())
        self._usage: dict[str, int] | None = None  # service use counts, read when searching
        self._phone_task: asyncio.Task[None] | None = None

        self.search_box = QLineEdit()
        self.search_box.setObjectName("serviceSearch")
        # short enough to show whole in the narrowest catalog column; the rest in the tooltip
        self.search_box.setPlaceholderText(self.tr("Услуга, код или номер телефона"))
        self.search_box.setToolTip(self.tr(
            "Поиск по названию, группе и коду услуги (Ctrl+F). Номер телефона из 10 цифр — "
            "программа определит оператора"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(self._filter)
        self.search_box.returnPressed.connect(self.open_current)
        self.tree_model = CatalogTreeModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName("catalogTree")
        self.tree.setUniformRowHeights(True)
        self.tree.setModel(self.tree_model)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # the code column is sized once per catalog (fit_code_column): ResizeToContents would
        # ask the model for a thousand rows' data at every relayout of the window
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.tree.activated.connect(self._tree_activated)
        self.tree.clicked.connect(self._tree_activated)
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.results.setUniformItemSizes(True)  # no per-item size pass on every keystroke
        self.results.setItemDelegate(_ColumnWide(self.results))
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.itemActivated.connect(self._result_activated)
        self.results.itemClicked.connect(self._result_activated)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.results)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.search_box)
        column.addWidget(self.stack)
        # the placeholder (and a short name) must fit however far the splitter is dragged
        self.setMinimumWidth(self.search_box.fontMetrics().horizontalAdvance(
            self.search_box.placeholderText()) + 80)

    # --- the catalog ------------------------------------------------------------------
    def show_catalog(self, catalog: Catalog) -> None:
        """A new catalog replaces the lists; what the cashier is typing stays."""
        self.catalog = catalog
        self._by_id = {service.service_id: service for service in catalog.services}
        self._index = SearchIndex(catalog.services)
        self._show_groups(catalog)
        if self.search_box.text().strip():
            self._filter(self.search_box.text())

    def service(self, service_id: str) -> ServiceDefinition | None:
        return self._by_id.get(service_id)

    def usage_changed(self) -> None:
        """A payment was made: the order of matches may change (read at the next search)."""
        self._usage = None

    def _show_groups(self, catalog: Catalog) -> None:
        current_id = self.tree.currentIndex().data(SERVICE_ROLE)
        self.tree.setUpdatesEnabled(False)
        self.tree_model.set_groups(catalog.groups())
        self.fit_code_column()
        self.tree.expandAll()
        if current_id is not None:
            current = self.tree_model.service_index(current_id)
            if current.isValid():
                self.tree.setCurrentIndex(current)
        self.tree.setUpdatesEnabled(True)

    def fit_code_column(self) -> None:
        """The code column as wide as the widest code, as the view itself measures a cell
        (font, padding, margins), on the longest few: codes are short and of a few lengths."""
        self.tree.ensurePolished()  # the style sheet's font, not the default
        widths = [self.tree.sizeHintForIndex(index).width()
                  for index in self.tree_model.longest_codes(CODES_MEASURED)]
        header = self.tree.header()
        header.resizeSection(1, max([header.sectionSizeFromContents(1).width(), *widths]))

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    # --- search -----------------------------------------------------------------------
    def _filter(self, text: str) -> None:
        """As the cashier types: a flat list, best match first; empty query: the groups."""
        if self._phone_task is not None:
            self._phone_task.cancel()
            self._phone_task = None
        if self.catalog is None:
            return
        if not text.strip():
            self.stack.setCurrentWidget(self.tree)
            return
        if self._usage is None:  # once per change of the journal, not per keystroke
            self._usage = self._read_usage()
        found, total = self._index.search(text, self._usage, MAX_RESULTS)
        self.results.setUpdatesEnabled(False)
        self.results.clear()
        phone = phone_digits(text)
        if phone is not None:
            item = _row(self.tr("Номер {0}: определяем оператора…").format(phone))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setData(PREFILL_ROLE, phone)
            self.results.addItem(item)
            self._phone_task = asyncio.ensure_future(self._lookup_phone(phone))
        for service in found:
            item = _row(f"{service.name}  ·  {service.group}  ·  {service.service_id}",
                        self.tr("{0}\nГруппа: {1}; код услуги {2}").format(
                            service.name, service.group, service.service_id))
            item.setData(SERVICE_ROLE, service.service_id)
            self.results.addItem(item)
        if total > len(found):
            more = _row(self.tr("… и ещё {0}: уточните запрос").format(total - len(found)))
            more.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(more)
        if not found and phone is None:
            empty = _row(self.tr("Ничего не найдено: «{0}»").format(text.strip()))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(empty)
        first = next((self.results.item(i) for i in range(self.results.count())
                      if self.results.item(i).data(SERVICE_ROLE)), None)
        if first is not None:
            self.results.setCurrentItem(first)
        self.results.setUpdatesEnabled(True)
        self.stack.setCurrentWidget(self.results)

    def result_ids(self) -> list[str]:
        return [self.results.item(i).data(SERVICE_ROLE) for i in range(self.results.count())
                if self.results.item(i).data(SERVICE_ROLE)]

    async def _lookup_phone(self, phone: str) -> None:
        """``operatorByPhone`` for a 10-digit number typed in the search: offer that service."""
        item = self.results.item(0)
        answer: OperatorAnswer | None
        try:
            answer = await self._lookup(phone)
        except ProcessingError as error:
            log.info("operatorByPhone %s: %s", phone, error)
            self._request_done(outcome_of(error), str(error))
            answer = None
        else:
            self._request_done("answer", "")
        if self.results.count() == 0 or self.results.item(0) is not item:
            return  # the cashier typed on; this list is gone
        service = self.service(answer.service_id) if answer and answer.ok and (
            answer.service_id) else None
        if service is None:
            text = self.tr("Номер {0}: оператор не определён — выберите услугу в списке"
                           ).format(phone)
            item.setText(text)
            item.setToolTip(text)
            return
        # short enough for the catalog column (the number is in the search box above);
        # the explanation is in the tooltip
        item.setText(self.tr("☎ {0} ({1}) — Enter").format(
            service.name, service.service_id))
        item.setToolTip(self.tr("Номер {0} по базе номеров (с учётом перенесённых): {1}, код "
                                "услуги {2}.\nEnter — платёж с этим номером").format(
            spoken_phone(phone), service.name, service.service_id))
        item.setData(SERVICE_ROLE, service.service_id)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self.results.setCurrentItem(item)

    async def wait_phone_lookup(self) -> None:
        """For tests and the benchmark: let a running operator lookup finish."""
        if self._phone_task is not None:
            await asyncio.gather(self._phone_task, return_exceptions=True)

    def cancel_lookup(self) -> None:
        if self._phone_task is not None:
            self._phone_task.cancel()

    # --- choosing ---------------------------------------------------------------------
    def open_current(self) -> None:
        """Enter in the search: the highlighted result (or tree row)."""
        if self.stack.currentWidget() is self.results:
            item = self.results.currentItem()
            if item is not None:
                self._result_activated(item)
        else:
            self._tree_activated(self.tree.currentIndex())

    def _result_activated(self, item: QListWidgetItem) -> None:
        service_id = item.data(SERVICE_ROLE)
        if service_id:
            phone = item.data(PREFILL_ROLE)
            self.service_chosen.emit(service_id, {ACCOUNT: phone} if phone else None)

    def _tree_activated(self, index: QModelIndex) -> None:
        service_id = index.siblingAtColumn(0).data(SERVICE_ROLE) if index.isValid() else None
        if service_id:
            self.service_chosen.emit(service_id, None)


def _row(text: str, tooltip: str | None = None) -> QListWidgetItem:
    item = QListWidgetItem(text)
    item.setToolTip(tooltip if tooltip is not None else text)
    return item
