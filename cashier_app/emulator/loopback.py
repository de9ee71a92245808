"""What every emulator that is an HTTP server shares: a threading server on 127.0.0.1 (many
connections at once, keep-alive), started in a background thread or served in the
foreground, the list of fault rules that the next requests meet, and the request handler's
plumbing (reading a bounded body, answering, losing the connection, applying a fault rule).
The processing center (:mod:`.server`), the wallet service (:mod:`.wallet`) and the card
gateway (:mod:`.card`) differ only in what they answer."""

from __future__ import annotations

import ipaddress
import logging
import socket
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from cashier_app.core.wire import encode_body

from .faults import FaultRule

MAX_BODY = 1024 * 1024


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # a burst of connections must not be reset by a short backlog
    owner: Any  # the LoopbackServer whose handlers answer


class LoopbackHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, no Nagle stall, the log at DEBUG in the subclass's module.
    ``do_GET``/``do_POST`` go to :meth:`_handle`, which reads a body of at most MAX_BODY
    bytes (413 otherwise) and gives it to :meth:`_route` (a subclass adds the verbs it
    serves).
    :meth:`_with_faults` answers through the fault rules; a subclass gives what a fault
    answers: :attr:`broken_body`, :meth:`_fault_status`, :meth:`_fault_code`."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in separate writes: no 40 ms stall
    server: HttpServer
    #: the first words of the log lines ("card emulator")
    log_name = "emulator"
    #: the truncated JSON a ``broken_json`` fault answers with HTTP 200
    broken_body: bytes

    @property
    def _log(self) -> logging.Logger:
        return logging.getLogger(type(self).__module__)  # the emulator's own module

    def log_message(self, format: str, *args: Any) -> None:
        self._log.debug(f"{self.log_name}: " + format, *args)

    # --- plumbing ------------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        """The request's body; None (and the connection to be closed) for a Content-Length
        that is not a number or is over MAX_BODY."""
        length_text = self.headers.get("Content-Length") or "0"
        if not length_text.isdigit() or int(length_text) > MAX_BODY:
            self.close_connection = True
            return None
        length = int(length_text)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes = b"", content_type: str = "application/json",
              headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        if body:
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _send_json(self, data: Any, status: int = 200) -> None:
        self._send(status, encode_body(data, strict_amounts=False))

    def _drop(self, reset: bool) -> None:
        """Close the connection without an answer; ``reset``: with a TCP RST."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, verb: str) -> None:
        raw = self._read_body()
        if raw is None:
            self._send(413)
            return
        self._route(verb, raw)

    def _route(self, verb: str, raw: bytes) -> None:
        """Answer a request whose body was read."""
        raise NotImplementedError

    # --- control -------------------------------------------------------------------------

    def _refuse_remote(self) -> bool:
        """For the control endpoints: True (and a 403 sent) when the client is not on this
        computer."""
        try:
            loopback = ipaddress.ip_address(self.client_address[0]).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            self._send_json({"ok": False, "error": "only from this computer"}, 403)
        return not loopback

    def _fault_control(self, verb: str, path: str, data: Any) -> bool:
        """``POST /_emulator/faults`` with ``{"rules": [...]}`` and ``POST
        /_emulator/faults/clear``; False when the request is neither."""
        owner = self.server.owner
        if verb == "POST" and path == "/_emulator/faults":
            owner.add_faults([FaultRule.from_dict(item) for item in data.get("rules", [])])
            self._send_json({"ok": True, "pending": len(owner.faults)})
        elif verb == "POST" and path == "/_emulator/faults/clear":
            owner.clear_faults()
            self._send_json({"ok": True})
        else:
            return False
        return True

    # --- faults --------------------------------------------------------------------------

    def _with_faults(self, name: str, match: Mapping[str, Any],
                     work: Callable[[], tuple[int, Any]]) -> None:
        """``work() -> (status, answer)``, sent as JSON, through the fault rules of
        ``name`` (``match``: the fields a rule's ``match`` is compared with)."""
        rule = self.server.owner.take_fault(name, dict(match))
        if rule is None:
            status, answer = work()
            self._send_json(answer, status)
            return
        self._log.info("%s fault on %s: %s (%s)", self.log_name, name, rule.action, rule.when)
        self._apply_fault(rule, work)

    def _apply_fault(self, rule: FaultRule, work: Callable[[], tuple[int, Any]]) -> None:
        """Answer as ``rule`` says: late (the work is done), lost, reset, an HTTP error, a
        broken body, a result code; ``when="after"``: the work is done first."""
        if rule.action == "delay":
            time.sleep(rule.seconds)
            status, answer = work()
            try:
                self._send_json(answer, status)
            except OSError:
                pass  # the client gave up waiting; the request was processed all the same
            return
        if rule.when == "after":
            work()
        if rule.action in ("drop", "reset"):
            self._drop(reset=rule.action == "reset")
        elif rule.action == "code":
            self._fault_code(rule.result)
        elif rule.action == "http":
            self._fault_status(rule.status)
        elif rule.action == "broken_json":
            self._send(200, self.broken_body, "application/json")

    def _fault_status(self, status: int) -> None:
        """What an ``http`` fault answers."""
        raise NotImplementedError

    def _fault_code(self, result: int) -> None:
        """What a ``code`` fault answers; nothing here (a server without result codes
        refuses the rule in :meth:`LoopbackServer.check_fault`)."""


class LoopbackServer:
    """Start with :meth:`start` (a background thread) or :meth:`serve_forever`; a context
    manager. Subclasses give the handler and may refuse a fault rule (:meth:`check_fault`)."""

    thread_name = "emulator"

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str, port: int) -> None:
        self.faults: list[FaultRule] = []
        self._faults_lock = threading.Lock()
        self._host = host
        self._httpd = HttpServer((host, port), handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None
        self._serving = False  # shutdown() waits for a loop: only for one that runs

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> Self:
        self._serving = True
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._serving = True
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop serving and close the socket; a server never started is only closed."""
        if self._serving:
            self._httpd.shutdown()
            self._serving = False
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- faults ----------------------------------------------------------------------------
    def check_fault(self, rule: FaultRule) -> None:
        """ValueError for a rule this server cannot apply (none here)."""

    def add_faults(self, rules: list[FaultRule]) -> None:
        for rule in rules:
            self.check_fault(rule)
        with self._faults_lock:
            self.faults.extend(rules)

    def add_fault(self, **fields: Any) -> FaultRule:
        rule = FaultRule(**fields)
        self.add_faults([rule])
        return rule

    def clear_faults(self) -> None:
        with self._faults_lock:
            self.faults.clear()

    def describe_faults(self) -> list[dict[str, Any]]:
        with self._faults_lock:
            return [asdict(rule) for rule in self.faults]

    def take_fault(self, method: str, body: Any) -> FaultRule | None:
        """The rule the next request of ``method`` meets (counted down, gone when spent)."""
        with self._faults_lock:
            for rule in self.faults:
                if rule.matches(method, body):
                    if rule.times > 0:
                        rule.times -= 1
                        if rule.times == 0:
                            self.faults.remove(rule)
                    return rule
        return None
