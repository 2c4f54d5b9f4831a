"""Races between real sessions on the same database."""

from __future__ import annotations

import asyncpg
import pytest

from institution_subgraph.circulation.errors import (
    CirculationError,
    IdempotencyKeyReused,
    ItemUnavailable,
)
from institution_subgraph.circulation.operations import (
    LendResult,
    PlaceRequestResult,
    lend_item,
    place_title_request,
)
from institution_subgraph.circulation.states import RequestStatus
from institution_subgraph.clock import ManualClock

from .conftest import (
    BIR_MAIN,
    BIR_SCIENCE,
    CED_MAIN,
    Catalogue,
    item_status,
    linked_patron,
    new_key,
    race,
)
from .scenario import Circulation


async def test_two_desks_lending_the_last_copy_at_once_lend_it_once(
    database: str,
    connection: asyncpg.Connection,
    second_connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    alice = await linked_patron(connection, clock, "Alice")
    bob = await linked_patron(connection, clock, "Bob")

    outcomes = await race(
        database,
        catalogue.single_copy,
        circulation.lend(catalogue.single_copy, alice, at=BIR_MAIN),
        lend_item(
            second_connection,
            clock,
            new_key(),
            desk=BIR_SCIENCE,
            barcode=catalogue.single_copy,
            patron_id=bob,
        ),
    )

    lent = [o for o in outcomes if isinstance(o, LendResult)]
    refused = [o for o in outcomes if isinstance(o, CirculationError)]
    assert len(lent) == 1
    assert len(refused) == 1
    assert isinstance(refused[0], ItemUnavailable)
    assert refused[0].code == "ITEM_UNAVAILABLE"
    loans = await connection.fetch("SELECT patron_id FROM loan WHERE status = 'active'")
    assert [row["patron_id"] for row in loans] == [lent[0].loan.patron_id]
    assert await item_status(connection, catalogue.single_copy) == "checked_out"


async def test_two_patrons_requesting_the_last_copy_get_it_and_a_place_in_line(
    database: str,
    connection: asyncpg.Connection,
    second_connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
) -> None:
    alice = await linked_patron(connection, clock, "Alice")
    bob = await linked_patron(connection, clock, "Bob")

    outcomes = await race(
        database,
        catalogue.single_copy,
        *(
            place_title_request(
                session,
                clock,
                new_key(),
                patron_id=patron,
                bib_record_id=catalogue.single,
                pickup_desk=CED_MAIN,
            )
            for session, patron in ((connection, alice), (second_connection, bob))
        ),
    )

    placed = [o for o in outcomes if isinstance(o, PlaceRequestResult)]
    assert len(placed) == 2

    statuses = sorted(p.request.status for p in placed)
    assert statuses == [RequestStatus.NOT_YET_FILLED, RequestStatus.PICK_FROM_SHELF]
    queued = next(p for p in placed if p.queue_position is not None)
    assert queued.queue_position == 1
    assigned = await connection.fetchval(
        "SELECT count(*) FROM request WHERE item_id IS NOT NULL"
    )
    assert assigned == 1
    assert await item_status(connection, catalogue.single_copy) == "paged"


async def test_a_retried_call_acts_once_and_returns_the_first_result(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    patron = await linked_patron(connection, clock, "Retrier")
    key = new_key()

    first = await lend_item(
        connection,
        clock,
        key,
        desk=BIR_MAIN,
        barcode=catalogue.single_copy,
        patron_id=patron,
    )
    retried = await lend_item(
        connection,
        clock,
        key,
        desk=BIR_MAIN,
        barcode=catalogue.single_copy,
        patron_id=patron,
    )

    assert retried == first
    assert await connection.fetchval("SELECT count(*) FROM loan") == 1
    lends = await connection.fetchval(
        "SELECT count(*) FROM item_event WHERE action = 'lend'"
    )
    assert lends == 1


async def test_concurrent_retries_with_one_key_act_once(
    database: str,
    connection: asyncpg.Connection,
    second_connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
) -> None:
    patron = await linked_patron(connection, clock, "Double Clicker")
    key = new_key()

    results = await race(
        database,
        catalogue.single_copy,
        *(
            lend_item(
                session,
                clock,
                key,
                desk=BIR_MAIN,
                barcode=catalogue.single_copy,
                patron_id=patron,
            )
            for session in (connection, second_connection)
        ),
    )

    assert isinstance(results[0], LendResult)
    assert results[0] == results[1]
    assert await connection.fetchval("SELECT count(*) FROM loan") == 1


async def test_a_key_reused_for_other_arguments_is_refused(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    patron = await linked_patron(connection, clock, "Reuser")
    key = new_key()
    await lend_item(
        connection,
        clock,
        key,
        desk=BIR_MAIN,
        barcode=catalogue.single_copy,
        patron_id=patron,
    )

    with pytest.raises(IdempotencyKeyReused) as raised:
        await lend_item(
            connection,
            clock,
            key,
            desk=BIR_MAIN,
            barcode=catalogue.reserve_copy,
            patron_id=patron,
        )

    assert raised.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert await item_status(connection, catalogue.reserve_copy) == "available"


async def test_the_active_loan_index_stops_a_loan_the_locks_missed(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Unlucky")
    # A loan written behind the operations' back, with the item left
    # available: only the partial unique index stands in the way.
    await connection.execute(
        """
        INSERT INTO loan (item_id, patron_id, loan_policy_id, loaned_at, due_at,
                          original_due_at, lending_desk_id)
        SELECT item.id, $2, (SELECT min(id) FROM loan_policy), now(), now(), now(),
               (SELECT min(id) FROM desk)
        FROM item WHERE barcode = $1
        """,
        catalogue.single_copy,
        patron,
    )

    with pytest.raises(ItemUnavailable) as raised:
        await circulation.lend(catalogue.single_copy, patron, at=BIR_MAIN)

    assert raised.value.details["constraint"] == "loan_one_active_per_item_idx"
    assert await item_status(connection, catalogue.single_copy) == "available"
    assert await connection.fetchval("SELECT count(*) FROM idempotency_key") == 1
