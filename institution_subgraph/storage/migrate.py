"""Apply the versioned SQL migrations in ``migrations/``.

Each file ``NNNN_name.sql`` runs once, in its own transaction, and is
recorded in ``schema_migration``. Running the migrations again changes
nothing. An advisory lock keeps two processes that start at the same time
from applying the same file twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources

import asyncpg

__all__ = ["Migration", "apply_migrations", "available_migrations"]

logger = logging.getLogger("institution_subgraph.storage.migrate")

# An arbitrary constant, the same in every process of the project.
_LOCK_KEY = 0x66756C66

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migration (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    folder = resources.files(__package__).joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        stem = entry.name.removesuffix(".sql")
        version, _, name = stem.partition("_")
        found.append(Migration(int(version), name, entry.read_text("utf-8")))
    return sorted(found, key=lambda migration: migration.version)


async def apply_migrations(connection: asyncpg.Connection) -> list[Migration]:
    """Bring the database up to date; return the migrations applied now."""
    await connection.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await connection.execute(_CREATE_LEDGER)
        done = {
            row["version"]
            for row in await connection.fetch("SELECT version FROM schema_migration")
        }
        applied = []
        for migration in available_migrations():
            if migration.version in done:
                continue
            async with connection.transaction():
                await connection.execute(migration.sql)
                await connection.execute(
                    "INSERT INTO schema_migration (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
            logger.info(
                "migration applied",
                extra={"version": migration.version, "migration": migration.name},
            )
            applied.append(migration)
        return applied
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
