"""The core must run without Qt: importing it must not load PySide6."""

import subprocess
import sys

CORE_MODULES = [
    "cashier_app.core.money", "cashier_app.core.wire", "cashier_app.core.result_codes",
    "cashier_app.core.patterns", "cashier_app.core.services", "cashier_app.processing.client",
    "cashier_app.processing.models", "cashier_app.processing.requests",
    "cashier_app.processing.retry", "cashier_app.emulator", "cashier_app.engine.catalog",
    "cashier_app.settings", "cashier_app.cli", "cashier_app.bootstrap", "cashier_app.engine",
    "cashier_app.journal", "cashier_app.cli.payments", "cashier_app.core.schemes",
    "cashier_app.core.states", "cashier_app.core.search", "cashier_app.fsutil",
    "cashier_app.receipts.document", "cashier_app.receipts.layout",
    "cashier_app.receipts.escpos_render", "cashier_app.receipts.printers",
    "cashier_app.receipts.service", "cashier_app.cli.receipts",
]


def test_core_imports_no_qt() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in CORE_MODULES)
        + "qt = ('PySide6', 'shiboken6', 'qasync')\n"
        + "bad = sorted(m for m in sys.modules if m.startswith(qt))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
