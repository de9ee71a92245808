import pytest

from cashier_app.core.result_codes import (
    NON_FINAL_CODES,
    RESULT_CODES,
    Finality,
    cashier_message,
    classify,
)

# Table 1 of seed 003, transcribed independently of the code under test.
TABLE_1 = {0: True, 1: False, 4: True, 5: True, 7: True, 8: True, 130: True, 153: False,
           155: True, 202: True, 215: True, 220: False, 250: True, 241: True, 242: True,
           255: False, 300: True}


def test_table_is_complete() -> None:
    assert set(RESULT_CODES) == set(TABLE_1)
    assert {code: rc.final for code, rc in RESULT_CODES.items()} == TABLE_1


@pytest.mark.parametrize(("code", "final"), sorted(TABLE_1.items()))
def test_finality_of_every_code(code: int, final: bool) -> None:
    finality = classify(code)
    if code == 0:
        assert finality is Finality.SUCCESS
    elif final:
        assert finality is Finality.FINAL_ERROR
    else:
        assert finality is Finality.NOT_FINAL


def test_non_final_codes() -> None:
    assert NON_FINAL_CODES == {1, 153, 220, 255}


def test_202_is_final_only_for_a_first_request() -> None:
    assert classify(202) is Finality.FINAL_ERROR
    assert classify(202, after_non_final=True) is Finality.NOT_FINAL
    # the rule is for 202 alone
    assert classify(300, after_non_final=True) is Finality.FINAL_ERROR
    assert classify(0, after_non_final=True) is Finality.SUCCESS


def test_unknown_code_keeps_the_payment_pending() -> None:
    assert classify(999) is Finality.NOT_FINAL
    assert classify(-1) is Finality.NOT_FINAL


def test_cashier_messages_are_russian_with_the_code() -> None:
    assert cashier_message(5) == "Абонент не найден — проверьте номер (код 5)"
    assert "(код 999)" in cashier_message(999, "Something odd")
    assert "Something odd" in cashier_message(999, "Something odd")
