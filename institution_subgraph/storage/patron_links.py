"""SQL for the linked accounts this institution's own patrons hold at other
members (``patron_link``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from .types import Executor

__all__ = [
    "PatronLink",
    "delete_patron_link",
    "links_of_patrons",
    "save_patron_link",
]


@dataclass(frozen=True, slots=True)
class PatronLink:
    patron_id: int
    # The other member's code and the patron's local id there.
    institution: str
    remote_patron: str
    linked_at: datetime


_COLUMNS = "patron_id, institution, remote_patron, linked_at"


def _link(row: asyncpg.Record) -> PatronLink:
    return PatronLink(**dict(row))


async def save_patron_link(
    connection: asyncpg.Connection,
    patron_id: int,
    institution: str,
    remote_patron: str,
    at: datetime,
) -> PatronLink:
    """Record the link; a newer remote id at the same member replaces the old.

    Recording the very same link again changes nothing, so ``linked_at``
    keeps saying when it was first recorded.
    """
    await connection.execute(
        """
        INSERT INTO patron_link (patron_id, institution, remote_patron, linked_at)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (patron_id, institution) DO UPDATE SET
            remote_patron = EXCLUDED.remote_patron,
            linked_at = EXCLUDED.linked_at
        WHERE patron_link.remote_patron <> EXCLUDED.remote_patron
        """,
        patron_id,
        institution,
        remote_patron,
        at,
    )
    row = await connection.fetchrow(
        f"""
        SELECT {_COLUMNS} FROM patron_link
        WHERE patron_id = $1 AND institution = $2
        """,
        patron_id,
        institution,
    )
    assert row is not None, "the link was written just now"
    return _link(row)


async def delete_patron_link(
    connection: asyncpg.Connection, institution: str, remote_patron: str
) -> list[int]:
    """Delete the links to that account; the patrons whose links they were."""
    rows = await connection.fetch(
        """
        DELETE FROM patron_link
        WHERE institution = $1 AND remote_patron = $2
        RETURNING patron_id
        """,
        institution,
        remote_patron,
    )
    return sorted(row["patron_id"] for row in rows)


async def links_of_patrons(db: Executor, patron_ids: Sequence[int]) -> list[PatronLink]:
    """The patrons' links, each patron's in order of the member's code."""
    rows = await db.fetch(
        f"""
        SELECT {_COLUMNS} FROM patron_link
        WHERE patron_id = ANY($1::bigint[])
        ORDER BY patron_id, institution
        """,
        list(patron_ids),
    )
    return [_link(row) for row in rows]
