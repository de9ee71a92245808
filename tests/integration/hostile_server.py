"""A hostile processing center for tests: a real HTTP/1.1 server on 127.0.0.1 (raw sockets,
a thread per connection) that answers each request the way a script says — including every
way a server can lie, stall or flood. Mocks cannot show what httpx does with a body cut in
the middle or a byte every second; a socket can.

In a test::

    with HostileServer({"balance": {"json": {"result": 0, "balance": "1e999999"}}}) as server:
        client = ProcessingClient(server.url, "token")
        ...
        server.script("pay", {"json": {"result": 0, "agentTransactionId": "$id+1"}})
        server.requests  # every request received: Seen(path, headers, body)

From another process (an end-to-end test of ``cashier-app pay``)::

    python tests/integration/hostile_server.py --port 8123 --script script.json [--tls]

prints its URL on the first line of stdout and serves until killed. ``POST /_hostile/script``
with a script object replaces those paths' steps; ``GET /_hostile/requests`` returns the
requests seen as JSON (bodies as UTF-8 text).

**Script**: ``{path: step or [step, …]}``. A path without a leading ``/`` is a method under
``/api/v20/``; ``"*"`` answers any path without its own entry. A list is used one step per
request; its last step repeats. Unscripted paths get HTTP 404. A step is a JSON object:

``status``     HTTP status (200)
``headers``    extra headers ``[[name, value], …]`` (Content-Type is application/json)
``json``       the body as JSON; the strings ``"$id"`` and ``"$id+N"`` become the request's
               agentTransactionId (plus N) as a number — an answer about another payment
``body``       the body as text (UTF-8); ``body_hex``: as hex bytes
``repeat``     send the body this many times (a huge body without holding it in memory)
``gzip``       gzip the body; ``deflate``: zlib-deflate it; Content-Encoding set to match
``encoding``   the Content-Encoding header as given (a lie, if the body is not so encoded)
``bomb``       the body is gzip of this many zero bytes (Content-Encoding: gzip)
``length``     Content-Length to declare (an int), or ``"none"`` (no length: the body ends
               when the connection closes); default: the real length
``chunked``    send the body with Transfer-Encoding: chunked
``drip``       ``[n, seconds]``: send the body n bytes at a time, pausing between them
``delay``      seconds to wait before the status line
``cut``        send only this many bytes of the body, then close the connection
``close``      close the connection after the response
``raw_hex``    send exactly these bytes as the whole response, then close
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import socket
import socketserver
import ssl
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# A throwaway self-signed certificate for 127.0.0.1 / localhost, for TLS tests only: the
# key protects nothing.
TEST_CERT = """-----BEGIN CERTIFICATE-----
MIIBrDCCAVGgAwIBAgIULx1DyGv2r8A2vmXqzxKeFRZVYkcwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRaG9zdGlsZS10ZXN0LW9ubHkwIBcNMjYxMjAxMTAwOTQ5WhgP
MjEyNjExMDcxMDA5NDlaMBwxGjAYBgNVBAMMEWhvc3RpbGUtdGVzdC1vbmx5MFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEzwHAbQ8Jg8hClK8TUrVNwZBlo7Hmmc7V
IMOr8U+jDAkpUhhyKeDZ7pDDPaVcES+SythAroRQDGjcf4AykDnjXKNvMG0wHQYD
VR0OBBYEFJbdYdA/FG9vn4mGnMsJdNQxOhyeMB8GA1UdIwQYMBaAFJbdYdA/FG9v
n4mGnMsJdNQxOhyeMA8GA1UdEwEB/wQFMAMBAf8wGgYDVR0RBBMwEYcEfwAAAYIJ
bG9jYWxob3N0MAoGCCqGSM49BAMCA0kAMEYCIQD5DjHQYr9OL4b333Z3E0cGffcL
hkL/iNk+o374RnVpsgIhAKHj2xaiAjrqs3RBQwsUjY97hpAP68I1OoHlgdy7d5xH
-----END CERTIFICATE-----
"""
TEST_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgY+6nJ5vqzPvf7qse
AymgP6IblxIjboUFCeZQRW2SvpOhRANCAATPAcBtDwmDyEKUrxNStU3BkGWjseaZ
ztUgw6vxT6MMCSlSGHIp4NnukMM9pVwRL5LK2ECuhFAMaNx/gDKQOeNc
-----END PRIVATE KEY-----
"""
API = "/api/v20/"
_ID = re.compile(r"^\$id(?:\+(\d+))?$")
_bombs: dict[int, bytes] = {}
_bombs_lock = threading.Lock()


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


