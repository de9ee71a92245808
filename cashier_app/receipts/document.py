"""Receipt documents: what a receipt says, independent of paper width.

A payment receipt is built from its journal row alone (amounts, the fields entered, the check
answer, the titles the catalog had) plus the point's details from settings, and is stored in the
journal as printed; a reprint prints the stored document again, marked «КОПИЯ». Shift reports
(X, Z) are built from the shift's rows. A document is plain JSON-able data: a list of blocks.

A receipt says «ИТОГО ПРИНЯТО»: it is given only for money the point kept — a payment paid or
in progress (``paying``: the cash is in the drawer, the payment will be completed). A payment
the center refused gets none: its cash goes back to the person, and a numbered slip with the
amount «принято» on it would read as proof of a payment that never happened. A QR code gets a
receipt only once paid. :func:`receipt_refusal` says which payments get one, and why not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from cashier_app.core import text as people
from cashier_app.core.answers import PaymentAnswer
from cashier_app.core.money import format_amount
from cashier_app.core.states import State
from cashier_app.core.text import day, moment, number
from cashier_app.errors import UserFacingError
from cashier_app.journal import PaymentRecord, Shift

# Block kinds. A block is a list: [kind, *texts]; documents are stored as JSON.
TITLE = "title"  # centred, bold, double height
CENTER = "center"  # centred
TEXT = "text"  # left, wrapped
PAIR = "pair"  # label on the left, value on the right
TOTAL = "total"  # a bold pair
RULE = "rule"  # ------
RULE2 = "rule2"  # ======
QR = "qr"  # a QR code of the text
BLANK = "blank"

Block = list[str]


class ReceiptError(UserFacingError, ValueError):
    """No receipt for this payment (e.g. it was never paid); ``str()`` is Russian."""


@dataclass(frozen=True)
class ReceiptSettings:
    """The point's details printed on every receipt (settings ``receipt.*``)."""

    agent_name: str = ""
    agent_inn: str = ""
    agent_address: str = ""
    point_address: str = ""
    support_phone: str = ""
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    qr_template: str = ""  # e.g. "https://example.ru/check?id={transaction_id}"; "" = no QR


@dataclass
class Document:
    kind: str  # payment | x | z | test
    number: int | None
    blocks: list[Block] = field(default_factory=list)

    def add(self, kind: str, *texts: object) -> None:
        self.blocks.append([kind, *(str(text) for text in texts)])

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "number": self.number, "blocks": self.blocks}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Document:
        return cls(str(data["kind"]), data.get("number"),
                   [[str(part) for part in block] for block in data["blocks"]])


def money(amount: Decimal | None) -> str:
    return format_amount(amount) if amount is not None else "-"


def difference_word(difference: Decimal) -> str:
    """A cash count's difference (counted − expected) in a word; empty when there is none."""
    return "недостача" if difference < 0 else "излишек" if difference > 0 else ""


def when(iso: str | None) -> str:
    """``2026-11-23T14:05:07.123`` → ``23.11.2026 14:05`` (the people's form of
    :func:`cashier_app.core.text.moment`; ``-`` for none, as receipts print it)."""
    return moment(iso) if iso else "-"


def _heading(doc: Document, settings: ReceiptSettings) -> None:
    for line in settings.header:
        doc.add(CENTER, line)
    if settings.agent_name:
        doc.add(CENTER, settings.agent_name)
    if settings.agent_inn:
        doc.add(CENTER, f"ИНН {settings.agent_inn}")
    if settings.agent_address:
        doc.add(CENTER, settings.agent_address)
    if settings.point_address:
        doc.add(TEXT, f"Пункт приёма: {settings.point_address}")
    doc.add(RULE2)


def _closing(doc: Document, settings: ReceiptSettings) -> None:
    if settings.support_phone:
        doc.add(CENTER, f"Поддержка: {settings.support_phone}")
    for line in settings.footer:
        doc.add(CENTER, line)


