"""Every setting of the program, declared once, by section (``processing``, ``paths``,
``point``, ``cashiers``, ``commission``, ``catalog``, ``ui``, ``printer``, ``receipt``, ``sbp``,
``acceptor``, ``kiosk``, ``wallet``, ``card``, ``log``). Keys are ``section.name`` (TOML
tables); each has an environment variable."""

from __future__ import annotations

from typing import Any

from . import checks
from .registry import Setting, declare


def _commission_rules(value: list[Any]) -> list[Any]:
    from cashier_app.core.schemes import commission_rules_from

    return commission_rules_from(value)


def _cashiers(value: list[Any]) -> list[Any]:
    from cashier_app.core.cashiers import cashiers_from

    return cashiers_from(value)


PROCESSING_URL = declare(Setting(
    "processing.url", str, "", "CASHIER_PROCESSING_URL",
    "Адрес процессинга; клиент добавляет /api/v20/<метод>", check=checks.url))
PROCESSING_TOKEN = declare(Setting(
    "processing.token", str, "", "CASHIER_PROCESSING_TOKEN",
    "Токен агента из личного кабинета", secret=True, check=checks.header_value))
PROCESSING_AUTH_SCHEME = declare(Setting(
    "processing.auth_scheme", str, "Bearer", "CASHIER_PROCESSING_AUTH_SCHEME",
    "Схема заголовка Authorization: <схема> <токен>", check=checks.auth_scheme))
PROCESSING_TIMEOUT = declare(Setting(
    "processing.timeout", float, 15.0, "CASHIER_PROCESSING_TIMEOUT",
    "Наибольшее время одного запроса к процессингу целиком (соединение, отправка, весь "
    "ответ), секунд", check=checks.positive))
PROCESSING_MAX_ANSWER_BYTES = declare(Setting(
    "processing.max_answer_bytes", int, 32 * 1024 * 1024, "CASHIER_PROCESSING_MAX_ANSWER_BYTES",
    "Наибольший размер ответа процессинга в байтах (и принятого, и после распаковки gzip); "
    "больший ответ считается отсутствием ответа",
    check=lambda value: None if value >= 65536 else "не меньше 65536"))
PROCESSING_ALLOW_HTTP = declare(Setting(
    "processing.allow_http", bool, False, "CASHIER_PROCESSING_ALLOW_HTTP",
    "Разрешить http:// (без шифрования) для процессинга не на этом компьютере: токен и "
    "платежи пойдут по сети открытым текстом"))
PROCESSING_VERIFY_TLS = declare(Setting(
    "processing.verify_tls", bool, True, "CASHIER_PROCESSING_VERIFY_TLS",
    "Проверять сертификат HTTPS процессинга"))
PROCESSING_CA_BUNDLE = declare(Setting(
    "processing.ca_bundle", str, "", "CASHIER_PROCESSING_CA_BUNDLE",
    "Файл с корневыми сертификатами (PEM), если процессинг использует свой УЦ"))
RETRY_INITIAL = declare(Setting(
    "processing.retry_initial", float, 1.0, "CASHIER_RETRY_INITIAL",
    "Первый интервал повтора нефинального запроса, секунд", check=checks.positive))
RETRY_FACTOR = declare(Setting(
    "processing.retry_factor", float, 2.0, "CASHIER_RETRY_FACTOR",
    "Во сколько раз растёт интервал повтора", check=checks.at_least_one))
RETRY_MAX = declare(Setting(
    "processing.retry_max", float, 60.0, "CASHIER_RETRY_MAX",
    "Наибольший интервал повтора, секунд", check=checks.positive))
DATA_DIR = declare(Setting(
    "paths.data_dir", str, "", "CASHIER_DATA_DIR",
    "Каталог данных: журнал, кэш каталога услуг, логи (по умолчанию — каталог пользователя)"))
