"""What every step of one operation shares: the transaction and its facts.

A scope is opened inside the operation's transaction. It reads, once, the
institution this database belongs to, its desks and its policy rules; all
are small, and reading them up front keeps the steps free of lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

import asyncpg

from ...clock import Clock
from ...storage import desks as desk_rows
from ...storage import policies as policy_rows
from ...storage.desks import Desk
from ..desks import DeskKey
from ..errors import NotFound, PolicyNotConfigured
from ..policies import PolicyRule, choose_policies

__all__ = ["Scope", "open_scope"]


@dataclass(frozen=True, slots=True)
class Scope:
    connection: asyncpg.Connection
    now: datetime
    # This institution's code: the owner of every item in the database.
    owner: str
    desks: Mapping[int, Desk]
    rules: tuple[PolicyRule, ...]
    # The desk where staff act; None for patrons' own and periodic actions.
    desk: Desk | None

    @property
    def desk_id(self) -> int | None:
        return None if self.desk is None else self.desk.id

    @property
    def acting_desk(self) -> Desk:
        assert self.desk is not None, "staff operations open their scope at a desk"
        return self.desk

    def desk_by_key(self, key: DeskKey) -> Desk:
        for desk in self.desks.values():
            if desk.key == key:
                return desk
        raise NotFound(f"no desk {key}", desk=str(key))

    def is_own(self, desk: Desk) -> bool:
        return desk.key.institution == self.owner

    def rule_for(self, user_group: str, item_policy: str) -> PolicyRule:
        return choose_policies(self.rules, user_group, item_policy)


async def open_scope(
    connection: asyncpg.Connection, clock: Clock, desk: DeskKey | None
) -> Scope:
    owner = await connection.fetchval("SELECT code FROM institution")
    if owner is None:
        raise PolicyNotConfigured("the database does not say whose it is")
    desks = {row.id: row for row in await desk_rows.all_desks(connection)}
    scope = Scope(
        connection=connection,
        now=clock.now(),
        owner=owner,
        desks=desks,
        rules=tuple(await policy_rows.policy_rules(connection)),
        desk=None,
    )
    if desk is None:
        return scope
    return replace(scope, desk=scope.desk_by_key(desk))
