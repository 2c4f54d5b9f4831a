"""The root query fields a member serves: the catalogue's and circulation's."""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from ..catalogue.marc import normalise_isbn, normalise_lccn
from ..storage import catalogue
from .catalogue import BibRecord, Institution, Item, SearchHit
from .circulation.arguments import given
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

    @strawberry.field(
        description="Every member's records with this ISBN (any form) or LCCN."
    )
    async def bib_records_by_identifier(
        self,
        info: Info,
        isbn: str | None = strawberry.UNSET,
        lccn: str | None = strawberry.UNSET,
    ) -> list[BibRecord]:
        """This member's records with the ISBN or the LCCN; given both, the
        records with either."""
        isbn, lccn = given(isbn), given(lccn)
        if isbn is None and lccn is None:
            raise BadUserInput(
                "give an isbn, an lccn or both", arguments=["isbn", "lccn"]
            )
        rows = await catalogue.bib_records_by_identifier(
            info.context.pool,
            None if isbn is None else _normalised(isbn, normalise_isbn, "isbn"),
            None if lccn is None else _normalised(lccn, normalise_lccn, "lccn"),
        )
        return [BibRecord.from_row(row) for row in rows]

    @strawberry.field
    async def item(self, info: Info, id: strawberry.ID) -> Item | None:
        row = await info.context.items.load(local_key(info, id, "Item"))
        return Item.from_row(row) if row else None


@strawberry.type
class Query(CatalogueQuery, CirculationQuery):
    pass


def _normalised(
    text: str, normalise: Callable[[str], str | None], argument: str
) -> str:
    """The identifier as the catalogue stores it, so that any written form
    of it (an ISBN-10, hyphens, blanks) finds the record."""
    normal = normalise(text)
    if normal is None:
        raise BadUserInput(f"{text!r} is not a valid {argument}", argument=argument)
    return normal