POINT_NUMBER = declare(Setting(
    "point.number", int, 1, "CASHIER_POINT_NUMBER",
    "Номер кассы у агента (0-99): входит в agentTransactionId, у двух касс должен различаться",
    check=lambda value: None if 0 <= value <= 99 else "число от 0 до 99"))
POINT_CASHIER = declare(Setting(
    "point.cashier", str, "", "CASHIER_CASHIER",
    "Кассир для платежей из командной строки (в окне кассир входит сам)"))
IDENTITY_FIELDS = declare(Setting(
    "point.identity_fields", bool, False, "CASHIER_IDENTITY_FIELDS",
    "Показывать в форме платежа поля документа и ФИО плательщика (identityCard, fullName)"))
COMMISSION: Setting[list[Any]] = declare(Setting(
    "commission.rules", list, [], "CASHIER_COMMISSION",
    "Правила комиссии: [{service = \"P1011\" или \"*\", percent, minimum, fixed}], "
    "в переменной — JSON", check=checks.commission_problem, convert=_commission_rules))
CASHIERS: Setting[list[Any]] = declare(Setting(
    "cashiers.list", list, [], "CASHIER_CASHIERS",
    "Кассиры окна: [{name = \"Иванова А.\", pin = \"<хэш из cashier-app pin-hash>\"}], "
    "в переменной — JSON", check=checks.cashiers_problem, convert=_cashiers))
CATALOG_REFRESH = declare(Setting(
    "catalog.refresh_minutes", float, 30.0, "CASHIER_CATALOG_REFRESH_MINUTES",
    "Как часто окно обновляет каталог услуг и баланс в фоне, минут", check=checks.positive))
UI_LANGUAGE = declare(Setting(
    "ui.language", str, "ru", "CASHIER_UI_LANGUAGE",
    "Язык окна: ru (исходный) или код языка, для которого есть resources/translations/*.qm"))
PRINTER_KIND = declare(Setting(
    "printer.kind", str, "none", "CASHIER_PRINTER_KIND",
    "Принтер чеков: none (нет), network (TCP 9100), usb, serial, file (файл или устройство)",
    check=checks.printer_kind))
PRINTER_ADDRESS = declare(Setting(
    "printer.address", str, "", "CASHIER_PRINTER_ADDRESS",
    "Адрес принтера: network — 192.168.1.50[:9100]; usb — VID:PID (0416:5011); serial — "
    "/dev/ttyUSB0 или COM3; file — /dev/usb/lp0 или путь к файлу"))
PRINTER_PROFILE = declare(Setting(
    "printer.profile", str, "default", "CASHIER_PRINTER_PROFILE",
    "Профиль принтера python-escpos (TM-T20II, POS-5890, …; список: cashier-app printer "
    "profiles): где у него CP866, сколько символов в строке, умеет ли он QR и отрез"))
PRINTER_CODEPAGE = declare(Setting(
    "printer.codepage", int, -1, "CASHIER_PRINTER_CODEPAGE",
    "Номер кодовой страницы CP866 в принтере (ESC t n); -1 — взять из профиля",
    check=lambda value: None if -1 <= value <= 255 else "число от 0 до 255 или -1"))
PRINTER_COLUMNS = declare(Setting(
    "printer.columns", int, 0, "CASHIER_PRINTER_COLUMNS",
    "Символов в строке: 32 (лента 58 мм), 42 или 48 (80 мм); 0 — взять из профиля",
    check=lambda value: None if value == 0 or 24 <= value <= 64 else "0 или от 24 до 64"))
PRINTER_TIMEOUT = declare(Setting(
    "printer.timeout", float, 5.0, "CASHIER_PRINTER_TIMEOUT",
    "Сколько ждать принтер, секунд", check=checks.positive))
PRINTER_CUT = declare(Setting(
    "printer.cut", bool, True, "CASHIER_PRINTER_CUT",
    "Отрезать чек (если профиль принтера умеет)"))
