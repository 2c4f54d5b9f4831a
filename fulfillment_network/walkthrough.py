"""``fulfillment-network walkthrough``: pick up anywhere, told step by step.

Against a running demo network, through the gateway's GraphQL endpoint
only: a patron of the first member requests a copy owned by the second for
pickup at the third; the owner pulls it and sends it; the pickup desk
receives it and lends it; the patron returns it there and it travels home.
Each step is taken by whoever would take it, signed in with a token from
the demo's issuer: the patron places the request, and each desk's
circulation staff work their own desk. Each step prints what it did and the
state the network reports.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from .demo import DEMO_PATRONS, demo_patron_id
from .demo_issuer import demo_token
from .postgres import default_data_dir

__all__ = ["WalkthroughError", "run_walkthrough"]


class WalkthroughError(Exception):
    """The network refused a step; the message says which and why."""


class _Gateway:
    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url

    async def ask(
        self, query: str, *, by: str | None = None, **variables: Any
    ) -> dict[str, Any]:
        """The answer to ``query``, asked by the bearer of token ``by``."""
        headers = {"authorization": f"Bearer {by}"} if by else {}
        async with self.session.post(
            self.url, json={"query": query, "variables": variables}, headers=headers
        ) as response:
            body = await response.json(content_type=None)
        if body.get("errors"):
            raise WalkthroughError(body["errors"][0]["message"])
        data: dict[str, Any] = body["data"]
        return data

    async def act(self, mutation: str, *, by: str, **variables: Any) -> dict[str, Any]:
        return await self.ask(mutation, by=by, key=str(uuid.uuid4()), **variables)


@dataclass(frozen=True)
class _Actor:
    """Who takes a step: a patron (their global ID) or a desk's staff (the
    desk's ID), and the token they sign in with."""

    id: str
    token: str


@dataclass(frozen=True)
class _Issuer:
    """The demo's issuer, signing the tokens of the story's people."""

    folder: Path

    def desk(self, code: str) -> _Actor:
        token = demo_token(
            self.folder,
            institution=code,
            subject=f"walkthrough-{code.lower()}-desk",
            roles=["circulation_desk_operator"],
        )
        return _Actor(f"Desk:{code}:MAIN", token)

    def patron(self, home: str, patron: str, card: uuid.UUID) -> _Actor:
        token = demo_token(
            self.folder,
            institution=home,
            subject=f"walkthrough-{patron}",
            patron=patron,
            network_patron=str(card),
        )
        return _Actor(patron, token)


def run_walkthrough(gateway_url: str, issuer_folder: Path | None = None) -> int:
    """Play the story against the gateway at ``gateway_url``; the demo's
    issuer keeps its key in ``issuer_folder`` (default: where the demo
    keeps it)."""
    folder = issuer_folder or default_data_dir().expanduser().resolve().parent / "keys"
    if not folder.is_dir():
        _say(f"No demo issuer in {folder}: start the demo first.")
        return 1
    try:
        asyncio.run(_walk(gateway_url, _Issuer(folder)))
    except WalkthroughError as refused:
        _say(f"\nThe network refused a step: {refused}")
        return 1
    except aiohttp.ClientError as error:
        _say(f"\nCannot reach the gateway at {gateway_url}: {error}")
        return 1
    return 0


async def _walk(url: str, issuer: _Issuer) -> None:
    async with aiohttp.ClientSession() as session:
        gateway = _Gateway(session, url)
        codes = await _members(gateway)
        home, owner, pickup = codes[0], codes[1], codes[2 % len(codes)]
        patron = await _patron(gateway, issuer, home)
        item, title = await _copy(gateway, owner)
        _say(f"A patron of {home} wants {title!r}, a copy {owner} owns,")
        _say(f"and will pick it up at {pickup}.\n")
        await _story(gateway, item, patron, issuer.desk(owner), issuer.desk(pickup))


async def _story(
    gateway: _Gateway, item: str, patron: _Actor, owner: _Actor, pickup: _Actor
) -> None:
    placed = await gateway.act(
        _REQUEST, by=patron.token, patron=patron.id, item=item, desk=pickup.id
    )
    request = placed["requestForPickup"]
    account = request["account"]["id"]
    _step(
        1,
        "The patron requests it",
        request["request"]["status"],
        f"linked account {account} at the owner",
    )
    tasks = await gateway.ask(_PICK_LIST, by=owner.token, desk=owner.id)
    slip = next(
        s for s in tasks["deskTasks"]["pickFromShelf"] if s["item"]["id"] == item
    )
    _step(
        2,
        "The owner's pick list shows it",
        "pick slip",
        f"destination {slip['destination']['name']}, {slip['destination']['id']}",
    )
    scanned = await gateway.act(_SCAN, by=owner.token, desk=owner.id, item=item)
    _step(3, "The owner scans it", scanned["scanItemForPickSlip"]["status"], "")
    received = await gateway.act(_RECEIVE, by=pickup.token, desk=pickup.id, item=item)
    _step(
        4, "The pickup desk receives it", received["receiveItem"]["item"]["status"], ""
    )
    lent = await gateway.act(
        _LEND, by=pickup.token, desk=pickup.id, item=item, patron=account
    )
    loan = lent["lendItem"]["loan"]
    _step(
        5,
        "The pickup desk lends it for the owner",
        loan["status"],
        f"due {loan['dueAt']}",
    )
    returned = await gateway.act(_RETURN, by=pickup.token, desk=pickup.id, item=item)
    moved = returned["returnItem"]["item"]
    _step(
        6,
        "The patron returns it at the pickup desk",
        moved["status"],
        f"next: {moved['nextStep']}",
    )
    home_again = await gateway.act(_RECEIVE, by=owner.token, desk=owner.id, item=item)
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


async def _patron(gateway: _Gateway, issuer: _Issuer, home: str) -> _Actor:
    """The home's first demo patron, as the home's desk finds them."""
    card = demo_patron_id(home, DEMO_PATRONS[0])
    data = await gateway.ask(
        _PATRON, by=issuer.desk(home).token, institution=home, network=str(card)
    )
    if data["patronByNetworkId"] is None:
        raise WalkthroughError(f"{home} has no demo patron: is this the demo network?")
    patron: str = data["patronByNetworkId"]["id"]
    return issuer.patron(home, patron, card)


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
