"""The bill validator's cassette for the supervisor: what it holds since the last collection
(by denomination, with the sum), the bills the unit never confirmed (a power cut while
stacking: counted against the cassette at the next collection), the collections — and the
vouchers waiting to be paid out, with the payout by code (once, audited)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.text import moment, money, plural
from cashier_app.journal import Journal
from cashier_app.journal.cash_in import VoucherNotPayable
from cashier_app.ui.widgets.messages import say
from cashier_app.ui.widgets.tables import Column, fill, fitted_table

Audit = Callable[[str, str, dict[str, Any]], None]


class CassetteView(QWidget):
    def __init__(self, journal: Journal, actor: str, audit: Audit,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.journal = journal
        self.actor = actor
        self._audit = audit
        self.summary = QLabel("")
        self.summary.setObjectName("cassetteSummary")
        self.summary.setStyleSheet("font-size: 18px; font-weight: bold")
        self.contents = fitted_table((Column("Номинал", 160, 110), Column("Купюр", 120, 80),
                                      Column("Сумма", 180, 120, stretch=True)),
                                     "cassetteContents")
        self.unconfirmed = QLabel("")
        self.unconfirmed.setObjectName("cassetteUnconfirmed")
        self.unconfirmed.setWordWrap(True)
        self.unconfirmed.setTextFormat(Qt.TextFormat.PlainText)
        self.collections = fitted_table((Column("№", 60, 50), Column("Время", 175),
                                         Column("Кто", 260, 160), Column("Купюр", 90, 70),
                                         Column("Сумма", 160, 110, stretch=True)),
                                        "cassetteCollections")
        self.vouchers = fitted_table((Column("Код", 170, 150), Column("Выдан", 175),
                                      Column("Сумма", 160, 110, stretch=True)),
                                     "cassetteVouchers")
        self.code = QLineEdit()
        self.code.setObjectName("voucherCode")
        self.code.setPlaceholderText("код с ваучера: 12 цифр")
        self.code.returnPressed.connect(self.pay_out)
        self.pay_button = QPushButton("Выдать деньги по ваучеру  ⏎")
        self.pay_button.clicked.connect(self.pay_out)
        self.pay_message = QLabel("")
        self.pay_message.setObjectName("voucherMessage")
        self.pay_message.setWordWrap(True)
        self.reload_button = QPushButton("Обновить  F5")
        self.reload_button.clicked.connect(self.reload)
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addWidget(QLabel("В кассете с последней инкассации"))
        column.addWidget(self.contents, 1)
        column.addWidget(self.unconfirmed)
        column.addWidget(QLabel("Инкассации (cashier-app encashment)"))
        column.addWidget(self.collections, 1)
        column.addWidget(QLabel("Ваучеры к выдаче"))
        column.addWidget(self.vouchers, 1)
        pay_row = QHBoxLayout()
        pay_row.addWidget(self.code, 1)
        pay_row.addWidget(self.pay_button)
        column.addLayout(pay_row)
        column.addWidget(self.pay_message)
        row = QHBoxLayout()
        row.addWidget(self.reload_button)
        row.addStretch(1)
        column.addLayout(row)
        self.reload()

    def reload(self) -> None:
        counts = sorted(self.journal.cassette().items())
        total = sum((amount * count for amount, count in counts), start=Decimal("0.00"))
        bills = sum(count for _, count in counts)
        word = plural(bills, "купюра", "купюры", "купюр")
        self.summary.setText(f"В кассете: {bills} {word} на {money(total)}" if bills
                             else "Кассета пуста (с последней инкассации купюр не было)")
        fill(self.contents, [(money(amount), str(count), money(amount * count))
                             for amount, count in counts], right=(0, 1, 2))
        pending = self.journal.unconfirmed_bills()
        self.unconfirmed.setVisible(bool(pending))
        self.unconfirmed.setText(
            "Не подтверждены купюроприёмником (питание пропало при укладке): "
            + "; ".join(f"{money(b.amount)} — {moment(b.at)}" for b in pending)
            + ". Сверьте с кассетой при инкассации." if pending else "")
        fill(self.collections, [(str(c.id), moment(c.at), c.actor, str(c.bills),
                                 money(c.total)) for c in self.journal.collections()],
             right=(0, 3, 4))
        fill(self.vouchers, [(v.voucher or "", moment(v.closed_at), money(v.total))
                             for v in self.journal.unpaid_vouchers()], right=(2,))

    def pay_out(self) -> None:
        """The sum of the voucher typed is given in cash: written once, audited; a code
        unknown, paid already or not a voucher is said, nothing written."""
        session = self.journal.voucher(self.code.text())
        if session is None:
            say(self.pay_message, "Такого ваучера нет: проверьте код (12 цифр)", "error")
            return
        try:
            paid = self.journal.pay_out_voucher(session.id, self.actor)
        except VoucherNotPayable as error:
            say(self.pay_message, str(error), "error")
            return
        self._audit("voucher_paid_out", f"ваучер {paid.voucher}",
                    {"total": format(paid.total, "f"), "session": paid.id})
        say(self.pay_message, f"Выдайте {money(paid.total)} по ваучеру {paid.voucher}", "ok")
        self.code.clear()
        self.reload()
