"""A real network on loopback for benchmarks: member processes and a gateway.

Each member is a ``fulfillment-network serve-member`` process over its own
database on one PostgreSQL server; the gateway is ``serve-gateway`` with a
network file listing them, and signs its member calls with a key pair made
for the run, as in production. Every process writes its log to a file in
the given folder, so that a failed start can say why. Leaving the block
stops them all, on an error or Ctrl-C too.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import orjson

from fulfillment_network.identity import GatewaySigner, write_key_pair

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"

_COMMAND = [sys.executable, "-m", "fulfillment_network", "--log-level", "WARNING"]
_READY_ATTEMPTS = 600
_READY_PAUSE = 0.1


@dataclass(frozen=True)
class Member:
    code: str
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/graphql"


@dataclass(frozen=True)
class Network:
    gateway_url: str
    members: tuple[Member, ...]
    # Members answer only calls signed with this key, as the gateway signs.
    signer: GatewaySigner


@asynccontextmanager
async def running_network(
    session: aiohttp.ClientSession,
    server_dsn: str,
    members: Sequence[Member],
    gateway_port: int,
    folder: Path,
) -> AsyncIterator[Network]:
    """Start the members, then the gateway; yield once all are ready."""
    _check_ports_free([member.port for member in members] + [gateway_port])
    private_key, public_key = write_key_pair(folder / "keys")
    with ExitStack() as stack:
        started = []
        for member in members:
            log = folder / f"{member.code}.log"
            command = _member_command(member, server_dsn, public_key)
            started.append((stack.enter_context(_process(command, log)), log))
        for member, (child, log) in zip(members, started, strict=True):
            url = f"http://{HOST}:{member.port}/health"
            await _wait_ready(session, url, child, log)

        log = folder / "gateway.log"
        network_file = _network_file(folder, members, private_key)
        command = _gateway_command(network_file, gateway_port)
        child = stack.enter_context(_process(command, log))
        gateway = f"http://{HOST}:{gateway_port}"
        await _wait_ready(session, f"{gateway}/ready", child, log)
        await _check_loaded(session, f"{gateway}/ready", log)
        signer = GatewaySigner.from_file(private_key)
        yield Network(f"{gateway}/graphql", tuple(members), signer)


def _check_ports_free(ports: list[int]) -> None:
    """Refuse to start beside another run: its processes would answer ours."""
    busy = []
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                busy.append(port)
    if busy:
        raise RuntimeError(f"ports already in use on {HOST}: {busy}")


def _member_command(member: Member, server_dsn: str, gateway_key: Path) -> list[str]:
    return [
        *_COMMAND,
        "serve-member",
        "--institution",
        member.code,
        "--name",
        member.name,
        "--host",
        HOST,
        "--port",
        str(member.port),
        "--dsn",
        server_dsn,
        "--gateway-key",
        str(gateway_key),
    ]


def _gateway_command(network_file: Path, port: int) -> list[str]:
    return [
        *_COMMAND,
        "serve-gateway",
        "--network",
        str(network_file),
        "--host",
        HOST,
        "--port",
        str(port),
    ]


def _network_file(folder: Path, members: Sequence[Member], signing_key: Path) -> Path:
    lines = [
        "[gateway]",
        "production = true",
        "member_timeout = 10.0",
        "request_timeout = 20.0",
        # One client sends every request here: no per-client rate limit.
        "rate_limit = 0",
        f'signing_key = "{signing_key}"',
        "",
    ]
    for member in members:
        lines += [
            "[[members]]",
            f'code = "{member.code}"',
            f'name = "{member.name}"',
            f'url = "{member.url}"',
            "",
        ]
    path = folder / "network.toml"
    path.write_text("\n".join(lines), "utf-8")
    return path


@contextmanager
def _process(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process whose output goes to ``log``; stopped on leaving."""
    with log.open("wb") as output:
        child = subprocess.Popen(
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
        else:
            sys.stderr.write(f"{log.stem} had exited early: {child.returncode}\n")
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


async def _wait_ready(
    session: aiohttp.ClientSession,
    url: str,
    child: subprocess.Popen[bytes],
    log: Path,
) -> None:
    for _ in range(_READY_ATTEMPTS):
        if child.poll() is not None:
            raise RuntimeError(f"{url}: the process exited\n{_tail(log)}")
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(_READY_PAUSE)
    raise RuntimeError(f"{url} did not become ready\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text("utf-8", "replace").splitlines()[-lines:])


async def _check_loaded(session: aiohttp.ClientSession, url: str, log: Path) -> None:
    """Ready also counts excluded members; a benchmark needs every one loaded."""
    async with session.get(url) as response:
        members = orjson.loads(await response.read())["members"]
    missing = {code: s for code, s in members.items() if s["status"] != "loaded"}
    if missing:
        raise RuntimeError(
            f"members not loaded by the gateway: {missing}\n{_tail(log)}"
        )
