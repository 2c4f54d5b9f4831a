"""Members answer only calls the gateway signed, for them, recently."""

from __future__ import annotations

import time
from pathlib import Path

import aiohttp

from fulfillment_network.identity import GatewaySigner, write_key_pair

from ...network import RunningNetwork, gateway_keys

QUERY = {"query": "{ institutions { code } }"}


async def _call(url: str, token: str | None) -> tuple[int, dict[str, object]]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url + "/graphql", json=QUERY, headers=headers) as response,
    ):
        return response.status, await response.json(content_type=None)


def _signer() -> GatewaySigner:
    return GatewaySigner.from_file(gateway_keys()[0])


async def test_a_member_refuses_calls_around_the_gateway(
    network: RunningNetwork, tmp_path: Path
) -> None:
    member = network.member_urls["TSTA"]
    expired = GatewaySigner(_signer().key, lifetime=-10).token_for("TSTA")
    for_another = _signer().token_for("TSTB")
    other_key, _ = write_key_pair(tmp_path)
    forged = GatewaySigner.from_file(other_key).token_for("TSTA")

    refusals = [
        await _call(member, token) for token in (None, expired, for_another, forged)
    ]
    accepted = await _call(member, _signer().token_for("TSTA"))

    for status, body in refusals:
        assert status == 401
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert accepted == (200, {"data": {"institutions": [{"code": "TSTA"}]}})


def test_a_token_is_reused_for_half_its_life_then_renewed() -> None:
    signer = _signer()
    start = time.time()

    first = signer.token_for("TSTA", now=start)

    assert signer.token_for("TSTA", now=start + 29) == first
    assert signer.token_for("TSTA", now=start + 31) != first
    assert signer.token_for("TSTB", now=start) != first
