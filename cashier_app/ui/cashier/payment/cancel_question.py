"""The question a code on screen asks before it is given up (QR СБП, a card's link): the
person may be paying at that very moment, so Esc first puts «Отменить?» on screen, and only
Esc again (or «Отменить») cancels; any other answer — «keep waiting» — takes the question
back. :class:`CancelQuestion` is that small state, shared by :class:`~.panel_qr.QrSteps`
and :class:`~.panel_card.CardSteps`, with what both do when the engine says something of the
code on screen (:meth:`update`) or its time runs out; each says what cancelling means
(:meth:`cancel`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from cashier_app.core.states import State

if TYPE_CHECKING:
    from cashier_app.journal import PaymentRecord

    from .flow import PaymentFlow


class CancelQuestion(QObject):
    """``armed``: the question is on screen. The panel shows it while armed (and lets any
    key answer it, :class:`.qr_view.AnyKeyAnswers`)."""

    #: the cancel question went on screen (True) or off it (False)
    armed_changed = Signal(bool)
    #: the answer «keep waiting»: the code stays (the panel gives it the keyboard)
    kept_waiting = Signal()
    #: the code's screen shows this record, no question on it (PaymentRecord)
    shown = Signal(object)

    def __init__(self, flow: PaymentFlow) -> None:
        super().__init__(flow)
        self.flow = flow
        self.armed = False

    def ask(self) -> None:
        """Esc on a code that may be paid: the question first, the cancel on the second."""
        if not self.armed:
            self.armed = True
            self.armed_changed.emit(True)
            return
        self.confirm()

    def confirm(self) -> None:
        self.disarm()
        self.flow.spawn(self.cancel())

    def keep_waiting(self) -> None:
        """The answer «keep waiting» to the cancel question: the code stays."""
        if self.armed:
            self.disarm()
            self.kept_waiting.emit()

    def disarm(self) -> None:
        if self.armed:
            self.armed = False
            self.armed_changed.emit(False)

    def update(self, record: PaymentRecord) -> None:
        """The payment of the code on screen changed (the engine said so, or it was just
        made): the customer display follows; paid — the outcome; else the screen follows."""
        flow = self.flow
        flow.qr_changed.emit(record)
        if record.state is State.PAID:
            flow.show_outcome(record, auto_print=True)
            return
        flow.say("")  # what was said about the previous state is over
        flow.follow(record)
        if not self.armed:
            self.shown.emit(record)

    def expired_on_screen(self) -> None:
        """The code's time ran out by the clock: nothing to confirm, the display follows."""
        self.disarm()
        if self.flow.record is not None:
            self.flow.qr_changed.emit(self.flow.record)

    async def cancel(self) -> None:
        raise NotImplementedError
