"""Catalogue and inventory types of the contract (``schema/catalogue.graphql``)."""

from __future__ import annotations

from enum import Enum

import asyncpg
import strawberry

from fulfillment_network.ids import GlobalId, InvalidGlobalId

from ..catalogue.marc import Format
from .context import RequestContext
from .errors import BadUserInput, NotOwnedHere

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
    "local_key",
]

Info = strawberry.Info[RequestContext, None]


# The catalogue's own enum, published as the contract's Format.
strawberry.enum(
    Format,
    name="Format",
    description="How a record's material is published, from the MARC leader.",
)


@strawberry.enum(description="Where an item is in its circulation life.")
class ItemStatus(Enum):
    AVAILABLE = "available"
    PAGED = "paged"
    IN_TRANSIT = "in_transit"
    AWAITING_PICKUP = "awaiting_pickup"
    CHECKED_OUT = "checked_out"
    CLAIMED_RETURNED = "claimed_returned"
    DECLARED_LOST = "declared_lost"
    LOST_AND_PAID = "lost_and_paid"
    MISSING = "missing"
    IN_PROCESS = "in_process"
    WITHDRAWN = "withdrawn"


def local_key(info: Info, global_id: str, type_name: str) -> int:
    """The local database key of an ID that must belong to this institution."""
    try:
        parsed = GlobalId.parse(global_id, expect_type=type_name)
    except InvalidGlobalId as error:
        raise BadUserInput(str(error), argument="id") from error
    here = info.context.institution.code
    if parsed.institution != here:
        raise NotOwnedHere(
            f"{global_id} belongs to {parsed.institution}, not {here}",
            owner=parsed.institution,
        )
    if not parsed.local_id.isdigit():
        raise BadUserInput(f"{global_id!r} is not a valid {type_name} ID")
    return int(parsed.local_id)


def _global_id(info: Info, type_name: str, key: int) -> strawberry.ID:
    return strawberry.ID(
        str(GlobalId(type_name, info.context.institution.code, str(key)))
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


@strawberry.federation.type(keys=["id"], description="One physical copy.")
class Item:
    key: strawberry.Private[int]
    bib_key: strawberry.Private[int]
    location_key: strawberry.Private[int]
    barcode: str
    copy_number: int
    status: ItemStatus

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Item:
        return cls(
            key=row["id"],
            bib_key=row["bib_record_id"],
            location_key=row["location_id"],
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
        return _global_id(info, "Item", self.key)

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


@strawberry.type(description="The copies of one record at one location.")
class Holding:
    key: strawberry.Private[int]
    location_key: strawberry.Private[int]
    call_number: str | None

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return _global_id(info, "Holding", self.key)

    @strawberry.field
    async def location(self, info: Info) -> Location:
        row = await info.context.locations.load(self.location_key)
        assert row is not None, "a holding's location is kept by a foreign key"
        return Location.from_row(row)

    @strawberry.field
    async def items(self, info: Info) -> list[Item]:
        rows = await info.context.items_by_holding.load(self.key)
        return [Item.from_row(row) for row in rows]


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
        return _global_id(info, "BibRecord", self.key)

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
        if row is None:
            return Availability(total=0, available=0)
        return Availability(total=row["total"], available=row["available"])


@strawberry.type(
    description="A record that matched a keyword search, with its relevance."
)
class SearchHit:
    score: float = strawberry.field(
        description="Relevance: higher is better; comparable across institutions."
    )
    bib_record: BibRecord
