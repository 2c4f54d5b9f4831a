"""SQL for the institution row and the database's preparation."""

from __future__ import annotations

import asyncpg

from fulfillment_network.postgres import database_name, ensure_database

from .migrate import apply_migrations

__all__ = ["open_institution_pool", "prepare_database", "record_institution"]


async def record_institution(
    connection: asyncpg.Connection, code: str, name: str
) -> None:
    """Say which institution this database belongs to; refuse another one."""
    existing = await connection.fetchval("SELECT code FROM institution")
    if existing is not None and existing != code:
        raise ValueError(f"this database belongs to institution {existing}, not {code}")
    await connection.execute(
        """
        INSERT INTO institution (code, name) VALUES ($1, $2)
        ON CONFLICT (singleton) DO UPDATE SET name = EXCLUDED.name
        """,
        code,
        name,
    )


async def prepare_database(server_dsn: str, code: str, name: str) -> str:
    """Create and migrate the institution's database; return its DSN."""
    dsn = await ensure_database(server_dsn, database_name(code))
    connection = await asyncpg.connect(dsn)
    try:
        await apply_migrations(connection)
        await record_institution(connection, code, name)
    finally:
        await connection.close()
    return dsn


async def open_institution_pool(
    server_dsn: str, code: str, name: str, *, max_size: int = 10
) -> asyncpg.Pool:
    dsn = await prepare_database(server_dsn, code, name)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=max_size)
    assert pool is not None
    return pool
