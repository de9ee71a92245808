"""What the payment panel says about a payment, derived from its journal row alone.

A banner written once and left on screen goes stale: «Чек № 5 напечатан» became «Чек не
печатался» when the payment settled in the background, an expired QR code still asked to
wait for the payment. Here every text the panel shows about a payment — the outcome, the
receipt, the QR screen — is a function of the payment's current record (and of the clock and
the receipt row), and the panel calls these on every change of any of them. No state of
their own, no Qt widgets: the texts can be checked for every state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

from PySide6.QtCore import QCoreApplication

from cashier_app.core.states import ACCEPTED, State
from cashier_app.core.text import money
from cashier_app.journal import PaymentRecord, StoredReceipt

_tr = partial(QCoreApplication.translate, "PaymentBanner")


@dataclass(frozen=True)
class Banner:
    text: str
    kind: str  # the QSS «kind»: paid | failed | pending for the outcome; ok | error | busy | info


def outcome_banner(record: PaymentRecord) -> Banner:
    """The payment's outcome as it stands now."""
    amount = money(record.amount_to or Decimal(0))
    operation = record.transaction_id or "—"
    if record.state is State.PAID and record.by_qr:
        return Banner(_tr("Оплачено по QR СБП: {0} на счёт {1}. Номер операции {2}.").format(
            amount, record.account, operation), "paid")
    if record.state is State.PAID:
        return Banner(_tr("Оплачено: {0} на счёт {1}. Сдача: {2}. Номер операции {3}.").format(
            amount, record.account, money(record.change or Decimal(0)), operation), "paid")
    if record.state is State.FAILED and record.by_qr:
        return Banner(_tr("Оплата по QR не прошла: {0}. Деньги с клиента не списаны.").format(
            record.result_message or _tr("отказ")), "failed")
    if record.state is State.FAILED:
        return Banner(_tr("Платёж не проведён: {0}. Верните клиенту {1}.").format(
            record.result_message or _tr("отказ процессинга"),
            money(record.amount_from or Decimal(0))), "failed")
    if record.state is State.PAYING:
        return Banner(_tr("Платёж в обработке: процессинг ещё не дал окончательного ответа. "
                          "Деньги приняты, платёж будет проведён в фоне — результат придёт "
                          "уведомлением и появится в списке «Сегодня». Можно обслуживать "
                          "следующего клиента."), "pending")
    return Banner(_tr("Платёж не принят: {0}").format(record.result_message or "—"), "failed")


@dataclass(frozen=True)
class ReceiptBanner:
    """The receipt line under the outcome; ``print_label`` None: nothing to print (and F6,
    F7 do nothing)."""

    text: str
    kind: str
    print_label: str | None
    can_print: bool = True  # False while the printer works on it


def receipt_banner(record: PaymentRecord, latest: StoredReceipt | None, *, printing: bool,
                   printer_configured: bool, refusal_slip: bool = False) -> ReceiptBanner:
    """The receipt of ``record`` as things stand: printed (which one, for which state),
    failed, being printed, or not yet; for a payment that did not go through, no receipt —
    a refusal slip only when the receipts side makes one (``refusal_slip``)."""
    current = latest if latest is not None and latest.payment_state == str(record.state) else None
    if record.state is State.FAILED:
        if refusal_slip:
            return ReceiptBanner(_tr("Платёж не проведён: чека нет. Справку об отказе можно "
                                     "напечатать (F6)."), "info", _tr("Справка об отказе  F6"),
                                 not printing)
        if latest is not None and latest.printed_at:
            return ReceiptBanner(_tr("Чек № {0} печатался, пока платёж был в обработке. Платёж "
                                     "не проведён — этот чек недействителен, заберите его у "
                                     "клиента.").format(latest.number), "error", None)
        return ReceiptBanner(_tr("Платёж не проведён — чек не печатается."), "info", None)
    if record.state not in ACCEPTED:
        return ReceiptBanner("", "info", None)
    if printing:
        return ReceiptBanner(_tr("Печатаем чек…"), "busy", _tr("Напечатать чек  F6"), False)
    if current is not None and current.last_error:
        what = _tr("Копия чека № {0} не напечатана") if current.printed_at else _tr(
            "Чек № {0} не напечатан")
        return ReceiptBanner(_tr("{0}: {1}").format(what.format(current.number),
                                                   current.last_error), "error",
                             _tr("Напечатать чек ещё раз  F6"))
    if current is not None and current.printed_at:
        copies = current.copies - 1
        text = _tr("Чек № {0} напечатан").format(current.number)
        if copies > 0:
            text += _tr(" (и копий: {0})").format(copies)
        return ReceiptBanner(text, "ok", _tr("Напечатать копию  F6"))
    if latest is not None and latest.payment_state == str(State.PAYING) and (
            record.state is State.PAID):
        earlier = (_tr("Чек № {0} «в обработке» напечатан раньше.") if latest.printed_at
                   else _tr("Чек № {0} «в обработке» не напечатался."))
        return ReceiptBanner(earlier.format(latest.number) + " " + _tr(
            "Платёж проведён — напечатайте чек о проведении (F6)."), "info",
            _tr("Напечатать чек о проведении  F6"))
    if not printer_configured:
        return ReceiptBanner(_tr("Принтер чеков не настроен: чек можно показать на экране "
                                 "(F7)"), "info", _tr("Напечатать чек  F6"))
    return ReceiptBanner(_tr("Чек ещё не напечатан: F6 — напечатать"), "info",
                         _tr("Напечатать чек  F6"))