def bomb(size: int) -> bytes:
    """gzip of ``size`` zero bytes (about size/1000 bytes), made once per size."""
    with _bombs_lock:
        if size not in _bombs:
            packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            block = bytes(1 << 20)
            parts = [packer.compress(block) for _ in range(size >> 20)]
            parts.append(packer.compress(bytes(size & ((1 << 20) - 1))))
            parts.append(packer.flush())
            _bombs[size] = b"".join(parts)
        return _bombs[size]


def _with_ids(value: Any, request_id: int | None) -> Any:
    if isinstance(value, str) and (match := _ID.match(value)) and request_id is not None:
        return request_id + int(match[1] or 0)
    if isinstance(value, dict):
        return {key: _with_ids(item, request_id) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_ids(item, request_id) for item in value]
    return value


def _request_id(body: bytes) -> int | None:
    try:
        value = json.loads(body).get("agentTransactionId")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _body_of(step: Mapping[str, Any], request: bytes) -> tuple[bytes, str]:
    """The body bytes of one copy, and the Content-Encoding they are in."""
    if "bomb" in step:
        return bomb(int(step["bomb"])), "gzip"
    if "json" in step:
        body = json.dumps(_with_ids(step["json"], _request_id(request)),
                          ensure_ascii=False).encode("utf-8")
    elif "body_hex" in step:
        body = bytes.fromhex(step["body_hex"])
    else:
        body = str(step.get("body", "")).encode("utf-8")
    if step.get("gzip"):
        return gzip.compress(body * int(step.get("repeat", 1))), "gzip"
    if step.get("deflate"):
        return zlib.compress(body * int(step.get("repeat", 1))), "deflate"
    return body, ""


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: HostileServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-answer is the point of most scripts


class _Handler(socketserver.BaseRequestHandler):
    request: socket.socket
    server: _Server

    def handle(self) -> None:
        owner = self.server.owner
        sock = self.request
        sock.settimeout(60)
        owner._opened(sock)
        try:
            if isinstance(sock, ssl.SSLSocket):
                sock.do_handshake()
            reader = sock.makefile("rb")
            while True:
                seen = _read_request(reader)
                if seen is None or not owner._answer(sock, seen):
                    return
        except (OSError, ValueError):
            return
        finally:
            owner._closed(sock)


def _read_request(reader: Any) -> Seen | None:
    line = reader.readline(65537)
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(parts) < 2:
        return None
    headers: dict[str, str] = {}
    while True:
        header = reader.readline(65537)
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    body = reader.read(length) if length else b""
    return Seen(parts[1], headers, body)


