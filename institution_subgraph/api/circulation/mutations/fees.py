"""Mutations that move money against fees."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Protocol

import asyncpg
import strawberry

from ....circulation import operations as op
from ....circulation.desks import DeskKey
from ....clock import Clock
from ...context import Info
from ...ids import local_key
from ..ids import FEE
from ..results import FeeTransactionResult
from ._acting import acting_desk, desk_or_patron, perform

__all__ = ["FeeMutations"]


class _MoneyOperation(Protocol):
    def __call__(
        self,
        connection: asyncpg.Connection,
        clock: Clock,
        idempotency_key: str,
        /,
        *,
        fee_id: int,
        amount: Decimal,
        desk: DeskKey,
    ) -> Awaitable[op.FeeTransactionResult]: ...


async def _move_money(
    info: Info,
    operation: _MoneyOperation,
    idempotency_key: str,
    fee: strawberry.ID,
    amount: Decimal,
    desk: Callable[[], DeskKey],
) -> FeeTransactionResult:
    # The fee is checked before the desk, so that a bad fee is the error
    # reported when both are bad.
    fee_id = local_key(info, fee, FEE, argument="fee")
    result = await perform(
        info, operation, idempotency_key, fee_id=fee_id, amount=amount, desk=desk()
    )
    return FeeTransactionResult.from_result(result)


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
        at_desk = await desk_or_patron(
            info, desk, info.context.circulation.fees, fee_id
        )
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
        return await _move_money(
            info,
            op.waive_fee,
            idempotency_key,
            fee,
            amount,
            lambda: acting_desk(info, desk, owner_only=True),
        )

    @strawberry.mutation
    async def refund_fee(
        self,
        info: Info,
        idempotency_key: str,
        fee: strawberry.ID,
        amount: Decimal,
        desk: strawberry.ID,
    ) -> FeeTransactionResult:
        return await _move_money(
            info,
            op.refund_fee,
            idempotency_key,
            fee,
            amount,
            lambda: acting_desk(info, desk, owner_only=True),
        )
