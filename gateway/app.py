"""The gateway's HTTP edge: ``POST /graphql``, ``/health`` and ``/ready``.

The app owns the long-lived parts (the member connection pool, the member
registry, the engine with its plan cache) and builds a fresh request state for every
operation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from graphql import ExecutionResult
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .composition.contract import Contract
from .composition.registry import MemberRegistry
from .composition.watch import watch_network_file
from .config import NetworkConfig
from .engine import Engine
from .execution.state import RequestState
from .members.client import MemberClient

__all__ = ["create_app"]

logger = logging.getLogger("gateway")

# Bodies larger than this are refused before they are parsed.
MAX_BODY_BYTES = 1_000_000


class _ORJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def create_app(
    network: NetworkConfig, *, network_file: Path | None = None
) -> Starlette:
    """The gateway for ``network``.

    :param network_file: where ``network`` was read from; when given, the
        file is watched and a changed file is taken without a restart.
    """
    contract = Contract.load(network.settings.contract)
    engine = Engine(contract.schema, production=network.settings.production)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client = MemberClient.open()
        registry = MemberRegistry(network, contract, client)
        app.state.client, app.state.registry = client, registry
        await registry.start()
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

    async def graphql(request: Request) -> Response:
        if request.method == "GET":
            return _ide(network)
        body = await _read_json_body(request)
        if isinstance(body, Response):
            return body
        state = RequestState(
            registry=request.app.state.registry,
            client=request.app.state.client,
            raw_variables=body["variables"],
        )
        result = await engine.run(state, body["query"], body["operationName"])
        return _ORJSONResponse(_format(result, state))

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
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/health", health),
            Route("/ready", ready),
        ],
        lifespan=lifespan,
    )
    app.state.engine = engine
    return app


async def _read_json_body(request: Request) -> dict[str, Any] | Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type != "application/json":
        return _request_error("POST /graphql takes application/json", 415)
    body = await _read_limited(request, MAX_BODY_BYTES)
    if body is None:
        return _request_error(f"the request body exceeds {MAX_BODY_BYTES} bytes", 413)
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _request_error("the request body is not valid JSON", 400)
    if not isinstance(document, dict) or not isinstance(document.get("query"), str):
        return _request_error("the request needs a query string", 400)
    variables = document.get("variables") or {}
    operation_name = document.get("operationName")
    if not isinstance(variables, dict) or not isinstance(operation_name, str | None):
        return _request_error(
            "variables must be an object, operationName a string", 400
        )
    return {
        "query": document["query"],
        "variables": variables,
        "operationName": operation_name,
    }


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to be longer than ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _request_error(message: str, status: int) -> Response:
    return _ORJSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]},
        status,
    )


def _format(result: ExecutionResult, state: RequestState) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(result.formatted)
    formatted["extensions"] = {"members": state.member_outcomes}
    return formatted


def _ide(network: NetworkConfig) -> Response:
    if network.settings.production:
        return _request_error("use POST for GraphQL; the IDE is off in production", 405)
    from strawberry.http.ides import get_graphql_ide_html

    return HTMLResponse(get_graphql_ide_html("graphiql"))
