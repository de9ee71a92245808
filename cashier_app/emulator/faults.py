"""Fault rules of the emulators: a rule applies to the next ``times`` requests of a method
(optionally only those whose body fields match) — an answer with another code, late, lost,
reset, an HTTP error, a broken body; ``when="after"``: the request is processed first and
its answer lost (see :mod:`.server` for the actions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ACTIONS = ("code", "delay", "drop", "reset", "http", "broken_json")


@dataclass
class FaultRule:
    method: str = "*"
    action: str = "code"
    times: int = 1  # -1: every matching request
    result: int = 1
    seconds: float = 0.0
    status: int = 502
    when: str = "before"
    match: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # JSON gives Decimal and maybe strings; the rule works in plain numbers
        self.seconds = float(self.seconds)
        self.times, self.result, self.status = int(self.times), int(self.result), int(self.status)
        if self.seconds < 0:
            raise ValueError("fault 'seconds' must not be negative")
        if self.action not in ACTIONS:
            raise ValueError(f"unknown fault action {self.action!r}; one of {ACTIONS}")
        if self.when not in ("before", "after"):
            raise ValueError("fault 'when' is 'before' or 'after'")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultRule:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        unknown = set(data) - set(known)
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        return cls(**known)

    def matches(self, method: str, body: Any) -> bool:
        if self.method not in ("*", method):
            return False
        if not self.match:
            return True
        if not isinstance(body, dict):
            return False
        return all(body.get(key) == value for key, value in self.match.items())
