"""Loans of this member's items, wherever they were lent."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from ...circulation.desks import DeskKey
from ...circulation.views import LoanView
from ..access import require_activity_of
from ..catalogue import Item
from ..context import Info
from ..ids import global_id, local_key
from .desks import Desk, known_desk
from .enums import LoanProcessState, LoanStatus
from .ids import LOAN
from .items import known_item

if TYPE_CHECKING:
    from .patrons import Patron

__all__ = ["Loan", "known_loan", "loan_by_key"]


@strawberry.federation.type(keys=["id"])
class Loan:
    key: strawberry.Private[int]
    barcode: strawberry.Private[str]
    patron_key: strawberry.Private[int]
    lending_desk_key: strawberry.Private[DeskKey]
    return_desk_key: strawberry.Private[DeskKey | None]
    status: LoanStatus
    process_state: LoanProcessState
    loaned_at: datetime
    due_at: datetime
    original_due_at: datetime
    renewal_count: int
    returned_at: datetime | None

    @classmethod
    def from_view(cls, loan: LoanView) -> Loan:
        return cls(
            key=loan.loan_id,
            barcode=loan.barcode,
            patron_key=loan.patron_id,
            lending_desk_key=loan.lending_desk,
            return_desk_key=loan.return_desk,
            status=loan.status,
            process_state=loan.process_state,
            loaned_at=loan.loaned_at,
            due_at=loan.due_at,
            original_due_at=loan.original_due_at,
            renewal_count=loan.renewal_count,
            returned_at=loan.returned_at,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Loan | None:
        return await loan_by_key(info, local_key(info, id, LOAN))

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return global_id(info, LOAN, self.key)

    @strawberry.field
    async def item(self, info: Info) -> Item:
        return await known_item(info, self.barcode)

    @strawberry.field
    async def patron(
        self, info: Info
    ) -> Annotated[Patron, strawberry.lazy(".patrons")]:
        # Imported here: the patrons module imports this one for Patron.loans.
        from .patrons import known_patron

        return await known_patron(info, self.patron_key)

    @strawberry.field(
        description="Whether the loan is active and past its due date now."
    )
    def overdue(self, info: Info) -> bool:
        return (
            self.status is LoanStatus.ACTIVE and self.due_at < info.context.clock.now()
        )

    @strawberry.field
    async def lending_desk(self, info: Info) -> Desk:
        return await known_desk(info, self.lending_desk_key)

    @strawberry.field
    async def return_desk(self, info: Info) -> Desk | None:
        if self.return_desk_key is None:
            return None
        return await known_desk(info, self.return_desk_key)


async def loan_by_key(info: Info, key: int) -> Loan | None:
    """A loan asked for by its ID: part of its patron's activity, which the
    caller must be allowed to see (see ``api.access``)."""
    view = await info.context.circulation.loans.load(key)
    await require_activity_of(info, None if view is None else view.patron_id)
    return None if view is None else Loan.from_view(view)


async def known_loan(info: Info, key: int) -> Loan:
    """A loan named by one of this member's records, which keep it by a
    foreign key; the caller was allowed that record."""
    view = await info.context.circulation.loans.load(key)
    assert view is not None, f"loan {key} is referenced but missing"
    return Loan.from_view(view)
