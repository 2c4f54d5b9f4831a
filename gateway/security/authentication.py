"""Who is calling: Bearer JWTs checked against each trusted issuer's keys.

A request without an Authorization header is anonymous. A token is
accepted only from an issuer of the network file, signed with one of the
issuer's keys (its JWKS, by key id), with an allowed algorithm, for the
gateway's audience and unexpired. An unknown key id makes the gateway fetch
the issuer's keys again, at most once per cooldown, so a flood of made-up
key ids costs the issuer nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import orjson

from fulfillment_network.identity import Caller

__all__ = ["AuthenticationFailed", "Authenticator", "Caller", "IssuerConfig"]

# Signatures only: no symmetric keys, never "none".
ALLOWED_ALGORITHMS = ("RS256", "ES256", "EdDSA")


class AuthenticationFailed(Exception):
    """The request carries a token the gateway does not accept."""


@dataclass(frozen=True, slots=True)
class IssuerConfig:
    issuer: str
    audience: str
    jwks_url: str | None = None
    jwks_file: Path | None = None
    algorithms: tuple[str, ...] = ALLOWED_ALGORITHMS
    # The member institution whose staff and patrons this issuer speaks for.
    institution: str | None = None
    # Seconds between two fetches of the keys for an unknown key id.
    refresh_cooldown: float = 60.0


@dataclass
class _Keys:
    config: IssuerConfig
    by_id: dict[str, jwt.PyJWK] = field(default_factory=dict)
    fetched_at: float = float("-inf")
    fetches: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Authenticator:
    def __init__(
        self, issuers: Sequence[IssuerConfig], session: aiohttp.ClientSession | None
    ) -> None:
        self._keys = {config.issuer: _Keys(config) for config in issuers}
        self._session = session

    def fetches(self, issuer: str) -> int:
        """How often the issuer's keys were fetched (for operators and tests)."""
        return self._keys[issuer].fetches

    async def authenticate(self, authorization: str | None) -> Caller | None:
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationFailed("use a Bearer token")
        keys, header = self._issuer_of(token)
        key = await self._key(keys, header.get("kid"))
        claims = self._verified(token, key, keys.config)
        return _caller(claims, keys.config)

    def _issuer_of(self, token: str) -> tuple[_Keys, Mapping[str, Any]]:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise AuthenticationFailed("the token is not a JWT") from error
        keys = self._keys.get(str(unverified.get("iss")))
        if keys is None:
            raise AuthenticationFailed("the token's issuer is not trusted here")
        if header.get("alg") not in keys.config.algorithms:
            raise AuthenticationFailed("the token's algorithm is not accepted")
        return keys, header

    async def _key(self, keys: _Keys, key_id: object) -> jwt.PyJWK:
        if not isinstance(key_id, str):
            raise AuthenticationFailed("the token names no key")
        if key_id not in keys.by_id:
            await self._refresh(keys)
        key = keys.by_id.get(key_id)
        if key is None:
            raise AuthenticationFailed("the token's key is not the issuer's")
        return key

    async def _refresh(self, keys: _Keys) -> None:
        async with keys.lock:
            if time.monotonic() - keys.fetched_at < keys.config.refresh_cooldown:
                return
            keys.fetched_at = time.monotonic()
            keys.fetches += 1
            document = await self._jwks(keys.config)
            keys.by_id = {
                str(jwk["kid"]): jwt.PyJWK.from_dict(jwk)
                for jwk in document.get("keys", [])
                if "kid" in jwk
            }

    async def _jwks(self, config: IssuerConfig) -> dict[str, Any]:
        try:
            if config.jwks_file is not None:
                raw = await asyncio.to_thread(config.jwks_file.read_bytes)
            else:
                if self._session is None or config.jwks_url is None:
                    raise OSError(f"{config.issuer} has neither jwks_url nor jwks_file")
                async with self._session.get(config.jwks_url) as response:
                    response.raise_for_status()
                    raw = await response.read()
            document: dict[str, Any] = orjson.loads(raw)
        except (OSError, aiohttp.ClientError, orjson.JSONDecodeError) as error:
            raise AuthenticationFailed(
                "the issuer's keys cannot be read now"
            ) from error
        return document

    @staticmethod
    def _verified(token: str, key: jwt.PyJWK, config: IssuerConfig) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=list(config.algorithms),
                audience=config.audience,
                issuer=config.issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.PyJWTError as error:
            raise AuthenticationFailed(f"the token is not valid: {error}") from error
        return claims


def _caller(claims: Mapping[str, Any], config: IssuerConfig) -> Caller:
    scope = claims.get("scope", "")
    return Caller(
        subject=str(claims["sub"]),
        issuer=config.issuer,
        institution=config.institution or claims.get("institution"),
        roles=frozenset(claims.get("roles") or ()),
        scopes=frozenset(scope.split() if isinstance(scope, str) else ()),
        patron=claims.get("patron"),
        network_patron=claims.get("network_patron"),
        client=claims.get("client_id") or claims.get("azp"),
    )
