"""SQL for circulation desks, own and remote, and items' home desks."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from ..circulation.desks import DeskKey
from .types import Executor

__all__ = ["Desk", "all_desks", "insert_desk", "set_home_desk_where_missing"]


@dataclass(frozen=True, slots=True)
class Desk:
    id: int
    key: DeskKey
    name: str
    is_pickup: bool
    hold_shelf_days: int
    transit_days: int
    is_default_home: bool


def _desk(row: asyncpg.Record) -> Desk:
    return Desk(
        id=row["id"],
        key=DeskKey(row["institution"], row["code"]),
        name=row["name"],
        is_pickup=row["is_pickup"],
        hold_shelf_days=row["hold_shelf_days"],
        transit_days=row["transit_days"],
        is_default_home=row["is_default_home"],
    )


_COLUMNS = """
    id, institution, code, name, is_pickup, hold_shelf_days, transit_days,
    is_default_home
"""


async def all_desks(db: Executor) -> list[Desk]:
    """Every desk this institution knows; a network has at most a few hundred."""
    rows = await db.fetch(f"SELECT {_COLUMNS} FROM desk ORDER BY id")
    return [_desk(row) for row in rows]


async def insert_desk(
    db: Executor,
    key: DeskKey,
    name: str,
    *,
    is_pickup: bool = True,
    hold_shelf_days: int = 7,
    transit_days: int = 2,
    is_default_home: bool = False,
) -> Desk:
    """Add the desk, or update the one with the same key."""
    row = await db.fetchrow(
        f"""
        INSERT INTO desk (institution, code, name, is_pickup, hold_shelf_days,
                          transit_days, is_default_home)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (institution, code) DO UPDATE SET
            name = EXCLUDED.name,
            is_pickup = EXCLUDED.is_pickup,
            hold_shelf_days = EXCLUDED.hold_shelf_days,
            transit_days = EXCLUDED.transit_days,
            is_default_home = EXCLUDED.is_default_home
        RETURNING {_COLUMNS}
        """,
        key.institution,
        key.code,
        name,
        is_pickup,
        hold_shelf_days,
        transit_days,
        is_default_home,
    )
    assert row is not None
    return _desk(row)


async def set_home_desk_where_missing(db: Executor, desk_id: int) -> None:
    await db.execute(
        "UPDATE location SET home_desk_id = $1 WHERE home_desk_id IS NULL", desk_id
    )
