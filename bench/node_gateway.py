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
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import orjson

from fulfillment_network.identity import write_key_pair

ROOT = Path(__file__).resolve().parents[1]
NODE_DIR = ROOT / "bench" / "node"
HOST = "127.0.0.1"

_READY_ATTEMPTS = 300
_READY_PAUSE = 0.1
_STOP_WAIT = 10
_HEADERS = {"content-type": "application/json"}
# The stand-in answers this many hits; both queries ask for all of them.
_HITS = 5
_WRK_MARK = "RESULT "
# wrk reports its figures through this hook, as one JSON line.
_WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{mark}{{"requests": %d, "micros": %d, "failed": %d, "p50": %d, "p99": %d}}\\n',
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class ClientQuery:
    name: str
    document: str
    variables: dict[str, Any]

    @property
    def body(self) -> bytes:
        return orjson.dumps({"query": self.document, "variables": self.variables})


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


@dataclass
class Server:
    """A process answering GraphQL at ``url``; its /proc figures by pid."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    idle_rss_kib: int = 0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1]
        user, system = fields.split()[11:13]
        return (int(user) + int(system)) / os.sysconf("SC_CLK_TCK")

    def memory_kib(self, key: str) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
        raise RuntimeError(f"no {key} for {self.name}")


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float
    requests: int


@dataclass(frozen=True)
class Throughput:
    per_second: float
    cpu_ms_per_1000: float | None


class LoadGenerator(Protocol):
    name: str

    async def latency(self, url: str, query: ClientQuery, seconds: float) -> Latency:
        """One request at a time for ``seconds``."""

    async def rate(
        self, url: str, query: ClientQuery, in_flight: int, seconds: float
    ) -> float:
        """Requests a second with ``in_flight`` always outstanding."""


class WrkLoad:
    """wrk, one thread, keep-alive connections; figures from its Lua hook."""

    name = "wrk"

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    async def latency(self, url: str, query: ClientQuery, seconds: float) -> Latency:
        figures = await self._run(url, query, 1, seconds)
        return Latency(
            figures["p50"] / 1000, figures["p99"] / 1000, figures["requests"]
        )

    async def rate(
        self, url: str, query: ClientQuery, in_flight: int, seconds: float
    ) -> float:
        figures = await self._run(url, query, in_flight, seconds)
        return float(figures["requests"] / (figures["micros"] / 1e6))

    async def _run(
        self, url: str, query: ClientQuery, connections: int, seconds: float
    ) -> dict[str, int]:
        command = [
            "wrk",
            "--threads=1",
            f"--connections={connections}",
            f"--duration={max(1, round(seconds))}s",
            "--timeout=10s",
            f"--script={self._script(query)}",
            url,
        ]
        child = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        output, _ = await asyncio.wait_for(child.communicate(), seconds + 30)
        text = output.decode()
        lines = [line for line in text.splitlines() if line.startswith(_WRK_MARK)]
        if not lines:
            raise RuntimeError(f"wrk gave no figures for {url}:\n{text}")
        figures: dict[str, int] = json.loads(lines[0].removeprefix(_WRK_MARK))
        if figures["failed"]:
            raise RuntimeError(f"{url}: {figures['failed']} requests failed:\n{text}")
        return figures

    def _script(self, query: ClientQuery) -> Path:
        path = self._folder / f"{query.name}.lua"
        if not path.exists():
            body = query.body.decode()
            path.write_text(_WRK_SCRIPT.format(body=body, mark=_WRK_MARK), "utf-8")
        return path


class AiohttpLoad:
    """An aiohttp client in this process, for machines without wrk."""

    name = "aiohttp (in the benchmark process)"

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def latency(self, url: str, query: ClientQuery, seconds: float) -> Latency:
        timings = []
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await self._send(url, query.body)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
        return Latency(statistics.median(timings), p99, len(timings))

    async def rate(
        self, url: str, query: ClientQuery, in_flight: int, seconds: float
    ) -> float:
        done = 0
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                await self._send(url, query.body)
                done += 1

        await asyncio.gather(*(worker() for _ in range(in_flight)))
        return done / (time.perf_counter() - started)

    async def _send(self, url: str, body: bytes) -> None:
        async with self._session.post(url, data=body, headers=_HEADERS) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")


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


def free_ports(count: int) -> list[int]:
    with ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind((HOST, 0))
        return [probe.getsockname()[1] for probe in probes]


def _cpu_sets(pin: bool) -> tuple[frozenset[int], frozenset[int]] | None:
    """The gateways' cores and everything else's, or None: no pinning."""
    cores = sorted(os.sched_getaffinity(0))
    if not pin or len(cores) < 2:
        return None
    return frozenset(cores[:1]), frozenset(cores[1:])


@contextmanager
def _child(
    command: list[str],
    log: Path,
    cores: frozenset[int] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """A process writing to ``log``, on ``cores``; stopped on leaving."""

    def pin() -> None:
        if cores is not None:
            os.sched_setaffinity(0, cores)

    with log.open("wb") as output:
        child = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=pin,
        )
    try:
        yield child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=_STOP_WAIT)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


async def _wait_answering(
    session: aiohttp.ClientSession, url: str, child: subprocess.Popen[bytes], log: Path
) -> None:
    body = orjson.dumps({"query": "query Probe { __typename }"})
    for _ in range(_READY_ATTEMPTS):
        if child.poll() is not None:
            raise RuntimeError(f"{url}: the process exited\n{_tail(log)}")
        try:
            async with session.post(url, data=body, headers=_HEADERS) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(_READY_PAUSE)
    raise RuntimeError(f"{url} did not answer\n{_tail(log)}")


async def _check_member_loaded(session: aiohttp.ClientSession, ours: Server) -> None:
    ready = ours.url.removesuffix("/graphql") + "/ready"
    async with session.get(ready) as response:
        members = orjson.loads(await response.read())["members"]
    if any(state["status"] != "loaded" for state in members.values()):
        raise RuntimeError(
            f"our gateway did not load the member: {members}\n{_tail(ours.log)}"
        )


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text("utf-8", "replace").splitlines()[-lines:])


def _network_file(folder: Path, member_url: str) -> Path:
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
        Launch("stand-in alone", _stand_in_command(ports[0]), member_url),
        folder,
    )
    ours = await _start(
        stack,
        session,
        Launch("ours", _ours_command(folder, member_url, ports[1]), _url(ports[1])),
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


def _stand_in_command(port: int) -> list[str]:
    return [
        sys.executable,
        "bench/stand_in_members.py",
        "--count=1",
        f"--first-port={port}",
        "--execute",
    ]


def _ours_command(folder: Path, member_url: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "fulfillment_network",
        "--log-level=WARNING",
        "serve-gateway",
        f"--network={_network_file(folder, member_url)}",
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
    child = stack.enter_context(_child(launch.command, log, cores, launch.env))
    await _wait_answering(session, launch.url, child, log)
    return Server(launch.name, launch.url, child, log)


async def _check_answers(
    session: aiohttp.ClientSession, gateways: Sequence[Server]
) -> None:
    """Every gateway gives the same data, all of the stand-in's hits, no error."""
    for query in QUERIES:
        answers = {}
        for server in gateways:
            async with session.post(
                server.url, data=query.body, headers=_HEADERS
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
        cores=_cpu_sets(not arguments.no_pin),
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
