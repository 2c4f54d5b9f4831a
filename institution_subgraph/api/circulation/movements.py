"""Where this member's items go: transits, check-in outcomes, history."""

from __future__ import annotations

from datetime import datetime

import strawberry

from ...circulation.desks import DeskKey
from ...circulation.queries import ItemEvent as EventView
from ...circulation.states import ItemStatus
from ...circulation.views import ItemOutcome, TransitView
from ..catalogue import Item
from ..context import Info
from ..ids import global_id
from .desks import Desk, known_desk
from .enums import NextStep, TransitReason
from .ids import TRANSIT
from .items import known_item
from .requests import Request, known_request

__all__ = ["ItemEvent", "ItemMovement", "Transit"]


@strawberry.type
class Transit:
    key: strawberry.Private[int]
    barcode: strawberry.Private[str]
    from_desk_key: strawberry.Private[DeskKey]
    to_desk_key: strawberry.Private[DeskKey]
    request_key: strawberry.Private[int | None]
    reason: TransitReason
    sent_at: datetime
    expected_at: datetime
    received_at: datetime | None

    @classmethod
    def from_view(cls, transit: TransitView) -> Transit:
        return cls(
            key=transit.transit_id,
            barcode=transit.barcode,
            from_desk_key=transit.from_desk,
            to_desk_key=transit.to_desk,
            request_key=transit.request_id,
            reason=transit.reason,
            sent_at=transit.sent_at,
            expected_at=transit.expected_at,
            received_at=transit.received_at,
        )

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return global_id(info, TRANSIT, self.key)

    @strawberry.field
    async def item(self, info: Info) -> Item:
        return await known_item(info, self.barcode)

    @strawberry.field
    async def from_desk(self, info: Info) -> Desk:
        return await known_desk(info, self.from_desk_key)

    @strawberry.field
    async def to_desk(self, info: Info) -> Desk:
        return await known_desk(info, self.to_desk_key)

    @strawberry.field
    async def request(self, info: Info) -> Request | None:
        if self.request_key is None:
            return None
        return await known_request(info, self.request_key)


@strawberry.type(
    description="Where an operation left an item, and what staff should do with it."
)
class ItemMovement:
    barcode: strawberry.Private[str]
    request_key: strawberry.Private[int | None]
    status: ItemStatus
    next_step: NextStep | None
    transit: Transit | None
    hold_shelf_until: datetime | None

    @classmethod
    def from_outcome(cls, outcome: ItemOutcome) -> ItemMovement:
        return cls(
            barcode=outcome.barcode,
            request_key=outcome.request_id,
            status=outcome.status,
            next_step=outcome.next_step,
            transit=None
            if outcome.transit is None
            else Transit.from_view(outcome.transit),
            hold_shelf_until=outcome.hold_shelf_until,
        )

    @strawberry.field
    async def item(self, info: Info) -> Item:
        return await known_item(info, self.barcode)

    @strawberry.field(description="The request the item is now set aside for.")
    async def request(self, info: Info) -> Request | None:
        if self.request_key is None:
            return None
        return await known_request(info, self.request_key)


@strawberry.type(description="One entry of an item's append-only history.")
class ItemEvent:
    desk_key: strawberry.Private[DeskKey | None]
    at: datetime
    action: str
    from_status: ItemStatus | None
    to_status: ItemStatus | None

    @classmethod
    def from_view(cls, event: EventView) -> ItemEvent:
        return cls(
            desk_key=event.desk,
            at=event.at,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
        )

    @strawberry.field
    async def desk(self, info: Info) -> Desk | None:
        return None if self.desk_key is None else await known_desk(info, self.desk_key)
