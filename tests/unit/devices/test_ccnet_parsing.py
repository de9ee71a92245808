"""What the driver reads out of a unit's answers: the bill table, its identity, the mask."""

from __future__ import annotations

from decimal import Decimal

from cashier_app.devices.acceptor import Denomination
from cashier_app.devices.ccnet_answers import mask, parse_bill_table, parse_identity


def test_bill_table_entries_and_their_powers_of_ten() -> None:
    table = bytearray(120)
    table[0:5] = b"\x01RUS\x02"  # 1 × 10² = 100 RUB, type 0
    table[5:10] = b"\x05RUS\x03"  # 5000 RUB, type 1
    table[15:20] = b"\x05KAZ\x82"  # bit 7: two decimal places → 0.05 KZT, type 3
    assert parse_bill_table(bytes(table)) == (
        Denomination(0, Decimal("100.00"), "RUB"), Denomination(1, Decimal("5000.00"), "RUB"),
        Denomination(3, Decimal("0.05"), "KZT"))  # type 2 is empty: not a bill


def test_identity_fields() -> None:
    data = b"SM-RU1353      " + b"41K012345678" + bytes([0, 0, 0, 0, 1, 2, 3])
    identity = parse_identity(data)
    assert (identity.part_number, identity.serial_number) == ("SM-RU1353", "41K012345678")
    assert identity.asset_number == "00000000010203"


def test_enable_mask_has_type_zero_in_the_last_byte() -> None:
    assert mask({0}) == b"\x00\x00\x01"
    assert mask({23}) == b"\x80\x00\x00"
    assert mask({2, 3, 8}) == b"\x00\x01\x0c"
    assert mask(()) == b"\x00\x00\x00"
