from __future__ import annotations

import asyncpg

from institution_subgraph.circulation.returns import NextStep
from institution_subgraph.circulation.states import (
    ItemStatus,
    LoanStatus,
    RequestStatus,
    TransitReason,
)
from institution_subgraph.clock import ManualClock

from .conftest import (
    ASH_MAIN,
    BIR_MAIN,
    CED_MAIN,
    Catalogue,
    item_status,
    linked_patron,
)
from .scenario import Circulation


async def test_walk_in_loan_to_a_linked_account_holding_only_shared_fields(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Walker Ash")

    lent = await circulation.lend(catalogue.single_copy, patron, at=BIR_MAIN)

    account = await connection.fetchrow(
        """
        SELECT kind, barcode, notes, blocked, block_reason, user_group,
               home_institution, emails
        FROM patron WHERE id = $1
        """,
        patron,
    )
    assert account is not None
    assert account["kind"] == "linked"
    assert account["barcode"] is None
    assert account["notes"] is None
    assert account["blocked"] is False
    assert account["block_reason"] is None
    assert account["user_group"] == "network"
    assert account["home_institution"] == "ASH"
    assert account["emails"] == ["walker.ash@ash.example"]
    assert lent.loan.status is LoanStatus.ACTIVE
    assert lent.loan.lending_desk == BIR_MAIN
    assert lent.filled_request_id is None
    assert await item_status(connection, catalogue.single_copy) == "checked_out"


async def test_returned_elsewhere_goes_to_the_next_requests_pickup_desk(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    borrower = await linked_patron(connection, clock, "First Borrower")
    waiting = await linked_patron(connection, clock, "Next In Line")
    await circulation.lend(catalogue.single_copy, borrower, at=BIR_MAIN)
    placed = await circulation.request_title(waiting, catalogue.single, pickup=ASH_MAIN)
    assert placed.request.status is RequestStatus.NOT_YET_FILLED
    assert placed.queue_position == 1

    returned = await circulation.take_back(catalogue.single_copy, at=CED_MAIN)

    assert returned.item.next_step is NextStep.TRANSIT_TO_PICKUP
    assert returned.item.transit is not None
    assert returned.item.transit.to_desk == ASH_MAIN
    assert returned.item.transit.from_desk == CED_MAIN
    assert returned.item.transit.reason is TransitReason.TO_NEXT_REQUEST
    assert returned.item.request_id == placed.request.request_id
    request = await connection.fetchrow(
        "SELECT status, item_id IS NOT NULL AS has_item FROM request WHERE id = $1",
        placed.request.request_id,
    )
    assert request is not None
    assert tuple(request) == ("in_transit", True)

    arrived = await circulation.receive(catalogue.single_copy, at=ASH_MAIN)
    assert arrived.item.status is ItemStatus.AWAITING_PICKUP
    assert arrived.item.request_id == placed.request.request_id


async def test_returned_at_the_next_requests_pickup_desk_stays_on_its_hold_shelf(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    borrower = await linked_patron(connection, clock, "First Borrower")
    waiting = await linked_patron(connection, clock, "Next In Line")
    await circulation.lend(catalogue.single_copy, borrower, at=BIR_MAIN)
    await circulation.request_title(waiting, catalogue.single, pickup=CED_MAIN)

    returned = await circulation.take_back(catalogue.single_copy, at=CED_MAIN)

    assert returned.item.next_step is NextStep.HOLD_SHELF
    assert returned.item.status is ItemStatus.AWAITING_PICKUP
    assert await connection.fetchval("SELECT count(*) FROM transit") == 0


async def test_returned_at_home_with_nobody_waiting_is_available_at_once(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Walker Ash")
    await circulation.lend(catalogue.single_copy, patron, at=BIR_MAIN)

    returned = await circulation.take_back(catalogue.single_copy, at=BIR_MAIN)

    assert returned.item.next_step is NextStep.SHELVE
    assert await item_status(connection, catalogue.single_copy) == "available"
