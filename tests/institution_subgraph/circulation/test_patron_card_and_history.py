from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import asyncpg
import pytest

from institution_subgraph.circulation.errors import NotFound, UnknownBarcode
from institution_subgraph.circulation.queries import (
    item_history,
    patron_activity,
    patron_by_network_id,
)
from institution_subgraph.circulation.states import (
    FeeKind,
    ItemStatus,
    LoanStatus,
    NoticeKind,
    RequestStatus,
)
from institution_subgraph.clock import ManualClock

from .conftest import BIR_MAIN, CED_MAIN, Catalogue, linked_patron, shared_fields
from .scenario import Circulation


async def test_patron_card_shows_loans_requests_fees_and_balance(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Card Holder")
    first, _ = catalogue.pair_copies
    await circulation.lend(first, patron, at=BIR_MAIN)
    await circulation.lend(catalogue.single_copy, patron, at=BIR_MAIN)
    clock.advance(timedelta(days=31))
    await circulation.take_back(first, at=CED_MAIN)
    await circulation.request_title(patron, catalogue.pair, pickup=CED_MAIN)

    card = await patron_activity(connection, patron)

    assert card.patron.name == "Card Holder"
    assert [(loan.barcode, loan.status) for loan in card.loans] == [
        (catalogue.single_copy, LoanStatus.ACTIVE),
        (first, LoanStatus.CLOSED),
    ]
    assert [(r.status, r.pickup_desk) for r in card.requests] == [
        (RequestStatus.PICK_FROM_SHELF, CED_MAIN)
    ]
    assert [(f.kind, f.balance, f.barcode) for f in card.fees] == [
        (FeeKind.OVERDUE, Decimal("0.50"), first)
    ]
    assert [(b.currency, b.amount) for b in card.balance] == [("USD", Decimal("0.50"))]
    assert [n.kind for n in card.notices] == [NoticeKind.FEE_CHARGED]


async def test_item_history_names_desks_and_the_loan(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Reader")
    lent = await circulation.lend(catalogue.single_copy, patron, at=BIR_MAIN)

    history = await item_history(connection, catalogue.single_copy)

    assert [(e.action, e.desk, e.from_status, e.to_status) for e in history] == [
        ("lend", BIR_MAIN, ItemStatus.AVAILABLE, ItemStatus.CHECKED_OUT)
    ]
    assert history[0].details == {"loan_id": lent.loan.loan_id}


async def test_history_of_an_unknown_barcode_is_refused(
    connection: asyncpg.Connection, catalogue: Catalogue
) -> None:
    with pytest.raises(UnknownBarcode):
        await item_history(connection, "NOPE")


async def test_card_of_an_unknown_patron_is_refused(
    connection: asyncpg.Connection, catalogue: Catalogue
) -> None:
    with pytest.raises(NotFound):
        await patron_activity(connection, 424242)


async def test_a_linked_account_is_found_by_its_network_id(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    patron = await linked_patron(connection, clock, "Ada Ash")

    found = await patron_by_network_id(
        connection, shared_fields("Ada Ash").network_patron_id
    )
    missing = await patron_by_network_id(connection, uuid.uuid4())

    assert found is not None
    assert found.patron_id == patron
    assert found.linked
    assert found.home_institution == "ASH"
    assert missing is None
