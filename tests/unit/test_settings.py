import json
import os
from pathlib import Path

import pytest

from cashier_app import settings as cfg
from cashier_app.core.cashiers import hash_pin
from cashier_app.settings.registry import declare


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = cfg.Settings.load(tmp_path / "missing.toml", env={})
    assert settings[cfg.PROCESSING_URL] == ""
    assert settings[cfg.PROCESSING_AUTH_SCHEME] == "Bearer"
    assert settings[cfg.PROCESSING_TIMEOUT] == 15.0
    assert settings[cfg.PROCESSING_VERIFY_TLS] is True
    assert settings.source(cfg.PROCESSING_TIMEOUT) == "default"


def test_file_then_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[processing]\nurl = "https://proc.example/"\ntimeout = 20\n'
                           'verify_tls = false\n[paths]\ndata_dir = "/srv/kassa"\n')
    settings = cfg.Settings.load(path, env={"CASHIER_PROCESSING_TIMEOUT": "7,5",
                                            "CASHIER_PROCESSING_TOKEN": "secret-token"})
    assert settings[cfg.PROCESSING_URL] == "https://proc.example/"
    assert settings[cfg.PROCESSING_TIMEOUT] == 7.5
    assert settings[cfg.PROCESSING_VERIFY_TLS] is False
    assert settings.data_dir == Path("/srv/kassa")
    assert settings.source(cfg.PROCESSING_TIMEOUT) == (
        "переменная окружения CASHIER_PROCESSING_TIMEOUT")
    described = {key: value for key, value, _ in settings.describe()}
    assert described["processing.token"] == "***"