PRINTER_STATUS_CHECK = declare(Setting(
    "printer.status_check", bool, True, "CASHIER_PRINTER_STATUS_CHECK",
    "Спрашивать у принтера датчик бумаги до и после чека (выключите для принтера, который "
    "не отвечает на DLE EOT)"))
PRINTER_BAUDRATE = declare(Setting(
    "printer.baudrate", int, 9600, "CASHIER_PRINTER_BAUDRATE",
    "Скорость COM-порта (serial)", check=lambda value: None if value > 0 else "нужно число"))
PRINTER_AUTO = declare(Setting(
    "printer.auto_print", bool, True, "CASHIER_PRINTER_AUTO_PRINT",
    "Печатать чек сразу после оплаты (проведён или в обработке)"))
RECEIPT_AGENT_NAME = declare(Setting(
    "receipt.agent_name", str, "", "CASHIER_RECEIPT_AGENT_NAME",
    "Наименование агента на чеке (ООО «…»)"))
RECEIPT_AGENT_INN = declare(Setting(
    "receipt.agent_inn", str, "", "CASHIER_RECEIPT_AGENT_INN", "ИНН агента на чеке",
    check=lambda value: None if value == "" or (value.isdigit() and len(value) in (10, 12))
    else "ИНН — 10 или 12 цифр"))
RECEIPT_AGENT_ADDRESS = declare(Setting(
    "receipt.agent_address", str, "", "CASHIER_RECEIPT_AGENT_ADDRESS", "Адрес агента на чеке"))
RECEIPT_POINT_ADDRESS = declare(Setting(
    "receipt.point_address", str, "", "CASHIER_RECEIPT_POINT_ADDRESS",
    "Адрес пункта приёма платежей на чеке"))
RECEIPT_SUPPORT_PHONE = declare(Setting(
    "receipt.support_phone", str, "", "CASHIER_RECEIPT_SUPPORT_PHONE",
    "Телефон службы поддержки на чеке"))
RECEIPT_HEADER: Setting[list[Any]] = declare(Setting(
    "receipt.header", list, [], "CASHIER_RECEIPT_HEADER",
    "Строки в начале чека, в переменной — JSON", check=checks.text_lines))
RECEIPT_FOOTER: Setting[list[Any]] = declare(Setting(
    "receipt.footer", list, [], "CASHIER_RECEIPT_FOOTER",
    "Строки в конце чека, в переменной — JSON", check=checks.text_lines))
RECEIPT_QR = declare(Setting(
    "receipt.qr", str, "", "CASHIER_RECEIPT_QR",
    "QR-код на чеке: шаблон текста с {transaction_id}, {agent_transaction_id}, {amount}, "
    "{service_id} (например https://example.ru/check?id={transaction_id}); пусто — без QR"))
SBP_ENABLED = declare(Setting(
    "sbp.enabled", bool, False, "CASHIER_SBP_ENABLED",
    "Принимать оплату по QR СБП (нужен договор с процессингом)"))
SBP_MODE = declare(Setting(
    "sbp.mode", str, "qr", "CASHIER_SBP_MODE",
    "qr — новый QR-код на каждый платёж; cash_link — кассовая ссылка: один QR кассы, "
    "активируемый суммой платежа",
    check=lambda value: None if value in ("qr", "cash_link") else "qr или cash_link"))
SBP_LIFETIME = declare(Setting(
    "sbp.lifetime", int, 300, "CASHIER_SBP_LIFETIME",
    "Сколько секунд QR-код можно оплатить",
    check=lambda value: None if 30 <= value <= 86400 else "от 30 до 86400 секунд"))
SBP_POLL = declare(Setting(
    "sbp.poll_interval", float, 2.0, "CASHIER_SBP_POLL_INTERVAL",
    "Как часто спрашивать статус оплаты QR-кода, секунд",
    check=lambda value: None if 0.5 <= value <= 30 else "от 0.5 до 30 секунд"))
