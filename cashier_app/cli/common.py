"""What every ``cashier-app`` command module shares: the exit codes, the two errors the
dispatcher turns into one Russian line on stderr, and :func:`echo`, the one way a command
prints."""

from __future__ import annotations

import os
import re
import sys
from decimal import Decimal

from cashier_app.core.money import AmountError, parse_user_amount
from cashier_app.core.text import printable
from cashier_app.errors import UserFacingError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PENDING = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # Ctrl+C, as shells report it
#: What a person writes as money on a command line: ASCII digits, at most one separator and
#: two decimals (``200``, ``200.50``, ``200,5``). Not ``1e3``, ``1_000``, ``+5`` or other
#: scripts' digits, which Python's Decimal would all take.
WRITTEN_AMOUNT = re.compile(r"[0-9]{1,15}(?:[.,][0-9]{1,2})?")


class CommandFailed(UserFacingError):
    """A final error to report in one line and exit 1."""


class UsageError(UserFacingError):
    """Wrong arguments: reported in one line, exit 2."""


def written_amount(text: str, option: str) -> Decimal:
    """An amount typed on the command line (see :data:`WRITTEN_AMOUNT`); UsageError else."""
    if not WRITTEN_AMOUNT.fullmatch(text.strip()):
        raise UsageError(f"{option}: «{printable(text)[:40]}» — не сумма; пишите цифрами, "
                         "например 200 или 200.50")
    try:
        return parse_user_amount(text.strip())
    except AmountError as error:
        raise UsageError(f"{option}: {error}") from None


def echo(text: str, *, err: bool = False) -> None:
    """Print one line. Text that came from outside (a server's message, a service name) has
    its control characters removed — an ANSI escape must not repaint the terminal — and a
    reader that went away (``cashier-app journal | head``) ends the output quietly instead
    of with a traceback; the command's exit code still says what happened."""
    stream = sys.stderr if err else sys.stdout
    try:
        print("\n".join(printable(line) for line in text.split("\n")), file=stream,
              flush=True)
    except BrokenPipeError:
        silence(stream)


def silence(stream: object) -> None:
    """Point a closed stream's descriptor at the null device, so that the interpreter's
    final flush does not complain either."""
    try:
        fileno = stream.fileno()  # type: ignore[attr-defined]
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fileno)
        os.close(devnull)
    except (OSError, AttributeError, ValueError):
        pass
