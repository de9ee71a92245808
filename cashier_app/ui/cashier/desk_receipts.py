"""The cashier's receipts and reports outside the payment panel: the X report, the last Z
report again, a payment's receipt printed or shown from «Сегодня», the printer's test page —
and what the cashier is told of every print the panel is not showing (a reprint, a report,
a receipt of a payment that settled in the background), in the notice row.

Printing runs in the receipt service's worker thread and never changes a payment. Without
a receipt service (no printer set up) every action here does nothing.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from cashier_app.core.text import money
from cashier_app.journal import StoredReceipt
from cashier_app.receipts.document import ReceiptError
from cashier_app.receipts.printers import PrinterError
from cashier_app.receipts.service import PrintOutcome, ReceiptService
from cashier_app.ui.widgets.receipt_view import ReceiptDialog, open_payment_receipt

from .notice_bar import NoticeBar


class DeskReceipts(QObject):
    def __init__(self, receipts: ReceiptService | None, notices: NoticeBar,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.receipts = receipts
        self.notices = notices
        self._parent = parent
        self.tasks: set[asyncio.Future[None]] = set()
        #: the receipt or test page last shown on screen
        self.dialog: QWidget | None = None

    def _keep(self, task: asyncio.Future[None]) -> None:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- reports --------------------------------------------------------------------------
    def print_x_report(self, shift_id: int | None) -> None:
        """The X report of the open shift (``None``: no shift open, nothing to print)."""
        if self.receipts is not None and shift_id is not None:
            self._keep(asyncio.ensure_future(self._print_stored(
                self.receipts.x_report(shift_id))))

    def print_z_report(self, shift_id: int | None) -> None:
        """The Z report of a closed shift (again: a copy)."""
        if self.receipts is not None and shift_id is not None:
            self._keep(asyncio.ensure_future(self._print_stored(
                self.receipts.z_report(shift_id))))

    async def _print_stored(self, stored: StoredReceipt) -> None:
        assert self.receipts is not None
        self.notices.put_up(self.tr("Печатаем…"), "info")
        outcome = await self.receipts.print_receipt(stored)
        if not outcome.printed:
            again = (self.tr("Смена → Z-отчёт закрытой смены ещё раз") if stored.kind == "z"
                     else self.tr("Смена → X-отчёт"))
            self.notices.put_up(self.tr("{0} № {1} не напечатан: {2}. Повторить: {3}").format(
                self.tr("Z-отчёт") if stored.kind == "z" else self.tr("X-отчёт"),
                stored.number, outcome.message, again), "error")

    # --- a payment's receipt ----------------------------------------------------------------
    def print_payment(self, agent_transaction_id: int) -> None:
        if self.receipts is not None:
            self._keep(asyncio.ensure_future(self._print_payment(agent_transaction_id)))

    async def _print_payment(self, agent_transaction_id: int) -> None:
        assert self.receipts is not None
        try:
            await self.receipts.print_payment(agent_transaction_id)
        except ReceiptError as error:
            self.notices.put_up(str(error), "warn", about=("receipt", agent_transaction_id))

    def preview_payment(self, agent_transaction_id: int) -> None:
        if self.receipts is None:
            return
        try:
            self.dialog = open_payment_receipt(
                self._parent, self.receipts, agent_transaction_id,
                lambda: self.print_payment(agent_transaction_id))
        except ReceiptError as error:
            self.notices.put_up(str(error), "warn")

    def printed(self, outcome: PrintOutcome, *, on_screen: bool) -> None:
        """Any print's outcome. One the payment panel shows (``on_screen``) is said there;
        any other becomes a notice — a failure with where to print it again."""
        payment = outcome.receipt.agent_transaction_id
        if self.receipts is None:
            return
        if on_screen:
            if outcome.printed:  # «не напечатан» is no longer true; the panel says so
                self.notices.take_down_if(("receipt", payment))
            return
        if outcome.printed:
            self.notices.put_up(outcome.message, "ok", about=("receipt", payment))
        elif outcome.receipt.kind == "payment":
            self.notices.put_up(self.tr("Чек не напечатан ({0}): {1}. Напечатать ещё раз: "
                                        "«Сегодня» → Печать чека (Ctrl+P)").format(
                self._payment_words(payment), outcome.message), "error",
                about=("receipt", payment))

    def _payment_words(self, agent_transaction_id: int | None) -> str:
        """A payment as the cashier knows it: service, account, amount (not its 18 digits)."""
        if agent_transaction_id is None or self.receipts is None:
            return self.tr("отчёт")
        try:
            record = self.receipts.journal.get(agent_transaction_id)
        except Exception:  # a notice must not fail over a lookup
            return str(agent_transaction_id)
        return f"{record.service_name}, {record.account}, {money(record.amount_to)}"

    # --- the printer's test page --------------------------------------------------------------
    def show_test_page(self) -> None:
        if self.receipts is None:
            return
        printer = self.receipts.printer
        dialog = ReceiptDialog(self.tr("Пробная страница"), self.receipts.test_lines(),
                               printer.columns, on_print=self._send_test_page,
                               note=self.tr("Принтер: {0}, профиль {1}").format(
                                   printer.describe() or self.tr("не настроен"),
                                   printer.profile), parent=self._parent)
        self.dialog = dialog
        dialog.open()

    def _send_test_page(self) -> None:
        self._keep(asyncio.ensure_future(self._test_page()))

    async def _test_page(self) -> None:
        assert self.receipts is not None
        try:
            message = await self.receipts.print_test_page()
        except PrinterError as error:
            self.notices.put_up(self.tr("Пробная страница не напечатана: {0}").format(error),
                                "error")
            return
        self.notices.put_up(message, "ok")

