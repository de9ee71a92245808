"""What a CCNET unit's data answers mean: its bill table (GET BILL TABLE), its identity
(IDENTIFICATION), and the three-byte bill mask of ENABLE BILL TYPES — CashCode "CCNET
Document 1, Common Specifications", p.42–43 (layouts), p.14 (the mask: type 0 in the lowest
bit of the last byte)."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from .acceptor import Denomination, Identity

#: the country a unit's table names → the currency of its bills
CURRENCY = {"RUS": "RUB", "KAZ": "KZT", "BLR": "BYN", "UZB": "UZS", "KGZ": "KGS",
            "ARM": "AMD", "AZE": "AZN", "GEO": "GEL", "TJK": "TJS", "MDA": "MDL"}


def parse_bill_table(data: bytes) -> tuple[Denomination, ...]:
    """24 entries of 5 bytes: the value's leading digits, three letters of the country, the
    power of ten (bit 7 set: a negative power). An all-zero entry is an unused type."""
    bills = []
    for bill_type in range(len(data) // 5):
        entry = data[bill_type * 5:bill_type * 5 + 5]
        digits, country, power = entry[0], entry[1:4], entry[4]
        if digits == 0:
            continue
        exponent = -(power & 0x7F) if power & 0x80 else power
        amount = Decimal(digits).scaleb(exponent).quantize(Decimal("0.01"))
        letters = country.decode("ascii", "replace").strip()
        bills.append(Denomination(bill_type, amount, CURRENCY.get(letters, letters)))
    return tuple(bills)


def parse_identity(data: bytes) -> Identity:
    """Part number (15 bytes of text), serial number (12), asset number (7, binary)."""
    return Identity(data[:15].decode("ascii", "replace").strip(),
                    data[15:27].decode("ascii", "replace").strip(),
                    data[27:34].hex() if len(data) >= 34 else "")


def mask(bill_types: Collection[int]) -> bytes:
    """Three bytes, bill type 0 in the lowest bit of the last byte."""
    bits = 0
    for bill_type in bill_types:
        bits |= 1 << bill_type
    return bits.to_bytes(3, "big")
