"""Network search with real members: ``searchWorks`` over ten real catalogues.

Ten members hold 25,000 Library of Congress records each, cut from the
shared 250,000-record file so that neighbouring members share 2,500
records (the same works held by two members). They run as real
``serve-member`` processes over a private PostgreSQL cluster, behind one
``serve-gateway``. For each query, one request at a time after warm-up:

- **gateway**: ``searchWorks`` as a discovery page asks for it;
- **direct**: the match query the gateway sends each member, sent to all
  ten at once from this client, waiting for every answer;
- **deeper**: the same page plus each holding's ``record { title }``.

The gateway's share is 1 - direct p50 / gateway p50. The first run imports
the records (about a minute on two cores); later runs reuse them and have
their data ready in a second.
Everything runs on loopback and stops by itself.

    python bench/network_search.py
    python bench/network_search.py --requests 50 --query history
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson
import uvloop
from _network import Member, Network, running_network

from fulfillment_network.demo import demo_members
from fulfillment_network.postgres import DSN_ENV, postgres_server
from gateway.discovery.search import MATCHES_PER_MEMBER, RECORD_FIELDS
from institution_subgraph.catalogue.importer import import_marc, open_marc
from institution_subgraph.storage.institution import prepare_database
from institution_subgraph.storage.seed import install_circulation_defaults

MEMBERS = 10
RECORDS_PER_MEMBER = 25_000
# Each member starts this many records after the previous one, so that
# neighbours share RECORDS_PER_MEMBER - STRIDE records.
STRIDE = 22_500
GATEWAY_PORT = 7200
FIRST_MEMBER_PORT = 7201

DEFAULT_MARC = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "lc-books-2016-part01.mrc.gz"
)
DEFAULT_DATA_DIR = Path("~/.cache/fulfillment-network/bench-postgres")
QUERIES = (
    "history",
    "climate change",
    "united states politics",
    "shakespeare",
    "chemistry",
    "world war",
    "jazz musicians",
)

_END_OF_RECORD = b"\x1d"

_PAGE = """
query DiscoveryPage($text: String!) {
  searchWorks(text: $text, first: 20) {
    totalCount
    works {
      title
      holdings { institution { code } available total%s }
    }
    facets {
      institutions { value count }
      formats { value count }
    }
  }
}
"""
PAGE_QUERY = _PAGE % ""
DEEPER_QUERY = _PAGE % " record { title }"
# The document gateway.discovery.search sends each member for searchWorks.
MEMBER_QUERY = f"""
query GatewayWorkMatches($text: String!, $first: Int!) {{
  search(text: $text, first: $first) {{ score bibRecord {{ {RECORD_FIELDS} }} }}
}}
"""
_JSON = {"content-type": "application/json"}


@dataclass(frozen=True)
class Percentiles:
    p50_ms: float
    p95_ms: float

    @classmethod
    def of(cls, latencies: list[float]) -> Percentiles:
        ordered = sorted(latencies)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        return cls(statistics.median(ordered), p95)


@dataclass(frozen=True)
class QueryResult:
    text: str
    works: int
    matches: int
    gateway: Percentiles
    direct: Percentiles
    deeper: Percentiles

    @property
    def gateway_share(self) -> float:
        return 1 - self.direct.p50_ms / self.gateway.p50_ms


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def bench_members() -> list[Member]:
    return [
        Member(code, name, FIRST_MEMBER_PORT + number)
        for number, (code, name) in enumerate(demo_members(MEMBERS))
    ]


def share_of(number: int) -> range:
    """The positions (0-based, in file order) of member ``number``'s records."""
    start = number * STRIDE
    return range(start, start + RECORDS_PER_MEMBER)


