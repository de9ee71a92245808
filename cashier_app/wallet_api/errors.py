"""What can go wrong with the e-wallet service, sorted by what it means for the money.

The one question a caller has after a failed call is *was anything done?* — the answer picks
the class:

* :class:`WalletInputError` — nothing was sent: the input cannot be a request (a phone that is
  not ten digits, a walletId that is not a UUID, an amount with kopeck fractions).
* :class:`WalletRefused` — the service answered, and its answer says nothing was done: HTTP 400
  (empty or ``{code, message, fieldErrors}``), 403, 404, 405, 409, 422, any other 4xx, and
  502/503 («Недоступно окружение», seed 002 §5.1: the request never reached the wallets).
  :class:`WalletAuthError` is the refusal that only the settings can fix.
* :class:`WalletNoAnswer` — the outcome is **not known**: a timeout, a refused or reset
  connection, HTTP 500 (seed 002 promises «Ответ с HTTP-кодом 500 и соответствующим ошибке
  сообщением», but a 500 from a money operation does not prove the money did not move), a body
  that is not JSON or not the shape of the answer, an answer over the byte bound. A payment or
  a withdrawal in this state is reconciled, never assumed failed.

``str()`` of each is a finished Russian sentence for the cashier; it never quotes a token, the
partner's secret or a traceback (those could end up on a receipt or a screenshot). ``answer_text``
keeps the body as received (at most :data:`MAX_ANSWER_TEXT` characters, never a request header)
for the journal's attempts.
"""

from __future__ import annotations

from collections.abc import Mapping

from cashier_app.errors import UserFacingError
from cashier_app.util.printable import printable

__all__ = [
    "MAX_ANSWER_TEXT",
    "WalletAuthError",
    "WalletError",
    "WalletInputError",
    "WalletNoAnswer",
    "WalletRefused",
]

#: The most of an answer's body an error keeps for the journal.
MAX_ANSWER_TEXT = 2000
#: The most of a server's message shown to a person.
MAX_MESSAGE = 300

#: Seed 002 §5.1, said so that a cashier knows where the fault is.
STATUS_MEANINGS: Mapping[int, str] = {
    400: "Неверно указаны параметры запроса",
    401: "Запрос к сервису кошельков не аутентифицирован",
    403: "Нет доступа к кошельку или неверный адрес",
    404: "Неверный адрес сервиса кошельков",
    405: "Сервис кошельков не принял метод запроса",
    409: "Сервис кошельков сообщил о конфликте с другой операцией",
    422: "Сервис кошельков не смог выполнить запрос с такими данными",
    502: "Сервис кошельков недоступен (502)",
    503: "Сервис кошельков недоступен (503)",
}

AUTH_TEXT = ("Сервис кошельков не принял учётные данные партнёра: проверьте wallet.client_id, "
             "wallet.client_secret, wallet.partner_id")


def status_meaning(status: int) -> str:
    """The fixed words for an HTTP status that means «nothing was done»."""
    return STATUS_MEANINGS.get(status, f"Сервис кошельков отклонил запрос (HTTP {status})")


def clean_message(text: object, limit: int = MAX_MESSAGE) -> str:
    """A server's text fit for a person: no control characters, one line, bounded."""
    if text is None:
        return ""
    cleaned = " ".join(printable(str(text)).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


class WalletError(UserFacingError):
    """Base class. ``answer_text``: the answer's body as received, for the journal."""

    def __init__(self, text: str, *, answer_text: str = "") -> None:
        super().__init__(text)
        self.answer_text = answer_text[:MAX_ANSWER_TEXT]


class WalletInputError(WalletError, ValueError):
    """Input that cannot become a request; nothing was sent. ``field``: the wire name of the
    field (``phone``, ``walletId``, ``amount``…), for the form to point at."""

    def __init__(self, field: str, text: str) -> None:
        super().__init__(text)
        self.field = field


class WalletRefused(WalletError):
    """A final answer that says nothing was done.

    ``status``: the HTTP status; ``code``: the service's ``code`` as text (it may be a number
    on the wire) or None; ``message``: the service's own text, cleaned; ``field_errors``: field
    → text, cleaned."""

    def __init__(self, status: int, *, code: str | None = None, message: str = "",
                 field_errors: Mapping[str, str] | None = None, answer_text: str = "",
                 text: str | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.field_errors = dict(field_errors or {})
        super().__init__(text or self._sentence(), answer_text=answer_text)

    def _sentence(self) -> str:
        sentence = status_meaning(self.status)
        said = self.message
        if self.field_errors:
            fields = "; ".join(f"{name}: {text}" if text else name
                               for name, text in self.field_errors.items())
            said = f"{said} ({fields})" if said else fields
        return f"{sentence}: {said}" if said else sentence


class WalletAuthError(WalletRefused):
    """The partner's credentials were refused at the token endpoint, or a request stayed 401
    after the token was renewed. Only the settings can fix it."""

    def __init__(self, status: int, *, code: str | None = None, message: str = "",
                 answer_text: str = "") -> None:
        super().__init__(status, code=code, message=message, answer_text=answer_text,
                         text=AUTH_TEXT)


class WalletNoAnswer(WalletError):
    """The outcome is not known. ``kind``: ``timeout``, ``connect``, ``reset``, ``transport``,
    ``tls``, ``http`` (500 or another status that proves nothing), ``bad_json``,
    ``bad_answer``, ``too_large``, ``bad_encoding``; ``status``: the HTTP status if one came;
    ``message``: the server's text if it sent one (a 500's message)."""

    def __init__(self, kind: str, text: str, *, status: int | None = None, message: str = "",
                 answer_text: str = "") -> None:
        super().__init__(text, answer_text=answer_text)
        self.kind = kind
        self.status = status
        self.message = message
