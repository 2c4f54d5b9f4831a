"""Where the gateway's CPU time per request goes, part by part, in one run.

One stand-in member (``bench/stand_in_members.py --execute``, as in
``bench/node_gateway.py``) answers on one core; on another core, in turn:

- **HTTP server alone**: uvicorn and Starlette as ``serve-gateway`` runs
  them, answering every POST with a fixed body, under ``wrk``;
- **member call alone**: the gateway's own member client (signed calls,
  with their span and metrics) calling the stand-in, in this process;
- **gateway without its HTTP server**: the gateway's ASGI app called
  directly in this process: the whole pipeline and its member call;
- **whole gateway**: ``serve-gateway`` as in production, under ``wrk``.

Each part runs with the same number of requests in flight, in rounds, the
parts taking turns. CPU time comes from ``/proc`` for the servers and from
``time.process_time`` for what runs in this process. The report (Markdown)
sets each part against the whole gateway, so that the pipeline's own cost
is the difference between the last two parts and the first two. Needs two
cores and ``wrk`` (Debian: ``apt-get install -y wrk``). Linux only.

    python bench/gateway_parts.py                # about a minute
    python bench/gateway_parts.py --rounds 5 --seconds 8
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from _load import (
    HOST,
    ClientQuery,
    Server,
    WrkLoad,
    child_process,
    cpu_sets,
    free_ports,
    wait_answering,
)
from node_gateway import QUERIES, network_file, ours_command, stand_in_command

from fulfillment_network.identity import GatewaySigner
from gateway import create_app, load_network
from gateway.config import MemberConfig
from gateway.members.client import MemberClient
from gateway.telemetry.metrics import GatewayMetrics

_FIXED_ANSWER = b'{"data":{"search":[]}}'
# Requests before each in-process measurement, so that caches are warm.
_WARM_UP = 200


@dataclass(frozen=True)
class Part:
    name: str
    what: str


HTTP_SERVER = Part("HTTP server alone", "uvicorn and Starlette, a fixed answer")
MEMBER_CALL = Part("member call alone", "the gateway's member client, signed")
PIPELINE = Part("gateway without its HTTP server", "the ASGI app called directly")
WHOLE = Part("whole gateway", "serve-gateway, production settings")
PARTS = (HTTP_SERVER, MEMBER_CALL, PIPELINE, WHOLE)


def serve_fixed(port: int) -> None:
    """uvicorn and Starlette, set up as serve-gateway sets them up, answering
    every POST /graphql with the same small body."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Route
    from starlette.types import Receive, Scope, Send

    class Fixed:
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            more = True
            while more:
                message = await receive()
                more = message.get("more_body", False)
            headers = [(b"content-type", b"application/json")]
            await send(
                {"type": "http.response.start", "status": 200, "headers": headers}
            )
            await send({"type": "http.response.body", "body": _FIXED_ANSWER})

    app = Starlette(routes=[Route("/graphql", Fixed(), methods=["POST"])])
    uvicorn.run(app, host=HOST, port=port, log_config=None, access_log=False)


async def _in_flight(
    one: Callable[[], Awaitable[None]], in_flight: int, seconds: float
) -> float:
    """CPU µs of this process per call of ``one``, ``in_flight`` at a time."""
    for _ in range(_WARM_UP):
        await one()
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await one()
            done += 1

    started = time.process_time()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return (time.process_time() - started) / done * 1e6


def _member_call(
    client: MemberClient, member: MemberConfig, query: ClientQuery
) -> Callable[[], Awaitable[None]]:
    async def one() -> None:
        answer = await client.execute(
            member, query.document, query.variables, time_limit=10.0
        )
        if answer.errors or answer.data is None:
            raise RuntimeError(f"the stand-in answered {answer}")

    return one


def _asgi_call(app: Any, query: ClientQuery) -> Callable[[], Awaitable[None]]:
    body = query.body
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", HOST.encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": (HOST, 40000),
        "server": (HOST, 4000),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def one() -> None:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(dict(scope), receive, send)
        if sent[0]["status"] != 200 or b'"errors"' in sent[1]["body"]:
            raise RuntimeError(f"the gateway answered {sent}")

    return one


