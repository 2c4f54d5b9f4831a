"""The circulation steps the tests take, each on the test's connection and
clock with a fresh idempotency key.

Every step names its desk, so a test still reads as the sequence of desks an
item passes through; tests about idempotency keys or other sessions call the
operations themselves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import asyncpg

from institution_subgraph.circulation.desks import DeskKey
from institution_subgraph.circulation.operations import (
    ClaimReturnedResult,
    DeclareLostResult,
    LendResult,
    MissingItemResult,
    PickScanResult,
    PlaceRequestResult,
    ReceiveResult,
    ReturnResult,
    claim_item_returned,
    declare_item_lost,
    lend_item,
    mark_item_missing,
    place_item_request,
    place_title_request,
    receive_item,
    return_item,
    scan_item_for_pick_slip,
)
from institution_subgraph.clock import ManualClock

__all__ = ["Circulation", "new_key"]


def new_key() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Circulation:
    connection: asyncpg.Connection
    clock: ManualClock

    async def lend(self, barcode: str, patron_id: int, *, at: DeskKey) -> LendResult:
        return await lend_item(
            self.connection,
            self.clock,
            new_key(),
            desk=at,
            barcode=barcode,
            patron_id=patron_id,
        )

    async def request_title(
        self,
        patron_id: int,
        bib_record_id: int,
        *,
        pickup: DeskKey,
        needed_before: date | None = None,
    ) -> PlaceRequestResult:
        return await place_title_request(
            self.connection,
            self.clock,
            new_key(),
            patron_id=patron_id,
            bib_record_id=bib_record_id,
            pickup_desk=pickup,
            needed_before=needed_before,
        )

    async def request_item(
        self, patron_id: int, barcode: str, *, pickup: DeskKey
    ) -> PlaceRequestResult:
        return await place_item_request(
            self.connection,
            self.clock,
            new_key(),
            patron_id=patron_id,
            barcode=barcode,
            pickup_desk=pickup,
        )

    async def scan(self, barcode: str, *, at: DeskKey) -> PickScanResult:
        return await scan_item_for_pick_slip(
            self.connection, self.clock, new_key(), desk=at, barcode=barcode
        )

    async def receive(self, barcode: str, *, at: DeskKey) -> ReceiveResult:
        return await receive_item(
            self.connection, self.clock, new_key(), desk=at, barcode=barcode
        )

    async def take_back(self, barcode: str, *, at: DeskKey) -> ReturnResult:
        return await return_item(
            self.connection, self.clock, new_key(), desk=at, barcode=barcode
        )

    async def mark_missing(self, barcode: str, *, at: DeskKey) -> MissingItemResult:
        return await mark_item_missing(
            self.connection, self.clock, new_key(), desk=at, barcode=barcode
        )

    async def declare_lost(self, barcode: str, *, at: DeskKey) -> DeclareLostResult:
        return await declare_item_lost(
            self.connection, self.clock, new_key(), desk=at, barcode=barcode
        )

    async def claim_returned(self, barcode: str, *, at: DeskKey) -> ClaimReturnedResult:
        return await claim_item_returned(
            self.connection, self.clock, new_key(), desk=at, barcode=barcode
        )
