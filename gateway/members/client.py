"""Calls to members: one pooled aiohttp session, answers as plain JSON.

Every aiohttp or decoding error is translated here, at the boundary, into
the :class:`~gateway.errors.MemberError` that says what happened, chained to
the original.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from opentelemetry.trace import SpanKind, StatusCode, Tracer, use_span

from fulfillment_network.identity import Caller, GatewaySigner
from fulfillment_network.tracing import headers_with_context, tracer

from ..config import MemberConfig
from ..errors import MemberFailed, MemberTimeout, MemberUnavailable
from ..telemetry.metrics import GatewayMetrics
from .breaker import Breakers

__all__ = ["MemberAnswer", "MemberClient"]

logger = logging.getLogger("gateway.members")

# Enough concurrent connections per member for a busy gateway replica.
_CONNECTIONS_PER_MEMBER = 64


@dataclass(frozen=True, slots=True)
class MemberAnswer:
    """A member's GraphQL response: ``data`` and any ``errors`` it reported."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]]


class MemberClient:
    """Sends GraphQL operations to members over keep-alive connections.

    :attr:`breakers` remember which members keep failing; the execution
    layer asks them before each call made for a client.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        signer: GatewaySigner | None = None,
        metrics: GatewayMetrics | None = None,
        tracing: Tracer | None = None,
        breakers: Breakers | None = None,
    ) -> None:
        self._session = session
        self._signer = signer
        self._metrics = metrics
        self._tracer = tracing or tracer("fulfillment-network.gateway")
        self.breakers = breakers or Breakers(failures=0)

    @classmethod
    def open(
        cls,
        signer: GatewaySigner | None = None,
        metrics: GatewayMetrics | None = None,
        tracing: Tracer | None = None,
        breakers: Breakers | None = None,
    ) -> MemberClient:
        """A client; with ``signer``, every call carries the gateway's identity,
        and with ``metrics`` every call is counted. Each call is a span of
        ``tracing``, whose context goes to the member. Without ``breakers``,
        no member is ever skipped."""
        connector = aiohttp.TCPConnector(
            limit=0, limit_per_host=_CONNECTIONS_PER_MEMBER, keepalive_timeout=30
        )
        # No cookie jar: what a member sets in answer to one caller's call
        # must never travel with another's.
        session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            json_serialize=lambda value: orjson.dumps(value).decode(),
        )
        return cls(session, signer, metrics, tracing, breakers)

    def _headers(self, member: str, caller: Caller | None) -> Mapping[str, str]:
        headers = {"content-type": "application/json"}
        if self._signer is not None:
            token = self._signer.token_for(member, caller)
            headers["authorization"] = f"Bearer {token}"
        return headers_with_context(headers)

    async def close(self) -> None:
        await self._session.close()

    async def execute(
        self,
        member: MemberConfig,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        time_limit: float,
        caller: Caller | None = None,
    ) -> MemberAnswer:
        """The member's answer to ``query``, asked for ``caller`` (None: the
        gateway itself, or an anonymous client)."""
        started = time.perf_counter()
        outcome = "ok"
        span = self._tracer.start_span(
            "member call",
            kind=SpanKind.CLIENT,
            attributes={"fulfillment_network.member": member.code},
        )
        try:
            with use_span(span):
                return await self._post(member, query, variables, time_limit, caller)
        except MemberTimeout:
            outcome = "timeout"
            raise
        except (MemberUnavailable, MemberFailed) as error:
            outcome = error.status
            raise
        finally:
            elapsed = time.perf_counter() - started
            span.set_attribute("fulfillment_network.outcome", outcome)
            if outcome != "ok":
                span.set_status(StatusCode.ERROR, outcome)
            span.end()
            if self._metrics is not None:
                self._metrics.member_call(member.code, outcome, elapsed)
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "member call",
                    extra={
                        "member": member.code,
                        "outcome": outcome,
                        "duration_ms": round(elapsed * 1000, 1),
                    },
                )

    async def _post(
        self,
        member: MemberConfig,
        query: str,
        variables: Mapping[str, Any] | None,
        time_limit: float,
        caller: Caller | None,
    ) -> MemberAnswer:
        payload = {"query": query, "variables": dict(variables or {})}
        try:
            async with self._session.post(
                member.url,
                data=orjson.dumps(payload),
                headers=self._headers(member.code, caller),
                timeout=aiohttp.ClientTimeout(total=time_limit),
            ) as response:
                body = await response.read()
                status = response.status
        except TimeoutError as error:
            raise MemberTimeout(
                member.code, f"no answer within {time_limit:g}s"
            ) from error
        except aiohttp.ClientConnectorError as error:
            raise MemberUnavailable(member.code, "connection refused") from error
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as error:
            raise MemberUnavailable(
                member.code, "connection lost mid-answer"
            ) from error
        except aiohttp.ClientError as error:
            raise MemberUnavailable(member.code, type(error).__name__) from error
        return _read_answer(member.code, status, body)


def _read_answer(member: str, status: int, body: bytes) -> MemberAnswer:
    if status == 401:
        raise MemberFailed(member, "it refused the gateway's identity (HTTP 401)")
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        reason = f"HTTP {status}" if status >= 400 else "the answer is not JSON"
        raise MemberFailed(member, reason) from error
    if not isinstance(document, dict) or not (
        "data" in document or "errors" in document
    ):
        raise MemberFailed(member, f"HTTP {status}, not a GraphQL response")
    data = document.get("data")
    errors = document.get("errors") or []
    if status >= 400 and data is None and not errors:
        raise MemberFailed(member, f"HTTP {status}")
    return MemberAnswer(data if isinstance(data, dict) else None, list(errors))
