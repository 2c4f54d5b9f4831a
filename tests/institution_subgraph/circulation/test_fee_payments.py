from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest

from institution_subgraph.circulation.errors import InvalidPayment
from institution_subgraph.circulation.operations import (
    declare_item_lost,
    lend_item,
    pay_fee,
    refund_fee,
    waive_fee,
)
from institution_subgraph.circulation.states import FeeStatus, FeeTransactionKind
from institution_subgraph.clock import ManualClock

from .conftest import BIR_MAIN, Catalogue, linked_patron, new_key


async def _replacement_fee(
    connection: asyncpg.Connection, clock: ManualClock, catalogue: Catalogue
) -> int:
    patron = await linked_patron(connection, clock, "Debtor")
    await lend_item(
        connection,
        clock,
        new_key(),
        desk=BIR_MAIN,
        barcode=catalogue.single_copy,
        patron_id=patron,
    )
    lost = await declare_item_lost(
        connection, clock, new_key(), desk=BIR_MAIN, barcode=catalogue.single_copy
    )
    return lost.fees[0].fee_id


async def test_partial_payment_and_waiver_close_the_fee_at_zero(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    fee_id = await _replacement_fee(connection, clock, catalogue)

    paid = await pay_fee(
        connection, clock, new_key(), fee_id=fee_id, amount=Decimal("30")
    )
    waived = await waive_fee(
        connection,
        clock,
        new_key(),
        fee_id=fee_id,
        amount=Decimal("50.00"),
        desk=BIR_MAIN,
    )

    assert paid.fee.balance == Decimal("50.00")
    assert paid.fee.status is FeeStatus.ACTIVE
    assert paid.amount == Decimal("30.00")
    assert waived.fee.balance == Decimal("0.00")
    assert waived.fee.status is FeeStatus.CLOSED
    rows = await connection.fetch(
        "SELECT kind, amount, balance_after FROM fee_transaction ORDER BY id"
    )
    assert [tuple(row) for row in rows] == [
        ("payment", Decimal("30.00"), Decimal("50.00")),
        ("waiver", Decimal("50.00"), Decimal("0.00")),
    ]


async def test_refund_is_limited_to_what_was_paid(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    fee_id = await _replacement_fee(connection, clock, catalogue)
    await pay_fee(connection, clock, new_key(), fee_id=fee_id, amount=Decimal("80.00"))

    refunded = await refund_fee(
        connection,
        clock,
        new_key(),
        fee_id=fee_id,
        amount=Decimal("60.00"),
        desk=BIR_MAIN,
    )
    with pytest.raises(InvalidPayment) as raised:
        await refund_fee(
            connection,
            clock,
            new_key(),
            fee_id=fee_id,
            amount=Decimal("20.01"),
            desk=BIR_MAIN,
        )

    assert refunded.kind is FeeTransactionKind.REFUND
    assert refunded.fee.status is FeeStatus.CLOSED
    assert raised.value.details["limit"] == "20.00"


async def test_a_retried_payment_is_taken_once(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    fee_id = await _replacement_fee(connection, clock, catalogue)
    key = new_key()

    first = await pay_fee(connection, clock, key, fee_id=fee_id, amount=Decimal("10"))
    again = await pay_fee(
        connection, clock, key, fee_id=fee_id, amount=Decimal("10.00")
    )

    assert again == first
    balance = await connection.fetchval("SELECT balance FROM fee WHERE id = $1", fee_id)
    assert balance == Decimal("70.00")
