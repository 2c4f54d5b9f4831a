"""Loans, requests and fees by id, for callers that hold many ids at once.

The GraphQL API loads one level of a query at a time: the loans of every
fee on a page, say. Each function here answers such a level in a fixed
number of statements, however many ids it is given; ids that name nothing
are left out of the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...storage import fees as fee_rows
from ...storage import items as item_rows
from ...storage import loans as loan_rows
from ...storage import requests as request_rows
from ...storage.types import Executor
from ..views import FeeView, LoanView, RequestView, fee_view, loan_view, request_view
from ._desks import desks_by_id

__all__ = ["fees_by_id", "loans_by_id", "requests_by_id"]


async def loans_by_id(db: Executor, loan_ids: Sequence[int]) -> dict[int, LoanView]:
    loans = await loan_rows.loans_by_id(db, loan_ids)
    if not loans:
        return {}
    desks = await desks_by_id(db)
    barcodes = await item_rows.barcodes_by_id(db, [loan.item_id for loan in loans])
    return {loan.id: loan_view(loan, barcodes[loan.item_id], desks) for loan in loans}


async def requests_by_id(
    db: Executor, request_ids: Sequence[int]
) -> dict[int, RequestView]:
    requests = await request_rows.requests_by_id(db, request_ids)
    if not requests:
        return {}
    desks = await desks_by_id(db)
    barcodes = await item_rows.barcodes_by_id(
        db, [r.item_id for r in requests if r.item_id is not None]
    )
    return {
        r.id: request_view(r, None if r.item_id is None else barcodes[r.item_id], desks)
        for r in requests
    }


async def fees_by_id(db: Executor, fee_ids: Sequence[int]) -> dict[int, FeeView]:
    fees = await fee_rows.fees_by_id(db, list(fee_ids))
    barcodes = await item_rows.barcodes_by_id(
        db, [fee.item_id for fee in fees if fee.item_id is not None]
    )
    return {
        fee.id: fee_view(fee, None if fee.item_id is None else barcodes[fee.item_id])
        for fee in fees
    }
