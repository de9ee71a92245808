"""The supervisor's window: the journal, shifts with a cash count, the agent's balance, the
audit and the integrity check, one payment's details, and the PIN and cash count dialogs."""
