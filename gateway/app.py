"""The gateway's HTTP edge: ``POST /graphql``, ``/health`` and ``/ready``.

The app owns the long-lived parts: the member connection pool, the member
registry, and the engine with its plan cache. ``/graphql`` itself is
:mod:`.endpoint`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from opentelemetry.trace import TracerProvider
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fulfillment_network.identity import GatewaySigner
from fulfillment_network.tracing import tracer

from .composition.contract import Contract
from .composition.registry import MemberRegistry, MemberStatus
from .composition.watch import watch_network_file
from .config import NetworkConfig
from .endpoint import GraphQLEndpoint
from .engine import Engine
from .errors import ConfigurationError
from .members.breaker import Breakers
from .members.client import MemberClient
from .security.authentication import Authenticator
from .security.persisted import PersistedQueries
from .security.rate_limit import RateLimiter
from .telemetry.metrics import GatewayMetrics

__all__ = ["create_app"]

logger = logging.getLogger("gateway")


class _ORJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def create_app(
    network: NetworkConfig,
    *,
    network_file: Path | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Starlette:
    """The gateway for ``network``.

    :param network_file: where ``network`` was read from; when given, the
        file is watched and a changed file is taken without a restart.
    :param tracer_provider: where its spans go (default: the process's).
    """
    spans = tracer("fulfillment-network.gateway", tracer_provider)
    contract = Contract.load(network.settings.contract)
    metrics = GatewayMetrics()
    engine = Engine(
        contract.schema,
        production=network.settings.production,
        reject_unauthorized=network.settings.unauthorized == "reject",
        metrics=metrics,
    )
    settings = network.settings
    endpoint = GraphQLEndpoint(
        engine,
        network,
        persisted=PersistedQueries(_safelist(settings.safelist)),
        rate_limiter=(
            RateLimiter(settings.rate_limit, settings.rate_burst)
            if settings.rate_limit > 0
            else None
        ),
        metrics=metrics,
        tracing=spans,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        signer = (
            GatewaySigner.from_file(settings.signing_key)
            if settings.signing_key
            else None
        )
        breakers = Breakers(
            settings.breaker_failures,
            settings.breaker_cool_off,
            on_skip=metrics.member_skipped,
        )
        client = MemberClient.open(signer, metrics, spans, breakers)
        registry = MemberRegistry(network, contract, client)
        metrics.watch(
            plan_cache=lambda: (engine.plans.hits, engine.plans.misses),
            members_up=lambda: {
                code: state.status is MemberStatus.LOADED
                for code, state in registry.states.items()
            },
            members_skipped=breakers.skipped,
        )
        app.state.client, app.state.registry = client, registry
        keys_session = aiohttp.ClientSession()
        authenticator = Authenticator(network.issuers, keys_session)
        endpoint.attach(registry, client, authenticator)
        await registry.start()
        # What start-up built (schema, plans' templates, connections) lives as
        # long as the process; keeping it out of the collector's full passes
        # avoids pauses of tens of milliseconds under load.
        gc.freeze()
        watcher = (
            asyncio.create_task(watch_network_file(network_file, registry))
            if network_file
            else None
        )
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
                await asyncio.gather(watcher, return_exceptions=True)
            await registry.stop()
            await client.close()
            await keys_session.close()

    async def health(request: Request) -> Response:
        return _ORJSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        registry: MemberRegistry = request.app.state.registry
        members = {
            code: {"status": state.status.value, "problem": state.problem}
            for code, state in registry.states.items()
        }
        status = 200 if registry.ready else 503
        return _ORJSONResponse({"ready": registry.ready, "members": members}, status)

    app = Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            Route("/health", health),
            Route("/ready", ready),
        ],
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.metrics = metrics
    return app


def _safelist(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    try:
        listed = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise ConfigurationError(f"cannot read the safelist {path}: {error}") from error
    if not isinstance(listed, dict):
        raise ConfigurationError(f"the safelist {path} must map hashes to documents")
    return {str(digest): str(document) for digest, document in listed.items()}
