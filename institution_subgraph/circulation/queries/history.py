"""The recorded history of an item or a request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import orjson

from ...storage import history
from ...storage import items as item_rows
from ...storage.types import Executor
from ..codec import JsonValue
from ..desks import DeskKey
from ..errors import UnknownBarcode
from ..states import ItemStatus, RequestStatus
from ._desks import desks_by_id

__all__ = [
    "ItemEvent",
    "RequestStep",
    "item_history",
    "request_histories",
    "request_history",
]


@dataclass(frozen=True, slots=True)
class ItemEvent:
    at: datetime
    action: str
    # None for the system's own actions, e.g. a loan declared lost.
    desk: DeskKey | None
    from_status: ItemStatus
    to_status: ItemStatus
    details: dict[str, JsonValue]


@dataclass(frozen=True, slots=True)
class RequestStep:
    at: datetime
    status: RequestStatus
    desk: DeskKey | None
    barcode: str | None


async def item_history(db: Executor, barcode: str) -> tuple[ItemEvent, ...]:
    item = await item_rows.item_by_barcode(db, barcode)
    if item is None:
        raise UnknownBarcode(f"no item has the barcode {barcode!r}", barcode=barcode)
    desks = await desks_by_id(db)
    return tuple(
        ItemEvent(
            at=row["at"],
            action=row["action"],
            desk=None if row["desk_id"] is None else desks[row["desk_id"]].key,
            from_status=ItemStatus(row["from_status"]),
            to_status=ItemStatus(row["to_status"]),
            details=orjson.loads(row["details"]),
        )
        for row in await history.item_history(db, item.id)
    )


async def request_history(db: Executor, request_id: int) -> tuple[RequestStep, ...]:
    rows = await history.request_history(db, request_id)
    return tuple(await _request_steps(db, rows))


async def request_histories(
    db: Executor, request_ids: Sequence[int]
) -> dict[int, tuple[RequestStep, ...]]:
    """The histories of several requests in three statements; a request
    with no recorded step is left out."""
    rows = await history.request_histories(db, request_ids)
    steps: dict[int, list[RequestStep]] = defaultdict(list)
    for row, step in zip(rows, await _request_steps(db, rows), strict=True):
        steps[row["request_id"]].append(step)
    return {request_id: tuple(found) for request_id, found in steps.items()}


async def _request_steps(
    db: Executor, rows: Sequence[asyncpg.Record]
) -> list[RequestStep]:
    if not rows:
        return []
    desks = await desks_by_id(db)
    barcodes = await item_rows.barcodes_by_id(
        db, [row["item_id"] for row in rows if row["item_id"] is not None]
    )
    return [
        RequestStep(
            at=row["at"],
            status=RequestStatus(row["status"]),
            desk=None if row["desk_id"] is None else desks[row["desk_id"]].key,
            barcode=barcodes.get(row["item_id"]),
        )
        for row in rows
    ]
