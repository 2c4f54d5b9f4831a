"""At the owner's shelves: scanning a paged copy, and a copy found missing."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from ...clock import Clock
from ...storage import notices
from ...storage import requests as request_rows
from ...storage.items import Item
from ...storage.requests import Request
from ..desks import DeskKey
from ..errors import ItemWrongState
from ..states import ItemStatus, NoticeKind, RequestLevel, RequestStatus, TransitReason
from ..transitions import Action, check
from ..views import ItemOutcome, RequestView, request_view
from ._copies import requestable_copies, take_available_copy
from ._items import lock_item, move_item, require_own_desk
from ._once import run_once
from ._patrons import require_patron
from ._routing import page_item, put_on_hold_shelf, send_in_transit, step_request
from ._scope import Scope

__all__ = [
    "MissingItemResult",
    "PickScanResult",
    "mark_item_missing",
    "scan_item_for_pick_slip",
]


@dataclass(frozen=True, slots=True)
class PickScanResult:
    """The scanned copy: on this desk's hold shelf, or in transit to pickup."""

    item: ItemOutcome
    request: RequestView


@dataclass(frozen=True, slots=True)
class MissingItemResult:
    """The missing copy, and what became of the request it was paged for:
    paged again on ``replacement`` (another copy), or unfilled."""

    item: ItemOutcome
    request: RequestView | None
    replacement: ItemOutcome | None


async def scan_item_for_pick_slip(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    desk: DeskKey,
    barcode: str,
) -> PickScanResult:
    """Scan a copy pulled from the shelf for its pick slip.

    It goes on this desk's hold shelf when the request is to be collected
    here; otherwise it goes in transit to the request's pickup desk.
    """

    async def act(scope: Scope) -> PickScanResult:
        item = await lock_item(scope, barcode)
        check(Action.SCAN_PICK, item.status)
        at_desk = require_own_desk(scope, item)
        request = await _paged_for(scope, item)

        pickup = scope.desks[request.pickup_desk_id]
        if pickup.id == at_desk.id:
            outcome = await put_on_hold_shelf(
                scope, item, request, at_desk, "scan_pick"
            )
        else:
            outcome = await send_in_transit(
                scope,
                item,
                (at_desk, pickup),
                TransitReason.TO_PICKUP,
                request,
                "scan_pick",
            )
        stored = await request_rows.request_by_id(scope.connection, request.id)
        assert stored is not None
        return PickScanResult(outcome, request_view(stored, barcode, scope.desks))

    return await run_once(
        connection,
        clock,
        operation="scan_item_for_pick_slip",
        key=idempotency_key,
        desk=desk,
        arguments={"barcode": barcode},
        result_type=PickScanResult,
        act=act,
    )


async def mark_item_missing(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    desk: DeskKey,
    barcode: str,
) -> MissingItemResult:
    """Record that a copy is not on the shelf where it should be.

    A request it was paged for moves to another available copy of the same
    record; with none, the request ends unfilled and the patron is told.
    """

    async def act(scope: Scope) -> MissingItemResult:
        item = await lock_item(scope, barcode)
        check(Action.MARK_MISSING, item.status)
        require_own_desk(scope, item)
        request = None
        if item.status is ItemStatus.PAGED:
            request = await _paged_for(scope, item)
        item = await move_item(scope, item, ItemStatus.MISSING, "mark_missing")
        outcome = ItemOutcome(item.barcode, item.status)
        if request is None:
            return MissingItemResult(outcome, None, None)
        return await _move_request(scope, outcome, item, request)

    return await run_once(
        connection,
        clock,
        operation="mark_item_missing",
        key=idempotency_key,
        desk=desk,
        arguments={"barcode": barcode},
        result_type=MissingItemResult,
        act=act,
    )


async def _paged_for(scope: Scope, item: Item) -> Request:
    request = await request_rows.request_holding_item(scope.connection, item.id)
    if request is None or request.status is not RequestStatus.PICK_FROM_SHELF:
        raise ItemWrongState(
            "the item is paged but no request waits for it", barcode=item.barcode
        )
    return request


async def _move_request(
    scope: Scope, outcome: ItemOutcome, missing: Item, request: Request
) -> MissingItemResult:
    replacement = None
    if request.level is RequestLevel.TITLE:
        patron = await require_patron(scope, request.patron_id)
        candidates = await requestable_copies(
            scope,
            request.bib_record_id,
            patron.user_group,
            scope.desks[request.pickup_desk_id],
            exclude=[missing.id],
        )
        replacement = await take_available_copy(scope, candidates)
    if replacement is None:
        request = await _unfill(scope, request, missing)
        return MissingItemResult(
            outcome, request_view(request, None, scope.desks), None
        )

    replacement = await page_item(scope, replacement, request)
    moved = await request_rows.request_by_id(scope.connection, request.id)
    assert moved is not None
    return MissingItemResult(
        outcome,
        request_view(moved, replacement.barcode, scope.desks),
        ItemOutcome(replacement.barcode, replacement.status, request_id=request.id),
    )


async def _unfill(scope: Scope, request: Request, missing: Item) -> Request:
    request = await step_request(
        scope, request, RequestStatus.UNFILLED, item_id=request.item_id
    )
    await notices.add_notice(
        scope.connection,
        patron_id=request.patron_id,
        kind=NoticeKind.REQUEST_UNFILLED,
        payload={
            "request_id": request.id,
            "bib_record_id": request.bib_record_id,
            "reason": "item_missing",
            "barcode": missing.barcode,
        },
        at=scope.now,
    )
    return request
