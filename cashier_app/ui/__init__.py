"""PySide6 widgets: a thin layer over the core. Nothing outside this package imports Qt."""
