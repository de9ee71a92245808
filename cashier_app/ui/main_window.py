"""The main window. At this stage: the service catalog by group, the selected service's
fields, and a status bar with the processing connection and the agent's balance.

Network work runs as asyncio tasks on the Qt thread (qasync): the window never waits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cashier_app.catalog import Catalog, CatalogError, CatalogStore
from cashier_app.core.money import format_amount
from cashier_app.core.search import search
from cashier_app.core.services import ServiceDefinition
from cashier_app.engine import PaymentEngine
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.errors import ProcessingError

log = logging.getLogger(__name__)
SERVICE_ROLE = Qt.ItemDataRole.UserRole + 1
SCHEME_TITLES = {"simple": "простая", "choice": "с выбором договора",
                 "complex": "квитанция ЖКХ"}


class MainWindow(QMainWindow):
    def __init__(self, client_factory: Callable[[], ProcessingClient], store: CatalogStore,
                 *, engine: PaymentEngine | None = None, demo: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client_factory = client_factory
        self._store = store
        self.engine = engine
        self._resumed = False
        self._stop_scheduler = asyncio.Event()
        self.catalog: Catalog | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.setWindowTitle(self.tr("Касса — демо-режим") if demo else self.tr("Касса"))
        self.resize(1100, 700)

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("Услуга"), self.tr("Код")])
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(self._show_service)
        self.details = QLabel(self.tr("Выберите услугу"))
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setWordWrap(True)
        self.details.setObjectName("serviceDetails")
        self.details.setMargin(16)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("serviceSearch")
        self.search_box.setPlaceholderText(self.tr("Поиск услуги: название, группа или код"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(self._filter)
        self.search_box.returnPressed.connect(self._pick_first)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.search_box)
        column.addWidget(self.tree)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.details)
        splitter.setSizes([560, 540])
        self.setCentralWidget(splitter)

        menu = self.menuBar().addMenu(self.tr("&Касса"))
        self.refresh_action = menu.addAction(self.tr("Обновить каталог и баланс"))
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.triggered.connect(self.start)
        self.search_action = menu.addAction(self.tr("Найти услугу"))
        self.search_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_F))
        self.search_action.triggered.connect(self._focus_search)
        menu.addSeparator()
        self.quit_action = menu.addAction(self.tr("Выход"))
        self.quit_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Q))
        self.quit_action.triggered.connect(self.close)

        self.connection_label = QLabel(self.tr("Процессинг: подключение…"))
        self.balance_label = QLabel("")
        self.catalog_label = QLabel("")
        self.pending_label = QLabel("")
        self.pending_label.setObjectName("pendingLabel")
        status = self.statusBar()
        status.addWidget(self.connection_label)
        status.addWidget(self.catalog_label)
        status.addWidget(self.pending_label)
        self._usage: dict[str, int] | None = None  # service use counts, read when searching
        if engine is not None:
            engine.listeners.append(self._payment_changed)
            self._show_pending()
        status.addPermanentWidget(self.balance_label)

    def start(self) -> None:
        """Begin loading in the background; returns at once."""
        self._keep(asyncio.ensure_future(self.refresh()))

    def _keep(self, task: asyncio.Future[None]) -> None:
        self._tasks.add(task)  # type: ignore[arg-type]
        task.add_done_callback(self._tasks.discard)

    def stop_background(self) -> None:
        self._stop_scheduler.set()

    async def shutdown(self) -> None:
        """Stop background work and let an attempt in flight finish (its outcome is stored;
        an unfinished one stays «в обработке» and is resumed at the next start)."""
        self.stop_background()
        tasks = list(self._tasks)
        if tasks:
            _, unfinished = await asyncio.wait(tasks, timeout=5)
            for task in unfinished:
                task.cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_background()
        super().closeEvent(event)

    def _payment_changed(self, record: object) -> None:
        self._usage = None
        self._show_pending()

    def _show_pending(self) -> None:
        if self.engine is None:
            return
        count = self.engine.journal.count_pending()
        self.pending_label.setText(self.tr("В обработке: {0}").format(count) if count
                                   else self.tr("Незавершённых платежей нет"))
        self.pending_label.setProperty("state", "warn" if count else "ok")
        self.pending_label.style().polish(self.pending_label)

    async def refresh(self) -> None:
        cached = self._store.load()  # from disk, no network: shown at once
        if cached is not None and self.catalog is None:
            self._show_catalog(cached)
        if self.engine is not None and not self._resumed:
            # payments left «в обработке» are resumed before any new work
            self._resumed = True
            await self.engine.recover(wait=0)
            self._show_pending()
            self._keep(asyncio.ensure_future(self.engine.run_scheduler(self._stop_scheduler)))
        async with self._client_factory() as client:
            await asyncio.gather(self._load_catalog(client), self._load_balance(client))

    async def _load_catalog(self, client: ProcessingClient) -> None:
        try:
            catalog = await self._store.refresh(client)
        except (ProcessingError, CatalogError) as error:
            log.warning("catalog refresh failed: %s", error)
            self._set_connection(False, str(error))
            if self.catalog is None:
                self.catalog_label.setText(self.tr("Каталог услуг недоступен"))
            return
        self._set_connection(True)
        self._show_catalog(catalog)

    async def _load_balance(self, client: ProcessingClient) -> None:
        try:
            answer = await client.balance()
        except ProcessingError as error:
            log.warning("balance failed: %s", error)
            self.balance_label.setText(self.tr("Баланс: нет данных"))
            return
        if not answer.ok:
            self.balance_label.setText(self.tr("Баланс: ") + answer.cashier_message)
            return
        text = self.tr("Баланс агента: {0} {1}").format(format_amount(answer.balance),
                                                       answer.currency)
        self.balance_label.setText(text.strip())

    def _set_connection(self, online: bool, problem: str = "") -> None:
        if online:
            self.connection_label.setText(self.tr("Процессинг: на связи"))
            self.connection_label.setProperty("state", "ok")
        else:
            self.connection_label.setText(problem or self.tr("Процессинг: нет связи"))
            self.connection_label.setProperty("state", "error")
        self.connection_label.style().polish(self.connection_label)

    def _show_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        if self.search_box.text().strip():
            self._filter(self.search_box.text())
        else:
            self._show_groups(catalog)
        when = catalog.fetched_at.strftime("%d.%m.%Y %H:%M")
        label = (self.tr("Каталог: {0} услуг, сохранён {1}") if catalog.from_cache
                 else self.tr("Каталог: {0} услуг, обновлён {1}"))
        self.catalog_label.setText(label.format(len(catalog.services), when))

    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _filter(self, text: str) -> None:
        """As the cashier types: a flat list, best match first; empty query: the groups."""
        if self.catalog is None:
            return
        if not text.strip():
            self._show_groups(self.catalog)
            return
        if self._usage is None:  # once per change of the journal, not per keystroke
            self._usage = self.engine.journal.service_usage() if self.engine else {}
        usage = self._usage
        self.tree.clear()
        for service in search(self.catalog.services, text, usage):
            item = QTreeWidgetItem([f"{service.name}  ·  {service.group}", service.service_id])
            item.setData(0, SERVICE_ROLE, service.service_id)
            self.tree.addTopLevelItem(item)
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
        else:
            self.details.setText(self.tr("Ничего не найдено: «{0}»").format(_esc(text.strip())))

    def _pick_first(self) -> None:
        if self.tree.currentItem() is not None:
            self.tree.setFocus()

    def _show_groups(self, catalog: Catalog) -> None:
        current = self.tree.currentItem()
        current_id = current.data(0, SERVICE_ROLE) if current else None
        self.tree.clear()
        for group, services in sorted(catalog.groups().items()):
            group_item = QTreeWidgetItem([group, ""])
            group_item.setFlags(group_item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            for service in services:
                item = QTreeWidgetItem([service.name, service.service_id])
                item.setData(0, SERVICE_ROLE, service.service_id)
                group_item.addChild(item)
                if service.service_id == current_id:
                    self.tree.setCurrentItem(item)
            self.tree.addTopLevelItem(group_item)
            group_item.setExpanded(True)

    def _show_service(self, item: QTreeWidgetItem | None) -> None:
        service_id = item.data(0, SERVICE_ROLE) if item else None
        service = self.catalog.by_id(service_id) if self.catalog and service_id else None
        if service is None:
            self.details.setText(self.tr("Выберите услугу"))
            return
        self.details.setText(describe_service(service))


def describe_service(service: ServiceDefinition) -> str:
    lines = [f"<h2>{_esc(service.name)}</h2>",
             f"<p>Код услуги: <b>{_esc(service.service_id)}</b><br>"
             f"Группа: {_esc(service.group or '—')}<br>"
             f"Схема: {SCHEME_TITLES[service.scheme.value]}"
             f"{'<br>Фиксированная сумма платежа' if service.fixed_payment else ''}</p>",
             "<p><b>Поля для ввода:</b></p><ul>"]
    for spec in service.inputs:
        mark = " <span style='color:#b00020'>*</span>" if spec.required else ""
        lines.append(f"<li>{_esc(spec.label)}{mark}</li>")
    lines.append("</ul>")
    return "".join(lines)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
