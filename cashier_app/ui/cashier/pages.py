"""Log-in, shift and the cashier's «Сегодня» list.

Each of them fits a 1366×768 screen: texts wrap, table columns share the width they are given
(long names and messages elide, their tooltip shows them whole) instead of widening the
window.
"""

from __future__ import annotations

import asyncio
import math
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.cashiers import Cashier
from cashier_app.core.money import parse_user_amount
from cashier_app.core.states import STATE_TITLES, State
from cashier_app.core.text import moment, money
from cashier_app.journal import Attempt, Journal, PaymentRecord, Shift, query
from cashier_app.journal.query import JournalFilter
from cashier_app.ui.widgets.tables import RIGHT, Column, fitted_table
from cashier_app.workplace import shifts
from cashier_app.workplace.login import AT_LOGIN, PinGuard


def state_title(record: PaymentRecord) -> str:
    """The state as the cashier reads it; a QR СБП payment says so."""
    title = STATE_TITLES.get(record.state, str(record.state))
    if record.by_qr and record.state is not State.QR_WAITING:
        title += " (QR)"
    return title


def pin_edit(name: str) -> QLineEdit:
    """A PIN field: digits only, hidden."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,12}"), edit))
    return edit


async def check_pin(guard: PinGuard, person: Cashier, where: str, edit: QLineEdit,
                    message: QLabel, button: QPushButton) -> bool:
    """Check the typed PIN through the guard (PBKDF2 off the UI thread; a wrong PIN is
    audited, the pause grows, the 5th in a row locks). The guard's message is shown and the
    field stays disabled for the guard's pause; the typed PIN leaves the screen at once."""
    pin = edit.text()
    edit.clear()
    edit.setEnabled(False)
    button.setEnabled(False)
    try:
        verdict = await guard.check(person, pin, where)
        if not verdict.ok:
            wait = math.ceil(verdict.pause)
            message.setText(verdict.message + (
                f" (следующая — через {wait} с)" if verdict.checked and wait else ""))
            await guard.pause(verdict)
            if not verdict.checked and not verdict.locked:
                message.setText("")  # «Подождите …» is over
            else:
                message.setText(verdict.message)
    finally:
        edit.setEnabled(True)
        button.setEnabled(True)
        edit.setFocus()
    return verdict.ok


def _centered(*widgets: QWidget) -> QVBoxLayout:
    box = QWidget()
    box.setObjectName("loginBox")
    box.setMaximumWidth(520)
    column = QVBoxLayout(box)
    for widget in widgets:
        column.addWidget(widget)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(box)
    row.addStretch(1)
    outer = QVBoxLayout()
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return outer


