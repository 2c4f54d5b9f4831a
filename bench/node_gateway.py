"""Our gateway against the Node federation gateway, on the same subgraph.

One stand-in member (``bench/stand_in_members.py --execute``: the real
member's federation SDL, answers worked out once per request over canned
records) is composed by two gateways at once:

- **ours**: ``serve-gateway`` as in production (``production = true``,
  member calls signed, uvloop and httptools when the ``fast`` extra is
  installed), with the per-client rate limit off; and
- **Apollo**: Apollo Gateway 2 behind Apollo Server 5, and behind Apollo
  Server 4 too (``bench/node/apollo_gateway.mjs``), set up as for
  production.

Both get the same client queries and the same load. For each query, after
a warm-up: latency one request at a time (p50, p99), then throughput with a
fixed number of requests in flight for a fixed time, the gateways taking
turns (A, B, A, B) so that drift on the machine cancels out; the gateways'
CPU time per request and peak RSS come from ``/proc``. Answers are checked
to hold the same data before anything is timed. The report is Markdown on
stdout, with every figure set against ours.

The load comes from ``wrk`` (``apt-get install -y wrk``); without it, from
an aiohttp client in this process, which may itself be the limit. On a
machine with two or more cores the gateways run on core 0 and everything
else (stand-in, load generator, this script) on the others, so that each
gateway has one core to itself. Linux only.

    python bench/node_gateway.py                   # about 7 minutes
    python bench/node_gateway.py --duration 5 --rounds 1 --apollo-server 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import orjson
from _load import (
    HEADERS,
    HOST,
    ROOT,
    AiohttpLoad,
    ClientQuery,
    Latency,
    LoadGenerator,
    Server,
    WrkLoad,
    child_process,
    cpu_sets,
    free_ports,
    tail,
    wait_answering,
)

from fulfillment_network.identity import write_key_pair

NODE_DIR = ROOT / "bench" / "node"
# The stand-in answers this many hits; both queries ask for all of them.
_HITS = 5

_SEARCH = (
    "query Search($text: String!, $first: Int!) { search(text: $text, first: $first)"
)
QUERIES = (
    ClientQuery(
        "flat",
        f"{_SEARCH} {{ score bibRecord {{ id title"
        " availability { available total } } } }",
        {"text": "history", "first": _HITS},
    ),
    ClientQuery(
        "nested",
        f"{_SEARCH} {{ score bibRecord {{ id title publicationYear contributors"
        " subjects format institution { code name } holdings { id callNumber"
        " location { code name library } availability { available total }"
        " items { id barcode status } } } } }",
        {"text": "history", "first": _HITS},
    ),
)


@dataclass(frozen=True)
class Settings:
    duration: float
    rounds: int
    in_flight: tuple[int, ...]
    latency_seconds: float
    warm_up_seconds: float
    apollo_servers: tuple[str, ...]
    # The gateways' cores and everything else's; None: no pinning.
    cores: tuple[frozenset[int], frozenset[int]] | None


@dataclass(frozen=True)
class Throughput:
    per_second: float
    cpu_ms_per_1000: float | None


@dataclass
class Results:
    servers: list[Server]
    load: str
    settings: Settings
    latency: dict[tuple[str, str], Latency] = field(default_factory=dict)
    # (query, in flight, server): one figure per round.
    throughput: dict[tuple[str, int, str], list[Throughput]] = field(
        default_factory=dict
    )
    peak_rss_kib: dict[str, int] = field(default_factory=dict)


async def _check_member_loaded(session: aiohttp.ClientSession, ours: Server) -> None:
    ready = ours.url.removesuffix("/graphql") + "/ready"
    async with session.get(ready) as response:
        members = orjson.loads(await response.read())["members"]
    if any(state["status"] != "loaded" for state in members.values()):
        raise RuntimeError(
            f"our gateway did not load the member: {members}\n{tail(ours.log)}"
        )


def network_file(folder: Path, member_url: str) -> Path:
    private_key, _ = write_key_pair(folder / "keys")
    lines = [
        "[gateway]",
        "production = true",
        "member_timeout = 10.0",
        "request_timeout = 20.0",
        # One client sends every request: no per-client rate limit.
        "rate_limit = 0",
        # Signed member calls, as in production; the stand-in does not check.
        f'signing_key = "{private_key}"',
        "",
        "[[members]]",
        'code = "M000"',
        'name = "Member 0"',
        f'url = "{member_url}"',
        "",
    ]
    path = folder / "network.toml"
    path.write_text("\n".join(lines), "utf-8")
    return path


def _ensure_node_modules() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise SystemExit("node_gateway: needs node (20 or later) and npm on PATH")
    if not (NODE_DIR / "node_modules").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            check=True,
            stdout=sys.stderr,
        )


async def _start_all(
    stack: ExitStack,
    session: aiohttp.ClientSession,
    folder: Path,
    settings: Settings,
) -> tuple[Server, list[Server]]:
    """The stand-in, then our gateway and each Apollo, all answering."""
    gateway_cores = None if settings.cores is None else settings.cores[0]
    ports = free_ports(2 + len(settings.apollo_servers))
    member_url = f"http://{HOST}:{ports[0]}/graphql"
    stand_in = await _start(
        stack,
        session,
        Launch("stand-in alone", stand_in_command(ports[0]), member_url),
        folder,
    )
    ours = await _start(
        stack,
        session,
        Launch("ours", ours_command(folder, member_url, ports[1]), _url(ports[1])),
        folder,
        gateway_cores,
    )
    await _check_member_loaded(session, ours)
    gateways = [ours]
    env = {**os.environ, "NODE_ENV": "production"}
    for major, port in zip(settings.apollo_servers, ports[2:], strict=True):
        launch = Launch(
            f"Apollo (Server {major})",
            _apollo_command(member_url, port, major),
            _url(port),
            env,
        )
        gateways.append(await _start(stack, session, launch, folder, gateway_cores))
    for server in gateways:
        server.idle_rss_kib = server.memory_kib("VmRSS")
    return stand_in, gateways


@dataclass(frozen=True)
class Launch:
    name: str
    command: list[str]
    url: str
    env: dict[str, str] | None = None

    @property
    def log_name(self) -> str:
        kept = "".join(c if c.isalnum() else "-" for c in self.name.lower())
        return "-".join(part for part in kept.split("-") if part) + ".log"


def _url(port: int) -> str:
    return f"http://{HOST}:{port}/graphql"


def stand_in_command(port: int) -> list[str]:
    return [
        sys.executable,
        "bench/stand_in_members.py",
        "--count=1",
        f"--first-port={port}",
        "--execute",
    ]


def ours_command(folder: Path, member_url: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "fulfillment_network",
        "--log-level=WARNING",
        "serve-gateway",
        f"--network={network_file(folder, member_url)}",
        f"--host={HOST}",
        f"--port={port}",
    ]


def _apollo_command(member_url: str, port: int, major: str) -> list[str]:
    return [
        "node",
        str(NODE_DIR / "apollo_gateway.mjs"),
        f"--subgraph={member_url}",
        f"--host={HOST}",
        f"--port={port}",
        f"--server={major}",
        "--name=M000",
    ]


async def _start(
    stack: ExitStack,
    session: aiohttp.ClientSession,
    launch: Launch,
    folder: Path,
    cores: frozenset[int] | None = None,
) -> Server:
    log = folder / launch.log_name
    process = stack.enter_context(child_process(launch.command, log, cores, launch.env))
    await wait_answering(session, launch.url, process, log)
    return Server(launch.name, launch.url, process, log)


async def _check_answers(
    session: aiohttp.ClientSession, gateways: Sequence[Server]
) -> None:
    """Every gateway gives the same data, all of the stand-in's hits, no error."""
    for query in QUERIES:
        answers = {}
        for server in gateways:
            async with session.post(
                server.url, data=query.body, headers=HEADERS
            ) as response:
                answers[server.name] = orjson.loads(await response.read())
        for name, answer in answers.items():
            hits = (answer.get("data") or {}).get("search") or []
            if "errors" in answer or len(hits) != _HITS:
                raise RuntimeError(f"{name} answered {query.name} wrongly: {answer}")
        expected = answers[gateways[0].name]["data"]
        for name, answer in answers.items():
            if answer["data"] != expected:
                raise RuntimeError(
                    f"{name} and {gateways[0].name} differ on {query.name}:\n"
                    f"{expected}\n{answer['data']}"
                )