SBP_CREATE_PATH = declare(Setting(
    "sbp.create_path", str, "qr-code/create", "CASHIER_SBP_CREATE_PATH",
    "Метод создания QR-кода (без / в начале — под /api/v20/)"))
SBP_STATUS_PATH = declare(Setting(
    "sbp.status_path", str, "qr-code/checkstatus", "CASHIER_SBP_STATUS_PATH",
    "Метод статуса оплаты по QR-коду"))
SBP_LINK_REGISTER_PATH = declare(Setting(
    "sbp.link_register_path", str, "cash-link/register", "CASHIER_SBP_LINK_REGISTER_PATH",
    "Метод регистрации кассовой ссылки"))
SBP_LINK_ACTIVATE_PATH = declare(Setting(
    "sbp.link_activate_path", str, "cash-link/activate", "CASHIER_SBP_LINK_ACTIVATE_PATH",
    "Метод активации кассовой ссылки суммой платежа"))
SBP_LINK_DEACTIVATE_PATH = declare(Setting(
    "sbp.link_deactivate_path", str, "cash-link/deactivate",
    "CASHIER_SBP_LINK_DEACTIVATE_PATH", "Метод деактивации кассовой ссылки"))
SBP_FIELD_NAMES: Setting[list[Any]] = declare(Setting(
    "sbp.field_names", list, [], "CASHIER_SBP_FIELD_NAMES",
    "Другие имена полей QR-методов у процессинга: [\"qrId=qrcId\", …], в переменной — JSON",
    check=checks.pairs_problem))
SBP_STATUS_NAMES: Setting[list[Any]] = declare(Setting(
    "sbp.status_names", list, [], "CASHIER_SBP_STATUS_NAMES",
    "Другие слова статусов: [\"PAID=ACWP\", \"CREATED=NTST\"], в переменной — JSON",
    check=checks.pairs_problem))
SBP_CUSTOMER_DISPLAY = declare(Setting(
    "sbp.customer_display", str, "off", "CASHIER_SBP_CUSTOMER_DISPLAY",
    "Экран покупателя с QR-кодом: off, window (отдельное окно) или screen:N (во весь экран N)",
    check=checks.customer_display))
ACCEPTOR_PORT = declare(Setting(
    "acceptor.port", str, "", "CASHIER_ACCEPTOR_PORT",
    "Порт купюроприёмника CCNET (CashCode и совместимые): COM3, /dev/ttyUSB0; пусто — нет"))
ACCEPTOR_POLL_INTERVAL = declare(Setting(
    "acceptor.poll_interval", float, 0.15, "CASHIER_ACCEPTOR_POLL_INTERVAL",
    "Интервал опроса купюроприёмника, секунд (CCNET: 0,1–0,2)",
    check=lambda value: None if 0.05 <= value <= 1 else "от 0.05 до 1"))
KIOSK_ENABLED = declare(Setting(
    "kiosk.enabled", bool, False, "CASHIER_KIOSK_ENABLED",
    "Режим терминала самообслуживания (то же, что --kiosk)"))
KIOSK_TERMINAL = declare(Setting(
    "kiosk.terminal", str, "", "CASHIER_KIOSK_TERMINAL",
    "Номер терминала на экране и в чеке; пусто — номер точки (point.number)"))
KIOSK_SUPPORT_PHONE = declare(Setting(
    "kiosk.support_phone", str, "", "CASHIER_KIOSK_SUPPORT_PHONE",
    "Телефон поддержки на экране «Терминал не работает» и в чеке"))
KIOSK_IDLE = declare(Setting(
    "kiosk.idle_seconds", float, 60.0, "CASHIER_KIOSK_IDLE_SECONDS",
    "Без касаний столько секунд — «Вы ещё здесь?»",
    check=lambda value: None if 10 <= value <= 3600 else "от 10 до 3600"))
