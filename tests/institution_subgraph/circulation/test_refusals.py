"""Each bad input is refused with its code, and changes nothing at all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import asyncpg
import pytest

from institution_subgraph.circulation.desks import DeskKey
from institution_subgraph.circulation.errors import CirculationError
from institution_subgraph.circulation.operations import (
    declare_item_lost,
    lend_item,
    pay_fee,
    place_item_request,
    place_title_request,
    receive_item,
    refund_fee,
    renew_loan,
    scan_item_for_pick_slip,
)
from institution_subgraph.circulation.policies import RequestPolicy
from institution_subgraph.clock import ManualClock
from institution_subgraph.storage.desks import insert_desk
from institution_subgraph.storage.patrons import set_patron_block
from institution_subgraph.storage.policies import (
    insert_policy_rule,
    insert_request_policy,
)

from .conftest import (
    BIR_MAIN,
    CED_MAIN,
    START,
    Catalogue,
    database_snapshot,
    linked_patron,
    local_patron,
    new_key,
)


@dataclass
class World:
    connection: asyncpg.Connection
    clock: ManualClock
    catalogue: Catalogue
    patron: int = 0
    loan: int = 0
    fee: int = 0


Step = Callable[[World], Awaitable[object]]


async def _nothing(world: World) -> None:
    world.patron = await linked_patron(world.connection, world.clock, "Patron")


async def _lend_single(world: World) -> None:
    await _nothing(world)
    lent = await lend_item(
        world.connection,
        world.clock,
        new_key(),
        desk=BIR_MAIN,
        barcode=world.catalogue.single_copy,
        patron_id=world.patron,
    )
    world.loan = lent.loan.loan_id


async def _renewed_twice(world: World) -> None:
    await _lend_single(world)
    for _ in range(2):
        await renew_loan(world.connection, world.clock, new_key(), loan_id=world.loan)


async def _lost_fee(world: World) -> None:
    await _lend_single(world)
    lost = await declare_item_lost(
        world.connection,
        world.clock,
        new_key(),
        desk=BIR_MAIN,
        barcode=world.catalogue.single_copy,
    )
    world.fee = lost.fees[0].fee_id


async def _in_transit_to_ced(world: World) -> None:
    await _nothing(world)
    await place_title_request(
        world.connection,
        world.clock,
        new_key(),
        patron_id=world.patron,
        bib_record_id=world.catalogue.single,
        pickup_desk=CED_MAIN,
    )
    await scan_item_for_pick_slip(
        world.connection,
        world.clock,
        new_key(),
        desk=BIR_MAIN,
        barcode=world.catalogue.single_copy,
    )


async def _expired_local_patron(world: World) -> None:
    world.patron = await local_patron(
        world.connection, "Lapsed", expires_on=(START - timedelta(days=1)).date()
    )


async def _blocked_patron(world: World) -> None:
    await _nothing(world)
    await set_patron_block(world.connection, world.patron, "unpaid fees at BIR")


async def _main_desk_only_for_staff(world: World) -> None:
    world.patron = await local_patron(world.connection, "Staff Member")
    main_only = RequestPolicy("main-only", True, frozenset({BIR_MAIN}))
    await insert_request_policy(world.connection, main_only)
    await insert_policy_rule(
        world.connection,
        user_group="staff",
        item_policy=None,
        loan_policy="standard",
        request_policy="main-only",
    )


async def _a_desk_that_is_no_pickup_desk(world: World) -> None:
    await _nothing(world)
    await insert_desk(
        world.connection, DeskKey("BIR", "OFFICE"), "Office", is_pickup=False
    )


def _lend(barcode: str | None = None, desk: DeskKey = BIR_MAIN) -> Step:
    async def act(world: World) -> object:
        return await lend_item(
            world.connection,
            world.clock,
            new_key(),
            desk=desk,
            barcode=barcode or world.catalogue.single_copy,
            patron_id=world.patron,
        )

    return act


def _title_request(pickup: DeskKey = CED_MAIN) -> Step:
    async def act(world: World) -> object:
        return await place_title_request(
            world.connection,
            world.clock,
            new_key(),
            patron_id=world.patron,
            bib_record_id=world.catalogue.single,
            pickup_desk=pickup,
        )

    return act


async def _request_reserve(world: World) -> object:
    return await place_item_request(
        world.connection,
        world.clock,
        new_key(),
        patron_id=world.patron,
        barcode=world.catalogue.reserve_copy,
        pickup_desk=BIR_MAIN,
    )


async def _scan_available(world: World) -> object:
    return await scan_item_for_pick_slip(
        world.connection,
        world.clock,
        new_key(),
        desk=BIR_MAIN,
        barcode=world.catalogue.single_copy,
    )


async def _receive_at_ash(world: World) -> object:
    return await receive_item(
        world.connection,
        world.clock,
        new_key(),
        desk=DeskKey("ASH", "MAIN"),
        barcode=world.catalogue.single_copy,
    )


async def _renew(world: World) -> object:
    return await renew_loan(
        world.connection, world.clock, new_key(), loan_id=world.loan
    )


async def _renew_unknown(world: World) -> object:
    return await renew_loan(world.connection, world.clock, new_key(), loan_id=9999)


def _pay(amount: str) -> Step:
    async def act(world: World) -> object:
        return await pay_fee(
            world.connection,
            world.clock,
            new_key(),
            fee_id=world.fee or 9999,
            amount=Decimal(amount),
        )

    return act


async def _refund_unpaid(world: World) -> object:
    return await refund_fee(
        world.connection,
        world.clock,
        new_key(),
        fee_id=world.fee,
        amount=Decimal("1.00"),
        desk=BIR_MAIN,
    )


CASES: list[tuple[str, Step, Step, str]] = [
    ("unknown barcode", _nothing, _lend("NO-SUCH-BARCODE"), "UNKNOWN_BARCODE"),
    ("unknown loan", _nothing, _renew_unknown, "NOT_FOUND"),
    ("unknown fee", _nothing, _pay("1.00"), "NOT_FOUND"),
    ("unknown desk", _nothing, _lend(desk=DeskKey("ZED", "MAIN")), "NOT_FOUND"),
    (
        "shelf copy lent at a remote desk",
        _nothing,
        _lend(desk=CED_MAIN),
        "ITEM_NOT_AT_DESK",
    ),
    (
        "received at the wrong desk",
        _in_transit_to_ced,
        _receive_at_ash,
        "ITEM_NOT_AT_DESK",
    ),
    ("pick scan of an unpaged copy", _nothing, _scan_available, "ITEM_WRONG_STATE"),
    ("lost copy lent", _lost_fee, _lend(), "ITEM_WRONG_STATE"),
    ("lent while on loan", _lend_single, _lend(), "ITEM_UNAVAILABLE"),
    ("expired patron borrows", _expired_local_patron, _lend(), "PATRON_EXPIRED"),
    (
        "expired patron requests",
        _expired_local_patron,
        _title_request(),
        "PATRON_EXPIRED",
    ),
    ("blocked patron borrows", _blocked_patron, _lend(), "PATRON_BLOCKED"),
    ("reserve copy requested", _nothing, _request_reserve, "REQUEST_NOT_ALLOWED"),
    (
        "pickup desk not allowed",
        _main_desk_only_for_staff,
        _title_request(CED_MAIN),
        "REQUEST_NOT_ALLOWED",
    ),
    (
        "not a pickup desk",
        _a_desk_that_is_no_pickup_desk,
        _title_request(DeskKey("BIR", "OFFICE")),
        "REQUEST_NOT_ALLOWED",
    ),
    ("third renewal", _renewed_twice, _renew, "RENEWAL_LIMIT_REACHED"),
    ("negative payment", _lost_fee, _pay("-5.00"), "INVALID_PAYMENT"),
    ("zero payment", _lost_fee, _pay("0"), "INVALID_PAYMENT"),
    ("payment over the balance", _lost_fee, _pay("80.01"), "INVALID_PAYMENT"),
    ("fraction of a cent", _lost_fee, _pay("1.005"), "INVALID_PAYMENT"),
    ("refund of money never paid", _lost_fee, _refund_unpaid, "INVALID_PAYMENT"),
]


@pytest.mark.parametrize(
    ("setup", "action", "code"),
    [pytest.param(setup, action, code, id=name) for name, setup, action, code in CASES],
)
async def test_refused_with_its_code_and_nothing_changed(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    setup: Step,
    action: Step,
    code: str,
) -> None:
    world = World(connection, clock, catalogue)
    await setup(world)
    before = await database_snapshot(connection)

    with pytest.raises(CirculationError) as raised:
        await action(world)

    assert raised.value.code == code
    assert await database_snapshot(connection) == before


async def test_the_snapshot_sees_a_successful_operation(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    world = World(connection, clock, catalogue)
    await _nothing(world)
    before = await database_snapshot(connection)

    await _lend()(world)

    after = await database_snapshot(connection)
    changed = {table for table in before if before[table] != after[table]}
    assert changed == {"item", "loan", "item_event", "idempotency_key"}
