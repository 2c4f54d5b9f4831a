"""SQL for the notice outbox.

Operations add notices in their own transaction, so a patron is told about
exactly the changes that were committed; rows whose ``sent_at`` is empty
are the ones still to send.
"""

# Not yet: the sender that delivers the outbox and sets sent_at; it belongs
# with the member's mail and SMS settings, which do not exist yet.

from __future__ import annotations

from datetime import datetime

import asyncpg
import orjson

from ..circulation.codec import JsonValue
from ..circulation.states import NoticeKind
from .types import Executor

__all__ = ["add_notice", "notices_of_patron", "withdraw_unsent_notices"]


async def add_notice(
    connection: asyncpg.Connection,
    *,
    patron_id: int,
    kind: NoticeKind,
    payload: dict[str, JsonValue],
    at: datetime,
) -> None:
    await connection.execute(
        """
        INSERT INTO notice (patron_id, kind, payload, created_at)
        VALUES ($1, $2, $3::jsonb, $4)
        """,
        patron_id,
        kind.value,
        orjson.dumps(payload).decode(),
        at,
    )


async def notices_of_patron(db: Executor, patron_id: int) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT id, kind, payload, created_at, sent_at
        FROM notice WHERE patron_id = $1 ORDER BY id
        """,
        patron_id,
    )


async def withdraw_unsent_notices(
    connection: asyncpg.Connection, patron_id: int
) -> None:
    """Take the patron's notices still to send out of the outbox, for a
    patron nobody can reach any more."""
    await connection.execute(
        "DELETE FROM notice WHERE patron_id = $1 AND sent_at IS NULL", patron_id
    )
