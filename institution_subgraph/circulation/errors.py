"""Why a circulation operation refused to act.

Every error carries a stable ``code`` that callers (the GraphQL layer, the
gateway, staff clients) can branch on, and a ``details`` dict with the
values that explain it (a barcode, a status, a limit). When an operation
raises, its transaction has been rolled back: nothing changed::

    CirculationError
    ├── UnknownBarcode         UNKNOWN_BARCODE         no item has that barcode
    ├── NotFound               NOT_FOUND               no row has that id or key
    ├── ItemNotAtDesk          ITEM_NOT_AT_DESK        the item is elsewhere
    ├── ItemWrongState         ITEM_WRONG_STATE        the action does not fit
    │                                                  the item's status
    ├── ItemUnavailable        ITEM_UNAVAILABLE        someone else has the
    │                                                  item (e.g. won a race)
    ├── PatronExpired          PATRON_EXPIRED
    ├── PatronBlocked          PATRON_BLOCKED
    ├── PatronRecordRefused    PATRON_RECORD_REFUSED   a linked account cannot
    │                                                  be made from the fields
    ├── RequestNotAllowed      REQUEST_NOT_ALLOWED     by policy or pickup desk
    ├── NotCancellable         NOT_CANCELLABLE         the request is finished
    ├── RenewalNotAllowed      RENEWAL_NOT_ALLOWED     someone waits for it
    │   └── RenewalLimitReached  RENEWAL_LIMIT_REACHED
    ├── InvalidPayment         INVALID_PAYMENT         amount <= 0 or too large
    ├── IdempotencyKeyReused   IDEMPOTENCY_KEY_REUSED  same key, other arguments
    └── PolicyNotConfigured    POLICY_NOT_CONFIGURED   no policy rule matches
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "CirculationError",
    "IdempotencyKeyReused",
    "InvalidPayment",
    "ItemNotAtDesk",
    "ItemUnavailable",
    "ItemWrongState",
    "NotCancellable",
    "NotFound",
    "PatronBlocked",
    "PatronExpired",
    "PatronRecordRefused",
    "PolicyNotConfigured",
    "RenewalLimitReached",
    "RenewalNotAllowed",
    "RequestNotAllowed",
    "UnknownBarcode",
]


class CirculationError(Exception):
    code: ClassVar[str] = "CIRCULATION_ERROR"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, object] = details


class UnknownBarcode(CirculationError):
    code = "UNKNOWN_BARCODE"


class NotFound(CirculationError):
    code = "NOT_FOUND"


class ItemNotAtDesk(CirculationError):
    code = "ITEM_NOT_AT_DESK"


class ItemWrongState(CirculationError):
    code = "ITEM_WRONG_STATE"


class ItemUnavailable(CirculationError):
    code = "ITEM_UNAVAILABLE"


class PatronExpired(CirculationError):
    code = "PATRON_EXPIRED"


class PatronBlocked(CirculationError):
    code = "PATRON_BLOCKED"


class PatronRecordRefused(CirculationError):
    code = "PATRON_RECORD_REFUSED"


class RequestNotAllowed(CirculationError):
    code = "REQUEST_NOT_ALLOWED"


class NotCancellable(CirculationError):
    code = "NOT_CANCELLABLE"


class RenewalNotAllowed(CirculationError):
    code = "RENEWAL_NOT_ALLOWED"


class RenewalLimitReached(RenewalNotAllowed):
    code = "RENEWAL_LIMIT_REACHED"


class InvalidPayment(CirculationError):
    code = "INVALID_PAYMENT"


class IdempotencyKeyReused(CirculationError):
    code = "IDEMPOTENCY_KEY_REUSED"


class PolicyNotConfigured(CirculationError):
    code = "POLICY_NOT_CONFIGURED"
