"""The supervisor's decision on an operation that nothing can settle (a wallet withdrawal or a
saved card's payment whose answer was lost): a reason is required, the consequence said in
one sentence, and — for a saved card found in the gateway's cabinet — its number."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class DecisionDialog(QDialog):
    """The supervisor's reason for a decision on a payment nothing can settle, and the
    confirmation: what the decision means is said before it is made. A wallet operation's by
    default (``resend``); a card payment's gives its own ``title`` and ``what``, and with
    ``number_title`` asks the gateway's payment number too (digits, as in its cabinet)."""

    confirmed = Signal(str)  # the reason

    def __init__(self, agent_transaction_id: int, *, resend: bool = False,
                 title: str | None = None, what: str | None = None,
                 number_title: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walletDecision" if what is None else "cardDecision")
        self.setWindowTitle(title or ("Отправить снова" if resend
                                      else "Признать не проведённым"))
        self.setMinimumWidth(560)
        what = what or (
            f"Операция {agent_transaction_id} будет отправлена в сервис кошельков ещё раз "
            "(если отчёт кошелька так и не покажет её). Если первая всё же прошла, деньги "
            "спишутся дважды." if resend else
            f"Операция {agent_transaction_id} будет записана как не проведённая: деньги с "
            "кошелька не списаны. Если она появится в отчёте кошелька позже, это "
            "придётся решать с сервисом.")
        text = QLabel(what)
        text.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("decisionReason")
        self.reason.setPlaceholderText("например: сверено с выпиской банка")
        self.error = QLabel("")
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.reason.textEdited.connect(lambda _: self.error.setText(""))
        self.ok = QPushButton("Подтвердить  ⏎")
        self.ok.setObjectName("confirmDecision")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.confirm)
        cancel = QPushButton("Отмена  Esc")
        cancel.clicked.connect(self.reject)
        form = QFormLayout()
        self.number: QLineEdit | None = None
        if number_title is not None:
            self.number = QLineEdit()
            self.number.setObjectName("decisionNumber")
            self.number.setPlaceholderText("цифры, например 1310958041")
            self.number.textEdited.connect(lambda _: self.error.setText(""))
            form.addRow(number_title, self.number)
        form.addRow("Причина решения", self.reason)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok)
        buttons.addWidget(cancel)
        column = QVBoxLayout(self)
        column.addWidget(text)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addLayout(buttons)

    def number_value(self) -> str | None:
        """The number typed (None: this decision asks none)."""
        return None if self.number is None else self.number.text().strip()

    def confirm(self) -> None:
        reason = " ".join(self.reason.text().split())
        number = self.number_value()
        if number is not None and not number.isdigit():
            self.error.setText("Номер платежа шлюза — только цифры, как в кабинете шлюза")
            return
        if not reason:
            self.error.setText("Укажите причину решения: она попадёт в журнал и аудит")
            return
        self.confirmed.emit(reason)
        self.accept()
