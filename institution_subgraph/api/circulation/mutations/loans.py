"""Mutations on loans: lending, renewing, and loans gone wrong."""

from __future__ import annotations

import strawberry

from ....circulation import operations as op
from ...context import Info
from ...ids import local_key
from ..arguments import item_barcode, optional_desk_key
from ..ids import LOAN, PATRON, desk_key
from ..results import LendResult, LostResult, RenewResult
from ._acting import acting

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
        at_desk, barcode = desk_key(desk), await item_barcode(info, item)
        patron_id = local_key(info, patron, PATRON, argument="patron")
        async with acting(info) as connection:
            result = await op.lend_item(
                connection,
                info.context.clock,
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
        at_desk = optional_desk_key(desk)
        async with acting(info) as connection:
            result = await op.renew_loan(
                connection,
                info.context.clock,
                idempotency_key,
                loan_id=loan_id,
                desk=at_desk,
            )
        return RenewResult.from_result(result)

    @strawberry.mutation
    async def declare_item_lost(
        self, info: Info, idempotency_key: str, desk: strawberry.ID, item: strawberry.ID
    ) -> LostResult:
        at_desk, barcode = desk_key(desk), await item_barcode(info, item)
        async with acting(info) as connection:
            result = await op.declare_item_lost(
                connection,
                info.context.clock,
                idempotency_key,
                desk=at_desk,
                barcode=barcode,
            )
        return LostResult.from_declared(result)

    @strawberry.mutation
    async def claim_item_returned(
        self, info: Info, idempotency_key: str, desk: strawberry.ID, item: strawberry.ID
    ) -> LostResult:
        at_desk, barcode = desk_key(desk), await item_barcode(info, item)
        async with acting(info) as connection:
            result = await op.claim_item_returned(
                connection,
                info.context.clock,
                idempotency_key,
                desk=at_desk,
                barcode=barcode,
            )
        return LostResult.from_claimed(result)
