"""What every dialog of the «Кошелёк» page shares (:class:`ActionDialog`): it asks twice —
the first press checks what was typed (with the core's own checks) and says in one sentence
what will be done, «Списать 500,00 ₽ с кошелька … в пользу ТСП …?»; the second press does
it. A change to any field takes the question back, so what is confirmed is always what is on
screen. The person stands at the desk while the cashier types, and a wallet operation cannot
be taken back by the cashier: the sentence is the last look.

What goes wrong is said where it belongs: an error about a field (typed wrong, or the
service's ``fieldErrors``) under that field, the rest under the form — and the dialog stays
open with everything typed, so the cashier corrects one value instead of retyping all. A
money operation the service refused comes back as a journaled payment that is not done
(the engine keeps the refusal); its message is shown the same way. Nothing here blocks: the
request runs on the event loop while the dialog shows «Отправляем…».
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.states import State
from cashier_app.errors import UserFacingError
from cashier_app.journal import PaymentRecord
from cashier_app.wallet_api.errors import WalletInputError, WalletRefused
from cashier_app.wallet_api.models import Identification
from cashier_app.wallet_api.requests import check_amount
from cashier_app.workplace.wallet_desk import WalletCard, WalletDesk

log = logging.getLogger(__name__)

INTERNAL = "Не выполнено: внутренняя ошибка программы (подробности — в логе)"
#: the operation types as the cashier reads them (the report's and the limits' words)
TYPE_WORDS = {"CREDIT": "Пополнение", "DEBIT": "Вывод в банк", "PAYMENT": "Оплата",
              "REFUND": "Возврат"}
LEVEL_WORDS = {level: f"{int(level)} — {level.title}" for level in Identification}
#: a journaled operation that ended without moving money
NOT_DONE = (State.FAILED, State.CANCELLED)


def error_text(error: BaseException) -> str:
    """What the cashier reads about ``error``: the sentence of an error the program explains,
    «внутренняя ошибка» (and the traceback to the log) for anything else."""
    if isinstance(error, UserFacingError):
        return str(error)
    log.error("wallet action failed", exc_info=error)
    return INTERNAL


def refused_fields(record: PaymentRecord) -> dict[str, str]:
    """The ``fieldErrors`` of the answer that refused a money operation (the engine keeps the
    refusal in ``pay_answer``). Empty when there are none."""
    errors = (record.pay_answer or {}).get("fieldErrors")
    if not isinstance(errors, dict):
        return {}
    return {str(name): str(text) for name, text in errors.items()}


def wallet_title(card: WalletCard, *, genitive: bool = False) -> str:
    """«кошелёк № 7000… (телефон 9051234567)» — how the questions name it; ``genitive``:
    «кошелька № …» (списать с кошелька)."""
    entry = card.entry
    number = (card.info.number if card.info is not None else entry.number) or entry.wallet_id
    word = "кошелька" if genitive else "кошелёк"
    return f"{word} № {number}" + (f" (телефон {entry.phone})" if entry.phone else "")


class ActionDialog(QDialog):
    """A form, a question, the action. Subclasses add fields (:meth:`add_field`), say what
    will be done (:meth:`question`, raising :class:`WalletInputError` for what is wrong) and
    do it (:meth:`act`); :attr:`completed` carries the action's result."""

    completed = Signal(object)
    ACTION = "Выполнить"

    def __init__(self, desk: WalletDesk, card: WalletCard, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walletDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.desk, self.card = desk, card
        self.wallet_id = card.entry.wallet_id
        self.result: Any = None
        self.task: asyncio.Future[None] | None = None
        self.armed = False
        heading = QLabel(title)
        heading.setObjectName("panelTitle")
        heading.setWordWrap(True)
        self.about = QLabel(wallet_title(card))
        self.about.setObjectName("hint")
        self.about.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        #: wire names (and aliases) → the label that shows that field's error
        self.field_errors: dict[str, QLabel] = {}
        self.first_field: QWidget | None = None  # where typing starts when it opens
        self.question_label = QLabel("")
        self.question_label.setObjectName("stepStatus")
        self.question_label.setWordWrap(True)
        self.question_label.hide()
        self.message = QLabel("")
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.hide()
        self.ok_button = QPushButton(self.tr("Подтвердить  ⏎"))
        self.ok_button.setObjectName("checkButton")
        self.ok_button.ensurePolished()
        # wide enough for both its texts: the second press must not find the button moved
        self.ok_button.setMinimumWidth(self.ok_button.sizeHint().width())
        self.ok_button.setText(self.tr(self.ACTION) + "  ⏎")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.press)
        self.cancel_button = QPushButton(self.tr("Отмена  Esc"))
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        self.column = QVBoxLayout(self)
        self.column.addWidget(heading)
        self.column.addWidget(self.about)
        self.column.addLayout(self.form)
        self.column.addWidget(self.question_label)
        self.column.addWidget(self.message)
        self.column.addLayout(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        """The cashier types at once: the cursor is in the first field (the amount, the
        phone), not on a button."""
        super().showEvent(event)
        if self.first_field is not None:
            self.first_field.setFocus()

    # --- building ----------------------------------------------------------------------
    def add_field(self, title: str, widget: QWidget, names: Iterable[str]) -> QLabel:
        """A row with ``widget`` and, under it, the label for its errors (``names``: the wire
        names the core and the service use for it)."""
        error = QLabel("")
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        holder = QWidget()
        holder_column = QVBoxLayout(holder)
        holder_column.setContentsMargins(0, 0, 0, 0)
        holder_column.setSpacing(2)
        holder_column.addWidget(widget)
        holder_column.addWidget(error)
        self.form.addRow(self.tr(title), holder)
        if self.first_field is None:
            self.first_field = widget
        for name in names:
            self.field_errors[name.lower()] = error
        self._follow(widget, error)
        return error

    def _follow(self, widget: QWidget, error: QLabel | None = None) -> None:
        """Any change of ``widget`` takes the question back, and its error (``error``)."""
        def changed(*_: object) -> None:
            self.disarm()
            if error is not None:
                error.hide()

        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(changed)
            widget.textChanged.connect(changed)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(changed)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(changed)

    # --- what subclasses say -------------------------------------------------------------
    def question(self) -> str:
        """What will be done, in one sentence; WalletInputError for what cannot be sent."""
        raise NotImplementedError

    async def act(self) -> Any:
        raise NotImplementedError

    def outcome(self, result: Any) -> str | None:
        """Why the dialog stays open after ``result`` (None: it is done)."""
        if isinstance(result, PaymentRecord) and result.state in NOT_DONE:
            self.show_field_errors(refused_fields(result))
            return result.result_message or self.tr("Операция не выполнена")
        return None

    # --- the two presses ----------------------------------------------------------------
    def press(self) -> None:
        if self.task is not None and not self.task.done():
            return
        if not self.armed:
            self.clear_errors()
            try:
                text = self.question()
            except WalletInputError as error:
                self.show_error(error)
                return
            self.question_label.setText(text)
            self.question_label.setProperty("kind", "busy")
            self.question_label.style().polish(self.question_label)
            self.question_label.show()
            self.fit()
            self.armed = True
            self.ok_button.setText(self.tr("Подтвердить  ⏎"))
            return
        self.task = asyncio.ensure_future(self.run())

    def disarm(self, *_: object) -> None:
        """A field changed: the question is taken back (not while the action runs)."""
        if self.task is None or self.task.done():
            self._take_back()

    def _take_back(self) -> None:
        self.armed = False
        self.question_label.hide()
        self.ok_button.setText(self.tr(self.ACTION) + "  ⏎")

    async def run(self) -> None:
        self.ok_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.clear_errors()
        self._say(self.tr("Отправляем в сервис кошельков…"), "info")
        try:
            result = await self.act()
        except Exception as error:  # every failure becomes a sentence; the form stays
            self.show_error(error)
            self._take_back()
            return
        finally:
            self.ok_button.setEnabled(True)
            self.cancel_button.setEnabled(True)
        why = self.outcome(result)
        if why is not None:
            self._say(why, "error")
            self._take_back()
            return
        self.result = result
        self.completed.emit(result)
        self.accept()

    # --- errors --------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for label in self.field_errors.values():
            label.setText("")
            label.hide()
        self.message.setText("")
        self.message.hide()

    def _say(self, text: str, kind: str) -> None:
        self.message.setObjectName("fieldError" if kind == "error" else "hint")
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.fit()

    def fit(self) -> None:
        """Grow to show a message that just appeared (wrapped lines are not measured until
        the layout is asked again), never narrower."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        wanted = self.heightForWidth(self.width()) if self.hasHeightForWidth() else -1
        height = max(wanted, self.sizeHint().height(), self.minimumSizeHint().height())
        if height > self.height():
            self.resize(self.width(), height)

    def field_label(self, name: str) -> QLabel | None:
        """The error label of the field the service or the core calls ``name``
        (``amount``, ``operationLimits.PAYMENT.oneTimeLimit``…)."""
        key = name.lower()
        if key in self.field_errors:
            return self.field_errors[key]
        for part in reversed(key.replace("[", ".").replace("]", "").split(".")):
            if part in self.field_errors:
                return self.field_errors[part]
        return None

    def show_field_errors(self, errors: Mapping[str, str]) -> list[str]:
        """Each error under its field; those with no field here are returned."""
        rest = []
        for name, text in errors.items():
            label = self.field_label(name)
            if label is None:
                rest.append(f"{name}: {text}" if text else name)
                continue
            label.setText(text or self.tr("Проверьте это поле"))
            label.show()
        self.fit()
        return rest

    def show_error(self, error: BaseException) -> None:
        if isinstance(error, WalletRefused) and error.field_errors:
            rest = self.show_field_errors(error.field_errors)
            head = error.message or str(error).split(":")[0]
            self._say("; ".join([head, *rest]), "error")
            return
        if isinstance(error, WalletInputError):
            label = self.field_label(error.field)
            if label is not None:
                label.setText(str(error))
                label.show()
                self.fit()
                return
        self._say(error_text(error), "error")


def amount_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText("0,00")
    edit.setMaximumWidth(220)
    return edit


def typed_amount(text: str) -> Decimal:
    return check_amount(text)


