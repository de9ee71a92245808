"""The program's version: the one in ``pyproject.toml``, read from the installed package's
metadata (pip writes it from pyproject; the frozen build carries that metadata), or from
``pyproject.toml`` itself in a source tree that was never installed. Read on demand: the
metadata library costs start-up time that only ``--version`` and the build need."""

from __future__ import annotations

import tomllib

from .resources import resources_dir

DISTRIBUTION = "cashier-app"


def program_version() -> str:
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pyproject = resources_dir().parent / "pyproject.toml"  # the source tree's root
        try:
            project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
            return str(project["version"])
        except (OSError, ValueError, KeyError):
            return "неизвестна"
