"""What every resolver of one request shares: the pool, the clock and the
loaders.

Loaders batch the lookups of one level of a query into a single SQL
statement, so a search that returns fifty records costs one holdings query,
not fifty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import asyncpg
import strawberry
from strawberry.dataloader import DataLoader

from fulfillment_network.identity import Caller

from ..clock import Clock, SystemClock
from ..settings import DEFAULT_LOCAL_USER_GROUP
from ..storage import catalogue
from .circulation.loaders import CirculationLoaders

__all__ = ["Info", "Institution", "RequestContext"]

K = TypeVar("K", bound=Hashable)

Fetch = Callable[[asyncpg.Pool, Sequence[K]], Awaitable[list[asyncpg.Record]]]


@dataclass(frozen=True)
class Institution:
    code: str
    name: str


def _one_per_key(
    pool: asyncpg.Pool, fetch: Fetch[K], key: str = "id"
) -> DataLoader[K, asyncpg.Record | None]:
    async def load(keys: list[K]) -> list[asyncpg.Record | None]:
        rows = {row[key]: row for row in await fetch(pool, keys)}
        return [rows.get(k) for k in keys]

    return DataLoader(load_fn=load)


def _many_per_key(
    pool: asyncpg.Pool, fetch: Fetch[int], key: str
) -> DataLoader[int, list[asyncpg.Record]]:
    async def load(keys: list[int]) -> list[list[asyncpg.Record]]:
        grouped: dict[int, list[asyncpg.Record]] = defaultdict(list)
        for row in await fetch(pool, keys):
            grouped[row[key]].append(row)
        return [grouped[k] for k in keys]

    return DataLoader(load_fn=load)


@dataclass
class RequestContext:
    """:param clock: "now" for due dates, fines and expiry; tests move it.
    :param local_user_group: the group of this member's own patrons by
        default, for answers about a patron not yet named.
    :param gatekept: the call carried the gateway's verified identity; then
        ``caller`` is who the gateway calls for (None: an anonymous client),
        and the member applies its own access rules to them. A member run
        without the gateway's key (development) checks nobody.
    """

    pool: asyncpg.Pool
    institution: Institution
    clock: Clock = field(default_factory=SystemClock)
    local_user_group: str = DEFAULT_LOCAL_USER_GROUP
    gatekept: bool = False
    caller: Caller | None = None
    bib_records: DataLoader[int, asyncpg.Record | None] = field(init=False)
    holdings: DataLoader[int, list[asyncpg.Record]] = field(init=False)
    items_by_holding: DataLoader[int, list[asyncpg.Record]] = field(init=False)
    items: DataLoader[int, asyncpg.Record | None] = field(init=False)
    items_by_barcode: DataLoader[str, asyncpg.Record | None] = field(init=False)
    locations: DataLoader[int, asyncpg.Record | None] = field(init=False)
    availability: DataLoader[int, asyncpg.Record | None] = field(init=False)
    holding_availability: DataLoader[int, asyncpg.Record | None] = field(init=False)
    circulation: CirculationLoaders = field(init=False)

    def __post_init__(self) -> None:
        pool = self.pool
        self.bib_records = _one_per_key(pool, catalogue.bib_records_by_id)
        self.holdings = _many_per_key(pool, catalogue.holdings_by_bib, "bib_record_id")
        self.items_by_holding = _many_per_key(
            pool, catalogue.items_by_holding, "holding_id"
        )
        self.items = _one_per_key(pool, catalogue.items_by_id)
        self.items_by_barcode = _one_per_key(
            pool, catalogue.items_by_barcode, "barcode"
        )
        self.locations = _one_per_key(pool, catalogue.locations_by_id)
        self.availability = _one_per_key(
            pool, catalogue.availability_by_bib, "bib_record_id"
        )
        self.holding_availability = _one_per_key(
            pool, catalogue.availability_by_holding, "holding_id"
        )
        self.circulation = CirculationLoaders(pool)


Info = strawberry.Info[RequestContext, None]
