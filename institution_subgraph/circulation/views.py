"""What operations and queries hand back: plain, JSON-ready snapshots.

Rows carry database ids of desks and items; views carry desk keys and
barcodes, the names that staff, patrons and other members use. The
``*_view`` functions make the one from the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from .desks import DeskKey
from .returns import NextStep
from .states import (
    FeeKind,
    FeeStatus,
    ItemStatus,
    LoanProcessState,
    LoanStatus,
    RequestLevel,
    RequestStatus,
    TransitReason,
)

if TYPE_CHECKING:
    from ..storage.desks import Desk
    from ..storage.fees import Fee
    from ..storage.loans import Loan
    from ..storage.requests import Request
    from ..storage.transits import Transit

__all__ = [
    "FeeView",
    "ItemOutcome",
    "LoanView",
    "RequestView",
    "TransitView",
    "fee_view",
    "loan_view",
    "request_view",
    "transit_view",
]


@dataclass(frozen=True, slots=True)
class TransitView:
    transit_id: int
    barcode: str
    from_desk: DeskKey
    to_desk: DeskKey
    reason: TransitReason
    request_id: int | None
    sent_at: datetime
    expected_at: datetime
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """Where an operation left an item, and what staff should do with it.

    ``next_step`` is set by check-ins: put it on the hold shelf, send it on
    ``transit``, or shelve it. ``request_id`` names the request the item is
    now set aside for.
    """

    barcode: str
    status: ItemStatus
    next_step: NextStep | None = None
    transit: TransitView | None = None
    request_id: int | None = None
    hold_shelf_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class LoanView:
    loan_id: int
    barcode: str
    patron_id: int
    status: LoanStatus
    process_state: LoanProcessState
    loaned_at: datetime
    due_at: datetime
    original_due_at: datetime
    renewal_count: int
    lending_desk: DeskKey
    return_desk: DeskKey | None
    returned_at: datetime | None


@dataclass(frozen=True, slots=True)
class FeeView:
    fee_id: int
    patron_id: int
    kind: FeeKind
    status: FeeStatus
    original_amount: Decimal
    balance: Decimal
    currency: str
    owner_institution: str
    loan_id: int | None
    barcode: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RequestView:
    request_id: int
    patron_id: int
    bib_record_id: int
    level: RequestLevel
    status: RequestStatus
    pickup_desk: DeskKey
    # The copy set aside for the request, once there is one.
    barcode: str | None
    hold_shelf_until: datetime | None
    created_at: datetime


def loan_view(loan: Loan, barcode: str, desks: Mapping[int, Desk]) -> LoanView:
    return_desk = None if loan.return_desk_id is None else desks[loan.return_desk_id]
    return LoanView(
        loan_id=loan.id,
        barcode=barcode,
        patron_id=loan.patron_id,
        status=loan.status,
        process_state=loan.process_state,
        loaned_at=loan.loaned_at,
        due_at=loan.due_at,
        original_due_at=loan.original_due_at,
        renewal_count=loan.renewal_count,
        lending_desk=desks[loan.lending_desk_id].key,
        return_desk=None if return_desk is None else return_desk.key,
        returned_at=loan.returned_at,
    )


def fee_view(fee: Fee, barcode: str | None) -> FeeView:
    return FeeView(
        fee_id=fee.id,
        patron_id=fee.patron_id,
        kind=fee.kind,
        status=fee.status,
        original_amount=fee.original_amount,
        balance=fee.balance,
        currency=fee.currency,
        owner_institution=fee.owner_institution,
        loan_id=fee.loan_id,
        barcode=barcode,
        created_at=fee.created_at,
    )


def request_view(
    request: Request, barcode: str | None, desks: Mapping[int, Desk]
) -> RequestView:
    return RequestView(
        request_id=request.id,
        patron_id=request.patron_id,
        bib_record_id=request.bib_record_id,
        level=request.level,
        status=request.status,
        pickup_desk=desks[request.pickup_desk_id].key,
        barcode=barcode,
        hold_shelf_until=request.hold_shelf_until,
        created_at=request.created_at,
    )


def transit_view(
    transit: Transit, barcode: str, desks: Mapping[int, Desk]
) -> TransitView:
    return TransitView(
        transit_id=transit.id,
        barcode=barcode,
        from_desk=desks[transit.from_desk_id].key,
        to_desk=desks[transit.to_desk_id].key,
        reason=transit.reason,
        request_id=transit.request_id,
        sent_at=transit.sent_at,
        expected_at=transit.expected_at,
        received_at=transit.received_at,
    )
