"""The review desk and deadlines on a real nats-server: claims, verdicts, releases and rejections reach the asker."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from contracts import subjects, topology
from contracts.documents import DocumentRecord, DocumentStatus
from contracts.envelope import utcnow
from contracts.questions import (
    Citation,
    DraftAnswer,
    LanguageDetection,
    QueryStatus,
    ReviewRequested,
    RiskAssessment,
    RiskCategory,
    RiskFinding,
    RiskLevel,
)
from contracts.review import Actor, CaseStatus, Decision, ReviewCommand
from gateway.errors import ApiError
from gateway.review import Reviews
from mirage.pipeline import start_pipeline
from tests.jetstream_helpers import count_messages, wait_for

ALICE = Actor(name="alice", role="reviewer", authenticated_by="api_key")
BOB = Actor(name="bob", role="reviewer", authenticated_by="api_key")
ADMIN = Actor(name="root", role="admin", authenticated_by="api_key")


def parked(category: RiskCategory = RiskCategory.dosage, level: RiskLevel = RiskLevel.high, language: str = "fr",
           cites: str | None = None) -> ReviewRequested:
    query_id = uuid4().hex
    citations = [Citation(document_id=cites, chunk_id="c1", quote="2,5 ml par dose", language=language)] if cites else []
    finding = RiskFinding(category=category, level=level, triggers=["dose"], source="question")
    return ReviewRequested(
        correlation_id=query_id, query_id=query_id, query="Quelle dose pour mon enfant ?", answer_language=language,
        detection=LanguageDetection(language=language, confidence=0.9), search_query="dose enfant", translation_backend="none",
        draft=DraftAnswer(text="Extrait : « 2,5 ml par dose » [1]", language=language, answered=True, backend="extractive",
                          citations=citations),
        assessment=RiskAssessment(level=level, findings=[finding], policy="held_topic: dosage", route="review", classifier="test"),
        notice="held",
    )


async def park(runtime, event: ReviewRequested) -> None:  # noqa: ANN001
    await runtime.bus.publish(event, subjects.for_query(subjects.REVIEW_REQUESTED, event.query_id))
    await wait_for(lambda: runtime.reviews.get(event.query_id), timeout=10)


async def test_one_reviewer_holds_a_case_and_only_one_verdict_counts(settings_factory) -> None:
    settings = settings_factory()
    runtime = await start_pipeline(settings, settings.nats_url, ["review", "ledger"])
    desk = Reviews(runtime)
    try:
        event = parked()
        await park(runtime, event)
        claimed = await desk.command(ReviewCommand(action="claim", query_id=event.query_id, actor=ALICE))
        assert claimed.status is CaseStatus.claimed and claimed.claim.holder.name == "alice"
        try:
            await desk.command(ReviewCommand(action="decide", query_id=event.query_id, actor=BOB, decision=Decision.approved))
            raise AssertionError("bob decided a case alice holds")
        except ApiError as refused:
            assert refused.status == 409 and refused.code == "claimed" and "alice" in refused.detail
        rejected = await desk.command(ReviewCommand(action="decide", query_id=event.query_id, actor=ALICE, decision=Decision.rejected,
                                                    reason="dosing for a child needs the child's weight"))
        assert rejected.status is CaseStatus.rejected and rejected.draft == event.draft  # the draft is never overwritten
        try:
            await desk.command(ReviewCommand(action="decide", query_id=event.query_id, actor=ALICE, decision=Decision.approved))
            raise AssertionError("a second verdict was accepted")
        except ApiError as refused:
            assert refused.status == 409 and refused.code == "already_decided" and "rejected by alice" in refused.detail
        record = await wait_for(lambda: settled(runtime, event.query_id), timeout=10)
        assert record.status is QueryStatus.rejected and "médecin" in record.notice and record.answer is None
        js = runtime.broker.connection.jetstream()
        assert await count_messages(js, topology.QUESTIONS.name, subjects.for_query(subjects.REVIEW_DECIDED, event.query_id)) == 1
        assert await count_messages(js, topology.QUESTIONS.name, subjects.for_query(subjects.ANSWER_REJECTED, event.query_id)) == 1
        assert [entry.action for entry in rejected.history] == ["parked", "claimed", "rejected"]
    finally:
        await runtime.stop()


async def test_an_edited_answer_is_released_with_its_citations_and_a_claim_can_be_released_by_an_admin(settings_factory) -> None:
    settings = settings_factory()
    runtime = await start_pipeline(settings, settings.nats_url, ["review", "ledger"])
    desk = Reviews(runtime)
    try:
        event = parked(language="en")
        await park(runtime, event)
        await desk.command(ReviewCommand(action="claim", query_id=event.query_id, actor=BOB))
        released = await desk.command(ReviewCommand(action="release", query_id=event.query_id, actor=ADMIN))
        assert released.claim is None and released.status is CaseStatus.pending
        edited = await desk.command(ReviewCommand(action="decide", query_id=event.query_id, actor=ALICE, decision=Decision.edited,
                                                  reason="weight-based dosing", answer="Ask your pharmacist for a weight-based dose [1]"))
        assert edited.status is CaseStatus.edited and edited.verdict.answer.startswith("Ask your pharmacist")
        record = await wait_for(lambda: settled(runtime, event.query_id), timeout=10)
        assert record.status is QueryStatus.answered and record.answer.text.startswith("Ask your pharmacist")
        assert record.review.reviewer == "alice" and record.review.decision == "edited"
        assert "reviewed by a healthcare professional" in record.answer.notice
    finally:
        await runtime.stop()


async def test_a_deadline_escalates_and_the_maximum_age_expires_never_approves(settings_factory) -> None:
    settings = settings_factory(review_deadline_critical_s=0.2, review_max_age_s=3600, review_sweep_s=0.2)
    runtime = await start_pipeline(settings, settings.nats_url, ["review", "ledger"])
    try:
        event = parked(category=RiskCategory.self_harm, level=RiskLevel.critical)
        await park(runtime, event)
        escalated = await wait_for(lambda: escalated_case(runtime, event.query_id), timeout=20)
        assert escalated.status is CaseStatus.escalated and escalated.history[-1].actor.name == "mirage"
    finally:
        await runtime.stop()
    expiring = settings.model_copy(update={"review_max_age_s": 0.5})
    runtime = await start_pipeline(expiring, expiring.nats_url, ["review", "ledger"])
    try:
        record = await wait_for(lambda: settled(runtime, event.query_id), timeout=20)
        assert record.status is QueryStatus.rejected and "3114" in record.notice  # self-harm: where to get help now
        case = await runtime.reviews.get(event.query_id)
        assert case.status is CaseStatus.expired and case.verdict.reviewer.name == "mirage"
    finally:
        await runtime.stop()


async def test_the_same_question_over_the_same_documents_gets_the_reviewed_answer_until_a_document_goes(settings_factory) -> None:
    settings = settings_factory()
    runtime = await start_pipeline(settings, settings.nats_url, ["review", "ledger"])
    desk = Reviews(runtime)
    leaflet = "f" * 64
    record = DocumentRecord(document_id=leaflet, status=DocumentStatus.indexed, filename="notice.txt", format="txt", size=1,
                            uploaded_at=utcnow(), chunks=3)
    try:
        await runtime.catalog.put(record)
        first = parked(cites=leaflet)
        await park(runtime, first)
        await desk.command(ReviewCommand(action="decide", query_id=first.query_id, actor=ALICE, decision=Decision.edited,
                                         reason="clearer", answer="Demandez la dose au pharmacien [1]"))
        again = parked(cites=leaflet)
        await park(runtime, again)
        answer = await wait_for(lambda: settled(runtime, again.query_id), timeout=10)
        assert answer.answer.text == "Demandez la dose au pharmacien [1]" and answer.review.reused_from == first.query_id
        assert answer.review.reviewer == "alice"  # labelled with the original review and its date
        await runtime.catalog.put(record.model_copy(update={"status": DocumentStatus.deleted, "deleted_at": utcnow()}))
        after_deletion = parked(cites=leaflet)
        await park(runtime, after_deletion)
        await asyncio.sleep(1.0)
        assert (await runtime.reviews.get(after_deletion.query_id)).status is CaseStatus.pending  # a new review it is
    finally:
        await runtime.stop()


async def settled(runtime, query_id: str):  # noqa: ANN001, ANN201
    record = await runtime.questions.get(query_id)
    return record if record is not None and record.status in (QueryStatus.answered, QueryStatus.rejected) else None


async def escalated_case(runtime, query_id: str):  # noqa: ANN001, ANN201
    case = await runtime.reviews.get(query_id)
    return case if case is not None and case.escalated else None