def test_every_key_has_an_environment_variable(tmp_path: Path) -> None:
    env = {"CASHIER_PROCESSING_URL": "http://127.0.0.1:1", "CASHIER_PROCESSING_TOKEN": "t",
           "CASHIER_PROCESSING_AUTH_SCHEME": "Token", "CASHIER_PROCESSING_TIMEOUT": "3",
           "CASHIER_PROCESSING_VERIFY_TLS": "нет", "CASHIER_PROCESSING_CA_BUNDLE": "/ca.pem",
           "CASHIER_RETRY_INITIAL": "0.5", "CASHIER_RETRY_FACTOR": "3",
           "CASHIER_RETRY_MAX": "30", "CASHIER_DATA_DIR": str(tmp_path),
           "CASHIER_LOG_LEVEL": "debug", "CASHIER_POINT_NUMBER": "12", "CASHIER_CASHIER": "Анна",
           "CASHIER_COMMISSION": '[{"service": "*", "percent": 1}]',
           "CASHIER_IDENTITY_FIELDS": "да", "CASHIER_CATALOG_REFRESH_MINUTES": "5",
           "CASHIER_UI_LANGUAGE": "en",
           "CASHIER_CASHIERS": json.dumps([{"name": "Анна", "pin": hash_pin("1234")}]),
           "CASHIER_PRINTER_KIND": "network", "CASHIER_PRINTER_ADDRESS": "10.0.0.5:9100",
           "CASHIER_PRINTER_PROFILE": "POS-5890", "CASHIER_PRINTER_CODEPAGE": "59",
           "CASHIER_PRINTER_COLUMNS": "32", "CASHIER_PRINTER_TIMEOUT": "2",
           "CASHIER_PRINTER_CUT": "нет", "CASHIER_PRINTER_STATUS_CHECK": "false",
           "CASHIER_PRINTER_BAUDRATE": "19200", "CASHIER_PRINTER_AUTO_PRINT": "0",
           "CASHIER_RECEIPT_AGENT_NAME": "ООО «Агент»", "CASHIER_RECEIPT_AGENT_INN": "7701234567",
           "CASHIER_RECEIPT_AGENT_ADDRESS": "Москва", "CASHIER_RECEIPT_POINT_ADDRESS": "Тверь",
           "CASHIER_RECEIPT_SUPPORT_PHONE": "8 800", "CASHIER_RECEIPT_HEADER": '["Привет"]',
           "CASHIER_RECEIPT_FOOTER": '["Пока", "Спасибо"]',
           "CASHIER_RECEIPT_QR": "{transaction_id}",
           "CASHIER_SBP_ENABLED": "1", "CASHIER_SBP_MODE": "cash_link",
           "CASHIER_SBP_LIFETIME": "600", "CASHIER_SBP_POLL_INTERVAL": "3",
           "CASHIER_SBP_CREATE_PATH": "/sbp/v1/qr", "CASHIER_SBP_STATUS_PATH": "/sbp/v1/status",
           "CASHIER_SBP_LINK_REGISTER_PATH": "link/reg",
           "CASHIER_SBP_LINK_ACTIVATE_PATH": "link/on",
           "CASHIER_SBP_LINK_DEACTIVATE_PATH": "link/off",
           "CASHIER_SBP_FIELD_NAMES": '["qrId=qrcId", "payload=qrUrl"]',
           "CASHIER_SBP_STATUS_NAMES": '["PAID=ACWP"]',
           "CASHIER_SBP_CUSTOMER_DISPLAY": "screen:2",
           "CASHIER_PROCESSING_MAX_ANSWER_BYTES": "1048576",
           "CASHIER_PROCESSING_ALLOW_HTTP": "нет",
           "CASHIER_ACCEPTOR_PORT": "COM3", "CASHIER_ACCEPTOR_POLL_INTERVAL": "0.2",
           "CASHIER_KIOSK_ENABLED": "да", "CASHIER_KIOSK_TERMINAL": "T-15",
           "CASHIER_KIOSK_SUPPORT_PHONE": "8 800 100-00-00",
           "CASHIER_KIOSK_IDLE_SECONDS": "45", "CASHIER_KIOSK_COUNTDOWN_SECONDS": "10",
           "CASHIER_KIOSK_CASH_IDLE_SECONDS": "240", "CASHIER_KIOSK_SLIDESHOW": "/srv/ads",
           "CASHIER_KIOSK_SLIDESHOW_AFTER": "90", "CASHIER_KIOSK_PAPER_OUT": "screen",
           "CASHIER_KIOSK_OFFLINE_MINUTES": "3", "CASHIER_KIOSK_POPULAR": '["P1011"]',
           "CASHIER_KIOSK_RESULT_SECONDS": "8", "CASHIER_KIOSK_SAVED_CARDS": "да",
           "CASHIER_WALLET_URL": "https://wallet.dev.vseplatezhi.ru",
           "CASHIER_WALLET_CLIENT_ID": "partner-1", "CASHIER_WALLET_CLIENT_SECRET": "s",
           "CASHIER_WALLET_PARTNER_ID": "p-1", "CASHIER_WALLET_TOKEN_PATH": "/auth/token",
           "CASHIER_WALLET_TIMEOUT": "20", "CASHIER_WALLET_REFILL_MINUTES": "15",
           "CASHIER_WALLET_RECONCILE_MINUTES": "3", "CASHIER_WALLET_CASH_SERVICE": "P5001",
           "CASHIER_CARD_URL": "https://gateway.example.ru", "CASHIER_CARD_TOKEN": "t",
           "CASHIER_CARD_CERT": "/etc/cashier/card.pem",
           "CASHIER_CARD_SERVICE_MAP": '{"P1011": "109-5804-1", "*": "109-5804-9"}',
           "CASHIER_CARD_PATHS": '{"status": "/shop/status"}', "CASHIER_CARD_LIFETIME": "600",
           "CASHIER_CARD_POLL_INTERVAL": "3"}
    assert set(env) == {s.env for s in cfg.REGISTRY.values()}
    settings = cfg.Settings.load(tmp_path / "none.toml", env=env)
    assert all(settings.source(s).startswith("переменная") for s in cfg.REGISTRY.values())
    assert settings[cfg.PROCESSING_VERIFY_TLS] is False
    assert settings[cfg.POINT_NUMBER] == 12
    assert settings[cfg.ACCEPTOR_PORT] == "COM3" and settings[cfg.ACCEPTOR_POLL_INTERVAL] == 0.2
    assert settings[cfg.WALLET_TOKEN_PATH] == "/auth/token"
    assert settings[cfg.WALLET_REFILL_MINUTES] == 15.0
    assert settings[cfg.CARD_SERVICE_MAP] == {"P1011": "109-5804-1", "*": "109-5804-9"}
    assert settings[cfg.CARD_PATHS] == {"status": "/shop/status"}
    from cashier_app.ui.kiosk.launch import kiosk_config

    kiosk = kiosk_config(settings, demo=False)
    assert settings[cfg.KIOSK_ENABLED] is True and kiosk.lockdown
    assert (kiosk.terminal, kiosk.support_phone, kiosk.idle, kiosk.countdown, kiosk.cash_idle,
            kiosk.slideshow, kiosk.slideshow_after, kiosk.paper_out, kiosk.offline_minutes,
            kiosk.popular, kiosk.result_seconds) == (
        "T-15", "8 800 100-00-00", 45.0, 10.0, 240.0, "/srv/ads", 90.0, "screen", 3.0,
        ("P1011",), 8.0)
    assert kiosk.saved_cards is True
    assert settings[cfg.IDENTITY_FIELDS] is True and settings[cfg.CATALOG_REFRESH] == 5.0
    [cashier] = settings.cashiers
    assert cashier.name == "Анна" and cashier.verify("1234") and not cashier.verify("1235")
    assert settings.commission_rules[0].percent == 1
    from cashier_app.settings.sections import printer_config, receipt_settings

    printer = printer_config(settings)
    assert (printer.kind, printer.address, printer.profile, printer.codepage, printer.columns,
            printer.cut, printer.status_check, printer.baudrate) == (
        "network", "10.0.0.5:9100", "POS-5890", 59, 32, False, False, 19200)
    assert settings[cfg.PRINTER_AUTO] is False
    receipt = receipt_settings(settings)
    assert receipt.footer == ("Пока", "Спасибо") and receipt.agent_inn == "7701234567"
    from cashier_app.bootstrap import make_client, make_sbp

    sbp = make_sbp(settings, make_client(settings))
    assert sbp is not None and (sbp.mode, sbp.lifetime, sbp.poll_interval) == (
        "cash_link", 600, 3.0)
    assert sbp.client.url(sbp.path("create")) == "http://127.0.0.1:1/sbp/v1/qr"
    assert sbp.client.url(sbp.path("activate")) == "http://127.0.0.1:1/api/v20/link/on"
    assert sbp.protocol.outgoing({"qrId": "A", "amountTo": 1}) == {"qrcId": "A", "amountTo": 1}
    assert sbp.protocol.status_of("ACWP") == "PAID"
    assert settings[cfg.SBP_CUSTOMER_DISPLAY] == "screen:2"
    assert settings[cfg.PROCESSING_MAX_ANSWER_BYTES] == 1048576
    assert make_client(settings).max_answer_bytes == 1048576