class LoginPage(QWidget):
    """Pick yourself, type the PIN. The guard decides (pause, lockout); a locked cashier's
    state shows as soon as they are picked, with «Снять блокировку…» for a supervisor."""

    logged_in = Signal(object)  # Cashier
    unlock_requested = Signal(object)  # the locked Cashier

    def __init__(self, cashiers: list[Cashier], guard: PinGuard,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cashiers = cashiers
        self.guard = guard
        title = QLabel(self.tr("Вход кассира"))
        title.setObjectName("pageTitle")
        self.combo = QComboBox()
        self.combo.setObjectName("cashierCombo")
        self.combo.addItems([cashier.name for cashier in cashiers])
        self.pin = pin_edit("pinEdit")
        self.pin.setPlaceholderText(self.tr("PIN — цифры"))
        self.pin.returnPressed.connect(self.start_login)
        self.button = QPushButton(self.tr("Войти  ⏎"))
        self.button.setObjectName("loginButton")
        self.button.clicked.connect(self.start_login)
        self.message = QLabel("")
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.unlock_button = QPushButton(self.tr("Снять блокировку…"))
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.clicked.connect(
            lambda: self.unlock_requested.emit(self.cashiers[self.combo.currentIndex()]))
        self.unlock_button.hide()
        form_box = QWidget()
        form = QFormLayout(form_box)
        form.addRow(self.tr("Кассир"), self.combo)
        form.addRow(self.tr("PIN"), self.pin)
        if not cashiers:
            self.message.setText(self.tr(
                "Кассиры не настроены. Добавьте их в файл настроек (ключ cashiers.list, хэш "
                "PIN даёт команда cashier-app pin-hash) и перезапустите программу."))
            for widget in (self.combo, self.pin, self.button):
                widget.setEnabled(False)
        self.combo.currentIndexChanged.connect(self.show_state)
        self.setLayout(_centered(title, form_box, self.button, self.message,
                                 self.unlock_button))
        self._task: asyncio.Future[None] | None = None

    def showEvent(self, event: object) -> None:
        self.show_state()
        self.pin.setFocus()
        super().showEvent(event)  # type: ignore[arg-type]

    def show_state(self) -> None:
        """A locked cashier is told so on being picked, not only after typing a PIN."""
        if not self.cashiers or not self.pin.isEnabled():
            return
        person = self.cashiers[self.combo.currentIndex()]
        refusal = self.guard.refusal(person)
        locked = refusal is not None and refusal.locked
        self.message.setText(refusal.message if refusal is not None and locked else "")
        self._offer_unlock(person, locked)

    def _offer_unlock(self, person: Cashier, locked: bool) -> None:
        """«Снять блокировку…» when someone else here could lift it."""
        self.unlock_button.setVisible(locked and any(
            other.role.supervises and other.name != person.name for other in self.cashiers))

    def start_login(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self.login())

    async def login(self) -> None:
        if not self.cashiers or not self.pin.isEnabled():
            return
        cashier = self.cashiers[self.combo.currentIndex()]
        if not self.pin.text():
            self.message.setText(self.tr("Введите PIN"))
            return
        ok = await check_pin(self.guard, cashier, AT_LOGIN, self.pin, self.message,
                             self.button)
        if ok:
            self.message.setText("")
            self.unlock_button.hide()
            self.logged_in.emit(cashier)
        else:
            self._offer_unlock(cashier, self.guard.locked(cashier))


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
        self.setLayout(_centered(title, self.text, opening_box, self.open_button,
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


class TodayPage(QWidget):
    """The cashier's payments today, newest first; a payment's attempts below it."""

    COLUMNS = ("Время", "Услуга", "Счёт", "К зачислению", "Комиссия", "Принято", "Состояние",
               "Ответ процессинга", "Номер операции", "Чек")
    #: Widths (preferred, least) of COLUMNS; names and messages take the spare room.
    WIDTHS = ((80, 72), (200, 90), (120, 85), (135, 128), (95, 85), (100, 85), (130, 100),
              (240, 90), (155, 150), (110, 100))
    print_requested = Signal(object)  # agentTransactionId: 64-bit, too big for a C int
    preview_requested = Signal(object)

    def __init__(self, journal: Journal, receipts: object | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.journal = journal
        self.cashier = ""
        self.records: list[PaymentRecord] = []
        self.only_pending = QCheckBox(self.tr("Только «в обработке»"))
        self.only_pending.toggled.connect(self.reload)
        self.summary = QLabel("")
        self.summary.setObjectName("todaySummary")
        self.summary.setWordWrap(True)
        self.table = fitted_table(
            [Column(self.tr(title), preferred, least, stretch=index in (1, 7))
             for index, (title, (preferred, least)) in enumerate(zip(self.COLUMNS,
                                                                     self.WIDTHS,
                                                                     strict=True))],
            "todayTable")
        self.table.itemSelectionChanged.connect(self._show_attempts)
        self.attempts = fitted_table(
            [Column(self.tr("Время"), 110), Column(self.tr("Запрос"), 150, 100),
             Column(self.tr("Длительность, мс"), 165, 70), Column(self.tr("Итог"), 140, 90),
             Column(self.tr("Ответ"), 400, 120, stretch=True)], "attemptsTable")
        self.attempts.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.attempts_title = QLabel(self.tr("Попытки выбранного платежа"))
        lower = QWidget()
        lower_column = QVBoxLayout(lower)
        lower_column.setContentsMargins(0, 0, 0, 0)
        lower_column.addWidget(self.attempts_title)
        lower_column.addWidget(self.attempts)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setSizes([400, 180])
        self.print_button = QPushButton(self.tr("Печать чека  Ctrl+P"))
        self.print_button.setObjectName("todayPrintButton")
        self.print_button.clicked.connect(self._print_selected)
        self.preview_button = QPushButton(self.tr("Чек на экране"))
        self.preview_button.clicked.connect(self._preview_selected)
        for button in (self.print_button, self.preview_button):
            button.setVisible(receipts is not None)
        QShortcut(QKeySequence("Ctrl+P"), self, self._print_selected,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        top = QHBoxLayout()
        top.addWidget(self.only_pending)
        top.addStretch(1)
        top.addWidget(self.print_button)
        top.addWidget(self.preview_button)
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addLayout(top)
        column.addWidget(splitter, 1)
        self.dirty = True

    def show_for(self, cashier: str) -> None:
        self.cashier = cashier
        self.reload()

    def reload(self) -> None:
        self.dirty = False
        if not self.cashier:
            return
        today = date.today()
        records = list(query.records(self.journal, JournalFilter(today, today,
                                                                 cashier=self.cashier),
                                     newest_first=True))
        paid = [r for r in records if r.state is State.PAID]
        pending = [r for r in records if r.state in (State.PAYING, State.QR_WAITING)]
        taken = sum((r.amount_from or Decimal(0) for r in paid + pending
                     if r.accepted), Decimal(0))
        by_qr = sum((r.amount_from or Decimal(0) for r in paid if r.by_qr), Decimal(0))
        summary = self.tr(
            "Сегодня: оплачено {0}, в обработке {1}, не проведено {2}; принято {3}").format(
            len(paid), len(pending), sum(r.state is State.FAILED for r in records),
            money(taken))
        if by_qr:
            summary += self.tr(", из них по QR СБП {0}").format(money(by_qr))
        self.summary.setText(summary)
        if self.only_pending.isChecked():
            records = pending
        selected = self.selected_id()
        self.records = records
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            cells = [record.created_at[11:19], record.service_name, record.account,
                     amount_text(record.amount_to), amount_text(record.commission),
                     amount_text(record.amount_from), state_title(record),
                     record.result_message or "", str(record.transaction_id or ""),
                     _receipt_state(record)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (3, 4, 5):
                    item.setTextAlignment(RIGHT)
                if column == 6:
                    item.setData(Qt.ItemDataRole.UserRole, str(record.state))
                self.table.setItem(row, column, item)
            if record.agent_transaction_id == selected:
                self.table.selectRow(row)
        self._show_attempts()

    def _print_selected(self) -> None:
        selected = self.selected_id()
        if selected is not None:
            self.print_requested.emit(selected)

    def _preview_selected(self) -> None:
        selected = self.selected_id()
        if selected is not None:
            self.preview_requested.emit(selected)

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.records):
            return None
        return self.records[rows[0].row()].agent_transaction_id

    def _show_attempts(self) -> None:
        selected = self.selected_id()
        attempts = self.journal.attempts(selected) if selected is not None else []
        self.attempts.setRowCount(len(attempts))
        for row, attempt in enumerate(attempts):
            for column, text in enumerate(attempt_cells(attempt)):
                self.attempts.setItem(row, column, QTableWidgetItem(text))
        if selected is not None:
            self.attempts_title.setText(self.tr("Попытки платежа {0}: {1}").format(
                selected, len(attempts)))


OUTCOMES = {"answer": "ответ", "transport": "нет связи", "auth": "отказ авторизации",
            "foreign": "ответ не об этом платеже"}
#: The requests of the protocol as people name them (the supervisor's payment details show
#: the request and the answer themselves, with the protocol's names).
METHODS = {"check": "проверка", "pay": "оплата", "qr-create": "QR-код: создание",
           "qr-status": "QR-код: статус", "link-register": "QR-ссылка: регистрация",
           "link-activate": "QR-ссылка: активация",
           "link-deactivate": "QR-ссылка: отключение"}
#: A QR code's status words (the center's defaults) as people read them.
QR_WORDS = {"CREATED": "код создан, ждёт оплаты", "PAID": "оплачено",
            "EXPIRED": "срок кода истёк", "REJECTED": "банк отклонил оплату",
            "NOT_FOUND": "код не найден"}


def method_title(method: str) -> str:
    return METHODS.get(method, method)


def answer_text(attempt: Attempt) -> str:
    """What an attempt's answer said, in words: «успешно», a QR code's status, or the
    center's code and message (the code is what support asks for)."""
    message = attempt.message or ""
    word, _, rest = message.partition(" ")
    if attempt.method.startswith(("qr-", "link-")) and word in QR_WORDS:
        message = QR_WORDS[word] + (f" ({rest})" if attempt.result not in (0, None)
                                    and rest else "")
        return message if attempt.result in (0, None) else f"код {attempt.result}: {message}"
    if attempt.outcome == "answer" and attempt.result == 0:
        return "успешно"
    return (f"код {attempt.result}: " if attempt.result is not None else "") + message


def attempt_cells(attempt: Attempt, *, with_day: bool = False) -> list[str]:
    """An attempt as a row: time, request, milliseconds, outcome, code and message."""
    at = attempt.started_at
    return [(f"{at[8:10]}.{at[5:7]} " if with_day else "") + at[11:23],
            method_title(attempt.method), str(attempt.duration_ms),
            OUTCOMES.get(attempt.outcome, attempt.outcome), answer_text(attempt)]


def _receipt_state(record: PaymentRecord) -> str:
    if record.receipt_printed_at:
        return "напечатан"
    if record.receipt_error:
        return "НЕ напечатан"
    return ""


def amount_text(value: Decimal | None) -> str:
    """An amount as the tables show it; empty for none."""
    return money(value, rub=False) if value is not None else ""
