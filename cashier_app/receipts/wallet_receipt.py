"""The receipt of an e-wallet operation (refill by СБП, payment from the wallet, withdrawal to
a bank): the person's confirmation of what was done with their wallet at this point. Only a
finished operation gets one — no cash changed hands, so there is nothing «принято» to confirm
while it is still in flight."""

from __future__ import annotations

from cashier_app.core.states import State
from cashier_app.journal import PaymentRecord

from .document import (
    CENTER,
    PAIR,
    RULE,
    TEXT,
    TITLE,
    TOTAL,
    Document,
    ReceiptSettings,
    add_closing,
    add_heading,
    money,
    when,
)

TITLES = {"refill": "ПОПОЛНЕНИЕ КОШЕЛЬКА", "payment": "ОПЛАТА С КОШЕЛЬКА",
          "withdrawal": "ВЫВОД С КОШЕЛЬКА"}
TOTALS = {"refill": "ЗАЧИСЛЕНО", "payment": "СПИСАНО", "withdrawal": "СПИСАНО"}
HOW = {"refill": "по QR СБП из банка клиента", "payment": "с электронного кошелька",
       "withdrawal": "с электронного кошелька в банк"}
REFUSAL = ("Чек по операции с кошельком печатается, когда она проведена: эта — "
           "не проведена или ещё не завершена")


def wallet_receipt_refusal(record: PaymentRecord) -> str | None:
    return None if record.state is State.PAID else REFUSAL


def wallet_receipt(record: PaymentRecord, settings: ReceiptSettings, number: int) -> Document:
    kind = record.wallet_operation or "payment"
    doc = Document("payment", number)
    add_heading(doc, settings)
    doc.add(TITLE, f"ЧЕК № {number}")
    doc.add(CENTER, TITLES.get(kind, "ОПЕРАЦИЯ С КОШЕЛЬКОМ"))
    doc.add(PAIR, "Дата", when(record.agent_transaction_date))
    if settings.terminal:
        doc.add(PAIR, "Терминал", settings.terminal)
    elif record.cashier:
        doc.add(PAIR, "Кассир", record.cashier)
    doc.add(RULE)
    doc.add(TEXT, "Электронный кошелёк «ВсеПлатежи»")
    doc.add(PAIR, "Кошелёк", record.account)
    if record.extras.get("tsp"):
        doc.add(PAIR, "Получатель (ТСП)", record.extras["tsp"])
    if record.extras.get("bank"):
        doc.add(PAIR, "Банк", record.extras["bank"])
    doc.add(RULE)
    doc.add(TOTAL, TOTALS.get(kind, "СУММА"), money(record.amount_to))
    doc.add(PAIR, "Способ", HOW.get(kind, ""))
    doc.add(CENTER, "Суммы в рублях")
    doc.add(RULE)
    doc.add(PAIR, "Номер операции", record.agent_transaction_id)
    doc.add(TITLE, "ОПЕРАЦИЯ ПРОВЕДЕНА")
    doc.add(RULE)
    add_closing(doc, settings)
    return doc
