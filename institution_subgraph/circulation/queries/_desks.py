"""Resolving desk keys for the queries, which run outside any operation."""

from __future__ import annotations

from ...storage import desks as desk_rows
from ...storage.desks import Desk
from ...storage.types import Executor
from ..desks import DeskKey
from ..errors import NotFound

__all__ = ["desks_by_id", "find_desk"]


async def desks_by_id(db: Executor) -> dict[int, Desk]:
    return {desk.id: desk for desk in await desk_rows.all_desks(db)}


def find_desk(desks: dict[int, Desk], key: DeskKey) -> Desk:
    for desk in desks.values():
        if desk.key == key:
            return desk
    raise NotFound(f"no desk {key}", desk=str(key))
