"""Soak with faults: a mixed load through the gateway while members fail.

Three members hold the shipped MARC excerpt, split as the demo splits it, in
a fresh private PostgreSQL cluster; they run as ``serve-member`` processes
behind a ``serve-gateway`` with its metrics listener, on free loopback
ports. The gateway trusts the demo's token issuer, and every signed-in step
carries a token from it: the patron's own, or circulation staff's of the
desk that acts. N virtual users run for ``--seconds``:

- discovery: ``searchWorks`` with words from the catalogue's titles;
- work lookups by ISBN or LCCN;
- ``networkActivity``, signed in as the patron;
- pick up anywhere: ``requestForPickup`` by the patron, then the desks'
  steps (``deskTasks``, ``scanItemForPickSlip``, ``receiveItem``,
  ``lendItem``, ``returnItem``, and ``receiveItem`` back home);
- walk-in loans at the owner's desk, returned there or at another member;
- loans to the owner's own patrons with ``lendItem``, and their returns.

Each mutation carries a fresh idempotency key. A share is sent twice, again
after its answer or twice at once, and the two answers must be the same; a
mutation whose member did not answer is sent again with its key until it is
answered, as a careful client would.

Faults: at a third of the run one member is killed (SIGKILL) and started
again ``--down-seconds`` later on its port over its database; at two thirds,
once it is back, another member is made slow for ``--slow-seconds``: paused
a little longer than the member timeout, let run briefly, paused again. Both
last a sixth of the run unless given.

The report, in Markdown on stdout: latency and outcome per operation and
per phase, the gateway's metrics before and after set beside what the
client saw, and invariants checked with SQL in every member's database, as
PASS/FAIL lines. The exit status is 1 if a check fails, 2 if the network
could not be started.

    python bench/soak.py
    python bench/soak.py --seconds 20 --users 4
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Mapping,
    Sequence,
)
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import aiohttp
import asyncpg
import orjson
import uvloop
from _network import (
    GatewayOptions,
    Issuer,
    Member,
    Network,
    free_ports,
    running_network,
)
from prometheus_client.parser import text_string_to_metric_families

from fulfillment_network.demo import (
    DEMO_PATRONS,
    DemoPatron,
    demo_members,
    demo_patron,
    excerpt_path,
    holds_record,
    install_demo_patrons,
)
from fulfillment_network.demo_issuer import (
    DEMO_AUDIENCE,
    DEMO_ISSUER,
    demo_token,
    write_demo_issuer,
)
from fulfillment_network.postgres import (
    DSN_ENV,
    database_dsn,
    database_name,
    postgres_server,
)
from institution_subgraph.catalogue.importer import import_marc, open_marc
from institution_subgraph.storage.institution import prepare_database
from institution_subgraph.storage.seed import install_circulation_defaults

MEMBERS = 3
MEMBER_TIMEOUT = 2.0
REQUEST_TIMEOUT = 6.0
# Longer than the gateway's deadline: every request sent is answered, so
# the gateway counts each one the client counts.
CLIENT_TIMEOUT = 30.0
# How long a mutation whose member did not answer is sent again, same key.
RETRY_FOR = 45.0
RETRY_PAUSES = (0.25, 0.5, 1.0, 2.0)
# Copies per member handed to the virtual users; one user works a copy at
# a time, so that no refusal comes from two users wanting the same copy.
COPIES_PER_MEMBER = 600
# A slow member is paused and let run in turn, in seconds. Pauses a little
# longer than the member timeout: most calls are answered late, and those
# that arrive as a pause begins time out at the gateway while the member
# still acts on them, which a retry with the same key has to survive.
SLOW_PAUSE = MEMBER_TIMEOUT + 0.25
SLOW_RUN = 0.25
# What an answer may take beyond the gateway's deadline: the client's hop
# and a busy machine's scheduling.
DEADLINE_SLACK = 1.0

FULL, PARTIAL, FAILED = "full", "partial", "failed"
FIRST, RETRY, DUPLICATE = "first", "retry", "duplicate"
STEADY, DOWN, SLOW = "steady", "member down", "member slow"
PHASES = (STEADY, DOWN, SLOW)

_DID_NOT_ANSWER = re.compile(r"^Member (\S+) did not answer: ")
# The gateway's member-call outcome behind each error code it reports.
_CALL_OUTCOME = {
    "MEMBER_UNAVAILABLE": "unavailable",
    "MEMBER_TIMEOUT": "timeout",
    "MEMBER_ERROR": "failed",
}


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


class SetupFailed(Exception):
    """The network could not be started; the message says which part."""


SEARCH_WORKS = """
query SoakSearch($text: String!) {
  searchWorks(text: $text, first: 20) {
    totalCount
    works { title holdings { institution { code } available total } }
    facets { institutions { value count } formats { value count } }
    members { institution outcome }
  }
}
"""
WORK = """
query SoakWork($isbn: String, $lccn: String) {
  work(isbn: $isbn, lccn: $lccn) {
    title availability { available total }
    holdings {
      institution { code } available total
      record { title holdings { items { id status dueAt } } }
    }
  }
}
"""
ACTIVITY = """
query SoakActivity($patron: ID!) {
  networkActivity(patron: $patron) {
    accounts {
      institution home overdueLoans readyForPickup balance { amount currency }
      account { loans(status: ACTIVE) { id } requests(open: true) { status } }
    }
    totals { amount currency }
    overdueLoans readyForPickup
  }
}
"""
TASKS = """
query SoakDeskTasks($desk: ID!) {
  deskTasks(desk: $desk) {
    pickFromShelf { item { id } }
    expectedInTransit { item { id } }
    holdShelf { item { id } }
  }
}
"""
REQUEST = """
mutation SoakRequest($key: String!, $patron: ID!, $item: ID!, $desk: ID!) {
  requestForPickup(idempotencyKey: $key, patron: $patron, item: $item,
                   pickupDesk: $desk) {
    request { id status } account { id }
  }
}
"""
SCAN = """
mutation SoakScan($key: String!, $desk: ID!, $item: ID!) {
  scanItemForPickSlip(idempotencyKey: $key, desk: $desk, item: $item) { status }
}
"""
RECEIVE = """
mutation SoakReceive($key: String!, $desk: ID!, $item: ID!) {
  receiveItem(idempotencyKey: $key, desk: $desk, item: $item) {
    item { status nextStep }
  }
}
"""
LEND = """
mutation SoakLend($key: String!, $desk: ID!, $item: ID!, $patron: ID!) {
  lendItem(idempotencyKey: $key, desk: $desk, item: $item, patron: $patron) {
    loan { id status } filledRequest { id status }
  }
}
"""
RETURN = """
mutation SoakReturn($key: String!, $desk: ID!, $item: ID!) {
  returnItem(idempotencyKey: $key, desk: $desk, item: $item) {
    item { status nextStep } loan { id status }
  }
}
"""
WALK_IN = """
mutation SoakWalkIn($key: String!, $desk: ID!, $item: ID!, $patron: ID!) {
  walkInLoan(idempotencyKey: $key, desk: $desk, item: $item, patron: $patron) {
    loan { id status } account { id }
  }
}
"""


@dataclass(frozen=True)
class Options:
    seconds: float
    users: int
    think: float
    kill: str
    down_seconds: float
    slow: str
    slow_seconds: float
    duplicate_share: float
    seed: int
    keep: bool


@dataclass
class Timeline:
    """When the faults happened, in seconds since the load started."""

    events: list[tuple[float, str]] = field(default_factory=list)
    windows: list[tuple[str, float, float]] = field(default_factory=list)
    length: float = 0.0

    def phase(self, at: float) -> str:
        for name, start, end in self.windows:
            if start <= at < end:
                return name
        return STEADY

    def seconds_in(self, phase: str) -> float:
        faults = {name: end - start for name, start, end in self.windows}
        if phase == STEADY:
            return self.length - sum(faults.values())
        return faults.get(phase, 0.0)


@dataclass(frozen=True, slots=True)
class Answer:
    """The gateway's answer to one request; status 0: none came."""

    status: int
    data: dict[str, Any] | None
    errors: tuple[dict[str, Any], ...]
    members: dict[str, str]

    @classmethod
    def of(cls, status: int, body: object) -> Answer:
        if not isinstance(body, dict):
            return cls(status, None, (), {})
        extensions = body.get("extensions") or {}
        data = body.get("data")
        return cls(
            status,
            data if isinstance(data, dict) else None,
            tuple(body.get("errors") or ()),
            dict(extensions.get("members") or {}),
        )

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.errors and self.data is not None

    @property
    def result(self) -> str:
        """Full, partial (errors beside some data) or failed."""
        if self.ok:
            return FULL
        if self.data and any(value is not None for value in self.data.values()):
            return PARTIAL
        return FAILED

    @property
    def gateway_outcome(self) -> str:
        """The outcome as the gateway's metrics label it."""
        if self.status == 0:
            return "none"
        if not self.errors:
            return "ok"
        return "partial" if self.data else "error"

    def member_failures(self) -> tuple[tuple[str, str], ...]:
        """(member, call outcome) of each member the gateway says did not answer."""
        failures = []
        for error in self.errors:
            found = _DID_NOT_ANSWER.match(str(error.get("message", "")))
            code = (error.get("extensions") or {}).get("code")
            if found and code in _CALL_OUTCOME:
                # A call the member's open breaker kept from being made.
                skipped = found.string[found.end() :].startswith("skipped")
                outcome = "skipped" if skipped else _CALL_OUTCOME[code]
                failures.append((found[1], outcome))
        return tuple(failures)

    @property
    def transient(self) -> bool:
        """Worth sending again with the same key: no answer came, the
        gateway failed, or a member did not answer. A 4xx says the request
        itself is wrong; sending it again would only hide that."""
        unanswered = self.status == 0 or self.status >= 500
        return unanswered or bool(self.member_failures())

    def codes(self) -> tuple[str, ...]:
        if self.status != 200 and not self.errors:
            return (f"HTTP {self.status}" if self.status else "no answer",)
        return tuple(
            str((error.get("extensions") or {}).get("code", "none"))
            for error in self.errors
        )


