"""The card gateway (seed 004) as a real HTTP server on 127.0.0.1: the shop API with a bearer
token, the person's payment and 3-D Secure pages, notifications to the shop, fault rules.
The books are :mod:`.card_books`.

API: ``POST <url><path>`` with a JSON body and ``Authorization: Bearer <token>``, the paths of
``docs/protocol.md`` («Card gateway»): ``/payment/anonymous``, ``/payment/status``,
``/payment/refund``, ``/payment/recurrent``, ``/user/register``, ``/user/status``,
``/card/register``, ``/card/list``, ``/card/deactivate``. No or another token: 401 with an
empty body; a path outside ``/payment/``, ``/user/``, ``/card/``: 403 (as a gateway's access
list answers a path it does not serve); an unknown method under them: 404 errorCode 1002;
another HTTP verb: 405; a body that is not a JSON object: 400 errorCode 1001; a refusal: 400
``{errorCode, error, message}``. The 3-D Secure step of a recurrent payment is HTTP 200
``{errorCode: "2365", error: "NeedPass3dsException", message, regPayNum, securePageURL}``.

The person (no token): ``GET /pay/<regPayNum>`` — the card form (amount, orderNote,
properties), posted back to the same address; ``GET``/``POST /3ds/<regPayNum>`` — the code
page; ``GET /receipt/<regPayNum>`` — a recurrent payment's receipt link.

Notifications (when ``notify_url`` is set): a background thread POSTs each payment that
reaches payed (and declined, with ``notify_declined``) as ``{regPayNum, amount, comission,
state, errorCode?, errorMsg?}`` (amounts as strings, as the seed's example), and each attached
card as ``{userToken, cardMask, cardToken, cardType}``, until an HTTP 200: after the n-th failed
attempt it waits ``notify_intervals[n-1]`` (the last one repeated). :attr:`notifications`
records every attempt.

Fault rules (:class:`~.faults.FaultRule`) by method name: ``anonymous``, ``status``,
``refund``, ``recurrent``, ``user_register``, ``user_status``, ``card_register``,
``card_list``, ``card_deactivate``. ``code`` answers 400 with errorCode ``result``; ``http``
answers 400 with errorCode 1001, a 500 with errorCode 1000, a 502/503/504 with an HTML page
(a balancer's), another status with JSON; ``delay``, ``drop``, ``reset``, ``broken_json`` and
``when="after"`` as the center's.

Control (no token, loopback clients only): ``GET /_emulator/card/state``, ``POST
/_emulator/faults`` ``{"rules": […]}``, ``POST /_emulator/faults/clear``, ``POST
/_emulator/card/pay`` ``{regPayNum, pan, cvc, exp?, code3ds?}`` (the demo's «phone» button),
``POST /_emulator/card/expire`` ``{regPayNum}``.
"""

from __future__ import annotations

import html
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from cashier_app.core.text import money
from cashier_app.core.wire import WireFormatError, decode_body, encode_body

from .card_books import CODE_3DS, CardBooks, CardProblem
from .faults import FaultRule
from .loopback import LoopbackHandler, LoopbackServer

log = logging.getLogger(__name__)

API_PREFIXES = ("/payment/", "/user/", "/card/")
ROUTES: Mapping[str, str] = {
    "/payment/anonymous": "anonymous", "/payment/status": "status",
    "/payment/refund": "refund", "/payment/recurrent": "recurrent",
    "/user/register": "user_register", "/user/status": "user_status",
    "/card/register": "card_register", "/card/list": "card_list",
    "/card/deactivate": "card_deactivate",
}
CARD_METHODS = tuple(ROUTES.values())
NOTIFY_TIMEOUT = 5.0
GATEWAY_HTML = b"<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
PAGE = """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<title>{title}</title></head><body style="font-family:sans-serif;max-width:36em">
<h1>{title}</h1>{body}</body></html>"""
CARD_FORM = """<form method="post" action="/pay/{number}">
<p><label>Номер карты<br><input name="pan" inputmode="numeric" autocomplete="cc-number"
 placeholder="0000 0000 0000 0000" size="23"></label></p>
<p><label>Срок действия (ММ/ГГ)<br><input name="exp" placeholder="12/30" size="6"></label>
 <label>CVC2/CVV2<br><input name="cvc" type="password" inputmode="numeric" size="4"></label></p>
<p><button>{button}</button></p></form>"""
CODE_FORM = """<form method="post" action="/3ds/{number}">
<p><label>Код из СМС (тестовый: {code})<br><input name="code" inputmode="numeric" size="10">
</label></p><p><button>Подтвердить</button></p></form>"""


