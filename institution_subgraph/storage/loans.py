"""SQL for loans.

The partial unique index ``loan_one_active_per_item_idx`` makes a second
active loan of one item impossible even if two transactions got past their
status checks; the operations translate that violation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from ..circulation.states import LoanProcessState, LoanStatus
from .types import Executor

__all__ = [
    "ACTIVE_LOAN_CONSTRAINT",
    "Loan",
    "active_loan_of_item",
    "due_dates_of_items",
    "insert_loan",
    "loan_by_id",
    "loans_by_id",
    "loans_due_between",
    "loans_of_patron",
    "loans_overdue_since",
    "mark_due_soon_noticed",
    "mark_overdue_noticed",
    "save_loan",
]

ACTIVE_LOAN_CONSTRAINT = "loan_one_active_per_item_idx"


@dataclass(frozen=True, slots=True)
class Loan:
    id: int
    item_id: int
    patron_id: int
    loan_policy_id: int
    loaned_at: datetime
    due_at: datetime
    original_due_at: datetime
    renewal_count: int
    status: LoanStatus
    process_state: LoanProcessState
    lending_desk_id: int
    return_desk_id: int | None
    returned_at: datetime | None
    closed_at: datetime | None


_COLUMNS = """
    id, item_id, patron_id, loan_policy_id, loaned_at, due_at, original_due_at,
    renewal_count, status, process_state, lending_desk_id, return_desk_id,
    returned_at, closed_at
"""


def _loan(row: asyncpg.Record) -> Loan:
    values = {name: row[name] for name in Loan.__dataclass_fields__}
    values["status"] = LoanStatus(row["status"])
    values["process_state"] = LoanProcessState(row["process_state"])
    return Loan(**values)


async def insert_loan(
    connection: asyncpg.Connection,
    *,
    item_id: int,
    patron_id: int,
    loan_policy_id: int,
    loaned_at: datetime,
    due_at: datetime,
    lending_desk_id: int,
) -> Loan:
    row = await connection.fetchrow(
        f"""
        INSERT INTO loan (item_id, patron_id, loan_policy_id, loaned_at, due_at,
                          original_due_at, lending_desk_id)
        VALUES ($1, $2, $3, $4, $5, $5, $6)
        RETURNING {_COLUMNS}
        """,
        item_id,
        patron_id,
        loan_policy_id,
        loaned_at,
        due_at,
        lending_desk_id,
    )
    assert row is not None
    return _loan(row)


async def active_loan_of_item(db: Executor, item_id: int) -> Loan | None:
    """The item's active loan; callers hold the item's lock."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM loan WHERE item_id = $1 AND status = 'active'",
        item_id,
    )
    return None if row is None else _loan(row)


async def due_dates_of_items(
    db: Executor, item_ids: Sequence[int]
) -> dict[int, datetime]:
    """When each item on an active loan is due; items not on loan are left
    out."""
    rows = await db.fetch(
        """
        SELECT item_id, due_at FROM loan
        WHERE item_id = ANY($1::bigint[]) AND status = 'active'
        """,
        list(item_ids),
    )
    return {row["item_id"]: row["due_at"] for row in rows}


async def loan_by_id(db: Executor, loan_id: int) -> Loan | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM loan WHERE id = $1", loan_id)
    return None if row is None else _loan(row)


async def loans_by_id(db: Executor, loan_ids: Sequence[int]) -> list[Loan]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM loan WHERE id = ANY($1::bigint[]) ORDER BY id",
        list(loan_ids),
    )
    return [_loan(row) for row in rows]


async def save_loan(connection: asyncpg.Connection, loan: Loan) -> None:
    """Write the fields of a loan that change after lending."""
    await connection.execute(
        """
        UPDATE loan SET
            due_at = $2, renewal_count = $3, status = $4, process_state = $5,
            return_desk_id = $6, returned_at = $7, closed_at = $8,
            due_soon_noticed_at = CASE WHEN due_at = $2
                                       THEN due_soon_noticed_at END,
            overdue_noticed_at = CASE WHEN due_at = $2
                                      THEN overdue_noticed_at END
        WHERE id = $1
        """,
        loan.id,
        loan.due_at,
        loan.renewal_count,
        loan.status.value,
        loan.process_state.value,
        loan.return_desk_id,
        loan.returned_at,
        loan.closed_at,
    )


async def loans_overdue_since(db: Executor, before: datetime) -> list[Loan]:
    """Active loans still out (not lost or claimed) that were due before then."""
    rows = await db.fetch(
        f"""
        SELECT {_COLUMNS} FROM loan
        WHERE status = 'active' AND due_at < $1
          AND process_state IN ('normal', 'renewed', 'recalled')
        ORDER BY due_at, id
        """,
        before,
    )
    return [_loan(row) for row in rows]


async def loans_due_between(
    db: Executor, start: datetime, end: datetime
) -> list[asyncpg.Record]:
    """Active loans due in [start, end) whose patron has not been told yet."""
    return await db.fetch(
        """
        SELECT loan.id, loan.patron_id, loan.due_at, item.barcode
        FROM loan JOIN item ON item.id = loan.item_id
        WHERE loan.status = 'active' AND loan.due_soon_noticed_at IS NULL
          AND loan.due_at >= $1 AND loan.due_at < $2
          AND loan.process_state IN ('normal', 'renewed', 'recalled')
        ORDER BY loan.id
        """,
        start,
        end,
    )


async def mark_due_soon_noticed(
    connection: asyncpg.Connection, loan_id: int, at: datetime
) -> None:
    await connection.execute(
        "UPDATE loan SET due_soon_noticed_at = $2 WHERE id = $1", loan_id, at
    )


async def mark_overdue_noticed(
    connection: asyncpg.Connection, loan_id: int, at: datetime
) -> bool:
    """Record the overdue notice; False if one was already recorded."""
    updated = await connection.fetchval(
        """
        UPDATE loan SET overdue_noticed_at = $2
        WHERE id = $1 AND overdue_noticed_at IS NULL
        RETURNING id
        """,
        loan_id,
        at,
    )
    return updated is not None


async def loans_of_patron(db: Executor, patron_id: int) -> list[Loan]:
    """The patron's loans: active ones first, soonest due first."""
    rows = await db.fetch(
        f"""
        SELECT {_COLUMNS} FROM loan
        WHERE patron_id = $1
        ORDER BY status = 'closed', due_at, id
        """,
        patron_id,
    )
    return [_loan(row) for row in rows]
