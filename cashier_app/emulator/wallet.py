"""The e-wallet service (seed 002) as a real HTTP server on 127.0.0.1: OAuth2 tokens, the
partner API under ``/api/wallet/v1/account``, fault rules, and the person's "bank" for СБП
refills. The books are :mod:`.wallet_books`.

Tokens: ``POST /oauth/token`` (form) with ``grant_type=client_credentials`` and the partner's
``client_id``, ``client_secret``, ``partner_id`` (wrong → 401 ``{"error":"invalid_client"}``),
or ``grant_type=refresh_token`` (a refresh token is single-use and lives an hour; unknown or
used → 400 ``{"error":"invalid_grant"}``). An access token lives ``access_ttl`` seconds; a
request without a live one is 401 with an empty body.

Errors as the seed (§5.1) and ``docs/protocol.md`` say: an unknown path 404, a known path with
another method 405, a body that is not a JSON object an empty 400, a field error 400
``{"code":"VALIDATION_ERROR","message":…,"fieldErrors":{…}}``, another partner's wallet 403.

Fault rules are :class:`~.faults.FaultRule` (``delay``, ``drop``, ``reset``, ``http``,
``broken_json``; ``when="after"`` processes the request and then loses the answer), by method
name: ``token``, ``registration``, ``info``, ``deactivation``, ``identification``, ``report``,
``refill``, ``payment_init``, ``payment``, ``banks``, ``withdrawal``, ``limit_get``,
``limit_set``. An ``http`` fault answers 400 with an empty body, another 4xx or a 500 with a
JSON ``{code, message}``, a 502/503/504 with an HTML page (a gateway's).

Control (no token, loopback clients only): ``GET /_emulator/wallet/state`` (the books),
``POST /_emulator/faults`` ``{"rules": […]}``, ``POST /_emulator/faults/clear``, ``POST
/_emulator/wallet/refund`` ``{walletId, amount}``, ``POST /_emulator/wallet/expire-tokens``;
the person's bank: ``GET /_emulator/wallet/refills/<ID>`` (a page with «Оплатить») and ``POST
/_emulator/wallet/refills/<ID>/pay``.
"""

from __future__ import annotations

import html
import logging
import re
import secrets
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cashier_app.core.text import money
from cashier_app.core.wire import WireFormatError, decode_body, encode_body

from .faults import FaultRule
from .loopback import LoopbackHandler, LoopbackServer
from .wallet_books import BANKS, WalletBooks, WalletProblem, field_error

log = logging.getLogger(__name__)

API = "/api/wallet/v1/account"
TOKEN_PATH = "/oauth/token"
REFILL_PAGE = "/_emulator/wallet/refills/"
REFRESH_TTL = 3600.0
OTHER_PARTNER = "other-partner"
WALLET_METHODS = ("token", "registration", "info", "deactivation", "identification", "report",
                  "refill", "payment_init", "payment", "banks", "withdrawal", "limit_get",
                  "limit_set")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# path under API (split by "/") → {HTTP method: rule name}; "{id}" is the walletId
ROUTES: tuple[tuple[tuple[str, ...], Mapping[str, str]], ...] = (
    (("registration",), {"POST": "registration"}),
    (("wifhdrawal", "banks"), {"GET": "banks"}),
    (("{id}", "info"), {"GET": "info"}),
    (("{id}", "deactivation"), {"POST": "deactivation"}),
    (("{id}", "identification", "{level}"), {"POST": "identification"}),
    (("{id}", "report"), {"GET": "report"}),
    (("{id}", "refill"), {"POST": "refill"}),
    (("{id}", "payment", "initialization"), {"GET": "payment_init"}),
    (("{id}", "payment"), {"POST": "payment"}),
    (("{id}", "wifhdrawal"), {"POST": "withdrawal"}),
    (("{id}", "limit"), {"GET": "limit_get", "POST": "limit_set"}),
)
REFILL_HTML = """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<title>Банк клиента (эмулятор СБП)</title></head><body style="font-family:sans-serif">
<h1>Пополнение кошелька по СБП</h1><p>Ссылка {refill}</p><p>Сумма: <b>{amount}</b></p>
<p>Статус: {status}</p><p>{said}</p>
<form method="post" action="/_emulator/wallet/refills/{refill}/pay"><button>Оплатить</button>
</form></body></html>"""
GATEWAY_HTML = b"<html><body><h1>Bad Gateway</h1><p>nginx</p></body></html>"


