"""The engine against real members: new fields, plan cache, routing, reloads."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from pathlib import Path

import asyncpg
import strawberry

from fulfillment_network.postgres import database_dsn, database_name
from gateway.composition.contract import DEFAULT_CONTRACT_DIR
from gateway.config import GatewaySettings, MemberConfig, NetworkConfig, load_network
from gateway.engine import Engine
from institution_subgraph.api.catalogue import Info
from institution_subgraph.api.circulation.mutations import Mutation
from institution_subgraph.api.query import Query
from institution_subgraph.api.schema import ENTITIES
from institution_subgraph.app import create_app as create_member_app
from institution_subgraph.settings import MemberSettings

from ..network import MEMBERS, RunningNetwork, gateway_keys, running_network
from ..servers import serve
from ..stand_ins import Fault, stand_in_member


@strawberry.type
class QueryWithRecordCount(Query):
    @strawberry.field
    async def record_count(self, info: Info) -> int:
        count: int = await info.context.pool.fetchval("SELECT count(*) FROM bib_record")
        return count


def _contract_with(tmp_path: Path, addition: str) -> Path:
    folder = tmp_path / "schema"
    shutil.copytree(DEFAULT_CONTRACT_DIR, folder)
    with (folder / "catalogue.graphql").open("a", encoding="utf-8") as sdl:
        sdl.write(addition)
    return folder


def _engine(network: RunningNetwork) -> Engine:
    assert network.gateway is not None
    engine: Engine = network.gateway.state.engine
    return engine


async def test_a_field_added_to_contract_and_members_works_with_no_gateway_code(
    catalogues: str, tmp_path: Path
) -> None:
    contract = _contract_with(
        tmp_path, "\nextend type Query {\n  recordCount: Int! @fanOut(merge: SUM)\n}\n"
    )
    member_schema = strawberry.federation.Schema(
        query=QueryWithRecordCount, mutation=Mutation, types=list(ENTITIES)
    )

    async with running_network(
        catalogues, member_schema=member_schema, contract=contract
    ) as network:
        body = await network.query("{ recordCount }")

    assert "errors" not in body, body
    expected = 0
    for code, _ in MEMBERS:
        expected += await _count(catalogues, code)
    assert body["data"] == {"recordCount": expected}


async def _count(server_dsn: str, code: str) -> int:
    connection = await asyncpg.connect(database_dsn(server_dsn, database_name(code)))
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM bib_record")
        return count
    finally:
        await connection.close()


async def test_a_repeated_operation_is_served_from_the_plan_cache(
    network: RunningNetwork,
) -> None:
    engine = _engine(network)
    query = "query Find($t: String!) { search(text: $t) { bibRecord { title } } }"
    first = await network.query(query, {"t": "war"})
    hits, misses = engine.plans.hits, engine.plans.misses

    second = await network.query(query, {"t": "history"})
    third = await network.query(query, {"t": "war"})

    assert engine.plans.hits == hits + 2
    assert engine.plans.misses == misses
    assert third["data"] == first["data"]
    assert second["data"] != first["data"]


async def test_a_routed_field_calls_only_the_owner_and_a_skipped_field_no_one(
    network: RunningNetwork,
) -> None:
    search = await network.query(
        '{ search(text: "war", first: 1) { bibRecord { id } } }'
    )
    record_id = search["data"]["search"][0]["bibRecord"]["id"]
    owner = record_id.split(":")[1]
    network.forget_calls()

    body = await network.query(
        "query ($id: ID!, $no: Boolean!) {"
        " bibRecord(id: $id) { title }"
        ' search(text: "war") @include(if: $no) { score } }',
        {"id": record_id, "no": False},
    )

    assert body["data"]["bibRecord"]["title"]
    assert "search" not in body["data"]
    for code, _ in MEMBERS:
        assert len(network.member_calls(code)) == (1 if code == owner else 0)


async def test_the_request_deadline_cuts_off_a_member_slower_than_it(
    catalogues: str,
) -> None:
    settings = GatewaySettings(member_timeout=30, request_timeout=0.5)
    async with (
        stand_in_member(Fault.SLOW, delay=10) as url,
        running_network(
            catalogues,
            settings=settings,
            stand_ins=[MemberConfig("SLOW", "Slow Member", url)],
        ) as network,
    ):
        body = await network.query('{ search(text: "war") { score } }')

    [error] = body["errors"]
    assert error["extensions"] == {"code": "MEMBER_TIMEOUT", "member": "SLOW"}
    assert body["data"]["search"]


async def test_a_changed_network_file_adds_a_member_without_a_restart(
    catalogues: str,
) -> None:
    gamma = MemberSettings(*MEMBERS[2], catalogues, gateway_key=gateway_keys()[1])
    async with (
        running_network(catalogues, members=MEMBERS[:2]) as network,
        serve(create_member_app(gamma)) as gamma_url,
    ):
        registry = network.gateway.state.registry
        before = await network.query("{ institutions { code } }")
        added = MemberConfig("TSTC", "Test Gamma Library", gamma_url + "/graphql")
        await registry.reload(_network_with(registry.network, added))
        after = await network.query("{ institutions { code } }")

    assert [i["code"] for i in before["data"]["institutions"]] == ["TSTA", "TSTB"]
    assert [i["code"] for i in after["data"]["institutions"]] == [
        "TSTA",
        "TSTB",
        "TSTC",
    ]
    assert after["extensions"]["members"]["TSTC"] == "ok"


async def test_a_request_in_flight_keeps_the_members_it_started_with(
    catalogues: str,
) -> None:
    settings = GatewaySettings(member_timeout=5)
    async with (
        stand_in_member(Fault.SLOW, delay=1.0) as url,
        running_network(
            catalogues,
            settings=settings,
            stand_ins=[MemberConfig("SLOW", "Slow Member", url)],
        ) as network,
    ):
        registry = network.gateway.state.registry
        in_flight = asyncio.create_task(
            network.query('{ search(text: "war") { score } }')
        )
        await asyncio.sleep(0.3)
        without_slow = tuple(m for m in registry.network.members if m.code != "SLOW")
        await registry.reload(_replace_members(registry.network, without_slow))
        body = await in_flight
        later = await network.query('{ search(text: "war") { score } }')

    assert body["extensions"]["members"]["SLOW"] == "ok"
    assert "errors" not in body
    assert "SLOW" not in later["extensions"]["members"]


def _network_with(network: NetworkConfig, member: MemberConfig) -> NetworkConfig:
    return _replace_members(network, (*network.members, member))


def _replace_members(
    network: NetworkConfig, members: tuple[MemberConfig, ...]
) -> NetworkConfig:
    return replace(network, members=members)


def test_the_network_file_is_read_with_its_settings(tmp_path: Path) -> None:
    path = tmp_path / "network.toml"
    path.write_text(
        "[gateway]\nmember_timeout = 2.5\nrequest_timeout = 4\nproduction = false\n"
        '[[members]]\ncode = "ASH"\nname = "Ashford"\nurl = "http://127.0.0.1:1/graphql"\n',
        "utf-8",
    )

    network = load_network(path)

    assert network.settings.member_timeout == 2.5
    assert network.settings.request_timeout == 4
    assert network.settings.production is False
    assert [m.code for m in network.members] == ["ASH"]
