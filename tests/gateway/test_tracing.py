"""One trace per client request, across the gateway and the members it asks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind, StatusCode

from fulfillment_network.demo import demo_patron

from ..network import RunningNetwork, running_network

SEARCH = '{ search(text: "history", first: 3) { bibRecord { title } } }'
# A client's own trace: the gateway's request span is its child.
CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c"
CLIENT_PARENT = "b7ad6b7169203331"


@dataclass
class Traced:
    network: RunningNetwork
    spans: InMemorySpanExporter

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())


@pytest.fixture
async def traced(catalogues: str) -> AsyncIterator[Traced]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with running_network(catalogues, tracer_provider=provider) as network:
        exporter.clear()  # the gateway's schema loads at start
        yield Traced(network, exporter)


async def test_a_search_is_one_trace_through_the_gateway_and_every_member(
    traced: Traced,
) -> None:
    await traced.network.data(SEARCH)

    spans = traced.finished()
    [request] = [s for s in spans if s.name == "graphql request"]
    calls = [s for s in spans if s.name == "member call"]
    served = [s for s in spans if s.name == "member graphql"]
    assert request.kind is SpanKind.SERVER
    assert request.attributes is not None
    assert request.attributes["fulfillment_network.outcome"] == "ok"
    assert {s.attributes["fulfillment_network.member"] for s in calls} == {  # type: ignore[index]
        "TSTA",
        "TSTB",
        "TSTC",
    }
    trace_id = request.context.trace_id
    for call in calls:
        assert call.context.trace_id == trace_id
        assert call.parent is not None
        assert call.parent.span_id == request.context.span_id
    # Each member's span is the child of the gateway's call to it.
    by_call = {call.context.span_id: call for call in calls}
    assert len(served) == 3
    for member_span in served:
        assert member_span.parent is not None
        call = by_call[member_span.parent.span_id]
        assert member_span.attributes == {
            "fulfillment_network.member": call.attributes["fulfillment_network.member"],  # type: ignore[index]
            "http.response.status_code": 200,
        }


async def test_a_clients_trace_context_is_the_parent(traced: Traced) -> None:
    await traced.network.query(
        SEARCH,
        headers={"traceparent": f"00-{CLIENT_TRACE}-{CLIENT_PARENT}-01"},
    )

    [request] = [s for s in traced.finished() if s.name == "graphql request"]
    assert f"{request.context.trace_id:032x}" == CLIENT_TRACE
    assert request.parent is not None
    assert f"{request.parent.span_id:016x}" == CLIENT_PARENT


async def test_a_stopped_member_is_an_error_span_and_spans_hold_nothing_personal(
    traced: Traced,
) -> None:
    await traced.network.stop_member("TSTB")
    robin = demo_patron("TSTA", 1)

    await traced.network.query(SEARCH)
    await traced.network.query(
        "query ($p: ID!) { patron(id: $p) { name } }",
        {"p": robin.id},
        token=traced.network.patron_token("TSTA", 1),
    )

    spans = traced.finished()
    [failed] = [
        s
        for s in spans
        if s.name == "member call"
        and s.attributes is not None
        and s.attributes["fulfillment_network.member"] == "TSTB"
    ]
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.attributes is not None
    assert failed.attributes["fulfillment_network.outcome"] == "unavailable"
    recorded = repr([(s.name, s.attributes, s.events) for s in spans])
    assert robin.id not in recorded
    assert "Robin" not in recorded
    assert "history" not in recorded