STATUS_TEXT = {
    State.PAID: ("ПЛАТЁЖ ПРОВЕДЁН", ""),
    State.PAYING: ("ПЛАТЁЖ В ОБРАБОТКЕ",
                   "Деньги приняты. Платёж будет проведён, как только процессинг его "
                   "подтвердит. Сохраните чек до зачисления."),
}
#: The states whose payments get a receipt (a QR code only when paid).
RECEIPT_STATES = tuple(STATUS_TEXT)


METHOD_TEXT = {"cash": "наличными", "sbp": "QR СБП"}


def receipt_refusal(record: PaymentRecord) -> str | None:
    """Why this payment gets no receipt, for the cashier (Russian); None when it gets one —
    paid, or in progress with its cash in the drawer. A refused payment gets none (its money
    goes back to the person), nor does anything that never reached pay or an unpaid code."""
    if record.by_qr:
        if record.state is State.PAID:
            return None
        return ("Чек печатается только для оплаченного QR-кода: по этому коду деньги не "
                "поступали")
    if record.state in RECEIPT_STATES:
        return None
    if record.state is State.FAILED:
        given = (f" ({people.money(record.amount_from)})" if record.amount_from is not None
                 else "")
        return ("Платёж не проведён: чек не печатается — принятые деньги" + given
                + " возвращают клиенту")
    return ("Чек печатается только для принятого платежа (проведён или в обработке): по этому "
            "платежу деньги не принимались")


def gets_receipt(record: PaymentRecord) -> bool:
    """Whether a receipt is printed for the payment as it is now (see receipt_refusal)."""
    return receipt_refusal(record) is None


def receipt_status(record: PaymentRecord) -> tuple[str, str]:
    """The receipt's headline and explanation for the payment's state. Raises ReceiptError
    (with :func:`receipt_refusal`'s reason) for a payment that gets no receipt."""
    refusal = receipt_refusal(record)
    if refusal is not None:
        raise ReceiptError(refusal)
    return STATUS_TEXT[record.state]


def _answer(record: PaymentRecord) -> PaymentAnswer | None:
    if not record.check_answer:
        return None
    try:
        return record.check
    except ValueError:  # an answer the parser refuses (it was stored, so it had a result)
        return None


def _entered(doc: Document, record: PaymentRecord) -> None:
    """The account and the other fields the person gave, titled as the catalog titled them."""
    titles = (record.field_titles or {}).get("inputs", {})
    values = {"account": record.account, **record.extras}
    shown = [name for name in titles if name in values]
    shown += [name for name in values if name not in titles and name != "contractId"
              and not (name == "account" and record.account == "0")]
    for name in shown:
        value = values[name]
        if value:
            doc.add(PAIR, titles.get(name) or name, value)
    if record.full_name:
        doc.add(PAIR, "Плательщик", record.full_name)
    if record.identity_card:
        doc.add(PAIR, "Документ", record.identity_card)


def _displays(doc: Document, record: PaymentRecord, answer: PaymentAnswer | None) -> None:
    """What check showed that the service declares (payer name, address…): worth keeping."""
    titles = (record.field_titles or {}).get("displays", {})
    if answer is None or not answer.displays:
        return
    for name, title in titles.items():
        value = answer.displays.get(name)
        if value:
            doc.add(PAIR, title, value)


def _contract(doc: Document, record: PaymentRecord, answer: PaymentAnswer | None) -> None:
    chosen = record.extras.get("contractId")
    if not chosen:
        return
    contract = next((c for c in (answer.contracts or ()) if c.contract_id == chosen), None) \
        if answer else None
    if contract is None:
        doc.add(PAIR, "Договор", chosen)
        return
    if contract.name:
        doc.add(TEXT, f"Договор: {contract.name}")
    number = contract.contract_number or contract.contract_id
    dated = f" от {day(contract.contract_date)}" if contract.contract_date else ""
    doc.add(PAIR, "Номер договора", f"{number}{dated}")


def _number(value: Decimal | str | None) -> str:
    """A meter reading as people write it (``4 870,5``); the text as it is when it is not a
    number."""
    if value is None or value == "":
        return "-"
    try:
        return number(Decimal(str(value)))
    except ArithmeticError:
        return str(value)


