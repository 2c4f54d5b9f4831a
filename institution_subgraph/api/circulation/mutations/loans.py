"""Mutations on loans: lending, renewing, and loans gone wrong."""

from __future__ import annotations

import strawberry

from ....circulation import operations as op
from ...context import Info
from ...ids import local_key
from ..arguments import item_barcode
from ..ids import LOAN, PATRON
from ..results import LendResult, LostResult, RenewResult
from ._acting import acting_desk, desk_or_patron, perform, perform_on_item

__all__ = ["LoanMutations"]


@strawberry.type
class LoanMutations:
    @strawberry.mutation
    async def lend_item(
        self,
        info: Info,
        idempotency_key: str,
        desk: strawberry.ID,
        item: strawberry.ID,
        patron: strawberry.ID,
    ) -> LendResult:
        at_desk = acting_desk(info, desk)
        barcode = await item_barcode(info, item)
        patron_id = local_key(info, patron, PATRON, argument="patron")
        result = await perform(
            info,
            op.lend_item,
            idempotency_key,
            desk=at_desk,
            barcode=barcode,
            patron_id=patron_id,
        )
        return LendResult.from_result(result)

    @strawberry.mutation
    async def renew_loan(
        self,
        info: Info,
        idempotency_key: str,
        loan: strawberry.ID,
        desk: strawberry.ID | None = strawberry.UNSET,
    ) -> RenewResult:
        loan_id = local_key(info, loan, LOAN, argument="loan")
        at_desk = await desk_or_patron(
            info, desk, info.context.circulation.loans, loan_id
        )
        result = await perform(
            info,
            op.renew_loan,
            idempotency_key,
            loan_id=loan_id,
            desk=at_desk,
        )
        return RenewResult.from_result(result)

    @strawberry.mutation
    async def declare_item_lost(
        self, info: Info, idempotency_key: str, desk: strawberry.ID, item: strawberry.ID
    ) -> LostResult:
        result = await perform_on_item(
            info,
            op.declare_item_lost,
            idempotency_key,
            desk=desk,
            item=item,
            owner_only=True,
        )
        return LostResult.from_declared(result)

    @strawberry.mutation
    async def claim_item_returned(
        self, info: Info, idempotency_key: str, desk: strawberry.ID, item: strawberry.ID
    ) -> LostResult:
        result = await perform_on_item(
            info,
            op.claim_item_returned,
            idempotency_key,
            desk=desk,
            item=item,
            owner_only=True,
        )
        return LostResult.from_claimed(result)
