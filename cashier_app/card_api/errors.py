"""What can go wrong with the card gateway (seed 004), sorted by what it means for the money.

The one question a caller has after a failed call is *was anything done?* — the answer picks
the class:

* :class:`CardInputError` — nothing was sent: the input cannot be a request (an amount with a
  fraction of a kopeck, a login that is not a phone, an unreadable client certificate).
* :class:`CardRefused` — the gateway answered, and its answer says nothing was done: HTTP 4xx,
  502/503 (a balancer in front of the gateway: the request never reached it), or an answer
  with an ``errorCode`` and no result. :class:`CardAuthError` (401/403) is the refusal only
  the settings can fix; :class:`UserNotRegistered` is the seed's ``UserNotRegisteredForShop``.
* :class:`Need3ds` — not a failure: a recurrent payment needs the person at the bank's
  3-D Secure page (errorCode 2365 ``NeedPass3dsException``); the payment exists and waits.
* :class:`CardNoAnswer` — the outcome is **not known**: a timeout, a refused or reset
  connection, HTTP 500 or another 5xx (a 500 from a payment method does not prove the card was
  not charged), a body that is not JSON or not the shape of the answer, an answer about another
  payment. A payment in this state is asked about again (``status``), never assumed failed.

``str()`` of each is a finished Russian sentence for the cashier; it never quotes the token,
the certificate or a traceback (those could end up on a receipt or a screenshot).
``answer_text`` keeps the body as received (at most :data:`MAX_ANSWER_TEXT` characters, never a
request header) for the journal's attempts.

The gateway's error codes (the seed's «Разбор ошибок» lists only headings) are our decision,
:data:`ERROR_CODES`, mirrored by the emulator (``emulator/card_books.py``); the card's own
response codes (RC, in ``errorCode`` of a declined payment) are :data:`DECLINE_CODES`.
"""

from __future__ import annotations

from collections.abc import Mapping

from cashier_app.core.card_codes import (  # one table with the emulator's
    DECLINE_CODES,
    ERROR_CODES,
    NEED_3DS,
    USER_NOT_REGISTERED,
)
from cashier_app.errors import UserFacingError
from cashier_app.util.printable import printable

__all__ = [
    "DECLINE_CODES",
    "ERROR_CODES",
    "MAX_ANSWER_TEXT",
    "NEED_3DS",
    "USER_NOT_REGISTERED",
    "CardAuthError",
    "CardError",
    "CardInputError",
    "CardNoAnswer",
    "CardRefused",
    "Need3ds",
    "UserNotRegistered",
    "clean_message",
    "decline_text",
]

#: The most of an answer's body an error keeps for the journal.
MAX_ANSWER_TEXT = 2000
#: The most of a gateway's message shown to a person.
MAX_MESSAGE = 300


AUTH_TEXT = "Шлюз не принял токен или сертификат: проверьте card.token и card.cert"

#: The fixed words for an HTTP status that means «nothing was done».
STATUS_MEANINGS: Mapping[int, str] = {
    400: "Шлюз оплаты картой отклонил запрос",
    404: "Неверный адрес шлюза оплаты картой (HTTP 404): проверьте card.url",
    405: "Шлюз оплаты картой не принял метод запроса",
    409: "Шлюз оплаты картой сообщил о конфликте с другой операцией",
    422: "Шлюз оплаты картой не смог выполнить запрос с такими данными",
    502: "Шлюз оплаты картой недоступен (502)",
    503: "Шлюз оплаты картой недоступен (503)",
}