async def _measure(
    load: LoadGenerator, stand_in: Server, gateways: list[Server], settings: Settings
) -> Results:
    results = Results(gateways, load.name, settings)
    for query in QUERIES:
        for server in gateways:
            await load.rate(
                server.url, query, max(settings.in_flight), settings.warm_up_seconds
            )
        for server in gateways:
            results.latency[query.name, server.name] = await load.latency(
                server.url, query, settings.latency_seconds
            )
        for in_flight in settings.in_flight:
            ceiling = await load.rate(stand_in.url, query, in_flight, settings.duration)
            results.throughput[query.name, in_flight, stand_in.name] = [
                Throughput(ceiling, None)
            ]
            for _ in range(settings.rounds):
                for server in gateways:
                    figure = await _throughput(load, server, query, in_flight, settings)
                    key = (query.name, in_flight, server.name)
                    results.throughput.setdefault(key, []).append(figure)
    results.peak_rss_kib = {s.name: s.memory_kib("VmHWM") for s in gateways}
    return results


async def _throughput(
    load: LoadGenerator,
    server: Server,
    query: ClientQuery,
    in_flight: int,
    settings: Settings,
) -> Throughput:
    started = server.cpu_seconds()
    per_second = await load.rate(server.url, query, in_flight, settings.duration)
    used = server.cpu_seconds() - started
    return Throughput(per_second, used / (per_second * settings.duration) * 1e6)


