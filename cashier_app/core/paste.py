"""What a cashier pastes (or types) into a form field, made into what the field can take.

Numbers come from messages and spreadsheets: `` 123 456 7890`` with a line end from an
Excel cell, ``+7 (905) 123-45-67`` from a chat. A digits-only field's mask would refuse such a
paste whole and the field would stay empty with no word said. :func:`clean_input` takes out
only what cannot be part of the value — white space, line ends, the separators and the
country prefix of a phone number — and only when the result is something the field accepts.
Anything else is left as it was pasted, with the reason it does not fit, for the cashier to
fix: a guess at a different number would be worse than a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .patterns import FieldShape, MatchOutcome, ServerPattern
from .text import plural

# White space as it arrives from messengers and spreadsheets: NO-BREAK and thin spaces, the
# zero-width characters and marks some apps put around a phone number, a BOM.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
_LINE_ENDS = "\r\n\v\f\x85\u2028\u2029"
_TABS = "\t"
_SPACES = " \u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u3000"
_BLANK = set(_INVISIBLE + _LINE_ENDS + _TABS + _SPACES)
# What people put between the digits of a phone number.
_PHONE_SEPARATORS = set("-()." "\u2010\u2011\u2012\u2013\u2014\u2212")
_DIGITS = re.compile(r"[0-9]*")
_LETTER = re.compile(r"[^\W\d_]")

SPACES = "пробелов"
LINE_ENDS = "перевода строки"
TABS = "табуляции"
BRACKETS = "скобок"
DASHES = "дефисов"
DOTS = "точек"


@dataclass(frozen=True)
class Cleaned:
    """The value to put in the field, what was taken out of it (in words, to follow «без»)
    and, when even that does not fit, why (then ``text`` is the paste as it was)."""

    text: str
    removed: tuple[str, ...] = ()
    problem: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.removed)

    def note(self, verb: str = "Вставлено") -> str:
        """What to tell the cashier under the field: «Вставлено без пробелов и +7:
        9051234567», «Вставлено как есть: в тексте есть буквы — исправьте вручную», or
        nothing when the text went in unchanged."""
        if self.problem:
            return f"{verb} как есть: {self.problem} — исправьте вручную"
        if not self.removed or not self.text:
            return ""
        return f"{verb} без {_join(self.removed)}: {self.text}"


def is_phone(name: str, label: str) -> bool:
    """A phone number field: only there do brackets, dashes and +7 mean a phone's writing."""
    text = f"{name} {label}".lower()
    return "телефон" in text or "phone" in text


def clean_input(text: str, *, pattern: ServerPattern | None = None,
                shape: FieldShape | None = None, phone: bool = False) -> Cleaned:
    """The least change that makes ``text`` acceptable to the field.

    Acceptable: for a digits-only field (``shape``), digits and no more of them than the
    field holds (a number still being typed is acceptable; the form says it is short);
    otherwise a match of the server's ``pattern`` (no pattern: any text). Tried in order,
    first acceptable wins: the text with its ends trimmed; without the spaces inside; for a
    phone without brackets, dashes and dots; for a phone of N digits given as N+1 starting
    with 7 or 8 (``+7 905…``, ``8 905…``), without that prefix. Nothing acceptable: the text
    as pasted (line ends and tabs as spaces, ends trimmed) and the reason.
    """
    trimmed, removed = _trim(text)
    candidates: list[tuple[str, tuple[str, ...]]] = [(trimmed, removed)]
    inner = set(trimmed) & _BLANK
    squeezed = "".join(ch for ch in trimmed if ch not in _BLANK)
    if inner:
        candidates.append((squeezed, _merge(removed, _blank_words(inner))))
    current, words = candidates[-1]
    if phone:
        found = set(current) & _PHONE_SEPARATORS
        if found:
            current = "".join(ch for ch in current if ch not in _PHONE_SEPARATORS)
            words = _merge(words, _separator_words(found))
            candidates.append((current, words))
        prefixed = _without_prefix(current, shape, pattern)
        if prefixed is not None:
            candidates.append((prefixed[0], _merge(words, (prefixed[1],))))
    for value, taken in candidates:
        if _acceptable(value, pattern, shape):
            return Cleaned(value, taken)
    kept = "".join(" " if ch in _LINE_ENDS or ch in _TABS else ch
                   for ch in trimmed.replace("\r\n", "\n"))
    if shape is None or not shape.digits_only:
        # no mask refuses it: the text goes in and the form's own check says what is wrong
        return Cleaned(kept, removed)
    return Cleaned(kept, (), _why(candidates[-1][0], shape))


