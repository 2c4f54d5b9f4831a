"""At a pickup desk: receiving copies in transit, and clearing the hold shelf.

The desk may be the owner's own or another member's acting for the owner;
either way the owner records what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import asyncpg

from ...clock import Clock
from ...storage import notices
from ...storage import requests as request_rows
from ...storage import transits as transit_rows
from ...storage.desks import Desk
from ...storage.items import Item
from ...storage.requests import Request
from ...storage.transits import Transit
from ..desks import DeskKey
from ..errors import ItemNotAtDesk, ItemWrongState
from ..states import NoticeKind, RequestStatus
from ..transitions import Action, check
from ..views import ItemOutcome, TransitView, transit_view
from ._items import lock_item, lock_item_by_id, note_item
from ._once import run_once
from ._routing import put_on_hold_shelf, route_item, step_request
from ._scope import Scope

__all__ = [
    "ExpiredHold",
    "ExpiredHoldsResult",
    "ReceiveResult",
    "expire_holds",
    "receive_item",
]


@dataclass(frozen=True, slots=True)
class ReceiveResult:
    """The transit that ended here, and where the copy is now."""

    transit: TransitView
    item: ItemOutcome


@dataclass(frozen=True, slots=True)
class ExpiredHold:
    request_id: int
    item: ItemOutcome


@dataclass(frozen=True, slots=True)
class ExpiredHoldsResult:
    expired: tuple[ExpiredHold, ...]


async def receive_item(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    desk: DeskKey,
    barcode: str,
) -> ReceiveResult:
    """Receive a copy whose transit ends at this desk.

    A copy sent for a request goes on this desk's hold shelf and the patron
    is told. A copy coming home, or whose request was cancelled on the way,
    is checked in here: it goes to the next request waiting for it, or on
    the shelf.
    """

    async def act(scope: Scope) -> ReceiveResult:
        item = await lock_item(scope, barcode)
        check(Action.RECEIVE, item.status)
        transit = await _transit_to(scope, item, scope.acting_desk)
        await transit_rows.mark_received(scope.connection, transit.id, scope.now)
        await note_item(scope, item, "transit_received", transit_id=transit.id)

        request = await _request_still_waiting(scope, transit, item)
        if request is None:
            outcome = await route_item(scope, item, scope.acting_desk, "receive")
        else:
            outcome = await put_on_hold_shelf(
                scope, item, request, scope.acting_desk, "receive"
            )
        received = replace(transit, received_at=scope.now)
        return ReceiveResult(transit_view(received, barcode, scope.desks), outcome)

    return await run_once(
        connection,
        clock,
        operation="receive_item",
        key=idempotency_key,
        desk=desk,
        arguments={"barcode": barcode},
        result_type=ReceiveResult,
        act=act,
    )


async def expire_holds(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    desk: DeskKey,
) -> ExpiredHoldsResult:
    """Clear this desk's hold shelf of holds not collected in time.

    Each request ends ``pickup_expired`` and its patron is told; the copy
    goes to the next request waiting for it, else back to its owner.
    """

    async def act(scope: Scope) -> ExpiredHoldsResult:
        on_shelf = await request_rows.requests_at_desk(
            scope.connection, scope.acting_desk.id, RequestStatus.ON_HOLD_SHELF
        )
        expired = []
        for request in on_shelf:
            hold = await _expire_one(scope, request)
            if hold is not None:
                expired.append(hold)
        return ExpiredHoldsResult(tuple(expired))

    return await run_once(
        connection,
        clock,
        operation="expire_holds",
        key=idempotency_key,
        desk=desk,
        arguments={},
        result_type=ExpiredHoldsResult,
        act=act,
    )


async def _transit_to(scope: Scope, item: Item, desk: Desk) -> Transit:
    transit = await transit_rows.open_transit_of_item(scope.connection, item.id)
    if transit is None:
        raise ItemWrongState(
            "the item is in transit on no record", barcode=item.barcode
        )
    if transit.to_desk_id != desk.id:
        raise ItemNotAtDesk(
            "the item is in transit to another desk",
            barcode=item.barcode,
            desk=str(desk.key),
            expected_at_desk=str(scope.desks[transit.to_desk_id].key),
        )
    return transit


async def _request_still_waiting(
    scope: Scope, transit: Transit, item: Item
) -> Request | None:
    if transit.request_id is None:
        return None
    request = await request_rows.lock_request(scope.connection, transit.request_id)
    if request is None or request.status is not RequestStatus.IN_TRANSIT:
        return None
    return request if request.item_id == item.id else None


async def _expire_one(scope: Scope, listed: Request) -> ExpiredHold | None:
    if listed.item_id is None or listed.hold_shelf_until is None:
        return None
    if listed.hold_shelf_until > scope.now:
        return None
    item = await lock_item_by_id(scope, listed.item_id)
    request = await request_rows.lock_request(scope.connection, listed.id)
    # The patron may have collected it while this job waited for the lock.
    if request is None or request.status is not RequestStatus.ON_HOLD_SHELF:
        return None
    check(Action.EXPIRE_HOLD, item.status)
    await step_request(scope, request, RequestStatus.PICKUP_EXPIRED, item_id=item.id)
    await notices.add_notice(
        scope.connection,
        patron_id=request.patron_id,
        kind=NoticeKind.HOLD_EXPIRED,
        payload={"request_id": request.id, "barcode": item.barcode},
        at=scope.now,
    )
    outcome = await route_item(scope, item, scope.acting_desk, "expire_hold")
    return ExpiredHold(request.id, outcome)
