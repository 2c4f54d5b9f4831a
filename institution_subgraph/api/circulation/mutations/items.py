"""Mutations that move items through desks: pulled, received, returned."""

from __future__ import annotations

import strawberry

from ....circulation import operations as op
from ...context import Info
from ..arguments import require_this_member
from ..movements import ItemMovement
from ..results import ExpireHoldsResult, MissingItemResult, ReceiveResult, ReturnResult
from ._acting import acting_desk, perform, perform_on_item

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
        result = await perform_on_item(
            info,
            op.scan_item_for_pick_slip,
            idempotency_key,
            desk=desk,
            item=item,
            owner_only=True,
        )
        return ItemMovement.from_outcome(result.item)

    @strawberry.mutation
    async def mark_item_missing(
        self, info: Info, idempotency_key: str, desk: strawberry.ID, item: strawberry.ID
    ) -> MissingItemResult:
        result = await perform_on_item(
            info,
            op.mark_item_missing,
            idempotency_key,
            desk=desk,
            item=item,
            owner_only=True,
        )
        return MissingItemResult.from_result(result)

    @strawberry.mutation(
        description="An item arriving at a desk: a pickup desk (any member's) or home."
    )
    async def receive_item(
        self, info: Info, idempotency_key: str, desk: strawberry.ID, item: strawberry.ID
    ) -> ReceiveResult:
        result = await perform_on_item(
            info, op.receive_item, idempotency_key, desk=desk, item=item
        )
        return ReceiveResult.from_result(result)

    @strawberry.mutation(
        description="Take an item back at any member's desk; says where it goes next."
    )
    async def return_item(
        self, info: Info, idempotency_key: str, desk: strawberry.ID, item: strawberry.ID
    ) -> ReturnResult:
        result = await perform_on_item(
            info, op.return_item, idempotency_key, desk=desk, item=item
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
        at_desk = acting_desk(info, desk, owner_only=True)
        result = await perform(info, op.expire_holds, idempotency_key, desk=at_desk)
        return ExpireHoldsResult.from_result(result)