@dataclass(frozen=True, slots=True)
class Sample:
    kind: str
    # Seconds from the start of the load to the send; the phase is read from
    # the timeline afterwards, once every fault window has closed.
    at: float
    ms: float
    status: int
    result: str
    gateway_outcome: str
    codes: tuple[str, ...]
    member_failures: tuple[tuple[str, str], ...]
    members_ok: tuple[str, ...]
    attempt: str


class GatewayClient:
    """Sends requests to the gateway and records each as a :class:`Sample`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        started: float,
    ) -> None:
        self._session = session
        self._url = url
        self._started = started
        self.samples: list[Sample] = []

    async def send(
        self,
        kind: str,
        document: str,
        variables: dict[str, Any],
        token: str | None,
        attempt: str,
    ) -> Answer:
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        body = orjson.dumps({"query": document, "variables": variables})
        sent = time.monotonic()
        answer = await self._post(body, headers)
        ms = (time.monotonic() - sent) * 1000
        at = sent - self._started
        self.samples.append(_sample(kind, at, ms, answer, attempt))
        return answer

    async def _post(self, body: bytes, headers: dict[str, str]) -> Answer:
        try:
            async with self._session.post(
                self._url, data=body, headers=headers
            ) as response:
                return Answer.of(response.status, orjson.loads(await response.read()))
        except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError):
            return Answer(0, None, (), {})


def _sample(kind: str, at: float, ms: float, answer: Answer, attempt: str) -> Sample:
    return Sample(
        kind=kind,
        at=at,
        ms=ms,
        status=answer.status,
        result=answer.result,
        gateway_outcome=answer.gateway_outcome,
        codes=answer.codes(),
        member_failures=answer.member_failures(),
        members_ok=tuple(m for m, outcome in answer.members.items() if outcome == "ok"),
        attempt=attempt,
    )


@dataclass
class Ledger:
    """What the client knows the network did, for the checks at the end.

    ``acted`` holds, by (owner, operation), the idempotency keys the network
    answered with success; ``abandoned`` those still unanswered when the
    client stopped sending them again: they may or may not have acted.
    """

    acted: defaultdict[tuple[str, str], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    abandoned: defaultdict[tuple[str, str], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    actions: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    recovered: Counter[str] = field(default_factory=Counter)
    given_up: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    compared: Counter[str] = field(default_factory=Counter)
    differing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    stories: Counter[tuple[str, str]] = field(default_factory=Counter)

    def expect(self, what: str, got: object, wanted: object) -> None:
        if got != wanted:
            self.unexpected.append(f"{what}: {got!r}, expected {wanted!r}")

    def settle(
        self, owner: str, operation: str | None, key: str, answer: Answer
    ) -> None:
        if operation is None:
            return
        if answer.ok:
            self.acted[owner, operation].add(key)
        elif answer.transient:
            self.abandoned[owner, operation].add(key)


class Actions:
    """Queries and mutations as a careful client sends them.

    A mutation gets a fresh key; a share of them is sent twice (``again``
    after the answer, or ``race``: twice at once) and the answers compared;
    one whose member did not answer is sent again with its key.
    """

    def __init__(
        self,
        client: GatewayClient,
        ledger: Ledger,
        rng: random.Random,
        duplicate_share: float,
    ) -> None:
        self._client = client
        self._ledger = ledger
        self._rng = rng
        self._duplicate_share = duplicate_share

    async def query(
        self, kind: str, document: str, token: str | None = None, **variables: Any
    ) -> dict[str, Any] | None:
        answer = await self._client.send(kind, document, variables, token, FIRST)
        return answer.data if answer.ok else None

    async def act(
        self,
        kind: str,
        document: str,
        token: str,
        owner: str,
        operation: str | None = None,
        **variables: Any,
    ) -> dict[str, Any] | None:
        """The mutation's data once answered; None if refused or unanswered."""
        key = str(uuid.uuid4())
        variables = {**variables, "key": key}
        self._ledger.actions[kind] += 1
        mode = self._duplicate_mode()
        send = self._sender(kind, document, variables, token)
        if mode == "race":
            answer, twin = await asyncio.gather(send(FIRST), send(DUPLICATE))
            self._compare(kind, answer, twin)
            answer = twin if twin.ok and not answer.ok else answer
        else:
            answer = await send(FIRST)
        answer = await self._until_answered(kind, send, answer)
        if mode == "again" and answer.ok:
            self._compare(kind, answer, await send(DUPLICATE))
        self._ledger.settle(owner, operation, key, answer)
        if not answer.ok and not answer.transient:
            self._ledger.refused[kind] += 1
        return answer.data if answer.ok else None

    def _sender(
        self, kind: str, document: str, variables: dict[str, Any], token: str
    ) -> Callable[[str], Awaitable[Answer]]:
        def send(attempt: str) -> Awaitable[Answer]:
            return self._client.send(kind, document, variables, token, attempt)

        return send

    def _duplicate_mode(self) -> str:
        draw = self._rng.random()
        if draw < self._duplicate_share / 2:
            return "race"
        if draw < self._duplicate_share:
            return "again"
        return "once"

    async def _until_answered(
        self, kind: str, send: Callable[[str], Awaitable[Answer]], answer: Answer
    ) -> Answer:
        if not answer.transient:
            return answer
        self._ledger.retried[kind] += 1
        deadline = time.monotonic() + RETRY_FOR
        attempt = 0
        while answer.transient and time.monotonic() < deadline:
            await asyncio.sleep(RETRY_PAUSES[min(attempt, len(RETRY_PAUSES) - 1)])
            attempt += 1
            answer = await send(RETRY)
        if answer.ok:
            self._ledger.recovered[kind] += 1
        elif answer.transient:
            self._ledger.given_up[kind] += 1
        return answer

    def _compare(self, kind: str, first: Answer, second: Answer) -> None:
        self._ledger.duplicates[kind] += 1
        if not (first.ok and second.ok):
            return
        self._ledger.compared[kind] += 1
        if first.data != second.data:
            self._ledger.differing.append(f"{kind}: {first.data} then {second.data}")


