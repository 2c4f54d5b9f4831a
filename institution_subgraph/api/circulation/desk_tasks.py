"""A desk's work lists: what to pull, what is coming, what waits."""

from __future__ import annotations

from datetime import datetime

import strawberry

from ...circulation import queries
from ...circulation.desks import DeskKey
from ...circulation.queries import ExpectedTransit
from ...circulation.queries import HoldShelfEntry as EntryView
from ...circulation.queries import PickSlip as SlipView
from ...circulation.views import TransitView
from ..catalogue import Item
from ..context import Info
from .desks import Desk, known_desk
from .errors import refusals_as_errors
from .items import known_item
from .movements import Transit
from .requests import Request, known_request

__all__ = ["DeskTasks", "HoldShelfEntry", "PickSlip"]


@strawberry.type
class PickSlip:
    barcode: strawberry.Private[str]
    request_key: strawberry.Private[int]
    destination_key: strawberry.Private[DeskKey]

    @classmethod
    def from_view(cls, slip: SlipView) -> PickSlip:
        return cls(
            barcode=slip.barcode,
            request_key=slip.request_id,
            destination_key=slip.destination,
        )

    @strawberry.field
    async def item(self, info: Info) -> Item:
        return await known_item(info, self.barcode)

    @strawberry.field
    async def request(self, info: Info) -> Request:
        return await known_request(info, self.request_key)

    @strawberry.field(description="Where the item goes once pulled.")
    async def destination(self, info: Info) -> Desk:
        return await known_desk(info, self.destination_key)


@strawberry.type
class HoldShelfEntry:
    barcode: strawberry.Private[str]
    request_key: strawberry.Private[int]
    hold_shelf_until: datetime

    @classmethod
    def from_view(cls, entry: EntryView) -> HoldShelfEntry:
        return cls(
            barcode=entry.barcode,
            request_key=entry.request_id,
            hold_shelf_until=entry.hold_shelf_until,
        )

    @strawberry.field
    async def item(self, info: Info) -> Item:
        return await known_item(info, self.barcode)

    @strawberry.field
    async def request(self, info: Info) -> Request:
        return await known_request(info, self.request_key)


@strawberry.type(
    description=(
        "A desk's work: what to pull, what is coming, what waits to be collected."
    )
)
class DeskTasks:
    """Each list is read only when asked for."""

    key: strawberry.Private[DeskKey]

    @strawberry.field
    async def desk(self, info: Info) -> Desk:
        return await known_desk(info, self.key)

    @strawberry.field
    async def pick_from_shelf(self, info: Info) -> list[PickSlip]:
        with refusals_as_errors():
            slips = await queries.pick_list(info.context.pool, self.key)
        return [PickSlip.from_view(slip) for slip in slips]

    @strawberry.field
    async def expected_in_transit(self, info: Info) -> list[Transit]:
        with refusals_as_errors():
            expected = await queries.expected_in_transit(info.context.pool, self.key)
        return [Transit.from_view(_arriving(entry, self.key)) for entry in expected]

    @strawberry.field
    async def hold_shelf(self, info: Info) -> list[HoldShelfEntry]:
        with refusals_as_errors():
            entries = await queries.hold_shelf(info.context.pool, self.key)
        return [HoldShelfEntry.from_view(entry) for entry in entries]

    @strawberry.field
    async def expired_holds(self, info: Info) -> list[HoldShelfEntry]:
        now = info.context.clock.now()
        with refusals_as_errors():
            entries = await queries.expired_holds(info.context.pool, self.key, now)
        return [HoldShelfEntry.from_view(entry) for entry in entries]


def _arriving(expected: ExpectedTransit, desk: DeskKey) -> TransitView:
    return TransitView(
        transit_id=expected.transit_id,
        barcode=expected.barcode,
        from_desk=expected.from_desk,
        to_desk=desk,
        reason=expected.reason,
        request_id=expected.request_id,
        sent_at=expected.sent_at,
        expected_at=expected.expected_at,
        received_at=None,
    )