async def load_members(server_dsn: str, members: list[Member], marc: Path) -> None:
    """Give every member its share of ``marc``, unless it has it already."""
    codes = [member.code for member in members]
    dsns: dict[int, str] = {}
    for number, member in enumerate(members):
        dsn = await prepare_database(server_dsn, member.code, member.name)
        connection = await asyncpg.connect(dsn)
        try:
            partners = [code for code in codes if code != member.code]
            await install_circulation_defaults(
                connection, member.code, partners=partners
            )
            held = await connection.fetchval("SELECT count(*) FROM bib_record")
        finally:
            await connection.close()
        if held == RECORDS_PER_MEMBER:
            _say(f"{member.code}: {held:,} records already loaded")
        else:
            dsns[number] = dsn
    for number, raw in _member_slices(marc, set(dsns)):
        await _import_share(dsns[number], members[number].code, raw)


def _member_slices(marc: Path, wanted: set[int]) -> Iterator[tuple[int, bytes]]:
    """Each wanted member's records as one MARC byte string, in one pass."""
    pending: dict[int, list[bytes]] = {number: [] for number in wanted}
    for position, record in enumerate(_raw_records(marc)):
        for number in list(pending):
            share = share_of(number)
            if position in share:
                pending[number].append(record)
            if position == share[-1]:
                yield number, b"".join(pending.pop(number))
        if not pending:
            return
    if pending:
        raise SystemExit(f"{marc} holds fewer records than the members need")


def _raw_records(marc: Path) -> Iterator[bytes]:
    """The file's records as bytes, split at the record terminator."""
    with open_marc(marc) as stream:
        rest = b""
        while block := stream.read(1 << 20):
            *records, rest = (rest + block).split(_END_OF_RECORD)
            yield from (record + _END_OF_RECORD for record in records)


async def _import_share(dsn: str, code: str, raw: bytes) -> None:
    _say(f"{code}: importing {RECORDS_PER_MEMBER:,} records")
    started = time.perf_counter()
    connection = await asyncpg.connect(dsn)
    try:
        report = await import_marc(connection, code, io.BytesIO(raw), progress=False)
    finally:
        await connection.close()
    seconds = time.perf_counter() - started
    _say(
        f"{code}: {report.imported:,} imported, {report.already_present:,} already"
        f" there, {len(report.bad)} unusable, {seconds:.1f} s"
        f" ({report.records_read / seconds:,.0f} records/s)"
    )


class SearchClient:
    """The three ways of asking, each returning what the report needs."""

    def __init__(self, session: aiohttp.ClientSession, network: Network) -> None:
        self._session = session
        self._network = network

    async def page(self, text: str, query: str = PAGE_QUERY) -> int:
        """Works found through the gateway."""
        body = orjson.dumps({"query": query, "variables": {"text": text}})
        answer = await self._post(self._network.gateway_url, body)
        return int(answer["data"]["searchWorks"]["totalCount"])

    async def deeper(self, text: str) -> int:
        return await self.page(text, DEEPER_QUERY)

    async def direct(self, text: str) -> int:
        """Matches from all members, asked at once as the gateway asks them."""
        variables = {"text": text, "first": MATCHES_PER_MEMBER}
        body = orjson.dumps({"query": MEMBER_QUERY, "variables": variables})
        signer = self._network.signer
        answers = await asyncio.gather(
            *(
                self._post(member.url, body, signer.token_for(member.code))
                for member in self._network.members
            )
        )
        return sum(len(answer["data"]["search"]) for answer in answers)

    async def _post(
        self, url: str, body: bytes, token: str | None = None
    ) -> dict[str, Any]:
        headers = {**_JSON, "authorization": f"Bearer {token}"} if token else _JSON
        async with self._session.post(url, data=body, headers=headers) as response:
            answer: dict[str, Any] = orjson.loads(await response.read())
        if answer.get("errors") or response.status != 200:
            errors = answer.get("errors")
            raise RuntimeError(f"{url} answered {response.status}: {errors}")
        return answer


async def _timed(call: Callable[[], Awaitable[int]]) -> tuple[float, int]:
    started = time.perf_counter()
    found = await call()
    return (time.perf_counter() - started) * 1000, found


