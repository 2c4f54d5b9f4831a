"""A real network on loopback for benchmarks: member processes and a gateway.

Each member is a ``fulfillment-network serve-member`` process over its own
database on one PostgreSQL server; the gateway is ``serve-gateway`` with a
network file listing them, and signs its member calls with a key pair made
for the run, as in production. Every process writes its log to a file in
the given folder, so that a failed start can say why. Leaving the block
stops them all, on an error or Ctrl-C too.

A fault benchmark can stop a member the hard way (``SIGKILL``), start it
again on its port over its database, or pause and resume it, through
:attr:`Network.processes`; :class:`GatewayOptions` gives the gateway its
timeouts, the token issuers it trusts and a metrics listener.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import aiohttp
import orjson

from fulfillment_network.identity import GatewaySigner, write_key_pair

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"

_COMMAND = [sys.executable, "-m", "fulfillment_network", "--log-level", "WARNING"]
_READY_ATTEMPTS = 600
_READY_PAUSE = 0.1
_STOP_WAIT = 10


@dataclass(frozen=True)
class Member:
    code: str
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/graphql"


@dataclass(frozen=True)
class Issuer:
    """A token issuer the gateway trusts, by its JWKS file."""

    issuer: str
    audience: str
    jwks_file: Path


@dataclass(frozen=True)
class GatewayOptions:
    member_timeout: float = 10.0
    request_timeout: float = 20.0
    issuers: tuple[Issuer, ...] = ()
    # Prometheus text at http://HOST:metrics_port/metrics; None: off.
    metrics_port: int | None = None


@dataclass(frozen=True)
class Network:
    gateway_url: str
    members: tuple[Member, ...]
    # Members answer only calls signed with this key, as the gateway signs.
    signer: GatewaySigner
    processes: MemberProcesses
    metrics_url: str | None = None


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now, distinct, chosen by the system."""
    with ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind((HOST, 0))
        return [probe.getsockname()[1] for probe in probes]


@asynccontextmanager
async def running_network(
    session: aiohttp.ClientSession,
    server_dsn: str,
    members: Sequence[Member],
    gateway_port: int,
    folder: Path,
    options: GatewayOptions | None = None,
) -> AsyncIterator[Network]:
    """Start the members, then the gateway; yield once all are ready."""
    options = options or GatewayOptions()
    ports = [member.port for member in members] + [gateway_port]
    if options.metrics_port is not None:
        ports.append(options.metrics_port)
    _check_ports_free(ports)
    private_key, public_key = write_key_pair(folder / "keys")
    with ExitStack() as stack:
        processes = MemberProcesses(server_dsn, public_key, folder)
        stack.callback(processes.stop_all)
        for member in members:
            processes.start(member)
        for member in members:
            await processes.wait_ready(session, member.code)

        log = folder / "gateway.log"
        network_file = _network_file(folder, members, private_key, options)
        command = _gateway_command(network_file, gateway_port, options.metrics_port)
        child = stack.enter_context(child_process(command, log))
        gateway = f"http://{HOST}:{gateway_port}"
        await _wait_ready(session, f"{gateway}/ready", child, log)
        await _check_loaded(session, f"{gateway}/ready", log)
        signer = GatewaySigner.from_file(private_key)
        metrics = (
            None
            if options.metrics_port is None
            else f"http://{HOST}:{options.metrics_port}/metrics"
        )
        yield Network(f"{gateway}/graphql", tuple(members), signer, processes, metrics)


