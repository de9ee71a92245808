"""Durable file writes: a crash or power cut leaves the old content or the new, never half."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, fsync it, rename over ``path``, fsync the
    folder so the rename itself survives a power cut."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # not on Windows, where the rename is durable enough
        dir_fd = os.open(path.parent, os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def make_private(directory: Path) -> None:
    """The data directory holds other people's payments: owner-only on POSIX — the directory
    0700, what is in it 0600 (a journal made by an older version was 0644). New files stay
    private through the umask set at start-up (:func:`private_umask`). No-op on Windows,
    where the per-user profile directory is private already."""
    if sys.platform == "win32":
        return
    directory.mkdir(parents=True, exist_ok=True)
    for path in (directory, *directory.rglob("*")):
        try:
            mode = path.lstat().st_mode
            if path.is_symlink():
                continue
            wanted = 0o700 if path.is_dir() else 0o600
            if mode & 0o777 != wanted and mode & 0o077:
                path.chmod(wanted)
        except OSError:
            continue  # not ours to fix (another user's file); the journal check will say


def private_umask() -> None:
    """Files this program creates are readable by its user only (POSIX)."""
    if sys.platform != "win32":
        os.umask(0o077)
