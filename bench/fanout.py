"""Fan-out benchmark: the gateway against calling the members directly.

For N = 3, 10, 30 and 100 fast stand-in members, the same search goes
(a) straight to every member at once from one Python client, and (b) once
through the gateway, which does that fan-out and merges. Latency is taken
one request at a time (p50, p99); throughput with a fixed number of
requests in flight. Everything runs on loopback and stops by itself.

    python bench/fanout.py                # all sizes, results as Markdown
    python bench/fanout.py --members 10 --requests 300
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import orjson
import uvloop

ROOT = Path(__file__).resolve().parents[1]
MEMBER_PORT = 7101
GATEWAY_PORT = 7000

SELECTION = (
    "score bibRecord { id title institution { code } availability { available total } }"
)
CLIENT_QUERY = f'{{ search(text: "history", first: 20) {{ {SELECTION} }} }}'
# What the gateway sends each member for CLIENT_QUERY (its ranking key included).
MEMBER_QUERY = (
    'query GatewayFetch { search(text: "history", first: 20)'
    f" {{ {SELECTION} __fn_rank: score }} }}"
)


@dataclass
class Result:
    p50_ms: float
    p99_ms: float
    per_second: float


async def _measure(
    send: Callable[[], Awaitable[None]], requests: int, in_flight: int
) -> Result:
    for _ in range(20):
        await send()
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        await send()
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    started = time.perf_counter()
    remaining = requests

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await send()

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    elapsed = time.perf_counter() - started
    return Result(
        p50_ms=statistics.median(latencies),
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        per_second=requests / elapsed,
    )


async def _direct(
    session: aiohttp.ClientSession, members: int
) -> Callable[[], Awaitable[None]]:
    urls = [f"http://127.0.0.1:{MEMBER_PORT + n}/graphql" for n in range(members)]
    body = orjson.dumps({"query": MEMBER_QUERY, "variables": {}})
    headers = {"content-type": "application/json"}

    async def one(url: str) -> None:
        async with session.post(url, data=body, headers=headers) as response:
            orjson.loads(await response.read())

    async def send() -> None:
        await asyncio.gather(*(one(url) for url in urls))

    return send


async def _through_gateway(
    session: aiohttp.ClientSession,
) -> Callable[[], Awaitable[None]]:
    url = f"http://127.0.0.1:{GATEWAY_PORT}/graphql"
    body = orjson.dumps({"query": CLIENT_QUERY})
    headers = {"content-type": "application/json"}

    async def send() -> None:
        async with session.post(url, data=body, headers=headers) as response:
            answer = orjson.loads(await response.read())
            assert "errors" not in answer, answer

    return send


def _network_file(folder: Path, members: int) -> Path:
    # One client sends thousands of requests a second here: no rate limit.
    lines = [
        "[gateway]",
        "member_timeout = 10.0",
        "request_timeout = 20.0",
        "rate_limit = 0",
        "",
    ]
    for n in range(members):
        lines += [
            "[[members]]",
            f'code = "M{n:03d}"',
            f'name = "Member {n}"',
            f'url = "http://127.0.0.1:{MEMBER_PORT + n}/graphql"',
            "",
        ]
    path = folder / f"network-{members}.toml"
    path.write_text("\n".join(lines), "utf-8")
    return path


def _start(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


async def _wait_ready(session: aiohttp.ClientSession, url: str) -> None:
    for _ in range(200):
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not become ready")


async def run(
    sizes: list[int], requests: int, in_flight: int
) -> list[tuple[int, Result, Result]]:
    members = _start(
        [
            sys.executable,
            "bench/stand_in_members.py",
            "--count",
            str(max(sizes)),
            "--first-port",
            str(MEMBER_PORT),
        ]
    )
    try:
        with tempfile.TemporaryDirectory() as folder:
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=64)
            async with aiohttp.ClientSession(connector=connector) as session:
                return [
                    await _compare(session, Path(folder), size, requests, in_flight)
                    for size in sizes
                ]
    finally:
        members.send_signal(signal.SIGTERM)
        members.wait(timeout=10)


async def _compare(
    session: aiohttp.ClientSession,
    folder: Path,
    members: int,
    requests: int,
    in_flight: int,
) -> tuple[int, Result, Result]:
    network = _network_file(folder, members)
    gateway = _start(
        [
            sys.executable,
            "-m",
            "fulfillment_network",
            "--log-level",
            "WARNING",
            "serve-gateway",
            "--network",
            str(network),
            "--port",
            str(GATEWAY_PORT),
        ]
    )
    try:
        await _wait_ready(session, f"http://127.0.0.1:{GATEWAY_PORT}/ready")
        direct = await _measure(await _direct(session, members), requests, in_flight)
        through = await _measure(await _through_gateway(session), requests, in_flight)
        return members, direct, through
    finally:
        gateway.send_signal(signal.SIGTERM)
        gateway.wait(timeout=10)


def report(
    rows: list[tuple[int, Result, Result]], requests: int, in_flight: int
) -> str:
    lines = [
        f"{requests} requests per measurement; throughput with {in_flight} in flight;"
        f" {os.cpu_count()} cores; Python {sys.version.split()[0]}.",
        "",
        "| members | direct p50 ms | gateway p50 ms | p50 ratio"
        " | direct p99 ms | gateway p99 ms | p99 ratio"
        " | direct req/s | gateway req/s | throughput ratio |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for members, direct, through in rows:
        lines.append(
            f"| {members} | {direct.p50_ms:.2f} | {through.p50_ms:.2f}"
            f" | {through.p50_ms / direct.p50_ms:.2f}x"
            f" | {direct.p99_ms:.2f} | {through.p99_ms:.2f}"
            f" | {through.p99_ms / direct.p99_ms:.2f}x"
            f" | {direct.per_second:.0f} | {through.per_second:.0f}"
            f" | {through.per_second / direct.per_second:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--members", type=int, action="append", help="default: 3 10 30 100"
    )
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--in-flight", type=int, default=8)
    arguments = parser.parse_args()
    sizes = arguments.members or [3, 10, 30, 100]
    # The client runs on the same event loop as the gateway does.
    uvloop.install()
    rows = asyncio.run(run(sizes, arguments.requests, arguments.in_flight))
    sys.stdout.write(report(rows, arguments.requests, arguments.in_flight) + "\n")


if __name__ == "__main__":
    main()
