"""Table 1 of seed 003: every result code with its finality, as data in one place.

Finality decides what the program does with a payment: a *final* code settles it (0 — paid,
any other final code — failed); a *non-final* one means «repeat the same request, unchanged,
at growing intervals». Having no answer at all is non-final too (seed 003: «Отсутствие связи с
процессингом является нефинальной ошибкой»).

Two rules beyond the table:

* **202** is final only for a first request. After a non-final answer (1, 153, 220, 255) a 202
  means the repeat was malformed while the original payment goes on being processed — so it
  does not settle the payment (seed 003, note under Table 1).
* **An unknown code** is treated as non-final: the payment stays pending (visible to the cashier,
  retried, logged) rather than being called failed while it may still go through.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Finality(enum.Enum):
    SUCCESS = "success"  # final, the operation succeeded
    FINAL_ERROR = "final_error"  # final, the operation failed; never repeat it
    NOT_FINAL = "not_final"  # repeat the same request later


@dataclass(frozen=True)
class ResultCode:
    code: int
    description: str  # the seed's wording
    final: bool
    cashier_message: str  # what a cashier reads


SUCCESS = 0
IN_PROGRESS = 1
WRONG_ACCOUNT_FORMAT = 4
ACCOUNT_NOT_FOUND = 5
FORBIDDEN_BY_PROVIDER = 7
FORBIDDEN_TECHNICAL = 8
SERVICE_NOT_IMPLEMENTED = 130
SECURITY_REVIEW = 153
SERVICE_FORBIDDEN = 155
BAD_REQUEST_DATA = 202
DUPLICATE_TRANSACTION = 215
AGENT_FUNDS_LOW = 220
AGENT_NOT_REFILLED = 250
AMOUNT_TOO_SMALL = 241
AMOUNT_TOO_LARGE = 242
BAD_COMMISSION = 255
OTHER_ERROR = 300

#: Final errors that are about what the cashier typed: shown next to that field.
ACCOUNT_CODES = frozenset({WRONG_ACCOUNT_FORMAT, ACCOUNT_NOT_FOUND})
AMOUNT_CODES = frozenset({AMOUNT_TOO_SMALL, AMOUNT_TOO_LARGE})

RESULT_CODES: dict[int, ResultCode] = {
    rc.code: rc
    for rc in (
        ResultCode(0, "успех", True, "Успешно"),
        ResultCode(1, "запрос в обработке, повторите запрос позже", False,
                   "Платёж в обработке"),
        ResultCode(4, "неверный формат идентификатора абонента", True,
                   "Неверный формат номера или лицевого счёта"),
        ResultCode(5, "идентификатор абонента не найден (ошиблись номером)", True,
                   "Абонент не найден — проверьте номер"),
        ResultCode(7, "прием платежа запрещен провайдером", True,
                   "Поставщик запретил приём платежа"),
        ResultCode(8, "прием платежа запрещен по техническим причинам", True,
                   "Приём платежа запрещён по техническим причинам"),
        ResultCode(130, "работа с данному сервису не реализована", True,
                   "Эта услуга не обслуживается"),
        ResultCode(153, "платеж на проверке в сб", False,
                   "Платёж на проверке в службе безопасности"),
        ResultCode(155, "прием платежа по данному сервису запрещен", True,
                   "Приём платежей по этой услуге запрещён"),
        ResultCode(202, "ошибка данных запроса", True, "Ошибка в данных платежа"),
        ResultCode(215, "транзакция с таким номером уже есть в базе", True,
                   "Платёж с таким номером уже есть в процессинге"),
        ResultCode(220, "недостаток средств у агента", False,
                   "Недостаточно средств на балансе агента"),
        ResultCode(250, "не был пополнен баланс агента", True,
                   "Баланс агента не пополнен"),
        ResultCode(241, "сумма слишком мала", True, "Сумма слишком мала"),
        ResultCode(242, "сумма слишком велика", True, "Сумма слишком велика"),
        ResultCode(255, "недопустимая дополнительная комиссия", False,
                   "Недопустимая дополнительная комиссия"),
        ResultCode(300, "другая ошибка", True, "Ошибка процессинга"),
    )
}

NON_FINAL_CODES = frozenset(code for code, rc in RESULT_CODES.items() if not rc.final)


def classify(code: int, *, after_non_final: bool = False) -> Finality:
    """Finality of ``code`` for a request.

    ``after_non_final`` is true when an earlier attempt of the same request got a non-final
    answer; then a 202 does not end the payment (seed 003, note under Table 1).
    """
    if code == SUCCESS:
        return Finality.SUCCESS
    known = RESULT_CODES.get(code)
    if known is None:
        return Finality.NOT_FINAL
    if code == BAD_REQUEST_DATA and after_non_final:
        return Finality.NOT_FINAL
    return Finality.FINAL_ERROR if known.final else Finality.NOT_FINAL


def cashier_message(code: int, server_message: str = "") -> str:
    """A plain Russian line for the cashier, with the code for support."""
    known = RESULT_CODES.get(code)
    text = known.cashier_message if known else "Неизвестный ответ процессинга"
    if server_message and known is None:
        text = f"{text}: {server_message}"
    return f"{text} (код {code})"