def test_printer_settings_are_resolved_from_the_profile_or_refused(tmp_path: Path) -> None:
    from cashier_app.settings.sections import printer_config

    def load(**env: str) -> cfg.Settings:
        return cfg.Settings.load(tmp_path / "none.toml", env=env)

    default = printer_config(load(CASHIER_PRINTER_PROFILE="POS-5890"))
    assert (default.kind, default.codepage, default.columns) == ("none", 17, 32)
    assert printer_config(load(CASHIER_PRINTER_PROFILE="SP2000")).codepage == 10
    with pytest.raises(cfg.ConfigError, match="профиль «TM-XYZ» неизвестен"):
        printer_config(load(CASHIER_PRINTER_PROFILE="TM-XYZ"))
    with pytest.raises(cfg.ConfigError, match=r"нет CP866: укажите printer\.codepage"):
        printer_config(load(CASHIER_PRINTER_PROFILE="simple"))
    assert printer_config(load(CASHIER_PRINTER_PROFILE="simple",
                               CASHIER_PRINTER_CODEPAGE="17")).codepage == 17
    with pytest.raises(cfg.ConfigError, match="VID:PID"):
        printer_config(load(CASHIER_PRINTER_KIND="usb", CASHIER_PRINTER_ADDRESS="printer"))
    with pytest.raises(cfg.ConfigError, match="одно из: none, network"):
        load(CASHIER_PRINTER_KIND="bluetooth")
    with pytest.raises(cfg.ConfigError, match="ИНН"):
        load(CASHIER_RECEIPT_AGENT_INN="12345")


