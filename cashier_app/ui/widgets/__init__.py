"""Widgets that know nothing of cashiers or supervisors: fitted tables, the cleaning line
edit, screen fitting, the receipt on screen, the QR code, the PIN field."""
