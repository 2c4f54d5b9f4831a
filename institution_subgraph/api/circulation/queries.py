"""The circulation root query fields a member serves.

A query by ID for a record that does not exist answers null; one whose
answer cannot be null (a desk's tasks, an item's history) is NOT_FOUND.
"""

from __future__ import annotations

import strawberry

from ...circulation import queries
from ..access import require_staff_of
from ..context import Info
from ..errors import NotFound
from ..ids import local_key
from .arguments import item_barcode, parse_network_patron_id, require_this_member
from .desk_tasks import DeskTasks
from .desks import Desk, desk_by_key
from .errors import refusals_as_errors
from .fees import Fee, fee_by_key
from .ids import FEE, LOAN, PATRON, REQUEST, desk_key
from .loans import Loan, loan_by_key
from .movements import ItemEvent
from .patrons import Patron, patron_by_key
from .requests import Request, request_by_key

__all__ = ["CirculationQuery"]


@strawberry.type
class CirculationQuery:
    @strawberry.field
    async def patron(self, info: Info, id: strawberry.ID) -> Patron | None:
        return await patron_by_key(info, local_key(info, id, PATRON))

    @strawberry.field(
        description="A member's record of a patron, by the network-wide patron id."
    )
    async def patron_by_network_id(
        self, info: Info, institution: str, network_patron_id: strawberry.ID
    ) -> Patron | None:
        require_this_member(info, institution, argument="institution")
        network_id = parse_network_patron_id(
            network_patron_id, argument="networkPatronId"
        )
        found = await queries.patron_by_network_id(info.context.pool, network_id)
        return await patron_by_key(info, None if found is None else found.patron_id)

    @strawberry.field
    async def loan(self, info: Info, id: strawberry.ID) -> Loan | None:
        return await loan_by_key(info, local_key(info, id, LOAN))

    @strawberry.field
    async def request(self, info: Info, id: strawberry.ID) -> Request | None:
        return await request_by_key(info, local_key(info, id, REQUEST))

    @strawberry.field
    async def fee(self, info: Info, id: strawberry.ID) -> Fee | None:
        return await fee_by_key(info, local_key(info, id, FEE))

    @strawberry.field
    async def desk(self, info: Info, id: strawberry.ID) -> Desk | None:
        return await Desk.resolve_reference(info, id)

    @strawberry.field
    async def desk_tasks(self, info: Info, desk: strawberry.ID) -> DeskTasks:
        """The tasks of one of this member's desks, or of a remote desk as
        far as this member's items go."""
        key = desk_key(desk)
        require_staff_of(info, key.institution, "a desk's tasks")
        if await desk_by_key(info, key) is None:
            raise NotFound(f"no desk {desk}", argument="desk")
        return DeskTasks(key=key)

    @strawberry.field
    async def item_history(self, info: Info, item: strawberry.ID) -> list[ItemEvent]:
        require_staff_of(info, info.context.institution.code, "an item's history")
        barcode = await item_barcode(info, item)
        with refusals_as_errors():
            events = await queries.item_history(info.context.pool, barcode)
        return [ItemEvent.from_view(event) for event in events]