def _trim(text: str) -> tuple[str, tuple[str, ...]]:
    start, end = 0, len(text)
    while start < end and text[start] in _BLANK:
        start += 1
    while end > start and text[end - 1] in _BLANK:
        end -= 1
    cut = set(text[:start]) | set(text[end:])
    return text[start:end], _blank_words(cut)


def _blank_words(chars: set[str]) -> tuple[str, ...]:
    words = []
    if chars & set(_SPACES + _INVISIBLE):
        words.append(SPACES)
    if chars & set(_TABS):
        words.append(TABS)
    if chars & set(_LINE_ENDS):
        words.append(LINE_ENDS)
    return tuple(words)


def _separator_words(chars: set[str]) -> tuple[str, ...]:
    words = []
    if chars & set("()"):
        words.append(BRACKETS)
    if chars - set("()."):
        words.append(DASHES)
    if "." in chars:
        words.append(DOTS)
    return tuple(words)


def _merge(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return first + tuple(word for word in second if word not in first)


def _without_prefix(value: str, shape: FieldShape | None, pattern: ServerPattern | None
                    ) -> tuple[str, str] | None:
    """``+79051234567`` / ``89051234567`` / ``79051234567`` for a field of ten digits:
    the number without its country or trunk prefix, and that prefix in words."""
    plus = value.startswith("+")
    digits = value[1:] if plus else value
    if not digits.isascii() or not digits.isdigit() or len(digits) < 2:
        return None
    first, rest = digits[0], digits[1:]
    if first not in "78" or (plus and first != "7"):
        return None
    if not _acceptable(rest, pattern, shape) or not _complete(rest, pattern, shape):
        return None
    return rest, ("+7" if plus else f"{first} в начале")


def _acceptable(value: str, pattern: ServerPattern | None, shape: FieldShape | None) -> bool:
    if shape is not None and shape.digits_only:
        if not _DIGITS.fullmatch(value):
            return False
        return shape.max_length is None or len(value) <= shape.max_length
    if pattern is None or value == "":
        return True
    return pattern.match(value) is not MatchOutcome.NO_MATCH


def _complete(value: str, pattern: ServerPattern | None, shape: FieldShape | None) -> bool:
    """Not just acceptable while typing but the whole value the field asks for."""
    if pattern is not None:
        return pattern.match(value) is not MatchOutcome.NO_MATCH
    if shape is not None and shape.min_length is not None:
        return len(value) >= shape.min_length
    return True


def _why(value: str, shape: FieldShape) -> str:
    """Why a digits-only field cannot take ``value`` (the paste at its most cleaned)."""
    digits = sum(ch.isascii() and ch.isdigit() for ch in value)
    others = [ch for ch in value if not (ch.isascii() and ch.isdigit())]
    if any(_LETTER.match(ch) for ch in others):
        return "в тексте есть буквы"
    shown = ", ".join(f"«{ch}»" for ch in dict.fromkeys(others) if ch not in _BLANK)
    if shown:
        return f"в тексте есть знаки {shown}"
    if shape.max_length is not None and digits > shape.max_length:
        return (f"в тексте {digits} {_digits_word(digits)}, а в поле "
                f"{shape.max_length} {_digits_word(shape.max_length)}")
    return "текст не подходит к этому полю"


def _digits_word(count: int) -> str:
    return plural(count, "цифра", "цифры", "цифр")


def _join(words: tuple[str, ...]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " и " + words[-1]
