"""The shift page: opening a shift is explicit (one open shift per cash drawer), and a
shift's count at the close is shown here coloured by meaning."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from cashier_app.core.money import parse_user_amount
from cashier_app.core.text import moment
from cashier_app.journal import Shift
from cashier_app.workplace import shifts

from .login_page import centred_column


class ShiftMessage(QLabel):
    """The shift page's message, coloured by meaning: a count's outcome
    (:meth:`ShiftPage.show_closed`) green when nothing is missing, red for a shortage, amber
    for a surplus; anything else said here (``setText``) is a refusal, red."""

    def setText(self, text: str) -> None:
        self.show_text(text, "error" if text else "")

    def show_text(self, text: str, kind: str) -> None:
        super().setText(text)
        self.setProperty("kind", kind)
        self.style().polish(self)


class ShiftPage(QWidget):
    """Opening a shift is explicit: one open shift per cash drawer. The page is set afresh
    for each cashier (nothing typed by the one before stays), and «Открыть смену» is enabled
    only when this cashier can open one."""

    open_requested = Signal()
    logout_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(self.tr("Смена"))
        title.setObjectName("pageTitle")
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.open_button = QPushButton(self.tr("Открыть смену  ⏎"))
        self.open_button.setObjectName("openShiftButton")
        self.open_button.clicked.connect(self._open)
        self.open_button.setAutoDefault(True)
        self.logout_button = QPushButton(self.tr("Сменить кассира"))
        self.logout_button.clicked.connect(self.logout_requested)
        self.opening = QLineEdit()
        self.opening.setObjectName("openingCash")
        self.opening.setPlaceholderText(self.tr("0,00"))
        self.opening.returnPressed.connect(self._open)
        opening_box = QWidget()
        opening_form = QFormLayout(opening_box)
        opening_form.addRow(self.tr("Размен в кассе, ₽"), self.opening)
        self.message = ShiftMessage("")
        self.message.setObjectName("shiftMessage")
        self.message.setWordWrap(True)
        self.setLayout(centred_column(title, self.text, opening_box, self.open_button,
                                 self.logout_button, self.message))

    def _open(self) -> None:
        if self.open_button.isEnabled():
            self.open_requested.emit()

    def opening_cash(self) -> Decimal:
        """The float counted into the drawer at the open (empty: none); AmountError."""
        text = self.opening.text().strip()
        return parse_user_amount(text) if text else Decimal("0.00")

    def show_closed(self, closed: Shift) -> None:
        """A shift just closed with a count: its outcome, coloured by meaning."""
        if closed.cash_difference is None:
            self.message.show_text(self.tr("Смена №{0} закрыта").format(closed.id), "ok")
            return
        self.message.show_text(self.tr("Смена №{0} закрыта. {1}").format(
            closed.id, shifts.difference_text(closed.cash_difference)),
            shifts.difference_kind(closed.cash_difference))

    def show_for(self, cashier: str, open_shift: Shift | None) -> None:
        """The page for ``cashier``: empty float, no message of the one before; the button
        only when no other cashier's shift is open on this drawer."""
        self.message.show_text("", "")
        self.opening.clear()
        other = open_shift is not None and open_shift.cashier != cashier
        self.open_button.setEnabled(not other)
        self.opening.setEnabled(not other)
        if open_shift is not None and other:
            self.text.setText(self.tr(
                "{0}, на кассе открыта смена кассира {1} с {2}. Открыть свою смену можно "
                "после её закрытия. Её закрывает {1} (войти и выбрать «Смена → Закрыть "
                "смену…») или старший кассир (Ctrl+J → «Смены и пересчёт»).").format(
                cashier, open_shift.cashier, moment(open_shift.opened_at)))
            self.logout_button.setFocus()
        else:
            self.text.setText(self.tr("{0}, смена не открыта. Платежи принимаются только в "
                                      "открытой смене.").format(cashier))
            self.opening.setFocus()
