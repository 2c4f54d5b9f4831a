"""Steps on items: lock one, find its home, move it and record the move."""

from __future__ import annotations

from dataclasses import replace

from ...storage import history
from ...storage import items as item_rows
from ...storage.desks import Desk
from ...storage.items import Item
from ..codec import JsonValue
from ..errors import ItemNotAtDesk, PolicyNotConfigured, UnknownBarcode
from ..states import ItemStatus
from ._scope import Scope

__all__ = [
    "home_desk",
    "lock_item",
    "lock_item_by_id",
    "move_item",
    "note_item",
    "require_own_desk",
]


async def lock_item(scope: Scope, barcode: str) -> Item:
    item = await item_rows.lock_item_by_barcode(scope.connection, barcode)
    if item is None:
        raise UnknownBarcode(f"no item has the barcode {barcode!r}", barcode=barcode)
    return item


async def lock_item_by_id(scope: Scope, item_id: int) -> Item:
    item = await item_rows.lock_item(scope.connection, item_id)
    # Rows that point at an item keep it from being deleted.
    assert item is not None, f"item {item_id} is referenced but missing"
    return item


def home_desk(scope: Scope, item: Item) -> Desk:
    if item.home_desk_id is None:
        raise PolicyNotConfigured(
            "the item's location has no home desk", barcode=item.barcode
        )
    return scope.desks[item.home_desk_id]


def require_own_desk(scope: Scope, item: Item) -> Desk:
    """The acting desk, which must be one of the owner's own desks.

    Items on the shelf are at the owner; lost and disputed loans are the
    owner's to settle. Remote desks handle only what reaches them.
    """
    desk = scope.acting_desk
    if not scope.is_own(desk):
        raise ItemNotAtDesk(
            "only the owner's desks can do this with the item",
            barcode=item.barcode,
            desk=str(desk.key),
        )
    return desk


async def move_item(
    scope: Scope, item: Item, status: ItemStatus, action: str, **details: JsonValue
) -> Item:
    """Set the item's status and write the change to its history."""
    await item_rows.set_item_status(scope.connection, item.id, status, scope.now)
    await _record(scope, item, status, action, details)
    return replace(item, status=status)


async def note_item(
    scope: Scope, item: Item, action: str, **details: JsonValue
) -> None:
    """Write a change to the item's loan, fees or transit to its history."""
    await _record(scope, item, item.status, action, details)


async def _record(
    scope: Scope,
    item: Item,
    status: ItemStatus,
    action: str,
    details: dict[str, JsonValue],
) -> None:
    await history.record_item_event(
        scope.connection,
        item_id=item.id,
        at=scope.now,
        action=action,
        desk_id=scope.desk_id,
        from_status=item.status,
        to_status=status,
        details=details,
    )
