"""The question a code on screen asks before it is given up (QR СБП, a card's link): the
person may be paying at that very moment, so Esc first puts «Отменить?» on screen, and only
Esc again (or «Отменить») cancels; any other answer — «keep waiting» — takes the question
back. :class:`CancelQuestion` is that small state, shared by :class:`~.panel_qr.QrSteps`
and :class:`~.panel_card.CardSteps`; each says what cancelling means (:meth:`cancel`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from .flow import PaymentFlow


class CancelQuestion(QObject):
    """``armed``: the question is on screen. The panel shows it while armed (and lets any
    key answer it, :class:`.qr_view.AnyKeyAnswers`)."""

    #: the cancel question went on screen (True) or off it (False)
    armed_changed = Signal(bool)
    #: the answer «keep waiting»: the code stays (the panel gives it the keyboard)
    kept_waiting = Signal()

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

    async def cancel(self) -> None:
        raise NotImplementedError