async def run(settings: Settings) -> Results:
    _ensure_node_modules()
    with tempfile.TemporaryDirectory() as name, ExitStack() as stack:
        folder = Path(name)
        connector = aiohttp.TCPConnector(limit=max(settings.in_flight))
        async with aiohttp.ClientSession(connector=connector) as session:
            stand_in, gateways = await _start_all(stack, session, folder, settings)
            await _check_answers(session, gateways)
            load: LoadGenerator = (
                AiohttpLoad(session) if shutil.which("wrk") is None else WrkLoad(folder)
            )
            return await _measure(load, stand_in, gateways, settings)


def _node_version(package: str) -> str:
    manifest = NODE_DIR / "node_modules" / package / "package.json"
    return str(json.loads(manifest.read_text("utf-8"))["version"])


def _machine() -> str:
    model = platform.processor() or "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    node = subprocess.run(
        ["node", "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({model}); Python"
        f" {platform.python_version()}; Node {node}; @apollo/gateway"
        f" {_node_version('@apollo/gateway')}; @apollo/server"
        f" {_node_version('@apollo/server')} and {_node_version('apollo-server-4')}"
    )


def report(results: Results) -> str:
    settings = results.settings
    pinning = (
        "gateways pinned to core 0, stand-in and load generator to the rest"
        if settings.cores
        else "no pinning: every process shares every core"
    )
    lines = [
        f"{_machine()}.",
        f"Load: {results.load}; {pinning}. Throughput: {settings.duration:g} s per"
        f" measurement, {settings.rounds} rounds with the gateways taking turns;"
        f" latency: {settings.latency_seconds:g} s one request at a time; each"
        f" after {settings.warm_up_seconds:g} s of warm-up per query.",
        "",
        *_throughput_table(results),
        "",
        *_latency_table(results),
        "",
        *_memory_table(results),
        "",
        *_summary(results),
    ]
    return "\n".join(lines)


