"""How a sale ends, told in plain words: paid; accepted and to be carried out («платёж принят и
будет проведён» — a pending payment at a terminal); not carried out, with the voucher that
holds the money; the receipt to take — or, when the printer cannot print and the terminal goes
on, the receipt on screen with a QR code of its data. Also a one-line wait screen and the
«Терминал не работает» screen."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from cashier_app.core.text import money
from cashier_app.journal.cash_in import CashSession
from cashier_app.receipts.layout import Line
from cashier_app.ui.widgets.qr_code import QrCodeWidget
from cashier_app.ui.widgets.receipt_view import ReceiptView
from cashier_app.workplace.kiosk import PENDING_TEXT, Outcome

from .screen import Screen, big_label

HEADLINES = {Outcome.PAID: "Платёж проведён", Outcome.PENDING: PENDING_TEXT,
             Outcome.FAILED: "Платёж не проведён"}


class ResultScreen(Screen):
    """``done()`` by «Готово» (or the window's timer)."""

    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", name="kioskResult", back=False, home=False, parent=parent)
        self.text = big_label("", "kioskBig", center=True)
        self.detail = big_label("", "kioskNote", center=True)
        self.receipt = ReceiptView()
        self.receipt.setObjectName("kioskReceipt")
        self.qr = QrCodeWidget(minimum=200)
        row = QHBoxLayout()
        row.addWidget(self.receipt, 3)
        row.addWidget(self.qr, 2)
        self.receipt_row = QWidget()
        self.receipt_row.setLayout(row)
        self.body.addStretch(1)
        self.body.addWidget(self.text)
        self.body.addWidget(self.detail)
        self.body.addWidget(self.receipt_row, 4)
        self.body.addStretch(1)
        self.done_button = self.add_action("Готово", "kioskNext")
        self.done_button.clicked.connect(self.done.emit)
        self.outcome: Outcome | None = None

    def show_outcome(self, outcome: Outcome, detail: str, *, printed: str | None,
                     on_screen: tuple[list[Line], int, str] | None = None) -> None:
        """``printed``: the receipt's line («Заберите чек»), or None; ``on_screen``: the
        receipt's lines, columns and its QR text when it could not be printed."""
        self.outcome = outcome
        self.title.setText(HEADLINES[outcome])
        self.title.setProperty("kind", outcome.value)
        self.title.style().unpolish(self.title)
        self.title.style().polish(self.title)
        self.text.setText(printed or "")
        self.detail.setText(detail)
        self.receipt_row.setVisible(on_screen is not None)
        if on_screen is not None:
            lines, columns, qr_text = on_screen
            self.receipt.show_lines(lines, columns)
            self.qr.set_text(qr_text)


class VoucherScreen(Screen):
    """The voucher that holds the money of a sale that did not become a payment."""

    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Заберите ваучер", name="kioskVoucher", back=False, home=False,
                         parent=parent)
        self.amount = big_label("", "kioskBig", center=True)
        self.code = big_label("", "kioskCode", center=True)
        self.detail = big_label("", "kioskNote", center=True)
        self.body.addStretch(1)
        self.body.addWidget(self.amount)
        self.body.addWidget(self.code)
        self.body.addWidget(self.detail)
        self.body.addStretch(1)
        self.done_button = self.add_action("Готово", "kioskNext")
        self.done_button.clicked.connect(self.done.emit)

    def show_voucher(self, voucher: CashSession, why: str, printed: bool) -> None:
        self.amount.setText(f"Внесено: {money(voucher.total)}")
        self.code.setText(f"Код ваучера: {voucher.voucher}")
        where = "Ваучер напечатан." if printed else (
            "Ваучер не напечатался: запишите код.")
        self.detail.setText(f"{why}. {where} Его можно потратить на этом терминале или "
                            "получить деньги у оператора пункта.")


class WaitScreen(Screen):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", name="kioskWait", back=False, home=False, parent=parent)
        self.text = big_label("", "kioskNote", center=True)
        self.body.addStretch(1)
        self.body.addWidget(self.text)
        self.body.addStretch(1)

    def show_text(self, title: str, text: str = "") -> None:
        self.title.setText(title)
        self.text.setText(text)


class OutOfServiceScreen(Screen):
    def __init__(self, terminal: str, support_phone: str, parent: QWidget | None = None
                 ) -> None:
        super().__init__("Терминал временно не работает", name="kioskOutOfService",
                         back=False, home=False, parent=parent)
        self.reason = big_label("", "kioskNote", center=True)
        contact = f"Терминал № {terminal}"
        if support_phone:
            contact += f"\nТелефон поддержки: {support_phone}"
        self.contact = big_label(contact, "kioskBig", center=True)
        self.body.addStretch(1)
        self.body.addWidget(self.contact)
        self.body.addWidget(self.reason)
        self.body.addWidget(big_label("Платежи, уже принятые терминалом, будут проведены.",
                                      "kioskNote", center=True))
        self.body.addStretch(1)

    def show_reason(self, reason: str) -> None:
        self.reason.setText(reason)
