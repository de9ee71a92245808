"""CCNET frames on the wire: ``SYNC ADR LNG CMD DATA… CRC_L CRC_H``.

``SYNC`` is 0x02, ``ADR`` the peripheral's address (0x03 for a bill validator), ``LNG`` the
length of the whole frame from SYNC to the CRC inclusive; a frame longer than 250 bytes
carries LNG 0 and its length in two bytes (big-endian) — after the command in a command,
right after LNG in an answer, which has no command byte. The CRC is the
CCNET CRC16: polynomial 0x8408 (CCITT reflected), initial value 0, bytes fed least-significant
bit first, over every byte from SYNC to the end of the data, sent low byte first — so POLL is
``02 03 06 33 DA 81`` and the controller's ACK ``02 03 06 00 C2 82``.

Sources: CashCode "CCNET Document 1, Common Specifications" Rev 2.6.0, §2.1–2.3 p.8–11 (frame,
CRC routine p.9), and public drivers that implement it —
dimoniche/Service ``ServiceSaleMachine.Drivers/CCNET/CCRSProtocol.cs`` (constants, CRC),
desionlab/node-cashcode-bv ``build/Const/CCNet.js`` (SYNC, CRC_POLY 0x08408, addresses).

:class:`FrameReader` takes whatever bytes the line gives — garbage, a cut frame, a frame with
a bad CRC, several frames at once — and yields only whole frames whose CRC is right; it drops
bytes up to the next SYNC after anything it cannot use, so it resynchronises by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

SYNC = 0x02
ADDRESS_BILL_VALIDATOR = 0x03
#: the longest frame with its length in LNG; longer ones use the extended form
MAX_SHORT = 250
#: no frame of a bill validator is anywhere near this; a longer "length" is line noise
MAX_FRAME = 1024


def crc16(data: bytes) -> int:
    """The CCNET CRC16 of ``data``."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def encode(command: int | None, data: bytes = b"",
           address: int = ADDRESS_BILL_VALIDATOR) -> bytes:
    """A whole frame: ``command`` first in the body (None: the body is ``data`` alone, as in
    a peripheral's answer, whose first byte is its state or ACK/NAK)."""
    body = (bytes([command]) if command is not None else b"") + data
    length = 3 + len(body) + 2
    if length <= MAX_SHORT:
        head = bytes([SYNC, address, length])
    else:  # LNG 0, then the length in two bytes: after CMD in a command, at once in an answer
        length += 2
        head = bytes([SYNC, address, 0])
        at = 1 if command is not None else 0
        body = body[:at] + length.to_bytes(2, "big") + body[at:]
    frame = head + body
    crc = crc16(frame)
    return frame + bytes([crc & 0xFF, crc >> 8])


@dataclass(frozen=True)
class Frame:
    address: int
    body: bytes  # CMD (or the answer's first byte) and the data

    @property
    def code(self) -> int | None:
        return self.body[0] if self.body else None

    @property
    def data(self) -> bytes:
        return self.body[1:]


class FrameReader:
    """Whole, correct frames out of a byte stream; counts what it had to throw away.
    ``commands``: the stream carries commands (the unit's side) rather than answers — the
    two differ only in where an extended length sits."""

    def __init__(self, *, commands: bool = False,
                 address: int = ADDRESS_BILL_VALIDATOR) -> None:
        self._at = 4 if commands else 3
        self.address = address  # a SYNC not followed by this address is noise
        self._buffer = bytearray()
        self.dropped = 0  # bytes discarded: noise, cut frames, bad CRC
        self.bad_crc = 0

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        while True:
            frame = self._next()
            if frame is None:
                return frames
            frames.append(frame)

    def pending(self) -> int:
        return len(self._buffer)

    def clear(self) -> None:
        self.dropped += len(self._buffer)
        self._buffer.clear()

    def _next(self) -> Frame | None:
        buffer = self._buffer
        while True:
            start = buffer.find(SYNC)
            if start < 0:
                self.dropped += len(buffer)
                buffer.clear()
                return None
            if start:
                self.dropped += start
                del buffer[:start]
            if len(buffer) < 3:
                return None
            if buffer[1] != self.address:
                self._skip()
                continue
            length = buffer[2]
            if length == 0:  # extended: two length bytes (after CMD in a command)
                if len(buffer) < self._at + 2:
                    return None
                length = int.from_bytes(buffer[self._at:self._at + 2], "big")
            if length < 5 or length > MAX_FRAME:
                self._skip()  # not a frame start: a SYNC byte inside noise
                continue
            if len(buffer) < length:
                return None
            frame = bytes(buffer[:length])
            if crc16(frame[:-2]) != frame[-2] | frame[-1] << 8:
                self.bad_crc += 1
                self._skip()
                continue
            del buffer[:length]
            body = frame[3:-2]
            if frame[2] == 0:
                at = self._at - 3
                body = body[:at] + body[at + 2:]
            return Frame(frame[1], body)

    def _skip(self) -> None:
        """Drop this SYNC and look for the next one."""
        self.dropped += 1
        del self._buffer[:1]
