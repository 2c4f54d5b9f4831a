"""What the gateway's checks and telemetry cost per request, in microseconds.

Each piece is timed alone, in one process, against the same piece doing
nothing, and set beside a request through the gateway to ten members
(bench/fanout.py measures that: about 1.6 ms at p50 here):

- access: the guards of a Network Activity query checked for a patron,
  against a public search (no guards);
- member tokens: a token for (member, caller) from the signer's cache, and
  a new one;
- metrics: one request and ten member calls recorded;
- tracing: one request span and ten member-call spans, with no SDK (the
  default) and with an SDK that drops every span.

    python bench/overheads.py
"""

from __future__ import annotations

import sys
import timeit
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from graphql import OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, Tracer, use_span

from fulfillment_network.identity import Caller, GatewaySigner
from fulfillment_network.tracing import headers_with_context, tracer
from gateway.composition.contract import Contract
from gateway.security.authorization import AccessRules
from gateway.telemetry.metrics import GatewayMetrics

MEMBERS = [f"M{n:02d}" for n in range(10)]
REQUEST_MS = 1.6  # a gateway request to ten members, p50, bench/fanout.py


def _per_call_us(run: Callable[[], object], number: int = 20_000) -> float:
    return min(timeit.repeat(run, number=number, repeat=5)) / number * 1e6


def _access() -> tuple[float, float]:
    rules = AccessRules(Contract.load().schema)
    patron = Caller("s", "i", institution="ASH", patron="Patron:ASH:1")

    def checker(query: str, variables: dict[str, object]) -> Callable[[], object]:
        document = parse(query)
        operation = document.definitions[0]
        assert isinstance(operation, OperationDefinitionNode)
        assert rules.schema.query_type is not None
        guards = rules.guards(document, operation, rules.schema.query_type)
        values = get_variable_values(
            rules.schema, operation.variable_definitions or (), variables
        )
        assert not isinstance(values, list)
        return lambda: rules.refusals(guards, patron, values)

    public = checker('{ searchWorks(text: "x") { works { title } } }', {})
    guarded = checker(
        "query ($p: ID!) { networkActivity(patron: $p) {"
        " patron { name } accounts { account { loans { id } } } } }",
        {"p": "Patron:ASH:1"},
    )
    return _per_call_us(public), _per_call_us(guarded)


def _tokens() -> tuple[float, float]:
    signer = GatewaySigner(Ed25519PrivateKey.generate())
    caller = Caller("s", "i", institution="ASH")
    signer.token_for("ASH", caller)
    cached = _per_call_us(lambda: signer.token_for("ASH", caller))
    count = iter(range(10**9))
    fresh = _per_call_us(
        lambda: signer.token_for("ASH", Caller(f"s{next(count)}", "i")), 2_000
    )
    return cached, fresh


def _metrics() -> float:
    metrics = GatewayMetrics()

    def record() -> None:
        metrics.request(200, "ok", 0.0016)
        for member in MEMBERS:
            metrics.member_call(member, "ok", 0.0008)

    return _per_call_us(record)


def _spans(spans: Tracer) -> Callable[[], None]:
    def trace_request() -> None:
        with spans.start_as_current_span("graphql request", kind=SpanKind.SERVER):
            for member in MEMBERS:
                span = spans.start_span(
                    "member call",
                    kind=SpanKind.CLIENT,
                    attributes={"fulfillment_network.member": member},
                )
                with use_span(span):
                    headers_with_context({"content-type": "application/json"})
                span.set_attribute("fulfillment_network.outcome", "ok")
                span.end()

    return trace_request


def main() -> None:
    public, guarded = _access()
    cached, fresh = _tokens()
    metrics = _metrics()
    no_sdk = _per_call_us(_spans(tracer("bench")), 5_000)
    sdk = _per_call_us(_spans(tracer("bench", TracerProvider())), 5_000)
    rows = [
        ("access: public search (no guards)", public),
        ("access: Network Activity for a patron (4 guards)", guarded),
        ("member token, cached (per member call)", cached),
        ("member token, new (per member and caller, every 30 s)", fresh),
        ("metrics: a request and 10 member calls", metrics),
        ("tracing, no SDK: a request and 10 member calls", no_sdk),
        ("tracing, SDK without exporter: the same", sdk),
    ]
    lines = [
        f"Per request, against a {REQUEST_MS} ms request to 10 members.",
        "",
        "| what | us | share of the request |",
        "| --- | ---: | ---: |",
        *(
            f"| {what} | {us:.1f} | {us / (REQUEST_MS * 1000):.1%} |"
            for what, us in rows
        ),
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
