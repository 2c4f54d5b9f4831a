"""The states of items, requests, loans, fees and transits.

Each value is the lower-case text stored in the database, so that the enum
and the column's CHECK list can be compared word for word.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "FeeKind",
    "FeeStatus",
    "FeeTransactionKind",
    "ItemStatus",
    "LoanProcessState",
    "LoanStatus",
    "NoticeKind",
    "RequestLevel",
    "RequestStatus",
    "TransitReason",
]


class ItemStatus(StrEnum):
    AVAILABLE = "available"
    # On a pick slip: a request waits for staff to pull it from the shelf.
    PAGED = "paged"
    IN_TRANSIT = "in_transit"
    # On a hold shelf, waiting for the requester.
    AWAITING_PICKUP = "awaiting_pickup"
    CHECKED_OUT = "checked_out"
    CLAIMED_RETURNED = "claimed_returned"
    DECLARED_LOST = "declared_lost"
    LOST_AND_PAID = "lost_and_paid"
    MISSING = "missing"
    IN_PROCESS = "in_process"
    WITHDRAWN = "withdrawn"


class RequestLevel(StrEnum):
    # Any copy of the record will do.
    TITLE = "title"
    # The patron chose one copy.
    ITEM = "item"


class RequestStatus(StrEnum):
    NOT_YET_FILLED = "not_yet_filled"
    # A copy is paged: it is on the owner's pick-from-shelf list.
    PICK_FROM_SHELF = "pick_from_shelf"
    IN_TRANSIT = "in_transit"
    ON_HOLD_SHELF = "on_hold_shelf"
    FILLED = "filled"
    CANCELLED = "cancelled"
    UNFILLED = "unfilled"
    # Not filled before the date the patron said they needed it by.
    EXPIRED = "expired"
    # Filled to the hold shelf but not collected in time.
    PICKUP_EXPIRED = "pickup_expired"

    @property
    def is_open(self) -> bool:
        return self in _OPEN_REQUEST_STATUSES

    @property
    def holds_item(self) -> bool:
        """Whether a copy is set aside for the request in this state."""
        return self in _HOLDING_REQUEST_STATUSES


_HOLDING_REQUEST_STATUSES = frozenset(
    {
        RequestStatus.PICK_FROM_SHELF,
        RequestStatus.IN_TRANSIT,
        RequestStatus.ON_HOLD_SHELF,
    }
)
_OPEN_REQUEST_STATUSES = _HOLDING_REQUEST_STATUSES | {RequestStatus.NOT_YET_FILLED}


class LoanStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class LoanProcessState(StrEnum):
    NORMAL = "normal"
    RENEWED = "renewed"
    RECALLED = "recalled"
    LOST = "lost"
    CLAIMED_RETURNED = "claimed_returned"


class FeeStatus(StrEnum):
    ACTIVE = "active"
    IN_DISPUTE = "in_dispute"
    CLOSED = "closed"


class FeeKind(StrEnum):
    OVERDUE = "overdue"
    LOST_ITEM = "lost_item"
    PROCESSING = "processing"
    OTHER = "other"


class FeeTransactionKind(StrEnum):
    PAYMENT = "payment"
    WAIVER = "waiver"
    # Money handed back for a debt that no longer stands, e.g. a lost item
    # that turned up after it was paid for.
    REFUND = "refund"


class TransitReason(StrEnum):
    TO_PICKUP = "to_pickup"
    TO_OWNER = "to_owner"
    TO_NEXT_REQUEST = "to_next_request"


class NoticeKind(StrEnum):
    HOLD_READY = "hold_ready"
    HOLD_EXPIRED = "hold_expired"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DECLARED_LOST = "declared_lost"
    FEE_CHARGED = "fee_charged"
    REQUEST_CANCELLED = "request_cancelled"
    REQUEST_UNFILLED = "request_unfilled"
    REQUEST_EXPIRED = "request_expired"
