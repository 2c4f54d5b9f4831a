"""Requests the HTTP edge refuses, none of which reaches a member."""

from __future__ import annotations

import gzip
import io

import aiohttp
import orjson
import pytest

from ...network import RunningNetwork


async def _post(
    network: RunningNetwork, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, object]]:
    async with (
        aiohttp.ClientSession(auto_decompress=False) as session,
        session.post(
            network.gateway_url + "/graphql",
            data=io.BytesIO(body),
            headers={"content-type": "application/json", **headers},
        ) as response,
    ):
        return response.status, await response.json(content_type=None)


async def test_a_gzip_bomb_is_refused_by_its_unpacked_size(
    network: RunningNetwork,
) -> None:
    padding = b" " * 20_000_000
    bomb = gzip.compress(b'{"query": "{ institutions { code } }"' + padding + b"}")
    assert len(bomb) < 100_000
    network.forget_calls()

    status, body = await _post(network, bomb, {"content-encoding": "gzip"})

    assert status == 413
    assert "unpacked" in body["errors"][0]["message"]
    assert network.nobody_called()


async def test_a_gzipped_request_within_the_limit_is_answered(
    network: RunningNetwork,
) -> None:
    packed = gzip.compress(orjson.dumps({"query": "{ institutions { code } }"}))

    status, body = await _post(network, packed, {"content-encoding": "gzip"})

    assert status == 200
    assert len(body["data"]["institutions"]) == 3


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b'[{"query": "{ institutions { code } }"}]', {}, 400),
        (b"x" * 10_000_000, {}, 413),
        (b"not gzip", {"content-encoding": "gzip"}, 400),
        (b"{}", {"content-encoding": "br"}, 415),
    ],
)
async def test_batches_oversized_and_badly_encoded_bodies_are_refused(
    network: RunningNetwork, body: bytes, headers: dict[str, str], status: int
) -> None:
    network.forget_calls()

    got, answer = await _post(network, body, headers)

    assert got == status
    assert answer["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert network.nobody_called()


async def test_a_mutation_over_get_is_not_run(network: RunningNetwork) -> None:
    network.forget_calls()
    mutation = (
        'mutation { expireHolds(idempotencyKey: "k", institution: "TSTA",'
        ' desk: "Desk:TSTA:MAIN") { expired { status } } }'
    )

    async with (
        aiohttp.ClientSession() as session,
        session.get(
            network.gateway_url + "/graphql", params={"query": mutation}
        ) as response,
    ):
        status = response.status

    assert status == 405
    assert network.nobody_called()
