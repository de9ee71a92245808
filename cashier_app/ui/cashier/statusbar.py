"""The cashier window's status bar: who, which shift, the connection to the processing
center, the catalog, what is still «в обработке», the agent's balance.

Every field is one line that gives way when the window is narrow (a 1280 px screen, a long
cashier's name, an error text): the text is cut with «…» and the whole of it is in the
tooltip. Plain labels would instead make the window as wide as all their texts together.

The connection field follows the outcome of *every* request the window and its engine make —
check, pay, QR, catalog, balance, the operator lookup — so it says what the last request
found, not what the last catalog refresh found an hour ago.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from cashier_app.core.balance import BalanceLevel
from cashier_app.core.text import moment, money, number
from cashier_app.processing.errors import AuthError, ProcessingError, TransportError
from cashier_app.ui.widgets.elided_label import ElidedLabel

#: the currencies that are written «₽» (the center says RUB; old ones RUR or 643)
ROUBLES = ("RUB", "RUR", "643", "")


def clock_time(value: datetime | str | None) -> str:
    """A moment as a person reads it beside the desk: ``14:05`` today, ``30.11.2026 14:05``
    another day."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
    elif value is None:
        return "—"
    else:
        parsed = value
    return parsed.strftime("%H:%M") if parsed.date() == date.today() else moment(parsed)


def services_count(count: int) -> str:
    """``1 услуга``, ``3 услуги``, ``10 000 услуг``."""
    tail = count % 100
    if 11 <= tail <= 14:
        word = "услуг"
    else:
        word = {1: "услуга", 2: "услуги", 3: "услуги", 4: "услуги"}.get(count % 10, "услуг")
    return f"{number(count)} {word}"


class Connection(enum.Enum):
    UNKNOWN = "unknown"
    ONLINE = "ok"
    OFFLINE = "error"
    REFUSED = "refused"  # the center answers but does not accept this desk's token


def outcome_of(error: BaseException | None) -> str:
    """A request's outcome in the words of :class:`cashier_app.attempts.Sent`: ``answer``,
    ``transport`` (no usable answer) or ``auth``."""
    if error is None or not isinstance(error, ProcessingError):
        return "answer"  # a final error code, a catalog the center refused: it answered
    if isinstance(error, AuthError):
        return "auth"
    if isinstance(error, TransportError):
        return "transport"
    return "answer"  # an answer with fields out of shape: the center is there


