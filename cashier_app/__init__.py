"""«Касса» — the cashier program of a payment point."""

__version__ = "0.1.0"
