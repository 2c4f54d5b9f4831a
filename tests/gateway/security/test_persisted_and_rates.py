"""Persisted operations, the safelist, and per-client rate limits."""

from __future__ import annotations

import hashlib
from pathlib import Path

import aiohttp
import orjson

from gateway.config import GatewaySettings
from gateway.security.rate_limit import RateLimiter

from ...network import RunningNetwork, running_network

QUERY = "{ institutions { code } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()


async def _post(
    url: str, payload: dict[str, object]
) -> tuple[int, dict[str, object], str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url + "/graphql", json=payload) as response,
    ):
        body = await response.json(content_type=None)
        return response.status, body, response.headers.get("retry-after", "")


def _persisted(digest: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def test_a_persisted_query_is_asked_for_once_then_run_by_hash(
    network: RunningNetwork,
) -> None:
    unknown = await _post(network.gateway_url, {"extensions": _persisted(HASH)})
    registered = await _post(
        network.gateway_url, {"query": QUERY, "extensions": _persisted(HASH)}
    )
    by_hash = await _post(network.gateway_url, {"extensions": _persisted(HASH)})

    assert unknown[1]["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert by_hash[1]["data"] == registered[1]["data"]
    assert len(by_hash[1]["data"]["institutions"]) == 3


async def test_a_hash_that_is_not_the_documents_is_refused(
    network: RunningNetwork,
) -> None:
    _, body, _ = await _post(
        network.gateway_url, {"query": QUERY, "extensions": _persisted("0" * 64)}
    )

    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_safelist_mode_runs_only_registered_operations(
    catalogues: str, tmp_path: Path
) -> None:
    safelist = tmp_path / "safelist.json"
    safelist.write_bytes(orjson.dumps({HASH: QUERY}))
    settings = GatewaySettings(safelist=safelist)
    async with running_network(catalogues, settings=settings) as network:
        listed = await _post(network.gateway_url, {"extensions": _persisted(HASH)})
        as_text = await _post(network.gateway_url, {"query": QUERY})
        network.forget_calls()
        other = await _post(
            network.gateway_url, {"query": '{ search(text: "x") { score } }'}
        )

    assert len(listed[1]["data"]["institutions"]) == 3
    assert as_text[1]["data"] == listed[1]["data"]
    assert other[1]["errors"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
    assert network.nobody_called()


async def test_a_client_over_its_rate_gets_429_with_retry_after(
    catalogues: str,
) -> None:
    settings = GatewaySettings(rate_limit=0.5, rate_burst=2)
    async with running_network(catalogues, settings=settings) as network:
        answers = [await _post(network.gateway_url, {"query": QUERY}) for _ in range(3)]

    assert [status for status, _, _ in answers] == [200, 200, 429]
    assert answers[2][2] == "2"
    assert answers[2][1]["errors"][0]["message"] == "too many requests"


def test_a_bucket_refills_at_its_rate_and_clients_are_counted_apart() -> None:
    limiter = RateLimiter(rate=2.0, burst=1)

    assert limiter.wait_for("a", now=0.0) == 0.0
    assert limiter.wait_for("a", now=0.1) == 0.4
    assert limiter.wait_for("b", now=0.1) == 0.0
    assert limiter.wait_for("a", now=0.6) == 0.0