class Shelf:
    """Copies free for a story, per owner; a story takes one and puts it
    back only if it ended with the copy on the shelf again."""

    def __init__(self, copies: dict[str, list[str]]) -> None:
        self._copies = {owner: deque(items) for owner, items in copies.items()}

    def take(self, owner: str) -> str | None:
        copies = self._copies[owner]
        return copies.popleft() if copies else None

    def put_back(self, owner: str, item: str) -> None:
        self._copies[owner].append(item)


@dataclass(frozen=True)
class World:
    """What the virtual users work with, gathered before the load starts."""

    codes: tuple[str, ...]
    words: tuple[str, ...]
    identifiers: tuple[tuple[str, str], ...]
    shelf: Shelf
    staff_tokens: dict[str, str]
    patron_tokens: dict[str, str]

    def patron(self, rng: random.Random, home: str | None = None) -> DemoPatron:
        code = home or rng.choice(self.codes)
        return demo_patron(code, rng.randint(1, len(DEMO_PATRONS)))

    def desk(self, code: str) -> str:
        return f"Desk:{code}:MAIN"


@dataclass
class VirtualUser:
    world: World
    actions: Actions
    ledger: Ledger
    rng: random.Random
    think: float

    async def run(self, until: float) -> None:
        scenarios = [scenario for scenario, _ in SCENARIOS]
        weights = [weight for _, weight in SCENARIOS]
        while time.monotonic() < until:
            [scenario] = self.rng.choices(scenarios, weights)
            await scenario(self)
            await asyncio.sleep(self.rng.uniform(0, 2 * self.think))


async def discover(user: VirtualUser) -> None:
    words = user.rng.sample(user.world.words, user.rng.choice((1, 1, 2)))
    await user.actions.query("searchWorks", SEARCH_WORKS, text=" ".join(words))


async def look_up_work(user: VirtualUser) -> None:
    kind, value = user.rng.choice(user.world.identifiers)
    await user.actions.query("work", WORK, **{kind: value})


async def check_activity(user: VirtualUser) -> None:
    patron = user.world.patron(user.rng)
    token = user.world.patron_tokens[patron.id]
    await user.actions.query("networkActivity", ACTIVITY, token, patron=patron.id)


async def pick_up_anywhere(user: VirtualUser) -> None:
    """A patron of any member requests another member's copy for pickup at
    a third desk (or at home); the desks move it, lend it and take it back."""
    world = user.world
    owner, pickup = user.rng.sample(world.codes, 2)
    item = world.shelf.take(owner)
    if item is None:
        return
    finished = await _pickup_steps(user, world.patron(user.rng), owner, pickup, item)
    _end_story(user, "pick up anywhere", finished, owner, item)


async def _pickup_steps(
    user: VirtualUser, patron: DemoPatron, owner: str, pickup: str, item: str
) -> bool:
    world, act, expect = user.world, user.actions.act, user.ledger.expect
    at_owner, at_pickup = world.desk(owner), world.desk(pickup)
    owner_staff, pickup_staff = world.staff_tokens[owner], world.staff_tokens[pickup]
    placed = await act(
        "requestForPickup",
        REQUEST,
        world.patron_tokens[patron.id],
        owner,
        "request",
        patron=patron.id,
        item=item,
        desk=at_pickup,
    )
    if placed is None:
        return False
    request = placed["requestForPickup"]
    expect("requestForPickup status", request["request"]["status"], "PICK_FROM_SHELF")
    await user.actions.query("deskTasks", TASKS, owner_staff, desk=at_owner)
    scanned = await act(
        "scanItemForPickSlip", SCAN, owner_staff, owner, desk=at_owner, item=item
    )
    if scanned is None:
        return False
    expect(
        "scanItemForPickSlip status",
        scanned["scanItemForPickSlip"]["status"],
        "IN_TRANSIT",
    )
    await user.actions.query("deskTasks", TASKS, pickup_staff, desk=at_pickup)
    arrived = await act(
        "receiveItem", RECEIVE, pickup_staff, owner, desk=at_pickup, item=item
    )
    if arrived is None:
        return False
    expect(
        "receiveItem at pickup",
        arrived["receiveItem"]["item"]["status"],
        "AWAITING_PICKUP",
    )
    account = request["account"]["id"]
    lent = await act(
        "lendItem",
        LEND,
        pickup_staff,
        owner,
        "lend",
        desk=at_pickup,
        item=item,
        patron=account,
    )
    if lent is None:
        return False
    expect(
        "lendItem for a request", lent["lendItem"]["filledRequest"]["status"], "FILLED"
    )
    returned = await _return(user, owner, pickup, item)
    return returned and await _receive_home(user, owner, item)


async def walk_in(user: VirtualUser) -> None:
    """A patron of another member borrows at the owner's desk and returns
    the copy there or at any member's desk."""
    world = user.world
    owner, home = user.rng.sample(world.codes, 2)
    item = world.shelf.take(owner)
    if item is None:
        return
    lent = await user.actions.act(
        "walkInLoan",
        WALK_IN,
        world.staff_tokens[owner],
        owner,
        "lend",
        desk=world.desk(owner),
        item=item,
        patron=world.patron(user.rng, home).id,
    )
    finished = False
    if lent is not None:
        user.ledger.expect(
            "walkInLoan loan", lent["walkInLoan"]["loan"]["status"], "ACTIVE"
        )
        at = user.rng.choice(world.codes)
        finished = await _return(user, owner, at, item)
        if finished and at != owner:
            finished = await _receive_home(user, owner, item)
    _end_story(user, "walk-in loan", finished, owner, item)


