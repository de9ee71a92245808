"""What every ``cashier-app`` command module shares: the exit codes and the two errors the
dispatcher turns into one Russian line on stderr."""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PENDING = 0, 1, 2, 3


class CommandFailed(Exception):
    """A final error to report in one line and exit 1."""


class UsageError(Exception):
    """Wrong arguments: reported in one line, exit 2."""
