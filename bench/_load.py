"""What the benchmarks that set servers side by side share: processes
pinned to cores, their CPU time and memory from ``/proc``, and load from
``wrk`` or, without it, from an aiohttp client. Linux only."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import orjson
from _network import HOST, ROOT, child_process, free_ports, tail, wait_until_up

__all__ = [
    "HEADERS",
    "HOST",
    "ROOT",
    "AiohttpLoad",
    "ClientQuery",
    "Latency",
    "LoadGenerator",
    "Server",
    "WrkLoad",
    "child_process",
    "cpu_sets",
    "free_ports",
    "tail",
    "wait_answering",
]


HEADERS = {"content-type": "application/json"}
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
        async with self._session.post(url, data=body, headers=HEADERS) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")


def cpu_sets(pin: bool) -> tuple[frozenset[int], frozenset[int]] | None:
    """The measured servers' core and everything else's, or None: no pinning."""
    cores = sorted(os.sched_getaffinity(0))
    if not pin or len(cores) < 2:
        return None
    return frozenset(cores[:1]), frozenset(cores[1:])


async def wait_answering(
    session: aiohttp.ClientSession, url: str, child: subprocess.Popen[bytes], log: Path
) -> None:
    """Wait until ``url`` answers a GraphQL probe."""
    body = orjson.dumps({"query": "query Probe { __typename }"})

    async def answers() -> bool:
        async with session.post(url, data=body, headers=HEADERS) as response:
            return response.status == 200

    await wait_until_up(child, log, url, answers)
