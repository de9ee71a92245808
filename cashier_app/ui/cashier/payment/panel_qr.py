"""Payment by QR СБП in the payment panel: create the code, follow it, a new one after an
expired or rejected code, and the cancel — asked as a question that stays on screen until it
is answered (Esc again: cancel; any other key: keep waiting), because the person may be
paying at that very moment. A code no one can pay any more is left without a question.

The QR steps share the panel's record, step and status line, so :class:`QrFlow` works on
its panel; what the QR screen shows comes from the record (:func:`.payment_banner.qr_screen`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from cashier_app.core.schemes import PaymentRefused
from cashier_app.core.states import State
from cashier_app.journal import PaymentRecord

from .payment_banner import qr_payable
from .payment_step import Step

if TYPE_CHECKING:
    from .panel import PaymentPanel

_MODIFIERS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta,
              Qt.Key.Key_AltGr, Qt.Key.Key_Escape}


class _AnyKeyFilter(QObject):
    """While the «cancel the code?» question is on screen: any key but Esc, anywhere in the
    window, answers «keep waiting» (and does nothing else)."""

    def __init__(self, flow: QrFlow, window: Callable[[], QWidget]) -> None:
        super().__init__(flow)
        self._flow = flow
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() in _MODIFIERS or not isinstance(watched, QWidget) or (
                watched.window() is not self._window()):
            return False
        self._flow.keep_waiting()
        return True


class QrFlow(QObject):
    """F8, the QR screen's Esc and its answers, and what the engine says of the code."""

    def __init__(self, panel: PaymentPanel,
                 bank: Callable[[int], Awaitable[str]] | None = None) -> None:
        super().__init__(panel)
        self.panel = panel
        self._bank = bank  # demo mode: plays the person's bank for a QR code
        #: the cancel question is on screen
        self.armed = False
        self._any_key = _AnyKeyFilter(self, panel.window)

    def start(self) -> None:
        """F8: after check, the person pays by a QR code; after a code that expired or was
        rejected, a new code."""
        panel = self.panel
        if self.armed:
            self.keep_waiting()
            return
        if panel.pay_in_flight or not panel.takes_qr:
            return
        if panel.step is Step.CHECKED and panel.ready_plan(cash=False) is not None:
            panel.spawn(self.pay())
        elif panel.step is Step.QR and panel.record is not None and panel.record.state in (
                State.FAILED, State.CANCELLED):
            panel.spawn(self.renew())

    async def pay(self) -> None:
        panel = self.panel
        plan = panel.ready_plan(cash=False)
        if plan is None or panel.record is None:
            return
        panel.pay_in_flight = True
        panel.show_step(Step.QR)
        panel.set_status("")
        try:
            record = await panel.engine.start_qr(panel.record.agent_transaction_id,
                                                 plan.money, plan.extras, plan.lines)
        except PaymentRefused as error:  # no link, link busy: the cashier can take cash
            panel.pay_in_flight = False
            panel.show_step(Step.CHECKED)
            panel.recount()
            panel.money_box.set_money_problem(str(error))
            return
        finally:
            panel.pay_in_flight = False
        self.update(record)

    async def renew(self) -> None:
        panel = self.panel
        old = panel.record
        if old is None or panel.pay_in_flight:
            return
        panel.pay_in_flight = True
        panel.set_status(self.tr("Получаем новый QR-код…"), "busy")
        try:
            record = await panel.engine.renew_qr(old.agent_transaction_id)
        except PaymentRefused as error:
            panel.set_status(str(error), "error")
            return
        finally:
            panel.pay_in_flight = False
        if panel.record is not old:
            return  # the cashier moved on meanwhile
        if record.state in (State.CHECK_FAILED, State.CANCELLED, State.CHECKED):
            panel.set_status(self.tr("Новый QR-код не получен: {0}").format(
                record.result_message or self.tr("нет ответа процессинга")), "error")
            return
        self.update(record)

    def update(self, record: PaymentRecord) -> None:
        """The code on screen changed (the engine said so, or it was just made)."""
        panel = self.panel
        panel.qr_changed.emit(record)
        if record.state is State.PAID:
            panel.outcome.emit(record)
            panel.show_outcome(record, auto_print=True)
            return
        panel.set_status("")  # what was said about the previous state is over
        panel.follow(record)
        if self.armed:
            return
        if record.state is State.QR_WAITING:
            panel.qr_view.setFocus()
        elif panel.takes_qr:
            panel.qr_view.renew_button.setFocus()

    def expired_on_screen(self) -> None:
        """The code's time ran out by the clock: nothing to confirm, the display follows."""
        self.disarm()
        if self.panel.record is not None:
            self.panel.qr_changed.emit(self.panel.record)

    def demo_bank_pay(self) -> None:
        panel = self.panel
        if self._bank is not None and panel.record is not None:
            bank = self._bank
            tx_id = panel.record.agent_transaction_id

            async def pay() -> None:
                said = await bank(tx_id)
                if said:
                    panel.set_status(said, "error")

            panel.spawn(pay())

    # --- leaving the code ---------------------------------------------------------------
    def escape(self) -> None:
        """Esc on the QR screen: a code that can be paid right now is cancelled only after a
        question that stays on screen until answered (Esc again: cancel; any other key: keep
        waiting); a code no one can pay now is left at once; an ended one clears the panel."""
        panel = self.panel
        record = panel.record
        if record is None or record.state is not State.QR_WAITING:
            panel.reset()  # clearing the QR step tells the customer display
            return
        if record.cancel_requested_at:
            return  # the cancel is on its way
        if not qr_payable(record, panel.clock()):
            panel.spawn(self.cancel())
            return
        if not self.armed:
            self.armed = True
            app = QApplication.instance()
            assert app is not None
            app.installEventFilter(self._any_key)
            panel.qr_view.set_armed(True)
            panel.qr_view.wait_button.setFocus()
            return
        self.confirm()

    def confirm(self) -> None:
        self.disarm()
        self.panel.spawn(self.cancel())

    def keep_waiting(self) -> None:
        """The answer «keep waiting» to the cancel question: the code stays."""
        if self.armed:
            self.disarm()
            self.panel.qr_view.setFocus()

    def disarm(self) -> None:
        if self.armed:
            self.armed = False
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self._any_key)
        if self.panel.qr_view.armed:
            self.panel.qr_view.set_armed(False)

    async def cancel(self) -> None:
        panel = self.panel
        record = panel.record
        if record is None:
            return
        panel.set_status(self.tr("Отменяем…"), "busy")
        record = await panel.engine.cancel_qr(record.agent_transaction_id)
        if panel.record is None or panel.record.agent_transaction_id != (
                record.agent_transaction_id):
            return
        if record.state is State.PAID:  # the person paid before the cancel reached the bank
            panel.set_status("")
            self.update(record)
            return
        if record.state is State.QR_WAITING:
            panel.qr_left.emit(record)
        panel.reset()

    async def leave(self, agent_transaction_id: int) -> None:
        """Leaving a code on screen (log-out, say): it is cancelled and watched to its end."""
        record = await self.panel.engine.cancel_qr(agent_transaction_id)
        if record.state is State.QR_WAITING:
            self.panel.qr_left.emit(record)
