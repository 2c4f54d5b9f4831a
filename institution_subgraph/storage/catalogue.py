"""SQL for the catalogue aggregate: records, holdings, items, locations.

Every function takes a connection (or pool) and returns rows; turning rows
into GraphQL objects is the API layer's job. Batch functions take lists of
keys so that the API can load a whole level of a query in one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from .types import Executor

__all__ = [
    "availability_by_bib",
    "availability_by_holding",
    "bib_records_by_id",
    "bib_records_by_identifier",
    "holdings_by_bib",
    "items_by_barcode",
    "items_by_holding",
    "items_by_id",
    "locations_by_id",
    "search_bib_records",
]

_BIB_COLUMNS = """
    id, lccn, title, contributors, isbns, publication_year, publisher,
    language, subjects, call_number, format
"""


async def search_bib_records(
    db: Executor, text: str, limit: int
) -> list[asyncpg.Record]:
    """Records matching ``text`` (web-search syntax), best first.

    ``ts_rank`` depends only on the record and the query, not on the rest of
    the catalogue, so scores from different institutions can be merged.
    """
    return await db.fetch(
        f"""
        SELECT {_BIB_COLUMNS}, ts_rank(search_vector, query, 32) AS score
        FROM bib_record, websearch_to_tsquery('english', $1) AS query
        WHERE search_vector @@ query
        ORDER BY score DESC, id
        LIMIT $2
        """,
        text,
        limit,
    )


async def bib_records_by_id(db: Executor, ids: Sequence[int]) -> list[asyncpg.Record]:
    return await db.fetch(
        f"SELECT {_BIB_COLUMNS} FROM bib_record WHERE id = ANY($1::bigint[])",
        list(ids),
    )


async def bib_records_by_identifier(
    db: Executor, isbn: str | None, lccn: str | None
) -> list[asyncpg.Record]:
    """Records with the ISBN-13 or the LCCN, both already normalised as the
    catalogue stores them; a None matches nothing."""
    return await db.fetch(
        f"""
        SELECT {_BIB_COLUMNS} FROM bib_record
        WHERE ($1::text IS NOT NULL AND isbns @> ARRAY[$1::text])
           OR ($2::text IS NOT NULL AND lccn = $2::text)
        ORDER BY id
        """,
        isbn,
        lccn,
    )


async def holdings_by_bib(db: Executor, bib_ids: Sequence[int]) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT id, bib_record_id, location_id, call_number
        FROM holding
        WHERE bib_record_id = ANY($1::bigint[])
        ORDER BY bib_record_id, id
        """,
        list(bib_ids),
    )


_ITEM_COLUMNS = """
    item.id, item.holding_id, item.barcode, item.copy_number, item.status,
    item.item_policy, holding.bib_record_id, holding.location_id
"""


async def items_by_holding(
    db: Executor, holding_ids: Sequence[int]
) -> list[asyncpg.Record]:
    return await db.fetch(
        f"""
        SELECT {_ITEM_COLUMNS}
        FROM item JOIN holding ON holding.id = item.holding_id
        WHERE item.holding_id = ANY($1::bigint[])
        ORDER BY item.holding_id, item.copy_number
        """,
        list(holding_ids),
    )


async def items_by_id(db: Executor, ids: Sequence[int]) -> list[asyncpg.Record]:
    return await db.fetch(
        f"""
        SELECT {_ITEM_COLUMNS}
        FROM item JOIN holding ON holding.id = item.holding_id
        WHERE item.id = ANY($1::bigint[])
        """,
        list(ids),
    )


async def items_by_barcode(
    db: Executor, barcodes: Sequence[str]
) -> list[asyncpg.Record]:
    return await db.fetch(
        f"""
        SELECT {_ITEM_COLUMNS}
        FROM item JOIN holding ON holding.id = item.holding_id
        WHERE item.barcode = ANY($1::text[])
        """,
        list(barcodes),
    )


async def availability_by_bib(
    db: Executor, bib_ids: Sequence[int]
) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT holding.bib_record_id,
               count(*) AS total,
               count(*) FILTER (WHERE item.status = 'available') AS available
        FROM holding JOIN item ON item.holding_id = holding.id
        WHERE holding.bib_record_id = ANY($1::bigint[])
        GROUP BY holding.bib_record_id
        """,
        list(bib_ids),
    )


async def availability_by_holding(
    db: Executor, holding_ids: Sequence[int]
) -> list[asyncpg.Record]:
    return await db.fetch(
        """
        SELECT holding_id,
               count(*) AS total,
               count(*) FILTER (WHERE status = 'available') AS available
        FROM item
        WHERE holding_id = ANY($1::bigint[])
        GROUP BY holding_id
        """,
        list(holding_ids),
    )


async def locations_by_id(db: Executor, ids: Sequence[int]) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT id, code, name, library FROM location WHERE id = ANY($1::bigint[])",
        list(ids),
    )
