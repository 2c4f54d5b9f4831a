"""Creating or refreshing a linked account for another member's patron."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import asyncpg

from ...clock import Clock
from ...storage import patrons as patron_rows
from ..errors import PatronRecordRefused
from ..linked_accounts import (
    LinkedAccountTerms,
    SharedPatronFields,
    linked_account_terms,
)
from ._once import run_once
from ._scope import Scope

__all__ = ["LINK_PATRON", "LinkedAccountResult", "link_patron"]

# The operation's name for its idempotency keys; a purge forgets the stored
# results that name the purged account.
LINK_PATRON = "link_patron"


@dataclass(frozen=True, slots=True)
class LinkedAccountResult:
    patron_id: int
    network_patron_id: UUID
    created: bool
    user_group: str
    expires_on: date
    purge_on: date


async def link_patron(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    shared: SharedPatronFields,
) -> LinkedAccountResult:
    """Create the linked account, or refresh it from the home member.

    Only the shared fields are taken (build them with
    :func:`~..linked_accounts.shared_fields_from` to refuse anything more);
    the user group, expiry and purge dates come from this member's
    linked-account rule for the patron's home institution.
    """

    async def act(scope: Scope) -> LinkedAccountResult:
        terms = await _terms_for(scope, shared)
        patron_id, created = await _create_or_refresh(scope, shared, terms)
        return LinkedAccountResult(
            patron_id,
            shared.network_patron_id,
            created,
            terms.user_group,
            terms.expires_on,
            terms.purge_on,
        )

    return await run_once(
        connection,
        clock,
        operation=LINK_PATRON,
        key=idempotency_key,
        desk=None,
        arguments={"shared": shared},
        result_type=LinkedAccountResult,
        act=act,
    )


async def _terms_for(scope: Scope, shared: SharedPatronFields) -> LinkedAccountTerms:
    if shared.home_institution == scope.owner:
        raise PatronRecordRefused(
            "the patron belongs here; a linked account is for other members'",
            home_institution=shared.home_institution,
        )
    rule = await patron_rows.linked_account_rule_for(
        scope.connection, shared.home_institution
    )
    if rule is None:
        raise PatronRecordRefused(
            "no linked-account rule covers the patron's home institution",
            home_institution=shared.home_institution,
        )
    return linked_account_terms(rule, shared, scope.now.date())


async def _create_or_refresh(
    scope: Scope, shared: SharedPatronFields, terms: LinkedAccountTerms
) -> tuple[int, bool]:
    """The account's id, and whether it was created now."""
    while True:
        created = await patron_rows.insert_linked_account(
            scope.connection, shared, terms, scope.now
        )
        if created is not None:
            return created, True
        refreshed = await _refresh(scope, shared, terms)
        if refreshed is not None:
            return refreshed, False
        # The account that held the network id was purged between the two
        # statements, so the id is free again for a new account. Another
        # round is needed only while other sessions keep purging the
        # account this one finds.


async def _refresh(
    scope: Scope, shared: SharedPatronFields, terms: LinkedAccountTerms
) -> int | None:
    existing = await patron_rows.lock_patron_by_network_id(
        scope.connection, shared.network_patron_id
    )
    if existing is None:
        return None
    if not existing.is_linked:
        raise PatronRecordRefused(
            "the network patron id belongs to a patron of this institution",
            network_patron_id=str(shared.network_patron_id),
        )
    await patron_rows.refresh_linked_account(
        scope.connection, existing.id, shared, terms, scope.now
    )
    return existing.id
