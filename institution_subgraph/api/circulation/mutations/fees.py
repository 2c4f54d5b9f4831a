"""Mutations that move money against fees."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from ....circulation import operations as op
from ...context import Info
from ...ids import local_key
from ..arguments import optional_desk_key
from ..ids import FEE, desk_key
from ..results import FeeTransactionResult
from ._acting import perform

__all__ = ["FeeMutations"]


@strawberry.type
class FeeMutations:
    @strawberry.mutation
    async def pay_fee(
        self,
        info: Info,
        idempotency_key: str,
        fee: strawberry.ID,
        amount: Decimal,
        desk: strawberry.ID | None = strawberry.UNSET,
    ) -> FeeTransactionResult:
        fee_id = local_key(info, fee, FEE, argument="fee")
        at_desk = optional_desk_key(desk)
        result = await perform(
            info,
            op.pay_fee,
            idempotency_key,
            fee_id=fee_id,
            amount=amount,
            desk=at_desk,
        )
        return FeeTransactionResult.from_result(result)

    @strawberry.mutation
    async def waive_fee(
        self,
        info: Info,
        idempotency_key: str,
        fee: strawberry.ID,
        amount: Decimal,
        desk: strawberry.ID,
    ) -> FeeTransactionResult:
        fee_id = local_key(info, fee, FEE, argument="fee")
        at_desk = desk_key(desk)
        result = await perform(
            info,
            op.waive_fee,
            idempotency_key,
            fee_id=fee_id,
            amount=amount,
            desk=at_desk,
        )
        return FeeTransactionResult.from_result(result)

    @strawberry.mutation
    async def refund_fee(
        self,
        info: Info,
        idempotency_key: str,
        fee: strawberry.ID,
        amount: Decimal,
        desk: strawberry.ID,
    ) -> FeeTransactionResult:
        fee_id = local_key(info, fee, FEE, argument="fee")
        at_desk = desk_key(desk)
        result = await perform(
            info,
            op.refund_fee,
            idempotency_key,
            fee_id=fee_id,
            amount=amount,
            desk=at_desk,
        )
        return FeeTransactionResult.from_result(result)
