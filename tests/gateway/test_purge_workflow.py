"""purgeLinkedAccounts through the gateway, with real members: the member
purges, and the purged patrons' home members forget the accounts.

A patron of HOME gets a linked account at OWNER by requesting one of
OWNER's copies, then cancels, so that nothing stays open there. The members
run on the wall clock, so the account's purge date is moved into the past
in OWNER's database; the rule that sets it is tested at the member.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from fulfillment_network.ids import GlobalId
from fulfillment_network.postgres import database_dsn, database_name

from ..network import MEMBERS, RunningNetwork, running_network

HOME, OWNER = "TSTA", "TSTB"

PURGE = """
mutation ($key: String!, $institution: String!) {
  purgeLinkedAccounts(idempotencyKey: $key, institution: $institution) {
    purged waiting purgedAccounts { account homeInstitution }
    homesTold homesNotTold
  }
}
"""
PURGE_HERE = """
mutation ($key: String!, $institution: String!) {
  purgeLinkedAccountsHere(idempotencyKey: $key, institution: $institution) {
    purgedAccounts { account }
  }
}
"""
FORGET = """
mutation ($key: String!, $institution: String!, $account: ID!) {
  forgetLinkedAccount(idempotencyKey: $key, institution: $institution,
                      account: $account) {
    account forgotten
  }
}
"""
REQUEST = """
mutation ($key: String!, $patron: ID!, $item: ID!, $desk: ID!) {
  requestForPickup(idempotencyKey: $key, patron: $patron, item: $item,
                   pickupDesk: $desk) {
    request { id } account { id }
  }
}
"""
CANCEL = """
mutation ($key: String!, $request: ID!) {
  cancelRequest(idempotencyKey: $key, request: $request) { request { status } }
}
"""
# ``name`` makes the gateway ask each account's member for it.
LINKED = "query ($id: ID!) { patron(id: $id) { linkedAccounts { id name } } }"
ACTIVITY = """
query ($patron: ID!) {
  networkActivity(patron: $patron) { accounts { institution account { id } } }
}
"""


class Purges:
    """A running network and the steps of the purge stories."""

    def __init__(self, network: RunningNetwork) -> None:
        self.network = network
        self.user_manager = network.token(OWNER, roles=["user_manager"])
        self.home_staff = network.staff_token(HOME)

    async def linked_patron(self, name: str) -> tuple[str, str]:
        """A new patron of HOME with a linked account at OWNER and nothing
        open there: their ID at home and the account's ID."""
        patron, token = await self.network.new_patron(HOME, name)
        requested = await self.network.data(
            REQUEST,
            {
                "key": new_key(),
                "patron": patron,
                "item": await self._available_copy(),
                "desk": f"Desk:{OWNER}:MAIN",
            },
            token=token,
        )
        placed = requested["requestForPickup"]
        await self.network.data(
            CANCEL, {"key": new_key(), "request": placed["request"]["id"]}, token=token
        )
        account: str = placed["account"]["id"]
        return patron, account

    async def past_purge_date(self, account: str) -> None:
        """Move the account's purge date into the past, in OWNER's database."""
        yesterday_but_one = datetime.now(UTC).date() - timedelta(days=2)
        await self._at_owner(
            "UPDATE patron SET purge_on = $2 WHERE id = $1",
            int(GlobalId.parse(account).local_id),
            yesterday_but_one,
        )

    async def is_purged(self, account: str) -> bool:
        purged_at = await self._at_owner(
            "SELECT purged_at FROM patron WHERE id = $1",
            int(GlobalId.parse(account).local_id),
        )
        return purged_at is not None

    async def purge(self, key: str) -> dict[str, Any]:
        """The whole answer (data and errors) to OWNER's user manager's purge."""
        variables = {"key": key, "institution": OWNER}
        return await self.network.query(PURGE, variables, token=self.user_manager)

    async def linked_accounts(self, patron: str) -> dict[str, Any]:
        """The whole answer to HOME's staff asking for the patron's accounts."""
        return await self.network.query(LINKED, {"id": patron}, token=self.home_staff)

    async def card_members(self, patron: str) -> list[str]:
        """The members on the patron's network card, as HOME's staff see it."""
        data = await self.network.data(
            ACTIVITY, {"patron": patron}, token=self.home_staff
        )
        return [a["institution"] for a in data["networkActivity"]["accounts"]]

    async def _available_copy(self) -> str:
        data = await self.network.data(
            '{ search(text: "history", first: 200) { bibRecord { id holdings'
            " { items { id status } } } } }"
        )
        return next(
            item["id"]
            for hit in data["search"]
            if hit["bibRecord"]["id"].split(":")[1] == OWNER
            for holding in hit["bibRecord"]["holdings"]
            for item in holding["items"]
            if item["status"] == "AVAILABLE"
        )

    async def _at_owner(self, sql: str, *arguments: object) -> Any:
        dsn = database_dsn(self.network.server_dsn, database_name(OWNER))
        connection = await asyncpg.connect(dsn)
        try:
            return await connection.fetchval(sql, *arguments)
        finally:
            await connection.close()


