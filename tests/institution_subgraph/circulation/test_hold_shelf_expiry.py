from __future__ import annotations

from datetime import timedelta

import asyncpg

from institution_subgraph.circulation.operations import (
    expire_holds,
    place_title_request,
    receive_item,
    scan_item_for_pick_slip,
)
from institution_subgraph.circulation.queries import expired_holds, hold_shelf
from institution_subgraph.circulation.returns import NextStep
from institution_subgraph.circulation.states import ItemStatus, TransitReason
from institution_subgraph.clock import ManualClock

from .conftest import BIR_MAIN, CED_MAIN, Catalogue, item_status, linked_patron, new_key
from .scenario import Circulation


async def _on_ced_hold_shelf(
    connection: asyncpg.Connection, clock: ManualClock, catalogue: Catalogue, name: str
) -> int:
    patron = await linked_patron(connection, clock, name)
    placed = await place_title_request(
        connection,
        clock,
        new_key(),
        patron_id=patron,
        bib_record_id=catalogue.single,
        pickup_desk=CED_MAIN,
    )
    await scan_item_for_pick_slip(
        connection, clock, new_key(), desk=BIR_MAIN, barcode=catalogue.single_copy
    )
    await receive_item(
        connection, clock, new_key(), desk=CED_MAIN, barcode=catalogue.single_copy
    )
    return placed.request.request_id


async def test_uncollected_hold_expires_and_the_copy_goes_home(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    request_id = await _on_ced_hold_shelf(connection, clock, catalogue, "No Show")

    clock.advance(timedelta(days=9, hours=23))
    too_early = await expire_holds(connection, clock, new_key(), desk=CED_MAIN)
    still_listed = await expired_holds(connection, CED_MAIN, clock.now())
    clock.advance(timedelta(hours=2))
    listed = await expired_holds(connection, CED_MAIN, clock.now())
    expired = await expire_holds(connection, clock, new_key(), desk=CED_MAIN)

    assert too_early.expired == ()
    assert still_listed == ()
    assert [entry.request_id for entry in listed] == [request_id]
    assert [hold.request_id for hold in expired.expired] == [request_id]
    outcome = expired.expired[0].item
    assert outcome.next_step is NextStep.TRANSIT_HOME
    assert outcome.transit is not None
    assert outcome.transit.to_desk == BIR_MAIN
    assert outcome.transit.reason is TransitReason.TO_OWNER
    status = await connection.fetchval(
        "SELECT status FROM request WHERE id = $1", request_id
    )
    assert status == "pickup_expired"
    assert await item_status(connection, catalogue.single_copy) == "in_transit"
    assert await hold_shelf(connection, CED_MAIN) == ()
    kinds = await connection.fetch("SELECT kind FROM notice ORDER BY id")
    assert [row["kind"] for row in kinds][-1] == "hold_expired"


async def test_expired_hold_goes_to_the_next_patron_waiting(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    await _on_ced_hold_shelf(connection, clock, catalogue, "No Show")
    next_patron = await linked_patron(connection, clock, "Patient")
    waiting = await circulation.request_title(
        next_patron, catalogue.single, pickup=CED_MAIN
    )

    clock.advance(timedelta(days=11))
    expired = await expire_holds(connection, clock, new_key(), desk=CED_MAIN)

    outcome = expired.expired[0].item
    assert outcome.status is ItemStatus.AWAITING_PICKUP
    assert outcome.request_id == waiting.request.request_id
    assert outcome.hold_shelf_until == clock.now() + timedelta(days=10)
