"""SQL for fines and fees and the money moved against them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg

from ..circulation.states import FeeKind, FeeStatus, FeeTransactionKind
from .types import Executor

__all__ = [
    "Fee",
    "balances_of_patron",
    "fees_by_id",
    "fees_of_loan",
    "fees_of_patron",
    "insert_fee",
    "insert_fee_transaction",
    "lock_fee",
    "refundable_amount",
    "save_fee",
]


@dataclass(frozen=True, slots=True)
class Fee:
    id: int
    patron_id: int
    loan_id: int | None
    item_id: int | None
    kind: FeeKind
    status: FeeStatus
    original_amount: Decimal
    balance: Decimal
    currency: str
    owner_institution: str
    created_at: datetime


_COLUMNS = """
    id, patron_id, loan_id, item_id, kind, status, original_amount, balance,
    currency, owner_institution, created_at
"""


def _fee(row: asyncpg.Record) -> Fee:
    values = dict(row)
    values["kind"] = FeeKind(row["kind"])
    values["status"] = FeeStatus(row["status"])
    return Fee(**values)


async def insert_fee(
    connection: asyncpg.Connection,
    *,
    patron_id: int,
    loan_id: int | None,
    item_id: int | None,
    kind: FeeKind,
    amount: Decimal,
    currency: str,
    owner_institution: str,
    at: datetime,
) -> Fee:
    row = await connection.fetchrow(
        f"""
        INSERT INTO fee (patron_id, loan_id, item_id, kind, original_amount,
                         balance, currency, owner_institution, created_at)
        VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)
        RETURNING {_COLUMNS}
        """,
        patron_id,
        loan_id,
        item_id,
        kind.value,
        amount,
        currency,
        owner_institution,
        at,
    )
    assert row is not None
    return _fee(row)


async def fees_by_id(db: Executor, fee_ids: list[int]) -> list[Fee]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM fee WHERE id = ANY($1::bigint[]) ORDER BY id",
        fee_ids,
    )
    return [_fee(row) for row in rows]


async def lock_fee(connection: asyncpg.Connection, fee_id: int) -> Fee | None:
    row = await connection.fetchrow(
        f"SELECT {_COLUMNS} FROM fee WHERE id = $1 FOR UPDATE", fee_id
    )
    return None if row is None else _fee(row)


async def fees_of_loan(connection: asyncpg.Connection, loan_id: int) -> list[Fee]:
    """The loan's fees, locked; callers hold the item's lock first."""
    rows = await connection.fetch(
        f"SELECT {_COLUMNS} FROM fee WHERE loan_id = $1 ORDER BY id FOR UPDATE",
        loan_id,
    )
    return [_fee(row) for row in rows]


async def save_fee(connection: asyncpg.Connection, fee: Fee) -> None:
    await connection.execute(
        "UPDATE fee SET status = $2, balance = $3 WHERE id = $1",
        fee.id,
        fee.status.value,
        fee.balance,
    )


async def insert_fee_transaction(
    connection: asyncpg.Connection,
    *,
    fee_id: int,
    kind: FeeTransactionKind,
    amount: Decimal,
    balance_after: Decimal,
    at: datetime,
    desk_id: int | None,
) -> int:
    transaction_id: int = await connection.fetchval(
        """
        INSERT INTO fee_transaction (fee_id, kind, amount, balance_after, at,
                                     desk_id)
        VALUES ($1, $2, $3, $4, $5, $6)
        RETURNING id
        """,
        fee_id,
        kind.value,
        amount,
        balance_after,
        at,
        desk_id,
    )
    return transaction_id


async def refundable_amount(db: Executor, fee_id: int) -> Decimal:
    """What was paid on the fee and not yet handed back."""
    amount: Decimal = await db.fetchval(
        """
        SELECT coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0)
             - coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0)
        FROM fee_transaction WHERE fee_id = $1
        """,
        fee_id,
    )
    return amount


async def fees_of_patron(db: Executor, patron_id: int) -> list[Fee]:
    rows = await db.fetch(
        f"""
        SELECT {_COLUMNS} FROM fee WHERE patron_id = $1
        ORDER BY status = 'closed', created_at, id
        """,
        patron_id,
    )
    return [_fee(row) for row in rows]


async def balances_of_patron(db: Executor, patron_id: int) -> dict[str, Decimal]:
    """What the patron owes here, per currency; open fees only."""
    rows = await db.fetch(
        """
        SELECT currency, sum(balance) AS owed FROM fee
        WHERE patron_id = $1 AND status <> 'closed'
        GROUP BY currency ORDER BY currency
        """,
        patron_id,
    )
    return {row["currency"]: row["owed"] for row in rows}
