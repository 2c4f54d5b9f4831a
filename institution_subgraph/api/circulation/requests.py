"""Requests for this member's records and items, and their histories."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from ...circulation.desks import DeskKey
from ...circulation.queries import RequestStep as StepView
from ...circulation.views import RequestView
from ..access import require_activity_of
from ..catalogue import BibRecord, Item
from ..context import Info
from ..ids import global_id, local_key
from .desks import Desk, known_desk
from .enums import RequestLevel, RequestStatus
from .ids import REQUEST
from .items import known_item

if TYPE_CHECKING:
    from .patrons import Patron

__all__ = ["Request", "RequestStep", "known_request", "request_by_key"]


@strawberry.type
class RequestStep:
    desk_key: strawberry.Private[DeskKey | None]
    at: datetime
    status: RequestStatus

    @classmethod
    def from_view(cls, step: StepView) -> RequestStep:
        return cls(desk_key=step.desk, at=step.at, status=step.status)

    @strawberry.field
    async def desk(self, info: Info) -> Desk | None:
        return None if self.desk_key is None else await known_desk(info, self.desk_key)


@strawberry.federation.type(keys=["id"])
class Request:
    key: strawberry.Private[int]
    patron_key: strawberry.Private[int]
    bib_key: strawberry.Private[int]
    barcode: strawberry.Private[str | None]
    pickup_desk_key: strawberry.Private[DeskKey]
    level: RequestLevel
    status: RequestStatus
    hold_shelf_until: datetime | None
    created_at: datetime

    @classmethod
    def from_view(cls, request: RequestView) -> Request:
        return cls(
            key=request.request_id,
            patron_key=request.patron_id,
            bib_key=request.bib_record_id,
            barcode=request.barcode,
            pickup_desk_key=request.pickup_desk,
            level=request.level,
            status=request.status,
            hold_shelf_until=request.hold_shelf_until,
            created_at=request.created_at,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Request | None:
        return await request_by_key(info, local_key(info, id, REQUEST))

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return global_id(info, REQUEST, self.key)

    @strawberry.field
    async def patron(
        self, info: Info
    ) -> Annotated[Patron, strawberry.lazy(".patrons")]:
        # Imported here: the patrons module imports this one for
        # Patron.requests.
        from .patrons import known_patron

        return await known_patron(info, self.patron_key)

    @strawberry.field
    async def bib_record(self, info: Info) -> BibRecord:
        row = await info.context.bib_records.load(self.bib_key)
        assert row is not None, "a request's record is kept by a foreign key"
        return BibRecord.from_row(row)

    @strawberry.field(
        description="The copy set aside for the request, once there is one."
    )
    async def item(self, info: Info) -> Item | None:
        return None if self.barcode is None else await known_item(info, self.barcode)

    @strawberry.field
    async def pickup_desk(self, info: Info) -> Desk:
        return await known_desk(info, self.pickup_desk_key)

    @strawberry.field
    async def history(self, info: Info) -> list[RequestStep]:
        steps = await info.context.circulation.request_histories.load(self.key)
        return [RequestStep.from_view(step) for step in steps]


async def request_by_key(info: Info, key: int) -> Request | None:
    """A request asked for by its ID: part of its patron's activity, which
    the caller must be allowed to see (see ``api.access``)."""
    view = await info.context.circulation.requests.load(key)
    await require_activity_of(info, None if view is None else view.patron_id)
    return None if view is None else Request.from_view(view)


async def known_request(info: Info, key: int) -> Request:
    """A request named by one of this member's records, which keep it by a
    foreign key; the caller was allowed that record (a desk's tasks, say)."""
    view = await info.context.circulation.requests.load(key)
    assert view is not None, f"request {key} is referenced but missing"
    return Request.from_view(view)
