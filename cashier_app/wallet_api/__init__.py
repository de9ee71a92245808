"""The e-wallet partner API of НКО «Перспектива» («ВсеПлатежи», seeds 001 and 002): the wire.

No Qt, no journal: typed answers (:mod:`.models`), exact request bodies (:mod:`.requests`), the
partner's OAuth2 tokens (:mod:`.tokens`) and the async client (:mod:`.client`). What a failure
means for the money is its class (:mod:`.errors`)."""

from .client import WalletClient
from .errors import WalletAuthError, WalletError, WalletInputError, WalletNoAnswer, WalletRefused
from .models import (
    Bank,
    Identification,
    Limits,
    Operation,
    OperationLimit,
    PaymentToken,
    Refill,
    Registered,
    ReportFilter,
    ReportPage,
    WalletInfo,
    Withdrawal,
)
from .requests import (
    check_amount,
    check_phone,
    check_uuid,
    limits_body,
    payment_body,
    refill_body,
    registration_body,
    wallet_amount,
    withdrawal_body,
)
from .tokens import TokenSource

__all__ = [
    "Bank",
    "Identification",
    "Limits",
    "Operation",
    "OperationLimit",
    "PaymentToken",
    "Refill",
    "Registered",
    "ReportFilter",
    "ReportPage",
    "TokenSource",
    "WalletAuthError",
    "WalletClient",
    "WalletError",
    "WalletInfo",
    "WalletInputError",
    "WalletNoAnswer",
    "WalletRefused",
    "Withdrawal",
    "check_amount",
    "check_phone",
    "check_uuid",
    "limits_body",
    "payment_body",
    "refill_body",
    "registration_body",
    "wallet_amount",
    "withdrawal_body",
]