async def measure_query(
    client: SearchClient, text: str, warm_up: int, requests: int
) -> QueryResult:
    """Gateway, direct and deeper, interleaved, one request at a time."""
    calls: tuple[Callable[[], Awaitable[int]], ...] = (
        partial(client.page, text),
        partial(client.direct, text),
        partial(client.deeper, text),
    )
    for _ in range(warm_up):
        for call in calls:
            await call()
    latencies: tuple[list[float], ...] = ([], [], [])
    found = [0, 0, 0]
    for _ in range(requests):
        for index, call in enumerate(calls):
            elapsed, found[index] = await _timed(call)
            latencies[index].append(elapsed)
    gateway, direct, deeper = (Percentiles.of(times) for times in latencies)
    return QueryResult(text, found[0], found[1], gateway, direct, deeper)


async def run(
    server_dsn: str, queries: list[str], warm_up: int, requests: int
) -> list[QueryResult]:
    # The processes' logs are kept when something fails, to say why.
    folder = Path(tempfile.mkdtemp(prefix="network-search-"))
    try:
        results = await _run_network(server_dsn, queries, warm_up, requests, folder)
    except BaseException:
        _say(f"logs of the members and the gateway: {folder}")
        raise
    shutil.rmtree(folder)
    return results


async def _run_network(
    server_dsn: str, queries: list[str], warm_up: int, requests: int, folder: Path
) -> list[QueryResult]:
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=64)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        running_network(
            session, server_dsn, bench_members(), GATEWAY_PORT, folder
        ) as network,
    ):
        _say(f"network ready: {len(network.members)} members and a gateway")
        client = SearchClient(session, network)
        results = []
        for text in queries:
            results.append(await measure_query(client, text, warm_up, requests))
            _say(f"measured {text!r}")
        return results


def report(results: list[QueryResult], warm_up: int, requests: int) -> str:
    lines = [
        f"{MEMBERS} members x {RECORDS_PER_MEMBER:,} records (neighbours share"
        f" {RECORDS_PER_MEMBER - STRIDE:,}); {requests} requests per query, one at"
        f" a time, after {warm_up} warm-up rounds; each member asked for up to"
        f" {MATCHES_PER_MEMBER} matches; {os.cpu_count()} cores;"
        f" Python {sys.version.split()[0]}.",
        "",
        "| query | works found | member matches | gateway p50 ms | gateway p95 ms"
        " | direct p50 ms | direct p95 ms | gateway share"
        " | with record { title } p50 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [_row(result) for result in results]
    return "\n".join(lines)


def _row(result: QueryResult) -> str:
    return (
        f"| {result.text} | {result.works:,} | {result.matches:,}"
        f" | {result.gateway.p50_ms:.1f} | {result.gateway.p95_ms:.1f}"
        f" | {result.direct.p50_ms:.1f} | {result.direct.p95_ms:.1f}"
        f" | {result.gateway_share:.0%} | {result.deeper.p50_ms:.1f} |"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marc", type=Path, default=DEFAULT_MARC)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument(
        "--query", action="append", help="search text (default: a set of seven)"
    )
    return parser.parse_args()


def main() -> None:
    arguments = _arguments()
    if not arguments.marc.is_file():
        raise SystemExit(
            f"MARC file not found: {arguments.marc}\n"
            "Give the 250,000-record LC file with --marc PATH."
        )
    queries = arguments.query or list(QUERIES)
    # The member databases are named like the demo's (fn_ash, ...), so the
    # benchmark never uses a server named in the environment.
    os.environ.pop(DSN_ENV, None)
    started = time.perf_counter()
    with postgres_server(None, arguments.data_dir) as server:
        asyncio.run(load_members(server.dsn, bench_members(), arguments.marc))
        _say(f"data ready after {time.perf_counter() - started:.0f} s")
        # The client runs on the same event loop as the gateway does.
        uvloop.install()
        results = asyncio.run(
            run(server.dsn, queries, arguments.warm_up, arguments.requests)
        )
    _say(f"done after {time.perf_counter() - started:.0f} s")
    sys.stdout.write(report(results, arguments.warm_up, arguments.requests) + "\n")


if __name__ == "__main__":
    main()
