"""The pure core: money, wire format, result codes, service definitions.

Nothing in this package imports Qt or does I/O (a test enforces it).
"""
