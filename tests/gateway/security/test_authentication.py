"""Bearer tokens at the gateway: only a trusted issuer's, valid, for us."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import jwt
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.security.authentication import IssuerConfig

from ...network import RunningNetwork, running_network

ISSUER, AUDIENCE, KID = "https://login.test", "fulfillment-network", "key-1"
QUERY = {"query": "{ institutions { code } }"}


@dataclass
class Issuer:
    key: Ed25519PrivateKey
    server: TestServer
    fetches: int = 0

    def token(self, *, key: Ed25519PrivateKey | None = None, **changes: object) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "staff-1",
            "iat": now,
            "exp": now + 300,
            "institution": "TSTA",
            "roles": ["user_manager"],
        }
        claims.update(changes)
        headers = {"kid": str(claims.pop("kid", KID))}
        return jwt.encode(claims, key or self.key, algorithm="EdDSA", headers=headers)


@pytest.fixture
async def issuer() -> AsyncIterator[Issuer]:
    key = Ed25519PrivateKey.generate()
    jwk = orjson.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    app = web.Application()
    served = Issuer(key, TestServer(app, host="127.0.0.1"))

    async def jwks(request: web.Request) -> web.Response:
        served.fetches += 1
        return web.json_response({"keys": [{**jwk, "kid": KID}]})

    app.router.add_get("/jwks.json", jwks)
    await served.server.start_server()
    yield served
    await served.server.close()


@pytest.fixture
async def guarded(catalogues: str, issuer: Issuer) -> AsyncIterator[RunningNetwork]:
    config = IssuerConfig(
        ISSUER, AUDIENCE, jwks_url=str(issuer.server.make_url("/jwks.json"))
    )
    async with running_network(catalogues, issuers=[config]) as network:
        yield network


async def _call(
    network: RunningNetwork, token: str | None
) -> tuple[int, dict[str, object]]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            network.gateway_url + "/graphql", json=QUERY, headers=headers
        ) as r,
    ):
        return r.status, await r.json(content_type=None)


async def test_a_valid_token_and_no_token_are_answered(
    guarded: RunningNetwork, issuer: Issuer
) -> None:
    assert (await _call(guarded, issuer.token()))[0] == 200
    assert (await _call(guarded, None))[0] == 200


def _none_token() -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "iat": now, "exp": now + 60}
    return jwt.encode(claims, None, algorithm="none", headers={"kid": KID})


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda i: i.token(key=Ed25519PrivateKey.generate()), id="forged"),
        pytest.param(lambda i: i.token(exp=int(time.time()) - 10), id="expired"),
        pytest.param(lambda i: i.token(aud="another-gateway"), id="wrong-audience"),
        pytest.param(
            lambda i: i.token(iss="https://elsewhere.test"), id="other-issuer"
        ),
        pytest.param(lambda i: _none_token(), id="alg-none"),
        pytest.param(lambda i: "not.a.jwt", id="garbage"),
    ],
)
async def test_unacceptable_tokens_are_refused_before_any_member_is_asked(
    guarded: RunningNetwork, issuer: Issuer, make: object
) -> None:
    guarded.forget_calls()

    status, body = await _call(guarded, make(issuer))

    assert status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert all(not guarded.member_calls(code) for code in guarded.recorders)


async def test_a_flood_of_unknown_key_ids_fetches_the_keys_at_most_once(
    guarded: RunningNetwork, issuer: Issuer
) -> None:
    assert (await _call(guarded, issuer.token()))[0] == 200
    fetched = issuer.fetches

    statuses = [
        (await _call(guarded, issuer.token(kid=str(uuid.uuid4()))))[0]
        for _ in range(20)
    ]

    assert statuses == [401] * 20
    # The keys were fetched for the first token; the cooldown has not passed.
    assert issuer.fetches == fetched == 1