def new_key() -> str:
    return str(uuid.uuid4())


def reported(answer: dict[str, Any]) -> list[dict[str, str]]:
    accounts: list[dict[str, str]] = answer["data"]["purgeLinkedAccounts"][
        "purgedAccounts"
    ]
    return accounts


@pytest.fixture
async def purges(catalogues: str) -> AsyncIterator[Purges]:
    async with running_network(catalogues) as network:
        yield Purges(network)


async def test_the_home_forgets_an_account_its_patrons_member_purged(
    purges: Purges,
) -> None:
    patron, account = await purges.linked_patron("Pia Purged")
    on_the_card = await purges.card_members(patron)
    await purges.past_purge_date(account)
    purges.network.forget_calls()

    answer = await purges.purge(new_key())

    assert "errors" not in answer, answer["errors"]
    assert {"account": account, "homeInstitution": HOME} in reported(answer)
    result = answer["data"]["purgeLinkedAccounts"]
    assert result["purged"] == len(result["purgedAccounts"])
    assert (result["homesTold"], result["homesNotTold"]) == ([HOME], [])
    # One call to the home, however many of its patrons were purged.
    assert len(purges.network.member_calls(HOME)) == 1
    assert await purges.is_purged(account)
    assert on_the_card == [HOME, OWNER]
    assert await purges.card_members(patron) == [HOME]
    linked = await purges.linked_accounts(patron)
    assert "errors" not in linked, linked["errors"]
    assert linked["data"] == {"patron": {"linkedAccounts": []}}


async def test_a_purge_at_the_member_alone_leaves_the_home_naming_it(
    purges: Purges,
) -> None:
    # Why the network's purge tells the homes: without it, the home's
    # record names an account that no longer resolves.
    patron, account = await purges.linked_patron("Moe Memberonly")
    await purges.past_purge_date(account)

    await purges.network.data(
        PURGE_HERE,
        {"key": new_key(), "institution": OWNER},
        token=purges.user_manager,
    )

    # The account comes back null in a list that may hold no null: the
    # null reaches the patron, who vanishes from the answer, and an error
    # says where it started.
    linked = await purges.linked_accounts(patron)
    assert linked["data"] == {"patron": None}
    [error] = linked["errors"]
    assert error["path"] == ["patron", "linkedAccounts", 0]
    assert "Patron.linkedAccounts" in error["message"]


async def test_a_retried_purge_acts_once(purges: Purges) -> None:
    _, first_account = await purges.linked_patron("Rita Retry")
    await purges.past_purge_date(first_account)
    key = new_key()
    first = await purges.purge(key)
    # Due by the time of the retry, which must not purge it.
    later_patron, later_account = await purges.linked_patron("Lars Later")
    await purges.past_purge_date(later_account)

    retried = await purges.purge(key)

    assert retried == first
    assert "errors" not in first, first["errors"]
    assert {"account": first_account, "homeInstitution": HOME} in reported(first)
    assert not await purges.is_purged(later_account)
    linked = await purges.linked_accounts(later_patron)
    assert linked["data"]["patron"]["linkedAccounts"] == [
        {"id": later_account, "name": "Lars Later"}
    ]
    afresh = await purges.purge(new_key())
    assert {"account": later_account, "homeInstitution": HOME} in reported(afresh)


