"""The member checks the caller the gateway names again (``api.access``).

BRK owns the items; Ada and Bob are patrons of ASH with linked accounts at
BRK, Ida is BRK's own patron; CED runs the front desk BRK's records know.
Each call here carries the gateway's verified identity (``gatekept``), as
it does through the member's HTTP app.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from fulfillment_network.identity import Caller

from .conftest import (
    BRK_MAIN,
    CED_FRONT,
    LEND,
    LINK_PATRON,
    Member,
    new_key,
    run_as,
    shared_patron,
)


def staff(institution: str, role: str = "circulation_desk_operator") -> Caller:
    return Caller(
        subject=f"{role}@{institution}",
        issuer="test-issuer",
        institution=institution,
        roles=frozenset({role}),
    )


def patron(home: str, network_patron: str) -> Caller:
    # The member knows a patron by the network patron id; the ID at home
    # only makes the caller a patron.
    return Caller(
        subject=network_patron,
        issuer="test-issuer",
        institution=home,
        patron=f"Patron:{home}:1",
        network_patron=network_patron,
    )


ADA = patron("ASH", shared_patron("Ada Ash")["networkPatronId"])
BOB = patron("ASH", shared_patron("Bob Ash")["networkPatronId"])
IDA = patron("BRK", str(uuid.uuid5(uuid.NAMESPACE_URL, "brk:Ida Brk")))
BRK_STAFF, ASH_STAFF, CED_STAFF = staff("BRK"), staff("ASH"), staff("CED")
BRK_CATALOGUER = staff("BRK", role="cataloguer")

SHARED_FIELDS = """
  id networkPatronId homeInstitution { code } linked name emails phones
  addresses { lines city postalCode country } expiresOn userGroup blocked