async def local_loan(user: VirtualUser) -> None:
    """The owner lends to one of its own patrons and takes the copy back."""
    world = user.world
    owner = user.rng.choice(world.codes)
    item = world.shelf.take(owner)
    if item is None:
        return
    lent = await user.actions.act(
        "lendItem",
        LEND,
        world.staff_tokens[owner],
        owner,
        "lend",
        desk=world.desk(owner),
        item=item,
        patron=world.patron(user.rng, owner).id,
    )
    finished = False
    if lent is not None:
        user.ledger.expect(
            "lendItem loan", lent["lendItem"]["loan"]["status"], "ACTIVE"
        )
        finished = await _return(user, owner, owner, item)
    _end_story(user, "local loan", finished, owner, item)


async def _return(user: VirtualUser, owner: str, at: str, item: str) -> bool:
    """Return the copy at ``at``'s desk; it goes to the shelf or home."""
    world = user.world
    returned = await user.actions.act(
        "returnItem",
        RETURN,
        world.staff_tokens[at],
        owner,
        "return",
        desk=world.desk(at),
        item=item,
    )
    if returned is None:
        return False
    result = returned["returnItem"]
    user.ledger.expect(
        "returnItem loan", (result["loan"] or {}).get("status"), "CLOSED"
    )
    wanted = "AVAILABLE" if at == owner else "IN_TRANSIT"
    user.ledger.expect(
        f"returnItem at {'owner' if at == owner else 'another desk'}",
        result["item"]["status"],
        wanted,
    )
    return True


async def _receive_home(user: VirtualUser, owner: str, item: str) -> bool:
    world = user.world
    home = await user.actions.act(
        "receiveItem",
        RECEIVE,
        world.staff_tokens[owner],
        owner,
        desk=world.desk(owner),
        item=item,
    )
    if home is None:
        return False
    user.ledger.expect(
        "receiveItem home", home["receiveItem"]["item"]["status"], "AVAILABLE"
    )
    return True


def _end_story(
    user: VirtualUser, story: str, finished: bool, owner: str, item: str
) -> None:
    user.ledger.stories[story, "finished" if finished else "stopped"] += 1
    # A stopped story leaves its copy in a state the user cannot be sure of.
    if finished:
        user.world.shelf.put_back(owner, item)


SCENARIOS: tuple[tuple[Callable[[VirtualUser], Awaitable[None]], int], ...] = (
    (discover, 30),
    (look_up_work, 15),
    (check_activity, 15),
    (pick_up_anywhere, 15),
    (walk_in, 15),
    (local_loan, 10),
)


async def load_catalogues(server_dsn: str, codes: Sequence[tuple[str, str]]) -> None:
    """Each member's share of the excerpt, default desks and demo patrons."""
    all_codes = [code for code, _ in codes]
    for number, (code, name) in enumerate(codes):
        connection = await asyncpg.connect(
            await prepare_database(server_dsn, code, name)
        )
        try:
            partners = [other for other in all_codes if other != code]
            await install_circulation_defaults(connection, code, partners=partners)
            await install_demo_patrons(connection, code)
            with open_marc(excerpt_path()) as stream:
                report = await import_marc(
                    connection,
                    code,
                    stream,
                    keep=_share(number, len(codes)),
                    progress=False,
                )
        finally:
            await connection.close()
        _say(f"{code}: {report.imported:,} records")


def _share(member: int, members: int) -> Callable[[int], bool]:
    return lambda position: holds_record(position, member, members)


async def gather_world(
    server_dsn: str, codes: Sequence[str], issuer_folder: Path
) -> World:
    """Copies, words and identifiers from the members' databases; tokens
    for every demo patron and every member's circulation desk."""
    copies: dict[str, list[str]] = {}
    words: set[str] = set()
    identifiers: list[tuple[str, str]] = []
    for code in codes:
        connection = await asyncpg.connect(_member_dsn(server_dsn, code))
        try:
            copies[code] = [
                f"Item:{code}:{row['id']}"
                for row in await connection.fetch(_COPIES, COPIES_PER_MEMBER)
            ]
            words.update(row["word"] for row in await connection.fetch(_WORDS))
            identifiers += [
                (row["kind"], row["value"])
                for row in await connection.fetch(_IDENTIFIERS)
            ]
        finally:
            await connection.close()
    return World(
        codes=tuple(codes),
        words=tuple(sorted(words)),
        identifiers=tuple(sorted(set(identifiers))),
        shelf=Shelf(copies),
        staff_tokens={code: _staff_token(issuer_folder, code) for code in codes},
        patron_tokens=_patron_tokens(issuer_folder, codes),
    )


def _member_dsn(server_dsn: str, code: str) -> str:
    return database_dsn(server_dsn, database_name(code))


def _staff_token(folder: Path, code: str) -> str:
    return demo_token(
        folder,
        institution=code,
        subject=f"soak-{code.lower()}-desk",
        roles=["circulation_desk_operator"],
    )


def _patron_tokens(folder: Path, codes: Sequence[str]) -> dict[str, str]:
    tokens = {}
    for code in codes:
        for number in range(1, len(DEMO_PATRONS) + 1):
            patron = demo_patron(code, number)
            tokens[patron.id] = demo_token(
                folder,
                institution=code,
                subject=f"soak-{patron.id}",
                patron=patron.id,
                network_patron=str(patron.network_patron_id),
            )
    return tokens


_COPIES = """
SELECT id FROM item WHERE status = 'available' ORDER BY random() LIMIT $1
"""
# Title words common enough to find something, rare enough to vary.
_WORDS = """
SELECT lower(word) AS word
FROM bib_record, regexp_split_to_table(title, '[^A-Za-z]+') AS word
WHERE length(word) >= 5
GROUP BY lower(word) HAVING count(*) BETWEEN 3 AND 60
ORDER BY random() LIMIT 80
"""
_IDENTIFIERS = """
(SELECT 'isbn' AS kind, isbns[1] AS value FROM bib_record
 WHERE cardinality(isbns) > 0 ORDER BY random() LIMIT 60)
UNION ALL
(SELECT 'lccn', lccn FROM bib_record
 WHERE lccn IS NOT NULL ORDER BY random() LIMIT 30)
"""


