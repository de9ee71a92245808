"""The receipt line under a payment's outcome: what was printed for it and what can be.

What it says comes from :func:`.payment_banner.receipt_banner` of the payment
and its latest receipt as they are now, so «Чек № 5 напечатан» does not turn into «Чек не
печатался» when the payment settles, and a payment that did not go through is not offered a
receipt as if it had. Printing runs off the event loop in the receipt service; a print never
changes the payment.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from cashier_app.journal import PaymentRecord
from cashier_app.receipts.document import ReceiptError
from cashier_app.receipts.service import ReceiptService
from cashier_app.ui.widgets.receipt_view import open_payment_receipt

from .payment_banner import ReceiptBanner, receipt_banner


class ReceiptLine(QWidget):
    def __init__(self, receipts: ReceiptService | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptBox")
        self.receipts = receipts
        self.offer = ReceiptBanner("", "info", None)
        self.status = QLabel("")
        self.status.setObjectName("receiptStatus")
        self.status.setWordWrap(True)
        self.print_button = QPushButton(self.tr("Напечатать чек  F6"))
        self.print_button.setObjectName("printReceiptButton")
        self.preview_button = QPushButton(self.tr("Чек на экране  F7"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.status, 1)
        row.addWidget(self.print_button)
        row.addWidget(self.preview_button)
        self.hide()

    @property
    def can_print(self) -> bool:
        return self.receipts is not None and self.offer.print_label is not None

    def show_for(self, record: PaymentRecord, *, printing: bool = False) -> None:
        """The line for ``record`` as it and its latest receipt are now; ``printing``: the
        printer works on its receipt."""
        if self.receipts is None:
            self.hide()
            return
        latest = self.receipts.journal.latest_receipt(record.agent_transaction_id)
        offer = receipt_banner(record, latest, printing=printing,
                               printer_configured=self.receipts.printer.configured)
        self.offer = offer
        self.say(offer.text, offer.kind)
        offered = offer.print_label is not None
        self.print_button.setVisible(offered)
        self.preview_button.setVisible(offered)
        if offer.print_label is not None:
            self.print_button.setText(offer.print_label)
        self.print_button.setEnabled(offer.can_print)
        self.setVisible(bool(offer.text) or offered)

    def say(self, text: str, kind: str) -> None:
        self.status.setText(text)
        self.status.setProperty("kind", kind)
        self.status.style().polish(self.status)

    def preview(self, parent: QWidget, agent_transaction_id: int,
                on_print: Callable[[], None]) -> QWidget | None:
        """The receipt on screen, as it will print (None, and why on the line, if none)."""
        assert self.receipts is not None
        try:
            return open_payment_receipt(parent, self.receipts, agent_transaction_id, on_print)
        except ReceiptError as error:
            self.say(str(error), "error")
            return None