class HostileServer:
    """See the module docstring. ``tls=True`` serves HTTPS with :data:`TEST_CERT`."""

    def __init__(self, script: Mapping[str, Any] | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, tls: bool = False) -> None:
        self._steps: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.requests: list[Seen] = []
        self._sockets: set[socket.socket] = set()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.owner = self
        self.tls = tls
        self.cert_file = ""
        if tls:
            self._wrap_tls()
        self._thread: threading.Thread | None = None
        self.update(script or {})

    def _wrap_tls(self) -> None:
        handle, self.cert_file = tempfile.mkstemp(prefix="hostile-", suffix=".pem")
        with os.fdopen(handle, "w") as file:
            file.write(TEST_CERT + TEST_KEY)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file)
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True,
                                                 do_handshake_on_connect=False)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    def script(self, path: str, *steps: Mapping[str, Any]) -> None:
        """Answer ``path`` (a method, ``/a/path`` or ``*``) with these steps from now on."""
        key = path if path.startswith("/") or path == "*" else API + path
        with self._lock:
            self._steps[key] = [dict(step) for step in steps]

    def update(self, script: Mapping[str, Any]) -> None:
        for path, steps in script.items():
            self.script(path, *(steps if isinstance(steps, list) else [steps]))

    def start(self) -> HostileServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True,
                                        name="hostile-center")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:  # ends drips and stalls at once
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread:
            self._thread.join(timeout=5)
        if self.cert_file:
            os.unlink(self.cert_file)
            self.cert_file = ""

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        try:
            sock.close()
        except OSError:
            pass

    def _next_step(self, path: str) -> dict[str, Any] | None:
        with self._lock:
            steps = self._steps.get(path) or self._steps.get("*")
            if not steps:
                return None
            return steps.pop(0) if len(steps) > 1 else steps[0]

    def _answer(self, sock: socket.socket, seen: Seen) -> bool:
        """Send one response; False when the connection is to be closed."""
        if seen.path.startswith("/_hostile/"):
            return self._control(sock, seen)
        with self._lock:
            self.requests.append(seen)
        step = self._next_step(seen.path)
        if step is None:
            _send(sock, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return True
        if "raw_hex" in step:
            _send(sock, bytes.fromhex(step["raw_hex"]))
            return False
        time.sleep(float(step.get("delay", 0)))
        body, coding = _body_of(step, seen.body)
        copies = 1 if step.get("gzip") or step.get("deflate") else int(step.get("repeat", 1))
        total = len(body) * copies
        status = int(step.get("status", 200))
        head = [f"HTTP/1.1 {status} Hostile", "Content-Type: application/json; charset=utf-8"]
        coding = str(step.get("encoding", coding))
        if coding:
            head.append(f"Content-Encoding: {coding}")
        length = step.get("length", total)
        chunked = bool(step.get("chunked"))
        if chunked:
            head.append("Transfer-Encoding: chunked")
        elif length != "none":
            head.append(f"Content-Length: {int(length)}")
        close = bool(step.get("close")) or length == "none" or "cut" in step
        if close:
            head.append("Connection: close")
        head += [f"{name}: {value}" for name, value in step.get("headers", [])]
        _send(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        drip = step.get("drip")
        size, pause = (int(drip[0]), float(drip[1])) if drip else (65536, 0.0)
        budget = int(step["cut"]) if "cut" in step else total
        for piece in _pieces(body, copies, size):
            piece = piece[:budget]
            budget -= len(piece)
            if piece:
                _send(sock, b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                time.sleep(pause)
            if budget <= 0:
                break
        if "cut" in step:
            return False
        if chunked:
            _send(sock, b"0\r\n\r\n")
        return not close

    def _control(self, sock: socket.socket, seen: Seen) -> bool:
        if seen.path == "/_hostile/script":
            self.update(json.loads(seen.body or b"{}"))
            body = b'{"ok": true}'
        else:
            with self._lock:
                body = json.dumps([{"path": s.path, "body": s.body.decode("utf-8", "replace")}
                                   for s in self.requests], ensure_ascii=False).encode()
        _send(sock, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        return True


def _pieces(body: bytes, copies: int, size: int) -> Iterator[bytes]:
    for _ in range(copies):
        for start in range(0, len(body), size):
            yield body[start:start + size]


def _send(sock: socket.socket, data: bytes) -> None:
    sock.sendall(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A hostile processing center for tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", help="a JSON file: {path: step or [steps]}")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS (test certificate)")
    args = parser.parse_args(argv)
    script = {}
    if args.script:
        with open(args.script, encoding="utf-8") as file:
            script = json.load(file)
    server = HostileServer(script, host=args.host, port=args.port, tls=args.tls)
    print(server.url, flush=True)
    try:
        server._httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()
        if server.cert_file:
            os.unlink(server.cert_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