async def inject_faults(
    network: Network,
    session: aiohttp.ClientSession,
    options: Options,
    timeline: Timeline,
    started: float,
) -> None:
    """Kill a member at a third of the run and start it again; then make
    another slow for a while, if the run leaves time for it."""

    def now() -> float:
        return time.monotonic() - started

    await asyncio.sleep(max(0.0, options.seconds / 3 - now()))
    network.processes.kill(options.kill)
    killed = now()
    timeline.events.append((killed, f"{options.kill} killed (SIGKILL)"))
    await asyncio.sleep(options.down_seconds)
    timeline.events.append((now(), f"{options.kill} started again"))
    await network.processes.restart(session, options.kill)
    back = now()
    timeline.events.append((back, f"{options.kill} answers /health"))
    timeline.windows.append((DOWN, killed, back))
    if options.slow_seconds <= 0:
        return
    slow_from = max(options.seconds * 2 / 3, back + 2)
    if slow_from + options.slow_seconds > options.seconds:
        timeline.events.append((back, f"no time left to make {options.slow} slow"))
        return
    await asyncio.sleep(slow_from - now())
    slowed = now()
    pauses = f"paused {SLOW_PAUSE:g} s of every {SLOW_PAUSE + SLOW_RUN:g} s"
    timeline.events.append((slowed, f"{options.slow} slow ({pauses})"))
    await _throttle(network, options.slow, options.slow_seconds)
    timeline.events.append((now(), f"{options.slow} at full speed again"))
    timeline.windows.append((SLOW, slowed, now()))


async def _throttle(network: Network, code: str, seconds: float) -> None:
    """Pause the member and let it run, in turn, for ``seconds``."""
    until = time.monotonic() + seconds
    try:
        while time.monotonic() < until:
            network.processes.pause(code)
            await asyncio.sleep(SLOW_PAUSE)
            network.processes.resume(code)
            await asyncio.sleep(SLOW_RUN)
    finally:
        network.processes.resume(code)


MetricKey = tuple[str, tuple[tuple[str, str], ...]]


async def scrape(session: aiohttp.ClientSession, url: str) -> dict[MetricKey, float]:
    """The gateway's counters, by name and labels."""
    async with session.get(url) as response:
        text = await response.text()
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            values[sample.name, labels] = sample.value
    return values


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str

    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'} {self.name}: {self.detail}"


# Each query counts rows that break the invariant it is named after.
_BROKEN = {
    "no item has two active loans": """
        SELECT count(*) FROM (
          SELECT item_id FROM loan WHERE status = 'active'
          GROUP BY item_id HAVING count(*) > 1) AS twice""",
    "no copy is set aside for two open requests": """
        SELECT count(*) FROM (
          SELECT item_id FROM request
          WHERE status IN ('pick_from_shelf', 'in_transit', 'on_hold_shelf')
          GROUP BY item_id HAVING count(*) > 1) AS twice""",
    "no patron has two open requests for one copy": """
        SELECT count(*) FROM (
          SELECT patron_id, requested_item_id FROM request
          WHERE status IN ('not_yet_filled', 'pick_from_shelf', 'in_transit',
                           'on_hold_shelf')
          GROUP BY patron_id, requested_item_id HAVING count(*) > 1) AS twice""",
    "every request's status is its last recorded step": """
        SELECT count(*) FROM request r
        WHERE r.status IS DISTINCT FROM (
          SELECT e.status FROM request_event e
          WHERE e.request_id = r.id ORDER BY e.id DESC LIMIT 1)""",
    "every open request's copy is in the state the request says": """
        SELECT count(*) FROM request r JOIN item i ON i.id = r.item_id
        WHERE (r.status = 'pick_from_shelf' AND i.status <> 'paged')
           OR (r.status = 'in_transit' AND i.status <> 'in_transit')
           OR (r.status = 'on_hold_shelf' AND i.status <> 'awaiting_pickup')""",
    "every copy paged or on a hold shelf has its open request": """
        SELECT count(*) FROM item i
        WHERE i.status IN ('paged', 'awaiting_pickup') AND NOT EXISTS (
          SELECT 1 FROM request r WHERE r.item_id = i.id
          AND r.status IN ('pick_from_shelf', 'on_hold_shelf'))""",
    "every copy checked out has exactly one active loan": """
        SELECT count(*) FROM item i
        WHERE i.status = 'checked_out' AND (
          SELECT count(*) FROM loan l
          WHERE l.item_id = i.id AND l.status = 'active') <> 1""",
    "every active loan's copy is checked out": """
        SELECT count(*) FROM loan l JOIN item i ON i.id = l.item_id
        WHERE l.status = 'active' AND i.status <> 'checked_out'""",
    "every copy in transit has one open transit, and no other copy has one": """
        SELECT count(*) FROM item i
        WHERE (i.status = 'in_transit') <> EXISTS (
          SELECT 1 FROM transit t
          WHERE t.item_id = i.id AND t.received_at IS NULL)""",
}

# What each member's database holds, to set beside what the client saw.
_COUNTS = {
    "loans": "SELECT count(*) FROM loan",
    "closed loans": "SELECT count(*) FROM loan WHERE status = 'closed'",
    "requests": "SELECT count(*) FROM request",
    "lend keys": "SELECT count(*) FROM idempotency_key WHERE operation = 'lend_item'",
    "loans in lend results": """
        SELECT count(DISTINCT result -> 'loan' ->> 'loan_id')
        FROM idempotency_key WHERE operation = 'lend_item'""",
    "lend events": "SELECT count(*) FROM item_event WHERE action = 'lend'",
    "request keys": """
        SELECT count(*) FROM idempotency_key
        WHERE operation = 'place_item_request'""",
}


async def check_member(server_dsn: str, code: str, ledger: Ledger) -> list[Check]:
    connection = await asyncpg.connect(_member_dsn(server_dsn, code))
    try:
        broken = {name: await connection.fetchval(sql) for name, sql in _BROKEN.items()}
        counts = {name: await connection.fetchval(sql) for name, sql in _COUNTS.items()}
    finally:
        await connection.close()
    checks = [
        Check(f"{code}: {name}", rows == 0, f"{rows} rows break it")
        for name, rows in broken.items()
    ]
    return checks + _acted_once(code, counts, ledger)


def _acted_once(code: str, counts: dict[str, int], ledger: Ledger) -> list[Check]:
    """Each key the client saw succeed acted once, and nothing else acted."""
    loans = counts["loans"]
    checks = [
        _matches(f"{code}: loans = lend keys answered", loans, ledger, code, "lend"),
        _matches(
            f"{code}: closed loans = return keys answered",
            counts["closed loans"],
            ledger,
            code,
            "return",
        ),
        _matches(
            f"{code}: requests = requestForPickup keys answered",
            counts["requests"],
            ledger,
            code,
            "request",
        ),
    ]
    stored = {
        "lend keys stored": counts["lend keys"],
        "distinct loans in stored lend results": counts["loans in lend results"],
        "lend events in item history": counts["lend events"],
    }
    checks += [
        Check(f"{code}: {name} = loans", value == loans, f"{value} and {loans}")
        for name, value in stored.items()
    ]
    checks.append(
        Check(
            f"{code}: request keys stored = requests",
            counts["request keys"] == counts["requests"],
            f"{counts['request keys']} and {counts['requests']}",
        )
    )
    return checks


def _matches(name: str, rows: int, ledger: Ledger, code: str, operation: str) -> Check:
    """Rows equal the keys answered, give or take those never answered."""
    answered = len(ledger.acted[code, operation])
    unknown = len(ledger.abandoned[code, operation])
    passed = answered <= rows <= answered + unknown
    detail = f"{rows} in the database, {answered} keys answered"
    if unknown:
        detail += f", {unknown} never answered"
    return Check(name, passed, detail)