def _route(parts: list[str]) -> tuple[Mapping[str, str], dict[str, str]] | None:
    for pattern, methods in ROUTES:
        if len(pattern) != len(parts):
            continue
        params: dict[str, str] = {}
        for want, got in zip(pattern, parts, strict=True):
            if want.startswith("{"):
                if not got:
                    break
                params[want[1:-1]] = got
            elif want != got:
                break
        else:
            return methods, params
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value


class _Handler(LoopbackHandler):
    log_name = "wallet emulator"
    broken_body = b'{"walletId": "3f2b'

    def _send_json(self, data: Any, status: int = 200) -> None:
        self._send(status, b"" if data is None else encode_body(data))  # None: an empty body

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    # --- routing ------------------------------------------------------------------------------

    def _route(self, verb: str, raw: bytes) -> None:
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        owner = self.server.owner
        if path.startswith("/_emulator/"):
            self._control(verb, path, raw)
        elif path == owner.token_path:
            if verb != "POST":
                self._send(405, headers={"Allow": "POST"})
            else:
                form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
                self._with_faults("token", {"grant_type": form.get("grant_type")},
                                  lambda: owner.token_answer(raw))
        elif path.startswith(API + "/"):
            self._api(verb, path[len(API) + 1:].split("/"), split.query, raw)
        else:
            self._send_json({"code": "NOT_FOUND", "message": "Неверный URL"}, 404)

    def _api(self, verb: str, parts: list[str], query: str, raw: bytes) -> None:
        owner = self.server.owner
        authorization = self.headers.get("Authorization", "")
        partner = owner.partner_of(authorization.removeprefix("Bearer ").strip()
                                   if authorization.startswith("Bearer ") else "")
        if partner is None:
            owner.count_unauthorized()
            self._send(401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return
        found = _route(parts)
        if found is None:
            self._send_json({"code": "NOT_FOUND", "message": "Неверный URL"}, 404)
            return
        methods, params = found
        name = methods.get(verb)
        if name is None:
            self._send_json({"code": "METHOD_NOT_ALLOWED",
                             "message": f"Метод {verb} не поддерживается по этому адресу"},
                            405)
            return
        try:
            body: Any = decode_body(raw) if raw.strip() else None
        except WireFormatError:
            body = WireFormatError
        match = {"walletId": params.get("id", "")}
        if isinstance(body, dict):
            match.update(body)
        self._with_faults(name, match, lambda: owner.api_answer(
            name, partner, params, {k: v[0] for k, v in parse_qs(
                query, keep_blank_values=True).items()}, body))

    def _fault_status(self, status: int) -> None:
        if status == 400:
            self._send(400)
        elif status in (502, 503, 504):
            self._send(status, GATEWAY_HTML, "text/html")
        elif status >= 500:
            self._send_json({"code": "INTERNAL_ERROR",
                             "message": "Внутренняя ошибка сервиса кошельков"}, status)
        else:
            self._send_json({"code": f"HTTP_{status}",
                             "message": f"Ошибка {status} (правило эмулятора)"}, status)

    # --- control ------------------------------------------------------------------------------

    def _control(self, verb: str, path: str, raw: bytes) -> None:
        owner = self.server.owner
        if self._refuse_remote():
            return
        if path.startswith(REFILL_PAGE):
            refill_id, _, action = path[len(REFILL_PAGE):].partition("/")
            if verb == "GET" and not action:
                self._refill_page(refill_id, "")
                return
            if verb == "POST" and action == "pay":
                ok, said = owner.ledger.confirm_refill(refill_id)
                if "text/html" in self.headers.get("Accept", "") or self.headers.get(
                        "Content-Type", "").startswith("application/x-www-form-urlencoded"):
                    self._refill_page(refill_id, said)
                else:
                    self._send_json({"ok": ok, "message": said}, 200 if ok else 409)
                return
        try:
            data = decode_body(raw) if raw.strip() else {}
            if self._fault_control(verb, path, data):
                return
            if verb == "GET" and path == "/_emulator/wallet/state":
                self._send(200, encode_body(_jsonable(owner.ledger.books()),
                                            strict_amounts=False))
            elif verb == "POST" and path == "/_emulator/wallet/refund":
                self._send_json(owner.ledger.refund(str(data["walletId"]),
                                                   Decimal(str(data["amount"]))))
            elif verb == "POST" and path == "/_emulator/wallet/expire-tokens":
                owner.expire_access_tokens()
                self._send_json({"ok": True})
            else:
                self._send_json({"ok": False, "error": "not found"}, 404)
        except WalletProblem as problem:
            self._send_json(problem.body(), problem.status)
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as error:
            self._send_json({"ok": False, "error": str(error)[:300]}, 400)

    def _refill_page(self, refill_id: str, said: str) -> None:
        state = self.server.owner.ledger.refill_state(refill_id)
        if state is None:
            self._send(404, "<html><body>Ссылка не найдена</body></html>".encode(), "text/html")
            return
        page = REFILL_HTML.format(refill=html.escape(refill_id),
                                  amount=html.escape(money(state["amount"])),
                                  status=html.escape(state["status"]), said=html.escape(said))
        self._send(200, page.encode("utf-8"), "text/html")


class WalletServer(LoopbackServer):
    """The wallet service on loopback. :meth:`start` (a background thread) or
    :meth:`serve_forever`; a context manager."""

    thread_name = "wallet-emulator"

    def __init__(self, *, client_id: str = "demo-partner", client_secret: str = "demo-secret",
                 partner_id: str = "demo", access_ttl: float = 300.0,
                 refill_ttl: float = 600.0, limits: Mapping[str, Mapping[str, Any]] | None = None,
                 host: str = "127.0.0.1", port: int = 0, token_path: str = TOKEN_PATH) -> None:
        self.client_id, self.client_secret, self.partner_id = client_id, client_secret, partner_id
        self.access_ttl = access_ttl
        self.token_path = token_path
        self.ledger = WalletBooks(refill_ttl=refill_ttl, limits=limits)
        self._auth_lock = threading.Lock()
        self._access: dict[str, tuple[float, str]] = {}  # token → (expires at, partner)
        self._refresh: dict[str, tuple[float, str]] = {}
        #: grants given: client_credentials, refresh_token
        self.tokens_issued = {"client_credentials": 0, "refresh_token": 0}
        #: API requests answered 401 (no, an unknown or an expired access token)
        self.unauthorized = 0
        self._issued: list[str] = []
        super().__init__(_Handler, host, port)

    def __repr__(self) -> str:
        return f"WalletServer({self.url!r})"

    # --- faults ---------------------------------------------------------------------------------

    def check_fault(self, rule: FaultRule) -> None:
        if rule.action == "code":
            raise ValueError("the wallet has no result codes: use http, delay, drop, reset "
                             "or broken_json")
        if rule.method not in ("*", *WALLET_METHODS):
            raise ValueError(f"unknown wallet method {rule.method!r}; one of "
                             f"{WALLET_METHODS}")

    # --- tokens ---------------------------------------------------------------------------------

    def expire_access_tokens(self) -> None:
        """Every access token given so far stops working (refresh tokens still do)."""
        with self._auth_lock:
            self._access = {token: (0.0, partner)
                            for token, (_, partner) in self._access.items()}

    def issued_tokens(self) -> list[str]:
        """Every access and refresh token given so far (tests: none may reach a log)."""
        with self._auth_lock:
            return list(self._issued)

    def count_unauthorized(self) -> None:
        with self._auth_lock:
            self.unauthorized += 1

    def partner_of(self, access_token: str) -> str | None:
        with self._auth_lock:
            found = self._access.get(access_token)
        if found is None or time.monotonic() >= found[0]:
            return None
        return found[1]

    def token_answer(self, raw: bytes) -> tuple[int, Any]:
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace"),
                                             keep_blank_values=True).items()}
        grant = form.get("grant_type")
        with self._auth_lock:
            if grant == "client_credentials":
                if not (secrets.compare_digest(form.get("client_id", ""), self.client_id)
                        and secrets.compare_digest(form.get("client_secret", ""),
                                                   self.client_secret)
                        and form.get("partner_id") == self.partner_id):
                    return 401, {"error": "invalid_client",
                                 "error_description": "Неверные учётные данные партнёра"}
                partner = self.partner_id
            elif grant == "refresh_token":
                found = self._refresh.pop(form.get("refresh_token", ""), None)
                if found is None or time.monotonic() >= found[0]:
                    return 400, {"error": "invalid_grant",
                                 "error_description": "Refresh-токен недействителен"}
                partner = found[1]
            else:
                return 400, {"error": "unsupported_grant_type"}
            self.tokens_issued[grant] += 1
            access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
            now = time.monotonic()
            self._access[access] = (now + self.access_ttl, partner)
            self._refresh[refresh] = (now + REFRESH_TTL, partner)
            self._issued += [access, refresh]
        return 200, {"access_token": access, "refresh_token": refresh,
                     "token_type": "Bearer", "expires_in": max(1, int(self.access_ttl))}

    # --- the API --------------------------------------------------------------------------------

    def api_answer(self, name: str, partner: str, params: Mapping[str, str],
                   query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        """``(status, answer or None)`` for one API request; never raises."""
        books = self.ledger
        try:
            if body is WireFormatError:
                raise WalletProblem(400, None)  # «Пустой ответ с HTTP-кодом 400»
            if name == "registration":
                return 200, books.register(partner, body)
            if name == "banks":
                return 200, {"banks": [dict(bank) for bank in BANKS]}
            wallet_id = params["id"]
            if not _UUID.fullmatch(wallet_id):
                raise field_error("walletId", "Идентификатор кошелька — UUID")
            answer: dict[str, Any]
            if name == "info":
                answer = books.info(partner, wallet_id)
            elif name == "deactivation":
                answer = books.deactivate(partner, wallet_id)
            elif name == "identification":
                answer = books.identify(partner, wallet_id, params["level"])
            elif name == "report":
                answer = books.report(partner, wallet_id, query)
            elif name == "refill":
                answer = books.refill(partner, wallet_id, body)
            elif name == "payment_init":
                answer = books.initialize_payment(partner, wallet_id)
            elif name == "payment":
                answer = books.pay(partner, wallet_id, body)
            elif name == "withdrawal":
                answer = books.withdraw(partner, wallet_id, body)
            elif name == "limit_get":
                answer = books.limits(partner, wallet_id)
            else:
                answer = books.set_limits(partner, wallet_id, body)
            return 200, answer
        except WalletProblem as problem:
            return problem.status, problem.body()
        except Exception:
            log.exception("wallet emulator: %s failed", name)
            return 500, {"code": "INTERNAL_ERROR", "message": "Внутренняя ошибка эмулятора"}

    # --- for tests --------------------------------------------------------------------------------

    def books(self) -> dict[str, Any]:
        """Per walletId: balance (Decimal), status, identification, every operation (type,
        amount, date, tsp, bank), debits per payment token, refills credited."""
        return self.ledger.books()

    def confirm_refill(self, refill_id_or_payload: str) -> bool:
        """The person's bank paid the СБП link: credit the wallet (once)."""
        return self.ledger.confirm_refill(refill_id_or_payload)[0]

    def foreign_wallet(self, phone: str = "9990000000") -> str:
        """A wallet of another partner (this partner's requests about it are 403)."""
        return self.ledger.add_wallet(OTHER_PARTNER, phone)
