"""The AsyncAPI document of the pipeline, generated from the workers' real subscribers."""

from __future__ import annotations

import dataclasses
from typing import Any

from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI

from contracts.chain import CHAIN
from runtime.delivery import DeliveryPolicy


def placeholder(services: type) -> Any:
    """A worker's services with nothing in them: building a router needs the seam, not the objects."""
    required = [f for f in dataclasses.fields(services) if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    return services(**{f.name: None for f in required})


def worker_routers() -> list[tuple[Any, type]]:
    from workers.audit.handlers import AuditServices
    from workers.audit.handlers import build_router as audit
    from workers.catalog.handlers import CatalogServices
    from workers.catalog.handlers import build_router as catalog
    from workers.classify_risk.handlers import ClassifyServices
    from workers.classify_risk.handlers import build_router as classify_risk
    from workers.generate.handlers import GenerateServices
    from workers.generate.handlers import build_router as generate
    from workers.ingest.handlers import build_router as ingest
    from workers.ingest.rebuild import ReindexServices
    from workers.ingest.rebuild import build_router as reindex
    from workers.ingest.services import IngestServices
    from workers.ledger.handlers import LedgerServices
    from workers.ledger.handlers import build_router as ledger
    from workers.retrieve.handlers import RetrieveServices
    from workers.retrieve.handlers import build_router as retrieve
    from workers.review.handlers import build_router as review
    from workers.review.services import ReviewServices
    from workers.translate.handlers import TranslateServices
    from workers.translate.handlers import build_router as translate

    return [(ingest, IngestServices), (reindex, ReindexServices), (catalog, CatalogServices), (translate, TranslateServices),
            (retrieve, RetrieveServices),
            (generate, GenerateServices),
            (classify_risk, ClassifyServices), (review, ReviewServices), (ledger, LedgerServices), (audit, AuditServices)]


def documented_broker() -> NatsBroker:
    """A broker with every worker's subscribers and the gateway's publishers; never connected."""
    broker = NatsBroker("nats://localhost:4222")
    policy = DeliveryPolicy(max_deliver=5, ack_wait_s=30)
    for build_router, services in worker_routers():
        broker.include_router(build_router(placeholder(services), policy))
    consumers: dict[tuple[str, str, type], list[str]] = {}
    for link in CHAIN:
        if link.kind != "request":
            consumers.setdefault((link.publisher, link.subject, link.message), []).append(link.consumer)
    for (publisher, subject, message), readers in consumers.items():
        broker.publisher(subject, schema=message, title=f"{publisher}:{subject}",
                         description=f"{message.__doc__ or ''} Published by {publisher}, consumed by {', '.join(readers)}.")
    return broker


def asyncapi_document() -> dict[str, Any]:
    spec = AsyncAPI(
        documented_broker(), title="MIRAGE event pipeline", version="0.1.0",
        description="Subjects, messages and consumers of MIRAGE, generated from the code (contracts/ and workers/).",
    )
    return spec.to_specification().to_jsonable()
