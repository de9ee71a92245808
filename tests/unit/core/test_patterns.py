import time

import pytest

from cashier_app.core.patterns import (
    FieldShape,
    MatchOutcome,
    compile_server_pattern,
    shape_of,
    translate,
)


def match(pattern: str, value: str) -> MatchOutcome:
    return compile_server_pattern(pattern).match(value)


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (r"^\d{10}$", "7770017711", MatchOutcome.MATCH),
        (r"^\d{10}$", "777001771", MatchOutcome.NO_MATCH),
        (r"^\d{10}$", "77700177111", MatchOutcome.NO_MATCH),
        # \d means ASCII digits, as on the server: Arabic-Indic or full-width digits are not
        (r"^\d{10}$", "٧٧٧٠٠١٧٧١١", MatchOutcome.NO_MATCH),
        (r"^\d{3}$", "１２３", MatchOutcome.NO_MATCH),
        (r"^\D+$", "abc", MatchOutcome.MATCH),
        (r"^\D+$", "a1", MatchOutcome.NO_MATCH),
        (r"^[\d-]+$", "12-34", MatchOutcome.MATCH),
        (r"^[\d-]+$", "١٢", MatchOutcome.NO_MATCH),
        # $ is the end of the text: no sneaking a newline through
        (r"^\d{10}$", "7770017711\n", MatchOutcome.NO_MATCH),
        # an escaped \$ and a $ inside a class stay literal
        (r"^\d+\$$", "100$", MatchOutcome.MATCH),
        (r"^[$]\d$", "$5", MatchOutcome.MATCH),
        # \w keeps Unicode letters: names in Cyrillic
        (r"^[\w\s]+$", "Иванов Иван", MatchOutcome.MATCH),
        (r"^.+$", "Test fio", MatchOutcome.MATCH),
        (r"^\d{1,9}\.\d{2}$", "4350.00", MatchOutcome.MATCH),
        # unanchored patterns search, like the server's IsMatch
        (r"\d{3}", "ab123", MatchOutcome.MATCH),
        # a literal ']' first in a class
        (r"^[]a]+$", "]a", MatchOutcome.MATCH),
        # .NET/JS-style named group
        (r"^(?<code>\d{3})$", "123", MatchOutcome.MATCH),
    ],
)
def test_server_dialect(pattern: str, value: str, expected: MatchOutcome) -> None:
    assert match(pattern, value) is expected


def test_translation() -> None:
    assert translate(r"^\d{10}$") == r"^[0-9]{10}\Z"
    assert translate(r"[\d.]") == r"[0-9.]"
    assert translate(r"\\d") == r"\\d"  # an escaped backslash followed by d


@pytest.mark.parametrize("pattern", [r"^(a+)+$", r"^(\w+\s?)*$", r"(x+x+)+y", r"^(a|aa)+$"])
def test_pathological_pattern_is_bounded(pattern: str) -> None:
    value = "a" * 199 + "!" if "x" not in pattern else "x" * 199
    started = time.monotonic()
    outcome = match(pattern, value)
    assert time.monotonic() - started < 1.0
    assert outcome in (MatchOutcome.UNDECIDED, MatchOutcome.NO_MATCH)


@pytest.mark.parametrize("pattern", ["^[0-9", "(abc", "a{2,1}", "\\", "*a", "(?P<x"])
def test_invalid_pattern_is_a_described_problem(pattern: str) -> None:
    compiled = compile_server_pattern(pattern)
    assert compiled.compiled is None
    assert compiled.problem and pattern in compiled.problem
    assert compiled.match("anything") is MatchOutcome.UNDECIDED


@pytest.mark.parametrize(
    ("pattern", "shape"),
    [
        (r"^\d{10}$", FieldShape(True, 10, 10)),
        (r"^\d{1,12}$", FieldShape(True, 1, 12)),
        (r"^[0-9]{6,8}$", FieldShape(True, 6, 8)),
        (r"^\d+$", FieldShape(True, 1, None)),
        (r"^7\d{9}$", None),
        (r".+", None),
        (None, None),
    ],
)
def test_shape_for_masks(pattern: str | None, shape: FieldShape | None) -> None:
    assert shape_of(pattern) == shape
