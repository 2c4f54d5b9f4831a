"""Recording, at a patron's home member, a linked account made elsewhere,
and forgetting it once that member has purged it.

When another member makes a linked account for one of this member's
patrons, the home member notes the account's ID there: the network patron
card lists the patron's activity at each member from these notes. When that
member purges the account, the note would name an account that no longer
resolves; the home member forgets it.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from ...clock import Clock
from ...storage import patron_links as link_rows
from ..errors import PatronRecordRefused
from ._once import run_once
from ._patrons import require_patron
from ._scope import Scope

__all__ = [
    "ForgottenLink",
    "RecordedLink",
    "forget_linked_account",
    "record_linked_account",
]


@dataclass(frozen=True, slots=True)
class RecordedLink:
    patron_id: int
    institution: str
    # The patron's local id at ``institution``.
    remote_patron: str


async def record_linked_account(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    patron_id: int,
    institution: str,
    remote_patron: str,
) -> RecordedLink:
    """Note that this member's patron has the account ``remote_patron`` at
    ``institution``, replacing an older account noted for that member."""

    async def act(scope: Scope) -> RecordedLink:
        await _require_own_patron(scope, patron_id)
        if institution == scope.owner:
            raise PatronRecordRefused(
                "a linked account is held at another member",
                institution=institution,
            )
        await link_rows.save_patron_link(
            scope.connection, patron_id, institution, remote_patron, scope.now
        )
        return RecordedLink(patron_id, institution, remote_patron)

    return await run_once(
        connection,
        clock,
        operation="record_linked_account",
        key=idempotency_key,
        desk=None,
        arguments={
            "patron_id": patron_id,
            "institution": institution,
            "remote_patron": remote_patron,
        },
        result_type=RecordedLink,
        act=act,
    )


@dataclass(frozen=True, slots=True)
class ForgottenLink:
    institution: str
    remote_patron: str
    # This member's patrons whose note named the account; empty when none
    # did (forgotten already, or replaced by a newer account there).
    patron_ids: tuple[int, ...]


async def forget_linked_account(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    institution: str,
    remote_patron: str,
) -> ForgottenLink:
    """Forget the note of the account ``remote_patron`` at ``institution``.

    Only that account's note goes: a newer account the patron has there
    since (recorded in its place) stays.
    """

    async def act(scope: Scope) -> ForgottenLink:
        if institution == scope.owner:
            raise PatronRecordRefused(
                "a linked account is held at another member",
                institution=institution,
            )
        patron_ids = await link_rows.delete_patron_link(
            scope.connection, institution, remote_patron
        )
        return ForgottenLink(institution, remote_patron, tuple(patron_ids))

    return await run_once(
        connection,
        clock,
        operation="forget_linked_account",
        key=idempotency_key,
        desk=None,
        arguments={"institution": institution, "remote_patron": remote_patron},
        result_type=ForgottenLink,
        act=act,
    )


async def _require_own_patron(scope: Scope, patron_id: int) -> None:
    patron = await require_patron(scope, patron_id)
    if patron.is_linked:
        # Only the home member keeps the list; a linked account's home is
        # elsewhere.
        raise PatronRecordRefused(
            "the patron is a linked account; their home member keeps their links",
            patron_id=patron_id,
        )