KIOSK_COUNTDOWN = declare(Setting(
    "kiosk.countdown_seconds", float, 15.0, "CASHIER_KIOSK_COUNTDOWN_SECONDS",
    "Сколько секунд показывать «Вы ещё здесь?» до возврата на главный экран",
    check=lambda value: None if 3 <= value <= 300 else "от 3 до 300"))
KIOSK_CASH_IDLE = declare(Setting(
    "kiosk.cash_idle_seconds", float, 180.0, "CASHIER_KIOSK_CASH_IDLE_SECONDS",
    "С внесёнными деньгами: без касаний и купюр столько секунд — «Вы ещё здесь?», затем "
    "ваучер на внесённое", check=lambda value: None if 30 <= value <= 3600 else "от 30 до 3600"))
KIOSK_SLIDESHOW = declare(Setting(
    "kiosk.slideshow", str, "", "CASHIER_KIOSK_SLIDESHOW",
    "Папка картинок (PNG, JPG) для показа без посетителей; пусто — нет"))
KIOSK_SLIDESHOW_AFTER = declare(Setting(
    "kiosk.slideshow_after", float, 120.0, "CASHIER_KIOSK_SLIDESHOW_AFTER",
    "Через сколько секунд без касаний на главном экране начать показ картинок",
    check=lambda value: None if 10 <= value <= 3600 else "от 10 до 3600"))
KIOSK_PAPER_OUT = declare(Setting(
    "kiosk.paper_out", str, "refuse", "CASHIER_KIOSK_PAPER_OUT",
    "Нет бумаги или принтер не работает: refuse — терминал не работает; screen — чек на "
    "экране с QR", check=lambda value: None if value in ("refuse", "screen")
    else "refuse или screen"))
KIOSK_OFFLINE_MINUTES = declare(Setting(
    "kiosk.offline_minutes", float, 5.0, "CASHIER_KIOSK_OFFLINE_MINUTES",
    "Процессинг недоступен столько минут — «Терминал не работает»",
    check=lambda value: None if 0.1 <= value <= 1440 else "от 0.1 до 1440"))
KIOSK_POPULAR: Setting[list[Any]] = declare(Setting(
    "kiosk.popular", list, [], "CASHIER_KIOSK_POPULAR",
    "Коды услуг для плиток «Популярное» на главном экране: [\"P1011\", \"P1012\"]"))
KIOSK_RESULT_SECONDS = declare(Setting(
    "kiosk.result_seconds", float, 10.0, "CASHIER_KIOSK_RESULT_SECONDS",
    "Сколько секунд показывать итог платежа («Заберите чек») до главного экрана",
    check=lambda value: None if 2 <= value <= 120 else "от 2 до 120"))
KIOSK_SAVED_CARDS = declare(Setting(
    "kiosk.saved_cards", bool, False, "CASHIER_KIOSK_SAVED_CARDS",
    "Оплата сохранённой картой на терминале: карта находится по номеру телефона, а кто стоит "
    "у терминала, он не знает — включайте, только если шлюз подтверждает такие платежи "
    "(3-D Secure, SMS)"))
WALLET_URL = declare(Setting(
    "wallet.url", str, "", "CASHIER_WALLET_URL",
    "Адрес сервиса электронных кошельков «ВсеПлатежи» (тестовый: "
    "https://wallet.dev.vseplatezhi.ru); пусто — кошельков на этой кассе нет",
    check=checks.url))
WALLET_CLIENT_ID = declare(Setting(
    "wallet.client_id", str, "", "CASHIER_WALLET_CLIENT_ID",
    "clientId партнёра (выдаётся при интеграции)", check=checks.header_value))
WALLET_CLIENT_SECRET = declare(Setting(
    "wallet.client_secret", str, "", "CASHIER_WALLET_CLIENT_SECRET",
    "clientSecret партнёра", secret=True))
WALLET_PARTNER_ID = declare(Setting(
    "wallet.partner_id", str, "", "CASHIER_WALLET_PARTNER_ID",
    "Идентификатор партнёра", check=checks.header_value))
