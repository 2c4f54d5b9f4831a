from __future__ import annotations

import asyncpg
import pytest

from institution_subgraph.circulation.desks import DeskKey
from institution_subgraph.circulation.errors import NotCancellable, NotFound
from institution_subgraph.circulation.operations import (
    cancel_request,
    place_title_request,
)
from institution_subgraph.circulation.returns import NextStep
from institution_subgraph.circulation.states import ItemStatus, RequestStatus
from institution_subgraph.clock import ManualClock

from .conftest import (
    ASH_MAIN,
    BIR_MAIN,
    CED_MAIN,
    Catalogue,
    item_status,
    linked_patron,
    new_key,
)
from .scenario import Circulation


async def _request(
    connection: asyncpg.Connection,
    clock: ManualClock,
    catalogue: Catalogue,
    patron: int,
    pickup: DeskKey = CED_MAIN,
) -> int:
    placed = await place_title_request(
        connection,
        clock,
        new_key(),
        patron_id=patron,
        bib_record_id=catalogue.single,
        pickup_desk=pickup,
    )
    return placed.request.request_id


async def test_cancelling_a_paged_request_shelves_the_copy(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    patron = await linked_patron(connection, clock, "Changed Mind")
    request_id = await _request(connection, clock, catalogue, patron)

    cancelled = await cancel_request(
        connection, clock, new_key(), request_id=request_id, patron_id=patron
    )

    assert cancelled.request.status is RequestStatus.CANCELLED
    assert cancelled.item is not None
    assert cancelled.item.next_step is NextStep.SHELVE
    assert await item_status(connection, catalogue.single_copy) == "available"


async def test_cancelling_a_paged_request_pages_the_copy_for_the_next_one(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    first = await linked_patron(connection, clock, "First")
    second = await linked_patron(connection, clock, "Second")
    request_id = await _request(connection, clock, catalogue, first)
    next_id = await _request(connection, clock, catalogue, second, ASH_MAIN)

    cancelled = await cancel_request(
        connection, clock, new_key(), request_id=request_id, desk=BIR_MAIN
    )

    assert cancelled.item is not None
    assert cancelled.item.status is ItemStatus.PAGED
    assert cancelled.item.request_id == next_id
    status = await connection.fetchval(
        "SELECT status FROM request WHERE id = $1", next_id
    )
    assert status == "pick_from_shelf"


async def test_cancelling_a_hold_on_a_remote_shelf_sends_the_copy_home(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Changed Mind")
    request_id = await _request(connection, clock, catalogue, patron)
    await circulation.scan(catalogue.single_copy, at=BIR_MAIN)
    await circulation.receive(catalogue.single_copy, at=CED_MAIN)

    cancelled = await cancel_request(
        connection, clock, new_key(), request_id=request_id, desk=CED_MAIN
    )

    assert cancelled.item is not None
    assert cancelled.item.next_step is NextStep.TRANSIT_HOME
    assert cancelled.item.transit is not None
    assert cancelled.item.transit.from_desk == CED_MAIN


async def test_copy_cancelled_in_transit_is_checked_in_where_it_arrives(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Changed Mind")
    request_id = await _request(connection, clock, catalogue, patron)
    await circulation.scan(catalogue.single_copy, at=BIR_MAIN)
    cancelled = await cancel_request(
        connection, clock, new_key(), request_id=request_id, patron_id=patron
    )

    arrived = await circulation.receive(catalogue.single_copy, at=CED_MAIN)

    assert cancelled.item is not None
    assert cancelled.item.status is ItemStatus.IN_TRANSIT
    assert arrived.item.next_step is NextStep.TRANSIT_HOME
    assert (
        await connection.fetchval(
            "SELECT count(*) FROM notice WHERE kind = 'hold_ready'"
        )
        == 0
    )


async def test_a_request_cannot_be_cancelled_once_lent(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Collector")
    request_id = await _request(connection, clock, catalogue, patron)
    await circulation.scan(catalogue.single_copy, at=BIR_MAIN)
    await circulation.receive(catalogue.single_copy, at=CED_MAIN)
    await circulation.lend(catalogue.single_copy, patron, at=CED_MAIN)

    with pytest.raises(NotCancellable) as raised:
        await cancel_request(connection, clock, new_key(), request_id=request_id)

    assert raised.value.code == "NOT_CANCELLABLE"
    assert raised.value.details["status"] == "filled"


async def test_a_patron_cannot_cancel_someone_elses_request(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    owner = await linked_patron(connection, clock, "Owner Of Request")
    other = await linked_patron(connection, clock, "Someone Else")
    request_id = await _request(connection, clock, catalogue, owner)

    with pytest.raises(NotFound):
        await cancel_request(
            connection, clock, new_key(), request_id=request_id, patron_id=other
        )

    status = await connection.fetchval(
        "SELECT status FROM request WHERE id = $1", request_id
    )
    assert status == "pick_from_shelf"
