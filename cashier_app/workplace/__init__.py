"""The cashier's workplace logic that is not Qt: who may log in, and when."""
