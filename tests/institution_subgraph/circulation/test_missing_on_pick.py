from __future__ import annotations

import asyncpg
import pytest

from institution_subgraph.circulation.errors import ItemWrongState
from institution_subgraph.circulation.queries import pick_list
from institution_subgraph.circulation.states import ItemStatus, RequestStatus
from institution_subgraph.clock import ManualClock

from .conftest import BIR_MAIN, CED_MAIN, Catalogue, item_status, linked_patron
from .scenario import Circulation


async def test_request_moves_to_another_copy_when_the_paged_one_is_missing(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    first, second = catalogue.pair_copies
    patron = await linked_patron(connection, clock, "Seeker")
    placed = await circulation.request_title(patron, catalogue.pair, pickup=CED_MAIN)
    assert placed.request.barcode == first

    missing = await circulation.mark_missing(first, at=BIR_MAIN)

    assert missing.item.status is ItemStatus.MISSING
    assert missing.replacement is not None
    assert missing.replacement.barcode == second
    assert missing.request is not None
    assert missing.request.status is RequestStatus.PICK_FROM_SHELF
    assert missing.request.barcode == second
    assert await item_status(connection, first) == "missing"
    assert await item_status(connection, second) == "paged"
    assert [slip.barcode for slip in await pick_list(connection, BIR_MAIN)] == [second]


async def test_request_ends_unfilled_when_no_other_copy_is_on_the_shelf(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    first, second = catalogue.pair_copies
    borrower = await linked_patron(connection, clock, "Borrower")
    seeker = await linked_patron(connection, clock, "Seeker")
    await circulation.lend(second, borrower, at=BIR_MAIN)
    placed = await circulation.request_title(seeker, catalogue.pair, pickup=CED_MAIN)

    missing = await circulation.mark_missing(first, at=BIR_MAIN)

    assert missing.replacement is None
    assert missing.request is not None
    assert missing.request.status is RequestStatus.UNFILLED
    notice = await connection.fetchrow(
        "SELECT kind, payload::jsonb ->> 'reason' AS reason FROM notice"
        " WHERE patron_id = $1 ORDER BY id DESC LIMIT 1",
        seeker,
    )
    assert notice is not None
    assert tuple(notice) == ("request_unfilled", "item_missing")
    assert await item_status(connection, second) == "checked_out"
    status = await connection.fetchval(
        "SELECT status FROM request WHERE id = $1", placed.request.request_id
    )
    assert status == "unfilled"


async def test_item_request_for_a_missing_copy_is_unfilled(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    first, _ = catalogue.pair_copies
    patron = await linked_patron(connection, clock, "Picky")
    await circulation.request_item(patron, first, pickup=CED_MAIN)

    missing = await circulation.mark_missing(first, at=BIR_MAIN)

    assert missing.replacement is None
    assert missing.request is not None
    assert missing.request.status is RequestStatus.UNFILLED


async def test_missing_copy_found_again_is_checked_in_and_shelved(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    await circulation.mark_missing(catalogue.single_copy, at=BIR_MAIN)
    with pytest.raises(ItemWrongState):
        await circulation.mark_missing(catalogue.single_copy, at=BIR_MAIN)

    found = await circulation.take_back(catalogue.single_copy, at=BIR_MAIN)

    assert found.loan is None
    assert found.item.status is ItemStatus.AVAILABLE
