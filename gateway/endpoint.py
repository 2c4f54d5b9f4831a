"""GraphQL over HTTP at the gateway: ``POST /graphql`` as a plain ASGI app.

It reads the body within its limit, checks the request's form, hands the
operation to the engine, and writes the JSON answer. Written against ASGI
directly because it is the hot path: no request or response objects.
"""

from __future__ import annotations

import logging
import time
import traceback
import zlib
from typing import Any

import orjson
from graphql import ExecutionResult, GraphQLError
from opentelemetry.trace import SpanKind, StatusCode, Tracer
from starlette.responses import HTMLResponse
from starlette.types import Receive, Scope, Send

from fulfillment_network.tracing import context_from, tracer

from .composition.registry import MemberRegistry
from .config import NetworkConfig
from .engine import Engine
from .execution.state import RequestState
from .members.client import MemberClient
from .security.authentication import AuthenticationFailed, Authenticator, Caller
from .security.persisted import PersistedQueries
from .security.rate_limit import RateLimiter
from .telemetry.metrics import GatewayMetrics

__all__ = ["MAX_BODY_BYTES", "GraphQLEndpoint"]

logger = logging.getLogger("gateway")

# Bodies larger than this are refused before they are parsed.
MAX_BODY_BYTES = 1_000_000

_JSON_HEADERS = [(b"content-type", b"application/json")]


