"""SQL for items in transit between desks.

``transit_one_open_per_item_idx`` allows an item one open transit at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from ..circulation.states import TransitReason
from .types import Executor

__all__ = [
    "OPEN_TRANSIT_CONSTRAINT",
    "Transit",
    "insert_transit",
    "mark_received",
    "open_transit_of_item",
]

OPEN_TRANSIT_CONSTRAINT = "transit_one_open_per_item_idx"


@dataclass(frozen=True, slots=True)
class Transit:
    id: int
    item_id: int
    from_desk_id: int
    to_desk_id: int
    reason: TransitReason
    request_id: int | None
    sent_at: datetime
    expected_at: datetime
    received_at: datetime | None


_COLUMNS = """
    id, item_id, from_desk_id, to_desk_id, reason, request_id, sent_at,
    expected_at, received_at
"""


def _transit(row: asyncpg.Record) -> Transit:
    values = dict(row)
    values["reason"] = TransitReason(row["reason"])
    return Transit(**values)


async def insert_transit(
    connection: asyncpg.Connection,
    *,
    item_id: int,
    from_desk_id: int,
    to_desk_id: int,
    reason: TransitReason,
    request_id: int | None,
    sent_at: datetime,
    expected_at: datetime,
) -> Transit:
    row = await connection.fetchrow(
        f"""
        INSERT INTO transit (item_id, from_desk_id, to_desk_id, reason,
                             request_id, sent_at, expected_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        RETURNING {_COLUMNS}
        """,
        item_id,
        from_desk_id,
        to_desk_id,
        reason.value,
        request_id,
        sent_at,
        expected_at,
    )
    assert row is not None
    return _transit(row)


async def open_transit_of_item(db: Executor, item_id: int) -> Transit | None:
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM transit WHERE item_id = $1 AND received_at IS NULL",
        item_id,
    )
    return None if row is None else _transit(row)


async def mark_received(
    connection: asyncpg.Connection, transit_id: int, at: datetime
) -> None:
    await connection.execute(
        "UPDATE transit SET received_at = $2 WHERE id = $1", transit_id, at
    )
