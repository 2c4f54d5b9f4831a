"""SQL for patrons: this institution's own and the linked accounts.

A linked account row holds only the shared fields of the home member's
record; the CHECK constraints of the table keep the local-only columns
empty for it. A purged linked account (see :mod:`.purges`) holds none of
them either, and the lookups here do not find it: this member no longer
knows who it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg
import orjson

from ..circulation.codec import decode, encode
from ..circulation.linked_accounts import (
    LinkedAccountRule,
    LinkedAccountTerms,
    PostalAddress,
    SharedPatronFields,
)
from .types import Executor

__all__ = [
    "Patron",
    "PatronCard",
    "insert_linked_account",
    "insert_linked_account_rule",
    "insert_local_patron",
    "linked_account_rule_for",
    "linked_account_rules_for",
    "lock_patron_by_network_id",
    "patron_by_id",
    "patron_by_network_id",
    "patron_cards_by_id",
    "refresh_linked_account",
    "set_patron_block",
]


@dataclass(frozen=True, slots=True)
class Patron:
    id: int
    kind: str
    home_institution: str
    network_patron_id: UUID
    name: str
    user_group: str
    expires_on: date
    blocked: bool
    block_reason: str | None

    @property
    def is_linked(self) -> bool:
        return self.kind == "linked"


@dataclass(frozen=True, slots=True)
class PatronCard:
    """What the network may see of a patron: the shared fields and how this
    member treats them; barcodes, notes and block reasons stay out."""

    id: int
    linked: bool
    home_institution: str
    network_patron_id: UUID
    name: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    addresses: tuple[PostalAddress, ...]
    user_group: str
    expires_on: date
    blocked: bool


_COLUMNS = """
    id, kind, home_institution, network_patron_id, name, user_group,
    expires_on, blocked, block_reason