"""
PATRON = f"query ($id: ID!) {{ patron(id: $id) {{ {SHARED_FIELDS} }} }}"
PATRON_LOANS = "query ($id: ID!) { patron(id: $id) { name loans { id } } }"
PATRON_BY_NETWORK_ID = """
query ($n: ID!) { patronByNetworkId(institution: "BRK", networkPatronId: $n) { name } }
"""
LOAN = "query ($id: ID!) { loan(id: $id) { id patron { name } } }"
ENTITIES = """
query ($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Patron { name loans { id } }
    ... on Loan { id }
    ... on Request { id requestStatus: status }
    ... on BibRecord { title }
    ... on Item { barcode status }
    ... on Desk { name }
  }
}
"""
DESK_TASKS = """
query ($desk: ID!) {
  deskTasks(desk: $desk) { holdShelf { request { patron { name } } } }
}
"""
ITEM_HISTORY = "query ($item: ID!) { itemHistory(item: $item) { action } }"
ITEM_STATUS = "query ($id: ID!) { item(id: $id) { status } }"
RETURN = """
mutation ($key: String!, $desk: ID!, $item: ID!) {
  returnItem(idempotencyKey: $key, desk: $desk, item: $item) { item { status } }
}
"""
RENEW = """
mutation ($key: String!, $loan: ID!) {
  renewLoan(idempotencyKey: $key, loan: $loan) { loan { renewalCount } }
}
"""
RENEWALS = "query ($id: ID!) { loan(id: $id) { renewalCount } }"
PLACE = """
mutation ($key: String!, $patron: ID!, $record: ID!) {
  placeRequest(idempotencyKey: $key, patron: $patron, bibRecord: $record,
               pickupDesk: "Desk:BRK:MAIN") {
    request { id status } queuePosition
  }
}
"""
CANCEL = """
mutation ($key: String!, $request: ID!) {
  cancelRequest(idempotencyKey: $key, request: $request) { request { status } }
}
"""
RECORD_LINK = """
mutation ($key: String!, $patron: ID!, $account: ID!) {
  recordLinkedAccount(idempotencyKey: $key, patron: $patron, account: $account) {
    id
  }
}
"""


async def ok_as(
    member: Member, caller: Caller | None, query: str, **variables: Any
) -> dict[str, Any]:
    answer = await run_as(member, caller, query, **variables)
    assert answer.errors == [], answer.errors
    assert answer.data is not None
    return answer.data


async def count(member: Member, table: str) -> int:
    counted: int = await member.pool.fetchval(f"SELECT count(*) FROM {table}")
    return counted


async def item_status(member: Member, barcode: str) -> str:
    data = await member.ok(ITEM_STATUS, id=member.items[barcode])
    status: str = data["item"]["status"]
    return status


@dataclass(frozen=True)
class Scene:
    ada: str
    ada_loan: str
    bob: str
    ida: str


@pytest.fixture
async def scene(member: Member) -> Scene:
    """Ada has BRK-0002 on loan; Bob and Ida have nothing yet."""
    ada, bob = await member.link("Ada Ash"), await member.link("Bob Ash")
    ida = await member.own_patron("Ida Brk")
    return Scene(ada, await member.lend("BRK-0002", ada), bob, ida)


def representation(global_id: str) -> dict[str, str]:
    return {"__typename": global_id.split(":")[0], "id": global_id}


async def test_an_anonymous_caller_reads_the_catalogue(
    member: Member, scene: Scene
) -> None:
    search = await ok_as(
        member,
        None,
        '{ institutions { code } search(text: "copies") { bibRecord { title } }'
        " _service { sdl } }",
    )
    entities = await ok_as(
        member,
        None,
        ENTITIES,
        r=[
            representation(member.records["Two copies"]),
            representation(member.items["BRK-0003"]),
            representation(BRK_MAIN),
        ],
    )

    assert search["institutions"] == [{"code": "BRK"}]
    assert {hit["bibRecord"]["title"] for hit in search["search"]} >= {"Two copies"}
    assert entities["_entities"] == [
        {"title": "Two copies"},
        {"barcode": "BRK-0003", "status": "AVAILABLE"},
        {"name": "Main circulation desk"},
    ]


QueryCase = tuple[str, Callable[[Scene, Member], dict[str, Any]]]

PATRON_READS: dict[str, QueryCase] = {
    "patron": (PATRON, lambda s, m: {"id": s.ada}),
    "patron-by-network-id": (
        PATRON_BY_NETWORK_ID,
        lambda s, m: {"n": shared_patron("Ada Ash")["networkPatronId"]},
    ),
    "loan": (LOAN, lambda s, m: {"id": s.ada_loan}),
    "patron-entity": (ENTITIES, lambda s, m: {"r": [representation(s.ada)]}),
    "loan-entity": (ENTITIES, lambda s, m: {"r": [representation(s.ada_loan)]}),
    "desk-tasks": (DESK_TASKS, lambda s, m: {"desk": BRK_MAIN}),
    "item-history": (ITEM_HISTORY, lambda s, m: {"item": m.items["BRK-0002"]}),
}


@pytest.mark.parametrize("case", PATRON_READS.values(), ids=PATRON_READS.keys())
async def test_an_anonymous_caller_is_refused_patrons_and_circulation(
    member: Member, scene: Scene, case: QueryCase
) -> None:
    query, variables = case

    answer = await run_as(member, None, query, **variables(scene, member))

    assert answer.codes == ["FORBIDDEN"]
    assert "Ada" not in answer.errors[0]["message"]
    assert answer.data is None or all(
        value in (None, [None]) for value in answer.data.values()
    )


async def test_an_anonymous_caller_changes_nothing(
    member: Member, scene: Scene
) -> None:
    requests_before = await count(member, "request")
    patrons_before = await count(member, "patron")

    answers = [
        await run_as(
            member,
            None,
            RETURN,
            key=new_key(),
            desk=BRK_MAIN,
            item=member.items["BRK-0002"],
        ),
        await run_as(
            member,
            None,
            PLACE,
            key=new_key(),
            patron=scene.bob,
            record=member.records["Two copies"],
        ),
        await run_as(
            member,
            None,
            LINK_PATRON,
            key=new_key(),
            patron=shared_patron("Cy Ash"),
        ),
    ]

    assert [answer.codes for answer in answers] == [["FORBIDDEN"]] * 3
    assert [answer.data for answer in answers] == [None] * 3
    assert await item_status(member, "BRK-0002") == "CHECKED_OUT"
    assert await count(member, "request") == requests_before
    assert await count(member, "patron") == patrons_before


async def test_a_patron_sees_their_own_record_and_loans(
    member: Member, scene: Scene
) -> None:
    data = await ok_as(member, ADA, PATRON_LOANS, id=scene.ada)
    loan = await ok_as(member, ADA, LOAN, id=scene.ada_loan)

    assert data["patron"] == {"name": "Ada Ash", "loans": [{"id": scene.ada_loan}]}
    assert loan["loan"]["patron"] == {"name": "Ada Ash"}


@pytest.mark.parametrize("case", ["patron", "patron-entity", "loan", "loan-entity"])
async def test_a_patron_is_refused_another_patrons_record_and_loans(
    member: Member, scene: Scene, case: str
) -> None:
    query, variables = PATRON_READS[case]

    answer = await run_as(member, BOB, query, **variables(scene, member))

    assert answer.codes == ["FORBIDDEN"]
    assert answer.data is not None
    assert list(answer.data.values()) in ([None], [[None]])


@pytest.mark.parametrize(
    "caller",
    [BRK_STAFF, ASH_STAFF, staff("ASH", role="user_administrator")],
    ids=["staff-of-this-member", "home-staff", "home-user-administrator"],
)
async def test_staff_here_or_at_the_patrons_home_see_the_patrons_activity(
    member: Member, scene: Scene, caller: Caller
) -> None:
    # networkActivity asks each member for the linked account as an entity.
    totals = """
    query ($r: [_Any!]!) {
      _entities(representations: $r) {
        ... on Patron {
          balance { amount } loans(status: ACTIVE) { overdue }
          requests(open: true) { status } blocked
        }
      }
    }
    """

    data = await ok_as(member, caller, totals, r=[representation(scene.ada)])
    loan = await ok_as(member, caller, LOAN, id=scene.ada_loan)

    assert data["_entities"] == [
        {
            "balance": [],
            "loans": [{"overdue": False}],
            "requests": [],
            "blocked": False,
        }
    ]
    assert loan["loan"]["id"] == scene.ada_loan


async def test_another_members_staff_see_the_shared_fields_only(
    member: Member, scene: Scene
) -> None:
    shared = await ok_as(member, CED_STAFF, PATRON, id=scene.ada)
    with_loans = await run_as(member, CED_STAFF, PATRON_LOANS, id=scene.ada)
    loan = await run_as(member, CED_STAFF, LOAN, id=scene.ada_loan)

    assert shared["patron"]["name"] == "Ada Ash"
    assert shared["patron"]["homeInstitution"] == {"code": "ASH"}
    assert with_loans.codes == ["FORBIDDEN"]
    assert with_loans.errors[0]["path"] == ["patron", "loans"]
    # loans cannot be null: the patron is.
    assert with_loans.data == {"patron": None}
    assert loan.codes == ["FORBIDDEN"]
    assert loan.data == {"loan": None}


async def test_staff_without_a_consortial_role_see_no_patron(
    member: Member, scene: Scene
) -> None:
    answer = await run_as(member, BRK_CATALOGUER, PATRON, id=scene.ada)

    assert answer.codes == ["FORBIDDEN"]
    assert answer.data == {"patron": None}


async def test_staff_act_on_this_members_items_only_at_their_own_desks(
    member: Member, scene: Scene
) -> None:
    item = member.items["BRK-0002"]

    at_brk_desk = await run_as(
        member, CED_STAFF, RETURN, key=new_key(), desk=BRK_MAIN, item=item
    )
    still_out = await item_status(member, "BRK-0002")
    at_own_desk = await ok_as(
        member, CED_STAFF, RETURN, key=new_key(), desk=CED_FRONT, item=item
    )

    assert at_brk_desk.codes == ["FORBIDDEN"]
    assert at_brk_desk.data is None
    assert still_out == "CHECKED_OUT"
    assert at_own_desk["returnItem"]["item"]["status"] == "IN_TRANSIT"


@pytest.mark.parametrize(
    ("caller", "desk"),
    [
        pytest.param(BRK_STAFF, CED_FRONT, id="this-members-staff-at-a-remote-desk"),
        pytest.param(ADA, BRK_MAIN, id="a-patron"),
        pytest.param(BRK_CATALOGUER, BRK_MAIN, id="staff-without-a-consortial-role"),
    ],
)
async def test_lending_is_refused_to_whoever_may_not_act_at_the_desk(
    member: Member, scene: Scene, caller: Caller, desk: str
) -> None:
    loans_before = await count(member, "loan")

    answer = await run_as(
        member,
        caller,
        LEND,
        key=new_key(),
        desk=desk,
        item=member.items["BRK-0003"],
        patron=scene.bob,
    )

    assert answer.codes == ["FORBIDDEN"]
    assert await count(member, "loan") == loans_before
    assert await item_status(member, "BRK-0003") == "AVAILABLE"


OWNER_ONLY = {
    "scanItemForPickSlip": "scanItemForPickSlip(idempotencyKey: $key, desk: $desk,"
    " item: $item) { status }",
    "markItemMissing": "markItemMissing(idempotencyKey: $key, desk: $desk,"
    " item: $item) { item { status } }",
    "declareItemLost": "declareItemLost(idempotencyKey: $key, desk: $desk,"
    " item: $item) { loan { processState } }",
    "claimItemReturned": "claimItemReturned(idempotencyKey: $key, desk: $desk,"
    " item: $item) { loan { status } }",
    "expireHolds": 'expireHolds(idempotencyKey: $key, institution: "BRK",'
    " desk: $desk) { expired { status } }",
    "waiveFee": 'waiveFee(idempotencyKey: $key, fee: "Fee:BRK:1",'
    ' amount: "1.00", desk: $desk) { fee { balance } }',
    "refundFee": 'refundFee(idempotencyKey: $key, fee: "Fee:BRK:1",'
    ' amount: "1.00", desk: $desk) { fee { balance } }',
}


@pytest.mark.parametrize("field", OWNER_ONLY.values(), ids=OWNER_ONLY.keys())
async def test_the_owners_own_operations_are_refused_to_other_members_staff(
    member: Member, scene: Scene, field: str
) -> None:
    declared = ", ".join(
        f"${name}: {kind}"
        for name, kind in (("key", "String!"), ("desk", "ID!"), ("item", "ID!"))
        if f"${name}" in field
    )
    variables = {"key": new_key(), "desk": CED_FRONT, "item": member.items["BRK-0002"]}
    operations_before = await count(member, "idempotency_key")

    answer = await run_as(
        member,
        CED_STAFF,
        f"mutation ({declared}) {{ {field} }}",
        **{k: v for k, v in variables.items() if f"${k}" in field},
    )

    assert answer.codes == ["FORBIDDEN"]
    assert await item_status(member, "BRK-0002") == "CHECKED_OUT"
    assert await count(member, "idempotency_key") == operations_before


async def test_the_owners_staff_declare_an_item_lost_at_their_own_desk(
    member: Member, scene: Scene
) -> None:
    field = OWNER_ONLY["declareItemLost"]
    query = f"mutation ($key: String!, $desk: ID!, $item: ID!) {{ {field} }}"

    data = await ok_as(
        member,
        BRK_STAFF,
        query,
        key=new_key(),
        desk=BRK_MAIN,
        item=member.items["BRK-0002"],
    )

    assert data["declareItemLost"]["loan"]["processState"] == "LOST"


@pytest.mark.parametrize(
    ("caller", "desk", "allowed"),
    [
        pytest.param(CED_STAFF, CED_FRONT, True, id="staff-of-the-desks-member"),
        pytest.param(BRK_STAFF, CED_FRONT, False, id="the-owners-staff"),
        pytest.param(BRK_STAFF, BRK_MAIN, True, id="the-owners-staff-at-home"),
        pytest.param(ADA, BRK_MAIN, False, id="a-patron"),
    ],
)
async def test_a_desks_tasks_are_for_the_staff_of_the_desks_member(
    member: Member, scene: Scene, caller: Caller, desk: str, allowed: bool
) -> None:
    answer = await run_as(member, caller, DESK_TASKS, desk=desk)

    assert answer.codes == ([] if allowed else ["FORBIDDEN"])
    assert (answer.data is not None) == allowed


async def test_an_items_history_is_for_this_members_staff(
    member: Member, scene: Scene
) -> None:
    item = member.items["BRK-0002"]

    own = await ok_as(member, BRK_STAFF, ITEM_HISTORY, item=item)
    other = await run_as(member, CED_STAFF, ITEM_HISTORY, item=item)

    assert own["itemHistory"] != []
    assert other.codes == ["FORBIDDEN"]


async def test_a_loan_is_renewed_without_a_desk_only_for_whoever_speaks_for_its_patron(
    member: Member, scene: Scene
) -> None:
    refused = [
        await run_as(member, caller, RENEW, key=new_key(), loan=scene.ada_loan)
        for caller in (BOB, CED_STAFF, BRK_CATALOGUER)
    ]
    unchanged = await member.ok(RENEWALS, id=scene.ada_loan)
    by_ada = await ok_as(member, ADA, RENEW, key=new_key(), loan=scene.ada_loan)
    by_home = await ok_as(member, ASH_STAFF, RENEW, key=new_key(), loan=scene.ada_loan)

    assert [answer.codes for answer in refused] == [["FORBIDDEN"]] * 3
    assert unchanged["loan"]["renewalCount"] == 0
    assert by_ada["renewLoan"]["loan"]["renewalCount"] == 1
    assert by_home["renewLoan"]["loan"]["renewalCount"] == 2


async def test_a_request_is_placed_and_cancelled_only_for_whoever_speaks_for_its_patron(
    member: Member, scene: Scene
) -> None:
    record = member.records["Two copies"]

    for_ada_by_bob = await run_as(
        member, BOB, PLACE, key=new_key(), patron=scene.ada, record=record
    )
    requests_after_refusal = await count(member, "request")
    placed = await ok_as(
        member, ADA, PLACE, key=new_key(), patron=scene.ada, record=record
    )
    request = placed["placeRequest"]["request"]["id"]
    cancel_by_bob = await run_as(member, BOB, CANCEL, key=new_key(), request=request)
    cancel_by_ced = await run_as(
        member, CED_STAFF, CANCEL, key=new_key(), request=request
    )
    still_open = await member.ok(
        "query ($id: ID!) { request(id: $id) { status } }", id=request
    )
    cancel_by_home = await ok_as(
        member, ASH_STAFF, CANCEL, key=new_key(), request=request
    )

    assert for_ada_by_bob.codes == ["FORBIDDEN"]
    assert requests_after_refusal == 0
    assert cancel_by_bob.codes == cancel_by_ced.codes == ["FORBIDDEN"]
    assert still_open["request"]["status"] != "CANCELLED"
    assert cancel_by_home["cancelRequest"]["request"]["status"] == "CANCELLED"


async def test_a_fee_is_read_and_paid_online_only_for_whoever_speaks_for_its_patron(
    member: Member, scene: Scene
) -> None:
    lost = await member.ok(
        """
        mutation ($key: String!, $item: ID!) {
          declareItemLost(idempotencyKey: $key, desk: "Desk:BRK:MAIN", item: $item) {
            fees { id balance }
          }
        }
        """,
        key=new_key(),
        item=member.items["BRK-0002"],
    )
    fee = lost["declareItemLost"]["fees"][0]
    read = "query ($id: ID!) { fee(id: $id) { balance } }"
    pay = """
    mutation ($key: String!, $fee: ID!) {
      payFee(idempotencyKey: $key, fee: $fee, amount: "1.00") { fee { balance } }
    }
    """

    read_by_bob = await run_as(member, BOB, read, id=fee["id"])
    paid_by_bob = await run_as(member, BOB, pay, key=new_key(), fee=fee["id"])
    unpaid = await member.ok(read, id=fee["id"])
    read_by_ada = await ok_as(member, ADA, read, id=fee["id"])
    paid_by_ada = await ok_as(member, ADA, pay, key=new_key(), fee=fee["id"])

    assert read_by_bob.codes == paid_by_bob.codes == ["FORBIDDEN"]
    assert read_by_bob.data == {"fee": None}
    assert unpaid["fee"]["balance"] == fee["balance"]
    assert read_by_ada["fee"]["balance"] == fee["balance"]
    assert paid_by_ada["payFee"]["fee"]["balance"] != fee["balance"]


async def test_a_patron_links_only_themself_and_staff_link_anyone(
    member: Member,
) -> None:
    by_someone_else = await run_as(
        member, BOB, LINK_PATRON, key=new_key(), patron=shared_patron("Cy Ash")
    )
    patrons_after_refusal = await count(member, "patron")
    by_themself = await ok_as(
        member, BOB, LINK_PATRON, key=new_key(), patron=shared_patron("Bob Ash")
    )
    by_staff = await ok_as(
        member, CED_STAFF, LINK_PATRON, key=new_key(), patron=shared_patron("Cy Ash")
    )

    assert by_someone_else.codes == ["FORBIDDEN"]
    assert patrons_after_refusal == 0
    assert by_themself["linkPatron"]["created"] is True
    assert by_staff["linkPatron"]["created"] is True


@pytest.mark.parametrize(
    ("caller", "allowed"),
    [
        pytest.param(IDA, True, id="the-patron-themself"),
        pytest.param(BRK_STAFF, True, id="staff-of-this-member"),
        pytest.param(CED_STAFF, True, id="staff-of-the-accounts-member"),
        pytest.param(ASH_STAFF, False, id="staff-of-a-third-member"),
        pytest.param(ADA, False, id="another-patron"),
    ],
)
async def test_a_link_is_recorded_at_home_by_the_patron_or_the_staff_concerned(
    member: Member, scene: Scene, caller: Caller, allowed: bool
) -> None:
    answer = await run_as(
        member,
        caller,
        RECORD_LINK,
        key=new_key(),
        patron=scene.ida,
        account="Patron:CED:7",
    )

    assert answer.codes == ([] if allowed else ["FORBIDDEN"])
    assert await count(member, "patron_link") == (1 if allowed else 0)


@pytest.mark.parametrize("caller", [ADA, ASH_STAFF], ids=["the-patron", "home-staff"])
async def test_request_for_pickup_passes_at_the_owner(
    member: Member, caller: Caller
) -> None:
    # What the gateway asks BRK, the owner, for a patron of ASH; the home
    # member's part (shared fields, the link recorded) is ASH's.
    linked = await ok_as(
        member,
        caller,
        """
        mutation GatewayLink(
          $key: String!, $institution: String!, $patron: SharedPatronInput!
        ) {
          linkPatron(idempotencyKey: $key, institution: $institution,
                     patron: $patron) { patron { id } }
        }
        """,
        key=new_key(),
        institution="BRK",
        patron=shared_patron("Ada Ash"),
    )
    account = linked["linkPatron"]["patron"]["id"]
    placed = await ok_as(
        member,
        caller,
        PLACE,
        key=new_key(),
        patron=account,
        record=member.records["Two copies"],
    )
    request = placed["placeRequest"]["request"]["id"]
    entities = await ok_as(
        member, caller, ENTITIES, r=[representation(request), representation(account)]
    )

    assert entities["_entities"] == [
        {"id": request, "requestStatus": "PICK_FROM_SHELF"},
        {"name": "Ada Ash", "loans": []},
    ]


async def test_walk_in_loan_passes_at_the_owner_and_at_the_patrons_home(
    member: Member, scene: Scene
) -> None:
    # At BRK, the owner, for BRK's staff: link the patron of ASH and lend.
    account = (
        await ok_as(
            member,
            BRK_STAFF,
            LINK_PATRON,
            key=new_key(),
            patron=shared_patron("Cy Ash"),
        )
    )["linkPatron"]["patron"]["id"]
    lent = await ok_as(
        member,
        BRK_STAFF,
        LEND,
        key=new_key(),
        desk=BRK_MAIN,
        item=member.items["BRK-0003"],
        patron=account,
    )
    # At BRK as Ida's home, for CED's staff lending to Ida at CED: her shared
    # fields, then the link to her new account at CED.
    shared = await ok_as(member, CED_STAFF, PATRON, id=scene.ida)
    recorded = await ok_as(
        member,
        CED_STAFF,
        RECORD_LINK,
        key=new_key(),
        patron=scene.ida,
        account="Patron:CED:31",
    )

    assert lent["lendItem"]["loan"]["status"] == "ACTIVE"
    assert shared["patron"]["name"] == "Ida Brk"
    assert shared["patron"]["linked"] is False
    assert recorded["recordLinkedAccount"]["id"] == scene.ida


@pytest.mark.parametrize("caller", [IDA, BRK_STAFF], ids=["the-patron", "home-staff"])
async def test_network_activity_passes_at_the_patrons_home(
    member: Member, scene: Scene, caller: Caller
) -> None:
    await member.lend("BRK-0003", scene.ida)
    await member.ok(
        RECORD_LINK, key=new_key(), patron=scene.ida, account="Patron:ASH:4"
    )
    data = await ok_as(
        member,
        caller,
        """
        query GatewayActivityHome($id: ID!) {
          patron(id: $id) {
            __fn_linked: linkedAccounts { id }
            __fn_balance: balance { amount currency }
            __fn_loans: loans(status: ACTIVE) { overdue }
            __fn_requests: requests(open: true) { status }
            __fn_blocked: blocked
            name
          }
        }
        """,
        id=scene.ida,
    )

    assert data["patron"]["__fn_linked"] == [{"id": "Patron:ASH:4"}]
    assert data["patron"]["__fn_loans"] == [{"overdue": False}]


async def test_network_activity_of_another_members_staff_stops_at_the_home(
    member: Member, scene: Scene
) -> None:
    answer = await run_as(
        member,
        CED_STAFF,
        "query ($id: ID!) { patron(id: $id) { name linkedAccounts { id } } }",
        id=scene.ida,
    )

    assert answer.codes == ["FORBIDDEN"]
    assert answer.data == {"patron": None}


async def test_a_member_without_the_gateways_key_checks_nobody(
    member: Member, scene: Scene
) -> None:
    # member.run executes without the gateway's identity, as in development.
    data = await member.ok(PATRON_LOANS, id=scene.ada)

    assert data["patron"]["loans"] == [{"id": scene.ada_loan}]
