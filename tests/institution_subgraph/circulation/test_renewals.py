from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import asyncpg
import pytest

from institution_subgraph.circulation.errors import (
    RenewalLimitReached,
    RenewalNotAllowed,
)
from institution_subgraph.circulation.operations import lend_item, renew_loan
from institution_subgraph.circulation.states import FeeKind, LoanProcessState
from institution_subgraph.clock import ManualClock

from .conftest import BIR_MAIN, CED_MAIN, Catalogue, linked_patron, new_key
from .scenario import Circulation


async def _lend(
    connection: asyncpg.Connection, clock: ManualClock, barcode: str, patron: int
) -> int:
    lent = await lend_item(
        connection, clock, new_key(), desk=BIR_MAIN, barcode=barcode, patron_id=patron
    )
    return lent.loan.loan_id


async def test_renewal_extends_the_loan_from_today_until_the_limit(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    patron = await linked_patron(connection, clock, "Renewer")
    loan_id = await _lend(connection, clock, catalogue.single_copy, patron)
    original_due = clock.now() + timedelta(days=28)

    clock.advance(timedelta(days=20))
    first = await renew_loan(
        connection, clock, new_key(), loan_id=loan_id, patron_id=patron
    )
    clock.advance(timedelta(days=20))
    second = await renew_loan(
        connection, clock, new_key(), loan_id=loan_id, desk=BIR_MAIN
    )

    assert first.loan.due_at == original_due + timedelta(days=20)
    assert second.loan.due_at == original_due + timedelta(days=40)
    assert second.loan.original_due_at == original_due
    assert second.loan.renewal_count == 2
    assert second.loan.process_state is LoanProcessState.RENEWED
    assert first.fees == second.fees == ()
    with pytest.raises(RenewalLimitReached) as raised:
        await renew_loan(connection, clock, new_key(), loan_id=loan_id)
    assert raised.value.details["renewal_limit"] == 2


async def test_renewal_refused_while_another_patron_waits(
    connection: asyncpg.Connection,
    catalogue: Catalogue,
    clock: ManualClock,
    circulation: Circulation,
) -> None:
    borrower = await linked_patron(connection, clock, "Renewer")
    waiting = await linked_patron(connection, clock, "Waiter")
    loan_id = await _lend(connection, clock, catalogue.single_copy, borrower)
    await circulation.request_title(waiting, catalogue.single, pickup=CED_MAIN)

    with pytest.raises(RenewalNotAllowed) as raised:
        await renew_loan(connection, clock, new_key(), loan_id=loan_id)

    assert raised.value.code == "RENEWAL_NOT_ALLOWED"
    due = await connection.fetchval(
        "SELECT renewal_count FROM loan WHERE id = $1", loan_id
    )
    assert due == 0


async def test_renewing_an_overdue_loan_charges_the_fine_so_far(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    patron = await linked_patron(connection, clock, "Late Renewer")
    loan_id = await _lend(connection, clock, catalogue.single_copy, patron)

    # Due after 28 days; one day of grace; then four started days at 0.25.
    clock.advance(timedelta(days=32, hours=1))
    renewed = await renew_loan(connection, clock, new_key(), loan_id=loan_id)

    assert [(fee.kind, fee.original_amount) for fee in renewed.fees] == [
        (FeeKind.OVERDUE, Decimal("1.00"))
    ]
    assert renewed.loan.due_at == clock.now() + timedelta(days=28)
