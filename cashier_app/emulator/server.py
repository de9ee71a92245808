"""The emulator's HTTP server: a real server on 127.0.0.1, threads, HTTP/1.1 keep-alive.

Fault mode, for tests and for trying the program out: a list of :class:`FaultRule`, each
applied to the next ``times`` requests of a method (optionally only those whose body fields
match). Actions:

``code``        answer with result ``result`` (non-final codes 1/153/220/255 leave a pay
                pending at the center; a later repeat settles it)
``delay``       answer ``seconds`` late (the request *is* processed)
``drop``        close the connection without an answer
``reset``       reset the connection (TCP RST)
``http``        answer HTTP ``status`` (502 by default) with an HTML body
``broken_json`` answer HTTP 200 with a truncated JSON body

``when="after"`` processes the request first and then loses the answer (drop, reset, http,
broken_json): the payment went through and the agent does not know — the case a journal exists
for.

Control endpoints (no token, loopback only): ``GET /_emulator/state``, ``POST
/_emulator/faults`` with ``{"rules": [...]}``, ``POST /_emulator/faults/clear``,
``POST /_emulator/balance`` with ``{"balance": "100.00"}``; the person's bank for QR СБП:
``POST /_emulator/sbp/pay`` (``reject``, ``expire``) with ``{"qrId": …}`` or
``{"agentTransactionId": …}``, and a page ``GET /_emulator/sbp/<qrId>`` with «Оплатить» and
«Отклонить» buttons.
"""

from __future__ import annotations

import html
import json
import logging
from decimal import Decimal
from typing import Any

from cashier_app.core.wire import WireFormatError, decode_body

from .answers import answer as _answer
from .center import ProcessingCenter, load_catalog
from .loopback import LoopbackHandler, LoopbackServer

log = logging.getLogger(__name__)
BANK_PAGE = "/_emulator/sbp/"
BANK_HTML = """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<title>Банк клиента (эмулятор СБП)</title></head><body style="font-family:sans-serif">
<h1>Оплата по QR СБП</h1><p>Код {qr}</p><p>Сумма: <b>{amount} ₽</b></p>
<p>Статус: {status}</p><p>{said}</p>
<form method="post" action="/_emulator/sbp/{qr}/pay"><button>Оплатить</button></form>
<form method="post" action="/_emulator/sbp/{qr}/reject"><button>Отклонить</button></form>
</body></html>"""
class _Handler(LoopbackHandler):
    broken_body = b'{"result": 0, "resultMessage": "ok", "transac'

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)  # the center reads any size
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        if self.path == "/_emulator/state":
            self._send_json(self.server.owner.center.state())
        elif self.path.startswith(BANK_PAGE):
            self._bank_page(self.path[len(BANK_PAGE):].strip("/"), "")
        else:
            self._send(404, b'{"error": "not found"}')

    def do_POST(self) -> None:
        raw = self._read_body()
        owner = self.server.owner
        if self.path.startswith(BANK_PAGE) and self.path.count("/") == 4:
            # /_emulator/sbp/<qrId>/<action>: the "bank app" page's buttons
            qr_id, _, action = self.path[len(BANK_PAGE):].strip("/").partition("/")
            if action in ("pay", "reject"):
                outcome = owner.center.bank(action, qr_id)
                self._bank_page(qr_id, "Оплачено" if outcome.get("ok") and action == "pay"
                                else outcome.get("error") or "Отклонено")
                return
        if self.path.startswith("/_emulator/"):
            self._control(self.path, raw)
            return
        if not self.path.startswith("/api/v20/"):
            self._send(404, b'{"error": "not found"}')
            return
        method = self.path[len("/api/v20/"):].strip("/")
        if owner.token:
            expected = f"{owner.auth_scheme} {owner.token}"
            if self.headers.get("Authorization", "") != expected:
                self._send_json(_answer(300) | {"resultMessage": "Unauthorized"}, status=401)
                return
        try:
            body: Any = decode_body(raw) if raw.strip() else {}
        except WireFormatError:
            body = None
        rule = owner.take_fault(method, body)
        if rule is None:
            self._send_json(owner.center.handle(method, raw))
            return
        log.info("emulator fault on %s: %s", method, rule.action)
        if rule.action == "code":
            self._send_json(owner.scripted_answer(method, body, raw, rule.result))
            return
        self._apply_fault(rule, lambda: (200, owner.center.handle(method, raw)))

    def _fault_status(self, status: int) -> None:
        self._send(status, b"<html><body>Bad Gateway</body></html>", "text/html")

    def _bank_page(self, qr_id: str, said: str) -> None:
        """A tiny page that plays the person's bank app for one QR code."""
        codes = [c for c in self.server.owner.center.state()["qr"] if c["qrId"] == qr_id]
        if not codes:
            self._send(404, "<html><body>QR-код не найден</body></html>".encode(), "text/html")
            return
        code = codes[-1]
        page = BANK_HTML.format(qr=html.escape(qr_id), amount=html.escape(code["amountFrom"]),
                                status=html.escape(code["status"]), said=html.escape(said))
        self._send(200, page.encode("utf-8"), "text/html")

    def _control(self, path: str, raw: bytes) -> None:
        owner = self.server.owner
        try:
            data = json.loads(raw or b"{}", parse_float=Decimal)
            if self._fault_control("POST", path, data):
                return
            if path in ("/_emulator/sbp/pay", "/_emulator/sbp/reject",
                          "/_emulator/sbp/expire"):
                self._send_json(owner.center.bank(path.rsplit("/", 1)[1], data.get("qrId"),
                                                  data.get("agentTransactionId")))
            elif path == "/_emulator/balance":
                owner.center.set_balance(Decimal(str(data["balance"])))
                self._send_json({"ok": True})
            else:
                self._send(404, b'{"error": "not found"}')
        except (ValueError, KeyError, TypeError, ArithmeticError) as error:
            self._send_json({"ok": False, "error": str(error)}, status=400)


class EmulatorServer(LoopbackServer):
    """Start with :meth:`start` (a background thread) or :meth:`serve_forever`."""

    thread_name = "processing-emulator"

    def __init__(
        self,
        center: ProcessingCenter | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "",
        auth_scheme: str = "Bearer",
    ) -> None:
        self.center = center or ProcessingCenter(load_catalog())
        self.token = token
        self.auth_scheme = auth_scheme
        super().__init__(_Handler, host, port)

    def scripted_answer(self, method: str, body: Any, raw: bytes, code: int) -> dict[str, Any]:
        if method == "pay":
            answer = self.center.scripted_pay(raw, code)
            if answer is not None:
                return answer
            return self.center.handle(method, raw)
        extra: dict[str, Any] = {}
        tx_id = body.get("agentTransactionId") if isinstance(body, dict) else None
        if tx_id is not None:
            # a check/pay answer always names its payment (and, like the center's, its
            # transactionId), or the client rightly takes it for no answer
            if method == "check" and isinstance(tx_id, int) and not isinstance(tx_id, bool):
                extra["transactionId"] = self.center.transaction_number(tx_id)
            extra["agentTransactionId"] = tx_id
        return _answer(code, **extra)

