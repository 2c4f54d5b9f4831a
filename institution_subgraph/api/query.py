"""The root query fields a member serves: the catalogue's and circulation's."""

from __future__ import annotations

import strawberry

from ..storage import catalogue
from .catalogue import BibRecord, Institution, Item, SearchHit
from .circulation.queries import CirculationQuery
from .context import Info
from .errors import BadUserInput
from .ids import local_key

__all__ = ["MAX_SEARCH_RESULTS", "CatalogueQuery", "Query"]

# Enough for the gateway to merge a search's matches into works.
MAX_SEARCH_RESULTS = 500


@strawberry.type
class CatalogueQuery:
    @strawberry.field(
        description="The institutions this endpoint speaks for (a member: itself)."
    )
    def institutions(self, info: Info) -> list[Institution]:
        here = info.context.institution
        return [Institution(code=here.code, name=here.name)]

    @strawberry.field(
        description=(
            "Ranked keyword search over title, contributors, subjects and publisher."
        )
    )
    async def search(self, info: Info, text: str, first: int = 20) -> list[SearchHit]:
        if not text.strip():
            raise BadUserInput("search text is empty", argument="text")
        if not 1 <= first <= MAX_SEARCH_RESULTS:
            raise BadUserInput(
                f"first must be between 1 and {MAX_SEARCH_RESULTS}", argument="first"
            )
        rows = await catalogue.search_bib_records(info.context.pool, text, first)
        return [
            SearchHit(score=row["score"], bib_record=BibRecord.from_row(row))
            for row in rows
        ]

    @strawberry.field
    async def bib_record(self, info: Info, id: strawberry.ID) -> BibRecord | None:
        row = await info.context.bib_records.load(local_key(info, id, "BibRecord"))
        return BibRecord.from_row(row) if row else None

    @strawberry.field
    async def item(self, info: Info, id: strawberry.ID) -> Item | None:
        row = await info.context.items.load(local_key(info, id, "Item"))
        return Item.from_row(row) if row else None


@strawberry.type
class Query(CatalogueQuery, CirculationQuery):
    pass
