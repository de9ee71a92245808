"""«Касса» — the cashier program of a payment point. Its version is ``pyproject.toml``'s
(:func:`cashier_app.util.version.program_version`)."""