def client_checks(ledger: Ledger, samples: Sequence[Sample]) -> list[Check]:
    unanswered = sum(1 for sample in samples if sample.status == 0)
    abandoned = sum(len(keys) for keys in ledger.abandoned.values())
    compared = sum(ledger.compared.values())
    return [
        Check(
            "every request sent got an answer from the gateway",
            unanswered == 0,
            f"{unanswered} of {len(samples)} without one",
        ),
        Check(
            "a mutation sent twice with one key got the same answer twice",
            not ledger.differing,
            f"{compared} pairs compared, {len(ledger.differing)} differ"
            + "".join(f"\n    {text}" for text in ledger.differing[:5]),
        ),
        Check(
            "every step answered left the state it should",
            not ledger.unexpected,
            f"{len(ledger.unexpected)} did not"
            + "".join(f"\n    {text}" for text in ledger.unexpected[:5]),
        ),
        Check(
            "every mutation sent again after a failure was answered in the end",
            abandoned == 0,
            f"{abandoned} still unanswered after {RETRY_FOR:.0f} s",
        ),
    ]


def fault_checks(samples: Sequence[Sample], options: Options) -> list[Check]:
    """A member's fault costs its own part of an answer and no more."""
    at_fault = {options.kill} | ({options.slow} if options.slow_seconds > 0 else set())
    others = Counter(
        member
        for sample in samples
        for member, _ in sample.member_failures
        if member not in at_fault
    )
    searches = [s for s in samples if s.kind == "searchWorks" and s.member_failures]
    emptied = sum(1 for s in searches if s.result == FAILED)
    unexplained = Counter(
        code
        for s in samples
        if s.status and s.result != FULL and not s.member_failures
        for code in s.codes
    )
    slowest = max((s.ms for s in samples), default=0.0)
    limit = (REQUEST_TIMEOUT + DEADLINE_SLACK) * 1000
    return [
        Check(
            "only the members at fault failed to answer",
            not others,
            _tally(others, "failures of others"),
        ),
        Check(
            "searchWorks kept the other members' works while one failed",
            emptied == 0,
            f"{len(searches) - emptied} partial answers, {emptied} without works",
        ),
        Check(
            "every answer with errors named a member that did not answer",
            not unexplained,
            _tally(unexplained, "other errors"),
        ),
        Check(
            "every answer came within the gateway's request deadline",
            slowest <= limit,
            f"slowest {slowest:,.0f} ms; deadline {REQUEST_TIMEOUT * 1000:,.0f} ms"
            f" (+{DEADLINE_SLACK * 1000:,.0f} ms for the two hops)",
        ),
    ]


@dataclass(frozen=True)
class MetricComparison:
    """The gateway's counters over the run, beside the client's own count."""

    requests: list[tuple[str, str, float, int]]
    failed_calls: list[tuple[str, str, float, int]]
    ok_calls: list[tuple[str, float, int]]

    @classmethod
    def of(
        cls,
        before: dict[MetricKey, float],
        after: dict[MetricKey, float],
        samples: Sequence[Sample],
    ) -> MetricComparison:
        requests = _deltas(before, after, "gateway_requests_total", "status", "outcome")
        calls = _deltas(
            before, after, "gateway_member_calls_total", "member", "outcome"
        )
        seen = Counter((str(s.status), s.gateway_outcome) for s in samples if s.status)
        failures = Counter(f for s in samples for f in s.member_failures)
        answered = Counter(member for s in samples for member in s.members_ok)
        request_keys = sorted(set(requests) | set(seen))
        failed_keys = sorted({k for k in calls if k[1] != "ok"} | set(failures))
        members = sorted({k[0] for k in calls} | set(answered))
        return cls(
            [(s, o, requests.get((s, o), 0.0), seen[s, o]) for s, o in request_keys],
            [(m, o, calls.get((m, o), 0.0), failures[m, o]) for m, o in failed_keys],
            [(m, calls.get((m, "ok"), 0.0), answered[m]) for m in members],
        )

    def checks(self) -> list[Check]:
        requests = all(delta == seen for _, _, delta, seen in self.requests)
        failed = all(delta == seen for _, _, delta, seen in self.failed_calls)
        ok = all(delta >= seen for _, delta, seen in self.ok_calls)
        return [
            Check(
                "gateway_requests_total grew by the requests the client saw,"
                " by status and outcome",
                requests,
                "equal" if requests else "they differ (table above)",
            ),
            Check(
                "gateway_member_calls_total that failed grew by the member"
                " failures the answers reported, by member and outcome",
                failed,
                "equal" if failed else "they differ (table above)",
            ),
            Check(
                "gateway_member_calls_total{outcome=ok} grew at least by the"
                " answers that say the member answered",
                ok,
                "yes" if ok else "fewer (table above)",
            ),
        ]


def _deltas(
    before: dict[MetricKey, float],
    after: dict[MetricKey, float],
    name: str,
    *labels: str,
) -> dict[tuple[str, ...], float]:
    deltas = {}
    for (metric, pairs), value in after.items():
        if metric != name:
            continue
        named = dict(pairs)
        key = tuple(named.get(label, "") for label in labels)
        deltas[key] = value - before.get((metric, pairs), 0.0)
    return deltas


@dataclass(frozen=True)
class Latency:
    """Nearest-rank percentiles of a group of samples (never empty), in ms."""

    p50: float
    p95: float
    p99: float
    slowest: float

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Latency:
        ordered = sorted(sample.ms for sample in samples)
        p50, p95, p99 = (_rank(ordered, share) for share in (0.5, 0.95, 0.99))
        return cls(p50, p95, p99, ordered[-1])

    def cells(self) -> list[str]:
        return [_ms(value) for value in (self.p50, self.p95, self.p99, self.slowest)]


