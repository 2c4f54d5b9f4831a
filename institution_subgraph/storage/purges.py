"""SQL for purging linked accounts: which are due, what they still have
open here, and the update that leaves the row holding nothing personal.

The row is kept, not deleted; the migration
``0004_linked_account_purge.sql`` says why and checks what a purged row may
still hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from ..circulation.linked_accounts import OpenBusiness
from ..circulation.states import RequestStatus
from .types import Executor

__all__ = [
    "DueAccount",
    "LinkedAccountToPurge",
    "anonymise_linked_account",
    "linked_accounts_due",
    "lock_linked_account",
    "open_business_of",
]

_OPEN_REQUEST_STATUSES = [status.value for status in RequestStatus if status.is_open]


@dataclass(frozen=True, slots=True)
class DueAccount:
    """A linked account listed as due, and its patron's home member (a
    fact of the row that neither a refresh nor a purge changes)."""

    id: int
    home_institution: str


@dataclass(frozen=True, slots=True)
class LinkedAccountToPurge:
    id: int
    purge_on: date | None


async def linked_accounts_due(db: Executor, today: date) -> list[DueAccount]:
    """Linked accounts whose purge date is before ``today``, by id.

    The list is read without locks; each account is locked and judged again
    before it is purged (:func:`lock_linked_account`).
    """
    # Purged rows have no purge date, and own patrons never have one.
    rows = await db.fetch(
        "SELECT id, home_institution FROM patron WHERE purge_on < $1 ORDER BY id",
        today,
    )
    return [DueAccount(row["id"], row["home_institution"]) for row in rows]


async def lock_linked_account(
    connection: asyncpg.Connection, patron_id: int
) -> LinkedAccountToPurge | None:
    """The linked account, locked; None if it has been purged already."""
    row = await connection.fetchrow(
        """
        SELECT id, purge_on FROM patron
        WHERE id = $1 AND kind = 'linked' AND purged_at IS NULL
        FOR UPDATE
        """,
        patron_id,
    )
    return None if row is None else LinkedAccountToPurge(row["id"], row["purge_on"])


async def open_business_of(db: Executor, patron_id: int) -> OpenBusiness:
    row = await db.fetchrow(
        """
        SELECT
            (SELECT count(*) FROM loan
             WHERE patron_id = $1 AND status = 'active') AS active_loans,
            (SELECT count(*) FROM request
             WHERE patron_id = $1 AND status = ANY($2::text[])) AS open_requests,
            (SELECT count(*) FROM fee
             WHERE patron_id = $1 AND balance > 0) AS owing_fees
        """,
        patron_id,
        _OPEN_REQUEST_STATUSES,
    )
    assert row is not None, "a SELECT without FROM returns one row"
    return OpenBusiness(
        active_loans=row["active_loans"],
        open_requests=row["open_requests"],
        owing_fees=row["owing_fees"],
    )


async def anonymise_linked_account(
    connection: asyncpg.Connection, patron_id: int, at: datetime
) -> None:
    """Clear the shared fields, the network patron id and this member's
    block (its reason is free text about the person); keep the id, kind,
    home institution, user group, expiry and dates, and mark it purged."""
    await connection.execute(
        """
        UPDATE patron SET
            network_patron_id = NULL, name = NULL, emails = '{}', phones = '{}',
            addresses = '[]', blocked = false, block_reason = NULL,
            purge_on = NULL, purged_at = $2
        WHERE id = $1 AND kind = 'linked'
        """,
        patron_id,
        at,
    )
