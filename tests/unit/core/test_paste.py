"""Pasted and typed numbers made into what the field can take, or kept and explained."""

from __future__ import annotations

import pytest

from cashier_app.core.paste import Cleaned, clean_input, is_phone
from cashier_app.core.patterns import compile_server_pattern, shape_of

TEN = r"^\d{10}$"


def phone(text: str, regexp: str = TEN) -> Cleaned:
    return clean_input(text, pattern=compile_server_pattern(regexp), shape=shape_of(regexp),
                       phone=True)


def account(text: str, regexp: str = TEN) -> Cleaned:
    return clean_input(text, pattern=compile_server_pattern(regexp), shape=shape_of(regexp))


@pytest.mark.parametrize(("pasted", "value", "note"), [
    (" 123 456 7890\n", "1234567890", "Вставлено без пробелов и перевода строки: 1234567890"),
    ("1234567890\r\n", "1234567890", "Вставлено без перевода строки: 1234567890"),
    ("+7 (905) 123-45-67", "9051234567",
     "Вставлено без пробелов, скобок, дефисов и +7: 9051234567"),
    ("+7 905 123 45 67", "9051234567", "Вставлено без пробелов и +7: 9051234567"),
    ("9101234567 \n", "9101234567", "Вставлено без пробелов и перевода строки: 9101234567"),
    ("8 905 123-45-67", "9051234567",
     "Вставлено без пробелов, дефисов и 8 в начале: 9051234567"),
    ("79051234567", "9051234567", "Вставлено без 7 в начале: 9051234567"),
    ("\u00a0905\u00a0123\u00a045\u00a067\t", "9051234567",
     "Вставлено без пробелов и табуляции: 9051234567"),
    ("\u202a+7\u2011905\u2011123\u201145\u201167\u202c", "9051234567",
     "Вставлено без пробелов, дефисов и +7: 9051234567"),
    ("9051234567", "9051234567", ""),
    ("905", "905", ""),  # short, but a number still being typed: the form says it is short
])
def test_a_phone_number_as_people_copy_it(pasted: str, value: str, note: str) -> None:
    cleaned = phone(pasted)
    assert (cleaned.text, cleaned.problem, cleaned.note()) == (value, "", note)


@pytest.mark.parametrize(("pasted", "kept", "problem"), [
    ("Номер: 9051234567", "Номер: 9051234567", "в тексте есть буквы"),
    ("9051234567\n9057654321", "9051234567 9057654321", "в тексте 20 цифр, а в поле 10 цифр"),
    ("9051234567\r\n9057654321\r\n", "9051234567 9057654321",
     "в тексте 20 цифр, а в поле 10 цифр"),
    ("905/123/45/67", "905/123/45/67", "в тексте есть знаки «/»"),
    ("+1 (905) 123-45-67", "+1 (905) 123-45-67", "в тексте есть знаки «+»"),
    ("9 905 123 45 67", "9 905 123 45 67", "в тексте 11 цифр, а в поле 10 цифр"),
])
def test_what_cannot_be_made_a_number_is_kept_with_the_reason(pasted: str, kept: str,
                                                              problem: str) -> None:
    cleaned = phone(pasted)
    assert (cleaned.text, cleaned.problem) == (kept, problem)
    assert cleaned.note() == f"Вставлено как есть: {problem} — исправьте вручную"


def test_only_a_phone_loses_brackets_dashes_and_its_prefix() -> None:
    assert account(" 1000 0000 01\r\n").text == "1000000001"  # spaces: any digits field
    assert account("89051234567").problem == "в тексте 11 цифр, а в поле 10 цифр"
    assert account("+7 905 123 45 67").problem == "в тексте есть знаки «+»"
    assert account("100-000-0001").problem == "в тексте есть знаки «-»"


def test_eleven_digits_the_field_takes_are_not_cut() -> None:
    cleaned = phone("89051234567", r"^\d{10,11}$")
    assert (cleaned.text, cleaned.changed) == ("89051234567", False)


def test_a_field_with_a_pattern_but_no_mask() -> None:
    kcell = r"^7\d{9}$"  # Kazakhstan: the country code is +7 too
    assert phone("+7 705 123 45 67", kcell).text == "7051234567"
    email = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    cleaned = account(" a@b.ru\r\n", email)
    assert (cleaned.text, cleaned.note()) == (
        "a@b.ru", "Вставлено без пробелов и перевода строки: a@b.ru")
    # no mask refuses it: it goes in, the form's own check says what is wrong
    assert account("не почта\n", email) == Cleaned("не почта", ("перевода строки",))
    free = clean_input("  Иванов Иван \n")
    assert free.text == "Иванов Иван"  # inner spaces of free text stay


def test_typed_text_is_described_with_its_own_verb() -> None:
    assert phone("89051234567").note("Введено") == "Введено без 8 в начале: 9051234567"
    assert phone("   ").note() == ""  # nothing left to show


def test_which_fields_are_phones() -> None:
    assert is_phone("account", "Номер телефона")
    assert is_phone("phone", "")
    assert not is_phone("account", "Номер лицевого счета")
