"""The circulation loaders of one request.

Nested fields ask for one record each; a loader gathers the asks of one
level of the query and answers them with a fixed number of statements, so
that a patron's fifty loans cost the same as five. The small tables that
every ask needs whole (desks, policy rules) are read once per request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from datetime import datetime
from functools import partial
from typing import TypeVar

import asyncpg
from strawberry.dataloader import DataLoader

from ...circulation import queries
from ...circulation.desks import DeskKey
from ...circulation.linked_accounts import LinkedAccountRule
from ...circulation.policies import PolicyRule
from ...circulation.queries import RequestStep
from ...circulation.views import FeeView, LoanView, RequestView
from ...storage import desks as desk_rows
from ...storage import loans as loan_rows
from ...storage import patron_links as link_rows
from ...storage import patrons as patron_rows
from ...storage import policies as policy_rows
from ...storage import requests as request_rows
from ...storage.patron_links import PatronLink
from ...storage.types import Executor

__all__ = ["CirculationLoaders"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _mapped(
    fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]], missing: V
) -> DataLoader[K, V]:
    async def load(keys: list[K]) -> list[V]:
        found = await fetch(keys)
        return [found.get(key, missing) for key in keys]

    return DataLoader(load_fn=load)


def _whole_table(fetch: Callable[[], Awaitable[V]]) -> DataLoader[None, V]:
    """A loader of one small table, asked for with the key None."""

    async def load(keys: list[None]) -> list[V]:
        table = await fetch()
        return [table for _ in keys]

    return DataLoader(load_fn=load)


async def _all_desks(db: Executor) -> tuple[desk_rows.Desk, ...]:
    # A member knows a few hundred desks at most: read them all at once.
    return tuple(await desk_rows.all_desks(db))


async def _policy_rules(db: Executor) -> tuple[PolicyRule, ...]:
    return tuple(await policy_rows.policy_rules(db))


async def _patron_cards(
    db: Executor, patron_ids: list[int]
) -> dict[int, patron_rows.PatronCard]:
    cards = await patron_rows.patron_cards_by_id(db, patron_ids)
    return {card.id: card for card in cards}


async def _patron_links(
    db: Executor, patron_ids: list[int]
) -> dict[int, tuple[PatronLink, ...]]:
    grouped: dict[int, tuple[PatronLink, ...]] = {}
    for link in await link_rows.links_of_patrons(db, patron_ids):
        grouped[link.patron_id] = (*grouped.get(link.patron_id, ()), link)
    return grouped


class CirculationLoaders:
    """Desks by key; patrons, loans, requests, fees and request histories by
    id; the figures of records and items the catalogue shows. Missing
    records load as None (histories and links as empty, counts as 0)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.all_desks: DataLoader[None, tuple[desk_rows.Desk, ...]] = _whole_table(
            partial(_all_desks, pool)
        )
        self.policy_rules: DataLoader[None, tuple[PolicyRule, ...]] = _whole_table(
            partial(_policy_rules, pool)
        )
        self.desks: DataLoader[DeskKey, desk_rows.Desk | None] = _mapped(
            self._desks_by_key, None
        )
        self.patrons: DataLoader[int, patron_rows.PatronCard | None] = _mapped(
            partial(_patron_cards, pool), None
        )
        self.patron_links: DataLoader[int, tuple[PatronLink, ...]] = _mapped(
            partial(_patron_links, pool), ()
        )
        self.linked_account_rules: DataLoader[str, LinkedAccountRule | None] = _mapped(
            partial(patron_rows.linked_account_rules_for, pool), None
        )
        self.loans: DataLoader[int, LoanView | None] = _mapped(
            partial(queries.loans_by_id, pool), None
        )
        self.requests: DataLoader[int, RequestView | None] = _mapped(
            partial(queries.requests_by_id, pool), None
        )
        self.fees: DataLoader[int, FeeView | None] = _mapped(
            partial(queries.fees_by_id, pool), None
        )
        self.request_histories: DataLoader[int, tuple[RequestStep, ...]] = _mapped(
            partial(queries.request_histories, pool), ()
        )
        self.queue_lengths: DataLoader[int, int] = _mapped(
            partial(request_rows.open_request_counts, pool), 0
        )
        self.due_dates: DataLoader[int, datetime | None] = _mapped(
            partial(loan_rows.due_dates_of_items, pool), None
        )

    async def _desks_by_key(self, keys: list[DeskKey]) -> dict[DeskKey, desk_rows.Desk]:
        return {desk.key: desk for desk in await self.all_desks.load(None)}
