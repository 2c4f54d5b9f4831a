"""Mutations that move items through desks: pulled, received, returned."""

from __future__ import annotations

import strawberry

from ....circulation import operations as op
from ...context import Info
from ..arguments import item_barcode, require_this_member
from ..ids import desk_key
from ..movements import ItemMovement
from ..results import ExpireHoldsResult, MissingItemResult, ReceiveResult, ReturnResult
from ._acting import acting

__all__ = ["ItemMutations"]


@strawberry.type
class ItemMutations:
    @strawberry.mutation(
        description=(
            "Pull a paged item at the owner: in transit to the pickup desk,"
            " or onto the owner's hold shelf when that is where it is picked up."
        )
    )
    async def scan_item_for_pick_slip(
        self, info: Info, idempotency_key: str, desk: strawberry.ID, item: strawberry.ID
    ) -> ItemMovement:
        at_desk, barcode = desk_key(desk), await item_barcode(info, item)
        async with acting(info) as connection:
            result = await op.scan_item_for_pick_slip(
                connection,
                info.context.clock,
                idempotency_key,
                desk=at_desk,
                barcode=barcode,
            )
        return ItemMovement.from_outcome(result.item)

    @strawberry.mutation
    async def mark_item_missing(
        self, info: Info, idempotency_key: str, desk: strawberry.ID, item: strawberry.ID
    ) -> MissingItemResult:
        at_desk, barcode = desk_key(desk), await item_barcode(info, item)
        async with acting(info) as connection:
            result = await op.mark_item_missing(
                connection,
                info.context.clock,
                idempotency_key,
                desk=at_desk,
                barcode=barcode,
            )
        return MissingItemResult.from_result(result)

    @strawberry.mutation(
        description="An item arriving at a desk: a pickup desk (any member's) or home."
    )
    async def receive_item(
        self, info: Info, idempotency_key: str, desk: strawberry.ID, item: strawberry.ID
    ) -> ReceiveResult:
        at_desk, barcode = desk_key(desk), await item_barcode(info, item)
        async with acting(info) as connection:
            result = await op.receive_item(
                connection,
                info.context.clock,
                idempotency_key,
                desk=at_desk,
                barcode=barcode,
            )
        return ReceiveResult.from_result(result)

    @strawberry.mutation(
        description="Take an item back at any member's desk; says where it goes next."
    )
    async def return_item(
        self, info: Info, idempotency_key: str, desk: strawberry.ID, item: strawberry.ID
    ) -> ReturnResult:
        at_desk, barcode = desk_key(desk), await item_barcode(info, item)
        async with acting(info) as connection:
            result = await op.return_item(
                connection,
                info.context.clock,
                idempotency_key,
                desk=at_desk,
                barcode=barcode,
            )
        return ReturnResult.from_result(result)

    @strawberry.mutation(
        description=(
            "Holds not collected in time at a desk of the owner's items"
            " go back in transit."
        )
    )
    async def expire_holds(
        self, info: Info, idempotency_key: str, institution: str, desk: strawberry.ID
    ) -> ExpireHoldsResult:
        require_this_member(info, institution, argument="institution")
        at_desk = desk_key(desk)
        async with acting(info) as connection:
            result = await op.expire_holds(
                connection, info.context.clock, idempotency_key, desk=at_desk
            )
        return ExpireHoldsResult.from_result(result)
