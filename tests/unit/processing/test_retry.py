import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashier_app.processing.retry import RetryPolicy


def test_default_intervals_start_at_one_second_grow_and_cap() -> None:
    delays = list(itertools.islice(RetryPolicy().delays(), 9))
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_configurable() -> None:
    policy = RetryPolicy(initial=0.5, factor=3, maximum=10)
    assert [policy.delay(n) for n in range(1, 6)] == [0.5, 1.5, 4.5, 10, 10]


def test_huge_retry_numbers_do_not_overflow() -> None:
    assert RetryPolicy().delay(10_000) == 60


@pytest.mark.parametrize("kwargs", [{"initial": 0}, {"factor": 0.5}, {"maximum": 0.1},
                                    {"initial": float("nan")}])
def test_nonsense_policy_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


@given(st.floats(0.01, 10), st.floats(1, 5), st.floats(10, 600), st.integers(1, 200))
def test_intervals_never_shrink_and_never_exceed_the_cap(initial: float, factor: float,
                                                         maximum: float, n: int) -> None:
    policy = RetryPolicy(initial, factor, maximum)
    assert policy.delay(n) <= policy.delay(n + 1) <= maximum
    assert policy.delay(1) == initial
