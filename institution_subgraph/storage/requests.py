"""SQL for requests and their queue.

The queue for a copy is every unfilled request for its record that either
takes any copy (title level) or chose this one (item level), oldest first.
The partial unique index ``request_one_per_item_idx`` keeps one copy from
being set aside for two requests at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from ..circulation.states import RequestLevel, RequestStatus
from .types import Executor

__all__ = [
    "ASSIGNED_REQUEST_CONSTRAINT",
    "QueuedRequest",
    "Request",
    "insert_request",
    "lock_request",
    "open_request_counts",
    "open_request_for_record",
    "queue_for_item",
    "queue_position",
    "request_by_id",
    "request_holding_item",
    "requests_at_desk",
    "requests_by_id",
    "requests_of_patron",
    "requests_unfilled_before",
    "save_request",
]

ASSIGNED_REQUEST_CONSTRAINT = "request_one_per_item_idx"


@dataclass(frozen=True, slots=True)
class Request:
    id: int
    patron_id: int
    bib_record_id: int
    level: RequestLevel
    requested_item_id: int | None
    item_id: int | None
    pickup_desk_id: int
    status: RequestStatus
    needed_before: date | None
    hold_shelf_until: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class QueuedRequest:
    """A waiting request with the requester's group, for the policy check."""

    request: Request
    user_group: str


_COLUMNS = """
    request.id, request.patron_id, request.bib_record_id, request.level,
    request.requested_item_id, request.item_id, request.pickup_desk_id,
    request.status, request.needed_before, request.hold_shelf_until,
    request.created_at, request.updated_at
"""


def _request(row: asyncpg.Record) -> Request:
    values = {name: row[name] for name in Request.__dataclass_fields__}
    values["level"] = RequestLevel(row["level"])
    values["status"] = RequestStatus(row["status"])
    return Request(**values)


async def insert_request(
    connection: asyncpg.Connection,
    *,
    patron_id: int,
    bib_record_id: int,
    requested_item_id: int | None,
    pickup_desk_id: int,
    needed_before: date | None,
    at: datetime,
) -> Request:
    level = RequestLevel.TITLE if requested_item_id is None else RequestLevel.ITEM
    row = await connection.fetchrow(
        f"""
        INSERT INTO request (patron_id, bib_record_id, level, requested_item_id,
                             pickup_desk_id, status, needed_before, created_at,
                             updated_at)
        VALUES ($1, $2, $3, $4, $5, 'not_yet_filled', $6, $7, $7)
        RETURNING {_COLUMNS}
        """,
        patron_id,
        bib_record_id,
        level.value,
        requested_item_id,
        pickup_desk_id,
        needed_before,
        at,
    )
    assert row is not None
    return _request(row)


async def request_by_id(db: Executor, request_id: int) -> Request | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM request WHERE id = $1", request_id)
    return None if row is None else _request(row)


async def requests_by_id(db: Executor, request_ids: Sequence[int]) -> list[Request]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM request WHERE id = ANY($1::bigint[]) ORDER BY id",
        list(request_ids),
    )
    return [_request(row) for row in rows]


async def lock_request(
    connection: asyncpg.Connection, request_id: int
) -> Request | None:
    row = await connection.fetchrow(
        f"SELECT {_COLUMNS} FROM request WHERE id = $1 FOR UPDATE", request_id
    )
    return None if row is None else _request(row)


async def request_holding_item(
    connection: asyncpg.Connection, item_id: int
) -> Request | None:
    """The request the item is set aside for, locked; callers hold the item."""
    row = await connection.fetchrow(
        f"""
        SELECT {_COLUMNS} FROM request
        WHERE item_id = $1
          AND status IN ('pick_from_shelf', 'in_transit', 'on_hold_shelf')
        FOR UPDATE
        """,
        item_id,
    )
    return None if row is None else _request(row)


