from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest

from institution_subgraph.circulation.errors import NotFound, RequestNotAllowed
from institution_subgraph.circulation.operations import (
    expire_requests,
    lend_item,
    place_item_request,
    place_title_request,
)
from institution_subgraph.circulation.states import RequestLevel, RequestStatus
from institution_subgraph.clock import ManualClock

from .conftest import BIR_MAIN, CED_MAIN, Catalogue, linked_patron, new_key


async def test_title_request_pages_the_first_copy_on_the_shelf(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    first, second = catalogue.pair_copies
    borrower = await linked_patron(connection, clock, "Borrower")
    seeker = await linked_patron(connection, clock, "Seeker")
    await lend_item(
        connection, clock, new_key(), desk=BIR_MAIN, barcode=first, patron_id=borrower
    )

    placed = await place_title_request(
        connection,
        clock,
        new_key(),
        patron_id=seeker,
        bib_record_id=catalogue.pair,
        pickup_desk=CED_MAIN,
    )

    assert placed.request.level is RequestLevel.TITLE
    assert placed.request.barcode == second
    assert placed.queue_position is None


async def test_item_request_waits_for_the_chosen_copy(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    first, _ = catalogue.pair_copies
    borrower = await linked_patron(connection, clock, "Borrower")
    seeker = await linked_patron(connection, clock, "Seeker")
    await lend_item(
        connection, clock, new_key(), desk=BIR_MAIN, barcode=first, patron_id=borrower
    )

    placed = await place_item_request(
        connection,
        clock,
        new_key(),
        patron_id=seeker,
        barcode=first,
        pickup_desk=CED_MAIN,
    )

    assert placed.request.level is RequestLevel.ITEM
    assert placed.request.status is RequestStatus.NOT_YET_FILLED
    assert placed.queue_position == 1


async def test_a_second_request_for_the_same_record_is_refused(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    patron = await linked_patron(connection, clock, "Eager")
    await place_title_request(
        connection,
        clock,
        new_key(),
        patron_id=patron,
        bib_record_id=catalogue.pair,
        pickup_desk=CED_MAIN,
    )

    with pytest.raises(RequestNotAllowed) as raised:
        await place_title_request(
            connection,
            clock,
            new_key(),
            patron_id=patron,
            bib_record_id=catalogue.pair,
            pickup_desk=BIR_MAIN,
        )

    assert raised.value.details["reason"] == "already_requested"


async def test_an_unknown_record_is_not_found(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    patron = await linked_patron(connection, clock, "Curious")

    with pytest.raises(NotFound):
        await place_title_request(
            connection,
            clock,
            new_key(),
            patron_id=patron,
            bib_record_id=999_999,
            pickup_desk=CED_MAIN,
        )


async def test_a_request_not_filled_by_the_needed_date_expires(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    borrower = await linked_patron(connection, clock, "Borrower")
    seeker = await linked_patron(connection, clock, "In A Hurry")
    await lend_item(
        connection,
        clock,
        new_key(),
        desk=BIR_MAIN,
        barcode=catalogue.single_copy,
        patron_id=borrower,
    )
    placed = await place_title_request(
        connection,
        clock,
        new_key(),
        patron_id=seeker,
        bib_record_id=catalogue.single,
        pickup_desk=CED_MAIN,
        needed_before=(clock.now() + timedelta(days=5)).date(),
    )

    clock.advance(timedelta(days=4))
    early = await expire_requests(connection, clock)
    clock.advance(timedelta(days=2))
    expired = await expire_requests(connection, clock)

    assert early == ()
    assert expired == (placed.request.request_id,)
    status = await connection.fetchval(
        "SELECT status FROM request WHERE id = $1", placed.request.request_id
    )
    assert status == "expired"
    kinds = await connection.fetch(
        "SELECT kind FROM notice WHERE patron_id = $1", seeker
    )
    assert [row["kind"] for row in kinds] == ["request_expired"]