class CashierStatusBar(QStatusBar):
    """The fields, and what they say; the window tells it what happened."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cashierStatus")
        self.setSizeGripEnabled(False)  # the cashier's window is sized to the screen
        self.cashier_label = ElidedLabel(self.tr("Кассир не вошёл"), keep=8, widest=260)
        self.cashier_label.setObjectName("cashierLabel")
        self.shift_label = ElidedLabel("", elide=False)
        self.shift_label.setObjectName("shiftLabel")
        # an error text is cut rather than replaced by «Нет связи» while there is room
        self.connection_label = ElidedLabel(self.tr("Процессинг: подключение…"), keep=6,
                                            cut=0, widest=300)
        self.connection_label.setObjectName("connectionLabel")
        self.catalog_label = ElidedLabel("", keep=6, widest=260)
        self.catalog_label.setObjectName("catalogLabel")
        self.pending_label = ElidedLabel("", elide=False)
        self.pending_label.setObjectName("pendingLabel")
        self.balance_label = ElidedLabel("", elide=False)
        self.balance_label.setObjectName("balanceLabel")
        for label in (self.cashier_label, self.shift_label, self.connection_label,
                      self.catalog_label, self.pending_label):
            self.addWidget(label)
        self.addPermanentWidget(self.balance_label)
        self.connection = Connection.UNKNOWN
        self.last_answer_at: datetime | None = None
        self.offline_since: datetime | None = None
        self.balance_at: datetime | None = None
        self.balance_text = ""

    # --- who and which shift ----------------------------------------------------------
    def show_cashier(self, name: str | None) -> None:
        if name:
            self.cashier_label.setText(self.tr("Кассир: {0}").format(name), name)
        else:
            self.cashier_label.setText(self.tr("Кассир не вошёл"))

    def show_shift(self, number_: int | None, opened_at: str | None = None, *,
                   closed: bool = False) -> None:
        if closed:
            self.shift_label.setText(self.tr("Смена закрыта"))
        elif number_ is None:
            self.shift_label.setText("")
        else:
            self.shift_label.setText(self.tr("Смена №{0} с {1}").format(
                number_, clock_time(opened_at)), self.tr("Смена №{0}").format(number_))

    # --- the connection ---------------------------------------------------------------
    def request_done(self, outcome: str, message: str = "",
                     when: datetime | None = None) -> None:
        """One request came back: ``answer`` (or ``foreign`` — the center answered, about
        something else) means the center is there; ``transport`` — no usable answer;
        ``auth`` — the center refuses this desk's token."""
        now = when or datetime.now()
        label = self.connection_label
        if outcome in ("answer", "foreign"):
            self.connection = Connection.ONLINE
            self.last_answer_at = now
            self.offline_since = None
            label.setText(self.tr("Процессинг: на связи"), self.tr("На связи"))
            label.set_detail(self.tr("Последний ответ процессинга: {0}").format(
                moment(now, seconds=True)))
            state = "ok"
        else:
            if self.connection is not Connection.OFFLINE or self.offline_since is None:
                self.offline_since = now
            self.connection = Connection.REFUSED if outcome == "auth" else Connection.OFFLINE
            label.setText(message or self.tr("Нет связи с процессингом"),
                          self.tr("Нет доступа") if outcome == "auth" else self.tr("Нет связи"))
            detail = self.tr("С {0}").format(moment(self.offline_since, seconds=True))
            if self.last_answer_at is not None:
                detail += self.tr("; последний ответ процессинга: {0}").format(
                    moment(self.last_answer_at, seconds=True))
            label.set_detail(detail)
            state = "error"
        _set_state(label, state)

    # --- the catalog ------------------------------------------------------------------
    def show_catalog(self, count: int, fetched_at: datetime, *, from_cache: bool) -> None:
        when = clock_time(fetched_at)
        text = (self.tr("Каталог: {0}, сохранён {1}") if from_cache
                else self.tr("Каталог: {0}, {1}"))
        shorter = (self.tr("{0}, сохранён {1}") if from_cache else self.tr("{0}, {1}"))
        self.catalog_label.setText(text.format(services_count(count), when),
                                   shorter.format(services_count(count), when))
        self.catalog_label.set_detail(
            self.tr("Процессинг недоступен: показан каталог, сохранённый {0}").format(
                moment(fetched_at)) if from_cache else
            self.tr("Каталог получен {0}").format(moment(fetched_at)))

    def catalog_unavailable(self) -> None:
        self.catalog_label.setText(self.tr("Каталог услуг недоступен"))
        self.catalog_label.set_detail("")

    # --- payments «в обработке» -------------------------------------------------------
    def show_pending(self, paying: int, qr_waiting: int = 0) -> None:
        """Payments «в обработке» and codes waiting for the person to pay on their phone (a
        QR code of СБП, a card's payment link, a wallet refill's link), named apart: a code
        not yet paid is not a payment being processed."""
        parts = []
        if paying:
            parts.append(self.tr("В обработке: {0}").format(number(paying)))
        if qr_waiting:
            parts.append(self.tr("Ждут оплаты клиентом: {0}").format(number(qr_waiting)))
        self.pending_label.setText(", ".join(parts) if parts else self.tr("В обработке: нет"))
        _set_state(self.pending_label, "warn" if parts else "ok")

    # --- the balance ------------------------------------------------------------------
    def show_balance(self, balance: Decimal, currency: str, level: BalanceLevel,
                     when: datetime | None = None) -> None:
        """A balance the center just sent: the amount, and when it was so."""
        self.balance_at = when or datetime.now()
        code = (currency or "").strip().upper()
        amount = money(balance) if code in ROUBLES else f"{money(balance, rub=False)} {code}"
        self.balance_text = amount
        at = clock_time(self.balance_at)
        suffix, short = {
            BalanceLevel.OK: ("", ""),
            BalanceLevel.LOW: (self.tr(" — баланс на исходе"), self.tr(" — на исходе")),
            BalanceLevel.BLOCKED: (self.tr(" — приём платежей остановлен"),
                                   self.tr(" — приём остановлен")),
        }[level]
        # shorter forms drop words, never digits: an amount is not cut with «…»
        self.balance_label.setText(
            self.tr("Баланс агента: {0} (на {1})").format(amount, at) + suffix,
            self.tr("Баланс: {0} (на {1})").format(amount, at) + short,
            self.tr("{0} (на {1})").format(amount, at) + short,
            amount + short)
        self.balance_label.set_detail(self.tr("Баланс получен {0}").format(
            moment(self.balance_at, seconds=True)))
        _set_state(self.balance_label, {BalanceLevel.OK: "ok", BalanceLevel.LOW: "warn",
                                        BalanceLevel.BLOCKED: "error"}[level])

    def balance_failed(self, reason: str, when: datetime | None = None) -> None:
        """The balance could not be had: the last known one stays, with its time (and why
        it is not newer in the tooltip); with none known — «нет данных»."""
        now = when or datetime.now()
        if self.balance_at is None:
            self.balance_label.setText(self.tr("Баланс: нет данных"), self.tr("Баланс: —"))
            self.balance_label.set_detail(reason)
            _set_state(self.balance_label, "")
            return
        self.balance_label.set_detail(self.tr("Баланс получен {0}; не обновился в {1}: {2}"
                                              ).format(moment(self.balance_at, seconds=True),
                                                       clock_time(now), reason))


def _set_state(label: QLabel, state: str) -> None:
    """The style sheet colours a field by its ``state`` (ok, warn, error)."""
    if label.property("state") == state:
        return
    label.setProperty("state", state)
    label.style().unpolish(label)
    label.style().polish(label)
