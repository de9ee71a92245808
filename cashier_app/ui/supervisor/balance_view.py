"""The agent's balance for the supervisor: the balance, its thresholds and level as the
center last said them, and today's movement by the journal (what was paid, what is still
«в обработке» and will be debited, the balance asked through the day)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from cashier_app.core.answers import AgentBalance
from cashier_app.core.balance import BalanceLevel, balance_level
from cashier_app.core.states import State
from cashier_app.core.text import day, moment, money
from cashier_app.journal import query
from cashier_app.journal.query import JournalFilter
from cashier_app.processing.errors import ProcessingError
from cashier_app.ui.widgets.tables import Column, fill, fitted_table

if TYPE_CHECKING:
    from .window import SupervisorWindow

#: Currency codes that mean the rouble: shown as «₽».
ROUBLE_CODES = {"", "RUB", "RUR", "643", "₽"}


def currency_sign(code: str | None) -> str:
    """The sign shown after an amount: ``₽`` for the rouble, else the center's code."""
    text = (code or "").strip()
    return "₽" if text.upper() in ROUBLE_CODES else text


class BalanceView(QWidget):
    """The agent's balance, its thresholds and level; today's movement by the journal."""

    def __init__(self, window: SupervisorWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.journal = window.journal
        self.balance: AgentBalance | None = None
        self.form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for key, title in (("balance", "Баланс"), ("overdraft", "Порог отключения "
                                                   "(овердрафт)"),
                           ("notification", "Порог уведомления"), ("level", "Состояние"),
                           ("agent", "Агент"), ("fetched", "Получено")):
            label = QLabel("—")
            label.setObjectName(f"balance_{key}")
            self.values[key] = label
            self.form.addRow(title, label)
        self.values["balance"].setStyleSheet("font-size: 22px; font-weight: bold")
        self.movement = QLabel("")
        self.movement.setObjectName("balanceMovement")
        self.movement.setWordWrap(True)
        self.movement.setTextFormat(Qt.TextFormat.RichText)
        self.history = fitted_table((Column("Время", 175), Column("Баланс", 160, 110),
                                     Column("Изменение", 160, 110, stretch=True)),
                                    "balanceHistory")
        self.refresh_button = QPushButton("Обновить  F5")
        self.refresh_button.clicked.connect(self.start_refresh)
        top = QWidget()
        top.setLayout(self.form)
        column = QVBoxLayout(self)
        column.addWidget(top)
        column.addWidget(self.movement)
        column.addWidget(QLabel("Баланс по запросам за сегодня"))
        column.addWidget(self.history, 1)
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        column.addLayout(row)
        self.task: asyncio.Future[None] | None = None
        self.show_movement()

    def start_refresh(self) -> asyncio.Future[None]:
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self.refresh())
        return self.task

    async def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        self.values["fetched"].setText("запрос…")
        try:
            answer = await self.window_.fetch_balance()
        except ProcessingError as error:
            self.values["fetched"].setText(f"нет ответа: {error}")
            answer = None
        finally:
            self.refresh_button.setEnabled(True)
        if answer is not None:
            self.show_balance(answer)
        self.show_movement()

    def show_balance(self, answer: AgentBalance) -> None:
        if not answer.ok:
            self.values["fetched"].setText(f"отказ процессинга: {answer.cashier_message}")
            return
        self.balance = answer
        sign = currency_sign(answer.currency)

        def amount(value: Decimal) -> str:
            return f"{money(value, rub=False)} {sign}"

        self.values["balance"].setText(amount(answer.balance))
        self.values["overdraft"].setText(amount(answer.overdraft))
        self.values["notification"].setText(
            amount(answer.notification) if answer.notification is not None else "не задан")
        level = balance_level(answer.balance, answer.overdraft, answer.notification)
        self.values["level"].setText({
            BalanceLevel.OK: "в норме", BalanceLevel.LOW: "ниже порога уведомления — пополните",
            BalanceLevel.BLOCKED: "порог отключения достигнут: приём платежей остановлен"}[level])
        self.values["agent"].setText(f"{answer.agent_name} (№ {answer.agent_id})"
                                     if answer.agent_id else answer.agent_name or "—")
        self.values["fetched"].setText(moment(self.window_.now(), seconds=True))

    def show_movement(self) -> None:
        today = self.window_.today()
        totals = query.totals(self.journal, JournalFilter(today, today, state=State.PAID))
        pending = query.totals(self.journal, JournalFilter(today, today, state=State.PAYING))
        history = self.journal.balance_history(today)
        lines = [f"<b>Движение за {day(today)}</b> по журналу кассы:",
                 f"Проведено платежей: {totals.all.count}, списано с баланса (к зачислению) "
                 f"{money(totals.all.amount_to)}, комиссия {money(totals.all.commission)}"]
        if pending.all.count:
            lines.append(f"В обработке: {pending.all.count} на "
                         f"{money(pending.all.amount_to)} (спишутся при проведении)")
        if len(history) >= 2:
            change = history[-1][1] - history[0][1]
            lines.append(f"Баланс с {moment(history[0][0])[-5:]} до "
                         f"{moment(history[-1][0])[-5:]}: {money(history[0][1], rub=False)} → "
                         f"{money(history[-1][1])} ({'+' if change > 0 else ''}"
                         f"{money(change)}; пополнения видны как рост)")
        self.movement.setText("<br>".join(lines))
        rows = []
        previous: Decimal | None = None
        for at, value in history:
            delta = "" if previous is None else (
                ("+" if value > previous else "") + money(value - previous, rub=False))
            rows.append([moment(at, seconds=True), money(value, rub=False), delta])
            previous = value
        fill(self.history, list(reversed(rows)), right=(1, 2))
