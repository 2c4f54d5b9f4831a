"""Placing and cancelling requests.

A title-level request takes the first copy on the shelf that policy lets
the patron request for the chosen pickup desk, or waits in the record's
queue; an item-level request waits for the copy the patron chose. Either
way a copy on the shelf is paged at once: it appears on the owner's
pick-from-shelf list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import asyncpg

from ...clock import Clock
from ...storage import catalogue
from ...storage import loans as loan_rows
from ...storage import requests as request_rows
from ...storage.desks import Desk
from ...storage.items import Item
from ...storage.patrons import Patron
from ...storage.requests import Request
from ..desks import DeskKey
from ..errors import NotFound, RequestNotAllowed
from ..states import RequestStatus
from ..transitions import Action, check
from ..views import RequestView, request_view
from ._copies import requestable_copies, take_available_copy
from ._items import lock_item
from ._once import run_once
from ._patrons import patron_in_good_standing
from ._routing import page_item, step_request
from ._scope import Scope

__all__ = [
    "PlaceRequestResult",
    "place_item_request",
    "place_title_request",
]


@dataclass(frozen=True, slots=True)
class PlaceRequestResult:
    request: RequestView
    # 1 for the first in line; None when a copy was paged at once.
    queue_position: int | None


async def place_title_request(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    patron_id: int,
    bib_record_id: int,
    pickup_desk: DeskKey,
    needed_before: date | None = None,
) -> PlaceRequestResult:
    """Request any copy of the record for pickup at ``pickup_desk``."""

    async def act(scope: Scope) -> PlaceRequestResult:
        if not await catalogue.bib_records_by_id(scope.connection, [bib_record_id]):
            raise NotFound(f"no record {bib_record_id}", bib_record_id=bib_record_id)
        patron, pickup = await _check_requester(scope, patron_id, pickup_desk)
        await _refuse_duplicate(scope, patron, bib_record_id)
        copies = await requestable_copies(
            scope, bib_record_id, patron.user_group, pickup
        )
        if not copies:
            raise RequestNotAllowed(
                "no copy of the record may be requested for that pickup desk",
                bib_record_id=bib_record_id,
                pickup_desk=str(pickup.key),
            )
        request = await _insert(
            scope, patron, bib_record_id, None, pickup, needed_before
        )
        return await _page_or_queue(scope, request, copies)

    return await run_once(
        connection,
        clock,
        operation="place_title_request",
        key=idempotency_key,
        desk=None,
        arguments={
            "patron_id": patron_id,
            "bib_record_id": bib_record_id,
            "pickup_desk": pickup_desk,
            "needed_before": needed_before,
        },
        result_type=PlaceRequestResult,
        act=act,
    )


async def place_item_request(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    patron_id: int,
    barcode: str,
    pickup_desk: DeskKey,
    needed_before: date | None = None,
) -> PlaceRequestResult:
    """Request this very copy for pickup at ``pickup_desk``."""

    async def act(scope: Scope) -> PlaceRequestResult:
        item = await lock_item(scope, barcode)
        check(Action.REQUEST, item.status)
        patron, pickup = await _check_requester(scope, patron_id, pickup_desk)
        await _refuse_duplicate(scope, patron, item.bib_record_id)
        refusal = scope.rule_for(patron.user_group, item.item_policy).request.refusal(
            pickup.key
        )
        if refusal is not None:
            raise RequestNotAllowed(
                "policy does not allow this request",
                reason=refusal,
                barcode=barcode,
                pickup_desk=str(pickup.key),
            )
        await _refuse_own_loan(scope, patron, item)
        request = await _insert(
            scope, patron, item.bib_record_id, item, pickup, needed_before
        )
        return await _page_or_queue(scope, request, [item])

    return await run_once(
        connection,
        clock,
        operation="place_item_request",
        key=idempotency_key,
        desk=None,
        arguments={
            "patron_id": patron_id,
            "barcode": barcode,
            "pickup_desk": pickup_desk,
            "needed_before": needed_before,
        },
        result_type=PlaceRequestResult,
        act=act,
    )


async def _check_requester(
    scope: Scope, patron_id: int, pickup_desk: DeskKey
) -> tuple[Patron, Desk]:
    patron = await patron_in_good_standing(scope, patron_id)
    pickup = scope.desk_by_key(pickup_desk)
    if not pickup.is_pickup:
        raise RequestNotAllowed(
            "the desk is not a pickup desk",
            reason="not_a_pickup_desk",
            pickup_desk=str(pickup_desk),
        )
    return patron, pickup


async def _refuse_duplicate(scope: Scope, patron: Patron, bib_record_id: int) -> None:
    existing = await request_rows.open_request_for_record(
        scope.connection, patron.id, bib_record_id
    )
    if existing is not None:
        raise RequestNotAllowed(
            "the patron already has an open request for the record",
            reason="already_requested",
            request_id=existing,
        )


async def _refuse_own_loan(scope: Scope, patron: Patron, item: Item) -> None:
    loan = await loan_rows.active_loan_of_item(scope.connection, item.id)
    if loan is not None and loan.patron_id == patron.id:
        raise RequestNotAllowed(
            "the patron has the item on loan already",
            reason="already_on_loan",
            barcode=item.barcode,
        )


async def _insert(
    scope: Scope,
    patron: Patron,
    bib_record_id: int,
    item: Item | None,
    pickup: Desk,
    needed_before: date | None,
) -> Request:
    request = await request_rows.insert_request(
        scope.connection,
        patron_id=patron.id,
        bib_record_id=bib_record_id,
        requested_item_id=None if item is None else item.id,
        pickup_desk_id=pickup.id,
        needed_before=needed_before,
        at=scope.now,
    )
    return await step_request(
        scope, request, RequestStatus.NOT_YET_FILLED, item_id=None
    )


async def _page_or_queue(
    scope: Scope, request: Request, candidates: list[Item]
) -> PlaceRequestResult:
    copy = await take_available_copy(scope, candidates)
    if copy is None:
        position = await request_rows.queue_position(scope.connection, request)
        return PlaceRequestResult(request_view(request, None, scope.desks), position)
    copy = await page_item(scope, copy, request)
    paged = await request_rows.request_by_id(scope.connection, request.id)
    assert paged is not None
    return PlaceRequestResult(request_view(paged, copy.barcode, scope.desks), None)
