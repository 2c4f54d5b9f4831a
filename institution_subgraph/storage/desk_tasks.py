"""SQL for the circulation desks' task lists.

These read across items, requests, transits and the catalogue at once, to
give staff one row per thing to do.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from .types import Executor

__all__ = ["hold_shelf", "in_transit_to", "pick_list"]


async def pick_list(db: Executor, home_desk_id: int) -> list[asyncpg.Record]:
    """Paged copies on the shelves this desk serves, oldest request first."""
    return await db.fetch(
        """
        SELECT request.id AS request_id, request.created_at AS requested_at,
               request.pickup_desk_id, item.barcode, bib_record.title,
               coalesce(holding.call_number, bib_record.call_number) AS call_number,
               location.name AS location, patron.name AS patron_name
        FROM request
        JOIN item ON item.id = request.item_id
        JOIN holding ON holding.id = item.holding_id
        JOIN location ON location.id = holding.location_id
        JOIN bib_record ON bib_record.id = holding.bib_record_id
        JOIN patron ON patron.id = request.patron_id
        WHERE request.status = 'pick_from_shelf'
          AND coalesce(
                  location.home_desk_id,
                  (SELECT id FROM desk WHERE is_default_home)
              ) = $1
        ORDER BY request.created_at, request.id
        """,
        home_desk_id,
    )


async def in_transit_to(db: Executor, desk_id: int) -> list[asyncpg.Record]:
    """Copies on their way to this desk, soonest expected first."""
    return await db.fetch(
        """
        SELECT transit.id AS transit_id, transit.from_desk_id, transit.reason,
               transit.request_id, transit.sent_at, transit.expected_at,
               item.barcode, bib_record.title
        FROM transit
        JOIN item ON item.id = transit.item_id
        JOIN holding ON holding.id = item.holding_id
        JOIN bib_record ON bib_record.id = holding.bib_record_id
        WHERE transit.to_desk_id = $1 AND transit.received_at IS NULL
        ORDER BY transit.expected_at, transit.id
        """,
        desk_id,
    )


async def hold_shelf(
    db: Executor, desk_id: int, *, expired_by: datetime | None = None
) -> list[asyncpg.Record]:
    """Copies on this desk's hold shelf; with ``expired_by``, only those
    whose hold ran out by then."""
    return await db.fetch(
        """
        SELECT request.id AS request_id, request.hold_shelf_until,
               item.barcode, bib_record.title, patron.name AS patron_name
        FROM request
        JOIN item ON item.id = request.item_id
        JOIN holding ON holding.id = item.holding_id
        JOIN bib_record ON bib_record.id = holding.bib_record_id
        JOIN patron ON patron.id = request.patron_id
        WHERE request.pickup_desk_id = $1 AND request.status = 'on_hold_shelf'
          AND ($2::timestamptz IS NULL OR request.hold_shelf_until <= $2)
        ORDER BY request.hold_shelf_until, request.id
        """,
        desk_id,
        expired_by,
    )
