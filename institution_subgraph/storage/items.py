"""SQL for the circulation side of items: status and locking.

An operation locks the item row (``FOR UPDATE``) before it reads the status
it is going to act on, so that two desks scanning the same copy at the same
moment act one after the other, the second seeing what the first did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from ..circulation.states import ItemStatus
from .types import Executor

__all__ = [
    "Item",
    "barcodes_by_id",
    "item_by_barcode",
    "items_of_record",
    "lock_item",
    "lock_item_by_barcode",
    "set_item_status",
]


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    barcode: str
    status: ItemStatus
    bib_record_id: int
    item_policy: str
    # Where the item goes back to: its location's home desk, else the
    # institution's default home desk; None if neither is set up.
    home_desk_id: int | None


_SELECT = """
    SELECT item.id, item.barcode, item.status, item.item_policy,
           holding.bib_record_id,
           coalesce(
               location.home_desk_id,
               (SELECT id FROM desk WHERE is_default_home)
           ) AS home_desk_id
    FROM item
    JOIN holding ON holding.id = item.holding_id
    JOIN location ON location.id = holding.location_id
"""


def _item(row: asyncpg.Record) -> Item:
    return Item(
        id=row["id"],
        barcode=row["barcode"],
        status=ItemStatus(row["status"]),
        bib_record_id=row["bib_record_id"],
        item_policy=row["item_policy"],
        home_desk_id=row["home_desk_id"],
    )


async def lock_item_by_barcode(
    connection: asyncpg.Connection, barcode: str
) -> Item | None:
    row = await connection.fetchrow(
        f"{_SELECT} WHERE item.barcode = $1 FOR UPDATE OF item", barcode
    )
    return None if row is None else _item(row)


async def lock_item(connection: asyncpg.Connection, item_id: int) -> Item | None:
    row = await connection.fetchrow(
        f"{_SELECT} WHERE item.id = $1 FOR UPDATE OF item", item_id
    )
    return None if row is None else _item(row)


async def item_by_barcode(db: Executor, barcode: str) -> Item | None:
    row = await db.fetchrow(f"{_SELECT} WHERE item.barcode = $1", barcode)
    return None if row is None else _item(row)


async def items_of_record(
    db: Executor, bib_record_id: int, *, exclude: Sequence[int] = ()
) -> list[Item]:
    """The record's copies, in shelf order, without locking them."""
    rows = await db.fetch(
        f"""
        {_SELECT}
        WHERE holding.bib_record_id = $1 AND item.id <> ALL($2::bigint[])
        ORDER BY holding.id, item.copy_number
        """,
        bib_record_id,
        list(exclude),
    )
    return [_item(row) for row in rows]


async def set_item_status(
    connection: asyncpg.Connection, item_id: int, status: ItemStatus, at: datetime
) -> None:
    await connection.execute(
        "UPDATE item SET status = $2, status_changed_at = $3 WHERE id = $1",
        item_id,
        status.value,
        at,
    )


async def barcodes_by_id(db: Executor, item_ids: Sequence[int]) -> dict[int, str]:
    rows = await db.fetch(
        "SELECT id, barcode FROM item WHERE id = ANY($1::bigint[])", list(item_ids)
    )
    return {row["id"]: row["barcode"] for row in rows}
