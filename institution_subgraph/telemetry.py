"""What a member tells its operators: a span and a count for each call.

Each call to ``/graphql`` is a span in the trace of the gateway's call that
made it (the W3C trace context it carries), and is counted by HTTP status
with its duration; the database pool's size and idle connections are read
when scraped. Labels carry statuses only: nothing a caller sent and nothing
about a person. ``serve-member --metrics-port`` serves them.

::

    member_calls_total{institution, status}
    member_call_duration_seconds{institution}
    member_pool_connections{institution, state}   state: open, idle, max
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import asyncpg
from opentelemetry.trace import SpanKind, StatusCode, Tracer
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fulfillment_network.tracing import context_from

__all__ = ["MemberMetrics", "Observed"]

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class MemberMetrics:
    def __init__(self, institution: str, registry: CollectorRegistry | None = None):
        self.institution = institution
        self.registry = registry or CollectorRegistry()
        self._calls = Counter(
            "member_calls",
            "Calls answered, by HTTP status",
            ["institution", "status"],
            registry=self.registry,
        )
        self._seconds = Histogram(
            "member_call_duration_seconds",
            "Time to answer a call",
            ["institution"],
            buckets=_BUCKETS,
            registry=self.registry,
        ).labels(institution)

    def call(self, status: int, seconds: float) -> None:
        self._calls.labels(self.institution, str(status)).inc()
        self._seconds.observe(seconds)

    def watch_pool(self, pool: asyncpg.Pool) -> None:
        """Report the pool's connections when scraped."""
        self.registry.register(_Pool(self.institution, pool))


class _Pool(Collector):
    def __init__(self, institution: str, pool: asyncpg.Pool) -> None:
        self.institution = institution
        self.pool = pool

    def collect(self) -> Iterable[Any]:
        gauge = GaugeMetricFamily(
            "member_pool_connections",
            "Database connections: open, idle, and the most there may be",
            labels=["institution", "state"],
        )
        sizes = {
            "open": self.pool.get_size(),
            "idle": self.pool.get_idle_size(),
            "max": self.pool.get_max_size(),
        }
        for state, size in sizes.items():
            gauge.add_metric([self.institution, state], float(size))
        yield gauge


class Observed:
    """A span and a count for each call to the app it wraps."""

    def __init__(
        self, app: ASGIApp, spans: Tracer, metrics: MemberMetrics, institution: str
    ) -> None:
        self.app = app
        self.spans = spans
        self.metrics = metrics
        self.institution = institution

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with self.spans.start_as_current_span(
            "member graphql",
            context=context_from(scope.get("headers") or ()),
            kind=SpanKind.SERVER,
            attributes={"fulfillment_network.member": self.institution},
        ) as span:
            try:
                await self.app(scope, receive, send_status)
            finally:
                span.set_attribute("http.response.status_code", status)
                if status >= 400:
                    span.set_status(StatusCode.ERROR, f"HTTP {status}")
                self.metrics.call(status, time.perf_counter() - started)
