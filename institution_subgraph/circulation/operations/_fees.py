"""Steps that charge a fee against a loan's item, with its notice."""

from __future__ import annotations

from decimal import Decimal

from ...storage import fees as fee_rows
from ...storage import notices
from ...storage.fees import Fee
from ...storage.items import Item
from ...storage.loans import Loan
from ..states import FeeKind, NoticeKind
from ._items import note_item
from ._scope import Scope

__all__ = ["charge_for_loan"]


async def charge_for_loan(
    scope: Scope,
    loan: Loan,
    item: Item,
    kind: FeeKind,
    amount: Decimal,
    currency: str,
) -> Fee:
    # Item fees belong to the owning library, which is this institution.
    fee = await fee_rows.insert_fee(
        scope.connection,
        patron_id=loan.patron_id,
        loan_id=loan.id,
        item_id=item.id,
        kind=kind,
        amount=amount,
        currency=currency,
        owner_institution=scope.owner,
        at=scope.now,
    )
    await note_item(
        scope,
        item,
        "fee_charged",
        fee_id=fee.id,
        loan_id=loan.id,
        kind=kind.value,
        amount=str(amount),
        currency=currency,
    )
    await notices.add_notice(
        scope.connection,
        patron_id=loan.patron_id,
        kind=NoticeKind.FEE_CHARGED,
        payload={
            "fee_id": fee.id,
            "kind": kind.value,
            "amount": str(amount),
            "currency": currency,
            "barcode": item.barcode,
        },
        at=scope.now,
    )
    return fee