def _rank(ordered: Sequence[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


_Group = TypeVar("_Group")
_LATENCY_COLUMNS = ("p50 ms", "p95 ms", "p99 ms", "slowest ms")
_RESULT_COLUMNS = ("full", "partial", "failed")
_PHASE_COLUMNS = (
    "phase",
    "seconds",
    "requests",
    "per s",
    *_RESULT_COLUMNS,
    *_LATENCY_COLUMNS,
    "error codes",
)
_OPERATION_COLUMNS = (
    "operation",
    "phase",
    "requests",
    *_RESULT_COLUMNS,
    "sent again",
    *_LATENCY_COLUMNS,
)
_MUTATION_COLUMNS = (
    "mutation",
    "sent",
    "member failed, sent again",
    "answered then",
    "given up",
    "refused",
    "sent twice",
    "pairs compared",
)
_REQUEST_COLUMNS = ("status", "outcome", "gateway counted", "client saw")
_FAILED_CALL_COLUMNS = ("member", "outcome", "gateway counted", "answers reported")
_OK_CALL_COLUMNS = ("member", "gateway counted", "answers saying it answered")
# Queries first, then the mutations in the order a story sends them.
OPERATIONS = (
    "searchWorks",
    "work",
    "networkActivity",
    "deskTasks",
    "requestForPickup",
    "scanItemForPickSlip",
    "receiveItem",
    "walkInLoan",
    "lendItem",
    "returnItem",
)


@dataclass(frozen=True)
class Report:
    """The run in Markdown: what happened when, what the client saw per
    phase and per operation, the gateway's own counts beside it, and the
    checks. ``passed`` is false if a check failed."""

    options: Options
    samples: Sequence[Sample]
    ledger: Ledger
    timeline: Timeline
    comparison: MetricComparison
    checks: Sequence[Check]
    folder: Path

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def keeps_folder(self) -> bool:
        """The logs and the cluster are kept when asked, or to explain a FAIL."""
        return self.options.keep or not self.passed

    def text(self) -> str:
        sections = (
            self._setting(),
            self._timeline(),
            self._phases(),
            self._operations(),
            self._mutations(),
            self._stories(),
            self._metrics(),
            self._checks(),
        )
        return "\n\n".join(sections) + "\n"

    def _setting(self) -> str:
        options = self.options
        codes = ", ".join(code for code, _ in demo_members(MEMBERS))
        failed = sum(1 for check in self.checks if not check.passed)
        verdict = "all checks PASS" if not failed else f"{failed} checks FAIL"
        text = (
            f"# Soak with faults\n\n"
            f"{MEMBERS} members ({codes}) holding the shipped excerpt;"
            f" {options.users} users for {options.seconds:.0f} s, pausing"
            f" {options.think:g} s on average between steps (seed {options.seed});"
            f" {options.duplicate_share:.0%} of mutations sent twice; member"
            f" timeout {MEMBER_TIMEOUT:g} s, request deadline {REQUEST_TIMEOUT:g} s;"
            f" {os.cpu_count()} cores; Python {sys.version.split()[0]}."
            f" {len(self.samples):,} requests; {verdict}."
        )
        if self.keeps_folder:
            text += f"\n\nLogs and the cluster are kept in `{self.folder}`."
        return text

    def _timeline(self) -> str:
        rows = [(event, f"{at:.1f}") for at, event in self.timeline.events]
        rows.append(("load over", f"{self.timeline.length:.1f}"))
        return "## Faults\n\n" + _table(("event", "at s"), rows)

    def _phases(self) -> str:
        rows = []
        for phase, samples in _grouped(self.samples, self._phase_of, PHASES):
            seconds = self.timeline.seconds_in(phase)
            codes = Counter(c for s in samples if s.result != FULL for c in s.codes)
            rows.append(
                (
                    phase,
                    f"{seconds:.0f}",
                    f"{len(samples):,}",
                    f"{len(samples) / seconds:.1f}" if seconds else "",
                    *_results(samples),
                    *Latency.of(samples).cells(),
                    _counted(codes),
                )
            )
        return "## By phase\n\n" + _table(_PHASE_COLUMNS, rows)

    def _operations(self) -> str:
        rows = []
        for kind, samples in _grouped(self.samples, _kind_of, OPERATIONS):
            for phase, group in _grouped(samples, self._phase_of, PHASES):
                again = sum(1 for sample in group if sample.attempt == RETRY)
                row = (kind, phase, f"{len(group):,}", *_results(group), f"{again:,}")
                rows.append((*row, *Latency.of(group).cells()))
        table = _table(_OPERATION_COLUMNS, rows, labels=2)
        return "## By operation and phase\n\n" + table

    def _mutations(self) -> str:
        ledger = self.ledger
        counts = (
            ledger.retried,
            ledger.recovered,
            ledger.given_up,
            ledger.refused,
            ledger.duplicates,
            ledger.compared,
        )
        rows = [
            (kind, f"{sent:,}", *(f"{count[kind]:,}" for count in counts))
            for kind, sent in _in_order(ledger.actions, OPERATIONS)
        ]
        return "## Mutations\n\n" + _table(_MUTATION_COLUMNS, rows)

    def _stories(self) -> str:
        stories = sorted({story for story, _ in self.ledger.stories})
        rows = [
            (
                story,
                f"{self.ledger.stories[story, 'finished']:,}",
                f"{self.ledger.stories[story, 'stopped']:,}",
            )
            for story in stories
        ]
        return (
            "## Stories\n\nA story stops at a step refused or never answered;"
            " its copy is then left out of the rest of the run.\n\n"
            + _table(("story", "finished", "stopped"), rows)
        )

    def _metrics(self) -> str:
        comparison = self.comparison
        requests = [
            (status, outcome, f"{delta:,.0f}", f"{seen:,}")
            for status, outcome, delta, seen in comparison.requests
        ]
        failed = [
            (member, outcome, f"{delta:,.0f}", f"{seen:,}")
            for member, outcome, delta, seen in comparison.failed_calls
        ]
        answered = [
            (member, f"{delta:,.0f}", f"{seen:,}")
            for member, delta, seen in comparison.ok_calls
        ]
        return "\n\n".join(
            (
                "## The gateway's metrics beside the client",
                "Growth over the load of `gateway_requests_total`:",
                _table(_REQUEST_COLUMNS, requests, labels=2),
                "Member calls that failed (`gateway_member_calls_total`):",
                _table(_FAILED_CALL_COLUMNS, failed, labels=2),
                "Member calls answered (`gateway_member_calls_total{outcome=ok}`;"
                " an answer names each member once, however many calls it took):",
                _table(_OK_CALL_COLUMNS, answered),
            )
        )

    def _checks(self) -> str:
        lines = [f"- {check.line()}" for check in self.checks]
        return "## Checks\n\n" + "\n".join(lines)

    def _phase_of(self, sample: Sample) -> str:
        return self.timeline.phase(sample.at)


def _kind_of(sample: Sample) -> str:
    return sample.kind


def _grouped(
    samples: Sequence[Sample], key: Callable[[Sample], str], order: Sequence[str]
) -> list[tuple[str, list[Sample]]]:
    groups: defaultdict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        groups[key(sample)].append(sample)
    return _in_order(groups, order)


def _in_order(
    groups: Mapping[str, _Group], order: Sequence[str]
) -> list[tuple[str, _Group]]:
    """The groups present, in ``order`` first, then any others by name."""
    known = [name for name in order if name in groups]
    rest = sorted(name for name in groups if name not in order)
    return [(name, groups[name]) for name in known + rest]


def _results(samples: Sequence[Sample]) -> list[str]:
    """The shares of full, partial and failed answers."""
    results = Counter(sample.result for sample in samples)
    total = len(samples)
    return [f"{results[result] / total:.1%}" for result in (FULL, PARTIAL, FAILED)]


def _tally(counts: Counter[str], what: str) -> str:
    """``none``, or how many of ``what`` and of which kind."""
    if not counts:
        return "none"
    return f"{counts.total():,} {what} ({_counted(counts)})"


def _counted(counts: Counter[str]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in counts.most_common())


def _ms(value: float) -> str:
    return f"{value:,.1f}"


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], labels: int = 1
) -> str:
    """A Markdown table: its first ``labels`` columns left, numbers right."""
    rules = ["---"] * labels + ["---:"] * (len(header) - labels)
    lines = [_cells(header), _cells(rules)]
    lines += [_cells(row) for row in rows]
    return "\n".join(lines)