async def test_a_home_that_is_down_is_named_and_told_by_the_retry(
    catalogues: str,
) -> None:
    key = new_key()
    async with running_network(catalogues) as network:
        purges = Purges(network)
        patron, account = await purges.linked_patron("Hal Homedown")
        await purges.past_purge_date(account)
        await network.stop_member(HOME)

        while_down = await purges.purge(key)

        assert await purges.is_purged(account)
    assert {"account": account, "homeInstitution": HOME} in reported(while_down)
    result = while_down["data"]["purgeLinkedAccounts"]
    assert (result["homesTold"], result["homesNotTold"]) == ([], [HOME])
    [error] = while_down["errors"]
    assert error["extensions"] == {"code": "MEMBER_UNAVAILABLE", "member": HOME}
    assert error["path"] == ["purgeLinkedAccounts"]

    async with running_network(catalogues) as network:
        purges = Purges(network)
        before_retry = await purges.linked_accounts(patron)

        retried = await purges.purge(key)

        after_retry = await purges.linked_accounts(patron)
    assert before_retry["data"] == {"patron": None}
    assert "errors" not in retried, retried["errors"]
    assert reported(retried) == reported(while_down)
    told = retried["data"]["purgeLinkedAccounts"]
    assert (told["homesTold"], told["homesNotTold"]) == ([HOME], [])
    assert "errors" not in after_retry, after_retry["errors"]
    assert after_retry["data"] == {"patron": {"linkedAccounts": []}}


async def test_a_home_no_longer_in_the_network_is_named(catalogues: str) -> None:
    async with running_network(catalogues) as network:
        _, account = await Purges(network).linked_patron("Lee Leaver")
    without_home = [member for member in MEMBERS if member[0] != HOME]

    async with running_network(catalogues, members=without_home) as network:
        purges = Purges(network)
        await purges.past_purge_date(account)

        answer = await purges.purge(new_key())

        assert await purges.is_purged(account)
    assert {"account": account, "homeInstitution": HOME} in reported(answer)
    result = answer["data"]["purgeLinkedAccounts"]
    assert (result["homesTold"], result["homesNotTold"]) == ([], [HOME])
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "MEMBER_UNAVAILABLE", "member": HOME}
    assert error["path"] == ["purgeLinkedAccounts"]


async def test_only_the_members_patron_administrators_purge_and_forget(
    purges: Purges,
) -> None:
    patron, account = await purges.linked_patron("Otto Outsider")
    home_manager = purges.network.token(HOME, roles=["user_manager"])
    purges.network.forget_calls()

    purge_by_home = await purges.network.query(
        PURGE, {"key": new_key(), "institution": OWNER}, token=home_manager
    )
    purge_by_desk = await purges.network.query(
        PURGE,
        {"key": new_key(), "institution": OWNER},
        token=purges.network.staff_token(OWNER),
    )
    forget = {"key": new_key(), "institution": HOME, "account": account}
    forget_by_home = await purges.network.query(FORGET, forget, token=home_manager)

    refusals = [purge_by_home, purge_by_desk, forget_by_home]
    assert [answer["data"] for answer in refusals] == [None, None, None]
    assert [
        [error["extensions"]["code"] for error in answer["errors"]]
        for answer in refusals
    ] == [["FORBIDDEN"]] * 3
    assert purges.network.member_calls(OWNER) == []
    assert purges.network.member_calls(HOME) == []

    # The member that held the account may have the home forget it.
    forgotten = await purges.network.data(FORGET, forget, token=purges.user_manager)
    assert forgotten["forgetLinkedAccount"] == {"account": account, "forgotten": True}
    assert await purges.card_members(patron) == [HOME]
