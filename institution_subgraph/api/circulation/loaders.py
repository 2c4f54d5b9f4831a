"""The circulation loaders of one request.

Nested fields ask for one record each; a loader gathers the asks of one
level of the query and answers them with a fixed number of statements, so
that a patron's fifty loans cost the same as five.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from functools import partial
from typing import TypeVar

import asyncpg
from strawberry.dataloader import DataLoader

from ...circulation import queries
from ...circulation.desks import DeskKey
from ...circulation.queries import RequestStep
from ...circulation.views import FeeView, LoanView, RequestView
from ...storage import desks as desk_rows
from ...storage import patrons as patron_rows
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


async def _desks_by_key(
    db: Executor, keys: list[DeskKey]
) -> dict[DeskKey, desk_rows.Desk]:
    # A member knows a few hundred desks at most: read them all at once.
    return {desk.key: desk for desk in await desk_rows.all_desks(db)}


async def _patron_cards(
    db: Executor, patron_ids: list[int]
) -> dict[int, patron_rows.PatronCard]:
    cards = await patron_rows.patron_cards_by_id(db, patron_ids)
    return {card.id: card for card in cards}


class CirculationLoaders:
    """Desks by key; patrons, loans, requests, fees and request histories by
    id. Missing records load as None (histories as empty)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.desks: DataLoader[DeskKey, desk_rows.Desk | None] = _mapped(
            partial(_desks_by_key, pool), None
        )
        self.patrons: DataLoader[int, patron_rows.PatronCard | None] = _mapped(
            partial(_patron_cards, pool), None
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
