"""Purging linked accounts after their purge date, on a real database.

BIR's rule for patrons of ASH keeps a linked account 30 days and purges it
10 days after that: an account linked at the start expires on day 30 and
is purged from day 41 on, when nothing of it is open at BIR.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import asyncpg
import pytest

from institution_subgraph.circulation.errors import NotFound
from institution_subgraph.circulation.linked_accounts import (
    LinkedAccountRule,
    OpenBusiness,
    is_due_for_purge,
    linked_account_terms,
)
from institution_subgraph.circulation.operations import (
    cancel_request,
    lend_item,
    link_patron,
    pay_fee,
    purge_due_linked_accounts,
    purge_linked_accounts,
)
from institution_subgraph.circulation.operations.purging import PurgedAccount
from institution_subgraph.clock import ManualClock
from institution_subgraph.storage.patrons import (
    insert_linked_account_rule,
    refresh_linked_account,
)
from institution_subgraph.storage.purges import anonymise_linked_account

from .conftest import (
    BIR_MAIN,
    CED_MAIN,
    START,
    Catalogue,
    database_snapshot,
    linked_patron,
    local_patron,
    new_key,
    shared_fields,
)
from .scenario import Circulation

RULE = LinkedAccountRule("ASH", "ash-visitors", expiry_days=30, purge_days=10)
PURGE_ON = (START + timedelta(days=40)).date()

# What ASH shares about Ada (see conftest.shared_fields).
ADA = shared_fields("Ada Ash")
ADA_TRACES = [
    "Ada Ash",
    ADA.emails[0],
    ADA.phones[0],
    ADA.addresses[0].lines[0],
    str(ADA.network_patron_id),
]


def of_ash(*patron_ids: int) -> tuple[PurgedAccount, ...]:
    """Linked accounts of patrons of ASH, as a purge reports them."""
    return tuple(PurgedAccount(patron_id, "ASH") for patron_id in patron_ids)


@pytest.fixture
async def rule(connection: asyncpg.Connection, catalogue: Catalogue) -> None:
    await insert_linked_account_rule(connection, RULE)


def move_to_day(clock: ManualClock, day: int) -> None:
    clock.advance(START + timedelta(days=day) - clock.now())


@dataclass(frozen=True)
class History:
    """Ada's closed business at BIR: a request filled at CED, its loan
    returned late at CED, the fine paid, and a second request cancelled."""

    patron_id: int
    loan_id: int
    fee_id: int


async def ada_with_history(
    connection: asyncpg.Connection,
    clock: ManualClock,
    catalogue: Catalogue,
    circulation: Circulation,
) -> History:
    ada = await linked_patron(connection, clock, "Ada Ash")
    await circulation.request_title(ada, catalogue.pair, pickup=CED_MAIN)
    barcode = catalogue.pair_copies[0]
    await circulation.scan(barcode, at=BIR_MAIN)
    await circulation.receive(barcode, at=CED_MAIN)
    lent = await circulation.lend(barcode, ada, at=CED_MAIN)
    second = await circulation.request_title(ada, catalogue.single, pickup=BIR_MAIN)
    await cancel_request(
        connection,
        clock,
        new_key(),
        request_id=second.request.request_id,
        patron_id=ada,
    )
    move_to_day(clock, 34)
    returned = await circulation.take_back(barcode, at=CED_MAIN)
    await circulation.receive(barcode, at=BIR_MAIN)
    (fine,) = returned.fees
    await pay_fee(connection, clock, new_key(), fee_id=fine.fee_id, amount=fine.balance)
    return History(ada, lent.loan.loan_id, fine.fee_id)


async def overdue_fine(circulation: Circulation, barcode: str, patron: int) -> int:
    """Lend now, return five days late; the fine's id, unpaid."""
    await circulation.lend(barcode, patron, at=BIR_MAIN)
    circulation.clock.advance(timedelta(days=33))
    returned = await circulation.take_back(barcode, at=BIR_MAIN)
    (fine,) = returned.fees
    return fine.fee_id


