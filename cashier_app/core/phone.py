"""A phone number as a person reads it on a terminal's screen: ``+7 (905) 123-45-67``, the
digits not typed yet shown as blanks — so that nobody types the 8 or the 7 the field does
not want. Which fields are phones is read from the service's own definition."""

from __future__ import annotations

from .patterns import shape_of
from .services import FieldSpec

PHONE_WORDS = ("телефон", "мобильн")


def is_phone(spec: FieldSpec) -> bool:
    """A field of exactly ten digits whose title speaks of a phone (the seed's mobile
    services: «Номер телефона», regexp ``^\\d{10}$``)."""
    shape = shape_of(spec.regexp)
    return bool(shape and shape.digits_only and shape.min_length == shape.max_length == 10
                and any(word in spec.label.lower() for word in PHONE_WORDS))


def phone_mask(digits: str) -> str:
    """Ten digits (or fewer, as typed) under the mask; blanks for the rest."""
    padded = (digits + "_" * 10)[:10]
    return f"+7 ({padded[:3]}) {padded[3:6]}-{padded[6:8]}-{padded[8:10]}"
