"""The ``fulfillment-network`` command.

::

    fulfillment-network demo            a whole network on this machine
    fulfillment-network serve-member    one institution's subgraph
    fulfillment-network serve-gateway   the network gateway
    fulfillment-network import-marc     load MARC 21 records into a member
    fulfillment-network migrate         bring a member's database up to date
    fulfillment-network walkthrough     pick up anywhere against the demo
    fulfillment-network keys            the gateway's key pair for member calls
    fulfillment-network token           a token from the demo's issuer

PostgreSQL: ``--dsn`` or ``FULFILLMENT_NETWORK_DSN`` names a server; without
either, a private cluster is started in ``--data-dir``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .logs import configure_logging
from .postgres import DSN_ENV, default_data_dir

GATEWAY_KEY_ENV = "FULFILLMENT_NETWORK_GATEWAY_KEY"

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from institution_subgraph.catalogue.importer import ImportReport

__all__ = ["build_parser", "main"]

DEFAULT_GATEWAY_PORT = 4000
DEFAULT_MEMBER_PORT = 4001
DEFAULT_METRICS_PORT = 9464


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fulfillment-network",
        description="GraphQL gateway and institution subgraphs for a library"
        " fulfillment network.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("--log-level", default="INFO", help="default: INFO")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo(commands)
    _add_serve_member(commands)
    _add_serve_gateway(commands)
    _add_import_marc(commands)
    _add_migrate(commands)
    _add_walkthrough(commands)
    _add_keys(commands)
    _add_token(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    configure_logging(arguments.log_level)
    command: Callable[[argparse.Namespace], int] = arguments.run
    try:
        return command(arguments)
    except KeyboardInterrupt:
        return 130


def _postgres_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dsn", help=f"PostgreSQL server to use (default: ${DSN_ENV}, else private)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=f"where the private cluster lives (default: {default_data_dir()})",
    )


def _institution_options(parser: argparse.ArgumentParser, *, name: bool) -> None:
    parser.add_argument("--institution", required=True, metavar="CODE", help="e.g. ASH")
    if name:
        parser.add_argument("--name", help="the institution's name (default: its code)")


def _add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("demo", help="run a demo network on this machine")
    parser.add_argument("--members", type=int, default=3, help="default: 3")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--gateway-port", type=int, default=DEFAULT_GATEWAY_PORT)
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=DEFAULT_METRICS_PORT,
        help=f"the gateway's Prometheus metrics (default: {DEFAULT_METRICS_PORT};"
        " 0: off)",
    )
    parser.add_argument(
        "--member-port",
        type=int,
        default=DEFAULT_MEMBER_PORT,
        help="the first member's port; the others follow",
    )
    parser.add_argument(
        "--marc", type=Path, help="MARC file to split (default: the shipped excerpt)"
    )
    _postgres_options(parser)
    parser.set_defaults(run=_run_demo)


def _add_serve_member(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    parser = commands.add_parser(
        "serve-member", help="serve one institution's subgraph"
    )
    _institution_options(parser, name=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_MEMBER_PORT)
    parser.add_argument(
        "--ide", action="store_true", help="serve GraphiQL (development)"
    )
    parser.add_argument(
        "--gateway-key",
        type=Path,
        default=os.environ.get(GATEWAY_KEY_ENV),
        help="the gateway's public key (PEM): only calls it signed are answered"
        f" (default: ${GATEWAY_KEY_ENV})",
    )
    parser.add_argument(
        "--no-gateway-key",
        action="store_true",
        help="answer calls from anyone (development only)",
    )
    _metrics_option(parser)
    _trace_option(parser)
    _postgres_options(parser)
    parser.set_defaults(run=_run_serve_member)


def _metrics_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metrics-port",
        type=int,
        help="serve Prometheus metrics on this port, at --host (default: off)",
    )


def _serve_metrics(arguments: argparse.Namespace, registry: CollectorRegistry) -> None:
    """Metrics on a listener of their own, so that they need not be public."""
    if arguments.metrics_port is None:
        return
    from prometheus_client import start_http_server

    start_http_server(arguments.metrics_port, addr=arguments.host, registry=registry)


def _trace_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trace-endpoint",
        metavar="URL",
        help="send OpenTelemetry spans to this OTLP/HTTP collector, e.g."
        " http://collector:4318/v1/traces (needs the 'tracing' extra)",
    )


def _start_tracing(service: str, endpoint: str | None) -> bool:
    """Configure tracing if asked; False if it cannot be."""
    if endpoint is None:
        return True
    from .tracing import configure_tracing

    try:
        configure_tracing(service, endpoint)
    except RuntimeError as error:
        sys.stderr.write(f"fulfillment-network: {error}\n")
        return False
    return True


def _add_keys(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "keys", help="make the gateway's key pair for signing member calls"
    )
    parser.add_argument("--dir", type=Path, required=True, help="where to write them")
    parser.add_argument(
        "--public-dir", type=Path, help="where the public key goes (default: --dir)"
    )
    parser.set_defaults(run=_run_keys)


def _add_token(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "token", help="print a token from the demo's issuer, to paste into the IDE"
    )
    parser.add_argument("--institution", required=True, metavar="CODE")
    parser.add_argument("--subject", default="demo-user", help="default: demo-user")
    parser.add_argument("--role", action="append", default=[], dest="roles")
    parser.add_argument("--scope", action="append", default=[], dest="scopes")
    parser.add_argument(
        "--patron",
        metavar="N|ID",
        help="for a patron: a demo patron's number (1 to 3) or a global ID",
    )
    parser.add_argument(
        "--network-patron",
        metavar="UUID",
        help="the network patron id of a --patron given by global ID",
    )
    parser.add_argument(
        "--client", help="an application's client id: then its scopes count"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=f"the demo's private cluster folder (default: {default_data_dir()})",
    )
    parser.set_defaults(run=_run_token)


def _run_token(arguments: argparse.Namespace) -> int:
    from .demo_issuer import demo_token

    try:
        patron, network_patron = _token_patron(arguments)
    except ValueError as error:
        sys.stderr.write(f"fulfillment-network: {error}\n")
        return 2
    data_dir = (arguments.data_dir or default_data_dir()).expanduser().resolve()
    token = demo_token(
        data_dir.parent / "keys",
        institution=arguments.institution,
        subject=arguments.subject,
        roles=arguments.roles,
        scopes=arguments.scopes,
        patron=patron,
        network_patron=network_patron,
        client=arguments.client,
    )
    sys.stdout.write(token + "\n")
    return 0


def _token_patron(arguments: argparse.Namespace) -> tuple[str | None, str | None]:
    """The token's patron and network patron id: a demo patron's by number,
    or as given."""
    from .demo import demo_patron
    from .ids import GlobalId

    patron: str | None = arguments.patron
    network_patron: str | None = arguments.network_patron
    if patron is None:
        if network_patron is not None:
            raise ValueError("--network-patron goes with --patron")
        return None, None
    if patron.isdigit():
        if network_patron is not None:
            raise ValueError("a demo patron (--patron N) has its own network id")
        demo = demo_patron(arguments.institution, int(patron))
        return demo.id, str(demo.network_patron_id)
    home = GlobalId.parse(patron, expect_type="Patron").institution
    if home != arguments.institution:
        raise ValueError(f"{patron} is not a patron of {arguments.institution}")
    if network_patron is not None:
        try:
            uuid.UUID(network_patron)
        except ValueError:
            raise ValueError(f"{network_patron!r} is not a UUID") from None
    return patron, network_patron


def _run_keys(arguments: argparse.Namespace) -> int:
    from .identity import write_key_pair

    private, public = write_key_pair(arguments.dir, arguments.public_dir)
    sys.stdout.write(f"gateway signing key: {private}\nmembers' public key: {public}\n")
    return 0


def _add_serve_gateway(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    parser = commands.add_parser("serve-gateway", help="serve the network gateway")
    parser.add_argument(
        "--network", type=Path, required=True, help="network file (TOML)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_GATEWAY_PORT)
    _metrics_option(parser)
    _trace_option(parser)
    parser.set_defaults(run=_run_serve_gateway)


def _add_import_marc(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    parser = commands.add_parser(
        "import-marc", help="import MARC 21 records (plain or gzip)"
    )
    _institution_options(parser, name=True)
    parser.add_argument("file", type=Path, metavar="FILE")
    _postgres_options(parser)
    parser.set_defaults(run=_run_import_marc)


def _add_migrate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "migrate", help="create and migrate a member's database"
    )
    _institution_options(parser, name=True)
    _postgres_options(parser)
    parser.set_defaults(run=_run_migrate)


def _add_walkthrough(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    parser = commands.add_parser(
        "walkthrough", help="play pick up anywhere against the demo, step by step"
    )
    parser.add_argument(
        "--gateway",
        default=f"http://127.0.0.1:{DEFAULT_GATEWAY_PORT}/graphql",
        help="the gateway's GraphQL URL (default: the demo's)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="the demo's private cluster folder, whose issuer signs each step's"
        f" token (default: {default_data_dir()})",
    )
    parser.set_defaults(run=_run_walkthrough)


def _run_walkthrough(arguments: argparse.Namespace) -> int:
    from .walkthrough import run_walkthrough

    data_dir = (arguments.data_dir or default_data_dir()).expanduser().resolve()
    return run_walkthrough(arguments.gateway, data_dir.parent / "keys")


def _run_demo(arguments: argparse.Namespace) -> int:
    from .demo import DemoOptions, run_demo

    options = DemoOptions(
        members=arguments.members,
        host=arguments.host,
        gateway_port=arguments.gateway_port,
        member_port=arguments.member_port,
        metrics_port=arguments.metrics_port or None,
        marc=arguments.marc,
    )
    return run_demo(options, dsn=arguments.dsn, data_dir=arguments.data_dir)


def _run_serve_member(arguments: argparse.Namespace) -> int:
    import uvicorn

    from institution_subgraph.app import create_app
    from institution_subgraph.settings import MemberSettings

    from .postgres import postgres_server

    if arguments.gateway_key is None and not arguments.no_gateway_key:
        sys.stderr.write(
            "fulfillment-network: serve-member needs --gateway-key (the gateway's"
            " public key), or --no-gateway-key to answer anyone (development)\n"
        )
        return 2
    if not _start_tracing(f"member {arguments.institution}", arguments.trace_endpoint):
        return 2
    with postgres_server(arguments.dsn, arguments.data_dir) as server:
        settings = MemberSettings(
            institution=arguments.institution,
            name=arguments.name or arguments.institution,
            server_dsn=server.dsn,
            graphql_ide=arguments.ide,
            gateway_key=arguments.gateway_key,
        )
        app = create_app(settings)
        _serve_metrics(arguments, app.state.metrics.registry)
        uvicorn.run(
            app,
            host=arguments.host,
            port=arguments.port,
            log_config=None,
            access_log=False,
        )
    return 0


def _run_serve_gateway(arguments: argparse.Namespace) -> int:
    import uvicorn

    from gateway import create_app, load_network
    from gateway.errors import ConfigurationError

    if not _start_tracing("gateway", arguments.trace_endpoint):
        return 2
    try:
        app = create_app(
            load_network(arguments.network), network_file=arguments.network
        )
    except ConfigurationError as error:
        sys.stderr.write(f"fulfillment-network: {error}\n")
        return 2
    _serve_metrics(arguments, app.state.metrics.registry)
    uvicorn.run(
        app, host=arguments.host, port=arguments.port, log_config=None, access_log=False
    )
    return 0


def _run_import_marc(arguments: argparse.Namespace) -> int:
    from institution_subgraph.catalogue.importer import import_marc, open_marc

    from .postgres import postgres_server

    async def run(server_dsn: str) -> int:
        import asyncpg

        from institution_subgraph.storage.institution import prepare_database

        dsn = await prepare_database(
            server_dsn, arguments.institution, arguments.name or arguments.institution
        )
        connection = await asyncpg.connect(dsn)
        try:
            with open_marc(arguments.file) as stream:
                report = await import_marc(connection, arguments.institution, stream)
        finally:
            await connection.close()
        _print_report(report)
        return 0

    with postgres_server(arguments.dsn, arguments.data_dir) as server:
        return asyncio.run(run(server.dsn))


def _print_report(report: ImportReport) -> None:
    lines = [
        f"read {report.records_read}, imported {report.imported},"
        f" already present {report.already_present}, bad {len(report.bad)}"
    ]
    lines += [f"  record {bad.position}: {bad.reason}" for bad in report.bad]
    sys.stdout.write("\n".join(lines) + "\n")


def _run_migrate(arguments: argparse.Namespace) -> int:
    from institution_subgraph.storage.institution import prepare_database

    from .postgres import postgres_server

    with postgres_server(arguments.dsn, arguments.data_dir) as server:
        asyncio.run(
            prepare_database(
                server.dsn,
                arguments.institution,
                arguments.name or arguments.institution,
            )
        )
    sys.stdout.write(f"{arguments.institution}: database is up to date\n")
    return 0
