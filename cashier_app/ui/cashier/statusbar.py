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

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

from cashier_app.core.balance import BalanceLevel
from cashier_app.core.text import moment, money, number
from cashier_app.processing.errors import AuthError, ProcessingError, TransportError

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


class ElidedLabel(QLabel):
    """One line of text that gives way when the room is short: first to the shorter forms
    given with the text (``setText(full, shorter, shortest)``), then — with ``elide`` — the
    form ``cut`` (the last one unless told) is cut with «…», never narrower than ``keep``
    characters. Whatever is not shown whole is in the tooltip; ``text()`` is always the whole
    text. ``widest`` caps the width it asks for: a status bar shares a shortage equally
    among its fields, so one long error text would keep its length and squeeze the others
    down to their shortest forms.

    An amount is never cut: the balance gives way to shorter forms only, so «500 00…» can
    never be read as another sum."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, elide: bool = True,
                 keep: int = 8, cut: int = -1, widest: int = 0) -> None:
        super().__init__(parent)
        self._forms: tuple[str, ...] = ("",)
        self._detail = ""
        self._elide = elide
        self._keep = keep
        self._cut = cut
        self._widest = widest
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def text(self) -> str:  # the whole text, not the part on screen
        return self._forms[0]

    def shown(self) -> str:
        """What is on screen now (a shorter form, or cut with «…»)."""
        return super().text()

    def elided(self) -> bool:
        return self.shown() != self.text()

    def setText(self, text: str, *shorter: str) -> None:
        forms = (text, *shorter)
        if forms == self._forms:
            return
        self._forms = forms
        self.updateGeometry()
        parent = self.parentWidget()
        layout = parent.layout() if parent is not None else None
        if layout is not None and parent is not None and parent.isVisible():
            layout.activate()  # the fields move now, not at the next pass of the loop
        self._fit()

    def set_detail(self, detail: str) -> None:
        """More than the line says (an error's details, since when): always in the tooltip."""
        self._detail = detail
        self._update_tooltip()

    def _extra(self) -> int:
        margins = self.contentsMargins()
        return margins.left() + margins.right() + 4

    def _width(self, text: str) -> int:
        return self.fontMetrics().horizontalAdvance(text) + self._extra()

    def sizeHint(self) -> QSize:
        width = self._width(self._forms[0])
        if self._widest:  # a field that is never cut asks for its shortest form at least
            width = min(width, self._widest if self._elide
                        else max(self._widest, self._width(self._forms[-1])))
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        least = self._width(self._forms[-1])
        if self._elide:
            least = min(least, self._width(self._forms[self._cut][:self._keep] + "…"))
        return QSize(min(least, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def paintEvent(self, event: QPaintEvent) -> None:
        # a layout pass that ran while rendering (a grab right after a change) resized the
        # field after its resize event was due: fit to the width it is painted at
        self._fit()
        super().paintEvent(event)

    def _fit(self) -> None:
        room = self.width() - self._extra()
        metrics = self.fontMetrics()
        cut = self._cut % len(self._forms)
        whole = [form for form in self._forms[:cut + 1] if metrics.horizontalAdvance(form) <= room]
        if whole:
            shown = whole[0]
        elif self._elide and cut < len(self._forms) - 1 and room >= metrics.horizontalAdvance(
                self._forms[cut][:self._keep] + "…"):
            # the form to cut is worth more cut than a shorter one whole
            shown = metrics.elidedText(self._forms[cut], Qt.TextElideMode.ElideRight, room)
        else:
            shown = next((form for form in self._forms[cut + 1:]
                          if metrics.horizontalAdvance(form) <= room), None) or (
                metrics.elidedText(self._forms[-1], Qt.TextElideMode.ElideRight, room)
                if self._elide else self._forms[-1])
        if shown != super().text():
            super().setText(shown)
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        parts = [self.text()] if self.elided() else []
        if self._detail:
            parts.append(self._detail)
        self.setToolTip("\n".join(parts))


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
    def show_pending(self, count: int) -> None:
        self.pending_label.setText(self.tr("В обработке: {0}").format(number(count)) if count
                                   else self.tr("В обработке: нет"))
        _set_state(self.pending_label, "warn" if count else "ok")

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
