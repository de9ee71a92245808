"""Receipts for payments and shifts: build, store, print off the event loop, record the result.

Printing never changes a payment's state: a failure is written on the receipt and on the
payment row (``receipt_error``) and the receipt can be printed again. The first successful
print of a document is the original; every later print of it says «КОПИЯ».

Which payments get a receipt: :func:`gets_receipt` / :func:`receipt_refusal` (re-exported
from :mod:`.document`) — a paid payment, one in progress (its cash is in the drawer) and a
paid QR code. A payment the center refused gets none (no number is used up): its money goes
back to the person, and :meth:`ReceiptService.payment_document` raises ReceiptError with the
reason to show instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from cashier_app.core.states import State
from cashier_app.events import EventHub
from cashier_app.journal import Journal, StoredReceipt
from cashier_app.journal.cash_in import CashSession, Collection

from .document import Document, ReceiptError, ReceiptSettings
from .layout import Line, layout
from .payment_receipt import gets_receipt, payment_receipt, receipt_refusal
from .printers import PrinterConfig, PrinterError, probe, send
from .shift_report import shift_report
from .test_page import printer_test_page
from .voucher import cash_voucher, collection_slip

__all__ = ["AUTO_PRINT_STATES", "PrintOutcome", "ReceiptService", "gets_receipt",
           "receipt_refusal"]
log = logging.getLogger(__name__)
#: A receipt is printed automatically when its payment reaches one of these.
AUTO_PRINT_STATES = (State.PAID, State.PAYING)


@dataclass(frozen=True)
class PrintOutcome:
    receipt: StoredReceipt
    printed: bool
    message: str  # Russian, for the cashier


@dataclass(frozen=True)
class ReceiptPrinted:
    """A print ended (printed or not): published on the service's event hub."""

    outcome: PrintOutcome


