"""Overdue fines and lost-item fees, driven by a manual clock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import asyncpg

from institution_subgraph.circulation.operations import (
    assess_overdue,
    lend_item,
    pay_fee,
)
from institution_subgraph.circulation.queries import patron_activity
from institution_subgraph.circulation.states import (
    FeeKind,
    FeeStatus,
    ItemStatus,
    LoanProcessState,
    LoanStatus,
    NoticeKind,
)
from institution_subgraph.clock import ManualClock

from .conftest import BIR_MAIN, CED_MAIN, Catalogue, item_status, linked_patron, new_key
from .scenario import Circulation

LOAN_PERIOD = timedelta(days=28)


async def _lend(
    connection: asyncpg.Connection, clock: ManualClock, barcode: str, patron: int
) -> int:
    lent = await lend_item(
        connection, clock, new_key(), desk=BIR_MAIN, barcode=barcode, patron_id=patron
    )
    return lent.loan.loan_id


async def test_late_return_is_fined_per_started_day_beyond_grace(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Late Returner")
    await _lend(connection, clock, catalogue.single_copy, patron)

    clock.advance(LOAN_PERIOD + timedelta(days=6, hours=3))
    returned = await circulation.take_back(catalogue.single_copy, at=CED_MAIN)

    # Six days and three hours late, one day of grace: six started days.
    assert [
        (f.kind, f.original_amount, f.owner_institution) for f in returned.fees
    ] == [(FeeKind.OVERDUE, Decimal("1.50"), "BIR")]
    activity = await patron_activity(connection, patron)
    assert [(b.currency, b.amount) for b in activity.balance] == [
        ("USD", Decimal("1.50"))
    ]
    assert NoticeKind.FEE_CHARGED in [n.kind for n in activity.notices]


async def test_return_on_time_charges_nothing(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Punctual")
    await _lend(connection, clock, catalogue.single_copy, patron)

    clock.advance(LOAN_PERIOD + timedelta(hours=23))
    returned = await circulation.take_back(catalogue.single_copy, at=BIR_MAIN)

    assert returned.fees == ()
    assert await connection.fetchval("SELECT count(*) FROM fee") == 0


async def test_overdue_fine_is_capped(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Very Late")
    await _lend(connection, clock, catalogue.single_copy, patron)

    clock.advance(LOAN_PERIOD + timedelta(days=41))
    returned = await circulation.take_back(catalogue.single_copy, at=BIR_MAIN)

    assert [f.original_amount for f in returned.fees] == [Decimal("10.00")]


async def test_assessment_tells_of_overdue_once_then_declares_lost(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    patron = await linked_patron(connection, clock, "Forgetful")
    loan_id = await _lend(connection, clock, catalogue.single_copy, patron)

    clock.advance(LOAN_PERIOD - timedelta(days=1))
    reminded = await assess_overdue(connection, clock)
    clock.advance(timedelta(days=3))
    first = await assess_overdue(connection, clock)
    second = await assess_overdue(connection, clock)
    clock.advance(timedelta(days=40))
    lost = await assess_overdue(connection, clock)

    assert reminded.due_soon_noticed == (loan_id,)
    assert first.overdue_noticed == (loan_id,)
    assert second.overdue_noticed == ()
    assert lost.declared_lost == (loan_id,)
    assert await item_status(connection, catalogue.single_copy) == "declared_lost"
    loan = await connection.fetchrow(
        "SELECT status, process_state FROM loan WHERE id = $1", loan_id
    )
    assert loan is not None
    assert tuple(loan) == ("active", "lost")
    activity = await patron_activity(connection, patron)
    assert sorted((f.kind, f.original_amount) for f in activity.fees) == [
        (FeeKind.LOST_ITEM, Decimal("80.00")),
        (FeeKind.PROCESSING, Decimal("20.00")),
    ]
    assert [n.kind for n in activity.notices].count(NoticeKind.DECLARED_LOST) == 1


async def test_paying_every_lost_fee_closes_the_loan_as_lost_and_paid(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Payer")
    loan_id = await _lend(connection, clock, catalogue.single_copy, patron)
    declared = await circulation.declare_lost(catalogue.single_copy, at=BIR_MAIN)
    replacement, processing = declared.fees

    first = await pay_fee(
        connection, clock, new_key(), fee_id=replacement.fee_id, amount=Decimal("80")
    )
    last = await pay_fee(
        connection,
        clock,
        new_key(),
        fee_id=processing.fee_id,
        amount=Decimal("20.00"),
        desk=BIR_MAIN,
    )

    assert declared.loan.process_state is LoanProcessState.LOST
    assert first.item_status is None
    assert first.fee.status is FeeStatus.CLOSED
    assert last.item_status is ItemStatus.LOST_AND_PAID
    assert await item_status(connection, catalogue.single_copy) == "lost_and_paid"
    status = await connection.fetchval("SELECT status FROM loan WHERE id = $1", loan_id)
    assert status == LoanStatus.CLOSED.value


async def test_lost_copy_that_comes_back_is_not_charged_for_replacement(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Finder")
    await _lend(connection, clock, catalogue.single_copy, patron)
    await circulation.declare_lost(catalogue.single_copy, at=BIR_MAIN)

    returned = await circulation.take_back(catalogue.single_copy, at=BIR_MAIN)

    balances = {f.kind: (f.status, f.balance) for f in returned.fees}
    assert balances == {FeeKind.LOST_ITEM: (FeeStatus.CLOSED, Decimal("0.00"))}
    activity = await patron_activity(connection, patron)
    assert [(b.amount) for b in activity.balance] == [Decimal("20.00")]
    assert await item_status(connection, catalogue.single_copy) == "available"


async def test_claimed_return_puts_fees_in_dispute_until_declared_lost(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    patron = await linked_patron(connection, clock, "Claimer")
    await _lend(connection, clock, catalogue.single_copy, patron)
    declared = await circulation.declare_lost(catalogue.single_copy, at=BIR_MAIN)

    claimed = await circulation.claim_returned(catalogue.single_copy, at=BIR_MAIN)
    again = await circulation.declare_lost(catalogue.single_copy, at=BIR_MAIN)

    assert claimed.loan.process_state is LoanProcessState.CLAIMED_RETURNED
    assert {f.status for f in claimed.disputed_fees} == {FeeStatus.IN_DISPUTE}
    assert {f.fee_id for f in again.fees} == {f.fee_id for f in declared.fees}
    assert {f.status for f in again.fees} == {FeeStatus.ACTIVE}
    assert await connection.fetchval("SELECT count(*) FROM fee") == 2
