"""Checking a typed value against a regexp that came from the processing center.

The pattern is the server's, so three things can go wrong that must not reach a cashier as a
crash or a frozen window:

* the dialect differs: in the server's engine ``\\d`` means the ASCII digits 0-9 and ``$`` is
  the end of the text; Python would also accept Arabic-Indic digits and a trailing newline.
  We rewrite ``\\d``/``\\D`` and ``$`` before compiling.
* the pattern is pathological (``^(a+)+$``) or the input long: matching uses the ``regex``
  module's timeout and the input length is bounded, so one check never takes more than
  ``timeout`` seconds.
* the pattern is not a valid regexp: that is a configuration problem of the service, reported
  as :class:`PatternProblem`, never an exception in the form.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache

import regex

#: Seed 003: account is «строка … длиной до 200 символов». Applied to every field.
MAX_VALUE_LENGTH = 200
#: Upper bound of one match, in seconds. Validation runs on every keystroke.
MATCH_TIMEOUT = 0.05


class PatternProblem(ValueError):
    """The server sent a regexp we cannot use. A configuration problem, not the cashier's."""


class MatchOutcome(enum.Enum):
    MATCH = "match"
    NO_MATCH = "no_match"
    UNDECIDED = "undecided"  # the pattern is broken or took too long: the server will judge


@dataclass(frozen=True)
class ServerPattern:
    source: str
    compiled: regex.Pattern[str] | None
    problem: str | None

    def match(self, value: str, timeout: float = MATCH_TIMEOUT) -> MatchOutcome:
        if self.compiled is None:
            return MatchOutcome.UNDECIDED
        try:
            found = self.compiled.search(value, timeout=timeout)
        except TimeoutError:
            return MatchOutcome.UNDECIDED
        return MatchOutcome.MATCH if found else MatchOutcome.NO_MATCH


def translate(source: str) -> str:
    """Rewrite a server pattern into the ``regex`` module's dialect with the server's meaning.

    ``\\d`` → ``[0-9]`` (``0-9`` inside a class), ``\\D`` → ``[^0-9]`` outside a class, an
    unescaped ``$`` outside a class → ``\\Z`` (end of text, no trailing newline allowed).
    """
    out: list[str] = []
    i = 0
    in_class = False
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "\\":
            if i + 1 >= n:
                raise PatternProblem("шаблон заканчивается обратной косой чертой")
            nxt = source[i + 1]
            if nxt == "d":
                out.append("0-9" if in_class else "[0-9]")
            elif nxt == "D" and not in_class:
                out.append("[^0-9]")
            else:
                out.append(source[i : i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":  # a ']' first in the class was consumed when the class opened
                in_class = False
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            if i < n and source[i] == "^":
                out.append("^")
                i += 1
            if i < n and source[i] == "]":
                out.append("]")
                i += 1
            continue
        if ch == "$":
            out.append(r"\Z")
            i += 1
            continue
        out.append(ch)
        i += 1
    if in_class:
        raise PatternProblem("незакрытая квадратная скобка в шаблоне")
    return "".join(out)


@lru_cache(maxsize=1024)
def compile_server_pattern(source: str) -> ServerPattern:
    """Compile once per distinct pattern; a broken one becomes a described problem."""
    try:
        compiled = regex.compile(translate(source))
    except PatternProblem as problem:
        return ServerPattern(source, None,
                             f"некорректное регулярное выражение «{source}»: {problem}")
    except (regex.error, OverflowError, RecursionError, ValueError) as error:
        return ServerPattern(source, None, f"некорректное регулярное выражение «{source}»: {error}")
    return ServerPattern(source, compiled, None)


@dataclass(frozen=True)
class FieldShape:
    """What a simple pattern says about a field's shape, for input masks and hints."""

    digits_only: bool
    min_length: int | None
    max_length: int | None


_DIGITS_SHAPE = regex.compile(r"^\^?(?:\\d|\[0-9\])(?:\{(\d+)(?:,(\d*))?\}|(\+)|(\*))?\$?$")


def shape_of(source: str | None) -> FieldShape | None:
    """Recognise ``^\\d{10}$``, ``^\\d{1,12}$``, ``^[0-9]+$`` and the like; else ``None``."""
    if not source:
        return None
    found = _DIGITS_SHAPE.match(source)
    if not found:
        return None
    low, high, plus, star = found.groups()
    if low is not None:
        minimum = int(low)
        maximum = minimum if high is None else (int(high) if high else None)
        return FieldShape(True, minimum, maximum)
    if plus:
        return FieldShape(True, 1, None)
    if star:
        return FieldShape(True, 0, None)
    return FieldShape(True, 1, 1)
