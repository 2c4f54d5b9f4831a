"""Refusals reach the caller as GraphQL errors with a stable code in
``extensions``, and with the details that explain them."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import BRK_MAIN, CED_FRONT, LEND, Member, new_key, shared_patron

RETURN = """
mutation ($key: String!, $desk: ID!, $item: ID!) {
  returnItem(idempotencyKey: $key, desk: $desk, item: $item) { item { status } }
}
"""

RENEW = """
mutation ($key: String!, $loan: ID!) {
  renewLoan(idempotencyKey: $key, loan: $loan, desk: "Desk:BRK:MAIN") {
    loan { renewalCount }
  }
}
"""

DECLARE_LOST = """
mutation ($key: String!, $item: ID!) {
  declareItemLost(idempotencyKey: $key, desk: "Desk:BRK:MAIN", item: $item) {
    fees { id kind balance }
  }
}
"""

LINK = """
mutation ($at: String!, $p: SharedPatronInput!) {
  linkPatron(idempotencyKey: "k", institution: $at, patron: $p) { created }
}
"""

PAY = """
mutation ($key: String!, $fee: ID!, $amount: Decimal!) {
  payFee(idempotencyKey: $key, fee: $fee, amount: $amount) { fee { balance } }
}
"""


@pytest.mark.parametrize(
    ("desk", "item", "code"),
    [
        pytest.param(BRK_MAIN, "Item:BRK:999999", "NOT_FOUND", id="unknown-item"),
        pytest.param(BRK_MAIN, "Item:CED:1", "NOT_OWNED_HERE", id="foreign-item"),
        pytest.param(
            BRK_MAIN, "BibRecord:BRK:1", "BAD_USER_INPUT", id="item-of-wrong-type"
        ),
        pytest.param("FRONT", "Item:BRK:1", "BAD_USER_INPUT", id="malformed-desk"),
        pytest.param(
            "Item:BRK:1", "Item:BRK:1", "BAD_USER_INPUT", id="desk-of-wrong-type"
        ),
    ],
)
async def test_unusable_ids_are_refused_with_their_code(
    member: Member, desk: str, item: str, code: str
) -> None:
    answer = await member.run(RETURN, key=new_key(), desk=desk, item=item)

    assert answer.codes == [code]


async def test_a_remote_desk_cannot_lend_from_the_owners_shelf(
    member: Member,
) -> None:
    patron = await member.link("Ada Ash")

    answer = await member.run(
        LEND,
        key=new_key(),
        desk=CED_FRONT,
        item=member.items["BRK-0002"],
        patron=patron,
    )

    [error] = answer.errors
    assert error["extensions"] == {
        "code": "ITEM_NOT_AT_DESK",
        "barcode": "BRK-0002",
        "desk": "CED/FRONT",
    }


async def test_renewing_past_the_limit_is_refused(member: Member) -> None:
    loan = await member.lend("BRK-0002", await member.link("Ada Ash"))
    for _ in range(2):
        await member.ok(RENEW, key=new_key(), loan=loan)

    answer = await member.run(RENEW, key=new_key(), loan=loan)

    [error] = answer.errors
    assert error["extensions"] == {
        "code": "RENEWAL_LIMIT_REACHED",
        "renewal_count": 2,
        "renewal_limit": 2,
    }


async def test_renewing_a_loan_that_does_not_exist_is_not_found(
    member: Member,
) -> None:
    answer = await member.run(RENEW, key=new_key(), loan="Loan:BRK:424242")

    assert answer.codes == ["NOT_FOUND"]


@pytest.mark.parametrize("amount", ["-5.00", "0", "100.01", "1.005"])
async def test_a_payment_the_fee_cannot_take_is_refused(
    member: Member, amount: str
) -> None:
    await member.lend("BRK-0002", await member.link("Ada Ash"))
    lost = await member.ok(DECLARE_LOST, key=new_key(), item=member.items["BRK-0002"])
    fee = next(f for f in lost["declareItemLost"]["fees"] if f["kind"] == "LOST_ITEM")

    answer = await member.run(PAY, key=new_key(), fee=fee["id"], amount=amount)

    assert answer.codes == ["INVALID_PAYMENT"]
    after = await member.ok(
        "query ($id: ID!) { fee(id: $id) { balance } }", id=fee["id"]
    )
    assert after["fee"]["balance"] == fee["balance"]


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        pytest.param(
            LINK,
            {
                "at": "BRK",
                "p": {**shared_patron("Ada Ash"), "networkPatronId": "not-a-uuid"},
            },
            "BAD_USER_INPUT",
            id="link-malformed-network-patron-id",
        ),
        pytest.param(
            LINK,
            {"at": "CED", "p": shared_patron("Ada Ash")},
            "NOT_OWNED_HERE",
            id="link-at-another-member",
        ),
        pytest.param(
            LINK,
            {"at": "BRK", "p": {**shared_patron("Ada Ash"), "homeInstitution": "BRK"}},
            "PATRON_RECORD_REFUSED",
            id="link-own-patron",
        ),
        pytest.param(
            'mutation { expireHolds(idempotencyKey: "k", institution: "CED",'
            ' desk: "Desk:CED:FRONT") { expired { status } } }',
            {},
            "NOT_OWNED_HERE",
            id="expire-holds-for-another-member",
        ),
        pytest.param(
            '{ patron(id: "Patron:ASH:1") { name } }',
            {},
            "NOT_OWNED_HERE",
            id="patron-of-another-member",
        ),
        pytest.param(
            '{ deskTasks(desk: "Desk:BRK:NOWHERE") { desk { id } } }',
            {},
            "NOT_FOUND",
            id="tasks-of-unknown-desk",
        ),
        pytest.param(
            '{ itemHistory(item: "Item:BRK:999999") { action } }',
            {},
            "NOT_FOUND",
            id="history-of-unknown-item",
        ),
        pytest.param(
            '{ patronByNetworkId(institution: "BRK", networkPatronId: "x") { id } }',
            {},
            "BAD_USER_INPUT",
            id="malformed-network-patron-id",
        ),
    ],
)
async def test_other_unusable_arguments_are_refused_with_their_code(
    member: Member, query: str, variables: dict[str, Any], code: str
) -> None:
    answer = await member.run(query, **variables)

    assert answer.codes == [code]


async def test_a_query_for_a_record_that_does_not_exist_is_null(
    member: Member,
) -> None:
    data = await member.ok(
        """{
          loan(id: "Loan:BRK:99") { id }
          request(id: "Request:BRK:99") { id }
          fee(id: "Fee:BRK:99") { id }
          patron(id: "Patron:BRK:99") { id }
          desk(id: "Desk:BRK:NOWHERE") { id }
        }"""
    )

    assert data == {
        "loan": None,
        "request": None,
        "fee": None,
        "patron": None,
        "desk": None,
    }
