"""Outcomes that are not a protocol answer.

Everything here except :class:`AuthError` is *non-final* for a payment: the request may or may
not have reached the processing center, so it is repeated unchanged later (seed 003: no answer
is a non-final error). :class:`AuthError` is a configuration problem the cashier cannot fix;
a payment in flight still stays pending, never failed.
"""

from __future__ import annotations

from cashier_app.core.answer_fields import ResponseFormatError
from cashier_app.errors import UserFacingError

__all__ = ["AuthError", "ProcessingError", "ResponseFormatError", "TransportError"]


class ProcessingError(UserFacingError):
    """Base class. ``str()`` is a one-line Russian message fit for a cashier."""

    final = False


class TransportError(ProcessingError):
    """No usable answer: refused, reset, timeout, TLS, HTTP 5xx or other status, a body not
    JSON, too large or in an unknown encoding.

    ``str()`` reaches the journal and the cashier's screen, so it is one of the client's fixed
    Russian texts, never the text of an underlying exception (that may quote a header, and
    with it the token); the detail goes to the log. ``kind`` is a short word for code.
    """

    def __init__(self, kind: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


class AuthError(ProcessingError):
    """HTTP 401/403: the token (or the point's IP) is not accepted. Fix the settings.

    ``status`` is None when nothing was sent because the token itself cannot go into an HTTP
    header (then ``message`` says so): the same fix, in the same place.
    """

    def __init__(self, status: int | None, message: str | None = None) -> None:
        super().__init__(message or (
            f"Процессинг отклонил авторизацию (HTTP {status}): проверьте токен и адрес "
            "процессинга в настройках"
        ))
        self.status = status
