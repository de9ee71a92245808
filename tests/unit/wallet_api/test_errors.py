"""The errors' words: fixed meanings per status, the server's text cleaned, nothing secret."""

from __future__ import annotations

from cashier_app.errors import UserFacingError
from cashier_app.wallet_api import (
    WalletAuthError,
    WalletError,
    WalletInputError,
    WalletNoAnswer,
    WalletRefused,
)


def test_the_hierarchy() -> None:
    assert issubclass(WalletError, UserFacingError)
    assert issubclass(WalletAuthError, WalletRefused)
    assert not issubclass(WalletNoAnswer, WalletRefused)
    assert WalletInputError("phone", "Нет").field == "phone"


def test_refusal_sentences() -> None:
    assert str(WalletRefused(400)) == "Неверно указаны параметры запроса"
    assert str(WalletRefused(404, message="нет")) == "Неверный адрес сервиса кошельков: нет"
    assert str(WalletRefused(502)) == "Сервис кошельков недоступен (502)"
    assert str(WalletRefused(418)) == "Сервис кошельков отклонил запрос (HTTP 418)"
    assert str(WalletRefused(400, field_errors={"phone": "10 цифр", "tsp": ""})) == \
        "Неверно указаны параметры запроса: phone: 10 цифр; tsp"
    auth = WalletAuthError(401, code="invalid_client", message="Bad creds")
    assert str(auth) == ("Сервис кошельков не принял учётные данные партнёра: проверьте "
                         "wallet.client_id, wallet.client_secret, wallet.partner_id")
    assert (auth.status, auth.code, auth.message) == (401, "invalid_client", "Bad creds")


def test_answer_text_is_bounded() -> None:
    assert len(WalletNoAnswer("http", "x", answer_text="я" * 5000).answer_text) == 2000
    assert len(WalletRefused(400, answer_text="z" * 3000).answer_text) == 2000
