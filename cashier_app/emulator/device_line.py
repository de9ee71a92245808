"""The wire between a software device and the program: a pseudo-terminal where there is one
(Linux, the tests: the program opens a real tty with pyserial), a loopback TCP socket where
there is not (Windows has no pty). pyserial opens both the same way: the pty's path, or the
socket's ``socket://127.0.0.1:PORT`` URL — so the program's serial code is the same either way.
"""

from __future__ import annotations

import os
import select
import socket
import sys


class PtyLine:
    """A pseudo-terminal in raw mode; :attr:`path` is the tty the program opens."""

    def __init__(self) -> None:
        import tty  # POSIX only: imported where a pty is made

        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)

    def read(self, timeout: float) -> bytes:
        """What arrived within ``timeout`` (b"" when nothing did, or the other side closed)."""
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(self._master, 4096)
        except OSError:
            return b""  # the other side is closed now; it may open the port again

    def write(self, data: bytes) -> None:
        os.write(self._master, data)

    def close(self) -> None:
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass


class SocketLine:
    """A loopback listener; one program connected at a time (a port is opened by one)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self._peer: socket.socket | None = None
        self.path = f"socket://127.0.0.1:{self._listener.getsockname()[1]}"

    def read(self, timeout: float) -> bytes:
        if self._peer is None:
            ready, _, _ = select.select([self._listener], [], [], timeout)
            if not ready:
                return b""
            try:
                self._peer, _ = self._listener.accept()
            except OSError:
                return b""
            self._peer.setblocking(True)
            return b""
        ready, _, _ = select.select([self._peer], [], [], timeout)
        if not ready:
            return b""
        try:
            data = self._peer.recv(4096)
        except OSError:
            data = b""
        if not data:  # the program closed the port: wait for it to open it again
            self._drop_peer()
        return data

    def write(self, data: bytes) -> None:
        if self._peer is None:
            return  # nobody on the line: the bytes are lost, as on an unplugged cable
        try:
            self._peer.sendall(data)
        except OSError:
            self._drop_peer()

    def _drop_peer(self) -> None:
        if self._peer is not None:
            self._peer.close()
            self._peer = None

    def close(self) -> None:
        self._drop_peer()
        self._listener.close()


def open_line(kind: str = "auto") -> PtyLine | SocketLine:
    """``pty``, ``socket``, or ``auto``: a pty where the system has them, else a socket."""
    if kind == "pty" or (kind == "auto" and sys.platform != "win32" and hasattr(os, "openpty")):
        return PtyLine()
    if kind in ("socket", "auto"):
        return SocketLine()
    raise ValueError(f"unknown line kind {kind!r}")