class ReceiptService:
    def __init__(self, journal: Journal, settings: ReceiptSettings, printer: PrinterConfig, *,
                 auto_print: bool = True, clock: Callable[[], datetime] = datetime.now,
                 events: EventHub | None = None) -> None:
        self.journal = journal
        self.settings = settings
        self.printer = printer
        self.auto_print = auto_print and printer.configured
        self.clock = clock
        self.events = events if events is not None else EventHub()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="printer")
        self._lock: asyncio.Lock | None = None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # --- documents ---------------------------------------------------------------------
    def payment_document(self, agent_transaction_id: int) -> StoredReceipt:
        """The payment's receipt: the stored one while the payment's state is the one it
        shows, else a new one (the first, or «проведён» after «в обработке»). ReceiptError
        (the reason, in Russian) for a payment that gets no receipt — nothing is stored and
        no number is used."""
        record = self.journal.get(agent_transaction_id)
        refusal = receipt_refusal(record)
        if refusal is not None:
            raise ReceiptError(refusal)
        latest = self.journal.latest_receipt(agent_transaction_id)
        if latest is not None and latest.payment_state == str(record.state):
            return latest
        return self.journal.add_receipt(
            "payment", {}, agent_transaction_id=agent_transaction_id,
            shift_id=record.shift_id, payment_state=str(record.state),
            build=lambda number: payment_receipt(record, self.settings, number).as_json())

    def x_report(self, shift_id: int) -> StoredReceipt:
        """Current totals of a shift: a new document each time."""
        return self._shift_document("x", shift_id)

    def z_report(self, shift_id: int) -> StoredReceipt:
        """The closed shift's report: made once, reprinted as a copy."""
        existing = self.journal.shift_receipt(shift_id, "z")
        return existing or self._shift_document("z", shift_id)

    def _shift_document(self, kind: str, shift_id: int) -> StoredReceipt:
        shift = self.journal.shift(shift_id)
        payments = self.journal.shift_payments(shift_id)
        refunds = self.journal.shift_refunds(shift)
        made_at = self.clock()
        return self.journal.add_receipt(
            kind, {}, shift_id=shift_id,
            build=lambda number: shift_report(kind, shift, payments, self.settings, number,
                                              made_at, refunds).as_json())

    def lines(self, receipt: StoredReceipt) -> list[Line]:
        """What the next print of ``receipt`` puts on paper (a copy once printed)."""
        return layout(Document.from_json(receipt.document), self.printer.columns,
                      copy=receipt.copies > 0)

    def test_lines(self) -> list[Line]:
        document = printer_test_page(self.settings, profile=self.printer.profile,
                             codepage=self.printer.codepage, columns=self.printer.columns,
                             qr=True)
        return layout(document, self.printer.columns)

    # --- printing ----------------------------------------------------------------------
    async def print_payment(self, agent_transaction_id: int) -> PrintOutcome:
        return await self.print_receipt(self.payment_document(agent_transaction_id))

    async def print_receipt(self, receipt: StoredReceipt) -> PrintOutcome:
        """Print ``receipt`` (its original first, then copies); never raises for the printer."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # one printer: one receipt at a time, in order
            receipt = self.journal.receipt(receipt.number)
            try:
                await self._print(self.lines(receipt))
            except PrinterError as error:
                stored = self.journal.receipt_failed(receipt.number, str(error))
                outcome = PrintOutcome(stored, False, str(error))
            else:
                stored = self.journal.receipt_printed(receipt.number, receipt.copies + 1)
                what = "Копия чека" if receipt.copies else "Чек"
                if receipt.kind in ("x", "z"):
                    what = f"{receipt.kind.upper()}-отчёт" + (" (копия)" if receipt.copies
                                                              else "")
                outcome = PrintOutcome(stored, True, f"{what} № {receipt.number} напечатан")
        self.events.publish(ReceiptPrinted(outcome))
        return outcome

    async def print_voucher(self, session: CashSession) -> str:
        """Print the voucher of a cash session that became no payment; raises ReceiptError
        (not a voucher) or PrinterError (with the reason)."""
        document = cash_voucher(session, self.settings)
        await self._print(layout(document, self.printer.columns))
        return f"Ваучер {session.voucher} на {format(session.total, 'f')} напечатан"

    async def print_collection(self, collection: Collection) -> None:
        """The collector's slip (raises PrinterError with the reason)."""
        await self._print(layout(collection_slip(collection, self.settings),
                                 self.printer.columns))

    async def probe(self) -> str | None:
        """Whether the printer could print now (see :func:`printers.probe`), off the loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, probe, self.printer)

    async def print_test_page(self) -> str:
        """The test page; raises PrinterError with the reason when it does not print."""
        await self._print(self.test_lines())
        return (f"Пробная страница отправлена на принтер ({self.printer.describe()}): "
                f"{self.printer.columns} символов в строке, CP866 в ячейке "
                f"{self.printer.codepage}")

    async def _print(self, lines: list[Line]) -> None:
        printer = self.printer
        if not printer.configured:
            raise PrinterError("Принтер чеков не настроен: укажите printer.kind и "
                               "printer.address в настройках")
        deadline = printer.timeout * 3 + 10

        def job() -> None:
            from .escpos_render import render  # python-escpos: only once something prints

            data = render(lines, profile=printer.profile, codepage=printer.codepage,
                          cut=printer.cut)
            send(printer, data)

        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.run_in_executor(self._executor, job), deadline)
        except TimeoutError:
            # the stuck thread is left behind; the next receipt gets a fresh one
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="printer")
            raise PrinterError(f"Принтер ({printer.describe()}) не ответил за "
                               f"{deadline:.0f} с. Проверьте его и напечатайте ещё раз"
                               ) from None
        except PrinterError:
            raise
        except Exception as error:  # a bug in rendering must not look like a lost payment
            log.exception("receipt rendering failed")
            raise PrinterError(f"Чек не сформирован: {error}") from error