async def patron_row(connection: asyncpg.Connection, patron_id: int) -> asyncpg.Record:
    row = await connection.fetchrow("SELECT * FROM patron WHERE id = $1", patron_id)
    assert row is not None
    return row


async def names(connection: asyncpg.Connection) -> list[str | None]:
    rows = await connection.fetch("SELECT name FROM patron ORDER BY id")
    return [row["name"] for row in rows]


@pytest.mark.parametrize(
    ("purge_on", "today", "due"),
    [
        pytest.param(date(2025, 4, 12), date(2025, 4, 11), False, id="before"),
        pytest.param(date(2025, 4, 12), date(2025, 4, 12), False, id="on-the-day"),
        pytest.param(date(2025, 4, 12), date(2025, 4, 13), True, id="the-day-after"),
        pytest.param(None, date(2025, 4, 13), False, id="no-purge-date"),
    ],
)
def test_the_purge_date_is_the_last_day_an_account_is_kept(
    purge_on: date | None, today: date, due: bool
) -> None:
    assert is_due_for_purge(purge_on, today) is due


@pytest.mark.parametrize(
    ("open_here", "holds"),
    [
        (OpenBusiness(active_loans=0, open_requests=0, owing_fees=0), False),
        (OpenBusiness(active_loans=1, open_requests=0, owing_fees=0), True),
        (OpenBusiness(active_loans=0, open_requests=2, owing_fees=0), True),
        (OpenBusiness(active_loans=0, open_requests=0, owing_fees=1), True),
    ],
)
def test_anything_open_holds_the_purge(open_here: OpenBusiness, holds: bool) -> None:
    assert open_here.holds_purge is holds


async def test_nothing_is_purged_before_the_day_after_the_purge_date(
    connection: asyncpg.Connection, rule: None, clock: ManualClock
) -> None:
    ada = await linked_patron(connection, clock, "Ada Ash")

    move_to_day(clock, 40)
    on_the_day = await purge_linked_accounts(connection, clock, new_key())
    clock.advance(timedelta(days=1))
    the_day_after = await purge_linked_accounts(connection, clock, new_key())

    assert clock.now().date() == PURGE_ON + timedelta(days=1)
    assert (on_the_day.purged, on_the_day.waiting) == ((), ())
    assert (the_day_after.purged, the_day_after.waiting) == (of_ash(ada), ())


