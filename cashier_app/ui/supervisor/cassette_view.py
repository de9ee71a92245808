"""The bill validator's cassette for the supervisor: what it holds since the last collection
(by denomination, with the sum), the bills the unit never confirmed (a power cut while
stacking: counted against the cassette at the next collection), and the collections."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from cashier_app.core.text import moment, money, plural
from cashier_app.journal import Journal
from cashier_app.ui.widgets.tables import Column, fill, fitted_table


class CassetteView(QWidget):
    def __init__(self, journal: Journal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.journal = journal
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
        self.reload_button = QPushButton("Обновить  F5")
        self.reload_button.clicked.connect(self.reload)
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addWidget(QLabel("В кассете с последней инкассации"))
        column.addWidget(self.contents, 1)
        column.addWidget(self.unconfirmed)
        column.addWidget(QLabel("Инкассации (cashier-app encashment)"))
        column.addWidget(self.collections, 1)
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
        self.summary.setText(f"В кассете: {bills} {word} на {money(total)}")
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
