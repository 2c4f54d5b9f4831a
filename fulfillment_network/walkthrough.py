"""``fulfillment-network walkthrough``: pick up anywhere, told step by step.

Against a running demo network, through the gateway's GraphQL endpoint
only: a patron of the first member requests a copy owned by the second for
pickup at the third; the owner pulls it and sends it; the pickup desk
receives it and lends it; the patron returns it there and it travels home.
Each step prints what it did and the state the network reports.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import Any

import aiohttp

from .demo import DEMO_PATRONS, demo_patron_id

__all__ = ["WalkthroughError", "run_walkthrough"]


class WalkthroughError(Exception):
    """The network refused a step; the message says which and why."""


class _Gateway:
    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url

    async def ask(self, query: str, **variables: Any) -> dict[str, Any]:
        async with self.session.post(
            self.url, json={"query": query, "variables": variables}
        ) as response:
            body = await response.json(content_type=None)
        if body.get("errors"):
            raise WalkthroughError(body["errors"][0]["message"])
        data: dict[str, Any] = body["data"]
        return data

    async def act(self, mutation: str, **variables: Any) -> dict[str, Any]:
        return await self.ask(mutation, key=str(uuid.uuid4()), **variables)


def run_walkthrough(gateway_url: str) -> int:
    try:
        asyncio.run(_walk(gateway_url))
    except WalkthroughError as refused:
        _say(f"\nThe network refused a step: {refused}")
        return 1
    except aiohttp.ClientError as error:
        _say(f"\nCannot reach the gateway at {gateway_url}: {error}")
        return 1
    return 0


async def _walk(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        gateway = _Gateway(session, url)
        codes = await _members(gateway)
        home, owner, pickup = codes[0], codes[1], codes[2 % len(codes)]
        patron = await _patron(gateway, home)
        item, title = await _copy(gateway, owner)
        _say(f"A patron of {home} wants {title!r}, a copy {owner} owns,")
        _say(f"and will pick it up at {pickup}.\n")
        await _story(gateway, patron, item, _desk(home), _desk(owner), _desk(pickup))


async def _story(
    gateway: _Gateway, patron: str, item: str, home: str, owner: str, pickup: str
) -> None:
    placed = await gateway.act(_REQUEST, patron=patron, item=item, desk=pickup)
    request = placed["requestForPickup"]
    account = request["account"]["id"]
    _step(
        1,
        "The patron requests it",
        request["request"]["status"],
        f"linked account {account} at the owner",
    )
    tasks = await gateway.ask(_PICK_LIST, desk=owner)
    slip = next(
        s for s in tasks["deskTasks"]["pickFromShelf"] if s["item"]["id"] == item
    )
    _step(
        2,
        "The owner's pick list shows it",
        "pick slip",
        f"destination {slip['destination']['name']}, {slip['destination']['id']}",
    )
    scanned = await gateway.act(_SCAN, desk=owner, item=item)
    _step(3, "The owner scans it", scanned["scanItemForPickSlip"]["status"], "")
    received = await gateway.act(_RECEIVE, desk=pickup, item=item)
    _step(
        4, "The pickup desk receives it", received["receiveItem"]["item"]["status"], ""
    )
    lent = await gateway.act(_LEND, desk=pickup, item=item, patron=account)
    loan = lent["lendItem"]["loan"]
    _step(
        5,
        "The pickup desk lends it for the owner",
        loan["status"],
        f"due {loan['dueAt']}",
    )
    returned = await gateway.act(_RETURN, desk=pickup, item=item)
    moved = returned["returnItem"]["item"]
    _step(
        6,
        "The patron returns it at the pickup desk",
        moved["status"],
        f"next: {moved['nextStep']}",
    )
    home_again = await gateway.act(_RECEIVE, desk=owner, item=item)
    _step(
        7,
        "The owner receives it",
        home_again["receiveItem"]["item"]["status"],
        "back on the shelf",
    )


async def _members(gateway: _Gateway) -> list[str]:
    data = await gateway.ask("{ institutions { code } }")
    codes = [entry["code"] for entry in data["institutions"]]
    if len(codes) < 2:
        raise WalkthroughError("the walkthrough needs at least two members")
    return codes


async def _patron(gateway: _Gateway, home: str) -> str:
    data = await gateway.ask(
        _PATRON, institution=home, network=str(demo_patron_id(home, DEMO_PATRONS[0]))
    )
    if data["patronByNetworkId"] is None:
        raise WalkthroughError(f"{home} has no demo patron: is this the demo network?")
    patron: str = data["patronByNetworkId"]["id"]
    return patron


async def _copy(gateway: _Gateway, owner: str) -> tuple[str, str]:
    data = await gateway.ask(_SEARCH)
    for hit in data["search"]:
        record = hit["bibRecord"]
        if record["institution"]["code"] != owner:
            continue
        for holding in record["holdings"]:
            for copy in holding["items"]:
                if copy["status"] == "AVAILABLE":
                    return copy["id"], record["title"]
    raise WalkthroughError(f"no copy of {owner}'s is available to request")


def _desk(code: str) -> str:
    return f"Desk:{code}:MAIN"


def _step(number: int, what: str, state: str, detail: str) -> None:
    _say(f"{number}. {what}: {state}" + (f" ({detail})" if detail else ""))


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


_PATRON = """query ($institution: String!, $network: ID!) {
  patronByNetworkId(institution: $institution, networkPatronId: $network) { id } }"""
_SEARCH = """{ search(text: "history", first: 200) { bibRecord {
  title institution { code } holdings { items { id status } } } } }"""
_REQUEST = """mutation ($key: String!, $patron: ID!, $item: ID!, $desk: ID!) {
  requestForPickup(idempotencyKey: $key, patron: $patron, item: $item,
                   pickupDesk: $desk) { request { status } account { id } } }"""
_PICK_LIST = """query ($desk: ID!) { deskTasks(desk: $desk) {
  pickFromShelf { item { id } destination { id name } } } }"""
_SCAN = """mutation ($key: String!, $desk: ID!, $item: ID!) {
  scanItemForPickSlip(idempotencyKey: $key, desk: $desk, item: $item) { status } }"""
_RECEIVE = """mutation ($key: String!, $desk: ID!, $item: ID!) {
  receiveItem(idempotencyKey: $key, desk: $desk, item: $item) { item { status } } }"""
_LEND = """mutation ($key: String!, $desk: ID!, $item: ID!, $patron: ID!) {
  lendItem(idempotencyKey: $key, desk: $desk, item: $item, patron: $patron) {
    loan { status dueAt } } }"""
_RETURN = """mutation ($key: String!, $desk: ID!, $item: ID!) {
  returnItem(idempotencyKey: $key, desk: $desk, item: $item) {
    item { status nextStep } } }"""