class _Refused(Exception):
    """The request cannot be run; answered with an HTTP error."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: tuple[tuple[bytes, bytes], ...] = (),
        code: str = "BAD_REQUEST",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers
        self.code = code


class GraphQLEndpoint:
    def __init__(
        self,
        engine: Engine,
        network: NetworkConfig,
        *,
        persisted: PersistedQueries | None = None,
        rate_limiter: RateLimiter | None = None,
        metrics: GatewayMetrics | None = None,
        tracing: Tracer | None = None,
    ) -> None:
        self.engine = engine
        self.network = network
        self.persisted = persisted or PersistedQueries()
        self.rate_limiter = rate_limiter
        self.metrics = metrics
        self.tracer = tracing or tracer("fulfillment-network.gateway")
        self.registry: MemberRegistry | None = None
        self.client: MemberClient | None = None
        self.authenticator: Authenticator | None = None

    def attach(
        self,
        registry: MemberRegistry,
        client: MemberClient,
        authenticator: Authenticator,
    ) -> None:
        """Give the endpoint the members and the issuers' keys, once the app
        has started."""
        self.registry, self.client = registry, client
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A client's trace context, if it sends one, is the request's parent.
        with self.tracer.start_as_current_span(
            "graphql request",
            context=context_from(scope["headers"]),
            kind=SpanKind.SERVER,
        ) as span:
            status, outcome = await self._answer(scope, receive, send)
            span.set_attribute("http.response.status_code", status)
            span.set_attribute("fulfillment_network.outcome", outcome)
            if status >= 500 or outcome == "error":
                span.set_status(StatusCode.ERROR, outcome)

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send
    ) -> tuple[int, str]:
        """Answer the request; its HTTP status and outcome."""
        started = time.perf_counter()
        try:
            if scope["method"] == "GET":
                await self._ide(scope, receive, send)
                return 200, "ok"
            if scope["method"] != "POST":
                raise _Refused(405, "use POST for GraphQL")
            caller = await self._authenticate(scope)
            self._check_rate(scope, caller)
            status, headers, payload = (
                200,
                _JSON_HEADERS,
                await self._run(scope, receive, caller),
            )
        except _Refused as refused:
            status = refused.status
            payload = _request_error(refused.message, refused.code)
            headers = [*_JSON_HEADERS, *refused.headers]
        except Exception as error:  # noqa: BLE001 - the request's last guard
            # A fault of the gateway's own: the client learns only that, and
            # the log gets where it happened but not the exception's text,
            # which may quote the request.
            logger.error(
                "request failed: %s\n%s",
                type(error).__name__,
                "".join(traceback.format_tb(error.__traceback__)),
            )
            status, headers = 500, _JSON_HEADERS
            payload = _request_error("Internal server error", "INTERNAL_SERVER_ERROR")
        await send(
            {"type": "http.response.start", "status": status, "headers": headers}
        )
        await send({"type": "http.response.body", "body": orjson.dumps(payload)})
        outcome = (
            "ok"
            if "errors" not in payload
            else ("partial" if payload.get("data") else "error")
        )
        if self.metrics is not None:
            self.metrics.request(status, outcome, time.perf_counter() - started)
        return status, outcome

    async def _authenticate(self, scope: Scope) -> Caller | None:
        if self.authenticator is None:
            raise _Refused(503, "the gateway is starting")
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        try:
            return await self.authenticator.authenticate(header or None)
        except AuthenticationFailed as refused:
            challenge = ((b"www-authenticate", b'Bearer error="invalid_token"'),)
            raise _Refused(401, str(refused), challenge, "UNAUTHENTICATED") from refused

    async def _run(
        self, scope: Scope, receive: Receive, caller: Caller | None
    ) -> dict[str, Any]:
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip()
        if content_type != b"application/json":
            raise _Refused(415, "POST /graphql takes application/json")
        body = await _read_limited(receive, headers.get(b"content-length"))
        body = _decoded(body, headers.get(b"content-encoding", b"identity"))
        query, variables, operation_name, extensions = _operation(body)
        try:
            query = self.persisted.resolve(query, extensions)
        except GraphQLError as refused:
            return {"errors": [refused.formatted]}
        if self.registry is None or self.client is None:
            raise _Refused(503, "the gateway is starting")
        state = RequestState(
            registry=self.registry,
            client=self.client,
            raw_variables=variables,
            caller=caller,
        )
        result = await self.engine.run(state, query, operation_name)
        return _format(result, state)

    def _check_rate(self, scope: Scope, caller: Caller | None) -> None:
        if self.rate_limiter is None:
            return
        # A signed-in caller is counted as itself wherever it calls from.
        address = scope.get("client")
        who = (
            f"{caller.issuer} {caller.subject}"
            if caller is not None
            else (address[0] if address else "unknown")
        )
        wait = self.rate_limiter.wait_for(who)
        if wait > 0:
            retry = RateLimiter.retry_after(wait).encode()
            retry_after = ((b"retry-after", retry),)
            raise _Refused(429, "too many requests", retry_after, "RATE_LIMITED")

    async def _ide(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.network.settings.production:
            raise _Refused(405, "use POST for GraphQL; the IDE is off in production")
        from strawberry.http.ides import get_graphql_ide_html

        await HTMLResponse(get_graphql_ide_html("graphiql"))(scope, receive, send)


async def _read_limited(receive: Receive, declared: bytes | None) -> bytes:
    """The body; refused as soon as it is known to exceed the limit."""
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _Refused(413, f"the request body exceeds {MAX_BODY_BYTES} bytes")
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _Refused(413, f"the request body exceeds {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _decoded(body: bytes, encoding: bytes) -> bytes:
    """The body as sent, or gunzipped, within the same limit after decompression:
    a small compressed body cannot become a large one."""
    encoding = encoding.strip().lower()
    if encoding in (b"identity", b""):
        return body
    if encoding != b"gzip":
        raise _Refused(415, "only gzip content encoding is accepted")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        plain = inflater.decompress(body, MAX_BODY_BYTES + 1)
    except zlib.error as error:
        raise _Refused(400, "the gzip body is damaged") from error
    if len(plain) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise _Refused(413, f"the request body exceeds {MAX_BODY_BYTES} bytes unpacked")
    return plain


def _operation(
    body: bytes,
) -> tuple[str | None, dict[str, Any], str | None, dict[str, Any]]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise _Refused(400, "the request body is not valid JSON") from error
    if not isinstance(document, dict):
        raise _Refused(400, "the request needs a query string")
    query = document.get("query")
    extensions = document.get("extensions") or {}
    if not isinstance(query, str | None) or not isinstance(extensions, dict):
        raise _Refused(400, "the request needs a query string")
    if query is None and "persistedQuery" not in extensions:
        raise _Refused(400, "the request needs a query string")
    variables = document.get("variables") or {}
    operation_name = document.get("operationName")
    if not isinstance(variables, dict) or not isinstance(operation_name, str | None):
        raise _Refused(400, "variables must be an object, operationName a string")
    return query, variables, operation_name, extensions


def _request_error(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def _format(result: ExecutionResult, state: RequestState) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(result.formatted)
    formatted["extensions"] = {"members": state.member_outcomes}
    return formatted
