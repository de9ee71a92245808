"""The card gateway's codes (seed 004): its errorCode table and the decline codes (RC). The
seed names only 2365 (NeedPass3dsException) and UserNotRegisteredForShop; its «Разбор ошибок»
tables are empty, so the numbers are ours (docs/protocol.md, «Card gateway»). One table, read
by the client (:mod:`cashier_app.card_api.errors`) and by the gateway's emulator alike, so the
two can never disagree. Pure data."""

from __future__ import annotations

from collections.abc import Mapping

NEED_3DS = "2365"
USER_NOT_REGISTERED = "2403"
USER_NOT_REGISTERED_NAME = "UserNotRegisteredForShop"

#: errorCode → (the exception's name the gateway sends in ``error``, the cashier's words).
#: Grouped as the seed's «Разбор ошибок» headings; only 2365 and UserNotRegisteredForShop are
#: the seed's, the numbers are ours (docs/protocol.md, «Card gateway»).
ERROR_CODES: Mapping[str, tuple[str, str]] = {
    # Общее
    "1000": ("InternalException", "Внутренняя ошибка шлюза оплаты картой"),
    "1001": ("BadRequestException", "Шлюз оплаты картой не смог разобрать запрос"),
    "1002": ("MethodNotFoundException", "У шлюза оплаты картой нет такого метода"),
    # Ошибки, сигнализирующие о том, что необходимо заново регистрировать карту
    "2101": ("CardNotFoundException", "Сохранённая карта не найдена: привяжите карту заново"),
    "2102": ("CardInactiveException", "Карта отключена: привяжите карту заново"),
    "2103": ("CardExpiredException",
             "Срок действия сохранённой карты истёк: привяжите карту заново"),
    # Ошибки, связанные со сложностями в авторизации
    "2201": ("InvalidTokenException", "Шлюз оплаты картой не принял токен магазина"),
    "2202": ("InvalidCertificateException", "Шлюз оплаты картой не принял сертификат"),
    "2203": ("AccessDeniedException", "Нет доступа к этому методу шлюза оплаты картой"),
    # Не удалось получить список услуг
    "2301": ("ServiceNotFoundException", "Услуга с таким кодом (serviceCode) не найдена в шлюзе"),
    "2302": ("ServiceUnavailableException", "Приём оплаты картой по этой услуге закрыт"),
    # Проблемы со статусом платежа
    NEED_3DS: ("NeedPass3dsException", "Нужно пройти проверку 3-D Secure"),
    "2366": ("Pass3dsFailedException", "Проверка 3-D Secure не пройдена"),
    "2601": ("PaymentNotFoundException", "Платёж с таким номером не найден"),
    "2602": ("RefundNotAllowedException", "Вернуть можно только оплаченный платёж"),
    "2603": ("RefundAmountException", "Сумма возврата больше остатка платежа"),
    "2604": ("RemainingAmountMismatchException",
             "Остаток после возврата не сходится с остатком платежа: возможно, этот возврат "
             "уже проведён"),
    # Сложности с регистрацией
    "2401": ("InvalidLoginException",
             "Логин — номер телефона с кодом страны без «+», например 79020000000"),
    "2402": ("InvalidEmailException", "Неверный адрес электронной почты"),
    USER_NOT_REGISTERED: (USER_NOT_REGISTERED_NAME,
                          "Покупатель с этим номером не зарегистрирован в магазине"),
    "2404": ("UserBlockedException", "Покупатель заблокирован в магазине"),
    # Сложности с активацией
    "2501": ("CardRegistrationFailedException", "Карту не удалось привязать"),
    "2502": ("CardRegistrationExpiredException", "Время на привязку карты истекло"),
    # Трудности в создании платежа
    "2701": ("InvalidAmountException", "Неверная сумма платежа"),
    "2702": ("InvalidCommissionException", "Неверная сумма комиссии"),
    "2703": ("InvalidPropertiesException", "Не переданы реквизиты платежа (properties)"),
    "2704": ("OrderExpiredException", "Срок оплаты заказа (orderBestBefore) уже прошёл"),
    "2705": ("InvalidPayTypeException", "Такой способ оплаты (payType) не поддерживается"),
}

#: The card's response codes (RC) a declined payment carries in ``errorCode`` («Коды ошибок
#: проводки платежа»), and 2366 — declined by the gateway itself at 3-D Secure.
DECLINE_CODES: Mapping[str, str] = {
    "05": "Банк карты отказал в оплате (неверный CVC2 или отказ банка)",
    "14": "Неверный номер карты",
    "51": "Недостаточно средств на карте",
    "54": "Истёк срок действия карты",
    "57": "Банк карты запретил эту операцию",
    "91": "Банк карты недоступен: повторите позже",
    "2366": "Проверка 3-D Secure не пройдена",
}
