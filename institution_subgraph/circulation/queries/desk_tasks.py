"""The task lists of one circulation desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...storage import desk_tasks
from ...storage.types import Executor
from ..desks import DeskKey
from ..states import TransitReason
from ._desks import desks_by_id, find_desk

__all__ = [
    "ExpectedTransit",
    "HoldShelfEntry",
    "PickSlip",
    "expected_in_transit",
    "expired_holds",
    "hold_shelf",
    "pick_list",
]


@dataclass(frozen=True, slots=True)
class PickSlip:
    """A copy to pull from the shelf, and where it is to go."""

    request_id: int
    requested_at: datetime
    barcode: str
    title: str
    call_number: str | None
    location: str
    patron_name: str
    destination: DeskKey
    destination_name: str


@dataclass(frozen=True, slots=True)
class ExpectedTransit:
    transit_id: int
    barcode: str
    title: str
    from_desk: DeskKey
    reason: TransitReason
    request_id: int | None
    sent_at: datetime
    expected_at: datetime


@dataclass(frozen=True, slots=True)
class HoldShelfEntry:
    request_id: int
    barcode: str
    title: str
    patron_name: str
    hold_shelf_until: datetime


async def pick_list(db: Executor, desk: DeskKey) -> tuple[PickSlip, ...]:
    desks = await desks_by_id(db)
    rows = await desk_tasks.pick_list(db, find_desk(desks, desk).id)
    return tuple(
        PickSlip(
            request_id=row["request_id"],
            requested_at=row["requested_at"],
            barcode=row["barcode"],
            title=row["title"],
            call_number=row["call_number"],
            location=row["location"],
            patron_name=row["patron_name"],
            destination=desks[row["pickup_desk_id"]].key,
            destination_name=desks[row["pickup_desk_id"]].name,
        )
        for row in rows
    )


async def expected_in_transit(
    db: Executor, desk: DeskKey
) -> tuple[ExpectedTransit, ...]:
    desks = await desks_by_id(db)
    rows = await desk_tasks.in_transit_to(db, find_desk(desks, desk).id)
    return tuple(
        ExpectedTransit(
            transit_id=row["transit_id"],
            barcode=row["barcode"],
            title=row["title"],
            from_desk=desks[row["from_desk_id"]].key,
            reason=TransitReason(row["reason"]),
            request_id=row["request_id"],
            sent_at=row["sent_at"],
            expected_at=row["expected_at"],
        )
        for row in rows
    )


async def hold_shelf(db: Executor, desk: DeskKey) -> tuple[HoldShelfEntry, ...]:
    return await _hold_shelf(db, desk, None)


async def expired_holds(
    db: Executor, desk: DeskKey, now: datetime
) -> tuple[HoldShelfEntry, ...]:
    """Holds on the desk's shelf whose pickup time ran out by ``now``."""
    return await _hold_shelf(db, desk, now)


async def _hold_shelf(
    db: Executor, desk: DeskKey, expired_by: datetime | None
) -> tuple[HoldShelfEntry, ...]:
    desks = await desks_by_id(db)
    rows = await desk_tasks.hold_shelf(
        db, find_desk(desks, desk).id, expired_by=expired_by
    )
    return tuple(HoldShelfEntry(**dict(row)) for row in rows)
