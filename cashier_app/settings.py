"""One typed settings registry: declared once here, read from a TOML file, overridable by
environment variables.

The file is ``config.toml`` in the user config directory (platformdirs), or the path in
``CASHIER_CONFIG``. Keys are ``section.name`` (TOML tables). Precedence: environment variable,
then the file, then the default. A file that cannot be read, an unknown key or a value of the
wrong type is a :class:`ConfigError` whose message names the file and the key.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import stat
import tomllib
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import platformdirs

APP_NAME = "cashier-app"
CONFIG_ENV = "CASHIER_CONFIG"
T = TypeVar("T")


class ConfigError(Exception):
    """A configuration problem; ``str()`` is a Russian message naming the file and key."""


@dataclass(frozen=True, eq=False)  # identity: a setting is a key of override mappings
class Setting(Generic[T]):
    key: str
    kind: type
    default: T
    env: str
    description: str
    secret: bool = False
    check: Callable[[T], str | None] | None = None  # returns a problem or None


REGISTRY: dict[str, Setting[Any]] = {}


def _declare(setting: Setting[T]) -> Setting[T]:
    if setting.key in REGISTRY:
        raise RuntimeError(f"setting {setting.key} declared twice")
    if any(other.env == setting.env for other in REGISTRY.values()):
        raise RuntimeError(f"environment variable {setting.env} used twice")
    REGISTRY[setting.key] = setting
    return setting


def _positive(value: float) -> str | None:
    return None if value > 0 and math.isfinite(value) else "нужно положительное число"


def _at_least_one(value: float) -> str | None:
    return None if value >= 1 and math.isfinite(value) else "нужно число не меньше 1"


def _url(value: str) -> str | None:
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        return "адрес должен начинаться с http:// или https://"
    try:
        host = urllib.parse.urlsplit(value).hostname
    except ValueError:
        host = None
    return None if host else "в адресе нет имени или IP-адреса процессинга"


def is_loopback_url(url: str) -> bool:
    """True for a URL whose host is this machine (127.0.0.0/8, ::1, localhost)."""
    try:
        host = urllib.parse.urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host.rstrip(".").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _header_value(value: str) -> str | None:
    # Never echoes the value: this is the token.
    if all("\x21" <= ch <= "\x7e" for ch in value):
        return None
    return "processing.token содержит недопустимые символы (пробел, перевод строки, не-ASCII)"


def _auth_scheme(value: str) -> str | None:
    if value == "" or (value.isascii() and value.isalpha()):
        return None
    return "processing.auth_scheme — только латинские буквы (например, Bearer)"


def _commission_problem(value: list[Any]) -> str | None:
    from cashier_app.core.schemes import commission_rules_from

    if not all(isinstance(item, dict) for item in value):
        return "нужен список таблиц [[commission.rules]]"
    try:
        commission_rules_from(value)
    except ValueError as error:
        return str(error)
    return None


def _cashiers_problem(value: list[Any]) -> str | None:
    from cashier_app.core.cashiers import cashiers_from

    if not all(isinstance(item, dict) for item in value):
        return "нужен список таблиц [[cashiers.list]] с name и pin"
    try:
        cashiers_from(value)
    except ValueError as error:
        return str(error)
    return None


def _log_level(value: str) -> str | None:
    levels = ("DEBUG", "INFO", "WARNING", "ERROR")
    return None if value.upper() in levels else f"одно из: {', '.join(levels)}"


PROCESSING_URL = _declare(Setting(
    "processing.url", str, "", "CASHIER_PROCESSING_URL",
    "Адрес процессинга; клиент добавляет /api/v20/<метод>", check=_url))
PROCESSING_TOKEN = _declare(Setting(
    "processing.token", str, "", "CASHIER_PROCESSING_TOKEN",
    "Токен агента из личного кабинета", secret=True, check=_header_value))
PROCESSING_AUTH_SCHEME = _declare(Setting(
    "processing.auth_scheme", str, "Bearer", "CASHIER_PROCESSING_AUTH_SCHEME",
    "Схема заголовка Authorization: <схема> <токен>", check=_auth_scheme))
PROCESSING_TIMEOUT = _declare(Setting(
    "processing.timeout", float, 15.0, "CASHIER_PROCESSING_TIMEOUT",
    "Наибольшее время одного запроса к процессингу целиком (соединение, отправка, весь "
    "ответ), секунд", check=_positive))
PROCESSING_MAX_ANSWER_BYTES = _declare(Setting(
    "processing.max_answer_bytes", int, 32 * 1024 * 1024, "CASHIER_PROCESSING_MAX_ANSWER_BYTES",
    "Наибольший размер ответа процессинга в байтах (и принятого, и после распаковки gzip); "
    "больший ответ считается отсутствием ответа",
    check=lambda value: None if value >= 65536 else "не меньше 65536"))
PROCESSING_ALLOW_HTTP = _declare(Setting(
    "processing.allow_http", bool, False, "CASHIER_PROCESSING_ALLOW_HTTP",
    "Разрешить http:// (без шифрования) для процессинга не на этом компьютере: токен и "
    "платежи пойдут по сети открытым текстом"))
PROCESSING_VERIFY_TLS = _declare(Setting(
    "processing.verify_tls", bool, True, "CASHIER_PROCESSING_VERIFY_TLS",
    "Проверять сертификат HTTPS процессинга"))
PROCESSING_CA_BUNDLE = _declare(Setting(
    "processing.ca_bundle", str, "", "CASHIER_PROCESSING_CA_BUNDLE",
    "Файл с корневыми сертификатами (PEM), если процессинг использует свой УЦ"))
RETRY_INITIAL = _declare(Setting(
    "processing.retry_initial", float, 1.0, "CASHIER_RETRY_INITIAL",
    "Первый интервал повтора нефинального запроса, секунд", check=_positive))
RETRY_FACTOR = _declare(Setting(
    "processing.retry_factor", float, 2.0, "CASHIER_RETRY_FACTOR",
    "Во сколько раз растёт интервал повтора", check=_at_least_one))
RETRY_MAX = _declare(Setting(
    "processing.retry_max", float, 60.0, "CASHIER_RETRY_MAX",
    "Наибольший интервал повтора, секунд", check=_positive))
DATA_DIR = _declare(Setting(
    "paths.data_dir", str, "", "CASHIER_DATA_DIR",
    "Каталог данных: журнал, кэш каталога услуг, логи (по умолчанию — каталог пользователя)"))
POINT_NUMBER = _declare(Setting(
    "point.number", int, 1, "CASHIER_POINT_NUMBER",
    "Номер кассы у агента (0-99): входит в agentTransactionId, у двух касс должен различаться",
    check=lambda value: None if 0 <= value <= 99 else "число от 0 до 99"))
POINT_CASHIER = _declare(Setting(
    "point.cashier", str, "", "CASHIER_CASHIER",
    "Кассир для платежей из командной строки (в окне кассир входит сам)"))
IDENTITY_FIELDS = _declare(Setting(
    "point.identity_fields", bool, False, "CASHIER_IDENTITY_FIELDS",
    "Показывать в форме платежа поля документа и ФИО плательщика (identityCard, fullName)"))
COMMISSION: Setting[list[Any]] = _declare(Setting(
    "commission.rules", list, [], "CASHIER_COMMISSION",
    "Правила комиссии: [{service = \"P1011\" или \"*\", percent, minimum, fixed}], "
    "в переменной — JSON", check=lambda value: _commission_problem(value)))
CASHIERS: Setting[list[Any]] = _declare(Setting(
    "cashiers.list", list, [], "CASHIER_CASHIERS",
    "Кассиры окна: [{name = \"Иванова А.\", pin = \"<хэш из cashier-app pin-hash>\"}], "
    "в переменной — JSON", check=lambda value: _cashiers_problem(value)))
CATALOG_REFRESH = _declare(Setting(
    "catalog.refresh_minutes", float, 30.0, "CASHIER_CATALOG_REFRESH_MINUTES",
    "Как часто окно обновляет каталог услуг и баланс в фоне, минут", check=_positive))
UI_LANGUAGE = _declare(Setting(
    "ui.language", str, "ru", "CASHIER_UI_LANGUAGE",
    "Язык окна: ru (исходный) или код языка, для которого есть resources/translations/*.qm"))
def _printer_kind(value: str) -> str | None:
    kinds = ("none", "network", "usb", "serial", "file")
    return None if value in kinds else f"одно из: {', '.join(kinds)}"


def _text_lines(value: list[Any]) -> str | None:
    return None if all(isinstance(item, str) for item in value) else "нужен список строк"


PRINTER_KIND = _declare(Setting(
    "printer.kind", str, "none", "CASHIER_PRINTER_KIND",
    "Принтер чеков: none (нет), network (TCP 9100), usb, serial, file (файл или устройство)",
    check=_printer_kind))
PRINTER_ADDRESS = _declare(Setting(
    "printer.address", str, "", "CASHIER_PRINTER_ADDRESS",
    "Адрес принтера: network — 192.168.1.50[:9100]; usb — VID:PID (0416:5011); serial — "
    "/dev/ttyUSB0 или COM3; file — /dev/usb/lp0 или путь к файлу"))
PRINTER_PROFILE = _declare(Setting(
    "printer.profile", str, "default", "CASHIER_PRINTER_PROFILE",
    "Профиль принтера python-escpos (TM-T20II, POS-5890, …; список: cashier-app printer "
    "profiles): где у него CP866, сколько символов в строке, умеет ли он QR и отрез"))
PRINTER_CODEPAGE = _declare(Setting(
    "printer.codepage", int, -1, "CASHIER_PRINTER_CODEPAGE",
    "Номер кодовой страницы CP866 в принтере (ESC t n); -1 — взять из профиля",
    check=lambda value: None if -1 <= value <= 255 else "число от 0 до 255 или -1"))
PRINTER_COLUMNS = _declare(Setting(
    "printer.columns", int, 0, "CASHIER_PRINTER_COLUMNS",
    "Символов в строке: 32 (лента 58 мм), 42 или 48 (80 мм); 0 — взять из профиля",
    check=lambda value: None if value == 0 or 24 <= value <= 64 else "0 или от 24 до 64"))
PRINTER_TIMEOUT = _declare(Setting(
    "printer.timeout", float, 5.0, "CASHIER_PRINTER_TIMEOUT",
    "Сколько ждать принтер, секунд", check=_positive))
PRINTER_CUT = _declare(Setting(
    "printer.cut", bool, True, "CASHIER_PRINTER_CUT",
    "Отрезать чек (если профиль принтера умеет)"))
PRINTER_STATUS_CHECK = _declare(Setting(
    "printer.status_check", bool, True, "CASHIER_PRINTER_STATUS_CHECK",
    "Спрашивать у принтера датчик бумаги до и после чека (выключите для принтера, который "
    "не отвечает на DLE EOT)"))
PRINTER_BAUDRATE = _declare(Setting(
    "printer.baudrate", int, 9600, "CASHIER_PRINTER_BAUDRATE",
    "Скорость COM-порта (serial)", check=lambda value: None if value > 0 else "нужно число"))
PRINTER_AUTO = _declare(Setting(
    "printer.auto_print", bool, True, "CASHIER_PRINTER_AUTO_PRINT",
    "Печатать чек сразу после оплаты (проведён или в обработке)"))
RECEIPT_AGENT_NAME = _declare(Setting(
    "receipt.agent_name", str, "", "CASHIER_RECEIPT_AGENT_NAME",
    "Наименование агента на чеке (ООО «…»)"))
RECEIPT_AGENT_INN = _declare(Setting(
    "receipt.agent_inn", str, "", "CASHIER_RECEIPT_AGENT_INN", "ИНН агента на чеке",
    check=lambda value: None if value == "" or (value.isdigit() and len(value) in (10, 12))
    else "ИНН — 10 или 12 цифр"))
RECEIPT_AGENT_ADDRESS = _declare(Setting(
    "receipt.agent_address", str, "", "CASHIER_RECEIPT_AGENT_ADDRESS", "Адрес агента на чеке"))
RECEIPT_POINT_ADDRESS = _declare(Setting(
    "receipt.point_address", str, "", "CASHIER_RECEIPT_POINT_ADDRESS",
    "Адрес пункта приёма платежей на чеке"))
RECEIPT_SUPPORT_PHONE = _declare(Setting(
    "receipt.support_phone", str, "", "CASHIER_RECEIPT_SUPPORT_PHONE",
    "Телефон службы поддержки на чеке"))
RECEIPT_HEADER: Setting[list[Any]] = _declare(Setting(
    "receipt.header", list, [], "CASHIER_RECEIPT_HEADER",
    "Строки в начале чека, в переменной — JSON", check=_text_lines))
RECEIPT_FOOTER: Setting[list[Any]] = _declare(Setting(
    "receipt.footer", list, [], "CASHIER_RECEIPT_FOOTER",
    "Строки в конце чека, в переменной — JSON", check=_text_lines))
RECEIPT_QR = _declare(Setting(
    "receipt.qr", str, "", "CASHIER_RECEIPT_QR",
    "QR-код на чеке: шаблон текста с {transaction_id}, {agent_transaction_id}, {amount}, "
    "{service_id} (например https://example.ru/check?id={transaction_id}); пусто — без QR"))
def _pairs_problem(value: list[Any]) -> str | None:
    if not all(isinstance(item, str) and "=" in item for item in value):
        return "нужен список строк «наше=их»"
    return None


def _customer_display(value: str) -> str | None:
    if value in ("off", "window") or (value.startswith("screen:")
                                      and value[len("screen:"):].isdigit()):
        return None
    return "off, window или screen:N (N — номер экрана, с 1)"


SBP_ENABLED = _declare(Setting(
    "sbp.enabled", bool, False, "CASHIER_SBP_ENABLED",
    "Принимать оплату по QR СБП (нужен договор с процессингом)"))
SBP_MODE = _declare(Setting(
    "sbp.mode", str, "qr", "CASHIER_SBP_MODE",
    "qr — новый QR-код на каждый платёж; cash_link — кассовая ссылка: один QR кассы, "
    "активируемый суммой платежа",
    check=lambda value: None if value in ("qr", "cash_link") else "qr или cash_link"))
SBP_LIFETIME = _declare(Setting(
    "sbp.lifetime", int, 300, "CASHIER_SBP_LIFETIME",
    "Сколько секунд QR-код можно оплатить",
    check=lambda value: None if 30 <= value <= 86400 else "от 30 до 86400 секунд"))
SBP_POLL = _declare(Setting(
    "sbp.poll_interval", float, 2.0, "CASHIER_SBP_POLL_INTERVAL",
    "Как часто спрашивать статус оплаты QR-кода, секунд",
    check=lambda value: None if 0.5 <= value <= 30 else "от 0.5 до 30 секунд"))
SBP_CREATE_PATH = _declare(Setting(
    "sbp.create_path", str, "qr-code/create", "CASHIER_SBP_CREATE_PATH",
    "Метод создания QR-кода (без / в начале — под /api/v20/)"))
SBP_STATUS_PATH = _declare(Setting(
    "sbp.status_path", str, "qr-code/checkstatus", "CASHIER_SBP_STATUS_PATH",
    "Метод статуса оплаты по QR-коду"))
SBP_LINK_REGISTER_PATH = _declare(Setting(
    "sbp.link_register_path", str, "cash-link/register", "CASHIER_SBP_LINK_REGISTER_PATH",
    "Метод регистрации кассовой ссылки"))
SBP_LINK_ACTIVATE_PATH = _declare(Setting(
    "sbp.link_activate_path", str, "cash-link/activate", "CASHIER_SBP_LINK_ACTIVATE_PATH",
    "Метод активации кассовой ссылки суммой платежа"))
SBP_LINK_DEACTIVATE_PATH = _declare(Setting(
    "sbp.link_deactivate_path", str, "cash-link/deactivate",
    "CASHIER_SBP_LINK_DEACTIVATE_PATH", "Метод деактивации кассовой ссылки"))
SBP_FIELD_NAMES: Setting[list[Any]] = _declare(Setting(
    "sbp.field_names", list, [], "CASHIER_SBP_FIELD_NAMES",
    "Другие имена полей QR-методов у процессинга: [\"qrId=qrcId\", …], в переменной — JSON",
    check=_pairs_problem))
SBP_STATUS_NAMES: Setting[list[Any]] = _declare(Setting(
    "sbp.status_names", list, [], "CASHIER_SBP_STATUS_NAMES",
    "Другие слова статусов: [\"PAID=ACWP\", \"CREATED=NTST\"], в переменной — JSON",
    check=_pairs_problem))
SBP_CUSTOMER_DISPLAY = _declare(Setting(
    "sbp.customer_display", str, "off", "CASHIER_SBP_CUSTOMER_DISPLAY",
    "Экран покупателя с QR-кодом: off, window (отдельное окно) или screen:N (во весь экран N)",
    check=_customer_display))
LOG_LEVEL = _declare(Setting(
    "log.level", str, "INFO", "CASHIER_LOG_LEVEL",
    "Подробность лога: DEBUG, INFO, WARNING, ERROR", check=_log_level))


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


_TRUE = {"1", "true", "yes", "on", "да"}
_FALSE = {"0", "false", "no", "off", "нет"}


def _coerce(setting: Setting[Any], value: object, *, from_env: bool) -> Any:
    kind = setting.kind
    if kind is bool:
        if isinstance(value, bool):
            return value
        if from_env and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError("нужно true или false")
    if kind is float:
        if isinstance(value, bool):
            raise ValueError("нужно число")
        if isinstance(value, int | float):
            return float(value)
        if from_env and isinstance(value, str):
            try:
                return float(value.strip().replace(",", "."))
            except ValueError:
                raise ValueError("нужно число") from None
        raise ValueError("нужно число")
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if from_env and isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        raise ValueError("нужно целое число")
    if kind is list:
        if from_env and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValueError("нужен JSON-список") from None
        if isinstance(value, list):
            return value
        raise ValueError("нужен список")
    if kind is str:
        if isinstance(value, str):
            return value.strip()
        raise ValueError("нужна строка в кавычках")
    raise RuntimeError(f"unsupported setting type {kind}")


class Settings:
    """The resolved values. Read with ``settings[SETTING]`` or the named properties."""

    def __init__(self, values: Mapping[str, Any], sources: Mapping[str, str],
                 config_path: Path, warnings: list[str] | None = None) -> None:
        self._values = dict(values)
        self._sources = dict(sources)
        self.config_path = config_path
        self._warnings = list(warnings or [])

    @classmethod
    def load(cls, config_path: Path | None = None,
             env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        path = config_path or default_config_path(env)
        file_values = _read_file(path)
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for key, setting in REGISTRY.items():
            if setting.env in env and env[setting.env] != "":
                raw: object = env[setting.env]
                where = f"переменная окружения {setting.env}"
                from_env = True
            elif key in file_values:
                raw = file_values[key]
                where = f"файл {path}, ключ {key}"
                from_env = False
            else:
                values[key] = setting.default
                sources[key] = "default"
                continue
            try:
                value = _coerce(setting, raw, from_env=from_env)
            except ValueError as error:
                raise ConfigError(f"Настройки: {where}: {error}") from None
            problem = setting.check(value) if setting.check else None
            if problem:
                raise ConfigError(f"Настройки: {where}: {problem}")
            values[key] = value
            sources[key] = where
        problem = _http_problem(values[PROCESSING_URL.key], values[PROCESSING_ALLOW_HTTP.key])
        if problem:
            raise ConfigError(f"Настройки: {sources[PROCESSING_URL.key]}: {problem}")
        warnings = _file_warnings(path, file_values)
        if values[PROCESSING_ALLOW_HTTP.key] and values[PROCESSING_URL.key].startswith(
                "http://") and not is_loopback_url(values[PROCESSING_URL.key]):
            warnings.append("Внимание: processing.allow_http включён — токен и платежи идут "
                            "к процессингу по сети без шифрования")
        return cls(values, sources, path, warnings)

    def with_overrides(self, overrides: Mapping[Setting[Any], Any]) -> Settings:
        values = dict(self._values)
        sources = dict(self._sources)
        for setting, value in overrides.items():
            values[setting.key] = value
            sources[setting.key] = "override"
        return Settings(values, sources, self.config_path, self._warnings)

    def warnings(self) -> list[str]:
        """Russian lines about settings that work but should be fixed (a token in a file
        others can read, unencrypted HTTP allowed): show them at start, do not stop."""
        return list(self._warnings)

    def __getitem__(self, setting: Setting[T]) -> T:
        return cast(T, self._values[setting.key])

    def source(self, setting: Setting[Any]) -> str:
        return self._sources[setting.key]

    @property
    def commission_rules(self) -> list[Any]:
        from cashier_app.core.schemes import commission_rules_from

        rules: list[Any] = self[COMMISSION]
        return commission_rules_from(rules)

    @property
    def cashiers(self) -> list[Any]:
        from cashier_app.core.cashiers import cashiers_from

        raw: list[Any] = self[CASHIERS]
        return cashiers_from(raw)

    @property
    def data_dir(self) -> Path:
        configured = self[DATA_DIR]
        return Path(configured).expanduser() if configured else default_data_dir()

    def require_processing(self) -> None:
        """Raise a clear ConfigError when the program cannot talk to a processing center."""
        if not self[PROCESSING_URL]:
            raise ConfigError(
                f"Не задан адрес процессинга: укажите ключ processing.url в файле "
                f"{self.config_path} или переменную окружения {PROCESSING_URL.env} "
                f"(или запустите cashier-app --demo)"
            )
        problem = _http_problem(self[PROCESSING_URL], self[PROCESSING_ALLOW_HTTP])
        if problem:  # overrides are checked here, the file and environment at load
            raise ConfigError(f"Настройки: {self.source(PROCESSING_URL)}: {problem}")

    def describe(self) -> list[tuple[str, str, str]]:
        """``(key, value, source)`` rows for diagnostics; secrets masked."""
        rows = []
        for key, setting in REGISTRY.items():
            value = self._values[key]
            shown = ("***" if value else "") if setting.secret else str(value)
            rows.append((key, shown, self._sources[key]))
        return rows


def _http_problem(url: str, allowed: bool) -> str | None:
    """Plain HTTP to another machine carries the token and every payment readable (and
    changeable) by anyone on the way: refused unless asked for by name."""
    if allowed or not url.startswith("http://") or is_loopback_url(url):
        return None
    return ("processing.url начинается с http:// — токен и платежи пошли бы по сети без "
            "шифрования; укажите https:// (или, если сеть защищена иначе, "
            "processing.allow_http = true)")


def _file_warnings(path: Path, file_values: Mapping[str, Any]) -> list[str]:
    if os.name != "posix" or not file_values.get(PROCESSING_TOKEN.key):
        return []
    try:
        mode = path.stat().st_mode
    except OSError:
        return []
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return []
    return [f"Внимание: файл настроек {path} с токеном процессинга доступен другим "
            f"пользователям (права {stat.filemode(mode)}); выполните: chmod 600 {path}"]


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"Файл настроек {path} повреждён: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Файл настроек {path} не читается: {error}") from None
    flat: dict[str, Any] = {}
    for section, table in document.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"Файл настроек {path}: ключ {section} должен быть разделом [{section}]"
            )
        for name, value in table.items():
            key = f"{section}.{name}"
            if key not in REGISTRY:
                raise ConfigError(f"Файл настроек {path}: неизвестный ключ {key}")
            flat[key] = value
    return flat


LIST_EXAMPLES = {
    "receipt.header": '["Пункт приёма платежей «У дома»"]',
    "receipt.footer": '["Спасибо!", "Сохраняйте чек до зачисления платежа"]',
    "commission.rules": '[{ service = "*", percent = 1.5, minimum = 10 }]',
    "cashiers.list": '[{ name = "Иванова А.", pin = "pbkdf2_sha256$120000$…" }]',
    "sbp.field_names": '["qrId=qrcId", "payload=qrUrl"]',
    "sbp.status_names": '["PAID=ACWP", "CREATED=NTST"]',
}


def example_config() -> str:
    """A commented config.toml with every key and its default, for the README and --help."""
    lines: list[str] = []
    section = ""
    for key, setting in REGISTRY.items():
        table, name = key.split(".", 1)
        if table != section:
            lines.append(f"\n[{table}]")
            section = table
        lines.append(f"# {setting.description} (переменная {setting.env})")
        default = setting.default
        if isinstance(default, list):
            lines.append(f"# пример: {name} = {LIST_EXAMPLES.get(key, '[]')}")
            shown = "[]"
        elif isinstance(default, bool):
            shown = "true" if default else "false"
        elif isinstance(default, str):
            shown = f'"{default}"'
        else:
            shown = str(default)
        lines.append(f"{name} = {shown}")
    return "\n".join(lines).lstrip() + "\n"
