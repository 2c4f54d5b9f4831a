"""``fulfillment-network demo``: a whole network on one machine.

One PostgreSQL server holds a database per member, with default desks and
circulation policies (every other member's main desk is a pickup desk). The
shipped MARC excerpt is split across the members so that about a third of
the works are held by two of them. Each member and the gateway run as child
processes, so that stopping one member shows how the gateway answers
without it. Ctrl-C stops everything.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import asyncpg

from .demo_issuer import DEMO_AUDIENCE, DEMO_ISSUER, write_demo_issuer
from .identity import write_key_pair
from .postgres import DSN_ENV, default_data_dir, postgres_server

__all__ = [
    "DEMO_INSTITUTIONS",
    "DEMO_PATRONS",
    "DemoOptions",
    "DemoPatron",
    "demo_members",
    "demo_patron",
    "demo_patron_id",
    "holds_record",
    "install_demo_patrons",
    "run_demo",
]

DEMO_INSTITUTIONS = (
    ("ASH", "Ashford University"),
    ("BRK", "Brookfield College"),
    ("CED", "Cedar Valley Public Library"),
    ("DUN", "Dunmore State University"),
    ("ELM", "Elm Creek Community College"),
    ("FAR", "Farrow Institute of Technology"),
    ("GLN", "Glenhaven Public Library"),
    ("HRB", "Harbor City College"),
    ("IVY", "Ivywood University"),
    ("JUN", "Juniper County Library"),
)

DEMO_PATRONS = ("Robin Reader", "Sam Scholar", "Alex Archivist")

EXAMPLE_QUERY = """\
{
  search(text: "climate change", first: 5) {
    score
    bibRecord {
      title
      institution { code name }
      availability { available total }
    }
  }
}"""


@dataclass(frozen=True)
class DemoOptions:
    members: int = 3
    host: str = "127.0.0.1"
    gateway_port: int = 4000
    member_port: int = 4001
    marc: Path | None = None
    # The gateway's Prometheus metrics; None: off.
    metrics_port: int | None = 9464


def demo_members(count: int) -> list[tuple[str, str]]:
    if not 1 <= count <= 99:
        raise ValueError("a demo network has 1 to 99 members")
    named = list(DEMO_INSTITUTIONS[:count])
    named += [
        (f"M{n:02d}", f"Member Library {n}") for n in range(len(named) + 1, count + 1)
    ]
    return named


def holds_record(position: int, member: int, members: int) -> bool:
    """Whether member number ``member`` holds the record at ``position``.

    Every record has one holder, in turn; the records of every third turn
    have a second holder, the next member round the circle.
    """
    primary = position % members
    if member == primary:
        return True
    second_holder = (position // members) % 3 == 0
    return members > 1 and second_holder and member == (primary + 1) % members


def excerpt_path() -> Path:
    resource = resources.files("fulfillment_network").joinpath(
        "demo_data/lc-books-excerpt.mrc.gz"
    )
    return Path(str(resource))


def run_demo(options: DemoOptions, *, dsn: str | None, data_dir: Path | None) -> int:
    _stop_on_termination()
    members = demo_members(options.members)
    data_dir = (data_dir or default_data_dir()).expanduser().resolve()
    with postgres_server(dsn, data_dir) as server:
        asyncio.run(_load_members(server.dsn, members, options.marc or excerpt_path()))
        private_key, public_key = write_key_pair(data_dir.parent / "keys")
        issuer_keys = write_demo_issuer(data_dir.parent / "keys")
        network_file = _write_network_file(
            data_dir.parent, members, options, private_key, issuer_keys
        )
        children = _children(server.dsn, members, network_file, public_key, options)
        with children as wait:
            gateway = f"http://{options.host}:{options.gateway_port}"
            if not _wait_ready(f"{gateway}/ready", timeout=60):
                _say("the gateway did not become ready; see the log above")
                return 1
            _announce(gateway, members, options)
            return wait()


def _stop_on_termination() -> None:
    """Stopped by SIGTERM or SIGHUP (``docker stop``, a closed terminal), the
    demo stops its members, its gateway and its cluster, as on Ctrl-C."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for termination in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(termination, interrupt)


async def _load_members(
    server_dsn: str, members: list[tuple[str, str]], marc: Path
) -> None:
    from institution_subgraph.catalogue.importer import import_marc, open_marc
    from institution_subgraph.storage.institution import prepare_database
    from institution_subgraph.storage.seed import install_circulation_defaults

    codes = [code for code, _ in members]
    for number, (code, name) in enumerate(members):
        dsn = await prepare_database(server_dsn, code, name)
        connection = await asyncpg.connect(dsn)
        try:
            partners = [other for other in codes if other != code]
            await install_circulation_defaults(connection, code, partners=partners)
            await install_demo_patrons(connection, code)
            if await connection.fetchval("SELECT count(*) FROM bib_record"):
                _say(f"{code}: catalogue already loaded")
                continue
            _say(f"{code}: importing its share of {marc.name}")
            keep = _share(number, len(members))
            with open_marc(marc) as stream:
                report = await import_marc(connection, code, stream, keep=keep)
            _say(f"{code}: {report.imported} records, {len(report.bad)} unusable")
        finally:
            await connection.close()