def _throughput_table(results: Results) -> list[str]:
    lines = [
        "| query | in flight | server | req/s | each round | CPU µs per request"
        " | ours / this |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for (query, in_flight, name), rounds in results.throughput.items():
        rate = statistics.mean(r.per_second for r in rounds)
        cpus = [r.cpu_ms_per_1000 for r in rounds if r.cpu_ms_per_1000 is not None]
        cpu = f"{statistics.mean(cpus):.0f}" if cpus else "—"
        each = ", ".join(f"{r.per_second:.0f}" for r in rounds)
        ratio = (
            "—" if not cpus else f"{_ours_rate(results, query, in_flight) / rate:.2f}x"
        )
        lines.append(
            f"| {query} | {in_flight} | {name} | {rate:.0f} | {each}"
            f" | {cpu} | {ratio} |"
        )
    return lines


def _ours_rate(results: Results, query: str, in_flight: int) -> float:
    rounds = results.throughput[query, in_flight, "ours"]
    return statistics.mean(r.per_second for r in rounds)


def _latency_table(results: Results) -> list[str]:
    lines = [
        "| query | gateway | p50 ms | p99 ms | requests | ours / this p50"
        " | ours / this p99 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (query, name), latency in results.latency.items():
        ours = results.latency[query, "ours"]
        lines.append(
            f"| {query} | {name} | {latency.p50_ms:.2f} | {latency.p99_ms:.2f}"
            f" | {latency.requests} | {ours.p50_ms / latency.p50_ms:.2f}x"
            f" | {ours.p99_ms / latency.p99_ms:.2f}x |"
        )
    return lines


def _memory_table(results: Results) -> list[str]:
    lines = [
        "| gateway | RSS when ready MiB | peak RSS MiB | ours / this peak |",
        "| --- | ---: | ---: | ---: |",
    ]
    ours = results.peak_rss_kib["ours"]
    for server in results.servers:
        peak = results.peak_rss_kib[server.name]
        lines.append(
            f"| {server.name} | {server.idle_rss_kib / 1024:.0f} | {peak / 1024:.0f}"
            f" | {ours / peak:.2f}x |"
        )
    return lines


def _summary(results: Results) -> list[str]:
    lines = []
    for server in results.servers[1:]:
        ratios = [
            _ours_rate(results, query, in_flight)
            / statistics.mean(r.per_second for r in rounds)
            for (query, in_flight, name), rounds in results.throughput.items()
            if name == server.name
        ]
        lines.append(
            f"Throughput, ours / {server.name}: {min(ratios):.2f}x to"
            f" {max(ratios):.2f}x over {len(ratios)} cases (the aim: 3x)."
        )
    return lines


def _stop_on_sigterm(_signal: int, _frame: object) -> None:
    # Unwinds like Ctrl-C does, so that every child is stopped on the way out.
    raise KeyboardInterrupt


def _parse_settings(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--in-flight", type=int, action="append", help="default: 16 and 64"
    )
    parser.add_argument("--latency-seconds", type=float, default=5.0)
    parser.add_argument("--warm-up-seconds", type=float, default=5.0)
    parser.add_argument(
        "--apollo-server",
        choices=["4", "5"],
        action="append",
        help="Apollo Server major behind the gateway; default: 5 and 4",
    )
    parser.add_argument(
        "--no-pin", action="store_true", help="let every process use every core"
    )
    arguments = parser.parse_args(argv)
    return Settings(
        duration=arguments.duration,
        rounds=arguments.rounds,
        in_flight=tuple(arguments.in_flight or (16, 64)),
        latency_seconds=arguments.latency_seconds,
        warm_up_seconds=arguments.warm_up_seconds,
        apollo_servers=tuple(arguments.apollo_server or ("5", "4")),
        cores=cpu_sets(not arguments.no_pin),
    )


def main(argv: Sequence[str] | None = None) -> None:
    settings = _parse_settings(argv)
    if settings.cores is not None:
        # The stand-in and wrk start from here and keep these cores.
        os.sched_setaffinity(0, settings.cores[1])
    if shutil.which("wrk") is None:
        sys.stderr.write(
            "node_gateway: wrk not found (Debian: apt-get install -y wrk);"
            " the load comes from an aiohttp client instead\n"
        )
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    results = asyncio.run(run(settings))
    sys.stdout.write(report(results) + "\n")


if __name__ == "__main__":
    main()
