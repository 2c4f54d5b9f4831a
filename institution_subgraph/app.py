"""The member's ASGI application: GraphQL on /graphql, liveness on /health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry import Schema
from strawberry.asgi import GraphQL

from .api.context import Institution, RequestContext
from .api.schema import schema
from .clock import Clock, SystemClock
from .settings import MemberSettings
from .storage.institution import open_institution_pool

__all__ = ["create_app"]


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
        return RequestContext(
            pool=self.pool,
            institution=self.institution,
            clock=self.clock,
            local_user_group=self.local_user_group,
        )


def create_app(
    settings: MemberSettings, schema: Schema = schema, clock: Clock | None = None
) -> Starlette:
    """The member's app; ``schema`` is the contract's unless a test extends
    it, and ``clock`` the wall clock unless a test moves time."""
    graphql = _MemberGraphQL(settings, schema, clock or SystemClock())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        graphql.pool = await open_institution_pool(
            settings.server_dsn,
            settings.institution,
            settings.name,
            max_size=settings.pool_size,
        )
        try:
            yield
        finally:
            await graphql.pool.close()

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "institution": settings.institution})

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/health", health),
        ],
        lifespan=lifespan,
    )
