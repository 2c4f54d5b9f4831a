"""A patron's activity at this member: the owner's part of the network card.

The home member's staff and the patron see this alongside the same view
from every other member where the patron has a linked account. Each part
can be read on its own, as a GraphQL field would, or all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import orjson

from ...storage import fees as fee_rows
from ...storage import items as item_rows
from ...storage import loans as loan_rows
from ...storage import notices as notice_rows
from ...storage import patrons as patron_rows
from ...storage import requests as request_rows
from ...storage.patrons import Patron
from ...storage.types import Executor
from ..codec import JsonValue
from ..errors import NotFound
from ..states import FeeStatus, LoanStatus, NoticeKind
from ..views import FeeView, LoanView, RequestView, fee_view, loan_view, request_view
from ._desks import desks_by_id

__all__ = [
    "Balance",
    "Notice",
    "PatronActivity",
    "PatronView",
    "patron_activity",
    "patron_balance",
    "patron_by_network_id",
    "patron_fees",
    "patron_loans",
    "patron_notices",
    "patron_requests",
]


@dataclass(frozen=True, slots=True)
class PatronView:
    """Who the patron is here; local-only notes and block reasons stay out."""

    patron_id: int
    network_patron_id: UUID
    linked: bool
    home_institution: str
    name: str
    user_group: str
    expires_on: date
    blocked: bool


@dataclass(frozen=True, slots=True)
class Balance:
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Notice:
    notice_id: int
    kind: NoticeKind
    payload: dict[str, JsonValue]
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class PatronActivity:
    patron: PatronView
    loans: tuple[LoanView, ...]
    requests: tuple[RequestView, ...]
    fees: tuple[FeeView, ...]
    # What is owed here on open fees, one entry per currency.
    balance: tuple[Balance, ...]
    notices: tuple[Notice, ...]


async def patron_by_network_id(db: Executor, network_id: UUID) -> PatronView | None:
    patron = await patron_rows.patron_by_network_id(db, network_id)
    return None if patron is None else _patron_view(patron)


async def patron_activity(db: Executor, patron_id: int) -> PatronActivity:
    patron = await patron_rows.patron_by_id(db, patron_id)
    if patron is None:
        raise NotFound(f"no patron {patron_id}", patron_id=patron_id)
    return PatronActivity(
        patron=_patron_view(patron),
        loans=await patron_loans(db, patron_id),
        requests=await patron_requests(db, patron_id),
        fees=await patron_fees(db, patron_id),
        balance=await patron_balance(db, patron_id),
        notices=await patron_notices(db, patron_id),
    )


async def patron_loans(
    db: Executor, patron_id: int, *, status: LoanStatus | None = None
) -> tuple[LoanView, ...]:
    """Active loans first, soonest due first; then closed ones. With
    ``status``, only the loans in it."""
    loans = await loan_rows.loans_of_patron(db, patron_id)
    if status is not None:
        loans = [loan for loan in loans if loan.status is status]
    desks = await desks_by_id(db)
    barcodes = await item_rows.barcodes_by_id(db, [loan.item_id for loan in loans])
    return tuple(loan_view(loan, barcodes[loan.item_id], desks) for loan in loans)


async def patron_requests(
    db: Executor, patron_id: int, *, is_open: bool | None = None
) -> tuple[RequestView, ...]:
    """Newest first. With ``is_open``, only the open requests (True) or
    only the finished ones (False)."""
    requests = await request_rows.requests_of_patron(db, patron_id)
    if is_open is not None:
        requests = [r for r in requests if r.status.is_open is is_open]
    desks = await desks_by_id(db)
    barcodes = await item_rows.barcodes_by_id(
        db, [r.item_id for r in requests if r.item_id is not None]
    )
    return tuple(
        request_view(r, _barcode(barcodes, r.item_id), desks) for r in requests
    )


async def patron_fees(
    db: Executor, patron_id: int, *, status: FeeStatus | None = None
) -> tuple[FeeView, ...]:
    """Open fees first, oldest first. With ``status``, only the fees in it."""
    fees = await fee_rows.fees_of_patron(db, patron_id)
    if status is not None:
        fees = [fee for fee in fees if fee.status is status]
    barcodes = await item_rows.barcodes_by_id(
        db, [fee.item_id for fee in fees if fee.item_id is not None]
    )
    return tuple(fee_view(fee, _barcode(barcodes, fee.item_id)) for fee in fees)


async def patron_balance(db: Executor, patron_id: int) -> tuple[Balance, ...]:
    balances = await fee_rows.balances_of_patron(db, patron_id)
    return tuple(Balance(currency, owed) for currency, owed in balances.items())


async def patron_notices(db: Executor, patron_id: int) -> tuple[Notice, ...]:
    return tuple(
        Notice(
            notice_id=row["id"],
            kind=NoticeKind(row["kind"]),
            payload=orjson.loads(row["payload"]),
            created_at=row["created_at"],
            sent_at=row["sent_at"],
        )
        for row in await notice_rows.notices_of_patron(db, patron_id)
    )


def _patron_view(patron: Patron) -> PatronView:
    return PatronView(
        patron_id=patron.id,
        network_patron_id=patron.network_patron_id,
        linked=patron.is_linked,
        home_institution=patron.home_institution,
        name=patron.name,
        user_group=patron.user_group,
        expires_on=patron.expires_on,
        blocked=patron.blocked,
    )


def _barcode(barcodes: dict[int, str], item_id: int | None) -> str | None:
    return None if item_id is None else barcodes[item_id]
