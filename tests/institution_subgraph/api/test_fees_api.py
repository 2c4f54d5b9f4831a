"""Fines through the API: a late return charges one, the patron's card
shows it, and payments bring the balance down."""

from __future__ import annotations

from datetime import timedelta

from .conftest import CED_FRONT, Member, new_key

LOAN_PERIOD = timedelta(days=28)

CARD = """
query ($id: ID!) {
  patron(id: $id) {
    active: loans(status: ACTIVE) { id overdue }
    closed: loans(status: CLOSED) { id overdue }
    fees { id kind status originalAmount balance currency loan { id } }
    open: fees(status: ACTIVE) { id }
    balance { amount currency }
    notices { kind }
  }
}
"""

RETURN = """
mutation ($key: String!, $item: ID!) {
  returnItem(idempotencyKey: $key, desk: "Desk:CED:FRONT", item: $item) {
    fees { id kind originalAmount item { barcode } }
  }
}
"""

PAY = """
mutation ($key: String!, $fee: ID!, $amount: Decimal!, $desk: ID) {
  payFee(idempotencyKey: $key, fee: $fee, amount: $amount, desk: $desk) {
    transaction { id kind amount }
    fee { balance status }
  }
}
"""


async def test_a_late_return_is_fined_and_payments_reduce_the_balance(
    member: Member,
) -> None:
    patron = await member.link("Late Returner")
    loan = await member.lend("BRK-0002", patron)

    member.clock.advance(LOAN_PERIOD + timedelta(days=2))
    card = (await member.ok(CARD, id=patron))["patron"]
    assert card["active"] == [{"id": loan, "overdue": True}]
    assert card["balance"] == []

    # Six days and three hours late, one day of grace: six days at 0.25.
    member.clock.advance(timedelta(days=4, hours=3))
    returned = await member.ok(RETURN, key=new_key(), item=member.items["BRK-0002"])
    [fine] = returned["returnItem"]["fees"]
    assert fine["kind"] == "OVERDUE"
    assert fine["originalAmount"] == "1.50"
    assert fine["item"] == {"barcode": "BRK-0002"}

    card = (await member.ok(CARD, id=patron))["patron"]
    assert card["active"] == []
    assert card["closed"] == [{"id": loan, "overdue": False}]
    assert card["fees"] == [
        {
            "id": fine["id"],
            "kind": "OVERDUE",
            "status": "ACTIVE",
            "originalAmount": "1.50",
            "balance": "1.50",
            "currency": "USD",
            "loan": {"id": loan},
        }
    ]
    assert card["balance"] == [{"amount": "1.50", "currency": "USD"}]
    assert "FEE_CHARGED" in [notice["kind"] for notice in card["notices"]]

    paid = await member.ok(PAY, key=new_key(), fee=fine["id"], amount="1", desk=None)
    assert paid["payFee"]["transaction"]["kind"] == "PAYMENT"
    assert paid["payFee"]["transaction"]["amount"] == "1.00"
    assert paid["payFee"]["transaction"]["id"].startswith("FeeTransaction:BRK:")
    assert paid["payFee"]["fee"] == {"balance": "0.50", "status": "ACTIVE"}
    card = (await member.ok(CARD, id=patron))["patron"]
    assert card["balance"] == [{"amount": "0.50", "currency": "USD"}]

    settled = await member.ok(
        PAY, key=new_key(), fee=fine["id"], amount="0.50", desk=CED_FRONT
    )
    assert settled["payFee"]["fee"] == {"balance": "0.00", "status": "CLOSED"}
    card = (await member.ok(CARD, id=patron))["patron"]
    assert card["balance"] == []
    assert card["open"] == []


async def test_a_fee_can_be_waived_at_the_owners_desk(member: Member) -> None:
    patron = await member.link("Late Returner")
    await member.lend("BRK-0002", patron)
    member.clock.advance(LOAN_PERIOD + timedelta(days=10))
    returned = await member.ok(RETURN, key=new_key(), item=member.items["BRK-0002"])
    # Ten days late, one day of grace: nine days at 0.25.
    [fine] = returned["returnItem"]["fees"]

    waived = await member.ok(
        """
        mutation ($key: String!, $fee: ID!) {
          waiveFee(idempotencyKey: $key, fee: $fee, amount: "2.25",
                   desk: "Desk:BRK:MAIN") {
            transaction { kind amount } fee { balance status }
          }
        }
        """,
        key=new_key(),
        fee=fine["id"],
    )

    assert fine["originalAmount"] == "2.25"
    assert waived["waiveFee"] == {
        "transaction": {"kind": "WAIVER", "amount": "2.25"},
        "fee": {"balance": "0.00", "status": "CLOSED"},
    }
