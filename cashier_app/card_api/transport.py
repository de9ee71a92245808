"""The card gateway's side of one bounded HTTP exchange (:mod:`cashier_app.util.http_exchange`:
its fixed Russian texts and :class:`CardNoAnswer`), and the TLS context with the client
certificate.

``card_api`` is a sibling of ``wallet_api`` and ``processing`` and must not import them (the
layer contract): the mechanism they share lives in ``cashier_app.util``.
"""

from __future__ import annotations

import logging
import os
import ssl

import certifi

from cashier_app.util.http_exchange import ExchangeTexts, HttpPeer
from cashier_app.util.tls import tls_context as shared_tls_context

from .errors import CardInputError, CardNoAnswer

log = logging.getLogger(__name__)

TEXTS = ExchangeTexts(
    timeout="Шлюз оплаты картой не ответил вовремя",
    connect="Нет связи со шлюзом оплаты картой",
    reset="Связь со шлюзом оплаты картой прервалась",
    transport="Ошибка связи со шлюзом оплаты картой (подробности в логе)",
    tls_cert=("Сертификат шлюза оплаты картой не прошёл проверку: проверьте card.url и "
              "сертификаты"),
    tls=("Не удалось установить защищённое соединение (TLS) со шлюзом оплаты картой: "
         "проверьте card.cert"),
    encoding="Шлюз оплаты картой прислал ответ в неизвестном сжатии (Content-Encoding)",
    too_large="Ответ шлюза оплаты картой больше {size} — это не ответ",
)
CERT_TEXT = ("Не удалось прочитать сертификат клиента (card.cert): нужен файл PEM с "
             "сертификатом и закрытым ключом без пароля")
GATEWAY = HttpPeer("card", CardNoAnswer, TEXTS, log)
#: ``exchange(http, method, url, *, what, content, headers, timeout, limit, scrub)``: one
#: request, its status and body; raises only CardNoAnswer
exchange = GATEWAY.exchange


def tls_context(base_url: str, verify: bool | str, cert: str | None) -> ssl.SSLContext | bool:
    """What httpx gets as ``verify``. Without a client certificate: certifi's CAs (built once
    per process, shared) for https, a CA bundle file when given, False when told not to check;
    for plain http a strict context that trusts nobody (no redirect is followed, so it is
    never used). With ``cert`` (a PEM file with the certificate and its key): a context of our
    own — the shared one must never carry this client's key — loaded here, so that an
    unreadable file is a CardInputError when the client is made, not a failed payment later."""
    if cert is None:
        if verify is False:
            return False
        if isinstance(verify, str):
            return _context(verify)
        return shared_tls_context(base_url)
    if verify is False:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context = _context(verify if isinstance(verify, str) else certifi.where())
    try:
        if not os.path.isfile(cert):
            raise OSError("not a file")
        context.load_cert_chain(cert, password=_no_password)
    except (OSError, ssl.SSLError, ValueError) as error:
        log.error("card: the client certificate cannot be loaded: %s", type(error).__name__)
        raise CardInputError("card.cert", CERT_TEXT) from None
    return context


def _no_password() -> str:
    """A key with a password would make OpenSSL ask on the terminal; we refuse it instead."""
    raise ValueError("the key has a password")


def _context(cafile: str) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as error:
        log.error("card: the CA bundle cannot be loaded: %s", type(error).__name__)
        raise CardInputError("card.ca_bundle", "Не удалось прочитать файл корневых "
                                               "сертификатов шлюза оплаты картой") from None
