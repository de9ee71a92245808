"""A payment's receipt, built from its journal row alone.

Amounts, the fields entered, the check answer and the titles the catalog had come from the row;
the point's details from settings. The document is stored in the journal as printed; a reprint
prints the stored document again, marked «КОПИЯ».

A receipt says «ИТОГО ПРИНЯТО»: it is given only for money the point kept — a payment paid or
in progress (``paying``: the cash is in the drawer, the payment will be completed). A payment
the center refused gets none: its cash goes back to the person, and a numbered slip with the
amount «принято» on it would read as proof of a payment that never happened. A QR code gets a
receipt only once paid. :func:`receipt_refusal` says which payments get one, and why not.
"""

from __future__ import annotations

from decimal import Decimal

from cashier_app.core import text as people
from cashier_app.core.answers import PaymentAnswer
from cashier_app.core.states import State
from cashier_app.core.text import day, number
from cashier_app.journal import PaymentRecord

from .document import (
    CENTER,
    PAIR,
    QR,
    RULE,
    TEXT,
    TITLE,
    TOTAL,
    Document,
    ReceiptError,
    ReceiptSettings,
    add_closing,
    add_heading,
    money,
    when,
)
from .wallet_receipt import wallet_receipt, wallet_receipt_refusal

STATUS_TEXT = {
    State.PAID: ("ПЛАТЁЖ ПРОВЕДЁН", ""),
    State.PAYING: ("ПЛАТЁЖ В ОБРАБОТКЕ",
                   "Деньги приняты. Платёж будет проведён, как только процессинг его "
                   "подтвердит. Сохраните чек до зачисления."),
}
#: At a terminal nobody can explain «в обработке»: the person is told it is accepted.
KIOSK_PENDING = ("ПЛАТЁЖ ПРИНЯТ И БУДЕТ ПРОВЕДЁН",
                 "Деньги приняты. Платёж будет проведён, как только процессинг его "
                 "подтвердит. Сохраните чек до зачисления; вопросы — по телефону поддержки.")
#: The states whose payments get a receipt (a QR code only when paid).
RECEIPT_STATES = tuple(STATUS_TEXT)


METHOD_TEXT = {"cash": "наличными", "sbp": "QR СБП", "wallet": "электронный кошелёк",
               "card": "банковской картой"}


def receipt_refusal(record: PaymentRecord) -> str | None:
    """Why this payment gets no receipt, for the cashier (Russian); None when it gets one —
    paid, or in progress with its cash in the drawer. A refused payment gets none (its money
    goes back to the person), nor does anything that never reached pay or an unpaid code."""
    if record.by_wallet:
        return wallet_receipt_refusal(record)
    if record.by_qr or record.by_card:
        if record.state is State.PAID:
            return None
        if record.by_card:
            return ("Чек печатается только для оплаченного картой платежа: по этому платежу "
                    "деньги с карты не списаны")
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
    if record.by_wallet:
        return wallet_receipt(record, settings, number)
    answer = _answer(record)
    doc = Document("payment", number)
    add_heading(doc, settings)
    doc.add(TITLE, f"ЧЕК № {number}")
    doc.add(CENTER, "ПРИЁМ ПЛАТЕЖА")
    doc.add(PAIR, "Дата", when(record.agent_transaction_date))
    if settings.terminal:
        doc.add(PAIR, "Терминал", settings.terminal)
    elif record.cashier:
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
        if settings.terminal and record.change:
            doc.add(PAIR, "Сдача ваучером", money(record.change))
        elif settings.terminal:
            doc.add(TEXT, "Сдача не выдаётся")
        else:
            doc.add(PAIR, "Сдача", money(record.change))
    doc.add(CENTER, "Суммы в рублях")
    doc.add(RULE)
    doc.add(PAIR, "Номер операции" if settings.terminal else "Номер платежа",
            record.agent_transaction_id)
    doc.add(PAIR, "Транзакция", record.transaction_id or "ещё нет")
    headline, explanation = status
    if settings.terminal and record.state is State.PAYING:
        headline, explanation = KIOSK_PENDING
    doc.add(TITLE, headline)
    if explanation:
        doc.add(TEXT, explanation)
    qr = _qr_text(settings.qr_template, record) if settings.qr_template else ""
    if qr:
        doc.add(QR, qr)
    doc.add(RULE)
    add_closing(doc, settings)
    return doc
