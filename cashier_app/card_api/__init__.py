"""The card-payment gateway of «ВсеПлатежи» (seed 004, the shop API): the wire.

No Qt, no journal: money in integer kopecks (:mod:`.kopecks`, the one conversion), typed
answers (:mod:`.models`), exact request bodies (:mod:`.requests`) and the async client
(:mod:`.client`). What a failure means for the money is its class (:mod:`.errors`)."""

from .client import CardClient, CardPaths
from .errors import (
    DECLINE_CODES,
    ERROR_CODES,
    CardAuthError,
    CardError,
    CardInputError,
    CardNoAnswer,
    CardRefused,
    Need3ds,
    UserNotRegistered,
    decline_text,
)
from .kopecks import from_kopecks, to_kopecks
from .models import (
    FINAL_STATES,
    PAYMENT_STATES,
    CardList,
    CardNotification,
    CardRegistration,
    CardUser,
    Created,
    Deactivated,
    PaymentNotification,
    PaymentStatus,
    Refunded,
    SavedCard,
)
from .requests import (
    anonymous_body,
    card_deactivate_body,
    card_list_body,
    card_register_body,
    check_email,
    check_login,
    check_reg_pay_num,
    recurrent_body,
    refund_body,
    status_body,
    user_register_body,
    user_status_body,
)

__all__ = [
    "DECLINE_CODES",
    "ERROR_CODES",
    "FINAL_STATES",
    "PAYMENT_STATES",
    "CardAuthError",
    "CardClient",
    "CardError",
    "CardInputError",
    "CardList",
    "CardNoAnswer",
    "CardNotification",
    "CardPaths",
    "CardRefused",
    "CardRegistration",
    "CardUser",
    "Created",
    "Deactivated",
    "Need3ds",
    "PaymentNotification",
    "PaymentStatus",
    "Refunded",
    "SavedCard",
    "UserNotRegistered",
    "anonymous_body",
    "card_deactivate_body",
    "card_list_body",
    "card_register_body",
    "check_email",
    "check_login",
    "check_reg_pay_num",
    "decline_text",
    "from_kopecks",
    "recurrent_body",
    "refund_body",
    "status_body",
    "to_kopecks",
    "user_register_body",
    "user_status_body",
]
