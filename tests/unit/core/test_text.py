"""How text is written for people: one form for amounts, numbers and dates."""

from __future__ import annotations


def test_one_form_for_people() -> None:
    from datetime import date, datetime
    from decimal import Decimal

    from cashier_app.core.text import day, moment, money, number

    assert money(Decimal("4000")) == "4 000,00 ₽"
    assert money(Decimal("359.8"), rub=False) == "359,80"
    assert money(None) == "—"
    assert number(Decimal("4920")) == "4 920" and number(12) == "12"
    assert number(Decimal("4870.5")) == "4 870,5" and number(-1234567) == "-1 234 567"
    assert day("2026-12-01") == "01.12.2026" == day(date(2026, 12, 1))
    assert moment("2026-12-01T14:05:07.123") == "01.12.2026 14:05"
    assert moment(datetime(2026, 12, 1, 9, 3, 7), seconds=True) == "01.12.2026 09:03:07"
    assert moment(None) == "—" and moment("не дата") == "не дата"


def test_plural_follows_russian_counting() -> None:
    from cashier_app.core.text import plural

    words = [plural(n, "купюра", "купюры", "купюр") for n in (1, 2, 4, 5, 11, 12, 14, 21, 22,
                                                               25, 101, 111)]
    assert words == ["купюра", "купюры", "купюры", "купюр", "купюр", "купюр", "купюр",
                     "купюра", "купюры", "купюр", "купюра", "купюр"]
