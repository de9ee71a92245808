"""Small helpers every layer may use: durable file writes and owner-only folders (fsutil),
logging with secrets masked (logging_setup)."""
