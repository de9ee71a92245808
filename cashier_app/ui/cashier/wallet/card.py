"""The wallet card: what the cashier and the person look at together — the number, the balance,
the status, the identification level and the limits; the actions; this point's operations on
the wallet with their state.

The facts come from :class:`~cashier_app.workplace.wallet_desk.WalletCard`: the service's
answer now, or — when the service did not answer — the directory's last word with the reason
in red, so a person is never turned away with an empty screen. The operations list is the
point's journal (what this desk sent and how it ended), not the service's report: it is what
the cashier answers for, and it shows a refill still waiting for the bank or a withdrawal
waiting for a supervisor's decision. Buttons that make no sense for a closed wallet are off.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.states import STATE_TITLES, State
from cashier_app.core.text import moment, money
from cashier_app.journal import PaymentRecord
from cashier_app.ui.widgets.tables import RIGHT, Column, fitted_table
from cashier_app.wallet_api.requests import LIMIT_TYPES
from cashier_app.workplace.wallet_desk import WalletCard, identification_title

from .action_dialog import TYPE_WORDS

OPERATION_WORDS = {"refill": "Пополнение по СБП", "payment": "Оплата с кошелька",
                   "withdrawal": "Вывод в банк"}
STATUS_WORDS = {"ACTIVE": "действует", "CLOSED": "закрыт", "BLOCKED": "заблокирован"}


def operation_state(record: PaymentRecord) -> str:
    """A wallet operation's state in the cashier's words (a refill is «зачислено»)."""
    if record.needs_decision:
        return "ждёт решения старшего"
    if record.state is State.PAID:
        return "зачислено" if record.wallet_operation == "refill" else "списано"
    if record.state is State.QR_WAITING:
        return "ждём банк клиента" if record.qr_payload else "ждём ответа"
    return STATE_TITLES.get(record.state, str(record.state))


def _value(name: str = "displayValue") -> QLabel:
    label = QLabel("—")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class WalletCardView(QWidget):
    """One wallet: facts, limits, actions, this point's operations on it."""

    refill_requested = Signal()
    cash_requested = Signal()
    pay_requested = Signal()
    withdraw_requested = Signal()
    identify_requested = Signal()
    limits_requested = Signal()
    report_requested = Signal()
    reload_requested = Signal()
    close_requested = Signal()

    def __init__(self, *, cash_service: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walletCard")
        self.card: WalletCard | None = None
        self.title = QLabel("")
        self.title.setObjectName("panelTitle")
        self.title.setWordWrap(True)
        self.balance = QLabel("")
        self.balance.setObjectName("qrAmount")
        self.balance.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.balance)
        self.problem = QLabel("")
        self.problem.setObjectName("fieldError")
        self.problem.setWordWrap(True)
        self.problem.hide()

        facts_box = QGroupBox(self.tr("Кошелёк"))
        facts = QGridLayout(facts_box)
        self.phone, self.number, self.status = _value(), _value(), _value()
        self.level, self.wallet_id = _value(), _value("hint")
        for row, (title, label) in enumerate(((self.tr("Телефон"), self.phone),
                                              (self.tr("Номер"), self.number),
                                              (self.tr("Статус"), self.status),
                                              (self.tr("Идентификация"), self.level),
                                              (self.tr("walletId"), self.wallet_id))):
            facts.addWidget(QLabel(title), row, 0, Qt.AlignmentFlag.AlignTop)
            facts.addWidget(label, row, 1)
        facts.setColumnStretch(1, 1)
        limits_box = QGroupBox(self.tr("Лимиты"))
        limits_column = QVBoxLayout(limits_box)
        self.limits = fitted_table([Column(self.tr("Операция"), 120, 90),
                                    Column(self.tr("Разовый"), 120, 90),
                                    Column(self.tr("В месяц"), 130, 90),
                                    Column(self.tr("Можно"), 80, 60)], "walletLimits")
        self.limits.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.limits.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.limits.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.balance_limit = QLabel("")
        limits_column.addWidget(self.limits)
        limits_column.addWidget(self.balance_limit)
        boxes = QHBoxLayout()
        boxes.addWidget(facts_box, 1)
        boxes.addWidget(limits_box, 1)

        def button(text: str, signal: SignalInstance, name: str = "") -> QPushButton:
            made = QPushButton(self.tr(text))
            if name:
                made.setObjectName(name)
            made.clicked.connect(signal)
            return made

        self.refill_button = button("Пополнить по СБП…", self.refill_requested, "checkButton")
        self.cash_button = button("Пополнить наличными", self.cash_requested)
        self.cash_button.setVisible(cash_service)
        self.pay_button = button("Оплатить услугу…", self.pay_requested)
        self.withdraw_button = button("Вывести в банк…", self.withdraw_requested)
        self.identify_button = button("Идентификация…", self.identify_requested)
        self.limits_button = button("Лимиты…", self.limits_requested)
        self.report_button = button("Отчёт операций", self.report_requested)
        self.reload_button = button("Обновить", self.reload_requested)
        self.close_button = button("Закрыть кошелёк…", self.close_requested)
        money_row, other_row = QHBoxLayout(), QHBoxLayout()
        for made in (self.refill_button, self.cash_button, self.pay_button,
                     self.withdraw_button):
            money_row.addWidget(made)
        money_row.addStretch(1)
        for made in (self.identify_button, self.limits_button, self.report_button,
                     self.reload_button):
            other_row.addWidget(made)
        other_row.addStretch(1)
        other_row.addWidget(self.close_button)
        self.money_buttons = (self.refill_button, self.cash_button, self.pay_button,
                              self.withdraw_button, self.identify_button, self.limits_button,
                              self.close_button)

        self.operations_title = QLabel(self.tr("Операции на этой кассе"))
        self.operations = fitted_table(
            [Column(self.tr("Время"), 150, 150), Column(self.tr("Операция"), 170, 120),
             Column(self.tr("Сумма"), 120, 100), Column(self.tr("Состояние"), 170, 120),
             Column(self.tr("Сообщение"), 360, 120, stretch=True)], "walletOperations")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(header)
        column.addWidget(self.problem)
        column.addLayout(boxes)
        column.addLayout(money_row)
        column.addLayout(other_row)
        column.addWidget(self.operations_title)
        column.addWidget(self.operations, 1)

    def show_card(self, card: WalletCard) -> None:
        self.card = card
        entry, info = card.entry, card.info
        number = (info.number if info is not None else entry.number) or ""
        self.title.setText(self.tr("Кошелёк № {0}").format(number) if number
                           else self.tr("Кошелёк"))
        balance = info.balance if info is not None else entry.balance
        self.balance.setText(self.tr("Баланс: {0}").format(money(balance)))
        self.balance.setToolTip("" if info is not None else self.tr(
            "Последний известный баланс (сервис сейчас не ответил)"))
        self.problem.setText(self.tr("Сервис кошельков не ответил, показано последнее "
                                     "известное: {0}").format(card.problem)
                             if card.problem else "")
        self.problem.setVisible(bool(card.problem))
        self.phone.setText(entry.phone or "—")
        self.number.setText(number or "—")
        status = (info.status if info is not None else entry.status) or ""
        self.status.setText(STATUS_WORDS.get(status.upper(), status or "—"))
        level = (info.identification if info is not None else None) or entry.identification
        self.level.setText(identification_title(level))
        self.wallet_id.setText(entry.wallet_id)
        self._show_limits(card)
        for made in self.money_buttons:
            made.setEnabled(not card.closed)
        self.limits_button.setEnabled(not card.closed and card.limits is not None)

    def _show_limits(self, card: WalletCard) -> None:
        limits = card.limits
        rows = []
        for kind in LIMIT_TYPES:
            limit = limits.operations.get(kind) if limits is not None else None
            if limit is None:
                rows.append([TYPE_WORDS[kind], "—", "—", "—"])
                continue
            rows.append([TYPE_WORDS[kind],
                         money(limit.one_time) if limit.one_time is not None else "без лимита",
                         money(limit.month) if limit.month is not None else "без лимита",
                         "да" if limit.enabled else "нет"])
        self.limits.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                item = _item(text, column in (1, 2))
                self.limits.setItem(row, column, item)
        # all three rows, no scroll bar: the table is as tall as its rows
        self.limits.setFixedHeight(self.limits.horizontalHeader().sizeHint().height()
                                   + sum(self.limits.rowHeight(r) for r in range(len(rows)))
                                   + 2 * self.limits.frameWidth())
        self.balance_limit.setText(
            self.tr("Наибольший баланс: {0}").format(money(limits.balance_limit))
            if limits is not None and limits.balance_limit is not None
            else self.tr("Лимиты не получены") if limits is None else "")

    def show_operations(self, records: list[PaymentRecord]) -> None:
        """This point's operations on the wallet, newest first."""
        self.operations.setRowCount(len(records))
        for row, record in enumerate(records):
            cells = [moment(record.created_at), OPERATION_WORDS.get(
                record.wallet_operation or "", record.service_name), money(record.amount_to),
                operation_state(record), record.result_message or ""]
            for column, text in enumerate(cells):
                item = _item(text, column == 2)
                if column == 3:
                    item.setData(Qt.ItemDataRole.UserRole, str(record.state))
                self.operations.setItem(row, column, item)
        self.operations_title.setText(self.tr("Операции на этой кассе: {0}").format(
            len(records)) if records else self.tr("Операций на этой кассе ещё не было"))


def _item(text: str, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(RIGHT)
    return item
