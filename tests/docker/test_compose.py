"""The compose stack agrees with the CLI, with the network file and with itself.

Nothing here starts a container. The checks read ``docker/compose.yaml`` and
``docker/network.toml`` and catch what would otherwise show up only as a stack
that does not come up: a command the CLI rejects, a member the gateway cannot
reach, a member that quietly starts a private PostgreSQL inside its container
because its DSN is missing.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from fulfillment_network.cli import build_parser
from fulfillment_network.postgres import DSN_ENV

Service = dict[str, Any]

_DOCKER_DIR = Path(__file__).resolve().parents[2] / "docker"
_CLI = "fulfillment-network"
_DATABASE_SUBCOMMANDS = {"serve-member", "import-marc", "migrate"}
_EXCERPT = "/app/demo-data/lc-books-excerpt.mrc.gz"
# Compose fills ``${NAME:-default}`` from the host's environment; the defaults
# are what a plain ``docker compose up`` runs with.
_INTERPOLATION = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}")


def _load_services() -> dict[str, Service]:
    with (_DOCKER_DIR / "compose.yaml").open(encoding="utf-8") as file:
        compose = yaml.safe_load(file)
    services: dict[str, Service] = compose["services"]
    return services


def _load_members() -> list[dict[str, str]]:
    with (_DOCKER_DIR / "network.toml").open("rb") as file:
        network = tomllib.load(file)
    members: list[dict[str, str]] = network["members"]
    return members


SERVICES = _load_services()
MEMBERS = _load_members()
CLI_COMMANDS: dict[str, list[str]] = {
    name: service["command"]
    for name, service in SERVICES.items()
    if isinstance(service.get("command"), list) and service["command"][0] == _CLI
}


def _running(subcommand: str) -> dict[str, list[str]]:
    return {
        name: command
        for name, command in CLI_COMMANDS.items()
        if command[1] == subcommand
    }


def _option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def _dsn(service_name: str) -> str:
    command = CLI_COMMANDS[service_name]
    if "--dsn" in command:
        dsn = _option(command, "--dsn")
    else:
        dsn = SERVICES[service_name].get("environment", {}).get(DSN_ENV, "")
    return _INTERPOLATION.sub(r"\1", dsn)


def _dsn_host(service_name: str) -> str:
    return urlsplit(_dsn(service_name)).hostname or ""


def _server_names() -> list[str]:
    return sorted({*_running("serve-gateway"), *_running("serve-member")})


def test_commands_are_exec_form_lists() -> None:
    shell_form = [
        name
        for name, service in SERVICES.items()
        if "command" in service and not isinstance(service["command"], list)
    ]

    assert shell_form == []


@pytest.mark.parametrize("service_name", sorted(CLI_COMMANDS))
def test_cli_accepts_service_command(service_name: str) -> None:
    arguments = CLI_COMMANDS[service_name][1:]

    try:
        build_parser().parse_args(arguments)
    except SystemExit as exit_:
        pytest.fail(f"the CLI rejects {arguments} (exit status {exit_.code})")


@pytest.mark.parametrize("member", MEMBERS, ids=lambda member: member["code"])
def test_network_member_is_served_by_compose_service(member: dict[str, str]) -> None:
    url = urlsplit(member["url"])

    command = _running("serve-member").get(url.hostname or "")

    assert command is not None, f"no service named {url.hostname!r} serves a member"
    assert _option(command, "--institution") == member["code"]
    assert _option(command, "--name") == member["name"]
    assert _option(command, "--port") == str(url.port)


def test_every_served_member_is_in_the_network_file() -> None:
    hosts = {urlsplit(member["url"]).hostname for member in MEMBERS}

    assert set(_running("serve-member")) == hosts


@pytest.mark.parametrize("service_name", _server_names())
def test_server_listens_where_other_containers_reach_it(service_name: str) -> None:
    command = CLI_COMMANDS[service_name]

    assert _option(command, "--host") == "0.0.0.0"


@pytest.mark.parametrize("service_name", _server_names())
def test_healthcheck_calls_the_port_the_server_listens_on(service_name: str) -> None:
    environment = SERVICES[service_name]["environment"]

    port = _option(CLI_COMMANDS[service_name], "--port")

    assert environment["HEALTHCHECK_PORT"] == port


@pytest.mark.parametrize(
    "service_name",
    sorted(
        name
        for name, command in CLI_COMMANDS.items()
        if command[1] in _DATABASE_SUBCOMMANDS
    ),
)
def test_dsn_names_a_postgres_service(service_name: str) -> None:
    host = _dsn_host(service_name)

    assert host in SERVICES, f"{service_name} names no PostgreSQL server"
    assert SERVICES[host]["image"].startswith("postgres:")


def test_each_member_has_a_postgres_server_of_its_own() -> None:
    hosts = [_dsn_host(name) for name in _running("serve-member")]

    assert len(set(hosts)) == len(hosts)


@pytest.mark.parametrize("service_name", sorted(_running("serve-member")))
def test_member_waits_for_its_postgres_to_be_healthy(service_name: str) -> None:
    depends_on = SERVICES[service_name]["depends_on"]

    host = _dsn_host(service_name)

    assert depends_on[host]["condition"] == "service_healthy"


@pytest.mark.parametrize("service_name", sorted(_running("serve-member")))
def test_member_has_an_import_of_the_excerpt_into_its_database(
    service_name: str,
) -> None:
    institution = _option(CLI_COMMANDS[service_name], "--institution")

    imports = [
        name
        for name, command in _running("import-marc").items()
        if _option(command, "--institution") == institution
    ]

    assert len(imports) == 1, f"{institution} needs exactly one import service"
    assert CLI_COMMANDS[imports[0]][-1] == _EXCERPT
    assert SERVICES[imports[0]]["profiles"] == ["import"]
    assert _dsn_host(imports[0]) == _dsn_host(service_name)


def test_only_the_gateway_publishes_ports() -> None:
    publishing = sorted(
        name for name, service in SERVICES.items() if "ports" in service
    )

    assert publishing == sorted(_running("serve-gateway"))


def test_gateway_publishes_the_port_it_listens_on() -> None:
    [(name, command)] = _running("serve-gateway").items()

    published = [str(port).rsplit(":", 1)[-1] for port in SERVICES[name]["ports"]]

    assert published == [_option(command, "--port")]


def test_gateway_reads_the_network_file_checked_here() -> None:
    [(name, command)] = _running("serve-gateway").items()

    mount = f"./network.toml:{_option(command, '--network')}:ro"

    assert mount in SERVICES[name]["volumes"]


def test_gateway_waits_for_every_member() -> None:
    [name] = _running("serve-gateway")

    depends_on = dict(SERVICES[name]["depends_on"])
    depends_on.pop("keys")

    assert set(depends_on) == set(_running("serve-member"))
    assert {dependency["condition"] for dependency in depends_on.values()} == {
        "service_healthy"
    }


def _mounts(service: str) -> set[str]:
    return {mount.split(":")[0] for mount in SERVICES[service].get("volumes", [])}


def test_only_the_gateway_holds_its_signing_key() -> None:
    [(gateway, _)] = _running("serve-gateway").items()
    [(keys, command)] = _running("keys").items()
    private_volume = next(
        mount.split(":")[0]
        for mount in SERVICES[keys]["volumes"]
        if mount.split(":")[1] == _option(command, "--dir")
    )

    holders = {name for name in SERVICES if private_volume in _mounts(name)}

    assert holders == {gateway, keys}


@pytest.mark.parametrize("service_name", sorted(_running("serve-member")))
def test_member_checks_the_gateway_identity(service_name: str) -> None:
    key = SERVICES[service_name]["environment"]["FULFILLMENT_NETWORK_GATEWAY_KEY"]
    [command] = _running("keys").values()

    assert key.startswith(_option(command, "--public-dir") + "/")
    assert SERVICES[service_name]["depends_on"]["keys"] == {
        "condition": "service_completed_successfully"
    }
