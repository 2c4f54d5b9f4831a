"""The pick-up-anywhere cycle: a patron of ASH requests BIR's copy for
pickup at CED's desk, and the copy travels there and back."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from institution_subgraph.circulation.queries import (
    expected_in_transit,
    hold_shelf,
    item_history,
    pick_list,
    request_history,
)
from institution_subgraph.circulation.returns import NextStep
from institution_subgraph.circulation.states import (
    ItemStatus,
    LoanStatus,
    NoticeKind,
    RequestStatus,
    TransitReason,
)
from institution_subgraph.clock import ManualClock

from .conftest import BIR_MAIN, CED_MAIN, Catalogue, item_status, linked_patron
from .scenario import Circulation


async def _request_status(connection: asyncpg.Connection, request_id: int) -> str:
    status: str = await connection.fetchval(
        "SELECT status FROM request WHERE id = $1", request_id
    )
    return status


async def _open_transits(connection: asyncpg.Connection) -> list[asyncpg.Record]:
    return await connection.fetch(
        """
        SELECT from_desk.institution || '/' || from_desk.code AS from_desk,
               to_desk.institution || '/' || to_desk.code AS to_desk, reason
        FROM transit
        JOIN desk AS from_desk ON from_desk.id = transit.from_desk_id
        JOIN desk AS to_desk ON to_desk.id = transit.to_desk_id
        WHERE received_at IS NULL
        """
    )


async def _notice_kinds(connection: asyncpg.Connection, patron_id: int) -> list[str]:
    rows = await connection.fetch(
        "SELECT kind FROM notice WHERE patron_id = $1 ORDER BY id", patron_id
    )
    return [row["kind"] for row in rows]


async def test_copy_travels_to_a_third_members_desk_and_back_home(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    barcode = catalogue.single_copy
    patron = await linked_patron(connection, clock, "Ada Ash")

    # 1-2. The patron requests the record for pickup at CED.
    placed = await circulation.request_title(patron, catalogue.single, pickup=CED_MAIN)
    request_id = placed.request.request_id
    assert placed.request.status is RequestStatus.PICK_FROM_SHELF
    assert placed.request.barcode == barcode
    assert await item_status(connection, barcode) == "paged"

    # 3. BIR's pick list shows the slip with CED's desk as destination.
    slips = await pick_list(connection, BIR_MAIN)
    assert [(s.barcode, s.destination, s.patron_name) for s in slips] == [
        (barcode, CED_MAIN, "Ada Ash")
    ]

    # 4. BIR scans it: in transit from BIR to CED.
    clock.advance(timedelta(hours=2))
    scanned = await circulation.scan(barcode, at=BIR_MAIN)
    assert scanned.item.status is ItemStatus.IN_TRANSIT
    assert scanned.item.transit is not None
    assert scanned.item.transit.to_desk == CED_MAIN
    assert await _request_status(connection, request_id) == "in_transit"
    assert [tuple(row) for row in await _open_transits(connection)] == [
        ("BIR/MAIN", "CED/MAIN", "to_pickup")
    ]
    assert [t.barcode for t in await expected_in_transit(connection, CED_MAIN)] == [
        barcode
    ]

    # 5. CED receives it: on CED's hold shelf, the patron is told.
    clock.advance(timedelta(days=2))
    received = await circulation.receive(barcode, at=CED_MAIN)
    assert received.item.status is ItemStatus.AWAITING_PICKUP
    assert received.item.next_step is NextStep.HOLD_SHELF
    assert received.transit.received_at == clock.now()
    assert await _request_status(connection, request_id) == "on_hold_shelf"
    assert await _open_transits(connection) == []
    assert [e.request_id for e in await hold_shelf(connection, CED_MAIN)] == [
        request_id
    ]
    assert NoticeKind.HOLD_READY.value in await _notice_kinds(connection, patron)

    # 6. CED lends it on BIR's behalf: a BIR loan, under BIR's policy.
    clock.advance(timedelta(days=1))
    lent = await circulation.lend(barcode, patron, at=CED_MAIN)
    assert lent.filled_request_id == request_id
    assert lent.loan.lending_desk == CED_MAIN
    assert lent.loan.due_at == clock.now() + timedelta(days=28)
    assert await item_status(connection, barcode) == "checked_out"
    assert await _request_status(connection, request_id) == "filled"

    # 7. Returned at CED: the next step is a transit home to BIR.
    clock.advance(timedelta(days=10))
    returned = await circulation.take_back(barcode, at=CED_MAIN)
    assert returned.loan is not None
    assert returned.loan.status is LoanStatus.CLOSED
    assert returned.loan.return_desk == CED_MAIN
    assert returned.fees == ()
    assert returned.item.next_step is NextStep.TRANSIT_HOME
    assert [tuple(row) for row in await _open_transits(connection)] == [
        ("CED/MAIN", "BIR/MAIN", TransitReason.TO_OWNER.value)
    ]

    # 8. BIR receives it: back on the shelf.
    clock.advance(timedelta(days=3))
    home = await circulation.receive(barcode, at=BIR_MAIN)
    assert home.item.status is ItemStatus.AVAILABLE
    assert home.item.next_step is NextStep.SHELVE
    assert await item_status(connection, barcode) == "available"
    assert await _open_transits(connection) == []

    history = await item_history(connection, barcode)
    assert [
        event.to_status for event in history if event.to_status != event.from_status
    ] == [
        ItemStatus.PAGED,
        ItemStatus.IN_TRANSIT,
        ItemStatus.AWAITING_PICKUP,
        ItemStatus.CHECKED_OUT,
        ItemStatus.IN_TRANSIT,
        ItemStatus.AVAILABLE,
    ]
    steps = await request_history(connection, request_id)
    assert [step.status for step in steps] == [
        RequestStatus.NOT_YET_FILLED,
        RequestStatus.PICK_FROM_SHELF,
        RequestStatus.IN_TRANSIT,
        RequestStatus.ON_HOLD_SHELF,
        RequestStatus.FILLED,
    ]
    assert steps[3].desk == CED_MAIN


async def test_pickup_at_the_owner_goes_straight_to_the_hold_shelf(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Ada Ash")
    placed = await circulation.request_title(patron, catalogue.single, pickup=BIR_MAIN)

    scanned = await circulation.scan(catalogue.single_copy, at=BIR_MAIN)

    assert scanned.item.next_step is NextStep.HOLD_SHELF
    assert scanned.item.transit is None
    assert scanned.request.status is RequestStatus.ON_HOLD_SHELF
    assert scanned.item.hold_shelf_until == clock.now() + timedelta(days=7)
    assert await _open_transits(connection) == []
    assert await _request_status(connection, placed.request.request_id) == (
        "on_hold_shelf"
    )