@dataclass
class Notification:
    """One notification to the shop and every attempt to deliver it."""

    kind: str  # payment, card
    body: dict[str, Any]
    attempts: int = 0
    delivered: bool = False
    statuses: list[int | None] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)
    next_at: float = 0.0


class _Handler(LoopbackHandler):
    log_name = "card emulator"
    broken_body = b'{"regPayNum": "13109'

    def _send_page(self, title: str, body: str, status: int = 200) -> None:
        self._send(status, PAGE.format(title=html.escape(title), body=body).encode("utf-8"),
                   "text/html")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # --- routing --------------------------------------------------------------------------

    def _route(self, verb: str, raw: bytes) -> None:
        path = urlsplit(self.path).path.rstrip("/") or "/"
        if path.startswith("/_emulator/"):
            self._control(verb, path, raw)
        elif path.startswith(("/pay/", "/3ds/", "/receipt/")):
            self._person(verb, path, raw)
        else:
            self._api(verb, path, raw)

    def _api(self, verb: str, path: str, raw: bytes) -> None:
        owner: CardGateway = self.server.owner
        given = self.headers.get("Authorization", "")
        token = given[len("Bearer "):].strip() if given.startswith("Bearer ") else ""
        if not token or not secrets.compare_digest(token.encode(), owner.token.encode()):
            owner.count_unauthorized()
            self._send(401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return
        if not path.startswith(API_PREFIXES):
            self._send_json(CardProblem("2203").body(), 403)
            return
        name = ROUTES.get(path)
        if name is None:
            self._send_json(CardProblem("1002").body(), 404)
            return
        if verb != "POST":
            self._send(405, headers={"Allow": "POST"})
            return
        try:
            body: Any = decode_body(raw) if raw.strip() else None
        except WireFormatError:
            body = None
        match = dict(body) if isinstance(body, dict) else {}
        self._with_faults(name, match, lambda: owner.api_answer(name, body))

    def _fault_code(self, result: int) -> None:
        self._send_json(CardProblem(str(result)).body(), 400)

    def _fault_status(self, status: int) -> None:
        if status == 400:
            self._send_json(CardProblem("1001").body(), 400)
        elif status in (502, 503, 504):
            self._send(status, GATEWAY_HTML, "text/html")
        elif status >= 500:
            self._send_json(CardProblem("1000").body(), status)
        else:
            self._send_json({"errorCode": None, "error": f"HTTP_{status}",
                             "message": f"Ошибка {status} (правило эмулятора)"}, status)

    # --- the person's pages ---------------------------------------------------------------

    def _person(self, verb: str, path: str, raw: bytes) -> None:
        owner: CardGateway = self.server.owner
        page, _, number = path[1:].partition("/")
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        try:
            if verb == "POST" and page == "pay":
                step, said = owner.ledger.submit_card(number, form.get("pan", ""),
                                                      form.get("exp", ""), form.get("cvc", ""))
                if step == "3ds":
                    self._send(303, headers={"Location": f"/3ds/{number}"})
                    return
            elif verb == "POST" and page == "3ds":
                said = owner.ledger.submit_3ds(number, form.get("code", ""))[1]
            else:
                said = ""
        except CardProblem:
            self._send_page("Платёж не найден", "<p>Платёж с таким номером не найден</p>", 404)
            return
        shown = owner.ledger.page(number)
        if shown is None:
            self._send_page("Платёж не найден", "<p>Платёж с таким номером не найден</p>", 404)
            return
        self._render(page, number, shown, said or shown["said"])

    def _render(self, page: str, number: str, shown: Mapping[str, Any], said: str) -> None:
        safe = html.escape(number)
        registration = shown["kind"] == "card"
        title = "Привязка карты" if registration else "Оплата картой"
        parts = [f"<p>Платёж № {safe}</p>"]
        if not registration:
            parts.append(f"<p>{html.escape(shown['provider'] or '')}</p>")
            parts.append(f"<p>К оплате: <b>{html.escape(money(_rub(shown['total'])))}</b> "
                         f"(платёж {html.escape(money(_rub(shown['amount'])))}, комиссия "
                         f"{html.escape(money(_rub(shown['commission'])))})</p>")
        else:
            parts.append("<p>Карта будет проверена и сохранена для следующих оплат.</p>")
        if shown["note"]:
            parts.append(f"<p>{html.escape(shown['note'])}</p>")
        if shown["properties"]:
            rows = "".join(f"<tr><td>{html.escape(p['name'])}</td>"
                           f"<td>{html.escape(p['value'])}</td></tr>"
                           for p in shown["properties"])
            parts.append(f"<table>{rows}</table>")
        if said:
            parts.append(f"<p><b>{html.escape(said)}</b></p>")
        if shown["state"] == "created" and shown["step"] == "3ds":
            title = "Проверка 3-D Secure"
            parts.append(CODE_FORM.format(number=safe, code=CODE_3DS))
        elif shown["state"] == "created" and page == "pay":
            parts.append(CARD_FORM.format(number=safe, button="Привязать карту" if registration
                                          else "Оплатить"))
        self._send_page(title, "\n".join(parts))

    # --- control --------------------------------------------------------------------------

    def _control(self, verb: str, path: str, raw: bytes) -> None:
        owner: CardGateway = self.server.owner
        if self._refuse_remote():
            return
        try:
            data = decode_body(raw) if raw.strip() else {}
            if self._fault_control(verb, path, data):
                return
            if verb == "GET" and path == "/_emulator/card/state":
                self._send_json({"payments": owner.books(), "users": owner.ledger.users(),
                                 "notifications": owner.notifications,
                                 "faults": owner.describe_faults()})
            elif verb == "POST" and path == "/_emulator/card/pay":
                state = owner.pay(str(data["regPayNum"]), str(data.get("pan", "")),
                                  str(data.get("cvc", "")), str(data.get("exp", "12/30")),
                                  str(data.get("code3ds", CODE_3DS)))
                self._send_json({"ok": True, "state": state})
            elif verb == "POST" and path == "/_emulator/card/expire":
                self._send_json({"ok": True, "state": owner.expire(str(data["regPayNum"]))})
            else:
                self._send_json({"ok": False, "error": "not found"}, 404)
        except CardProblem as problem:
            self._send_json(problem.body(), problem.status)
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as error:
            self._send_json({"ok": False, "error": str(error)[:300]}, 400)


def _rub(kopecks: int) -> Decimal:
    return Decimal(kopecks) / 100


class CardGateway(LoopbackServer):
    """The card gateway on loopback. :meth:`start` (a background thread, and the notifier's
    when ``notify_url`` is set) or :meth:`serve_forever`; a context manager.

    ``services``: the serviceCodes the gateway knows → the provider's name (an unknown one is
    errorCode 2301); ``hold_seconds``: how long a paid anonymous payment stays holded before
    it is payed; ``notify_declined``: notify declined payments too (the seed: «по умолчанию
    отправляются только успешные платежи»)."""

    thread_name = "card-emulator"

    def __init__(self, *, token: str = "demo-card-token",
                 services: Mapping[str, str] | None = None, notify_url: str | None = None,
                 notify_intervals: Sequence[float] = (1, 2, 4, 8, 16, 32, 60),
                 hold_seconds: float = 0.5, notify_declined: bool = False,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        if not notify_intervals or any(interval < 0 for interval in notify_intervals):
            raise ValueError("notify_intervals: at least one, none negative")
        self.token = token
        self.notify_url = notify_url
        self.notify_intervals = tuple(float(interval) for interval in notify_intervals)
        self.ledger = CardBooks(services=services, hold_seconds=hold_seconds,
                                notify_declined=notify_declined,
                                collect_events=notify_url is not None)
        #: API requests answered 401 (no or another token)
        self.unauthorized = 0
        self._notes: list[Notification] = []
        self._notes_lock = threading.Lock()
        self._stopping = threading.Event()
        self._notifier: threading.Thread | None = None
        super().__init__(_Handler, host, port)

    def __repr__(self) -> str:
        return f"CardGateway({self.url!r})"

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        super().start()
        if self.notify_url is not None:
            self._notifier = threading.Thread(target=self._notify_loop, name="card-notifier",
                                              daemon=True)
            self._notifier.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._notifier is not None:
            self._notifier.join(timeout=NOTIFY_TIMEOUT + 1)
        super().stop()

    def check_fault(self, rule: FaultRule) -> None:
        if rule.method not in ("*", *CARD_METHODS):
            raise ValueError(f"unknown card gateway method {rule.method!r}; one of "
                             f"{CARD_METHODS}")

    def count_unauthorized(self) -> None:
        with self._notes_lock:
            self.unauthorized += 1

    # --- the API ---------------------------------------------------------------------------

    def api_answer(self, name: str, body: Any) -> tuple[int, Any]:
        """``(status, answer)`` for one API request; never raises."""
        books, base = self.ledger, self.url
        try:
            if not isinstance(body, dict):
                raise CardProblem("1001")
            if name == "anonymous":
                return 200, books.anonymous(body, base)
            if name == "status":
                return 200, books.status(body, base)
            if name == "refund":
                return 200, books.refund(body)
            if name == "recurrent":
                return books.recurrent(body, base)
            if name == "user_register":
                return 200, books.user_register(body)
            if name == "user_status":
                return 200, books.user_status(body)
            if name == "card_register":
                return 200, books.card_register(body, base)
            if name == "card_list":
                return 200, books.card_list(body)
            return 200, books.card_deactivate(body)
        except CardProblem as problem:
            return problem.status, problem.body()
        except Exception:
            log.exception("card emulator: %s failed", name)
            return 500, CardProblem("1000").body()

    # --- the person, for tests and the demo ------------------------------------------------

    def pay(self, reg_pay_num: str, pan: str, cvc: str, exp: str = "12/30",
            code_3ds: str = CODE_3DS) -> str:
        """What the person does on the payment page: the card, then (if asked) the 3-D Secure
        code. A payment already at its 3-D Secure step (a recurrent one) gets only the code.
        Returns the resulting state (``holded`` for a paid anonymous payment: payed after
        ``hold_seconds``)."""
        step, _ = self.ledger.submit_card(reg_pay_num, pan, exp, cvc)
        if step == "3ds":
            self.ledger.submit_3ds(reg_pay_num, code_3ds)
        return str(self.ledger.page(reg_pay_num)["state"])  # type: ignore[index]

    def expire(self, reg_pay_num: str) -> str:
        """The payment's time is up: unpaid, it is expired. Returns the state."""
        return self.ledger.expire(reg_pay_num)

    def books(self) -> dict[str, dict[str, Any]]:
        """Per regPayNum (see :meth:`.card_books.CardBooks.books`); amounts in kopecks."""
        return self.ledger.books()

    @property
    def notifications(self) -> list[dict[str, Any]]:
        """Every notification so far: kind, body, attempts, delivered, each attempt's HTTP
        status (None: no answer) and time (monotonic)."""
        with self._notes_lock:
            return [{"kind": n.kind, "body": dict(n.body), "attempts": n.attempts,
                     "delivered": n.delivered, "statuses": list(n.statuses),
                     "sent_at": list(n.sent_at)} for n in self._notes]

    # --- notifications ---------------------------------------------------------------------

    def _notify_loop(self) -> None:
        while not self._stopping.wait(0.05):
            try:
                events = self.ledger.take_events()
                now = time.monotonic()
                with self._notes_lock:
                    self._notes.extend(Notification(kind, body, next_at=now)
                                       for kind, body in events)
                    due = [n for n in self._notes if not n.delivered and n.next_at <= now]
                for note in due:
                    if self._stopping.is_set():
                        return
                    self._deliver(note)
            except Exception:
                log.exception("card emulator: the notifier failed")

    def _deliver(self, note: Notification) -> None:
        assert self.notify_url is not None
        request = urllib.request.Request(self.notify_url, data=encode_body(note.body),
                                         headers={"Content-Type": "application/json"},
                                         method="POST")
        status: int | None
        try:
            with urllib.request.urlopen(request, timeout=NOTIFY_TIMEOUT) as answer:
                status = int(answer.status)
        except urllib.error.HTTPError as error:
            status = int(error.code)
        except (OSError, ValueError):
            status = None
        now = time.monotonic()
        with self._notes_lock:
            note.attempts += 1
            note.statuses.append(status)
            note.sent_at.append(now)
            if status == 200:
                note.delivered = True
            else:
                wait = self.notify_intervals[min(note.attempts, len(self.notify_intervals)) - 1]
                note.next_at = now + wait
        log.info("card emulator: notification %s attempt %s: HTTP %s", note.kind,
                 note.attempts, status)
