"""The cashier's window and what it is made of: log-in, shift and «Сегодня» pages, the
catalog, the notice row, the status bar, the customer display and the payment panel."""
