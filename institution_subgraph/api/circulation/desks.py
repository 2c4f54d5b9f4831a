"""Circulation desks: this member's own, and the remote desks it knows."""

from __future__ import annotations

import strawberry

from ...circulation.desks import DeskKey
from ...storage import desks as desk_rows
from ..catalogue import Institution
from ..context import Info
from ..errors import NotOwnedHere
from .ids import desk_id, desk_key

__all__ = ["Desk", "desk_by_key", "known_desk"]


@strawberry.federation.type(
    keys=["id"],
    description="A circulation desk; its ID names the member it belongs to.",
)
class Desk:
    key: strawberry.Private[DeskKey]
    name: str
    pickup: bool = strawberry.field(
        description="Whether requested items can be collected here."
    )
    hold_shelf_days: int = strawberry.field(
        description="How long an item waits on this desk's hold shelf."
    )

    @classmethod
    def from_row(cls, desk: desk_rows.Desk) -> Desk:
        return cls(
            key=desk.key,
            name=desk.name,
            pickup=desk.is_pickup,
            hold_shelf_days=desk.hold_shelf_days,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Desk | None:
        key = desk_key(id, argument="id")
        here = info.context.institution.code
        if key.institution != here:
            raise NotOwnedHere(
                f"{id} is a desk of {key.institution}", owner=key.institution
            )
        return await desk_by_key(info, key)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return desk_id(self.key)

    @strawberry.field
    def code(self) -> str:
        return self.key.code

    @strawberry.field
    def institution(self, info: Info) -> Institution:
        return Institution.named(info, self.key.institution)


async def desk_by_key(info: Info, key: DeskKey) -> Desk | None:
    """The desk, if this member has it on record."""
    row = await info.context.circulation.desks.load(key)
    return None if row is None else Desk.from_row(row)


async def known_desk(info: Info, key: DeskKey) -> Desk:
    """A desk named by one of this member's records, which keep it by a
    foreign key."""
    desk = await desk_by_key(info, key)
    assert desk is not None, f"desk {key} is referenced but missing"
    return desk
