"""The gateway's Prometheus metrics count what happened, and nothing about
anyone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from fulfillment_network.demo import demo_patron

from ..network import RunningNetwork, running_network

SEARCH = '{ search(text: "history", first: 3) { bibRecord { title } } }'
ACTIVITY = "query ($p: ID!) { patron(id: $p) { name } }"


@pytest.fixture
async def network(catalogues: str) -> AsyncIterator[RunningNetwork]:
    async with running_network(catalogues) as running:
        yield running


def _scrape(network: RunningNetwork) -> tuple[str, dict[tuple[str, tuple], float]]:
    assert network.gateway is not None
    text = generate_latest(network.gateway.state.metrics.registry).decode()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, samples


def _value(samples: dict[tuple[str, tuple], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_requests_member_calls_refusals_and_the_plan_cache_are_counted(
    network: RunningNetwork,
) -> None:
    _, before = _scrape(network)
    robin = demo_patron("TSTA", 1)

    for _ in range(3):
        await network.data(SEARCH)
    # Anonymous: the patron is refused, and the only field, so data is null.
    refused = await network.query(ACTIVITY, {"p": robin.id})
    assert refused["data"] == {"patron": None}

    text, after = _scrape(network)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("gateway_requests_total", status="200", outcome="ok") == 3
    assert grew("gateway_requests_total", status="200", outcome="partial") == 1
    assert grew("gateway_request_duration_seconds_count") == 4
    for member in ("TSTA", "TSTB", "TSTC"):
        assert grew("gateway_member_calls_total", member=member, outcome="ok") == 3
        assert _value(after, "gateway_member_up", member=member) == 1
    assert grew("gateway_refused_fields_total", code="UNAUTHENTICATED") == 1
    assert grew("gateway_plan_cache_hits_total") == 2
    # Nothing a client sent, nothing about a person.
    assert robin.id not in text
    assert "Robin" not in text


async def test_calls_to_a_stopped_member_count_as_unavailable(
    network: RunningNetwork,
) -> None:
    await network.stop_member("TSTB")

    await network.query(SEARCH)

    _, samples = _scrape(network)
    assert (
        _value(
            samples, "gateway_member_calls_total", member="TSTB", outcome="unavailable"
        )
        == 1
    )
    assert (
        _value(samples, "gateway_requests_total", status="200", outcome="partial") == 1
    )


async def test_members_count_their_calls_and_report_their_pool(
    network: RunningNetwork,
) -> None:
    member = network.recorders["TSTA"].app
    registry = member.state.metrics.registry  # type: ignore[attr-defined]

    def value(name: str, **labels: str) -> float:
        found = registry.get_sample_value(name, {"institution": "TSTA", **labels})
        return float(found or 0.0)

    answered, refused = (
        value("member_calls_total", status="200"),
        value("member_calls_total", status="401"),
    )

    await network.data(SEARCH)
    # Around the gateway: no identity, refused, and counted as such.
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            network.member_urls["TSTA"] + "/graphql", json={"query": "{ __typename }"}
        ) as response,
    ):
        assert response.status == 401

    assert value("member_calls_total", status="200") == answered + 1
    assert value("member_calls_total", status="401") == refused + 1
    assert value("member_pool_connections", state="open") >= 1
    assert value("member_pool_connections", state="max") >= value(
        "member_pool_connections", state="open"
    )
