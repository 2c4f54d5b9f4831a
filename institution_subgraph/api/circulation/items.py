"""This member's items, as circulation records name them: by barcode."""

from __future__ import annotations

from ..catalogue import Item
from ..context import Info

__all__ = ["known_item"]


async def known_item(info: Info, barcode: str) -> Item:
    """The item a circulation record names; items are never deleted while
    a record points at them."""
    row = await info.context.items_by_barcode.load(barcode)
    assert row is not None, f"item {barcode} is referenced but missing"
    return Item.from_row(row)