"""


def _patron(row: asyncpg.Record) -> Patron:
    return Patron(**dict(row))


async def patron_by_id(db: Executor, patron_id: int) -> Patron | None:
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM patron WHERE id = $1 AND purged_at IS NULL",
        patron_id,
    )
    return None if row is None else _patron(row)


async def patron_by_network_id(db: Executor, network_id: UUID) -> Patron | None:
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM patron WHERE network_patron_id = $1", network_id
    )
    return None if row is None else _patron(row)


async def patron_cards_by_id(
    db: Executor, patron_ids: Sequence[int]
) -> list[PatronCard]:
    rows = await db.fetch(
        """
        SELECT id, kind, home_institution, network_patron_id, name, emails,
               phones, addresses, user_group, expires_on, blocked
        FROM patron WHERE id = ANY($1::bigint[]) AND purged_at IS NULL
        ORDER BY id
        """,
        list(patron_ids),
    )
    return [_patron_card(row) for row in rows]


def _patron_card(row: asyncpg.Record) -> PatronCard:
    return PatronCard(
        id=row["id"],
        linked=row["kind"] == "linked",
        home_institution=row["home_institution"],
        network_patron_id=row["network_patron_id"],
        name=row["name"],
        emails=tuple(row["emails"]),
        phones=tuple(row["phones"]),
        addresses=decode(tuple[PostalAddress, ...], orjson.loads(row["addresses"])),
        user_group=row["user_group"],
        expires_on=row["expires_on"],
        blocked=row["blocked"],
    )


async def lock_patron_by_network_id(
    connection: asyncpg.Connection, network_id: UUID
) -> Patron | None:
    row = await connection.fetchrow(
        f"SELECT {_COLUMNS} FROM patron WHERE network_patron_id = $1 FOR UPDATE",
        network_id,
    )
    return None if row is None else _patron(row)


async def insert_local_patron(
    db: Executor,
    *,
    home_institution: str,
    network_patron_id: UUID,
    barcode: str,
    name: str,
    user_group: str,
    expires_on: date,
    emails: Sequence[str] = (),
    notes: str | None = None,
) -> int:
    patron_id: int = await db.fetchval(
        """
        INSERT INTO patron (kind, home_institution, network_patron_id, barcode,
                            name, user_group, expires_on, emails, notes)
        VALUES ('local', $1, $2, $3, $4, $5, $6, $7, $8)
        RETURNING id
        """,
        home_institution,
        network_patron_id,
        barcode,
        name,
        user_group,
        expires_on,
        list(emails),
        notes,
    )
    return patron_id


async def set_patron_block(db: Executor, patron_id: int, reason: str | None) -> None:
    """Block the patron here for ``reason``, or lift the block with ``None``."""
    await db.execute(
        "UPDATE patron SET blocked = $2, block_reason = $3 WHERE id = $1",
        patron_id,
        reason is not None,
        reason,
    )


def _addresses(shared: SharedPatronFields) -> str:
    return orjson.dumps(encode(shared.addresses)).decode()


async def insert_linked_account(
    connection: asyncpg.Connection,
    shared: SharedPatronFields,
    terms: LinkedAccountTerms,
    at: datetime,
) -> int | None:
    """Add the linked account; None if the network id is already known."""
    patron_id: int | None = await connection.fetchval(
        """
        INSERT INTO patron (kind, home_institution, network_patron_id, name,
                            emails, phones, addresses, expires_on, user_group,
                            purge_on, refreshed_at, created_at)
        VALUES ('linked', $1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $10)
        ON CONFLICT (network_patron_id) DO NOTHING
        RETURNING id
        """,
        shared.home_institution,
        shared.network_patron_id,
        shared.name,
        list(shared.emails),
        list(shared.phones),
        _addresses(shared),
        terms.expires_on,
        terms.user_group,
        terms.purge_on,
        at,
    )
    return patron_id


async def refresh_linked_account(
    connection: asyncpg.Connection,
    patron_id: int,
    shared: SharedPatronFields,
    terms: LinkedAccountTerms,
    at: datetime,
) -> None:
    await connection.execute(
        """
        UPDATE patron SET
            name = $2, emails = $3, phones = $4, addresses = $5::jsonb,
            expires_on = $6, user_group = $7, purge_on = $8, refreshed_at = $9
        WHERE id = $1
        """,
        patron_id,
        shared.name,
        list(shared.emails),
        list(shared.phones),
        _addresses(shared),
        terms.expires_on,
        terms.user_group,
        terms.purge_on,
        at,
    )


async def linked_account_rule_for(
    db: Executor, home_institution: str
) -> LinkedAccountRule | None:
    """The rule for that member, else the rule for any member (``*``)."""
    row = await db.fetchrow(
        """
        SELECT home_institution, user_group, expiry_days, purge_days
        FROM linked_account_rule
        WHERE home_institution IN ($1, '*')
        ORDER BY home_institution = '*'
        LIMIT 1
        """,
        home_institution,
    )
    return None if row is None else LinkedAccountRule(**dict(row))


async def linked_account_rules_for(
    db: Executor, home_institutions: Sequence[str]
) -> dict[str, LinkedAccountRule]:
    """:func:`linked_account_rule_for` of each member at once; members that
    no rule covers are left out."""
    rows = await db.fetch(
        """
        SELECT DISTINCT ON (home.code) home.code AS asked,
               rule.home_institution, rule.user_group, rule.expiry_days,
               rule.purge_days
        FROM unnest($1::text[]) AS home (code)
        JOIN linked_account_rule AS rule
          ON rule.home_institution IN (home.code, '*')
        ORDER BY home.code, rule.home_institution = '*'
        """,
        list(home_institutions),
    )
    return {
        row["asked"]: LinkedAccountRule(
            home_institution=row["home_institution"],
            user_group=row["user_group"],
            expiry_days=row["expiry_days"],
            purge_days=row["purge_days"],
        )
        for row in rows
    }


async def insert_linked_account_rule(db: Executor, rule: LinkedAccountRule) -> None:
    await db.execute(
        """
        INSERT INTO linked_account_rule
            (home_institution, user_group, expiry_days, purge_days)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (home_institution) DO UPDATE SET
            user_group = EXCLUDED.user_group,
            expiry_days = EXCLUDED.expiry_days,
            purge_days = EXCLUDED.purge_days
        """,
        rule.home_institution,
        rule.user_group,
        rule.expiry_days,
        rule.purge_days,
    )
