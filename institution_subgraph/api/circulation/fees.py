"""Fines and fees owed to this member, and money moved against them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from ...circulation.views import FeeView
from ..access import require_activity_of
from ..catalogue import Institution, Item
from ..context import Info
from ..ids import global_id, local_key
from .enums import FeeKind, FeeStatus, FeeTransactionKind
from .ids import FEE, FEE_TRANSACTION
from .items import known_item
from .loans import Loan, known_loan

if TYPE_CHECKING:
    from .patrons import Patron

__all__ = ["Fee", "FeeTransaction", "fee_by_key"]


@strawberry.type
class FeeTransaction:
    key: strawberry.Private[int]
    kind: FeeTransactionKind
    amount: Decimal

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return global_id(info, FEE_TRANSACTION, self.key)


@strawberry.federation.type(keys=["id"])
class Fee:
    key: strawberry.Private[int]
    patron_key: strawberry.Private[int]
    owner_code: strawberry.Private[str]
    loan_key: strawberry.Private[int | None]
    barcode: strawberry.Private[str | None]
    kind: FeeKind
    status: FeeStatus
    original_amount: Decimal
    balance: Decimal
    currency: str
    created_at: datetime

    @classmethod
    def from_view(cls, fee: FeeView) -> Fee:
        return cls(
            key=fee.fee_id,
            patron_key=fee.patron_id,
            owner_code=fee.owner_institution,
            loan_key=fee.loan_id,
            barcode=fee.barcode,
            kind=fee.kind,
            status=fee.status,
            original_amount=fee.original_amount,
            balance=fee.balance,
            currency=fee.currency,
            created_at=fee.created_at,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Fee | None:
        return await fee_by_key(info, local_key(info, id, FEE))

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return global_id(info, FEE, self.key)

    @strawberry.field
    async def patron(
        self, info: Info
    ) -> Annotated[Patron, strawberry.lazy(".patrons")]:
        # Imported here: the patrons module imports this one for Patron.fees.
        from .patrons import known_patron

        return await known_patron(info, self.patron_key)

    @strawberry.field(description="The member the fee is owed to.")
    def owner(self, info: Info) -> Institution:
        return Institution.named(info, self.owner_code)

    @strawberry.field
    async def loan(self, info: Info) -> Loan | None:
        return None if self.loan_key is None else await known_loan(info, self.loan_key)

    @strawberry.field
    async def item(self, info: Info) -> Item | None:
        return None if self.barcode is None else await known_item(info, self.barcode)


async def fee_by_key(info: Info, key: int) -> Fee | None:
    """A fee asked for by its ID: part of its patron's activity, which the
    caller must be allowed to see (see ``api.access``)."""
    view = await info.context.circulation.fees.load(key)
    await require_activity_of(info, None if view is None else view.patron_id)
    return None if view is None else Fee.from_view(view)
