from __future__ import annotations

import asyncpg

from institution_subgraph.storage.migrate import apply_migrations, available_migrations


async def test_migrated_database_records_every_migration(
    connection: asyncpg.Connection,
) -> None:
    versions = [
        row["version"]
        for row in await connection.fetch(
            "SELECT version FROM schema_migration ORDER BY version"
        )
    ]

    assert versions == [m.version for m in available_migrations()]


async def test_applying_migrations_twice_changes_nothing(
    connection: asyncpg.Connection,
) -> None:
    tables_before = await connection.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    )

    applied = await apply_migrations(connection)

    tables_after = await connection.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    )
    assert applied == []
    assert tables_after == tables_before
