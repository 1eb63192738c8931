"""The question chain (translate → retrieve → generate → classify-risk → review / ledger) on FastStream's in-memory broker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from faststream.nats import NatsBroker, TestNatsBroker
from pydantic import BaseModel

from adapters.spaces import DENSE
from adapters.stores.edge import EdgeVectorStore
from adapters.stores.lexical import Bm25Encoder
from contracts import subjects, topology
from contracts.documents import BlobRef, DocumentUploaded
from contracts.envelope import Event, utcnow
from contracts.figures import Figures
from contracts.questions import (
    AnswerGenerated,
    AnswerReleased,
    ContextRetrieved,
    QueryReceived,
    QueryRecord,
    QueryStatus,
    QueryTranslated,
    ReviewRequested,
    RiskCategory,
    RiskLevel,
)
from contracts.review import ReviewCase
from contracts.topology import stream_for
from runtime.delivery import DeliveryPolicy
from tests.factories import SAMPLES, make_txt, prepare
from workers.classify_risk.handlers import ClassifyServices
from workers.classify_risk.handlers import build_router as classify_router
from workers.generate.extractive import ExtractiveGenerator
from workers.generate.handlers import GenerateServices
from workers.generate.handlers import build_router as generate_router
from workers.ledger.figures import tally as ledger_tally
from workers.ledger.handlers import LedgerServices
from workers.ledger.handlers import build_router as ledger_router
from workers.retrieve.handlers import RetrieveServices
from workers.retrieve.handlers import build_router as retrieve_router
from workers.review.handlers import build_router as review_router
from workers.review.services import ReviewServices
from workers.translate.handlers import TranslateServices
from workers.translate.handlers import build_router as translate_router


class MemoryRecords:
    """A KV bucket of pydantic records (questions, review cases) in a dict."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.records: dict[str, Any] = {}

    async def create(self, record: BaseModel) -> bool:
        if getattr(record, self.key) in self.records:
            return False
        self.records[getattr(record, self.key)] = record
        return True

    async def get(self, key: str) -> Any:
        return self.records.get(key)

    async def put(self, record: BaseModel) -> None:
        self.records[getattr(record, self.key)] = record

    async def update(self, key: str, change: Any) -> tuple[Any, Any]:
        before = self.records.get(key)
        after = change(before)
        if after is not None:
            self.records[key] = after
        return before, after if after is not None else before


class MemoryProjection:
    """The ledger's records and totals in memory (exactly-once over a stream is tested on nats-server, tests/runtime)."""

    def __init__(self, records: MemoryRecords) -> None:
        self.records, self.figures = records, Figures()

    async def apply(self, sequence: Any, key: str, change: Any, marks: Any = None) -> tuple[Any, Any]:
        before, after = await self.records.update(key, change)
        self.figures = self.figures.moved(ledger_tally(before), ledger_tally(after), utcnow())
        return before, after

    async def count_once(self, records: Any, add: Any) -> None:
        return None


class InMemoryBus:
    """The handlers' Publisher on the in-memory broker: each event reaches its subscribers at once, and is recorded."""

    def __init__(self, broker: NatsBroker) -> None:
        self.broker = broker
        self.published: list[tuple[str, Event]] = []

    async def publish(self, event: Event, subject: str) -> None:
        self.published.append((subject, event))
        await self.broker.publish(event, subject, headers=event.headers(), stream=stream_for(subject).name)

    async def publish_raw(self, subject: str, body: bytes, headers: dict[str, str]) -> None:
        await self.broker.publish(body, subject, headers=headers, stream=stream_for(subject).name)


@dataclass
class Chain:
    bus: InMemoryBus
    questions: MemoryRecords
    reviews: MemoryRecords

    async def ask(self, query: str, **fields: Any) -> QueryReceived:
        query_id = uuid4().hex
        event = QueryReceived(correlation_id=query_id, query_id=query_id, query=query, **fields)
        await self.bus.publish(event, subjects.QUERY_RECEIVED)
        return event

    def events_of(self, query_id: str) -> list[Event]:
        return [event for _, event in self.bus.published if event.correlation_id == query_id]


@pytest.fixture(scope="module")
def leaflet_store(tmp_path_factory: pytest.TempPathFactory, embedder, detector):  # noqa: ANN001, ANN201
    """A real Qdrant Edge index holding the English and French sample leaflets, indexed as ingest does."""
    store = EdgeVectorStore(Path(tmp_path_factory.mktemp("vectors")), embedder.dim)
    lexical = Bm25Encoder()
    for language in ("en", "fr"):
        data = make_txt(SAMPLES[language]["title"], SAMPLES[language]["sections"])
        uploaded = DocumentUploaded(correlation_id=f"leaflet-{language}", document_id=f"leaflet-{language}", filename=f"{language}.txt",
                                    format="txt", blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name=language, size=len(data)), metadata={})
        store.upsert(prepare(data, uploaded, embedders={DENSE: embedder}, lexical=lexical, detector=detector, max_chars=1000).points)
    yield store
    store.close()


