"""Catalogue and inventory types of the contract (``schema/catalogue.graphql``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry

from ..catalogue.marc import Format
from ..circulation.states import ItemStatus
from .context import Info
from .ids import global_id, local_key

if TYPE_CHECKING:
    from .circulation.request_options import RequestOptions

__all__ = [
    "Availability",
    "BibRecord",
    "Format",
    "Holding",
    "Institution",
    "Item",
    "ItemStatus",
    "Location",
    "SearchHit",
]


# The catalogue's own enum, published as the contract's Format.
strawberry.enum(
    Format,
    name="Format",
    description="How a record's material is published, from the MARC leader.",
)


# The circulation rules' item states, published as the contract's ItemStatus.
strawberry.enum(
    ItemStatus,
    name="ItemStatus",
    description="Where an item is in its circulation life.",
)


@strawberry.federation.type(
    keys=["code"], description="A member institution of the network."
)
class Institution:
    code: str = strawberry.field(
        description="Short code, unique in the network, e.g. ASH."
    )
    name: str

    @classmethod
    def resolve_reference(cls, info: Info, code: str) -> Institution | None:
        here = info.context.institution
        return cls(code=here.code, name=here.name) if code == here.code else None

    @classmethod
    def named(cls, info: Info, code: str) -> Institution:
        """This member with its name; another member by its code alone.

        Only the other member knows its name: where the contract marks the
        field @reference, the gateway asks that member for it.
        """
        here = info.context.institution
        return cls(code=code, name=here.name if code == here.code else code)


@strawberry.type(description="A shelving location of the institution.")
class Location:
    code: str
    name: str
    library: str

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Location:
        return cls(code=row["code"], name=row["name"], library=row["library"])


@strawberry.type(
    description="How many of a record's items this institution can lend now."
)
class Availability:
    total: int
    available: int

    @classmethod
    def from_row(cls, row: asyncpg.Record | None) -> Availability:
        """The counts of a loaded row; no row: nothing to lend."""
        if row is None:
            return cls(total=0, available=0)
        return cls(total=row["total"], available=row["available"])


@strawberry.federation.type(keys=["id"], description="One physical copy.")
class Item:
    key: strawberry.Private[int]
    bib_key: strawberry.Private[int]
    location_key: strawberry.Private[int]
    item_policy: strawberry.Private[str]
    barcode: str
    copy_number: int
    status: ItemStatus

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Item:
        return cls(
            key=row["id"],
            bib_key=row["bib_record_id"],
            location_key=row["location_id"],
            item_policy=row["item_policy"],
            barcode=row["barcode"],
            copy_number=row["copy_number"],
            status=ItemStatus(row["status"]),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Item | None:
        row = await info.context.items.load(local_key(info, id, "Item"))
        return cls.from_row(row) if row else None

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return global_id(info, "Item", self.key)

    @strawberry.field
    async def bib_record(self, info: Info) -> BibRecord:
        row = await info.context.bib_records.load(self.bib_key)
        assert row is not None, "an item's record is kept by a foreign key"
        return BibRecord.from_row(row)

    @strawberry.field
    async def location(self, info: Info) -> Location:
        row = await info.context.locations.load(self.location_key)
        assert row is not None, "an item's location is kept by a foreign key"
        return Location.from_row(row)

    @strawberry.field(description="When the copy is due back, while it is on loan.")
    async def due_at(self, info: Info) -> datetime | None:
        return await info.context.circulation.due_dates.load(self.key)

    @strawberry.field(
        description=(
            "Whether a patron of the home institution given may request this"
            " copy, and for pickup where: the owner's policy for that"
            " institution's patrons."
        )
    )
    async def request_options(
        self, info: Info, home_institution: str
    ) -> Annotated[RequestOptions, strawberry.lazy(".circulation.request_options")]:
        # Imported here: the circulation types import this module.
        from .circulation.request_options import options_for_copy

        return await options_for_copy(
            info, self.item_policy, self.status, home_institution
        )


@strawberry.type(description="The copies of one record at one location.")
class Holding:
    key: strawberry.Private[int]
    location_key: strawberry.Private[int]
    call_number: str | None

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return global_id(info, "Holding", self.key)

    @strawberry.field
    async def location(self, info: Info) -> Location:
        row = await info.context.locations.load(self.location_key)
        assert row is not None, "a holding's location is kept by a foreign key"
        return Location.from_row(row)

    @strawberry.field
    async def items(self, info: Info) -> list[Item]:
        rows = await info.context.items_by_holding.load(self.key)
        return [Item.from_row(row) for row in rows]

    @strawberry.field(
        description="How many of the copies at this location can be lent now."
    )
    async def availability(self, info: Info) -> Availability:
        row = await info.context.holding_availability.load(self.key)
        return Availability.from_row(row)


@strawberry.federation.type(
    keys=["id"], description="A bibliographic record in one institution's catalogue."
)
class BibRecord:
    key: strawberry.Private[int]
    title: str
    contributors: list[str]
    isbns: list[str] = strawberry.field(description="Normalised ISBN-13s.")
    lccn: str | None
    publication_year: int | None
    publisher: str | None
    language: str | None = strawberry.field(description="MARC language code, e.g. eng.")
    subjects: list[str]
    call_number: str | None = strawberry.field(
        description="Library of Congress call number."
    )
    format: Format

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> BibRecord:
        return cls(
            key=row["id"],
            title=row["title"],
            contributors=row["contributors"],
            isbns=row["isbns"],
            lccn=row["lccn"],
            publication_year=row["publication_year"],
            publisher=row["publisher"],
            language=row["language"],
            subjects=row["subjects"],
            call_number=row["call_number"],
            format=Format(row["format"]),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> BibRecord | None:
        row = await info.context.bib_records.load(local_key(info, id, "BibRecord"))
        return cls.from_row(row) if row else None

    @strawberry.field(description="Global ID; names the owning institution.")
    def id(self, info: Info) -> strawberry.ID:
        return global_id(info, "BibRecord", self.key)

    @strawberry.field
    def institution(self, info: Info) -> Institution:
        here = info.context.institution
        return Institution(code=here.code, name=here.name)

    @strawberry.field
    async def holdings(self, info: Info) -> list[Holding]:
        rows = await info.context.holdings.load(self.key)
        return [
            Holding(
                key=row["id"],
                location_key=row["location_id"],
                call_number=row["call_number"],
            )
            for row in rows
        ]

    @strawberry.field
    async def availability(self, info: Info) -> Availability:
        row = await info.context.availability.load(self.key)
        return Availability.from_row(row)

    @strawberry.field(
        description=(
            "Open requests for the record at this institution, title and copy level."
        )
    )
    async def queue_length(self, info: Info) -> int:
        return await info.context.circulation.queue_lengths.load(self.key)


@strawberry.type(
    description="A record that matched a keyword search, with its relevance."
)
class SearchHit:
    score: float = strawberry.field(
        description="Relevance: higher is better; comparable across institutions."
    )
    bib_record: BibRecord
