"""Devices at the point, without Qt: the bill acceptor (CCNET) and the money it stacks."""