def _invoice(doc: Document, record: PaymentRecord, answer: PaymentAnswer | None) -> None:
    """ЖКХ: the invoice's heading and each paid line, with meter readings."""
    paid = record.extra_services or []
    if not paid:
        return
    documents = (answer.invoices or ()) if answer else ()
    lines = {line.sub_service_id: line for invoice in documents for line in invoice.lines}
    for invoice in documents:
        dated = f" от {day(invoice.formed_date)}" if invoice.formed_date else ""
        if invoice.invoice_id or dated:
            doc.add(TEXT, f"Счёт № {invoice.invoice_id or '-'}{dated}")
        if invoice.client_name:
            doc.add(PAIR, "Плательщик", invoice.client_name)
        if invoice.client_address:
            doc.add(TEXT, f"Адрес: {invoice.client_address}")
    doc.add(RULE)
    for item in paid:
        sub_id = str(item.get("subServiceId", ""))
        line = lines.get(sub_id)
        doc.add(TEXT, line.sub_service_name if line else f"Услуга {sub_id}")
        if line is not None and line.is_meter:
            unit = f" {line.si}" if line.si else ""
            doc.add(PAIR, "  Показания",
                    f"{_number(line.prev_count)} -> {_number(item.get('lastCount'))}{unit}")
        if line is not None and line.tariff:
            doc.add(PAIR, "  Тариф", money(line.tariff))
        doc.add(PAIR, "  Оплачено", money(Decimal(str(item.get("amount", "0")))))


def _qr_text(template: str, record: PaymentRecord) -> str:
    """The QR's text; empty (no QR) when it needs a transactionId the payment has not got yet
    or the template is broken."""
    if "{transaction_id}" in template and not record.transaction_id:
        return ""
    values = {"agent_transaction_id": record.agent_transaction_id,
              "transaction_id": record.transaction_id or "",
              "amount": format(record.amount_to, "f") if record.amount_to is not None else "",
              "service_id": record.service_id}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return ""


def payment_receipt(record: PaymentRecord, settings: ReceiptSettings, number: int) -> Document:
    """The receipt of one payment, from its journal row. Raises ReceiptError for a payment that
    gets none (:func:`receipt_refusal`: refused, never paid, a QR code not paid)."""
    status = receipt_status(record)
    answer = _answer(record)
    doc = Document("payment", number)
    _heading(doc, settings)
    doc.add(TITLE, f"ЧЕК № {number}")
    doc.add(CENTER, "ПРИЁМ ПЛАТЕЖА")
    doc.add(PAIR, "Дата", when(record.agent_transaction_date))
    if record.cashier:
        doc.add(PAIR, "Кассир", record.cashier)
    if record.shift_id is not None:
        doc.add(PAIR, "Смена", record.shift_id)
    doc.add(RULE)
    doc.add(TEXT, f"Услуга: {record.service_name or record.service_id} ({record.service_id})")
    _entered(doc, record)
    _displays(doc, record, answer)
    _contract(doc, record, answer)
    _invoice(doc, record, answer)
    doc.add(RULE)
    doc.add(PAIR, "К зачислению", money(record.amount_to))
    doc.add(PAIR, "Комиссия", money(record.commission))
    doc.add(TOTAL, "ИТОГО ПРИНЯТО", money(record.amount_from))
    doc.add(PAIR, "Способ оплаты", METHOD_TEXT.get(record.payment_method,
                                                   record.payment_method))
    if record.cash_given is not None and not record.by_qr:
        doc.add(PAIR, "Внесено", money(record.cash_given))
        doc.add(PAIR, "Сдача", money(record.change))
    doc.add(CENTER, "Суммы в рублях")
    doc.add(RULE)
    doc.add(PAIR, "Номер платежа", record.agent_transaction_id)
    doc.add(PAIR, "Транзакция", record.transaction_id or "ещё нет")
    headline, explanation = status
    doc.add(TITLE, headline)
    if explanation:
        doc.add(TEXT, explanation)
    qr = _qr_text(settings.qr_template, record) if settings.qr_template else ""
    if qr:
        doc.add(QR, qr)
    doc.add(RULE)
    _closing(doc, settings)
    return doc


