"""SQL for idempotency keys: one stored result per (operation, key).

The first call inserts its key before acting. A concurrent call with the
same key blocks on that insert until the first commits (then reads its
result) or rolls back (then acts itself); so a retried call acts once.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import orjson

from ..circulation.codec import JsonValue

__all__ = [
    "StoredCall",
    "claim_key",
    "forget_calls_naming_patron",
    "save_result",
    "stored_call",
]


@dataclass(frozen=True, slots=True)
class StoredCall:
    arguments_hash: str
    result: JsonValue


async def claim_key(
    connection: asyncpg.Connection, operation: str, key: str, arguments_hash: str
) -> bool:
    """Reserve the key for this transaction; False if already used."""
    claimed = await connection.fetchval(
        """
        INSERT INTO idempotency_key (operation, key, arguments_hash)
        VALUES ($1, $2, $3)
        ON CONFLICT (operation, key) DO NOTHING
        RETURNING true
        """,
        operation,
        key,
        arguments_hash,
    )
    return claimed is not None


async def stored_call(
    connection: asyncpg.Connection, operation: str, key: str
) -> StoredCall:
    row = await connection.fetchrow(
        """
        SELECT arguments_hash, result FROM idempotency_key
        WHERE operation = $1 AND key = $2
        """,
        operation,
        key,
    )
    assert row is not None, "only called after the key was found taken"
    result: JsonValue = orjson.loads(row["result"])
    return StoredCall(row["arguments_hash"], result)


async def save_result(
    connection: asyncpg.Connection, operation: str, key: str, result: JsonValue
) -> None:
    await connection.execute(
        """
        UPDATE idempotency_key SET result = $3::jsonb
        WHERE operation = $1 AND key = $2
        """,
        operation,
        key,
        orjson.dumps(result).decode(),
    )


async def forget_calls_naming_patron(
    connection: asyncpg.Connection, operation: str, patron_id: int
) -> None:
    """Delete the stored calls of ``operation`` whose result names the
    patron (as ``patron_id``), with their keys.

    For a patron this member must forget: such a result may hold what was
    known of them. A retry of a forgotten call acts afresh.
    """
    await connection.execute(
        """
        DELETE FROM idempotency_key
        WHERE operation = $1 AND result ->> 'patron_id' = $2::bigint::text
        """,
        operation,
        patron_id,
    )