async def queue_for_item(
    connection: asyncpg.Connection, item_id: int, bib_record_id: int
) -> list[QueuedRequest]:
    """Unfilled requests this copy could fill, oldest first, locked."""
    rows = await connection.fetch(
        f"""
        SELECT {_COLUMNS}, patron.user_group
        FROM request JOIN patron ON patron.id = request.patron_id
        WHERE request.bib_record_id = $2 AND request.status = 'not_yet_filled'
          AND (request.requested_item_id IS NULL OR request.requested_item_id = $1)
        ORDER BY request.created_at, request.id
        FOR UPDATE OF request
        """,
        item_id,
        bib_record_id,
    )
    return [QueuedRequest(_request(row), row["user_group"]) for row in rows]


async def queue_position(db: Executor, request: Request) -> int:
    """1 for the first request waiting for the record, and so on."""
    position: int = await db.fetchval(
        """
        SELECT count(*) FROM request
        WHERE bib_record_id = $1 AND status = 'not_yet_filled'
          AND (created_at, id) <= ($2, $3)
        """,
        request.bib_record_id,
        request.created_at,
        request.id,
    )
    return position


async def open_request_for_record(
    db: Executor, patron_id: int, bib_record_id: int
) -> int | None:
    request_id: int | None = await db.fetchval(
        """
        SELECT id FROM request
        WHERE patron_id = $1 AND bib_record_id = $2
          AND status IN ('not_yet_filled', 'pick_from_shelf', 'in_transit',
                         'on_hold_shelf')
        LIMIT 1
        """,
        patron_id,
        bib_record_id,
    )
    return request_id


async def open_request_counts(
    db: Executor, bib_record_ids: Sequence[int]
) -> dict[int, int]:
    """How many open requests, title and item level, each record has;
    records with none are left out."""
    rows = await db.fetch(
        """
        SELECT bib_record_id, count(*) AS open_requests FROM request
        WHERE bib_record_id = ANY($1::bigint[]) AND status = ANY($2::text[])
        GROUP BY bib_record_id
        """,
        list(bib_record_ids),
        [status.value for status in RequestStatus if status.is_open],
    )
    return {row["bib_record_id"]: row["open_requests"] for row in rows}


async def save_request(
    connection: asyncpg.Connection, request: Request, at: datetime
) -> Request:
    """Write the request's status, copy and hold date; return it as stored."""
    row = await connection.fetchrow(
        f"""
        UPDATE request SET
            status = $2, item_id = $3, hold_shelf_until = $4, updated_at = $5
        WHERE id = $1
        RETURNING {_COLUMNS}
        """,
        request.id,
        request.status.value,
        request.item_id,
        request.hold_shelf_until,
        at,
    )
    assert row is not None
    return _request(row)


async def requests_unfilled_before(db: Executor, day: date) -> list[Request]:
    """Requests still waiting although the patron needed them before ``day``."""
    rows = await db.fetch(
        f"""
        SELECT {_COLUMNS} FROM request
        WHERE status = 'not_yet_filled' AND needed_before < $1
        ORDER BY id
        """,
        day,
    )
    return [_request(row) for row in rows]


async def requests_of_patron(db: Executor, patron_id: int) -> list[Request]:
    rows = await db.fetch(
        f"""
        SELECT {_COLUMNS} FROM request WHERE patron_id = $1
        ORDER BY created_at DESC, id DESC
        """,
        patron_id,
    )
    return [_request(row) for row in rows]


async def requests_at_desk(
    db: Executor, desk_id: int, status: RequestStatus
) -> list[Request]:
    """Requests in ``status`` for pickup at the desk, oldest first."""
    rows = await db.fetch(
        f"""
        SELECT {_COLUMNS} FROM request
        WHERE pickup_desk_id = $1 AND status = $2
        ORDER BY hold_shelf_until, created_at, id
        """,
        desk_id,
        status.value,
    )
    return [_request(row) for row in rows]
