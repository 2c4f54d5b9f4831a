"""Finding a copy of a record that may fill a request."""

from __future__ import annotations

from collections.abc import Sequence

from ...storage import items as item_rows
from ...storage.desks import Desk
from ...storage.items import Item
from ..states import ItemStatus
from ..transitions import ACCEPTS, Action
from ._items import lock_item_by_id
from ._scope import Scope

__all__ = ["requestable_copies", "take_available_copy"]


async def requestable_copies(
    scope: Scope,
    bib_record_id: int,
    user_group: str,
    pickup: Desk,
    *,
    exclude: Sequence[int] = (),
) -> list[Item]:
    """Copies that policy lets this group request for that pickup desk.

    Copies that are gone (missing, lost, withdrawn) are left out: a request
    queued for them would never be filled.
    """
    copies = await item_rows.items_of_record(
        scope.connection, bib_record_id, exclude=exclude
    )
    return [
        copy
        for copy in copies
        if copy.status in ACCEPTS[Action.REQUEST]
        and scope.rule_for(user_group, copy.item_policy).request.refusal(pickup.key)
        is None
    ]


async def take_available_copy(scope: Scope, candidates: Sequence[Item]) -> Item | None:
    """Lock the candidates in order and return the first one on the shelf.

    Each copy is locked before its status is trusted: a copy that another
    transaction has just paged or lent is seen as such, and skipped.
    """
    for candidate in candidates:
        item = await lock_item_by_id(scope, candidate.id)
        if item.status is ItemStatus.AVAILABLE:
            return item
    return None
