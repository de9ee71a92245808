"""One kind of error the program says to a person: :class:`UserFacingError`, whose ``str()``
is a finished Russian sentence (what happened and, where it helps, what to do). The window
shows it as it is, the command line prints it on one line; anything else that escapes is a
bug — logged with its traceback, and told to the person only as «внутренняя ошибка».

Every layer's own errors derive from it (a full disk, a refused payment, a printer out of
paper, a bad setting…), so a front end needs one ``except`` for everything it can explain.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """``str()`` is Russian, for the cashier, the supervisor or the engineer."""
