"""``cashier-app``: the window by default, headless commands for scripts and support — one
module per command group (catalog, tools, payments, journal, shift, receipts), the shared
exit codes and printing in :mod:`.common`, the dispatcher in :mod:`.main`.

Exit codes: 0 success, 1 a final error (one line on stderr), 2 usage error, 3 a payment still
«в обработке», 130 interrupted.
"""

from .main import main

__all__ = ["main"]
