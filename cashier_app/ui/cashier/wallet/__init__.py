"""The cashier's «Кошелёк» tab: e-wallets of «ВсеПлатежи» at the desk (see docs.md)."""

from .page import WalletPage

__all__ = ["WalletPage"]