async def test_a_purged_account_holds_nothing_of_the_patron(
    connection: asyncpg.Connection,
    rule: None,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    history = await ada_with_history(connection, clock, catalogue, circulation)
    await connection.execute(
        "UPDATE patron SET blocked = true, block_reason = $2 WHERE id = $1",
        history.patron_id,
        "shouted at Bo",
    )
    move_to_day(clock, 41)

    purged = await purge_linked_accounts(connection, clock, new_key())

    assert purged.purged == of_ash(history.patron_id)
    row = await patron_row(connection, history.patron_id)
    assert {
        column: row[column]
        for column in (
            "network_patron_id",
            "name",
            "emails",
            "phones",
            "addresses",
            "blocked",
            "block_reason",
            "purge_on",
            "purged_at",
        )
    } == {
        "network_patron_id": None,
        "name": None,
        "emails": [],
        "phones": [],
        "addresses": "[]",
        "blocked": False,
        "block_reason": None,
        "purge_on": None,
        "purged_at": clock.now(),
    }
    assert (row["kind"], row["home_institution"], row["user_group"]) == (
        "linked",
        "ASH",
        "ash-visitors",
    )


async def test_no_table_keeps_a_trace_of_a_purged_patron(
    connection: asyncpg.Connection,
    rule: None,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    await ada_with_history(connection, clock, catalogue, circulation)
    move_to_day(clock, 41)
    tables = [
        row["tablename"]
        for row in await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
    ]

    async def traces() -> dict[str, int]:
        found = {}
        for table in tables:
            found[table] = await connection.fetchval(
                f"SELECT count(*) FROM {table} AS t WHERE t::text ILIKE ANY($1)",
                [f"%{trace}%" for trace in ADA_TRACES],
            )
        return {table: count for table, count in found.items() if count}

    before = await traces()
    await purge_linked_accounts(connection, clock, new_key())

    # The linkPatron call's stored result names Ada's network patron id.
    assert set(before) == {"patron", "idempotency_key"}
    assert await traces() == {}


async def test_history_stays_whole_and_points_at_the_anonymised_row(
    connection: asyncpg.Connection,
    rule: None,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    history = await ada_with_history(connection, clock, catalogue, circulation)
    move_to_day(clock, 41)
    before = await database_snapshot(connection)

    await purge_linked_accounts(connection, clock, new_key())

    after = await database_snapshot(connection)
    kept = ["item", "loan", "request", "request_event", "transit", "fee"]
    kept += ["fee_transaction", "item_event"]
    assert {table: after[table] for table in kept} == {
        table: before[table] for table in kept
    }
    assert after["patron"] != before["patron"]
    referenced = await connection.fetch(
        """
        SELECT 'loan' AS record, patron_id FROM loan
        UNION ALL SELECT 'request', patron_id FROM request
        UNION ALL SELECT 'fee', patron_id FROM fee
        """
    )
    assert {(row["record"], row["patron_id"]) for row in referenced} == {
        ("loan", history.patron_id),
        ("request", history.patron_id),
        ("fee", history.patron_id),
    }
    assert (await patron_row(connection, history.patron_id))["purged_at"] is not None
    fee = await connection.fetchrow(
        "SELECT loan_id, balance FROM fee WHERE id = $1", history.fee_id
    )
    assert fee is not None
    assert (fee["loan_id"], fee["balance"]) == (history.loan_id, Decimal("0.00"))


async def test_unsent_notices_leave_the_outbox_and_sent_ones_stay(
    connection: asyncpg.Connection,
    rule: None,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    history = await ada_with_history(connection, clock, catalogue, circulation)
    notices = await connection.fetch(
        "SELECT id, kind FROM notice WHERE patron_id = $1 ORDER BY id",
        history.patron_id,
    )
    first, *later = notices
    await connection.execute(
        "UPDATE notice SET sent_at = $2 WHERE id = $1", first["id"], clock.now()
    )
    move_to_day(clock, 41)

    await purge_linked_accounts(connection, clock, new_key())

    left = await connection.fetch("SELECT id, sent_at FROM notice ORDER BY id")
    assert later != []
    assert [row["id"] for row in left] == [first["id"]]
    assert left[0]["sent_at"] is not None


async def test_accounts_with_something_open_are_kept_and_counted(
    connection: asyncpg.Connection,
    rule: None,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    borrower = await linked_patron(connection, clock, "Lou Loan")
    requester = await linked_patron(connection, clock, "Rae Request")
    debtor = await linked_patron(connection, clock, "Fay Fee")
    done = await linked_patron(connection, clock, "Cleo Clear")
    own = await local_patron(connection, "Bea Birch", expires_on=START.date())
    await circulation.lend(catalogue.single_copy, borrower, at=BIR_MAIN)
    await circulation.request_title(requester, catalogue.single, pickup=BIR_MAIN)
    await overdue_fine(circulation, catalogue.reserve_copy, debtor)
    move_to_day(clock, 41)

    result = await purge_linked_accounts(connection, clock, new_key())

    assert result.purged == of_ash(done)
    assert result.waiting == (borrower, requester, debtor)
    rows = await connection.fetch(
        "SELECT id, name, purge_on, purged_at FROM patron ORDER BY id"
    )
    assert [(row["id"], row["name"]) for row in rows] == [
        (borrower, "Lou Loan"),
        (requester, "Rae Request"),
        (debtor, "Fay Fee"),
        (done, None),
        (own, "Bea Birch"),
    ]
    waiting = [row for row in rows if row["id"] in result.waiting]
    assert all(row["purge_on"] == PURGE_ON for row in waiting)
    assert all(row["purged_at"] is None for row in waiting)


async def test_a_waiting_account_is_purged_once_all_is_closed(
    connection: asyncpg.Connection,
    rule: None,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    lou = await linked_patron(connection, clock, "Lou Loan")
    await circulation.lend(catalogue.single_copy, lou, at=BIR_MAIN)
    move_to_day(clock, 41)

    while_lent = await purge_linked_accounts(connection, clock, new_key())
    returned = await circulation.take_back(catalogue.single_copy, at=BIR_MAIN)
    while_owing = await purge_linked_accounts(connection, clock, new_key())
    (fine,) = returned.fees
    await pay_fee(connection, clock, new_key(), fee_id=fine.fee_id, amount=fine.balance)
    once_paid = await purge_linked_accounts(connection, clock, new_key())

    assert (while_lent.purged, while_lent.waiting) == ((), (lou,))
    assert (while_owing.purged, while_owing.waiting) == ((), (lou,))
    assert (once_paid.purged, once_paid.waiting) == (of_ash(lou), ())
    assert await names(connection) == [None]


async def test_a_refresh_from_home_moves_the_purge_date_on(
    connection: asyncpg.Connection, rule: None, clock: ManualClock
) -> None:
    ada = await linked_patron(connection, clock, "Ada Ash")
    move_to_day(clock, 35)
    refreshed = await link_patron(connection, clock, new_key(), shared=ADA)
    move_to_day(clock, 41)

    result = await purge_linked_accounts(connection, clock, new_key())

    assert refreshed.patron_id == ada
    assert refreshed.purge_on == PURGE_ON + timedelta(days=35)
    assert (result.purged, result.waiting) == ((), ())
    assert await names(connection) == ["Ada Ash"]


async def test_a_retried_purge_acts_once(
    connection: asyncpg.Connection, rule: None, clock: ManualClock
) -> None:
    ada = await linked_patron(connection, clock, "Ada Ash")
    move_to_day(clock, 5)
    bob = await linked_patron(connection, clock, "Bob Ash")
    key = new_key()
    move_to_day(clock, 41)
    first = await purge_linked_accounts(connection, clock, key)
    # Bob's purge date has passed too by now.
    move_to_day(clock, 46)

    retried = await purge_linked_accounts(connection, clock, key)

    assert retried == first
    assert first.purged == of_ash(ada)
    assert await names(connection) == [None, "Bob Ash"]
    later = await purge_linked_accounts(connection, clock, new_key())
    assert later.purged == of_ash(bob)
    assert await names(connection) == [None, None]


async def test_a_purged_patron_linked_again_gets_a_new_account(
    connection: asyncpg.Connection, rule: None, clock: ManualClock
) -> None:
    ada = await linked_patron(connection, clock, "Ada Ash")
    move_to_day(clock, 41)
    await purge_linked_accounts(connection, clock, new_key())

    linked = await link_patron(connection, clock, new_key(), shared=ADA)
    refreshed = await link_patron(connection, clock, new_key(), shared=ADA)

    assert linked.created
    assert linked.patron_id != ada
    assert linked.purge_on == PURGE_ON + timedelta(days=41)
    assert not refreshed.created
    assert refreshed.patron_id == linked.patron_id
    assert await names(connection) == [None, "Ada Ash"]
    assert (await patron_row(connection, ada))["purged_at"] is not None


async def test_a_link_retried_after_the_purge_makes_a_new_account(
    connection: asyncpg.Connection, rule: None, clock: ManualClock
) -> None:
    key = new_key()
    first = await link_patron(connection, clock, key, shared=ADA)
    move_to_day(clock, 41)
    await purge_linked_accounts(connection, clock, new_key())

    # The stored answer named the purged account; it was forgotten with it.
    retried = await link_patron(connection, clock, key, shared=ADA)

    assert retried.created
    assert retried.patron_id != first.patron_id
    assert await names(connection) == [None, "Ada Ash"]


@pytest.mark.parametrize(
    "kept",
    [
        "name = 'Ada Ash'",
        "emails = '{ada@ash.example}'",
        "network_patron_id = gen_random_uuid()",
        "purge_on = current_date",
    ],
)
async def test_the_database_refuses_a_purged_row_that_keeps_anything(
    connection: asyncpg.Connection, rule: None, clock: ManualClock, kept: str
) -> None:
    ada = await linked_patron(connection, clock, "Ada Ash")
    await anonymise_linked_account(connection, ada, clock.now())

    with pytest.raises(asyncpg.CheckViolationError):
        await connection.execute(f"UPDATE patron SET {kept} WHERE id = $1", ada)


async def test_a_purged_account_cannot_borrow(
    connection: asyncpg.Connection,
    rule: None,
    catalogue: Catalogue,
    clock: ManualClock,
) -> None:
    ada = await linked_patron(connection, clock, "Ada Ash")
    move_to_day(clock, 41)
    await purge_linked_accounts(connection, clock, new_key())

    with pytest.raises(NotFound):
        await lend_item(
            connection,
            clock,
            new_key(),
            desk=BIR_MAIN,
            barcode=catalogue.single_copy,
            patron_id=ada,
        )

    assert await connection.fetchval("SELECT count(*) FROM loan") == 0


async def test_the_periodic_job_purges_and_is_safe_to_run_again(
    connection: asyncpg.Connection,
    rule: None,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    ada = await linked_patron(connection, clock, "Ada Ash")
    lou = await linked_patron(connection, clock, "Lou Loan")
    await circulation.lend(catalogue.single_copy, lou, at=BIR_MAIN)
    move_to_day(clock, 41)

    first = await purge_due_linked_accounts(connection, clock)
    again = await purge_due_linked_accounts(connection, clock)

    assert (first.purged, first.waiting) == (of_ash(ada), (lou,))
    assert (again.purged, again.waiting) == ((), (lou,))
    assert await names(connection) == [None, "Lou Loan"]


async def test_a_link_racing_a_purge_makes_a_new_account(
    database: str,
    connection: asyncpg.Connection,
    second_connection: asyncpg.Connection,
    rule: None,
    clock: ManualClock,
) -> None:
    ada = await linked_patron(connection, clock, "Ada Ash")
    move_to_day(clock, 41)

    # The purge holds Ada's row while the link, having found her network
    # id taken, waits to refresh it; the purge then frees the id.
    async with connection.transaction():
        await connection.execute("SELECT 1 FROM patron WHERE id = $1 FOR UPDATE", ada)
        link = asyncio.ensure_future(
            link_patron(second_connection, clock, new_key(), shared=ADA)
        )
        await until_a_session_waits_for_a_lock(connection)
        await anonymise_linked_account(connection, ada, clock.now())
    linked = await link

    assert linked.created
    assert linked.patron_id != ada
    assert await names(connection) == [None, "Ada Ash"]


async def test_a_refresh_racing_a_purge_keeps_the_account(
    connection: asyncpg.Connection,
    second_connection: asyncpg.Connection,
    rule: None,
    clock: ManualClock,
) -> None:
    ada = await linked_patron(connection, clock, "Ada Ash")
    move_to_day(clock, 41)
    terms = linked_account_terms(RULE, ADA, clock.now().date())

    # The refresh holds Ada's row while the purge, having listed her as due,
    # waits to lock it; the refresh then moves her purge date on.
    async with connection.transaction():
        await connection.execute("SELECT 1 FROM patron WHERE id = $1 FOR UPDATE", ada)
        purge = asyncio.ensure_future(
            purge_linked_accounts(second_connection, clock, new_key())
        )
        await until_a_session_waits_for_a_lock(connection)
        await refresh_linked_account(connection, ada, ADA, terms, clock.now())
    result = await purge

    assert (result.purged, result.waiting) == ((), ())
    assert await names(connection) == ["Ada Ash"]


async def until_a_session_waits_for_a_lock(connection: asyncpg.Connection) -> None:
    async with asyncio.timeout(10):
        while True:
            waiting = await connection.fetchval(
                """
                SELECT count(*) > 0 FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'
                """
            )
            if waiting:
                return
            await asyncio.sleep(0.01)
