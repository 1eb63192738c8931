"""Contracts: schemas are snapshotted, events are immutable facts, the chain is closed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts import subjects, topology
from contracts.chain import CHAIN, EVENT_TYPES
from contracts.documents import DocumentIndexed, DocumentRecord, DocumentUploaded
from contracts.index import IndexGenerations
from contracts.search import SearchRequest, SearchResponse

SNAPSHOTS = Path(__file__).parent / "snapshots"
MODELS = (*EVENT_TYPES, DocumentRecord, IndexGenerations, SearchRequest, SearchResponse)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_json_schema_matches_snapshot(model: type) -> None:
    """A contract change must show up in review: regenerate with MIRAGE_UPDATE_SNAPSHOTS=1."""
    path = SNAPSHOTS / f"{model.__name__}.json"
    schema = json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
    if os.environ.get("MIRAGE_UPDATE_SNAPSHOTS") == "1":
        path.write_text(schema)
    assert path.exists(), f"no snapshot for {model.__name__}; run with MIRAGE_UPDATE_SNAPSHOTS=1"
    assert path.read_text() == schema


def uploaded() -> DocumentUploaded:
    return DocumentUploaded(
        correlation_id="d" * 64, document_id="d" * 64, filename="a.pdf", format="pdf",
        blob={"bucket": topology.UPLOADS_BUCKET, "name": "d" * 64, "size": 10},
    )


def test_events_are_frozen_and_carry_an_envelope() -> None:
    event = uploaded()
    with pytest.raises(ValidationError):
        event.filename = "b.pdf"  # type: ignore[misc]
    assert event.version == 1 and event.occurred_at.tzinfo is not None
    assert event.headers()["Nats-Msg-Id"] == str(event.event_id)


def test_newer_producers_fields_are_ignored_by_older_consumers() -> None:
    payload = uploaded().model_dump(mode="json") | {"added_in_v2": "x"}
    assert DocumentUploaded.model_validate(payload).document_id == "d" * 64


def test_event_round_trips_through_json() -> None:
    event = DocumentIndexed(correlation_id="x", causation_id=uuid4(), document_id="x", chunks=3,
                            languages={"fr": 3}, embedder="use")
    assert DocumentIndexed.model_validate_json(event.model_dump_json()) == event


def test_every_chained_subject_is_captured_by_a_stream() -> None:
    for link in CHAIN:
        if link.kind != "request":
            concrete = link.subject.replace("*", "0" * 64).replace(">", "x")
            assert topology.stream_for(concrete) in topology.STREAMS
    with pytest.raises(LookupError):
        topology.stream_for("elsewhere.subject")


def test_every_durable_consumer_reads_a_subject_someone_publishes() -> None:
    published = {link.subject for link in CHAIN}
    for consumer in topology.CONSUMERS:
        for subject in consumer.subjects:
            assert subject in published, consumer.durable
            assert topology.stream_for(subject) == consumer.stream


def test_workers_subscribe_to_exactly_the_subjects_the_chain_gives_them() -> None:
    from mirage.asyncapi import documented_broker

    subscribed = {subject for sub in documented_broker().subscribers for subject in sub.filter_subjects or [sub.subject.template]}
    expected = {link.subject for link in CHAIN if link.kind != "outcome"}  # outcomes are followed by the gateway or an operator
    assert subscribed == expected


def test_outcome_subjects_name_the_document() -> None:
    assert subjects.for_document(subjects.DOCUMENT_INDEXED, "abc") == "mirage.document.indexed.abc"
    assert subjects.deadletter(subjects.DOCUMENT_UPLOADED) == "mirage.deadletter.document.uploaded"


def test_committed_asyncapi_document_is_current() -> None:
    """docs/asyncapi.json is generated from the code by `mirage asyncapi`; it must not go stale."""
    from mirage.asyncapi import asyncapi_document

    committed = json.loads((Path(__file__).parents[2] / "docs" / "asyncapi.json").read_text())
    assert committed == json.loads(json.dumps(asyncapi_document()))
