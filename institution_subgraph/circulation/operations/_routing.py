"""Steps that set a copy aside for a request or send it on its way.

Shared by the pick scan, check-in, receipt at a desk, cancellation and hold
expiry: each ends with the copy on a hold shelf, in transit, paged for the
next request, or back on the shelf, and with the request (if any) moved to
the matching step.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from ...storage import history, notices
from ...storage import requests as request_rows
from ...storage import transits as transit_rows
from ...storage.desks import Desk
from ...storage.items import Item
from ...storage.requests import Request
from ..returns import NextStep, WaitingRequest, next_step
from ..states import ItemStatus, NoticeKind, RequestStatus, TransitReason
from ..views import ItemOutcome, transit_view
from ._items import home_desk, move_item
from ._scope import Scope

__all__ = [
    "next_in_queue",
    "page_item",
    "put_on_hold_shelf",
    "release_paged_item",
    "route_item",
    "send_in_transit",
    "step_request",
]


async def step_request(
    scope: Scope,
    request: Request,
    status: RequestStatus,
    *,
    item_id: int | None,
    hold_shelf_until: datetime | None = None,
) -> Request:
    """Move the request to ``status`` and add the step to its history."""
    changed = replace(
        request, status=status, item_id=item_id, hold_shelf_until=hold_shelf_until
    )
    saved = await request_rows.save_request(scope.connection, changed, scope.now)
    await history.record_request_event(
        scope.connection,
        request_id=request.id,
        at=scope.now,
        status=status,
        desk_id=scope.desk_id,
        item_id=item_id,
    )
    return saved


async def next_in_queue(scope: Scope, item: Item) -> Request | None:
    """The oldest waiting request that this copy may fill under policy."""
    queue = await request_rows.queue_for_item(
        scope.connection, item.id, item.bib_record_id
    )
    for queued in queue:
        rule = scope.rule_for(queued.user_group, item.item_policy)
        pickup = scope.desks[queued.request.pickup_desk_id]
        if rule.request.refusal(pickup.key) is None:
            return queued.request
    return None


async def page_item(scope: Scope, item: Item, request: Request) -> Item:
    """Put the copy on the owner's pick-from-shelf list for the request."""
    await step_request(scope, request, RequestStatus.PICK_FROM_SHELF, item_id=item.id)
    return await move_item(scope, item, ItemStatus.PAGED, "page", request_id=request.id)


async def release_paged_item(scope: Scope, item: Item, action: str) -> ItemOutcome:
    """A paged copy lost its request: page it for the next one, or shelve it."""
    waiting = await next_in_queue(scope, item)
    if waiting is not None:
        item = await page_item(scope, item, waiting)
        return ItemOutcome(item.barcode, item.status, request_id=waiting.id)
    item = await move_item(scope, item, ItemStatus.AVAILABLE, action)
    return ItemOutcome(item.barcode, item.status, next_step=NextStep.SHELVE)


async def put_on_hold_shelf(
    scope: Scope, item: Item, request: Request, at_desk: Desk, action: str
) -> ItemOutcome:
    until = scope.now + timedelta(days=at_desk.hold_shelf_days)
    await step_request(
        scope,
        request,
        RequestStatus.ON_HOLD_SHELF,
        item_id=item.id,
        hold_shelf_until=until,
    )
    item = await move_item(
        scope,
        item,
        ItemStatus.AWAITING_PICKUP,
        action,
        request_id=request.id,
        hold_shelf_until=until.isoformat(),
    )
    await notices.add_notice(
        scope.connection,
        patron_id=request.patron_id,
        kind=NoticeKind.HOLD_READY,
        payload={
            "request_id": request.id,
            "barcode": item.barcode,
            "pickup_desk": str(at_desk.key),
            "hold_shelf_until": until.isoformat(),
        },
        at=scope.now,
    )
    return ItemOutcome(
        item.barcode,
        item.status,
        next_step=NextStep.HOLD_SHELF,
        request_id=request.id,
        hold_shelf_until=until,
    )


async def send_in_transit(
    scope: Scope,
    item: Item,
    route: tuple[Desk, Desk],
    reason: TransitReason,
    request: Request | None,
    action: str,
) -> ItemOutcome:
    """Send the copy from ``route[0]`` to ``route[1]``, for the request if any."""
    from_desk, to_desk = route
    transit = await transit_rows.insert_transit(
        scope.connection,
        item_id=item.id,
        from_desk_id=from_desk.id,
        to_desk_id=to_desk.id,
        reason=reason,
        request_id=None if request is None else request.id,
        sent_at=scope.now,
        expected_at=scope.now + timedelta(days=to_desk.transit_days),
    )
    if request is not None:
        await step_request(scope, request, RequestStatus.IN_TRANSIT, item_id=item.id)
    item = await move_item(
        scope,
        item,
        ItemStatus.IN_TRANSIT,
        action,
        transit_id=transit.id,
        to_desk=str(to_desk.key),
        reason=reason.value,
    )
    step = (
        NextStep.TRANSIT_HOME
        if reason is TransitReason.TO_OWNER
        else NextStep.TRANSIT_TO_PICKUP
    )
    return ItemOutcome(
        item.barcode,
        item.status,
        next_step=step,
        transit=transit_view(transit, item.barcode, scope.desks),
        request_id=None if request is None else request.id,
    )


async def route_item(
    scope: Scope, item: Item, at_desk: Desk, action: str
) -> ItemOutcome:
    """Send a copy checked in at ``at_desk`` where it is needed next."""
    waiting = await next_in_queue(scope, item)
    home = home_desk(scope, item)
    if waiting is None:
        return await _route_home(scope, item, (at_desk, home), action)

    pickup = scope.desks[waiting.pickup_desk_id]
    route = next_step(home.key, at_desk.key, WaitingRequest(waiting.id, pickup.key))
    if route.step is NextStep.HOLD_SHELF:
        return await put_on_hold_shelf(scope, item, waiting, at_desk, action)
    return await send_in_transit(
        scope, item, (at_desk, pickup), TransitReason.TO_NEXT_REQUEST, waiting, action
    )


async def _route_home(
    scope: Scope, item: Item, route: tuple[Desk, Desk], action: str
) -> ItemOutcome:
    at_desk, home = route
    if next_step(home.key, at_desk.key, None).step is NextStep.TRANSIT_HOME:
        return await send_in_transit(
            scope, item, route, TransitReason.TO_OWNER, None, action
        )
    item = await move_item(scope, item, ItemStatus.AVAILABLE, action)
    return ItemOutcome(item.barcode, item.status, next_step=NextStep.SHELVE)
