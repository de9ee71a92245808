"""An attempt (check, pay, a QR code's request) in people's words, as a table row: the
cashier's «Сегодня» and the supervisor's payment details show the same words."""

from __future__ import annotations

from cashier_app.journal import Attempt

OUTCOMES = {"answer": "ответ", "transport": "нет связи", "auth": "отказ авторизации",
            "foreign": "ответ не об этом платеже"}
#: The requests of the protocol as people name them (the supervisor's payment details show
#: the request and the answer themselves, with the protocol's names).
METHODS = {"check": "проверка", "pay": "оплата", "qr-create": "QR-код: создание",
           "qr-status": "QR-код: статус", "link-register": "QR-ссылка: регистрация",
           "link-activate": "QR-ссылка: активация",
           "link-deactivate": "QR-ссылка: отключение"}
#: A QR code's status words (the center's defaults) as people read them.
QR_WORDS = {"CREATED": "код создан, ждёт оплаты", "PAID": "оплачено",
            "EXPIRED": "срок кода истёк", "REJECTED": "банк отклонил оплату",
            "NOT_FOUND": "код не найден"}


def method_title(method: str) -> str:
    return METHODS.get(method, method)


def answer_text(attempt: Attempt) -> str:
    """What an attempt's answer said, in words: «успешно», a QR code's status, or the
    center's code and message (the code is what support asks for)."""
    message = attempt.message or ""
    word, _, rest = message.partition(" ")
    if attempt.method.startswith(("qr-", "link-")) and word in QR_WORDS:
        message = QR_WORDS[word] + (f" ({rest})" if attempt.result not in (0, None)
                                    and rest else "")
        return message if attempt.result in (0, None) else f"код {attempt.result}: {message}"
    if attempt.outcome == "answer" and attempt.result == 0:
        return "успешно"
    return (f"код {attempt.result}: " if attempt.result is not None else "") + message


def attempt_cells(attempt: Attempt, *, with_day: bool = False) -> list[str]:
    """An attempt as a row: time, request, milliseconds, outcome, code and message."""
    at = attempt.started_at
    return [(f"{at[8:10]}.{at[5:7]} " if with_day else "") + at[11:23],
            method_title(attempt.method), str(attempt.duration_ms),
            OUTCOMES.get(attempt.outcome, attempt.outcome), answer_text(attempt)]