@pytest.fixture
async def chain(leaflet_store, embedder, detector):  # noqa: ANN001, ANN201
    broker = NatsBroker()
    bus = InMemoryBus(broker)
    questions, reviews = MemoryRecords("query_id"), MemoryRecords("query_id")
    policy = DeliveryPolicy(max_deliver=3, ack_wait_s=30)
    routers = [
        translate_router(TranslateServices(detector=detector, bus=bus), policy),
        retrieve_router(RetrieveServices(embedders={DENSE: embedder}, lexical=Bm25Encoder(), detector=detector, store=leaflet_store, bus=bus),
                        policy),
        generate_router(GenerateServices(generator=ExtractiveGenerator(), bus=bus), policy),
        classify_router(ClassifyServices(bus=bus), policy),
        review_router(ReviewServices(cases=reviews), policy),
        ledger_router(LedgerServices(questions=questions, figures=(memory := MemoryProjection(questions)), projection=memory, bus=bus), policy),
    ]
    for router in routers:
        broker.include_router(router, middlewares=[policy.middleware(bus.publish_raw)])
    async with TestNatsBroker(broker):
        yield Chain(bus=bus, questions=questions, reviews=reviews)


def assert_traceable(events: list[Event], kinds: list[type[Event]]) -> None:
    assert [type(e) for e in events] == kinds
    for previous, event in zip(events, events[1:]):
        assert event.causation_id == previous.event_id, f"{type(event).__name__} is not caused by {type(previous).__name__}"
    assert len({e.event_id for e in events}) == len(events)


async def test_french_question_is_answered_with_citations_and_recorded(chain: Chain) -> None:
    asked = await chain.ask("Quels sont les effets secondaires du paracétamol ?")
    events = chain.events_of(asked.query_id)
    assert_traceable(events, [QueryReceived, QueryTranslated, ContextRetrieved, AnswerGenerated, AnswerReleased])
    released = events[-1]
    assert chain.bus.published[-1][0] == f"mirage.answer.released.{asked.query_id}"
    assert released.detection.language == "fr" and released.answer_language == "fr"
    assert released.passages and released.draft.answered and released.draft.language == "fr"
    assert released.draft.citations and {c.document_id for c in released.draft.citations} <= {"leaflet-en", "leaflet-fr"}
    assert released.assessment.route == "release"
    record: QueryRecord = chain.questions.records[asked.query_id]
    assert record.status is QueryStatus.answered and record.answer == released.draft and record.answer_language == "fr"
    assert chain.reviews.records == {}


async def test_risky_question_with_the_human_loop_is_parked_for_review(chain: Chain) -> None:
    asked = await chain.ask("effets secondaires pendant la grossesse", enable_human_loop=True)
    events = chain.events_of(asked.query_id)
    assert_traceable(events, [QueryReceived, QueryTranslated, ContextRetrieved, AnswerGenerated, ReviewRequested])
    assert chain.bus.published[-1][0] == f"mirage.review.requested.{asked.query_id}"
    case: ReviewCase = chain.reviews.records[asked.query_id]
    assert case.status == "pending" and case.question == asked.query and case.evidence == events[-1].passages
    assert RiskCategory.pregnancy in {f.category for f in case.assessment.findings} and case.assessment.route == "review"
    record: QueryRecord = chain.questions.records[asked.query_id]
    assert record.status is QueryStatus.pending_review and "professionnel de santé" in record.notice


async def test_critical_question_is_parked_even_without_the_human_loop(chain: Chain) -> None:
    asked = await chain.ask("I want to kill myself with paracetamol tablets", enable_human_loop=False)
    events = chain.events_of(asked.query_id)
    assert_traceable(events, [QueryReceived, QueryTranslated, ContextRetrieved, AnswerGenerated, ReviewRequested])
    case: ReviewCase = chain.reviews.records[asked.query_id]
    assert case.assessment.level is RiskLevel.critical and case.assessment.policy.startswith("critical")
    assert RiskCategory.self_harm in {f.category for f in case.assessment.findings}
    assert chain.questions.records[asked.query_id].status is QueryStatus.pending_review
    assert not any(isinstance(e, AnswerReleased) for _, e in chain.bus.published)