# --- shift reports ----------------------------------------------------------------------------
STATE_ROWS = (
    (State.PAID, "Проведено"),
    (State.PAYING, "В обработке"),
    (State.QR_WAITING, "Ждут оплаты по QR"),
    (State.FAILED, "Не проведено"),
)
#: States a report counts (the rest never reached pay); a failed QR code moved no money.
REPORTED = (State.PAID, State.PAYING, State.QR_WAITING, State.FAILED)


@dataclass(frozen=True)
class ShiftTotals:
    """Counts and sums of a shift, by state, by service and by how the person paid; the cash
    the drawer should hold (QR СБП payments put none there)."""

    by_state: dict[State, tuple[int, Decimal]]
    by_service: list[tuple[str, str, int, Decimal]]  # id, name, count, amount_from (accepted)
    amount_to: Decimal
    commission: Decimal
    cash_expected: Decimal
    not_taken: int  # checks that never reached pay (failed check, cancelled, abandoned)
    by_method: dict[str, tuple[int, Decimal]] = field(default_factory=dict)  # accepted

    @property
    def sbp(self) -> tuple[int, Decimal]:
        return self.by_method.get("sbp", (0, Decimal("0.00")))

    def as_json(self) -> dict[str, Any]:
        """As fixed in a closed shift's row (amounts as exact decimal text)."""
        return {
            "by_state": {str(state): [count, format(total, "f")]
                         for state, (count, total) in self.by_state.items()},
            "by_method": {method: [count, format(total, "f")]
                          for method, (count, total) in self.by_method.items()},
            "by_service": [[sid, name, count, format(total, "f")]
                           for sid, name, count, total in self.by_service],
            "amount_to": format(self.amount_to, "f"),
            "commission": format(self.commission, "f"),
            "cash_taken": format(self.cash_expected, "f"),
            "not_taken": self.not_taken,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShiftTotals:
        return cls(
            by_state={State(k): (int(v[0]), Decimal(v[1])) for k, v in data["by_state"].items()},
            by_service=[(sid, name, int(count), Decimal(total))
                        for sid, name, count, total in data["by_service"]],
            amount_to=Decimal(data["amount_to"]), commission=Decimal(data["commission"]),
            cash_expected=Decimal(data["cash_taken"]), not_taken=int(data["not_taken"]),
            by_method={k: (int(v[0]), Decimal(v[1])) for k, v in data["by_method"].items()})

    @property
    def cash(self) -> tuple[int, Decimal]:
        return self.by_method.get("cash", (0, Decimal("0.00")))


def shift_totals(payments: Iterable[PaymentRecord]) -> ShiftTotals:
    by_state: dict[State, list[Decimal]] = defaultdict(list)
    by_service: dict[str, tuple[str, int, Decimal]] = {}
    by_method: dict[str, tuple[int, Decimal]] = {}
    amount_to = commission = cash = Decimal("0.00")
    not_taken = 0
    for record in payments:
        if record.state not in REPORTED:
            not_taken += 1
            continue
        by_state[record.state].append(record.amount_from or Decimal(0))
        if not record.accepted:
            continue  # a failed payment's cash went back to the person; a QR not paid
        name, count, total = by_service.get(record.service_id,
                                            (record.service_name, 0, Decimal("0.00")))
        by_service[record.service_id] = (name, count + 1, total + (record.amount_from or 0))
        count, total = by_method.get(record.payment_method, (0, Decimal("0.00")))
        by_method[record.payment_method] = (count + 1, total + (record.amount_from or 0))
        amount_to += record.amount_to or 0
        commission += record.commission or 0
        if record.cash_accepted:
            cash += record.amount_from or 0
    return ShiftTotals(
        by_state={state: (len(values), sum(values, Decimal("0.00")))
                  for state, values in by_state.items()},
        by_service=sorted(((sid, name, count, total)
                           for sid, (name, count, total) in by_service.items()),
                          key=lambda row: (row[1].casefold(), row[0])),
        amount_to=amount_to, commission=commission, cash_expected=cash, not_taken=not_taken,
        by_method=by_method)


def shift_report(kind: str, shift: Shift, payments: Sequence[PaymentRecord],
                 settings: ReceiptSettings, number: int, made_at: datetime) -> Document:
    """The X report (current totals, any time) or the Z report (the totals fixed at the
    shift's close; a shift closed before they were kept: as the journal has them)."""
    totals = (ShiftTotals.from_json(shift.totals) if shift.totals is not None
              else shift_totals(payments))
    doc = Document(kind, number)
    _heading(doc, settings)
    doc.add(TITLE, "Z-ОТЧЁТ" if kind == "z" else "X-ОТЧЁТ")
    doc.add(CENTER, "закрытие смены" if kind == "z" else "без закрытия смены")
    doc.add(PAIR, "Документ №", number)
    doc.add(PAIR, "Смена", shift.id)
    doc.add(PAIR, "Кассир", shift.cashier)
    doc.add(PAIR, "Открыта", when(shift.opened_at))
    if shift.closed_at:
        doc.add(PAIR, "Закрыта", when(shift.closed_at))
    doc.add(PAIR, "Сформирован", moment(made_at))
    doc.add(RULE)
    doc.add(CENTER, "ПО СОСТОЯНИЮ")
    for state, title in STATE_ROWS:
        count, total = totals.by_state.get(state, (0, Decimal("0.00")))
        doc.add(PAIR, f"{title}: {count}", money(total))
    doc.add(PAIR, "Без оплаты (проверка, отмена)", totals.not_taken)
    doc.add(RULE)
    doc.add(CENTER, "ПО УСЛУГАМ (принято)")
    if not totals.by_service:
        doc.add(TEXT, "Платежей нет")
    for service_id, name, count, total in totals.by_service:
        doc.add(TEXT, f"{name} ({service_id})")
        doc.add(PAIR, f"  платежей: {count}", money(total))
    doc.add(RULE)
    doc.add(CENTER, "ПО СПОСОБУ ОПЛАТЫ (принято)")
    for method, title in (("cash", "Наличными"), ("sbp", "По QR СБП")):
        count, total = totals.by_method.get(method, (0, Decimal("0.00")))
        doc.add(PAIR, f"{title}: {count}", money(total))
    doc.add(RULE)
    doc.add(PAIR, "К зачислению", money(totals.amount_to))
    doc.add(PAIR, "Комиссия", money(totals.commission))
    if shift.opening_cash:
        doc.add(PAIR, "Размен на начало смены", money(shift.opening_cash))
    doc.add(TOTAL, "НАЛИЧНЫХ В КАССЕ", money(shift.opening_cash + totals.cash_expected))
    if shift.counted_cash is not None and shift.cash_difference is not None:
        doc.add(PAIR, "Пересчитано", money(shift.counted_cash))
        difference = shift.cash_difference
        doc.add(PAIR, f"Расхождение ({difference_word(difference) or 'нет'})",
                money(difference))
    if shift.closed_by and shift.closed_by != shift.cashier:
        doc.add(PAIR, "Смену закрыл(а)", shift.closed_by)
    doc.add(CENTER, "Суммы в рублях")
    doc.add(RULE)
    _closing(doc, settings)
    return doc


# --- test page -------------------------------------------------------------------------------
PANGRAM = "Съешь же ещё этих мягких французских булок, да выпей чаю. ЁЁ ёё № 1234567890"


def printer_test_page(settings: ReceiptSettings, *, profile: str, codepage: int, columns: int,
              qr: bool) -> Document:
    """A page that shows the printer's width and its CP866 table: the engineer sees at once
    whether the code page slot and the column count are right."""
    doc = Document("test", None)
    doc.add(TITLE, "ПРОБНАЯ СТРАНИЦА")
    doc.add(PAIR, "Профиль", profile)
    doc.add(PAIR, "Кириллица", f"CP866, ESC t {codepage}")
    doc.add(PAIR, "Ширина, символов", columns)
    doc.add("ruler")
    doc.add(TEXT, PANGRAM)
    doc.add(TEXT, "Замены: «кавычки» — тире, 100 ₽")
    doc.add(RULE)
    doc.add(CENTER, "Таблица CP866, 0x80-0xFF")
    doc.add("cptable")
    doc.add(RULE)
    if qr:
        doc.add(QR, "Касса: пробная печать QR")
    _closing(doc, settings)
    return doc
