from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import emulator_at, free_port


@pytest.fixture
def emulator_process(tmp_path: Path) -> Iterator[str]:
    """A ``cashier-app emulator`` process on a free port; yields its base URL."""
    with emulator_at(free_port(), tmp_path) as url:
        yield url