def demo_patron_id(institution: str, name: str) -> uuid.UUID:
    """The network patron id of a demo patron: the same on every run."""
    return uuid.uuid5(
        uuid.NAMESPACE_URL, f"fulfillment-network-demo:{institution}:{name}"
    )


@dataclass(frozen=True)
class DemoPatron:
    """Demo patron ``number`` of ``institution`` (1 for the first of
    :data:`DEMO_PATRONS`): who a patron's token speaks for."""

    institution: str
    number: int

    @property
    def name(self) -> str:
        return DEMO_PATRONS[self.number - 1]

    @property
    def id(self) -> str:
        """The patron's global ID at home."""
        return f"Patron:{self.institution}:{self.number}"

    @property
    def network_patron_id(self) -> uuid.UUID:
        return demo_patron_id(self.institution, self.name)


def demo_patron(institution: str, number: int) -> DemoPatron:
    """Demo patron ``number`` of ``institution``; 1 to 3 exist."""
    if not 1 <= number <= len(DEMO_PATRONS):
        raise ValueError(f"the demo patrons are numbered 1 to {len(DEMO_PATRONS)}")
    return DemoPatron(institution, number)


async def install_demo_patrons(
    connection: asyncpg.Connection, institution: str
) -> None:
    """A few patrons of the member's own, for trying the workflows.

    They are the member's first patrons, so demo patron ``n`` has the local
    id ``n`` and tokens can name them without asking the member
    (:class:`DemoPatron`); a database where that does not hold is refused.
    """
    from institution_subgraph.storage.patrons import (
        insert_local_patron,
        patron_by_network_id,
    )

    for number, name in enumerate(DEMO_PATRONS, start=1):
        network_id = demo_patron_id(institution, name)
        existing = await patron_by_network_id(connection, network_id)
        if existing is not None:
            local_id = existing.id
        else:
            local_id = await insert_local_patron(
                connection,
                home_institution=institution,
                network_patron_id=network_id,
                barcode=f"{institution}-P{number:04d}",
                name=name,
                user_group="patron",
                expires_on=date.today() + timedelta(days=3 * 365),
                emails=[f"{name.split()[0].lower()}@{institution.lower()}.example.org"],
            )
        if local_id != number:
            raise RuntimeError(
                f"{institution}: demo patron {name} has the local id {local_id},"
                f" not {number}; start the demo with a fresh --data-dir"
            )


def _share(member: int, members: int) -> Callable[[int], bool]:
    return lambda position: holds_record(position, member, members)


def _write_network_file(
    folder: Path,
    members: list[tuple[str, str]],
    options: DemoOptions,
    signing_key: Path,
    issuer_keys: Path,
) -> Path:
    lines = [
        "[gateway]",
        "production = false",
        "member_timeout = 5.0",
        f'signing_key = "{signing_key}"',
        "",
    ]
    for number, (code, name) in enumerate(members):
        url = f"http://{options.host}:{options.member_port + number}/graphql"
        lines += [
            "[[members]]",
            f'code = "{code}"',
            f'name = "{name}"',
            f'url = "{url}"',
            "",
        ]
    lines += [
        "[[issuers]]",
        f'issuer = "{DEMO_ISSUER}"',
        f'audience = "{DEMO_AUDIENCE}"',
        f'jwks_file = "{issuer_keys}"',
        "",
    ]
    path = folder / "demo-network.toml"
    path.write_text("\n".join(lines), "utf-8")
    return path


@contextmanager
def _children(
    server_dsn: str,
    members: list[tuple[str, str]],
    network_file: Path,
    gateway_key: Path,
    options: DemoOptions,
) -> Iterator[Callable[[], int]]:
    env = {**os.environ, DSN_ENV: server_dsn}
    command = [sys.executable, "-m", "fulfillment_network"]
    processes = [
        subprocess.Popen(
            [
                *command,
                "serve-member",
                "--institution",
                code,
                "--name",
                name,
                "--host",
                options.host,
                "--port",
                str(options.member_port + number),
                "--gateway-key",
                str(gateway_key),
            ],
            env=env,
        )
        for number, (code, name) in enumerate(members)
    ]
    processes.append(
        subprocess.Popen(
            [
                *command,
                "serve-gateway",
                "--network",
                str(network_file),
                "--host",
                options.host,
                "--port",
                str(options.gateway_port),
                *(
                    ("--metrics-port", str(options.metrics_port))
                    if options.metrics_port is not None
                    else ()
                ),
            ],
            env=env,
        )
    )

    def wait() -> int:
        # The demo runs until Ctrl-C, or until its gateway exits.
        return processes[-1].wait()

    try:
        yield wait
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_ready(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    return False


def _announce(
    gateway: str, members: list[tuple[str, str]], options: DemoOptions
) -> None:
    _say("")
    _say(f"Gateway:  {gateway}/graphql   (GraphiQL in a browser)")
    _say("Members (they answer only calls the gateway signed):")
    for number, (code, name) in enumerate(members):
        url = f"http://{options.host}:{options.member_port + number}/graphql"
        _say(f"  {code} {name}: {url}")
    if options.metrics_port is not None:
        _say(f"Metrics:  http://{options.host}:{options.metrics_port}/metrics")
    _say("")
    _say("Try:")
    _say(EXAMPLE_QUERY)
    _say("")
    _say("Press Ctrl-C to stop.")


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
