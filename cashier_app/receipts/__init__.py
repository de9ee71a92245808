"""Receipts: a document built from the journal row alone, laid out for the paper width, turned
into ESC/POS bytes, sent to a printer. No Qt here; printer I/O runs off the event loop."""
