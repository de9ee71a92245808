"""The cashier's «Кошелёк» page: find a person's e-wallet, open one, and act on it.

On the left the search: a phone as the person says it, or a walletId; the point's directory of
the wallets it opened or looked up answers (the wallet service itself has no search), and a
walletId the directory does not know yet is asked of the service. With the search empty the
list shows the wallets seen last. On the right the chosen wallet: its card
(:mod:`.card`), the СБП refill on screen (:mod:`.refill_view`) or the service's report
(:mod:`.report_view`). The dialogs that change something are :mod:`.dialogs`.

The work is the core's :class:`~cashier_app.workplace.wallet_desk.WalletDesk`, made for the
cashier and the shift at the desk at the moment of each action (``who``), so the audit and the
journal name whoever is logged in now. Money operations are journaled payments: the engine's
``PaymentChanged`` reaches the page through the window's bridge, so a refill the bank pays
while the cashier is on another tab is credited on the card and on the customer display
(``refill_changed``) without anyone pressing anything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.engine import PaymentEngine
from cashier_app.journal import PaymentRecord, WalletEntry
from cashier_app.ui.bridge import EngineBridge
from cashier_app.ui.widgets.messages import say
from cashier_app.wallet_api.errors import WalletInputError
from cashier_app.wallet_api.models import ReportFilter, ReportPage
from cashier_app.workplace.wallet_desk import UUID_RE, WalletCard, WalletDesk

from .action_dialog import ActionDialog, error_text, wallet_title
from .card import STATUS_WORDS, WalletCardView
from .dialogs import (
    CloseDialog,
    IdentifyDialog,
    LimitsDialog,
    PayDialog,
    RefillDialog,
    RegisterDialog,
    WithdrawDialog,
)
from .refill_view import RefillView
from .report_view import ReportView

log = logging.getLogger(__name__)
#: who acts: the cashier's name, role, shift id (read at each action)
Who = Callable[[], tuple[str, str, int | None]]
RECENT = 50
MakeDialog = Callable[[WalletDesk, WalletCard, QWidget], ActionDialog]
DemoBank = Callable[[str], Awaitable[str]]


def entry_line(entry: WalletEntry) -> str:
    """A wallet in the list, two short lines that fit its width: the phone (or «телефон не
    известен» for one found by walletId), then the number, the balance as last seen and a
    status other than «действует»."""
    parts = [f"№ {entry.number}" if entry.number else entry.wallet_id[:13] + "…"]
    if entry.balance is not None:
        parts.append(money(entry.balance))
    status = (entry.status or "").upper()
    if status and status != "ACTIVE":
        parts.append(STATUS_WORDS.get(status, status))
    return f"{entry.phone or 'телефон не известен'}\n" + "  ·  ".join(parts)


class WalletPage(QWidget):
    """Search and directory on the left; the chosen wallet on the right."""

    #: «Пополнить наличными»: the wallet's phone for the ordinary payment form
    cash_refill_requested = Signal(str)
    #: the refill on screen changed (a PaymentRecord), or None: nothing to show the customer
    refill_changed = Signal(object)
    #: a money operation started here has just been done: its receipt is due (a tx id)
    receipt_due = Signal(object)  # object: an 18-digit id overflows a Qt int

    def __init__(self, engine: PaymentEngine, who: Who, *, cash_service: str = "",
                 bridge: EngineBridge | None = None, bank: DemoBank | None = None,
                 parent: QWidget | None = None) -> None:
        """``bank``: demo mode's "bank of the person" that confirms a refill's link."""
        super().__init__(parent)
        self.setObjectName("walletPage")
        self.engine = engine
        self.journal = engine.journal
        self.who = who
        self._desk = WalletDesk(engine)
        self.card: WalletCard | None = None
        self.tasks: set[asyncio.Future[Any]] = set()
        self._mine: set[int] = set()  # money operations started on this page
        self._receipted: set[int] = set()
        self.dialog: ActionDialog | None = None
        self._opening: str | None = None  # the wallet whose card is being asked for

        # --- the search, on the left ----------------------------------------------------
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("serviceSearch")
        self.search_edit.setPlaceholderText(self.tr("Телефон или walletId"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self.start_search)
        self.search_edit.textChanged.connect(self._typed)
        self.find_button = QPushButton(self.tr("Найти  ⏎"))
        self.find_button.clicked.connect(self.start_search)
        self.new_button = QPushButton(self.tr("Новый кошелёк…"))
        self.new_button.setObjectName("checkButton")
        self.new_button.clicked.connect(self.ask_register)
        row = QHBoxLayout()
        row.addWidget(self.search_edit, 1)
        row.addWidget(self.find_button)
        self.list_title = QLabel(self.tr("Кошельки, открытые на этой кассе"))
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.itemActivated.connect(self._chosen)
        self.results.itemClicked.connect(self._chosen)
        self.search_message = QLabel("")
        self.search_message.setObjectName("viewMessage")
        self.search_message.setWordWrap(True)
        left = QWidget()
        left.setMinimumWidth(330)
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 4, 0)
        title = QLabel(self.tr("Электронный кошелёк"))
        title.setObjectName("panelTitle")
        left_column.addWidget(title)
        left_column.addLayout(row)
        left_column.addWidget(self.search_message)
        left_column.addWidget(self.list_title)
        left_column.addWidget(self.results, 1)
        left_column.addWidget(self.new_button)

        # --- the wallet, on the right ---------------------------------------------------
        self.card_view = WalletCardView(cash_service=bool(cash_service))
        self.refill_view = RefillView()
        self.report_view = ReportView()
        self.empty = QLabel(self.tr("Найдите кошелёк клиента по телефону или откройте новый.\n"
                                    "Кошелёк — не наличные: пополнение по СБП клиент "
                                    "подтверждает в приложении своего банка."))
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        for widget in (self.empty, self.card_view, self.refill_view, self.report_view):
            self.stack.addWidget(widget)
        self.message = QLabel("")
        self.message.setObjectName("viewMessage")
        self.message.setWordWrap(True)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(4, 0, 0, 0)
        right_column.addWidget(self.message)
        right_column.addWidget(self.stack, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([360, 1000])
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(splitter)

        view = self.card_view
        view.refill_requested.connect(lambda: self.ask(RefillDialog))
        view.pay_requested.connect(lambda: self.ask(PayDialog))
        view.withdraw_requested.connect(lambda: self.ask(WithdrawDialog))
        view.identify_requested.connect(lambda: self.ask(IdentifyDialog))
        view.limits_requested.connect(lambda: self.ask(LimitsDialog))
        view.close_requested.connect(lambda: self.ask(CloseDialog))
        view.report_requested.connect(self.show_report)
        view.reload_requested.connect(self.start_reload)
        view.cash_requested.connect(self._cash)
        self.refill_view.finished.connect(self.leave_refill)
        self.bank = bank
        self.refill_view.demo = bank is not None
        self.refill_view.demo_confirm_requested.connect(self.demo_confirm)
        self.report_view.back.connect(lambda: self.stack.setCurrentWidget(self.card_view))
        for widget, slot in ((self.refill_view, self.leave_refill),
                             (self.report_view, lambda: self.stack.setCurrentWidget(
                                 self.card_view))):
            QShortcut(QKeySequence(Qt.Key.Key_Escape), widget, slot,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if bridge is not None:
            bridge.payment_changed.connect(self.payment_changed)
        self.show_directory()

    # --- the desk of whoever is at it now ---------------------------------------------------
    def desk(self) -> WalletDesk:
        """The core's desk, acting for the cashier and shift at the desk now (the bank list
        it keeps is asked once per page)."""
        name, role, shift_id = self.who()
        self._desk.actor, self._desk.role, self._desk.shift_id = name, role, shift_id
        return self._desk

    def _keep(self, coroutine: Any) -> asyncio.Future[Any]:
        task: asyncio.Future[Any] = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def showEvent(self, event: QShowEvent) -> None:
        if not self.search_edit.text().strip():
            self.show_directory()
        super().showEvent(event)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    # --- finding ----------------------------------------------------------------------------
    def _typed(self, text: str) -> None:
        if not text.strip():
            say(self.search_message, "")
            self.show_directory()

    def show_directory(self) -> None:
        """The wallets seen last (the search is empty)."""
        self.list_title.setText(self.tr("Кошельки, с которыми работала касса"))
        self._fill(self.journal.recent_wallets(RECENT))

    def _fill(self, entries: list[WalletEntry]) -> None:
        self.results.clear()
        for entry in entries:
            item = QListWidgetItem(entry_line(entry))
            item.setData(Qt.ItemDataRole.UserRole, entry.wallet_id)
            item.setToolTip(entry.wallet_id)
            self.results.addItem(item)

    def start_search(self) -> asyncio.Future[Any]:
        return self._keep(self.search())

    async def search(self) -> None:
        """Find by what is typed: the directory first; a walletId it does not know is asked
        of the service (and remembered)."""
        text = self.search_edit.text().strip()
        if not text:
            self.show_directory()
            return
        try:
            found = self.desk().find(text)
        except WalletInputError as error:
            say(self.search_message, self.tr("{0}. Или вставьте walletId кошелька").format(
                str(error)), "error")
            return
        self.list_title.setText(self.tr("Найдено: {0}").format(len(found)))
        self._fill(found)
        if found:
            say(self.search_message, "")
            self.results.setCurrentRow(0)
            if len(found) == 1:
                await self.open_card(found[0].wallet_id)
            return
        if UUID_RE.match(text):
            say(self.search_message, self.tr("Спрашиваем сервис кошельков…"), "info")
            try:
                card = await self.desk().lookup(text)
            except Exception as error:  # said on screen; the list stays as it is
                say(self.search_message, error_text(error), "error")
                return
            say(self.search_message, "")
            self.list_title.setText(self.tr("Найдено: 1"))
            self._fill([card.entry])
            self.results.setCurrentRow(0)
            await self.open_card(card.entry.wallet_id)
            return
        say(self.search_message, self.tr("На этот номер кошельков на кассе нет. Откройте "
                                         "новый кнопкой «Новый кошелёк…»"), "warn")

    def _chosen(self, item: QListWidgetItem) -> None:
        wallet_id = item.data(Qt.ItemDataRole.UserRole)
        if wallet_id and wallet_id != self._opening:  # a click and an activation: one ask
            self._keep(self.open_card(str(wallet_id)))

    # --- the card ---------------------------------------------------------------------------
    async def open_card(self, wallet_id: str) -> WalletCard | None:
        """The card as the service says it now (or the directory's, with the reason)."""
        if self.stack.currentWidget() is not self.refill_view:
            self.stack.setCurrentWidget(self.card_view)
        say(self.message, self.tr("Спрашиваем сервис кошельков…"), "info")
        self._opening = wallet_id
        try:
            card = await self.desk().card(wallet_id)
        except Exception as error:  # a wallet that cannot be shown: the reason
            say(self.message, error_text(error), "error")
            return None
        finally:
            self._opening = None
        self.card = card
        self.card_view.show_card(card)
        self.card_view.show_operations(self.desk().operations(wallet_id))
        say(self.message, "")
        self._redraw_entry(card.entry)
        return card

    def _redraw_entry(self, entry: WalletEntry) -> None:
        for row in range(self.results.count()):
            item = self.results.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == entry.wallet_id:
                item.setText(entry_line(entry))

    def start_reload(self) -> asyncio.Future[Any] | None:
        if self.card is None:
            return None
        return self._keep(self.open_card(self.card.entry.wallet_id))

    # --- the actions ------------------------------------------------------------------------
    def ask_register(self) -> RegisterDialog:
        text = self.search_edit.text().strip()
        dialog = RegisterDialog(self.desk(), "" if UUID_RE.match(text) else text, self)
        dialog.completed.connect(self._registered)
        self._open(dialog)
        return dialog

    def ask(self, kind: MakeDialog) -> ActionDialog | None:
        """The dialog of an action on the card's wallet (``kind``: its class)."""
        if self.card is None:
            return None
        dialog = kind(self.desk(), self.card, self)
        dialog.completed.connect(lambda result: self._done(dialog, result))
        self._open(dialog)
        return dialog

    def _open(self, dialog: ActionDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()

    def _registered(self, entry: WalletEntry) -> None:
        self.search_edit.setText(entry.phone)
        found = self.desk().find(entry.phone)
        self._fill(found)
        say(self.search_message, "")  # «no wallet on this number» is no longer true
        self.list_title.setText(self.tr("Найдено: {0}").format(len(found)))
        self.results.setCurrentRow(0)
        self._keep(self._opened_new(entry))

    async def _opened_new(self, entry: WalletEntry) -> None:
        await self.open_card(entry.wallet_id)
        say(self.message, self.tr("Кошелёк открыт на телефон {0}").format(entry.phone), "ok")

    def _receipt(self, record: PaymentRecord) -> None:
        """Once a money operation started here is done, its receipt (once; the window prints
        it when printing after payment is on)."""
        tx_id = record.agent_transaction_id
        if record.state is State.PAID and tx_id in self._mine and tx_id not in self._receipted:
            self._receipted.add(tx_id)
            self.receipt_due.emit(tx_id)

    def _done(self, dialog: ActionDialog, result: Any) -> None:
        if isinstance(result, PaymentRecord):
            self._mine.add(result.agent_transaction_id)
            self._receipt(result)
        if isinstance(dialog, RefillDialog) and isinstance(result, PaymentRecord):
            self.show_refill(result)
            return
        self._keep(self._after(dialog, result))

    async def _after(self, dialog: ActionDialog, result: Any) -> None:
        """The card again after an action, and one line of what was done."""
        card = await self.open_card(dialog.wallet_id)
        balance = money(card.info.balance) if card is not None and card.info else "—"
        if isinstance(result, PaymentRecord):
            what = self.tr("Оплачено") if isinstance(dialog, PayDialog) else self.tr("Выведено")
            if result.state is State.PAID:
                say(self.message, self.tr("{0}: {1}. Баланс: {2}").format(
                    what, money(result.amount_to), balance), "ok")
            else:
                say(self.message, self.tr("Операция {0} в обработке: {1}").format(
                    result.agent_transaction_id, result.result_message or ""), "warn")
        elif isinstance(dialog, IdentifyDialog):
            say(self.message, self.tr("Идентификация изменена"), "ok")
        elif isinstance(dialog, CloseDialog):
            say(self.message, self.tr("Кошелёк закрыт"), "ok")
        elif isinstance(dialog, LimitsDialog):
            say(self.message, self.tr("Лимиты изменены"), "ok")

    def _cash(self) -> None:
        if self.card is None:
            return
        if not self.card.entry.phone:
            say(self.message, self.tr("У кошелька нет телефона в справочнике кассы: "
                                      "наличными его пополнить нельзя"), "warn")
            return
        self.cash_refill_requested.emit(self.card.entry.phone)

    # --- the refill ---------------------------------------------------------------------------
    def show_refill(self, record: PaymentRecord) -> None:
        title = wallet_title(self.card) if self.card is not None else ""
        self.refill_view.show_record(record, title)
        say(self.message, "")
        self.stack.setCurrentWidget(self.refill_view)
        self.refill_view.done_button.setFocus()
        self.refill_changed.emit(record)
        if self.card is not None:
            self.card_view.show_operations(self.desk().operations(self.card.entry.wallet_id))

    def demo_confirm(self, payload: str) -> None:
        """Demo: the emulator's bank pays the link; the credit then comes as in real life,
        through the wallet's report in the background."""
        if self.bank is None or not payload:
            return
        bank = self.bank

        async def confirm() -> None:
            said = await bank(payload)
            if said:
                say(self.message, said, "error")

        self._keep(confirm())

    def leave_refill(self) -> None:
        """«Готово»: back to the card; a refill still waiting goes on in the background."""
        waiting = self.refill_view.waiting()
        self.refill_view.stop()
        self.refill_changed.emit(None)
        self.stack.setCurrentWidget(self.card_view if self.card is not None else self.empty)
        if waiting:
            say(self.message, self.tr("Пополнение ждёт подтверждения банка: оно зачислится "
                                      "само, состояние — в списке операций"), "info")

    def payment_changed(self, record: PaymentRecord) -> None:
        """A wallet operation changed (here or in the background): the refill on screen, the
        card's operations; a finished one also refreshes the balance."""
        if not record.by_wallet:
            return
        self._receipt(record)
        if self.refill_view.agent_transaction_id == record.agent_transaction_id:
            self.refill_view.show_record(record)
            self.refill_changed.emit(record)
        if self.card is None or record.wallet_id != self.card.entry.wallet_id:
            return
        self.card_view.show_operations(self.desk().operations(record.wallet_id))
        if record.state in (State.PAID, State.FAILED) and record.wallet_operation == "refill":
            self._keep(self._refill_settled(record))

    async def _refill_settled(self, record: PaymentRecord) -> None:
        card = await self.open_card(record.wallet_id or "")
        if card is None or card.info is None:
            return
        text = self.tr("Баланс: {0}").format(money(card.info.balance))
        if self.refill_view.agent_transaction_id == record.agent_transaction_id:
            self.refill_view.show_balance(text)
        if record.state is State.PAID:
            say(self.message, self.tr("Зачислено {0} на {1}. {2}").format(
                money(record.amount_to), wallet_title(card), text), "ok")

    # --- the report ---------------------------------------------------------------------------
    def show_report(self) -> asyncio.Future[None] | None:
        if self.card is None:
            return None
        wallet_id = self.card.entry.wallet_id

        async def fetch(flt: ReportFilter) -> ReportPage:
            return await self.desk().report(wallet_id, flt)

        self.stack.setCurrentWidget(self.report_view)
        task = self.report_view.open_for(wallet_title(self.card), fetch)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task
