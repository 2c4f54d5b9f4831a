"""The gateway's Prometheus metrics.

One registry per app, so that several gateways in one process (tests) keep
their own counts. Labels name members, HTTP statuses, outcomes and error
codes only: nothing a client chooses (operation names, variables) and
nothing about a person, so that a scrape holds no personal data and its
size does not grow with the traffic.

::

    gateway_requests_total{status, outcome}      outcome: ok, partial, error
    gateway_request_duration_seconds             from the body read to the answer
    gateway_member_calls_total{member, outcome}  ok, timeout, unavailable, failed,
                                                 skipped (not made: breaker open)
    gateway_member_call_duration_seconds{member}
    gateway_refused_fields_total{code}           UNAUTHENTICATED, FORBIDDEN
    gateway_plan_cache_hits_total, gateway_plan_cache_misses_total
    gateway_member_up{member}                    1 while its schema is loaded
    gateway_member_skipped{member}               1 while its breaker is open
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["GatewayMetrics"]

# Seconds: from a quick routed call to the request deadline's order.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class GatewayMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._requests = Counter(
            "gateway_requests",
            "Client requests answered, by HTTP status and outcome",
            ["status", "outcome"],
            registry=self.registry,
        )
        self._request_seconds = Histogram(
            "gateway_request_duration_seconds",
            "Time to answer a client request",
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self._member_calls = Counter(
            "gateway_member_calls",
            "Calls to members, by member and outcome",
            ["member", "outcome"],
            registry=self.registry,
        )
        self._member_seconds = Histogram(
            "gateway_member_call_duration_seconds",
            "Time a member took to answer",
            ["member"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self._refused = Counter(
            "gateway_refused_fields",
            "Fields refused to a caller before any member was asked",
            ["code"],
            registry=self.registry,
        )

        # Label children by their labels: a dict lookup per observation
        # instead of the client library's locked one.
        self._children: dict[tuple[str, ...], tuple[Any, Any]] = {}

    def request(self, status: int, outcome: str, seconds: float) -> None:
        key = ("request", str(status), outcome)
        children = self._children.get(key)
        if children is None:
            children = self._requests.labels(str(status), outcome), None
            self._children[key] = children
        children[0].inc()
        self._request_seconds.observe(seconds)

    def member_call(self, member: str, outcome: str, seconds: float) -> None:
        key = ("member", member, outcome)
        children = self._children.get(key)
        if children is None:
            children = (
                self._member_calls.labels(member, outcome),
                self._member_seconds.labels(member),
            )
            self._children[key] = children
        calls, duration = children
        calls.inc()
        duration.observe(seconds)

    def member_skipped(self, member: str) -> None:
        """A call not made: the member's breaker is open. No duration."""
        self._member_calls.labels(member, "skipped").inc()

    def refused(self, codes: Iterable[str]) -> None:
        for code in codes:
            self._refused.labels(code).inc()

    def watch(
        self,
        plan_cache: Callable[[], tuple[int, int]],
        members_up: Callable[[], Mapping[str, bool]],
        members_skipped: Callable[[], Iterable[str]] = tuple,
    ) -> None:
        """Counts read when scraped: the plan cache's (hits, misses), which
        members are loaded, and which are skipped after failing."""
        self.registry.register(_Scraped(plan_cache, members_up, members_skipped))


class _Scraped(Collector):
    def __init__(
        self,
        plan_cache: Callable[[], tuple[int, int]],
        members_up: Callable[[], Mapping[str, bool]],
        members_skipped: Callable[[], Iterable[str]],
    ) -> None:
        self.plan_cache = plan_cache
        self.members_up = members_up
        self.members_skipped = members_skipped

    def collect(self) -> Iterable[Any]:
        hits, misses = self.plan_cache()
        yield CounterMetricFamily(
            "gateway_plan_cache_hits", "Operations served from the plan cache", hits
        )
        yield CounterMetricFamily(
            "gateway_plan_cache_misses",
            "Operations parsed, validated and planned",
            misses,
        )
        up = GaugeMetricFamily(
            "gateway_member_up",
            "1 while the member's schema is loaded",
            labels=["member"],
        )
        members = self.members_up()
        for member, loaded in sorted(members.items()):
            up.add_metric([member], 1.0 if loaded else 0.0)
        yield up
        skipped = GaugeMetricFamily(
            "gateway_member_skipped",
            "1 while calls to the member are skipped after it kept failing",
            labels=["member"],
        )
        now_skipped = set(self.members_skipped())
        for member in sorted(members):
            skipped.add_metric([member], 1.0 if member in now_skipped else 0.0)
        yield skipped
