"""What every emulator that is an HTTP server shares: a threading server on 127.0.0.1 (many
connections at once, keep-alive), started in a background thread or served in the
foreground, and the list of fault rules that the next requests meet. The processing center
(:mod:`.server`) and the wallet service (:mod:`.wallet`) differ only in what they answer."""

from __future__ import annotations

import threading
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from .faults import FaultRule


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # a burst of connections must not be reset by a short backlog
    owner: Any  # the LoopbackServer whose handlers answer


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
