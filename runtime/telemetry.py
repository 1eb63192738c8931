"""Tracing: every process has a tracer provider, so every request and message belongs to a trace whose id
the response and the log lines carry; spans leave the process (OTLP/gRPC, to Grafana Tempo) only when
OTEL_EXPORTER_OTLP_ENDPOINT is set. The trace context rides in NATS headers from one worker to the next.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

PROPAGATOR = TraceContextTextMapPropagator()
TRACE_ID_HEADER = "X-Trace-Id"


def tracer_provider(service_name: str) -> TracerProvider:
    """Spans with ids but no exporter: what a process traces with when nothing collects its spans. Unexported
    spans cost microseconds, and the ids still join a response to its log lines."""
    name = os.environ.get("OTEL_SERVICE_NAME", service_name)
    return TracerProvider(resource=Resource.create({"service.name": name}))


def tracer_provider_from_env(service_name: str) -> TracerProvider:
    """The process's provider; exporting over OTLP/gRPC when OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter
    and the batch processor read their other OTEL_* variables themselves, e.g. OTEL_BSP_SCHEDULE_DELAY)."""
    provider = tracer_provider(service_name)
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def trace_id_of(span_context: trace.SpanContext) -> str | None:
    """32 hex digits, as Tempo, the W3C traceparent and the log lines write a trace id; None for no trace."""
    return format(span_context.trace_id, "032x") if span_context.is_valid else None


def current_trace_id() -> str | None:
    return trace_id_of(trace.get_current_span().get_span_context())


def incoming_context(headers: Mapping[str, str]) -> Context:
    """The caller's trace (a W3C `traceparent` header), which a request or a message continues."""
    return PROPAGATOR.extract(headers)


def trace_id_in(headers: Mapping[str, str]) -> str | None:
    """The trace id a message's `traceparent` header names, before any span of this process exists."""
    return trace_id_of(trace.get_current_span(incoming_context(headers)).get_span_context())


def response_headers(span: trace.Span) -> dict[str, str]:
    """`traceparent` (W3C) and `X-Trace-Id` for a response, so a caller can find its trace and log lines."""
    headers: dict[str, str] = {}
    PROPAGATOR.inject(headers, context=trace.set_span_in_context(span))
    if (trace_id := trace_id_of(span.get_span_context())) is not None:
        headers[TRACE_ID_HEADER] = trace_id
    return headers


def exemplar() -> dict[str, str] | None:
    """The current trace as a Prometheus exemplar: Grafana links a latency observation to its trace in Tempo."""
    return {"trace_id": trace_id} if (trace_id := current_trace_id()) is not None else None