class MemberProcesses:
    """The members' processes by code.

    A member can be killed (``SIGKILL``: no clean shutdown, as a crash or
    an OOM kill would leave it), started again on the same port over the
    same database, or paused and resumed (``SIGSTOP``/``SIGCONT``). Its log
    file keeps the output of every start. :meth:`stop_all` stops whatever
    still runs, paused or not.
    """

    def __init__(self, server_dsn: str, gateway_key: Path, folder: Path) -> None:
        self._server_dsn = server_dsn
        self._gateway_key = gateway_key
        self._folder = folder
        self._members: dict[str, Member] = {}
        self._children: dict[str, subprocess.Popen[bytes]] = {}
        self._killed: set[str] = set()

    def start(self, member: Member) -> None:
        """Start ``member``'s process; it has to have none running."""
        running = self._children.get(member.code)
        if running is not None and running.poll() is None:
            raise RuntimeError(f"member {member.code} is running already")
        self._members[member.code] = member
        command = _member_command(member, self._server_dsn, self._gateway_key)
        # Appending: a restarted member's log follows its earlier output.
        with self._log(member.code).open("ab") as output:
            self._children[member.code] = _spawn(command, output)
        self._killed.discard(member.code)

    async def wait_ready(self, session: aiohttp.ClientSession, code: str) -> None:
        url = f"http://{HOST}:{self._members[code].port}/health"
        await _wait_ready(session, url, self._children[code], self._log(code))

    async def restart(self, session: aiohttp.ClientSession, code: str) -> None:
        """Start a killed member again, on its port over its database."""
        self.start(self._members[code])
        await self.wait_ready(session, code)

    def kill(self, code: str) -> None:
        child = self._children[code]
        self._killed.add(code)
        child.send_signal(signal.SIGKILL)
        child.wait()

    def pause(self, code: str) -> None:
        self._children[code].send_signal(signal.SIGSTOP)

    def resume(self, code: str) -> None:
        self._children[code].send_signal(signal.SIGCONT)

    def stop_all(self) -> None:
        for code, child in self._children.items():
            if child.poll() is None:
                # A paused process would not act on SIGTERM until resumed.
                child.send_signal(signal.SIGCONT)
                child.send_signal(signal.SIGTERM)
            elif code not in self._killed:
                sys.stderr.write(f"{code} had exited early: {child.returncode}\n")
        for child in self._children.values():
            _wait_or_kill(child)

    def _log(self, code: str) -> Path:
        return self._folder / f"{code}.log"


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


def _gateway_command(
    network_file: Path, port: int, metrics_port: int | None
) -> list[str]:
    metrics = [] if metrics_port is None else ["--metrics-port", str(metrics_port)]
    return [
        *_COMMAND,
        "serve-gateway",
        "--network",
        str(network_file),
        "--host",
        HOST,
        "--port",
        str(port),
        *metrics,
    ]


def _network_file(
    folder: Path,
    members: Sequence[Member],
    signing_key: Path,
    options: GatewayOptions,
) -> Path:
    lines = [
        "[gateway]",
        "production = true",
        f"member_timeout = {options.member_timeout}",
        f"request_timeout = {options.request_timeout}",
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
    for issuer in options.issuers:
        lines += [
            "[[issuers]]",
            f'issuer = "{issuer.issuer}"',
            f'audience = "{issuer.audience}"',
            f'jwks_file = "{issuer.jwks_file}"',
            "",
        ]
    path = folder / "network.toml"
    path.write_text("\n".join(lines), "utf-8")
    return path


def _spawn(
    command: list[str],
    output: IO[bytes],
    cores: frozenset[int] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    def pin() -> None:
        if cores is not None:
            os.sched_setaffinity(0, cores)

    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=output,
        stderr=subprocess.STDOUT,
        env=env,
        preexec_fn=pin if cores is not None else None,
    )


def _wait_or_kill(child: subprocess.Popen[bytes]) -> None:
    try:
        child.wait(timeout=_STOP_WAIT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


@contextmanager
def child_process(
    command: list[str],
    log: Path,
    cores: frozenset[int] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """A child process whose output goes to ``log``, on ``cores`` if given;
    stopped on leaving."""
    with log.open("wb") as output:
        child = _spawn(command, output, cores, env)
    try:
        yield child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
        else:
            sys.stderr.write(f"{log.stem} had exited early: {child.returncode}\n")
        _wait_or_kill(child)


async def wait_until_up(
    child: subprocess.Popen[bytes],
    log: Path,
    url: str,
    answers: Callable[[], Awaitable[bool]],
) -> None:
    """Ask ``answers`` until it says yes; an error if ``child`` exits first
    or never says yes, with the end of its log."""
    for _ in range(_READY_ATTEMPTS):
        if child.poll() is not None:
            raise RuntimeError(f"{url}: the process exited\n{tail(log)}")
        try:
            if await answers():
                return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(_READY_PAUSE)
    raise RuntimeError(f"{url} did not become ready\n{tail(log)}")


async def _wait_ready(
    session: aiohttp.ClientSession,
    url: str,
    child: subprocess.Popen[bytes],
    log: Path,
) -> None:
    async def ready() -> bool:
        async with session.get(url) as response:
            return response.status == 200

    await wait_until_up(child, log, url, ready)


def tail(log: Path, lines: int = 20) -> str:
    """The last ``lines`` of a process's log."""
    return "\n".join(log.read_text("utf-8", "replace").splitlines()[-lines:])


async def _check_loaded(session: aiohttp.ClientSession, url: str, log: Path) -> None:
    """Ready also counts excluded members; a benchmark needs every one loaded."""
    async with session.get(url) as response:
        members = orjson.loads(await response.read())["members"]
    missing = {code: s for code, s in members.items() if s["status"] != "loaded"}
    if missing:
        raise RuntimeError(f"members not loaded by the gateway: {missing}\n{tail(log)}")
