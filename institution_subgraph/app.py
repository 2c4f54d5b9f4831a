"""The member's ASGI application: GraphQL on /graphql, liveness on /health.

/graphql answers only calls that carry the gateway's identity for this
member (see :mod:`fulfillment_network.identity`), unless the member runs
without the gateway's key, which is for development.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from opentelemetry.trace import TracerProvider
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry import Schema
from strawberry.asgi import GraphQL

from fulfillment_network.identity import IdentityRefused, MemberGate
from fulfillment_network.tracing import tracer

from .api.context import Institution, RequestContext
from .api.schema import schema
from .clock import Clock, SystemClock
from .settings import MemberSettings
from .storage.institution import open_institution_pool
from .telemetry import MemberMetrics, Observed

__all__ = ["GatewayOnly", "create_app"]

# Where GatewayOnly leaves the caller the gateway named, in the ASGI scope's
# state: CALLER_CHECKED is True once the gateway's identity was verified.
CALLER = "caller"
CALLER_CHECKED = "caller_checked"

logger = logging.getLogger("institution_subgraph")


class _MemberGraphQL(GraphQL[RequestContext, None]):
    def __init__(self, settings: MemberSettings, schema: Schema, clock: Clock) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphql_ide else None,
            allow_queries_via_get=False,
        )
        self.institution = Institution(settings.institution, settings.name)
        self.clock = clock
        self.local_user_group = settings.local_user_group
        self.pool: asyncpg.Pool | None = None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        assert self.pool is not None, "the pool opens before the first request"
        state = request.scope.get("state") or {}
        return RequestContext(
            pool=self.pool,
            institution=self.institution,
            clock=self.clock,
            local_user_group=self.local_user_group,
            gatekept=state.get(CALLER_CHECKED, False),
            caller=state.get(CALLER),
        )


def create_app(
    settings: MemberSettings,
    schema: Schema = schema,
    clock: Clock | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Starlette:
    """The member's app; ``schema`` is the contract's unless a test extends
    it, ``clock`` the wall clock unless a test moves time, and its spans go
    to ``tracer_provider`` (default: the process's)."""
    graphql = _MemberGraphQL(settings, schema, clock or SystemClock())
    endpoint: ASGIApp = graphql
    if settings.gateway_key is not None:
        gate = MemberGate.from_file(settings.gateway_key, settings.institution)
        endpoint = GatewayOnly(graphql, gate)
    else:
        logger.warning("member accepts calls from anyone: no gateway key")
    metrics = MemberMetrics(settings.institution)
    endpoint = Observed(
        endpoint,
        tracer("fulfillment-network.member", tracer_provider),
        metrics,
        settings.institution,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        graphql.pool = await open_institution_pool(
            settings.server_dsn,
            settings.institution,
            settings.name,
            max_size=settings.pool_size,
        )
        metrics.watch_pool(graphql.pool)
        try:
            yield
        finally:
            await graphql.pool.close()

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "institution": settings.institution})

    app = Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            Route("/health", health),
        ],
        lifespan=lifespan,
    )
    app.state.metrics = metrics
    return app


class GatewayOnly:
    """Lets a call through only with the gateway's identity for this member."""

    def __init__(self, app: ASGIApp, gate: MemberGate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        try:
            caller = self.gate.caller(authorization or None)
        except IdentityRefused as refused:
            logger.warning("call refused", extra={"reason": str(refused)})
            body = {
                "errors": [
                    {"message": str(refused), "extensions": {"code": "UNAUTHENTICATED"}}
                ]
            }
            await JSONResponse(body, status_code=401)(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state[CALLER], state[CALLER_CHECKED] = caller, True
        await self.app(scope, receive, send)
