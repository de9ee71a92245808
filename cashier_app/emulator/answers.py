"""How the emulated center words its answers: the result codes' texts (seed 003, Table 1) and
dates with milliseconds. Shared by the processing methods and the QR СБП desk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

RESULT_TEXT = {
    0: "ok", 1: "Запрос в обработке, повторите запрос позже",
    4: "Неверный формат идентификатора абонента", 5: "Идентификатор абонента не найден",
    7: "Прием платежа запрещен провайдером", 130: "Работа с данным сервисом не реализована",
    153: "Платеж на проверке в СБ", 202: "Ошибка данных запроса",
    215: "Транзакция с таким номером уже есть в базе", 220: "Недостаток средств у агента",
    241: "Сумма слишком мала", 242: "Сумма слишком велика",
    255: "Недопустимая дополнительная комиссия", 300: "Другая ошибка",
}


def answer(code: int, **fields: Any) -> dict[str, Any]:
    return {"result": code, "resultMessage": RESULT_TEXT.get(code, "ошибка"), **fields}


def iso_ms(moment: datetime) -> str:
    """``2026-11-23T14:05:07.123``, as seed 003 dates ``transactionDate``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