def _cells(values: Sequence[str]) -> str:
    return "| " + " | ".join(values) + " |"


async def drive(
    network: Network,
    session: aiohttp.ClientSession,
    world: World,
    options: Options,
) -> tuple[list[Sample], Ledger, Timeline]:
    """The virtual users for the run's length, and the faults beside them."""
    timeline = Timeline()
    started = time.monotonic()
    client = GatewayClient(session, network.gateway_url, started)
    ledger = Ledger()
    users = []
    for number in range(options.users):
        rng = random.Random(options.seed * 1000 + number)
        actions = Actions(client, ledger, rng, options.duplicate_share)
        users.append(VirtualUser(world, actions, ledger, rng, options.think))
    until = started + options.seconds
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(
                inject_faults(network, session, options, timeline, started)
            )
            for user in users:
                group.create_task(user.run(until))
    except ExceptionGroup as failures:
        raise failures.exceptions[0] from failures
    timeline.length = time.monotonic() - started
    return client.samples, ledger, timeline


async def soak(server_dsn: str, options: Options, folder: Path) -> Report:
    """Load the catalogues, run the network and the load; the report."""
    codes = demo_members(MEMBERS)
    await _loaded(server_dsn, codes)
    jwks = write_demo_issuer(folder / "issuer")
    gateway_port, metrics_port, *ports = free_ports(2 + MEMBERS)
    members = [Member(c, n, p) for (c, n), p in zip(codes, ports, strict=True)]
    gateway = GatewayOptions(
        member_timeout=MEMBER_TIMEOUT,
        request_timeout=REQUEST_TIMEOUT,
        issuers=(Issuer(DEMO_ISSUER, DEMO_AUDIENCE, jwks),),
        metrics_port=metrics_port,
    )
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        network = running_network(
            session, server_dsn, members, gateway_port, folder, gateway
        )
        async with _started(network) as running:
            assert running.metrics_url is not None
            world = await gather_world(server_dsn, [c for c, _ in codes], jwks.parent)
            _say(f"network ready; {options.users} users for {options.seconds:.0f} s")
            before = await scrape(session, running.metrics_url)
            samples, ledger, timeline = await drive(running, session, world, options)
            after = await scrape(session, running.metrics_url)
    comparison = MetricComparison.of(before, after, samples)
    checks = client_checks(ledger, samples) + fault_checks(samples, options)
    checks += comparison.checks()
    for code, _ in codes:
        checks += await check_member(server_dsn, code, ledger)
    return Report(options, samples, ledger, timeline, comparison, checks, folder)


async def _loaded(server_dsn: str, codes: Sequence[tuple[str, str]]) -> None:
    try:
        await load_catalogues(server_dsn, codes)
    except (OSError, asyncpg.PostgresError) as error:
        raise SetupFailed(f"the catalogues could not be loaded: {error}") from error


@asynccontextmanager
async def _started(
    network: AbstractAsyncContextManager[Network],
) -> AsyncIterator[Network]:
    """The network once it runs; a start that fails raises SetupFailed.

    Only the start is translated: an error of the run itself passes as it
    is. A start fails with RuntimeError (a process exited, was not ready in
    time, or a port is taken) or with OSError; its message ends with the
    tail of the failing process's log.
    """
    async with AsyncExitStack() as stack:
        try:
            running = await stack.enter_async_context(network)
        except (RuntimeError, OSError) as error:
            raise SetupFailed(f"the network did not start: {error}") from error
        yield running


def _options(argv: Sequence[str]) -> Options:
    codes = [code for code, _ in demo_members(MEMBERS)]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=180.0, help="how long the load runs"
    )
    parser.add_argument("--users", type=int, default=8, help="virtual users")
    parser.add_argument(
        "--think", type=float, default=0.2, help="a user's mean pause between steps"
    )
    parser.add_argument(
        "--kill", choices=codes, default=codes[1], help="the member killed"
    )
    parser.add_argument(
        "--down-seconds", type=float, help="how long it stays down (a sixth of the run)"
    )
    parser.add_argument(
        "--slow", choices=codes, default=codes[2], help="the member made slow"
    )
    parser.add_argument(
        "--slow-seconds", type=float, help="how long it is slow (a sixth; 0: never)"
    )
    parser.add_argument(
        "--duplicate-share",
        type=float,
        default=0.1,
        help="share of mutations sent twice with one key",
    )
    parser.add_argument("--seed", type=int, default=1, help="for the users' choices")
    parser.add_argument(
        "--keep", action="store_true", help="keep the logs and the cluster"
    )
    arguments = parser.parse_args(argv)
    problem = _problem(arguments)
    if problem:
        parser.error(problem)
    # The faults scale with the run unless given, so that a short run
    # still has room for both.
    sixth = arguments.seconds / 6
    down, slow = arguments.down_seconds, arguments.slow_seconds
    return Options(
        seconds=arguments.seconds,
        users=arguments.users,
        think=arguments.think,
        kill=arguments.kill,
        down_seconds=sixth if down is None else down,
        slow=arguments.slow,
        slow_seconds=sixth if slow is None else slow,
        duplicate_share=arguments.duplicate_share,
        seed=arguments.seed,
        keep=arguments.keep,
    )


def _problem(arguments: argparse.Namespace) -> str | None:
    if arguments.seconds <= 0 or arguments.users < 1 or arguments.think < 0:
        return "--seconds and --users must be positive, --think not negative"
    if not 0 <= arguments.duplicate_share <= 1:
        return "--duplicate-share is a share, from 0 to 1"
    durations = (arguments.down_seconds, arguments.slow_seconds)
    if any(seconds is not None and seconds < 0 for seconds in durations):
        return "--down-seconds and --slow-seconds cannot be negative"
    return None


def _stop_on_termination() -> None:
    """SIGTERM (``timeout``, a closed job) ends the run as Ctrl-C does, so
    that the members, the gateway and the cluster are stopped too."""

    def interrupt(signum: int, frame: object) -> NoReturn:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _run(options: Options, folder: Path) -> Report:
    # The checks count every loan and request in the members' databases,
    # so the cluster is a fresh one, never a server named in the environment.
    os.environ.pop(DSN_ENV, None)
    with postgres_server(None, folder / "postgres") as server:
        # The client runs on the event loop the gateway runs on.
        return uvloop.run(soak(server.dsn, options, folder))


def main(argv: Sequence[str] | None = None) -> NoReturn:
    options = _options(sys.argv[1:] if argv is None else argv)
    _stop_on_termination()
    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    try:
        report = _run(options, folder)
    except SetupFailed as failed:
        _say(f"{failed}\nlogs: {folder}")
        sys.exit(2)
    except BaseException:
        _say(f"logs of the members and the gateway: {folder}")
        raise
    sys.stdout.write(report.text())
    if not report.keeps_folder:
        shutil.rmtree(folder)
    sys.exit(0 if report.passed else 1)


if __name__ == "__main__":
    main()
