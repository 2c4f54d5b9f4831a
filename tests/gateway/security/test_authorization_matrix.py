"""Who may do what, through the gateway with real members: every kind of
caller against search, work, a patron's activity, requests and desk
operations.

The story: TSTA is the patron's home, TSTB owns the requested copies, TSTC is
another member. A refused caller gets UNAUTHENTICATED (anonymous) or
FORBIDDEN, and no member hears of the refused field; an allowed caller's
operation runs.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest

from fulfillment_network.demo import demo_patron
from gateway.config import GatewaySettings

from ...network import RunningNetwork, running_network

HOME, OWNER, ELSEWHERE = "TSTA", "TSTB", "TSTC"
CONSORTIAL = (
    "circulation_desk_manager",
    "circulation_desk_operator",
    "circulation_desk_operator_limited",
    "user_manager",
    "user_administrator",
)
CIRCULATION = CONSORTIAL[:3]
PATRON_SCOPES = ("patron:read", "patron:requests")
DESK_SCOPES = ("desk:read", "desk:write")

SELF, OTHER = demo_patron(HOME, 1), demo_patron(HOME, 2)


def _desk(code: str) -> str:
    return f"Desk:{code}:MAIN"


Mint = Callable[[RunningNetwork], str | None]


def _patron(who: Any, scopes: tuple[str, ...] = (), client: str | None = None) -> Mint:
    return lambda network: network.token(
        HOME,
        patron=who.id,
        network_patron=str(who.network_patron_id),
        scopes=scopes,
        client=client,
    )


def _staff(
    code: str, role: str, scopes: tuple[str, ...] = (), client: str | None = None
) -> Mint:
    return lambda network: network.token(
        code, roles=[role], scopes=scopes, client=client
    )


def _without(scopes: tuple[str, ...], scope: str) -> tuple[str, ...]:
    return tuple(s for s in scopes if s != scope)


CALLERS: dict[str, Mint] = {
    "anonymous": lambda network: None,
    "patron self": _patron(SELF),
    "patron other": _patron(OTHER),
    **{f"{role} at home": _staff(HOME, role) for role in CONSORTIAL},
    **{f"{role} elsewhere": _staff(ELSEWHERE, role) for role in CONSORTIAL},
    "cataloguer at home": _staff(HOME, "cataloguer"),
    "app for patron, all scopes": _patron(SELF, PATRON_SCOPES, "app"),
    **{
        f"app for patron, no {scope}": _patron(
            SELF, _without(PATRON_SCOPES, scope), "app"
        )
        for scope in PATRON_SCOPES
    },
    "app for desk staff, all scopes": _staff(
        HOME, "circulation_desk_operator", DESK_SCOPES, "app"
    ),
    **{
        f"app for desk staff, no {scope}": _staff(
            HOME, "circulation_desk_operator", _without(DESK_SCOPES, scope), "app"
        )
        for scope in DESK_SCOPES
    },
}

EVERYONE = frozenset(CALLERS)
HOME_CONSORTIAL = frozenset(f"{role} at home" for role in CONSORTIAL)
HOME_CIRCULATION = frozenset(f"{role} at home" for role in CIRCULATION)

# Who may, per operation; everyone else is refused.
ALLOWED: dict[str, frozenset[str]] = {
    "search": EVERYONE,
    "work": EVERYONE,
    "activity": HOME_CONSORTIAL
    | {
        "patron self",
        "app for patron, all scopes",
        "app for patron, no patron:requests",
    },
    "request": HOME_CONSORTIAL
    | {"patron self", "app for patron, all scopes", "app for patron, no patron:read"},
    "desk tasks": HOME_CIRCULATION
    | {"app for desk staff, all scopes", "app for desk staff, no desk:write"},
    "lend and return": HOME_CIRCULATION
    | {"app for desk staff, all scopes", "app for desk staff, no desk:read"},
}


@dataclass
class Matrix:
    network: RunningNetwork
    lccn: str
    # Copies that can be lent now: TSTB's for requests, TSTA's to lend.
    owner_records: list[str]
    home_items: list[str]

    async def run(self, query: str, token: str | None, **variables: Any) -> Any:
        return await self.network.query(query, variables, token=token)

    def member_calls(self) -> int:
        members = self.network.member_urls
        return sum(len(self.network.member_calls(code)) for code in members)


async def _copies(network: RunningNetwork, owner: str) -> list[tuple[str, str]]:
    body = await network.query(
        '{ search(text: "history", first: 200) { bibRecord { id holdings'
        " { items { id status } } } } }"
    )
    found = []
    for hit in body["data"]["search"]:
        record = hit["bibRecord"]
        if record["id"].split(":")[1] != owner:
            continue
        items = [i for h in record["holdings"] for i in h["items"]]
        if items and all(item["status"] == "AVAILABLE" for item in items):
            found.append((record["id"], items[0]["id"]))
    return found


@pytest.fixture(scope="module")
async def matrix(catalogues: str) -> AsyncIterator[Matrix]:
    async with running_network(catalogues) as network:
        body = await network.query(
            '{ searchWorks(text: "history", first: 50) { works { lccn } } }'
        )
        works = body["data"]["searchWorks"]["works"]
        lccn = next(work["lccn"] for work in works if work["lccn"])
        owner = [record for record, _ in await _copies(network, OWNER)]
        home = [item for _, item in await _copies(network, HOME)]
        yield Matrix(network, lccn, owner, home)


SEARCH = '{ searchWorks(text: "history", first: 3) { totalCount works { title } } }'
WORK = "query ($lccn: String) { work(lccn: $lccn) { title holdings { total } } }"
ACTIVITY = """query ($patron: ID!) {
  networkActivity(patron: $patron) { patron { id name } accounts { institution } }
}"""
REQUEST = """mutation ($key: String!, $patron: ID!, $record: ID!, $desk: ID!) {
  requestForPickup(idempotencyKey: $key, patron: $patron, bibRecord: $record,
                   pickupDesk: $desk) { request { id status } }
}"""
TASKS = "query ($desk: ID!) { deskTasks(desk: $desk) { holdShelf { item { id } } } }"
LEND = """mutation ($key: String!, $desk: ID!, $item: ID!, $patron: ID!) {
  lendItem(idempotencyKey: $key, desk: $desk, item: $item, patron: $patron) {
    loan { status } } }"""
RETURN = """mutation ($key: String!, $desk: ID!, $item: ID!) {
  returnItem(idempotencyKey: $key, desk: $desk, item: $item) { loan { status } } }"""


def _key() -> str:
    return str(uuid.uuid4())


async def _search(m: Matrix, token: str | None) -> list[Any]:
    body = await m.run(SEARCH, token)
    return [body, body.get("data") and body["data"]["searchWorks"]["totalCount"]]


async def _work(m: Matrix, token: str | None) -> list[Any]:
    body = await m.run(WORK, token, lccn=m.lccn)
    return [body, body.get("data") and body["data"]["work"]["holdings"]]


async def _activity(m: Matrix, token: str | None) -> list[Any]:
    body = await m.run(ACTIVITY, token, patron=SELF.id)
    data = body.get("data") or {}
    return [body, (data.get("networkActivity") or {}).get("patron")]


async def _request(m: Matrix, token: str | None) -> list[Any]:
    body = await m.run(
        REQUEST,
        token,
        key=_key(),
        patron=SELF.id,
        record=m.owner_records.pop(),
        desk=_desk(ELSEWHERE),
    )
    data = body.get("data") or {}
    return [body, (data.get("requestForPickup") or {}).get("request")]


async def _desk_tasks(m: Matrix, token: str | None) -> list[Any]:
    body = await m.run(TASKS, token, desk=_desk(HOME))
    data = body.get("data") or {}
    return [body, data.get("deskTasks")]


async def _lend_and_return(m: Matrix, token: str | None) -> list[Any]:
    item = m.home_items.pop()
    lent = await m.run(
        LEND, token, key=_key(), desk=_desk(HOME), item=item, patron=SELF.id
    )
    if "errors" in lent:
        return [lent, None]
    returned = await m.run(RETURN, token, key=_key(), desk=_desk(HOME), item=item)
    statuses = (
        lent["data"]["lendItem"]["loan"]["status"],
        (returned.get("data") or {})
        .get("returnItem", {})
        .get("loan", {})
        .get("status"),
    )
    return [returned, statuses]


OPERATIONS = {
    "search": _search,
    "work": _work,
    "activity": _activity,
    "request": _request,
    "desk tasks": _desk_tasks,
    "lend and return": _lend_and_return,
}


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_the_access_matrix(matrix: Matrix, operation: str, caller: str) -> None:
    token = CALLERS[caller](matrix.network)
    matrix.network.forget_calls()

    body, answer = await OPERATIONS[operation](matrix, token)

    codes = [e["extensions"]["code"] for e in body.get("errors", [])]
    if caller in ALLOWED[operation]:
        assert codes == [], body
        assert answer, body
        if operation == "lend and return":
            assert answer == ("ACTIVE", "CLOSED")
    else:
        expected = "UNAUTHENTICATED" if caller == "anonymous" else "FORBIDDEN"
        assert codes == [expected], body
        assert matrix.member_calls() == 0, "a refused field reached a member"


async def test_a_refused_field_is_null_and_the_rest_answered(matrix: Matrix) -> None:
    query = """query ($patron: ID!) {
      first: searchWorks(text: "history", first: 1) { totalCount }
      patron(id: $patron) { name }
      last: searchWorks(text: "history", first: 1) { totalCount }
    }"""
    assert matrix.network.gateway is not None
    plans = matrix.network.gateway.state.engine.plans
    misses = plans.misses

    for _ in range(2):
        body = await matrix.network.query(query, {"patron": SELF.id})

        # In the order asked, the refused field null, as a failed field is.
        assert list(body["data"]) == ["first", "patron", "last"]
        assert body["data"]["patron"] is None
        assert body["data"]["last"]["totalCount"] > 0
        [error] = body["errors"]
        assert error["path"] == ["patron"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
    # The whole operation once, the part the caller may see once; then cached.
    assert plans.misses - misses == 2


async def test_a_refused_field_that_cannot_be_null_nulls_its_parent(
    matrix: Matrix,
) -> None:
    query = """query ($patron: ID!) {
      searchWorks(text: "history", first: 1) { totalCount }
      networkActivity(patron: $patron) { blocked }
    }"""

    body = await matrix.network.query(query, {"patron": SELF.id})

    # networkActivity is NetworkActivity!: as for any failed non-null root
    # field, the whole of data is null.
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


def _callers_named(network: RunningNetwork, code: str) -> list[object]:
    """The caller each of the member's calls named in the gateway's token."""
    return [
        jwt.decode(header.split()[1], options={"verify_signature": False}).get("caller")
        for header in network.recorders[code].authorizations
    ]


async def test_members_learn_who_calls_only_when_it_matters(matrix: Matrix) -> None:
    network = matrix.network
    token = CALLERS["patron self"](network)
    network.forget_calls()

    await network.data(SEARCH, token=token)
    # A public search names nobody to the members it fans out to.
    assert _callers_named(network, HOME) == [None]
    assert _callers_named(network, OWNER) == [None]

    await network.data(ACTIVITY, {"patron": SELF.id}, token=token)
    [*_, named] = _callers_named(network, HOME)
    assert isinstance(named, dict)
    assert named["patron"] == SELF.id
    assert named["network_patron"] == str(SELF.network_patron_id)


async def test_in_reject_mode_a_refused_field_stops_the_whole_operation(
    catalogues: str,
) -> None:
    settings = GatewaySettings(unauthorized="reject")
    async with running_network(catalogues, settings=settings) as network:
        network.forget_calls()

        body = await network.query(
            """query ($patron: ID!) {
              searchWorks(text: "history", first: 1) { totalCount }
              patron(id: $patron) { name }
            }""",
            {"patron": SELF.id},
        )

        assert body["data"] is None
        assert [e["path"] for e in body["errors"]] == [["patron"]]
        assert sum(len(network.member_calls(code)) for code in network.member_urls) == 0
