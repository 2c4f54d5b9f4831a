"""Traces across the network, by OpenTelemetry.

The gateway opens a span for each client request and one for each member
call, and passes the W3C trace context on to the member, whose span for the
call joins the same trace. The code uses the OpenTelemetry API only: with no
SDK configured, every span is a no-op. ``serve-gateway --trace-endpoint`` and
``serve-member --trace-endpoint`` configure one that sends spans over
OTLP/HTTP (``pip install 'fulfillment-network[tracing]'``).

Spans carry members, institutions, statuses and outcomes; never a query's
text, its variables or anything about a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Tracer, TracerProvider

__all__ = ["configure_tracing", "context_from", "headers_with_context", "tracer"]


def tracer(name: str, provider: TracerProvider | None = None) -> Tracer:
    """A tracer from ``provider``, or from the process's (a no-op one unless
    an SDK was configured)."""
    return (provider or trace.get_tracer_provider()).get_tracer(name)


def context_from(headers: Iterable[tuple[bytes, bytes]]) -> Context:
    """The trace context an ASGI request's headers carry (W3C traceparent)."""
    carrier = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in headers
        if name in (b"traceparent", b"tracestate")
    }
    return propagate.extract(carrier)


def headers_with_context(headers: dict[str, str]) -> Mapping[str, str]:
    """``headers`` with the current span's trace context added."""
    propagate.inject(headers)
    return headers


def configure_tracing(service: str, endpoint: str) -> None:
    """Send this process's spans to an OTLP/HTTP collector at ``endpoint``."""
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter,
        )
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as error:
        raise RuntimeError(
            "tracing needs the OpenTelemetry SDK and exporter:"
            " pip install 'fulfillment-network[tracing]'"
        ) from error
    provider = SdkTracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