@pytest.mark.parametrize(
    ("text", "env", "fragment"),
    [
        ("[processing]\ntimeout = \"fast\"\n", {}, "ключ processing.timeout: нужно число"),
        ("[processing]\ntimeout = -1\n", {}, "ключ processing.timeout: нужно положительное"),
        ("[processing]\nurl = \"ftp://x\"\n", {}, "ключ processing.url: адрес должен"),
        ("[processing]\nverify_tls = \"yes\"\n", {}, "ключ processing.verify_tls"),
        ("[processing]\nurll = \"http://x\"\n", {}, "неизвестный ключ processing.urll"),
        ("processing = 1\n", {}, "ключ processing должен быть разделом"),
        ("[processing\nurl=", {}, "повреждён"),
        ("", {"CASHIER_PROCESSING_TIMEOUT": "abc"}, "CASHIER_PROCESSING_TIMEOUT: нужно число"),
        ("", {"CASHIER_LOG_LEVEL": "LOUD"}, "CASHIER_LOG_LEVEL"),
        ("[point]\nnumber = 100\n", {}, "ключ point.number: число от 0 до 99"),
        ("[commission]\nrules = [{percent = -1}]\n", {}, "правило комиссии №1"),
        ("", {"CASHIER_COMMISSION": "not json"}, "CASHIER_COMMISSION: нужен JSON"),
        ("[sbp]\nmode = \"card\"\n", {}, "ключ sbp.mode: qr или cash_link"),
        ("[sbp]\nlifetime = 5\n", {}, "ключ sbp.lifetime: от 30 до 86400"),
        ("[sbp]\nfield_names = [\"qrId\"]\n", {}, "ключ sbp.field_names: нужен список"),
        ("[sbp]\ncustomer_display = \"monitor\"\n", {}, "ключ sbp.customer_display"),
        ("[processing]\nmax_answer_bytes = 1000\n", {}, "не меньше 65536"),
        ("[processing]\nauth_scheme = \"Bearer x\"\n", {}, "только латинские буквы"),
        ("[processing]\nurl = \"https://\"\n", {}, "нет имени или IP-адреса"),
        ("[processing]\nurl = \"http://proc.example.ru\"\n", {}, "без шифрования"),
    ],
)
def test_bad_config_names_the_file_and_key(tmp_path: Path, text: str, env: dict[str, str],
                                           fragment: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(cfg.ConfigError) as error:
        cfg.Settings.load(path, env=env)
    assert fragment in str(error.value)
    if not env:
        assert str(path) in str(error.value)


def test_missing_url_is_explained(tmp_path: Path) -> None:
    settings = cfg.Settings.load(tmp_path / "config.toml", env={})
    with pytest.raises(cfg.ConfigError) as error:
        settings.require_processing()
    message = str(error.value)
    assert "processing.url" in message and "CASHIER_PROCESSING_URL" in message
    assert str(tmp_path / "config.toml") in message


def test_config_path_from_environment(tmp_path: Path) -> None:
    assert cfg.default_config_path({"CASHIER_CONFIG": str(tmp_path / "c.toml")}) == (
        tmp_path / "c.toml")


def test_example_config_is_valid_and_complete(tmp_path: Path) -> None:
    path = write(tmp_path, cfg.example_config())
    settings = cfg.Settings.load(path, env={})
    assert all(settings.source(s) != "default" for s in cfg.REGISTRY.values())


def test_an_unknown_sbp_status_name_is_refused(tmp_path: Path) -> None:
    from cashier_app.bootstrap import make_client, make_sbp

    settings = cfg.Settings.load(tmp_path / "none.toml", env={
        "CASHIER_PROCESSING_URL": "http://127.0.0.1:1", "CASHIER_SBP_ENABLED": "true",
        "CASHIER_SBP_STATUS_NAMES": '["DONE=ACWP"]'})
    with pytest.raises(cfg.ConfigError, match="неизвестный статус DONE"):
        make_sbp(settings, make_client(settings))
    assert make_sbp(cfg.Settings.load(tmp_path / "none.toml", env={}), make_client(
        settings)) is None  # off by default: the desk takes cash only


def test_duplicate_declaration_is_refused() -> None:
    with pytest.raises(RuntimeError):
        declare(cfg.Setting("processing.url", str, "", "CASHIER_OTHER", "dup"))


def test_cashiers_setting_refuses_a_plain_pin(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[cashiers]\nlist = [{ name = "Анна", pin = "1234" }]\n', encoding="utf-8")
    with pytest.raises(cfg.ConfigError, match="не хэш PIN"):
        cfg.Settings.load(path, env={})


@pytest.mark.parametrize("token", ["tok en-SECRETX", "tok\ten-SECRETX", "ток-SECRETX",
                                   "tok\nen-SECRETX", "tok\x7fSECRETX"])
def test_a_token_that_cannot_be_a_header_is_refused_without_echoing_it(
        tmp_path: Path, token: str) -> None:
    for load in (
        lambda: cfg.Settings.load(tmp_path / "none.toml",
                                  env={"CASHIER_PROCESSING_TOKEN": token}),
        lambda: cfg.Settings.load(write(tmp_path, f"[processing]\ntoken = {json.dumps(token)}\n"),
                                  env={}),
    ):
        with pytest.raises(cfg.ConfigError) as error:
            load()
        message = str(error.value)
        assert "processing.token содержит недопустимые символы" in message
        assert "SECRETX" not in message and "ток" not in message


def test_a_token_with_spaces_around_it_is_trimmed(tmp_path: Path) -> None:
    settings = cfg.Settings.load(tmp_path / "none.toml",
                                 env={"CASHIER_PROCESSING_TOKEN": " abc-123\n"})
    assert settings[cfg.PROCESSING_TOKEN] == "abc-123"


@pytest.mark.parametrize(("url", "allowed"), [
    ("http://127.0.0.1:8020", True), ("http://127.8.9.10/", True), ("http://[::1]:8020", True),
    ("http://localhost:8020", True), ("http://LOCALHOST./", True),
    ("https://proc.example.ru", True), ("http://proc.example.ru", False),
    ("http://10.0.0.5:8020", False), ("http://127.0.0.1.evil.example/", False),
    ("http://[::2]/", False)])
def test_plain_http_only_to_this_machine(tmp_path: Path, url: str, allowed: bool) -> None:
    env = {"CASHIER_PROCESSING_URL": url}
    if allowed:
        assert cfg.Settings.load(tmp_path / "none.toml", env=env).warnings() == []
    else:
        with pytest.raises(cfg.ConfigError, match=r"processing\.allow_http") as error:
            cfg.Settings.load(tmp_path / "none.toml", env=env)
        assert "CASHIER_PROCESSING_URL" in str(error.value)
        settings = cfg.Settings.load(tmp_path / "none.toml",
                                     env={**env, "CASHIER_PROCESSING_ALLOW_HTTP": "true"})
        assert settings[cfg.PROCESSING_ALLOW_HTTP] is True
        assert any("без шифрования" in line for line in settings.warnings())


def test_an_override_to_plain_http_is_refused_too(tmp_path: Path) -> None:
    settings = cfg.Settings.load(tmp_path / "none.toml", env={})
    demo = settings.with_overrides({cfg.PROCESSING_URL: "http://127.0.0.1:5"})
    demo.require_processing()
    with pytest.raises(cfg.ConfigError, match="без шифрования"):
        settings.with_overrides({cfg.PROCESSING_URL: "http://a.example"}).require_processing()


def test_a_token_in_a_file_others_can_read_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, '[processing]\ntoken = "abc-123"\n')
    os.chmod(path, 0o644)
    if os.name != "posix":  # no such modes: nothing to say
        assert cfg.Settings.load(path, env={}).warnings() == []
        return
    (warning,) = cfg.Settings.load(path, env={}).warnings()
    assert str(path) in warning and "chmod 600" in warning and "abc-123" not in warning
    assert cfg.Settings.load(path, env={}).with_overrides({}).warnings() == [warning]
    os.chmod(path, 0o600)
    assert cfg.Settings.load(path, env={}).warnings() == []
    other = write(tmp_path, '[processing]\ntimeout = 5\n')
    os.chmod(other, 0o644)  # no token in it: nothing to protect
    assert cfg.Settings.load(other, env={"CASHIER_PROCESSING_TOKEN": "x-1"}).warnings() == []


@pytest.mark.parametrize("make", ["missing", "directory", "not_pem"])
def test_a_ca_bundle_that_cannot_be_read_is_a_config_error(tmp_path: Path, make: str) -> None:
    from cashier_app.bootstrap import make_client

    bundle = tmp_path / "ca.pem"
    if make == "directory":
        bundle.mkdir()
    elif make == "not_pem":
        bundle.write_text("not a certificate")
    settings = cfg.Settings.load(tmp_path / "none.toml", env={
        "CASHIER_PROCESSING_URL": "https://proc.example.ru",
        "CASHIER_PROCESSING_CA_BUNDLE": str(bundle)})
    with pytest.raises(cfg.ConfigError) as error:
        make_client(settings)
    assert "processing.ca_bundle" in str(error.value) and str(bundle) in str(error.value)


def test_a_table_setting_is_refused_in_russian_when_it_is_not_one(tmp_path: Path) -> None:
    with pytest.raises(cfg.ConfigError, match="JSON-объект"):
        cfg.Settings.load(tmp_path / "none.toml", env={"CASHIER_CARD_SERVICE_MAP": "[1, 2]"})
    with pytest.raises(cfg.ConfigError, match="CASHIER_CARD_SERVICE_MAP"):
        cfg.Settings.load(tmp_path / "none.toml", env={"CASHIER_CARD_SERVICE_MAP": "{oops"})
    path = tmp_path / "config.toml"
    path.write_text('[card]\nservice_map = { P1011 = "109-5804-1" }\n', encoding="utf-8")
    assert cfg.Settings.load(path, env={})[cfg.CARD_SERVICE_MAP] == {"P1011": "109-5804-1"}
