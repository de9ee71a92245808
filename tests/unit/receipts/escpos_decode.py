"""Reads ESC/POS bytes back into printed lines, as a printer would: the commands this program
sends are understood, text is CP866. Tests use it to check golden receipts and what a printer
on loopback received. An unknown command fails loudly rather than being skipped."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Printed:
    text: str = ""
    bold: bool = False
    big: bool = False
    qr: str | None = None


@dataclass
class Decoded:
    lines: list[Printed] = field(default_factory=list)
    codepage: int | None = None
    cuts: int = 0
    images: int = 0
    status_queries: int = 0

    def text(self) -> str:
        return "\n".join(f"[QR: {line.qr}]" if line.qr is not None else line.text
                         for line in self.lines) + "\n"


def decode(data: bytes) -> Decoded:
    out = Decoded()
    bold = big = False
    current = bytearray()
    qr_data: bytes | None = None
    i = 0

    def flush() -> None:
        out.lines.append(Printed(current.decode("cp866"), bold, big))
        current.clear()

    while i < len(data):
        byte = data[i]
        if byte == 0x0A:
            flush()
            i += 1
        elif byte == 0x1B:  # ESC
            command = data[i + 1]
            if command == ord("@"):
                i += 2
            elif command == ord("t"):
                out.codepage = data[i + 2]
                i += 3
            elif command == ord("E"):
                bold = bool(data[i + 2])
                i += 3
            elif command == ord("!"):
                big = bool(data[i + 2] & 0x10)
                bold = bool(data[i + 2] & 0x08)
                i += 3
            elif command in (ord("a"), ord("d")):
                i += 3
            else:
                raise ValueError(f"unknown ESC {command:#x} at {i}")
        elif byte == 0x1D:  # GS
            command = data[i + 1]
            if command == ord("V"):
                out.cuts += 1
                i += 3 if data[i + 2] in (0, 1, 48, 49) else 4
            elif command == ord("(") and data[i + 2] == ord("k"):
                length = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5:i + 5 + length]
                if body[:3] == b"1P0":
                    qr_data = body[3:]
                elif body[:3] == b"1Q0" and qr_data is not None:
                    out.lines.append(Printed(qr=qr_data.decode("utf-8")))
                    qr_data = None
                i += 5 + length
            elif command == ord("v") and data[i + 2] == ord("0"):
                width = data[i + 4] + 256 * data[i + 5]
                height = data[i + 6] + 256 * data[i + 7]
                out.images += 1
                out.lines.append(Printed(qr=f"<image {width * 8}x{height}>"))
                i += 8 + width * height
            else:
                raise ValueError(f"unknown GS {command:#x} at {i}")
        elif byte == 0x10 and data[i + 1] == 0x04:  # DLE EOT n: a status query
            out.status_queries += 1
            i += 3
        else:
            current.append(byte)
            i += 1
    if current:
        flush()
    return out
