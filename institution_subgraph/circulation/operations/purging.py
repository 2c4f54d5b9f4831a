"""Purging the linked accounts whose purge date has passed.

This member's linked-account rule sets each account's purge date
(:func:`..linked_accounts.linked_account_terms`); a refresh from the home
member moves it on. Once the date has passed by this member's clock, the
account is purged, unless something of the patron's is still open here: an
active loan, an open request or a fee with a balance. Such an account is
kept and counted as waiting; a later run purges it once all is closed.

Purging anonymises the row instead of deleting it. This member's records of
what happened to its items point at the patron row, and some of them may
never change (the item and request histories are append-only); keeping the
row keeps every reference valid and the accounts whole, while the row stops
saying who the patron was. Table by table:

    patron           the row stays with its id and this member's own facts
                     (kind, home institution, user group, expiry, when it
                     was made and refreshed). The name, e-mail addresses,
                     phone numbers, postal addresses and network patron id
                     are cleared, and so is this member's block, whose
                     reason is free text about the person; ``purged_at``
                     says when. Lookups no longer find the row, so a later
                     link for the same network patron id makes a new one.
    loan, fee,       unchanged: closed loans and settled fees, with their
    fee_transaction  payments, waivers and refunds, keep pointing at the
                     anonymised row, so what each item earned stays whole.
    request          unchanged; only finished requests are left.
    request_event,   unchanged: they name requests, items and desks, never
    item_event,      the patron.
    transit
    notice           sent notices stay (ids, barcodes and dates only);
                     unsent ones leave the outbox, as nobody can deliver
                     them any more.
    idempotency_key  the stored linkPatron calls for the account are
                     deleted: their results and argument hashes come from
                     the network patron id and the shared fields.
    patron_link      untouched: it lists this member's own patrons' accounts
                     elsewhere, never a linked account here.

The patron's home member still records the link (``patron_link`` there),
and this member cannot reach it. So the result names each purged account
with its patron's home member, an opaque id and an institution code and
nothing about the person, for the gateway's ``purgeLinkedAccounts`` to tell
each home to forget it (:mod:`.patron_links`, ``forget_linked_account``).
The periodic job reports to nobody: the homes of the accounts it purges
keep their links until told by ``forgetLinkedAccount``, one account at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import asyncpg

from ...clock import Clock
from ...storage import idempotency, notices
from ...storage import purges as purge_rows
from ...storage.purges import DueAccount
from ..linked_accounts import is_due_for_purge
from ._once import run_once
from ._scope import Scope
from .linked_accounts import LINK_PATRON

__all__ = [
    "PurgeOutcome",
    "PurgeResult",
    "PurgedAccount",
    "purge_if_due",
    "purge_linked_accounts",
    "purge_result",
]

PurgeOutcome = Literal["purged", "waiting"]


@dataclass(frozen=True, slots=True)
class PurgedAccount:
    patron_id: int
    # The member that holds the patron's record, and the link to this account.
    home_institution: str


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """Linked accounts past their purge date, by what the run did to them."""

    purged: tuple[PurgedAccount, ...]
    # Kept, by id: something of the patron's is still open here.
    waiting: tuple[int, ...]


async def purge_linked_accounts(
    connection: asyncpg.Connection, clock: Clock, idempotency_key: str
) -> PurgeResult:
    """Purge every linked account due for it, in one transaction."""

    async def act(scope: Scope) -> PurgeResult:
        due = await purge_rows.linked_accounts_due(scope.connection, scope.now.date())
        return purge_result(
            [(account, await purge_if_due(scope, account.id)) for account in due]
        )

    return await run_once(
        connection,
        clock,
        operation="purge_linked_accounts",
        key=idempotency_key,
        desk=None,
        arguments={},
        result_type=PurgeResult,
        act=act,
    )


async def purge_if_due(scope: Scope, patron_id: int) -> PurgeOutcome | None:
    """Purge the linked account if it is due and has nothing open; None if
    it is not due (any more) or was purged already."""
    account = await purge_rows.lock_linked_account(scope.connection, patron_id)
    # Judged again under the lock: a refresh from the home member may have
    # moved the date on since the account was listed.
    if account is None or not is_due_for_purge(account.purge_on, scope.now.date()):
        return None
    open_here = await purge_rows.open_business_of(scope.connection, account.id)
    if open_here.holds_purge:
        return "waiting"
    await purge_rows.anonymise_linked_account(scope.connection, account.id, scope.now)
    await notices.withdraw_unsent_notices(scope.connection, account.id)
    await idempotency.forget_calls_naming_patron(
        scope.connection, LINK_PATRON, account.id
    )
    return "purged"


def purge_result(
    outcomes: Iterable[tuple[DueAccount, PurgeOutcome | None]],
) -> PurgeResult:
    listed = list(outcomes)
    return PurgeResult(
        purged=tuple(
            PurgedAccount(account.id, account.home_institution)
            for account, outcome in listed
            if outcome == "purged"
        ),
        waiting=tuple(
            account.id for account, outcome in listed if outcome == "waiting"
        ),
    )