WALLET_TOKEN_PATH = declare(Setting(
    "wallet.token_path", str, "/oauth/token", "CASHIER_WALLET_TOKEN_PATH",
    "Путь получения токенов OAuth2 у сервиса кошельков",
    check=lambda value: None if value.startswith("/") else "путь, начинающийся с /"))
WALLET_TIMEOUT = declare(Setting(
    "wallet.timeout", float, 15.0, "CASHIER_WALLET_TIMEOUT",
    "Наибольшее время одного запроса к сервису кошельков, секунд", check=checks.positive))
WALLET_REFILL_MINUTES = declare(Setting(
    "wallet.refill_minutes", float, 10.0, "CASHIER_WALLET_REFILL_MINUTES",
    "Сколько минут действует ссылка СБП на пополнение кошелька: неподтверждённое за это "
    "время пополнение не состоялось",
    check=lambda value: None if 1 <= value <= 1440 else "от 1 до 1440"))
WALLET_RECONCILE_MINUTES = declare(Setting(
    "wallet.reconcile_minutes", float, 5.0, "CASHIER_WALLET_RECONCILE_MINUTES",
    "Ответ на вывод средств потерян: сколько минут искать операцию в отчёте кошелька, "
    "прежде чем просить решения старшего кассира",
    check=lambda value: None if 0.1 <= value <= 1440 else "от 0.1 до 1440"))
WALLET_CASH_SERVICE = declare(Setting(
    "wallet.cash_service", str, "", "CASHIER_WALLET_CASH_SERVICE",
    "Код услуги процессинга «пополнение кошелька» для пополнения наличными с карточки "
    "кошелька (номер телефона кошелька — лицевой счёт); пусто — кнопки нет"))
CARD_URL = declare(Setting(
    "card.url", str, "", "CASHIER_CARD_URL",
    "Адрес платёжного шлюза для оплаты картой по ссылке; пусто — оплаты картой нет",
    check=checks.url))
CARD_TOKEN = declare(Setting(
    "card.token", str, "", "CASHIER_CARD_TOKEN",
    "Токен магазина у платёжного шлюза", secret=True, check=checks.header_value))
CARD_CERT = declare(Setting(
    "card.cert", str, "", "CASHIER_CARD_CERT",
    "Файл клиентского сертификата шлюза (PEM: сертификат и ключ); пусто — без сертификата"))
CARD_SERVICE_MAP: Setting[dict[str, str]] = declare(Setting(
    "card.service_map", dict, {}, "CASHIER_CARD_SERVICE_MAP",
    "Код услуги шлюза (serviceCode) для каждой нашей услуги: { P1011 = \"109-5804-1\" }, "
    "\"*\" — для остальных; в переменной — JSON-объект"))
CARD_PATHS: Setting[dict[str, str]] = declare(Setting(
    "card.paths", dict, {}, "CASHIER_CARD_PATHS",
    "Другие пути методов шлюза (anonymous, status, refund, recurrent, user_register, "
    "user_status, card_register, card_list, card_deactivate); в переменной — JSON-объект"))
CARD_LIFETIME = declare(Setting(
    "card.lifetime", int, 900, "CASHIER_CARD_LIFETIME",
    "Сколько секунд можно оплатить ссылку (orderBestBefore)",
    check=lambda value: None if 60 <= value <= 86400 else "от 60 до 86400 секунд"))
CARD_POLL = declare(Setting(
    "card.poll_interval", float, 2.0, "CASHIER_CARD_POLL_INTERVAL",
    "Как часто спрашивать статус оплаты картой, секунд",
    check=lambda value: None if 0.5 <= value <= 30 else "от 0.5 до 30 секунд"))
LOG_LEVEL = declare(Setting(
    "log.level", str, "INFO", "CASHIER_LOG_LEVEL",
    "Подробность лога: DEBUG, INFO, WARNING, ERROR", check=checks.log_level))