async def _served(
    load: WrkLoad, server: Server, query: ClientQuery, args: Any
) -> float:
    started = server.cpu_seconds()
    rate = await load.rate(server.url, query, args.in_flight, args.seconds)
    used = server.cpu_seconds() - started
    return float(used / (rate * args.seconds) * 1e6)


async def run(args: argparse.Namespace) -> dict[tuple[str, str], list[float]]:
    cores = cpu_sets(True)
    if cores is None or shutil.which("wrk") is None:
        raise SystemExit("gateway_parts: needs two cores and wrk on PATH")
    measured, others = cores
    os.sched_setaffinity(0, others)
    figures: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        member_port, fixed_port, gateway_port = free_ports(3)
        member_url = f"http://{HOST}:{member_port}/graphql"
        network_path = network_file(folder, member_url)
        async with AsyncExitStack() as stack:
            session = await stack.enter_async_context(aiohttp.ClientSession())

            async def start(
                command: list[str], port: int, on: frozenset[int]
            ) -> Server:
                url = f"http://{HOST}:{port}/graphql"
                log = folder / f"{port}.log"
                process = stack.enter_context(child_process(command, log, on))
                await wait_answering(session, url, process, log)
                return Server(str(port), url, process, log)

            await start(stand_in_command(member_port), member_port, others)
            fixed = await start(
                [sys.executable, __file__, f"--serve-fixed={fixed_port}"],
                fixed_port,
                measured,
            )
            whole = await start(
                ours_command(folder, member_url, gateway_port), gateway_port, measured
            )
            app = create_app(load_network(network_path))
            await stack.enter_async_context(app.router.lifespan_context(app))
            network = load_network(network_path)
            signing_key = network.settings.signing_key
            assert signing_key is not None
            client = MemberClient.open(
                GatewaySigner.from_file(signing_key), GatewayMetrics()
            )
            stack.push_async_callback(client.close)
            load = WrkLoad(folder)
            for _ in range(args.rounds):
                for query in QUERIES:
                    results = {
                        HTTP_SERVER: await _served(load, fixed, query, args),
                    }
                    os.sched_setaffinity(0, measured)
                    try:
                        results[MEMBER_CALL] = await _in_flight(
                            _member_call(client, network.members[0], query),
                            args.in_flight,
                            args.seconds,
                        )
                        results[PIPELINE] = await _in_flight(
                            _asgi_call(app, query), args.in_flight, args.seconds
                        )
                    finally:
                        os.sched_setaffinity(0, others)
                    results[WHOLE] = await _served(load, whole, query, args)
                    for part, micros in results.items():
                        figures.setdefault((query.name, part.name), []).append(micros)
    return figures


def report(figures: dict[tuple[str, str], list[float]], args: Any) -> str:
    lines = [
        f"{os.cpu_count()} cores; {args.in_flight} requests in flight;"
        f" {args.rounds} rounds of {args.seconds:g} s per part; CPU µs per"
        " request, the median of the rounds.",
        "",
        "| query | part | what runs | CPU µs per request | share of the whole"
        " gateway |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for query in QUERIES:
        whole = statistics.median(figures[query.name, WHOLE.name])
        for part in PARTS:
            micros = statistics.median(figures[query.name, part.name])
            lines.append(
                f"| {query.name} | {part.name} | {part.what} | {micros:.0f}"
                f" | {micros / whole:.0%} |"
            )
        server = statistics.median(figures[query.name, HTTP_SERVER.name])
        call = statistics.median(figures[query.name, MEMBER_CALL.name])
        rest = whole - server - call
        lines.append(
            f"| {query.name} | the rest | the pipeline: whole less the first two"
            f" | {rest:.0f} | {rest / whole:.0%} |"
        )
    return "\n".join(lines)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--serve-fixed", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse(argv)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    if args.serve_fixed is not None:
        serve_fixed(args.serve_fixed)
        return
    sys.stdout.write(report(asyncio.run(run(args)), args) + "\n")


if __name__ == "__main__":
    main()