def clean_message(text: object, limit: int = MAX_MESSAGE) -> str:
    """A gateway's text fit for a person: no control characters, one line, bounded."""
    if text is None:
        return ""
    cleaned = " ".join(printable(str(text)).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def decline_text(error_code: str | None) -> str:
    """The cashier's words for a declined payment's ``errorCode``."""
    if error_code is None:
        return "Оплата картой отклонена"
    known = DECLINE_CODES.get(error_code) or ERROR_CODES.get(error_code, (None, None))[1]
    return known or f"Оплата картой отклонена (код {clean_message(error_code, 20)})"


class CardError(UserFacingError):
    """Base class. ``answer_text``: the answer's body as received, for the journal."""

    def __init__(self, text: str, *, answer_text: str = "") -> None:
        super().__init__(text)
        self.answer_text = answer_text[:MAX_ANSWER_TEXT]


class CardInputError(CardError, ValueError):
    """Input that cannot become a request; nothing was sent. ``field``: the wire name of the
    field (``amount``, ``login``, ``regPayNum``…) or the setting (``card.cert``), for the form
    or the settings page to point at."""

    def __init__(self, field: str, text: str) -> None:
        super().__init__(text)
        self.field = field


class CardRefused(CardError):
    """A final answer that says nothing was done.

    ``status``: the HTTP status (200 for an answer with an errorCode and no result);
    ``error_code``: the gateway's ``errorCode`` as text (it may be a number on the wire) or
    None; ``error``: the exception's name the gateway gives (``UserNotRegisteredForShop``);
    ``message``: the gateway's own text, cleaned of control characters."""

    def __init__(self, status: int, *, error_code: str | None = None, error: str | None = None,
                 message: str = "", answer_text: str = "", text: str | None = None) -> None:
        self.status = status
        self.error_code = error_code
        self.error = error
        self.message = clean_message(message)
        super().__init__(text or self._sentence(), answer_text=answer_text)

    def _sentence(self) -> str:
        known = ERROR_CODES.get(self.error_code or "")
        if known is not None:
            sentence = f"{known[1]} (код {self.error_code})"
            said = self.message if self.message and self.message != known[1] else ""
        elif self.error_code is not None:
            sentence = f"Шлюз оплаты картой отказал (код {clean_message(self.error_code, 20)})"
            said = self.message
        else:
            sentence = STATUS_MEANINGS.get(
                self.status, f"Шлюз оплаты картой отклонил запрос (HTTP {self.status})")
            said = self.message
        return f"{sentence}: {said}" if said else sentence


class UserNotRegistered(CardRefused):
    """The seed's ``UserNotRegisteredForShop``: no buyer with this login at this shop —
    register them (``register_user``) before saving a card."""


class CardAuthError(CardRefused):
    """HTTP 401 or 403: the gateway refused the token or the client certificate. Only the
    settings can fix it."""

    def __init__(self, status: int, *, error_code: str | None = None, error: str | None = None,
                 message: str = "", answer_text: str = "") -> None:
        super().__init__(status, error_code=error_code, error=error, message=message,
                         answer_text=answer_text, text=AUTH_TEXT)


class Need3ds(CardError):
    """errorCode 2365 ``NeedPass3dsException`` to a recurrent payment: the payment
    ``reg_pay_num`` exists and waits for the person at ``secure_page_url`` (GET). Not an error
    of the payment — a step; its outcome comes from ``status``."""

    def __init__(self, reg_pay_num: str, secure_page_url: str, *, answer_text: str = "") -> None:
        super().__init__(f"Для оплаты сохранённой картой нужна проверка 3-D Secure: откройте "
                         f"страницу банка и введите код (платёж {reg_pay_num})",
                         answer_text=answer_text)
        self.reg_pay_num = reg_pay_num
        self.secure_page_url = secure_page_url


class CardNoAnswer(CardError):
    """The outcome is not known. ``kind``: ``timeout``, ``connect``, ``reset``, ``transport``,
    ``tls``, ``http`` (500 or another status that proves nothing), ``bad_json``,
    ``bad_answer``, ``too_large``, ``bad_encoding``; ``status``: the HTTP status if one came;
    ``message``: the gateway's text if it sent one (a 500's message)."""

    def __init__(self, kind: str, text: str, *, status: int | None = None, message: str = "",
                 answer_text: str = "") -> None:
        super().__init__(text, answer_text=answer_text)
        self.kind = kind
        self.status = status
        self.message = message
