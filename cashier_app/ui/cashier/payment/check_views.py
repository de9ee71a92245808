"""What a successful check returned, by scheme: displays (simple), contracts (choice), the
ЖКХ invoice (complex). Widgets only; amounts are validated by ``core.schemes``. Tables are
as tall as their rows (up to a few), so the invoice and the pay buttons share a 768-pixel
screen; every amount, reading and date is written the way people read them (``core.text``)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.answers import Contract, PaymentAnswer
from cashier_app.core.limits import AmountLimits
from cashier_app.core.money import AmountError, format_amount, parse_user_amount
from cashier_app.core.schemes import (
    InvoiceLine,
    LineChoice,
    PaymentRefused,
    complex_lines,
    meter_reading,
)
from cashier_app.core.services import Scheme, ServiceDefinition
from cashier_app.core.text import day

#: Display names the definitions often leave without a title.
FALLBACK_TITLES = {"fixedAmount": "Сумма к оплате (фиксированная)", "fio": "ФИО",
                   "address": "Адрес", "info": "Информация"}
#: Rows a table shows before it scrolls: more would push the pay buttons off a small screen.
VISIBLE_ROWS = 6


def _date(moment: object) -> str:
    return day(moment) if hasattr(moment, "strftime") else ""  # type: ignore[arg-type]


def fit_rows(table: QTableWidget, rows: int) -> None:
    """Make ``table`` exactly as tall as its header and ``rows`` rows (no empty band)."""
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(row) for row in range(min(rows, table.rowCount())))
    if table.horizontalScrollBar().isVisible():
        height += table.horizontalScrollBar().height()
    table.setFixedHeight(max(height, 40))


def _value(text: str, *, selectable: bool = True) -> QLabel:
    label = QLabel(text)
    label.setObjectName("displayValue")
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class DisplaysView(QWidget):
    """Simple scheme: the ``displays`` values with their titles from the service definition."""

    def __init__(self, service: ServiceDefinition, answer: PaymentAnswer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QFormLayout(self)
        self.rows: dict[str, str] = {}
        for name, value in (answer.displays or {}).items():
            spec = service.display(name)
            title = (spec.title if spec and spec.title else FALLBACK_TITLES.get(name, name))
            if name == "fixedAmount":
                amount = answer.fixed_amount
                value = f"{format_amount(amount)} ₽" if amount is not None else value
            self.rows[title] = value
            layout.addRow(QLabel(title + ":"), _value(value))
        if answer.currency_rate:
            self.rows["Курс"] = answer.currency_rate
            layout.addRow(QLabel(self.tr("Курс:")), _value(answer.currency_rate))
        if not self.rows:
            layout.addRow(QLabel(self.tr("Абонент найден, платёж можно принять.")))


class _EnterFilter(QObject):
    """Enter on a table goes on to the next step instead of editing a cell."""

    def __init__(self, action: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._action = action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in (  # type: ignore[attr-defined]
                Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._action()
            return True
        return False


def answer_view(service: ServiceDefinition, answer: PaymentAnswer) -> tuple[QWidget, str]:
    """What the check returned, as the service's scheme shows it, and its box's title."""
    def tr(text: str) -> str:
        return QCoreApplication.translate("PaymentPanel", text)

    checked = tr("проверено, сверьте данные с клиентом")
    if service.scheme is Scheme.CHOICE:
        return ContractsView(answer.contracts or ()), tr("Договоры клиента — {0}").format(
            checked)
    if service.scheme is Scheme.COMPLEX:
        return InvoiceView(answer), tr("Квитанция — {0}").format(checked)
    return DisplaysView(service, answer), tr("Проверено: сверьте данные с клиентом")


class ContractsView(QWidget):
    """Choice scheme: the contracts in a table, one to pick; Enter on it: ``accepted``."""

    chosen = Signal(object)  # Contract | None
    accepted = Signal()  # Enter on the table: on to the amount

    def __init__(self, contracts: tuple[Contract, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.contracts = contracts
        self.table = QTableWidget(len(contracts), 4)
        self.table.setObjectName("contractsTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Договор"), self.tr("Номер"), self.tr("Сумма, ₽"), self.tr("Дата")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for row, contract in enumerate(contracts):
            cells = [contract.name or contract.contract_id, contract.contract_number or "",
                     format_amount(contract.contract_sum) if contract.contract_sum is not None
                     else "", _date(contract.contract_date)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.itemSelectionChanged.connect(self._selection)
        self.table.installEventFilter(_EnterFilter(self.accepted.emit, self))
        self.hint = QLabel(self.tr("Выберите договор стрелками ↑↓, Enter — к сумме"))
        self.hint.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.hint)
        fit_rows(self.table, min(len(contracts), VISIBLE_ROWS))
        if len(contracts) == 1:
            self.table.selectRow(0)

    def _selection(self) -> None:
        self.chosen.emit(self.current())

    def current(self) -> Contract | None:
        rows = self.table.selectionModel().selectedRows()
        return self.contracts[rows[0].row()] if rows else None

    def pick(self, contract_id: str) -> None:
        for row, contract in enumerate(self.contracts):
            if contract.contract_id == contract_id:
                self.table.selectRow(row)


PAY, NAME, DEBT, TARIFF, UNIT, PREV, NEW, AMOUNT = range(8)


class InvoiceView(QWidget):
    """Complex scheme: the ЖКХ invoice as a bill; lines can be excluded, amounts and meter
    readings entered; a running total. ``changed`` after every edit."""

    changed = Signal()

    def __init__(self, answer: PaymentAnswer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        documents = answer.invoices or ()
        self.lines: list[InvoiceLine] = [line for doc in documents for line in doc.lines]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for doc in documents:
            parts = []
            who = []
            if doc.client_name:
                who.append(f"<b>{self.tr('Плательщик')}:</b> {_esc(doc.client_name)}")
            if doc.client_address:
                who.append(f"<b>{self.tr('Адрес')}:</b> {_esc(doc.client_address)}")
            if who:
                parts.append(" · ".join(who))
            period = []
            if doc.invoice_id:
                period.append(self.tr("квитанция № {0}").format(_esc(doc.invoice_id)))
            if doc.formed_date:
                period.append(self.tr("от {0}").format(_date(doc.formed_date)))
            if doc.expire_date:
                period.append(self.tr("оплатить до {0}").format(_date(doc.expire_date)))
            if period:
                parts.append(" ".join(period).capitalize())
            header = QLabel("<br>".join(parts))
            header.setObjectName("invoiceHeader")
            header.setWordWrap(True)
            layout.addWidget(header)
        self.table = QTableWidget(len(self.lines), 8)
        self.table.setObjectName("invoiceTable")
        self.table.setHorizontalHeaderLabels([
            "", self.tr("Услуга"), self.tr("Долг"), self.tr("Тариф"), self.tr("Ед."),
            self.tr("Пред. показ."), self.tr("Новые показ."), self.tr("К оплате, ₽")])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        columns = self.table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        columns.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.table.blockSignals(True)
        for row, line in enumerate(self.lines):
            pay = QTableWidgetItem()
            pay.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                         | Qt.ItemFlag.ItemIsSelectable)
            pay.setCheckState(Qt.CheckState.Checked if line.pay_sum else
                              Qt.CheckState.Unchecked)
            pay.setToolTip(self.tr("Оплачивать эту услугу (пробел)"))
            self.table.setItem(row, PAY, pay)
            limits = []
            if line.min_sum:
                limits.append(self.tr("не меньше {0}").format(format_amount(line.min_sum)))
            if line.max_sum:
                limits.append(self.tr("не больше {0}").format(format_amount(line.max_sum)))
            cells = {
                NAME: line.sub_service_name,
                DEBT: _debt(line.debt_info),
                TARIFF: format_amount(line.tariff) if line.tariff is not None else "",
                UNIT: line.si or "",
                PREV: _reading(line.prev_count) if line.is_meter else "",
                NEW: "" if not line.is_meter else (
                    _reading(line.last_count) if line.last_count else ""),
                AMOUNT: format_amount(line.pay_sum) if line.pay_sum else "",
            }
            for column, text in cells.items():
                item = QTableWidgetItem(text)
                editable = column == AMOUNT or (column == NEW and line.is_meter)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if editable:
                    flags |= Qt.ItemFlag.ItemIsEditable
                    item.setToolTip(self.tr("Изменить: начните вводить или F2"))
                item.setFlags(flags)
                if column in (DEBT, TARIFF, PREV, NEW, AMOUNT):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
            notes = [text for text in (", ".join(limits).capitalize(), line.comment) if text]
            if notes:
                self._cell(row, NAME).setToolTip("\n".join(notes))
        self.table.blockSignals(False)
        fit_rows(self.table, min(len(self.lines), VISIBLE_ROWS))
        self.table.itemChanged.connect(self._edited)
        self.limits_label = QLabel(self._limits_text())
        self.limits_label.setObjectName("hint")
        self.limits_label.setWordWrap(True)
        self.limits_label.setVisible(bool(self.limits_label.text()))
        self.total_label = QLabel("")
        self.total_label.setObjectName("invoiceTotal")
        # the total never gives way to the wrapped limits beside it (it was cut to «Итого
        # по квитанции: 2»): room for the widest sum the line can show
        self.total_label.ensurePolished()
        self.total_label.setMinimumWidth(self.total_label.fontMetrics().horizontalAdvance(
            self.tr("Итого по квитанции: {0} ₽").format("000 000,00")) + 8)
        self.problem_label = QLabel("")
        self.problem_label.setObjectName("fieldError")
        self.problem_label.setWordWrap(True)
        layout.addWidget(self.table)
        below = QHBoxLayout()
        below.addWidget(self.limits_label, 1)
        below.addWidget(self.total_label, 0, Qt.AlignmentFlag.AlignRight
                        | Qt.AlignmentFlag.AlignTop)
        layout.addLayout(below)
        layout.addWidget(self.problem_label)
        self._recount()

    def _limits_text(self) -> str:
        """The lines' limits in words, visible before anything is typed: «Пределы:
        Отопление — от 100,00 до 5 000,00 ₽; Капитальный ремонт — не меньше 540,00 ₽»."""
        parts = []
        for line in self.lines:
            limits = AmountLimits(line.min_sum or None, line.max_sum or None)
            if limits.known:
                # an amount is not split across lines («5 000,00 ₽» stays whole)
                parts.append(f"{line.sub_service_name} — "
                             f"{limits.describe().replace(' ', chr(0xA0))}")
        return self.tr("Пределы сумм: {0}").format("; ".join(parts)) if parts else ""

    def _edited(self, item: QTableWidgetItem) -> None:
        self._recount()
        self.changed.emit()

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        assert item is not None  # every cell is filled in __init__
        return item

    def set_included(self, row: int, included: bool) -> None:
        self._cell(row, PAY).setCheckState(Qt.CheckState.Checked if included
                                                else Qt.CheckState.Unchecked)

    def set_cell(self, row: int, column: int, text: str) -> None:
        self._cell(row, column).setText(text)

    def choices(self) -> list[LineChoice]:
        """The included lines as the cashier left them; PaymentRefused for unreadable text."""
        chosen = []
        for row, line in enumerate(self.lines):
            if self._cell(row, PAY).checkState() != Qt.CheckState.Checked:
                continue
            name = line.sub_service_name
            amount_text = self._cell(row, AMOUNT).text()
            try:
                amount = parse_user_amount(amount_text)
            except AmountError as error:
                raise PaymentRefused(f"«{name}»: {error}") from None
            reading = None
            if line.is_meter:
                text = self._cell(row, NEW).text().strip().replace(",", ".")
                if text:
                    try:
                        reading = Decimal("".join(text.split()))
                    except ArithmeticError:
                        raise PaymentRefused(f"Показания для «{name}»: не число") from None
            chosen.append(LineChoice(line.sub_service_id, amount, reading))
        return chosen

    def total(self) -> tuple[Decimal | None, str]:
        """The amount to credit, or None and the reason it cannot be paid yet."""
        try:
            _, total = complex_lines(self.lines, self.choices())
        except PaymentRefused as error:
            return None, str(error)
        return total, ""

    def _recount(self) -> None:
        total, problem = self.total()
        self.total_label.setText(self.tr("Итого по квитанции: {0} ₽").format(
            format_amount(total)) if total is not None else self.tr("Итого по квитанции: —"))
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))


def _reading(value: Decimal | None) -> str:
    return meter_reading(value) if value is not None else ""


def _debt(info: str | None) -> str:
    if not info:
        return ""
    try:
        return format_amount(Decimal(info))
    except ArithmeticError:
        return info


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
