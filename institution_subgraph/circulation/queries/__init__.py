"""Read-only views for staff dashboards and the network patron card.

desk_tasks       pick_list, expected_in_transit, hold_shelf, expired_holds
patron_activity  patron_activity (loans, requests, fees, balance, notices)
history          item_history, request_history, request_histories
lookups          loans_by_id, requests_by_id, fees_by_id
"""

from __future__ import annotations

from .desk_tasks import (
    ExpectedTransit,
    HoldShelfEntry,
    PickSlip,
    expected_in_transit,
    expired_holds,
    hold_shelf,
    pick_list,
)
from .history import (
    ItemEvent,
    RequestStep,
    item_history,
    request_histories,
    request_history,
)
from .lookups import fees_by_id, loans_by_id, requests_by_id
from .patron_activity import (
    Balance,
    Notice,
    PatronActivity,
    PatronView,
    patron_activity,
    patron_balance,
    patron_by_network_id,
    patron_fees,
    patron_loans,
    patron_notices,
    patron_requests,
)

__all__ = [
    "Balance",
    "ExpectedTransit",
    "HoldShelfEntry",
    "ItemEvent",
    "Notice",
    "PatronActivity",
    "PatronView",
    "PickSlip",
    "RequestStep",
    "expected_in_transit",
    "expired_holds",
    "fees_by_id",
    "hold_shelf",
    "item_history",
    "loans_by_id",
    "patron_activity",
    "patron_balance",
    "patron_by_network_id",
    "patron_fees",
    "patron_loans",
    "patron_notices",
    "patron_requests",
    "pick_list",
    "request_histories",
    "request_history",
    "requests_by_id",
]
