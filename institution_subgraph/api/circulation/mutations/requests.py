"""Mutations that place and cancel requests."""

from __future__ import annotations

from datetime import date

import strawberry

from ....circulation import operations as op
from ... import access
from ...context import Info
from ...ids import local_key
from ..arguments import given, item_barcode
from ..ids import PATRON, REQUEST, desk_key
from ..results import CancelRequestResult, PlaceRequestResult
from ._acting import desk_or_patron, perform

__all__ = ["RequestMutations"]


@strawberry.type
class RequestMutations:
    @strawberry.mutation(
        description=(
            "A request for any copy of a record, for pickup at a desk the owner allows."
        )
    )
    async def place_request(
        self,
        info: Info,
        idempotency_key: str,
        patron: strawberry.ID,
        bib_record: strawberry.ID,
        pickup_desk: strawberry.ID,
        needed_before: date | None = strawberry.UNSET,
    ) -> PlaceRequestResult:
        patron_id = local_key(info, patron, PATRON, argument="patron")
        bib_record_id = local_key(info, bib_record, "BibRecord", argument="bibRecord")
        pickup = desk_key(pickup_desk, argument="pickupDesk")
        await access.require_activity_of(info, patron_id)
        result = await perform(
            info,
            op.place_title_request,
            idempotency_key,
            patron_id=patron_id,
            bib_record_id=bib_record_id,
            pickup_desk=pickup,
            needed_before=given(needed_before),
        )
        return PlaceRequestResult.from_result(result)

    @strawberry.mutation(description="A request for one copy.")
    async def place_item_request(
        self,
        info: Info,
        idempotency_key: str,
        patron: strawberry.ID,
        item: strawberry.ID,
        pickup_desk: strawberry.ID,
        needed_before: date | None = strawberry.UNSET,
    ) -> PlaceRequestResult:
        patron_id = local_key(info, patron, PATRON, argument="patron")
        barcode = await item_barcode(info, item)
        pickup = desk_key(pickup_desk, argument="pickupDesk")
        await access.require_activity_of(info, patron_id)
        result = await perform(
            info,
            op.place_item_request,
            idempotency_key,
            patron_id=patron_id,
            barcode=barcode,
            pickup_desk=pickup,
            needed_before=given(needed_before),
        )
        return PlaceRequestResult.from_result(result)

    @strawberry.mutation(
        description=(
            "Cancel a request until its item is lent;"
            " by staff at a desk, or the patron."
        )
    )
    async def cancel_request(
        self,
        info: Info,
        idempotency_key: str,
        request: strawberry.ID,
        desk: strawberry.ID | None = strawberry.UNSET,
    ) -> CancelRequestResult:
        request_id = local_key(info, request, REQUEST, argument="request")
        at_desk = await desk_or_patron(
            info, desk, info.context.circulation.requests, request_id
        )
        result = await perform(
            info,
            op.cancel_request,
            idempotency_key,
            request_id=request_id,
            desk=at_desk,
        )
        return CancelRequestResult.from_result(result)
