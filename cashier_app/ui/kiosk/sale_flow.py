"""One person's sale, screen by screen: service → form → check → (contract | invoice lines)
→ confirmation → cash, QR or card (:mod:`.card_flow`) → result and receipt → home. Every
decision is the Qt-less :class:`~cashier_app.workplace.kiosk.KioskSale`'s; this class only
moves between the window's screens and keeps the screens' numbers current.

Money rules the way back: before a banknote, «Назад» and «На главную» work everywhere; once
one is in, the sale ends only in a payment or a voucher — a person who gives up, or does not
answer «Вы ещё здесь?», gets the voucher printed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from cashier_app.core.schemes import LineChoice, PaymentRefused
from cashier_app.core.services import Scheme, ServiceDefinition
from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.devices.acceptor import AcceptorError
from cashier_app.devices.cash_intake import BillRefused, CashChanged
from cashier_app.engine import PaymentChanged
from cashier_app.engine.catalog import Catalog
from cashier_app.journal import PaymentRecord
from cashier_app.journal.cash_in import REFUND, VOUCHER, CashSession
from cashier_app.receipts.printers import PrinterError
from cashier_app.workplace.kiosk import Outcome

from .card_flow import CardFlow

if TYPE_CHECKING:
    from .window import KioskWindow

log = logging.getLogger(__name__)
CHECK_FAILED = "Проверьте данные: "


class SaleFlow:
    def __init__(self, window: KioskWindow) -> None:
        self.w = window
        self.catalog: Catalog | None = None
        self.paying = False  # the pay is on its way: nothing interrupts the screen
        self.screen_qr_tx: int | None = None
        w = window
        w.home.group.connect(self.open_group)
        w.home.service.connect(self.choose)
        w.home.search.connect(self.open_search)
        w.group.service.connect(self.choose)
        w.search.service.connect(self.choose)
        for screen in (w.group, w.search, w.form, w.contracts, w.invoice, w.confirm):
            screen.home.connect(self.cancel)
        w.group.back.connect(self.cancel)
        w.search.back.connect(self.cancel)
        w.form.leave.connect(self.cancel)
        w.form.submitted.connect(lambda values: w.spawn(self.check(values)))
        w.contracts.back.connect(self.back_to_form)
        w.contracts.chosen.connect(self.contract)
        w.invoice.back.connect(self.back_to_form)
        w.invoice.edit.connect(self.edit_line)
        w.invoice.done.connect(self.lines)
        w.number.back.connect(self._number_back)
        w.number.entered.connect(self._number_entered)
        w.confirm.back.connect(self.back_from_confirm)
        w.confirm.cash.connect(lambda: w.spawn(self.start_cash()))
        w.confirm.qr.connect(self.start_qr)
        w.cash_screen.pay.connect(lambda: w.spawn(self.pay()))
        w.cash_screen.give_up.connect(lambda: w.spawn(self.give_up("Отменён покупателем")))
        w.cash_screen.voucher.connect(self.ask_voucher)
        w.qr.cancel.connect(lambda: w.spawn(self.cancel_qr()))
        w.result.done.connect(w.go_home)
        w.voucher.done.connect(w.go_home)
        w.idle_overlay.stay.connect(w.touched)
        self._number_for: tuple[str, int] = ("qr", -1)
        if w.intake is not None:
            w.intake.events.subscribe(CashChanged, self._cash_changed)
            w.intake.events.subscribe(BillRefused, self._bill_refused)
        w.point.events.subscribe(PaymentChanged, self._payment_changed)
        self._result_timer: asyncio.TimerHandle | None = None
        self.card = CardFlow(self)
        w.confirm.card.connect(self.card.start)

    # --- the catalog ----------------------------------------------------------------------------
    async def load_catalog(self) -> None:
        """The cached catalog at once, then the center's (the cache stays when it fails)."""
        point = self.w.point
        self.catalog = point.catalog.load()
        if self.catalog is not None:
            self._show_catalog()
        try:
            self.catalog = await point.catalog.refresh(point.client)
            self.w.health.processing(True)
        except Exception as error:  # no answer: the cache (if any) serves
            log.warning("catalog not refreshed: %s", error)
            self.w.health.processing(False)
        if self.catalog is not None:
            self._show_catalog()

    def _show_catalog(self) -> None:
        assert self.catalog is not None
        self.w.home.show_catalog(self.catalog, self.w.config.popular)
        self.w.search.show_catalog(self.catalog)

    def open_group(self, name: str) -> None:
        if self.catalog is None:
            return
        self.w.group.show_group(name, self.catalog.groups().get(name, []))
        self.w.show_screen(self.w.group)

    def open_search(self) -> None:
        self.w.search.clear()  # a new person, a new query (the index is the catalog's)
        self.w.show_screen(self.w.search)

    # --- the form and the check ------------------------------------------------------------------
    def choose(self, service: ServiceDefinition) -> None:
        sale = self.w.sale
        if sale is None:
            return
        sale.choose(service)
        if service.inputs:
            self.w.form.start(service)
            self.w.show_screen(self.w.form)
        else:
            self.w.spawn(self.check({}))

    def back_to_form(self) -> None:
        sale = self.w.sale
        assert sale is not None and sale.service is not None
        sale.cancel("Изменены данные")
        self.w.form.start(sale.service, sale.values)
        self.w.show_screen(self.w.form)

    async def check(self, values: dict[str, str]) -> None:
        sale = self.w.sale
        assert sale is not None
        self.w.wait.show_text("Проверяем данные", "Это займёт несколько секунд")
        self.w.show_screen(self.w.wait)
        try:
            record = await sale.check(values)
        except PaymentRefused as error:
            self.form_error(str(error))
            return
        if record.state is not State.CHECKED:
            self.form_error(record.result_message or "Платёж по этим данным не принимается")
            return
        scheme = sale.scheme()
        if scheme is Scheme.CHOICE and record.check.contracts:
            self.w.contracts.show_contracts(record.check.contracts)
            self.w.show_screen(self.w.contracts)
        elif scheme is Scheme.COMPLEX:
            lines = [line for doc in record.check.invoices or () for line in doc.lines]
            self.w.invoice.show_invoice(lines)
            self.w.show_screen(self.w.invoice)
        else:
            self.show_confirm()

    def form_error(self, message: str) -> None:
        """The check refused the form (or the card's link): back to it, with the reason
        (the card flow uses it too)."""
        sale = self.w.sale
        assert sale is not None and sale.service is not None
        if sale.service.inputs:
            self.w.form.start(sale.service, sale.values)
            self.w.form.say(CHECK_FAILED + message, "error")
            self.w.show_screen(self.w.form)
        else:
            self.w.go_home()

    def contract(self, contract_id: str) -> None:
        sale = self.w.sale
        assert sale is not None
        try:
            sale.set_contract(contract_id)
        except PaymentRefused as error:
            self.w.contracts.say(str(error), "error")
            return
        self.show_confirm()

    def edit_line(self, index: int, what: str) -> None:
        row = self.w.invoice.rows[index]
        self._number_for = (what, index)
        if what == "amount":
            self.w.number.ask(f"Сумма за «{row.line.sub_service_name}»", value=row.amount)
        else:
            last = row.line.prev_count
            hint = f"Предыдущие показания: {last}" if last is not None else ""
            self.w.number.ask(f"Показания счётчика: {row.line.sub_service_name}",
                              kind="reading", hint=hint, value=row.reading)
        self.w.show_screen(self.w.number)

    def lines(self, choices: list[LineChoice]) -> None:
        sale = self.w.sale
        assert sale is not None
        try:
            sale.set_lines(choices)
        except PaymentRefused as error:
            self.w.invoice.say(str(error), "error")
            return
        self.show_confirm()

    def _number_back(self) -> None:
        what, _ = self._number_for
        self.w.show_screen(self.w.confirm if what in ("qr", "card") else self.w.cash_screen
                           if what == "voucher" else self.w.invoice)

    def ask_voucher(self) -> None:
        self._number_for = ("voucher", -1)
        self.w.number.ask("Код ваучера", kind="code",
                          hint="12 цифр с ваучера этого терминала")
        self.w.show_screen(self.w.number)

    async def use_voucher(self, code: str) -> None:
        cash = self.w.cash
        assert cash is not None
        try:
            await cash.use_voucher(code)
        except PaymentRefused as error:
            self.w.number.say(str(error), "error")
            return
        self._show_due()
        self.w.show_screen(self.w.cash_screen)

    def _number_entered(self, value: Decimal | str) -> None:
        what, index = self._number_for
        if what == "voucher":
            self.w.spawn(self.use_voucher(str(value)))
            return
        assert isinstance(value, Decimal)
        if what in ("qr", "card"):
            sale = self.w.sale
            assert sale is not None
            try:
                sale.set_amount(value)
            except PaymentRefused as error:
                self.w.number.say(str(error), "error")
                return
            self.w.spawn(self._qr_now() if what == "qr" else self.card.start_link())
            return
        self.w.invoice.set_number(index, what, value)
        self.w.show_screen(self.w.invoice)

    # --- confirmation ----------------------------------------------------------------------------
    def show_confirm(self) -> None:
        sale = self.w.sale
        assert sale is not None and sale.record is not None and sale.service is not None
        displays = []
        answer = sale.record.check
        for spec in sale.service.displays:
            value = (answer.displays or {}).get(spec.name)
            if value and spec.title:
                displays.append((spec.title, value))
        self.w.confirm.show_summary(sale.summary(), displays,
                                    qr=self.w.point.engine.sbp is not None,
                                    card=self.card.enabled)
        self.w.confirm.cash_button.setEnabled(self.w.cash is not None)
        self.w.show_screen(self.w.confirm)

    def back_from_confirm(self) -> None:
        sale = self.w.sale
        assert sale is not None
        if sale.scheme() is Scheme.COMPLEX and sale.lines:
            self.w.show_screen(self.w.invoice)
        elif sale.scheme() is Scheme.CHOICE and sale.contract_id:
            self.w.show_screen(self.w.contracts)
        else:
            self.back_to_form()

    def cancel(self) -> None:
        """«На главную» before any money: the check is closed, nothing else happens."""
        if self.w.sale is not None:
            self.w.sale.cancel()
        self.w.go_home()

    # --- cash ------------------------------------------------------------------------------------
    async def start_cash(self) -> None:
        sale = self.w.sale
        assert sale is not None
        reason = self.w.health.reason()
        if reason is not None:
            self.w.confirm.say(f"Наличные сейчас не принимаются: {reason}", "error")
            return
        try:
            await sale.start_cash()
        except (PaymentRefused, AcceptorError) as error:
            self.w.confirm.say(str(error), "error")
            return
        assert sale.service is not None and sale.record is not None
        self.w.cash_screen.show_sale(sale.service.name, sale.record.account)
        self._show_due()
        self.w.show_screen(self.w.cash_screen)

    def _show_due(self) -> None:
        cash = self.w.cash
        sale = self.w.sale
        if cash is None or cash.record is None or sale is None:
            return
        voucher = (f"{cash.voucher.voucher}: {money(cash.voucher.total)}"
                   if cash.voucher is not None else None)
        session = cash.intake.session
        self.w.cash_screen.show_due(cash.due(), cash.intake.allowed(), sale.limits.describe(),
                                    voucher=voucher,
                                    banknotes=session.total if session is not None else None)

    def _cash_changed(self, event: CashChanged) -> None:
        self.w.touched()  # a bill is a sign of life
        if self.w.stack.currentWidget() is self.w.cash_screen and not self.paying:
            self._show_due()

    def _bill_refused(self, event: BillRefused) -> None:
        if self.w.stack.currentWidget() is self.w.cash_screen:
            self.w.cash_screen.say(event.reason, "error")

    def cash_inserted(self) -> bool:
        cash = self.w.cash
        return bool(cash is not None and cash.record is not None and cash.inserted > 0)

    def busy_with_money(self) -> bool:
        return self.paying or self.cash_inserted() or self.card.busy() or (
            self.w.stack.currentWidget() in (self.w.cash_screen, self.w.qr))

    async def pay(self) -> None:
        sale = self.w.sale
        assert sale is not None
        self.paying = True
        self.w.cash_screen.busy("Проводим платёж…")
        try:
            try:
                record = await sale.pay_cash()
            except PaymentRefused as error:  # not enough yet: the unit takes bills again
                self.w.cash_screen.ready()
                self._show_due()
                self.w.cash_screen.say(str(error), "error")
                return
            await self.finish(record)
        finally:
            self.paying = False

    async def give_up(self, reason: str) -> None:
        sale = self.w.sale
        assert sale is not None
        self.paying = True
        try:
            voucher = await sale.give_back(reason)
        finally:
            self.paying = False
        if voucher is None:
            self.w.go_home()
            return
        self.show_voucher(voucher, "Платёж не проведён", self.w.point.receipts is not None)

    def show_voucher(self, voucher: CashSession, why: str, printed: bool) -> None:
        self.w.voucher.show_voucher(voucher, why, printed)
        self.w.show_screen(self.w.voucher)
        self.home_later()

    def expired(self) -> None:
        """Nobody answered «Вы ещё здесь?»: with cash — its voucher; else home."""
        screen = self.w.stack.currentWidget()
        if screen in (self.w.result, self.w.voucher, self.w.menu):
            self.w.go_home()
        elif screen is self.w.cash_screen:  # with cash: a voucher; without: home
            self.w.spawn(self.give_up("Время ожидания истекло"))
        elif screen is self.w.qr:
            self.w.spawn(self.cancel_qr())
        elif screen in self.card.screens():  # the open card payment is cancelled too
            self.w.spawn(self.card.leave())
        else:
            self.cancel()

    # --- QR СБП ----------------------------------------------------------------------------------
    def start_qr(self) -> None:
        sale = self.w.sale
        assert sale is not None
        if sale.amount is None:
            self.ask_amount("qr")
            return
        self.w.spawn(self._qr_now())

    def ask_amount(self, what: str) -> None:
        """The sum to credit on the keypad, for a way to pay that counts no cash (``what``:
        «qr» or «card»)."""
        sale = self.w.sale
        assert sale is not None
        self._number_for = (what, -1)
        self.w.number.ask("Сумма к зачислению", hint=sale.limits.describe())
        self.w.show_screen(self.w.number)

    async def _qr_now(self) -> None:
        sale = self.w.sale
        assert sale is not None
        self.w.wait.show_text("Готовим QR-код")
        self.w.show_screen(self.w.wait)
        try:
            record = await sale.start_qr()
        except PaymentRefused as error:
            self.show_confirm()
            self.w.confirm.say(str(error), "error")
            return
        if record.state is not State.QR_WAITING or not record.qr_payload:
            self.show_confirm()
            self.w.confirm.say(record.result_message or "QR-код не получен: оплатите "
                               "наличными", "error")
            return
        self.screen_qr_tx = record.agent_transaction_id
        self.w.qr.show_code(record.qr_payload, record.amount_from)
        self.qr_tick()
        self.w.show_screen(self.w.qr)

    def qr_tick(self) -> None:
        """The code's time left, from the journal (the center's expiry)."""
        tx = self.screen_qr_tx
        if tx is None:
            return
        expires = self.w.point.journal.get(tx).qr_expires_at
        if not expires:
            self.w.qr.seconds_left(None)
            return
        left = (datetime.fromisoformat(expires) - self.w.point.engine.clock()).total_seconds()
        self.w.qr.seconds_left(max(0.0, left))

    async def cancel_qr(self) -> None:
        tx = self.screen_qr_tx
        self.screen_qr_tx = None
        if tx is not None:
            try:
                await self.w.point.engine.cancel_qr(tx, "Отменён на терминале")
            except PaymentRefused as error:
                log.info("QR %s not cancelled: %s", tx, error)
        self.w.go_home()

    def _payment_changed(self, event: PaymentChanged) -> None:
        record = event.record
        if record.agent_transaction_id != self.screen_qr_tx:
            return
        if record.state is State.PAID:
            self.screen_qr_tx = None
            self.w.spawn(self.finish(record))
        elif record.state in (State.FAILED, State.CANCELLED):
            self.screen_qr_tx = None
            self.qr_not_paid()

    def qr_not_paid(self) -> None:
        self.w.wait.show_text("QR-код не оплачен", "Начните платёж заново, если хотите "
                              "оплатить другим способом")
        self.w.show_screen(self.w.wait)
        self.home_later()

    # --- the end ---------------------------------------------------------------------------------
    async def finish(self, record: PaymentRecord) -> None:
        """The outcome, told; the receipt printed — or on screen when the printer cannot
        and the terminal is set to go on that way."""
        sale = self.w.sale
        assert sale is not None
        outcome = sale.outcome(record)
        detail = ""
        printed: str | None = None
        on_screen = None
        receipts = self.w.point.receipts
        if outcome is Outcome.FAILED:
            vouchers = self.w.point.journal.cash_of_payment(record.agent_transaction_id)
            refund = [v for v in vouchers if v.purpose == REFUND and v.state == VOUCHER]
            detail = record.result_message or ""
            for voucher in refund:
                await self._print_voucher(voucher)
            if refund:
                detail += (f". Деньги не пропали: ваучер {refund[0].voucher} на "
                           f"{money(refund[0].total)} — его можно потратить на этом "
                           "терминале или получить деньги у оператора")
        elif receipts is not None:
            try:
                outcome_print = await receipts.print_payment(record.agent_transaction_id)
            except Exception as error:  # the receipt is in the journal: reprinted later
                log.exception("receipt not made")
                printed = f"Чек не напечатан: {error}"
            else:
                if outcome_print.printed:
                    printed = "Заберите чек"
                    self.w.health.printer(None)
                else:
                    self.w.health.printer(outcome_print.message)
                    stored = outcome_print.receipt
                    if self.w.health.receipts_on_screen:
                        printed = "Чек не напечатан — вот он на экране; QR-код — его данные"
                        on_screen = (receipts.lines(stored), receipts.printer.columns,
                                     _receipt_qr(record))
                    else:
                        printed = f"Чек не напечатан: {outcome_print.message}"
        change = self.w.cash.change if self.w.cash is not None else None
        if outcome is Outcome.PAID:
            detail = (f"{record.service_name}, {record.account}: зачислено "
                      f"{money(record.amount_to)}")
        elif outcome is Outcome.PENDING:
            detail = (f"{record.service_name}, {record.account}: {money(record.amount_to)}. "
                      "Сохраните чек: платёж будет проведён, как только процессинг его "
                      "подтвердит")
        if change is not None and change.agent_transaction_id == record.agent_transaction_id \
                and outcome is not Outcome.FAILED:
            detail += (f". Сдача {money(change.total)} — ваучер {change.voucher}: его можно "
                       "потратить на этом терминале или получить деньги у оператора")
        self.w.result.show_outcome(outcome, detail, printed=printed, on_screen=on_screen)
        self.w.show_screen(self.w.result)
        self.home_later()

    async def _print_voucher(self, voucher: CashSession) -> None:
        receipts = self.w.point.receipts
        if receipts is None:
            return
        try:
            await receipts.print_voucher(voucher)
        except PrinterError as error:
            log.error("voucher %s not printed: %s", voucher.voucher, error)

    def stop(self) -> None:
        """The window is going: the result's «back home» is not due any more."""
        if self._result_timer is not None:
            self._result_timer.cancel()
            self._result_timer = None

    def home_later(self) -> None:
        """The result stays for ``result_seconds`` (a touch on «Готово» is sooner)."""
        shown = self.w.stack.currentWidget()
        if self._result_timer is not None:
            self._result_timer.cancel()
        self._result_timer = asyncio.get_event_loop().call_later(
            self.w.config.result_seconds,
            lambda: self.w.go_home() if self.w.stack.currentWidget() is shown else None)


def _receipt_qr(record: PaymentRecord) -> str:
    """What the on-screen receipt's QR holds: the payment's numbers and sums."""
    return (f"agentTransactionId={record.agent_transaction_id};"
            f"transactionId={record.transaction_id or ''};service={record.service_id};"
            f"account={record.account};amountTo={record.amount_to};"
            f"amountFrom={record.amount_from};state={record.state.value}")
