from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest

from institution_subgraph.circulation.errors import NotFound, RequestNotAllowed
from institution_subgraph.circulation.operations import expire_requests
from institution_subgraph.circulation.states import RequestLevel, RequestStatus
from institution_subgraph.clock import ManualClock

from .conftest import BIR_MAIN, CED_MAIN, Catalogue, linked_patron
from .scenario import Circulation


async def test_title_request_pages_the_first_copy_on_the_shelf(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    first, second = catalogue.pair_copies
    borrower = await linked_patron(connection, clock, "Borrower")
    seeker = await linked_patron(connection, clock, "Seeker")
    await circulation.lend(first, borrower, at=BIR_MAIN)

    placed = await circulation.request_title(seeker, catalogue.pair, pickup=CED_MAIN)

    assert placed.request.level is RequestLevel.TITLE
    assert placed.request.barcode == second
    assert placed.queue_position is None


async def test_item_request_waits_for_the_chosen_copy(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    first, _ = catalogue.pair_copies
    borrower = await linked_patron(connection, clock, "Borrower")
    seeker = await linked_patron(connection, clock, "Seeker")
    await circulation.lend(first, borrower, at=BIR_MAIN)

    placed = await circulation.request_item(seeker, first, pickup=CED_MAIN)

    assert placed.request.level is RequestLevel.ITEM
    assert placed.request.status is RequestStatus.NOT_YET_FILLED
    assert placed.queue_position == 1


async def test_a_second_request_for_the_same_record_is_refused(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Eager")
    await circulation.request_title(patron, catalogue.pair, pickup=CED_MAIN)

    with pytest.raises(RequestNotAllowed) as raised:
        await circulation.request_title(patron, catalogue.pair, pickup=BIR_MAIN)

    assert raised.value.details["reason"] == "already_requested"


async def test_an_unknown_record_is_not_found(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Curious")

    with pytest.raises(NotFound):
        await circulation.request_title(patron, 999_999, pickup=CED_MAIN)


async def test_a_request_not_filled_by_the_needed_date_expires(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    borrower = await linked_patron(connection, clock, "Borrower")
    seeker = await linked_patron(connection, clock, "In A Hurry")
    await circulation.lend(catalogue.single_copy, borrower, at=BIR_MAIN)
    placed = await circulation.request_title(
        seeker,
        catalogue.single,
        pickup=CED_MAIN,
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
