"""The wallet service's side of one bounded HTTP exchange
(:mod:`cashier_app.util.http_exchange`: its fixed Russian texts and :class:`WalletNoAnswer`),
and the TLS context.

The wallet is a sibling of processing and card_api and must not import them (the layer
contract): the mechanism they share lives in ``cashier_app.util``.
"""

from __future__ import annotations

import logging
import ssl

from cashier_app.util.http_exchange import ExchangeTexts, HttpPeer
from cashier_app.util.tls import tls_context as shared_tls_context

from .errors import WalletNoAnswer

log = logging.getLogger(__name__)

TEXTS = ExchangeTexts(
    timeout="Сервис кошельков не ответил вовремя",
    connect="Нет связи с сервисом кошельков",
    reset="Связь с сервисом кошельков прервалась",
    transport="Ошибка связи с сервисом кошельков (подробности в логе)",
    tls_cert=("Сертификат сервиса кошельков не прошёл проверку: проверьте wallet.url и "
              "wallet.ca_bundle"),
    tls="Не удалось установить защищённое соединение (TLS) с сервисом кошельков",
    encoding="Сервис кошельков прислал ответ в неизвестном сжатии (Content-Encoding)",
    too_large="Ответ сервиса кошельков больше {size} — это не ответ",
)
SERVICE = HttpPeer("wallet", WalletNoAnswer, TEXTS, log)
#: ``exchange(http, method, url, *, what, content, headers, timeout, limit, scrub)``: one
#: request, its status and body; raises only WalletNoAnswer
exchange = SERVICE.exchange


def tls_context(base_url: str, verify: bool | str) -> ssl.SSLContext | bool:
    """What httpx gets as ``verify``: certifi's CAs (built once per process) for https, a CA
    bundle file when given, and for plain http a strict context that trusts nobody (no
    redirect is followed, so it is never used)."""
    if verify is False:
        return False
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return shared_tls_context(base_url)
