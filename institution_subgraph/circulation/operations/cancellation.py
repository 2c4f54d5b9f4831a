"""Cancelling a request, until the copy is lent.

The copy that was set aside for it is freed: paged for the next request or
shelved when it was still on the pick list, sent to the next request or
home when it waited on a hold shelf, and checked in where it arrives when
it was in transit.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from ...clock import Clock
from ...storage import notices
from ...storage import requests as request_rows
from ...storage.items import Item
from ...storage.requests import Request
from ..desks import DeskKey
from ..errors import NotCancellable, NotFound
from ..states import NoticeKind, RequestStatus
from ..views import ItemOutcome, RequestView, request_view
from ._items import lock_item_by_id
from ._once import run_once
from ._routing import release_paged_item, route_item, step_request
from ._scope import Scope

__all__ = ["CancelRequestResult", "cancel_request"]

_CANCEL_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class CancelRequestResult:
    request: RequestView
    # The copy that was set aside for the request, and where it goes now.
    item: ItemOutcome | None


async def cancel_request(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    request_id: int,
    desk: DeskKey | None = None,
    patron_id: int | None = None,
) -> CancelRequestResult:
    """Cancel a request not filled yet, at a desk or by the patron.

    With ``patron_id`` the request must be that patron's; a patron
    cancelling someone else's request is told it does not exist.
    """

    async def act(scope: Scope) -> CancelRequestResult:
        item, request = await _lock_cancellable(scope, request_id, patron_id)
        was = request.status
        request = await step_request(
            scope, request, RequestStatus.CANCELLED, item_id=request.item_id
        )
        await _tell_patron(scope, request)
        outcome = None
        if item is not None:
            outcome = await _free_copy(scope, item, was, request)
        barcode = None if item is None else item.barcode
        return CancelRequestResult(request_view(request, barcode, scope.desks), outcome)

    for _attempt in range(_CANCEL_ATTEMPTS):
        try:
            return await run_once(
                connection,
                clock,
                operation="cancel_request",
                key=idempotency_key,
                desk=desk,
                arguments={"request_id": request_id, "patron_id": patron_id},
                result_type=CancelRequestResult,
                act=act,
            )
        except _RequestMoved:
            # Rolled back with its locks; the next attempt sees the copy.
            continue
    raise NotCancellable(
        "the request kept changing while it was being cancelled",
        request_id=request_id,
    )


class _RequestMoved(Exception):
    """A copy was set aside for the request after it was read unlocked.

    The copy has to be locked before the request, so the transaction starts
    again rather than take the copy's lock out of order.
    """


async def _lock_cancellable(
    scope: Scope, request_id: int, patron_id: int | None
) -> tuple[Item | None, Request]:
    found = await request_rows.request_by_id(scope.connection, request_id)
    if found is None or patron_id not in (None, found.patron_id):
        raise NotFound(f"no request {request_id}", request_id=request_id)
    # The copy first, as every operation locks it before its requests.
    item = None
    if found.item_id is not None and found.status.holds_item:
        item = await lock_item_by_id(scope, found.item_id)
    request = await request_rows.lock_request(scope.connection, request_id)
    assert request is not None, "requests are never deleted"
    if request.status is not found.status and request.status.holds_item:
        raise _RequestMoved
    if not request.status.is_open:
        raise NotCancellable(
            "the request is finished",
            request_id=request_id,
            status=request.status.value,
        )
    return item, request


async def _tell_patron(scope: Scope, request: Request) -> None:
    await notices.add_notice(
        scope.connection,
        patron_id=request.patron_id,
        kind=NoticeKind.REQUEST_CANCELLED,
        payload={"request_id": request.id, "bib_record_id": request.bib_record_id},
        at=scope.now,
    )


async def _free_copy(
    scope: Scope, item: Item, was: RequestStatus, request: Request
) -> ItemOutcome:
    if was is RequestStatus.PICK_FROM_SHELF:
        return await release_paged_item(scope, item, "cancel_request")
    if was is RequestStatus.ON_HOLD_SHELF:
        at_desk = scope.desks[request.pickup_desk_id]
        return await route_item(scope, item, at_desk, "cancel_request")
    return ItemOutcome(item.barcode, item.status)
