"""The HTTP edge: what the gateway accepts, and its production defaults."""

from __future__ import annotations

import io

import aiohttp
import pytest

from gateway.config import GatewaySettings, MemberConfig

from ..network import RunningNetwork, running_network
from ..stand_ins import Fault, stand_in_member


async def _post(
    url: str, data: bytes, content_type: str
) -> tuple[int, dict[str, object]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url + "/graphql",
            data=io.BytesIO(data),
            headers={"content-type": content_type},
        ) as response,
    ):
        return response.status, await response.json(content_type=None)


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b'{"query": "{ institutions { code } }"}', "text/plain", 415),
        (b"{not json", "application/json", 400),
        (b'{"variables": {}}', "application/json", 400),
        (b'{"query": "{ x }", "variables": [1]}', "application/json", 400),
        (b'{"query": "' + b"x" * 1_100_000 + b'"}', "application/json", 413),
    ],
)
async def test_unusable_requests_get_a_clear_http_error(
    network: RunningNetwork, data: bytes, content_type: str, status: int
) -> None:
    network.forget_calls()

    got, body = await _post(network.gateway_url, data, content_type)

    assert got == status
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["message"]
    assert network.nobody_called()


async def test_production_refuses_introspection(network: RunningNetwork) -> None:
    network.forget_calls()

    body = await network.query("{ __schema { types { name } } }")

    assert body["data"] is None
    assert "introspection" in body["errors"][0]["message"].lower()
    assert network.nobody_called()


async def test_production_gives_no_field_suggestions(network: RunningNetwork) -> None:
    network.forget_calls()

    body = await network.query('{ serch(text: "x") { score } }')

    message = body["errors"][0]["message"]
    assert "serch" in message
    assert "Did you mean" not in message
    assert network.nobody_called()


async def test_production_serves_no_ide(network: RunningNetwork) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(network.gateway_url + "/graphql") as response,
    ):
        assert response.status == 405
        assert "text/html" not in response.headers["content-type"]


async def test_development_mode_suggests_fields_and_serves_the_ide(
    catalogues: str,
) -> None:
    settings = GatewaySettings(production=False)
    async with running_network(catalogues, settings=settings) as network:
        body = await network.query('{ serch(text: "x") { score } }')
        async with (
            aiohttp.ClientSession() as session,
            session.get(network.gateway_url + "/graphql") as response,
        ):
            page = await response.text()

    assert "Did you mean 'search'" in body["errors"][0]["message"]
    assert "graphiql" in page.lower()


async def test_ready_only_when_every_member_schema_is_loaded(catalogues: str) -> None:
    async with stand_in_member(Fault.DOWN) as url:
        pass
    down = MemberConfig("GONE", "Closed Member", url)
    async with running_network(catalogues, stand_ins=[down]) as network:
        async with (
            aiohttp.ClientSession() as session,
            session.get(network.gateway_url + "/ready") as response,
        ):
            status, body = response.status, await response.json()
        async with (
            aiohttp.ClientSession() as session,
            session.get(network.gateway_url + "/health") as response,
        ):
            health = response.status

    assert status == 503
    assert body["ready"] is False
    assert body["members"]["GONE"]["status"] == "unreachable"
    assert body["members"]["TSTA"]["status"] == "loaded"
    assert health == 200


async def test_validation_errors_name_the_problem_and_call_no_member(
    network: RunningNetwork,
) -> None:
    body = await network.query("{ search { score } }")

    assert body["data"] is None
    assert "text" in body["errors"][0]["message"]
    assert body["extensions"] == {"members": {}}


async def test_a_fault_in_the_gateway_is_masked_and_logged_without_its_text(
    network: RunningNetwork,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert network.gateway is not None
    engine = network.gateway.state.engine

    address = "robin.reader" + "@example.org"

    async def broken(*args: object, **kwargs: object) -> None:
        # The traceback quotes this line; the message is the request's data.
        raise KeyError(address)

    monkeypatch.setattr(engine, "run", broken)
    with caplog.at_level("ERROR", logger="gateway"):
        status, body = await _post(
            network.gateway_url,
            b'{"query": "{ institutions { code } }"}',
            "application/json",
        )

    assert status == 500
    assert body == {
        "errors": [
            {
                "message": "Internal server error",
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        ]
    }
    [record] = [r for r in caplog.records if r.name == "gateway"]
    logged = record.getMessage()
    assert "KeyError" in logged
    assert "test_edge.py" in logged, "the log says where it failed"
    assert "robin.reader" not in logged
    assert record.exc_info is None
