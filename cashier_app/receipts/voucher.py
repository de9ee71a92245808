"""The voucher for inserted cash that became no payment (the person walked away, the payment
was refused): the code, the sum to the kopeck, the bills, and what the person can do with it.
It is the person's proof that the money is owed to them, so it says exactly that — and
nothing that reads as a paid payment. Also the collector's slip at a terminal."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from cashier_app.journal.cash_in import STACKED, VOUCHER, CashSession, Collection

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
    add_heading,
    money,
    when,
)


def cash_voucher(session: CashSession, settings: ReceiptSettings) -> Document:
    """ReceiptError for a session that did not end as a voucher."""
    if session.state != VOUCHER or not session.voucher:
        raise ReceiptError("Ваучер печатается только для наличных, не ставших платежом")
    doc = Document("voucher", session.id)
    add_heading(doc, settings)
    doc.add(TITLE, "ВАУЧЕР")
    doc.add(CENTER, "на внесённые наличные")
    doc.add(PAIR, "Код", session.voucher)
    doc.add(PAIR, "Внесено", when(session.opened_at))
    doc.add(PAIR, "Выдан", when(session.closed_at))
    if session.device:
        doc.add(PAIR, "Купюроприёмник", session.device)
    doc.add(RULE)
    counts = Counter(bill.amount for bill in session.bills if bill.state == STACKED)
    for amount, count in sorted(counts.items()):
        doc.add(PAIR, f"{money(amount)} × {count}", money(amount * count))
    doc.add(TOTAL, "СУММА", money(session.total))
    doc.add(RULE)
    doc.add(TEXT, "Платёж по этим деньгам не проведён. Деньги не пропали: по этому коду их "
                  "можно потратить на этом терминале или получить у старшего кассира пункта.")
    doc.add(TEXT, "Сохраните ваучер до получения денег.")
    doc.add(QR, voucher_qr(session.voucher, session.total))
    if settings.support_phone:  # the point's footer speaks of payments: not on a voucher
        doc.add(CENTER, f"Поддержка: {settings.support_phone}")
    return doc


def voucher_qr(code: str, total: Decimal) -> str:
    """What the voucher's QR code holds: the code and the sum (a scanner at the terminal or
    the supervisor's desk reads both; the journal is what pays out)."""
    return f"VOUCHER:{code}:{format(total, 'f')}"


def collection_slip(collection: Collection, settings: ReceiptSettings) -> Document:
    """The collector's slip at a terminal: the cassette's count by denomination as the
    journal recorded it when the cassette was taken out."""
    doc = Document("collection", collection.id)
    add_heading(doc, settings)
    doc.add(TITLE, f"ИНКАССАЦИЯ № {collection.id}")
    if settings.terminal:
        doc.add(PAIR, "Терминал", settings.terminal)
    doc.add(PAIR, "Дата", when(collection.at))
    doc.add(PAIR, "Инкассатор", collection.actor)
    doc.add(RULE)
    for amount, count in sorted(collection.by_denomination.items()):
        doc.add(PAIR, f"{money(amount)} × {count}", money(amount * count))
    doc.add(PAIR, "Купюр", collection.bills)
    doc.add(TOTAL, "ИТОГО", money(collection.total))
    if collection.unconfirmed:
        doc.add(TEXT, f"Не подтверждены купюроприёмником: {collection.unconfirmed} — "
                      "сверьте с кассетой")
    return doc
