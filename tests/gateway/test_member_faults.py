"""A member that fails costs its own part of the answer and no more."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import generate_latest

from gateway.config import GatewaySettings, MemberConfig

from ..network import MEMBERS, running_network
from ..stand_ins import LEAKS, Fault, stand_in, stand_in_member

SEARCH = '{ search(text: "war", first: 100) { bibRecord { institution { code } } } }'
TIMEOUT = 0.5


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (Fault.SLOW, "MEMBER_TIMEOUT"),
        (Fault.HTTP_500, "MEMBER_ERROR"),
        (Fault.INVALID_JSON, "MEMBER_ERROR"),
        (Fault.RESET, "MEMBER_UNAVAILABLE"),
    ],
)
async def test_a_failing_member_leaves_the_others_answers_intact(
    catalogues: str, fault: Fault, code: str
) -> None:
    settings = GatewaySettings(member_timeout=TIMEOUT)
    async with stand_in_member(fault) as url:
        bad = MemberConfig("BAD", "Failing Member", url)
        async with running_network(
            catalogues, settings=settings, stand_ins=[bad]
        ) as net:
            body = await net.query(SEARCH)

    owners = {hit["bibRecord"]["institution"]["code"] for hit in body["data"]["search"]}
    assert owners == {code for code, _ in MEMBERS}
    [error] = body["errors"]
    assert error["extensions"] == {"code": code, "member": "BAD"}
    assert error["path"] == ["search"]
    assert "Traceback" not in error["message"]


async def test_a_member_that_is_down_is_reported_as_unavailable(
    catalogues: str,
) -> None:
    async with stand_in_member(Fault.DOWN) as url:
        pass  # the server is closed again: nothing listens at url now
    down = MemberConfig("GONE", "Closed Member", url)
    async with running_network(catalogues, stand_ins=[down]) as network:
        body = await network.query(SEARCH)

    [error] = body["errors"]
    assert error["extensions"] == {"code": "MEMBER_UNAVAILABLE", "member": "GONE"}
    assert body["data"]["search"]
    assert body["extensions"]["members"]["GONE"] == "unavailable"


async def test_a_slow_member_does_not_hold_up_concurrent_requests(
    catalogues: str,
) -> None:
    settings = GatewaySettings(member_timeout=TIMEOUT)
    async with (
        stand_in_member(Fault.SLOW, delay=30) as url,
        running_network(
            catalogues, settings=settings, stand_ins=[MemberConfig("SLOW", "Slow", url)]
        ) as network,
    ):
        bodies = await asyncio.gather(*(network.query(SEARCH) for _ in range(5)))

    for body in bodies:
        assert body["errors"][0]["extensions"]["code"] == "MEMBER_TIMEOUT"
        assert body["data"]["search"]


async def test_a_member_that_keeps_timing_out_is_skipped_without_a_call(
    catalogues: str,
) -> None:
    settings = GatewaySettings(
        member_timeout=TIMEOUT, breaker_failures=2, breaker_cool_off=600
    )
    async with (
        stand_in(Fault.SLOW, delay=30) as slow,
        running_network(
            catalogues,
            settings=settings,
            stand_ins=[MemberConfig("SLOW", "Slow", slow.url)],
        ) as network,
    ):
        timed_out = [await network.query(SEARCH) for _ in range(2)]
        calls_before = slow.calls
        skipped = await network.query(SEARCH)
        scraped = generate_latest(network.gateway.state.metrics.registry).decode()

    for body in timed_out:
        assert body["errors"][0]["extensions"]["code"] == "MEMBER_TIMEOUT"
    assert slow.calls == calls_before
    [error] = skipped["errors"]
    assert error["extensions"] == {"code": "MEMBER_UNAVAILABLE", "member": "SLOW"}
    assert "skipped for now" in error["message"]
    assert skipped["data"]["search"]
    assert skipped["extensions"]["members"]["SLOW"] == "skipped"
    assert skipped["extensions"]["members"]["TSTA"] == "ok"
    assert 'gateway_member_skipped{member="SLOW"} 1.0' in scraped
    assert 'gateway_member_skipped{member="TSTA"} 0.0' in scraped
    assert 'gateway_member_calls_total{member="SLOW",outcome="skipped"} 1.0' in scraped


async def test_a_members_unmasked_failure_is_not_passed_on(catalogues: str) -> None:
    async with stand_in_member(Fault.LEAKY) as url:
        leaky = MemberConfig("LEAK", "Leaky Member", url)
        async with running_network(catalogues, stand_ins=[leaky]) as net:
            body = await net.query(SEARCH)

    assert body["data"]["search"], "the other members still answer"
    assert body["errors"] == [
        {
            "message": "member LEAK could not answer this part",
            "path": ["search"],
            "extensions": {"code": "MEMBER_ERROR", "member": "LEAK"},
        }
    ] * len(LEAKS)
