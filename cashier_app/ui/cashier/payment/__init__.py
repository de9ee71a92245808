"""One payment at the desk: the flow that drives it through the engine (no widgets) and the
panel that shows it — the service form, the check's views, the amounts, the outcome and
receipt lines, the QR СБП screen."""
