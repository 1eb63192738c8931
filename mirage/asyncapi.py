"""The AsyncAPI document of the pipeline, generated from the workers' real subscribers."""

from __future__ import annotations

from typing import Any

from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI

from contracts.chain import CHAIN
from mirage.delivery import DeliveryPolicy
from workers.ingest.handlers import build_router as ingest_router
from workers.ingest.services import IngestServices
from workers.retrieve.handlers import RetrieveServices
from workers.retrieve.handlers import build_router as retrieve_router


def documented_broker() -> NatsBroker:
    """A broker with every worker's subscribers and the gateway's publishers; never connected."""
    broker = NatsBroker("nats://localhost:4222")
    unused = dict.fromkeys(("embedder", "lexical", "detector", "store", "catalog", "uploads", "bus"))
    policy = DeliveryPolicy(max_deliver=5, ack_wait_s=30)
    broker.include_router(ingest_router(IngestServices(**unused), policy))  # type: ignore[arg-type]
    broker.include_router(retrieve_router(RetrieveServices(embedder=None, lexical=None, detector=None, store=None)))  # type: ignore[arg-type]
    for link in CHAIN:
        if link.kind != "request":
            broker.publisher(link.subject, schema=link.message, title=f"{link.publisher}:{link.subject}",
                             description=f"{link.message.__doc__ or ''} Published by {link.publisher}, consumed by {link.consumer}.")
    return broker


def asyncapi_document() -> dict[str, Any]:
    spec = AsyncAPI(
        documented_broker(), title="MIRAGE event pipeline", version="0.1.0",
        description="Subjects, messages and consumers of MIRAGE, generated from the code (contracts/ and workers/).",
    )
    return spec.to_specification().to_jsonable()