# --- the QR СБП screen ----------------------------------------------------------------------
CANCEL_PROMPT = ("Клиент может платить прямо сейчас. Отменить код? Esc ещё раз — отменить, "
                 "любая другая клавиша — продолжить ждать")


@dataclass(frozen=True)
class QrScreen:
    """Everything the cashier's QR view shows, for one record at one moment."""

    amount: str
    service: str
    payload: str  # "" : no code on screen (it cannot be paid, or not yet)
    timer: str
    status: str
    status_kind: str  # busy | error | info
    can_cancel: bool
    can_renew: bool
    prompt: str  # "" : no question to the cashier


def seconds_left(record: PaymentRecord, now: datetime) -> int | None:
    if not record.qr_expires_at:
        return None
    expires = datetime.fromisoformat(record.qr_expires_at)
    return max(0, int((expires - now).total_seconds()))


def countdown(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def qr_screen(record: PaymentRecord, now: datetime, *, armed: bool = False) -> QrScreen:
    """The QR payment as it stands at ``now``; ``armed``: the cashier pressed Esc once and
    the code is still payable — the question stays on screen until answered."""
    amount = _tr("К оплате по QR: {0}").format(money(record.amount_from or Decimal(0)))
    service = f"{record.service_name} · {record.account}"
    if record.state is not State.QR_WAITING:
        renew = record.state in (State.FAILED, State.CANCELLED)
        return QrScreen(amount, service, "", _tr(
            "Деньги с клиента не списаны. F8 — новый QR-код, Esc — следующий клиент") if renew
            else "", record.result_message or "", "error", False, renew, "")
    if record.cancel_requested_at:
        return QrScreen(amount, service, "", "", _tr("Отменяем оплату по QR…"), "busy",
                        False, False, "")
    if record.qr_status is None:
        status = _tr("Создаём QR-код…")
        if record.qr_failures:
            status = _tr("Нет ответа процессинга ({0}), повторяем…").format(
                record.result_message or "")
        return QrScreen(amount, service, "", "", status, "busy", True, False, "")
    left = seconds_left(record, now)
    if left == 0:
        # past its time by our clock: no one can pay it now; the bank's last word is due
        return QrScreen(amount, service, "", _tr("Срок кода истёк"), _tr(
            "Код больше не оплатить: ждём окончательного ответа банка…"), "busy", True, False,
            "")
    timer = _tr("Код действует ещё {0}").format(countdown(left)) if left else ""
    status = (_tr("Клиент сканирует код в приложении банка. Ждём оплату…")
              if not record.qr_failures else
              _tr("Нет связи с процессингом, статус спросим ещё раз…"))
    prompt = _tr(CANCEL_PROMPT) if armed else ""
    return QrScreen(amount, service, record.qr_payload or "", timer, status, "busy", True,
                    False, prompt)


def qr_payable(record: PaymentRecord | None, now: datetime) -> bool:
    """The code on screen can be paid right now (so leaving it needs a confirmation)."""
    return record is not None and bool(qr_screen(record, now).payload)
