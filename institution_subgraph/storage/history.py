"""SQL for the append-only histories of items and requests.

Every change an operation makes to an item, its loan, its requests, its
transits or its fees writes a row here in the same transaction. The tables
refuse UPDATE and DELETE (see the 0002 migration).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import orjson

from ..circulation.codec import JsonValue
from ..circulation.states import ItemStatus, RequestStatus
from .types import Executor

__all__ = [
    "item_history",
    "record_item_event",
    "record_request_event",
    "request_histories",
    "request_history",
]


async def record_item_event(
    connection: asyncpg.Connection,
    *,
    item_id: int,
    at: datetime,
    action: str,
    desk_id: int | None,
    from_status: ItemStatus,
    to_status: ItemStatus,
    details: dict[str, JsonValue],
) -> None:
    await connection.execute(
        """
        INSERT INTO item_event (item_id, at, action, desk_id, from_status,
                                to_status, details)
        VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
        """,
        item_id,
        at,
        action,
        desk_id,
        from_status.value,
        to_status.value,
        orjson.dumps(details).decode(),
    )


async def record_request_event(
    connection: asyncpg.Connection,
    *,
    request_id: int,
    at: datetime,
    status: RequestStatus,
    desk_id: int | None,
    item_id: int | None,
) -> None:
    await connection.execute(
        """
        INSERT INTO request_event (request_id, at, status, desk_id, item_id)
        VALUES ($1, $2, $3, $4, $5)
        """,
        request_id,
        at,
        status.value,
        desk_id,
        item_id,
    )


async def item_history(db: Executor, item_id: int) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT id, at, action, desk_id, from_status, to_status, details
        FROM item_event WHERE item_id = $1 ORDER BY id
        """,
        item_id,
    )


async def request_history(db: Executor, request_id: int) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT id, at, status, desk_id, item_id
        FROM request_event WHERE request_id = $1 ORDER BY id
        """,
        request_id,
    )


async def request_histories(
    db: Executor, request_ids: Sequence[int]
) -> list[asyncpg.Record]:
    """The steps of several requests, each request's in order."""
    return await db.fetch(
        """
        SELECT id, request_id, at, status, desk_id, item_id
        FROM request_event WHERE request_id = ANY($1::bigint[])
        ORDER BY request_id, id
        """,
        list(request_ids),
    )
