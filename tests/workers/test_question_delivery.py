"""The question chain on a real nats-server: a worker killed mid-question loses nothing, one that keeps failing fails it visibly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from adapters.spaces import DENSE
from adapters.stores.edge import EdgeVectorStore
from adapters.stores.lexical import Bm25Encoder
from contracts import subjects, topology
from contracts.documents import BlobRef, DocumentUploaded
from contracts.questions import QueryReceived, QueryRecord, QueryStatus
from gateway.questions import Questions
from mirage.deadletters import list_dead_letters
from mirage.pipeline import start_pipeline
from runtime.process import Components, Runtime
from runtime.settings import Settings
from tests.factories import SAMPLES, make_txt, prepare
from tests.jetstream_helpers import count_messages, wait_for
from tests.workers.generate.fakes import FakeApi, openai_reply

IN_PROCESS = ["translate", "retrieve", "classify-risk", "review", "ledger"]
QUESTION = "What are the side effects of paracetamol?"
LLM_ANSWER = "Paracetamol rarely causes side effects such as a skin rash [1]."




def leaflet_store(settings: Settings, embedder, detector) -> EdgeVectorStore:  # noqa: ANN001
    store = EdgeVectorStore(settings.vectors_dir, embedder.dim)
    data = make_txt(SAMPLES["en"]["title"], SAMPLES["en"]["sections"])
    uploaded = DocumentUploaded(correlation_id="leaflet-en", document_id="leaflet-en", filename="en.txt", format="txt",
                                blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name="en", size=len(data)), metadata={})
    store.upsert(prepare(data, uploaded, embedders={DENSE: embedder}, lexical=Bm25Encoder(), detector=detector, max_chars=1000).points)
    return store


def question(query: str = QUESTION) -> QueryReceived:
    query_id = uuid4().hex
    return QueryReceived(correlation_id=query_id, query_id=query_id, query=query)


async def status_of(runtime: Runtime, query_id: str) -> QueryStatus:
    return (await runtime.questions.get(query_id)).status


async def settled(runtime: Runtime, query_id: str) -> QueryRecord | None:
    record = await runtime.questions.get(query_id)
    return record if record is not None and record.status is not QueryStatus.processing else None




@pytest.fixture
def fake_llm() -> Iterator[FakeApi]:
    with FakeApi() as api:
        yield api


def start_generate(settings: Settings, llm_url: str, log: Path) -> subprocess.Popen:
    env = os.environ | {"NATS_URL": settings.nats_url, "MIRAGE_DATA_DIR": str(settings.data_dir),
                        "MIRAGE_ACK_WAIT_S": str(settings.ack_wait_s), "MIRAGE_OPENAI_BASE_URL": f"{llm_url}/v1",
                        "MIRAGE_LLM_TIMEOUT_S": "60"}
    return subprocess.Popen([sys.executable, "-m", "mirage.cli", "worker", "generate"], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def generate_in_flight(js) -> bool:  # noqa: ANN001
    try:
        info = await js.consumer_info(topology.QUESTIONS.name, topology.GENERATE.durable)
    except Exception:
        return False
    return info.num_ack_pending == 1


async def llm_called(api: FakeApi) -> bool:
    return len(api.requests) == 1


@pytest.mark.timeout(60)
async def test_generate_worker_killed_mid_question_loses_nothing(settings_factory, embedder, detector, fake_llm: FakeApi,
                                                                 tmp_path: Path) -> None:
    settings = settings_factory(ack_wait_s=3.0, query_wait_s=0)
    components = Components(settings, embedder=embedder, detector=detector, store=leaflet_store(settings, embedder, detector))
    runtime = await start_pipeline(settings, settings.nats_url, IN_PROCESS, components)
    js = runtime.broker.connection.jetstream()
    workers: list[subprocess.Popen] = []
    try:
        fake_llm.reply(openai_reply(LLM_ANSWER), delay_s=60)  # the first worker dies while its LLM is still writing
        workers.append(first := start_generate(settings, fake_llm.url, tmp_path / "generate1.log"))
        asked = question()
        status, body = await Questions(runtime).ask(asked)
        assert status == 202 and body["status"] == "processing"

        await wait_for(lambda: generate_in_flight(js), timeout=30)
        await wait_for(lambda: llm_called(fake_llm), timeout=10)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert await status_of(runtime, asked.query_id) is QueryStatus.processing

        fake_llm.reply(openai_reply(LLM_ANSWER))
        workers.append(second := start_generate(settings, fake_llm.url, tmp_path / "generate2.log"))
        record = await wait_for(lambda: settled(runtime, asked.query_id), timeout=30, interval=0.2)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
        assert record.status is QueryStatus.answered, record.reason
        assert record.answer.backend == "openai:llama3.1" and record.answer.citations
        assert len(fake_llm.requests) == 2
        assert await count_messages(js, topology.QUESTIONS.name, subjects.ANSWER_GENERATED) == 1
        assert await count_messages(js, topology.QUESTIONS.name, subjects.for_query(subjects.ANSWER_RELEASED, asked.query_id)) == 1
        info = await js.consumer_info(topology.QUESTIONS.name, topology.GENERATE.durable)
        assert info.num_ack_pending == 0 and info.num_pending == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        await runtime.stop()


class UnreadableIndex:
    """A vector store whose shard cannot be read: every search fails."""

    name = "unreadable"

    def search(self, query, *, limit: int, filters=None):  # noqa: ANN001, ANN201
        raise OSError("index shard is unreadable")

    def count(self, filters=None) -> int:  # noqa: ANN001
        return 0

    def close(self) -> None:
        pass


@pytest.mark.timeout(60)
async def test_a_question_that_keeps_failing_ends_failed_visibly(settings_factory, embedder, detector) -> None:
    settings = settings_factory(max_deliver=2, query_wait_s=0)
    components = Components(settings, embedder=embedder, detector=detector, store=UnreadableIndex())  # type: ignore[arg-type]
    runtime = await start_pipeline(settings, settings.nats_url, ["translate", "retrieve", "generate", *IN_PROCESS[2:]], components)
    js = runtime.broker.connection.jetstream()
    try:
        asked = question()
        status, _ = await Questions(runtime).ask(asked)
        assert status == 202
        record = await wait_for(lambda: settled(runtime, asked.query_id), timeout=30)
        assert record.status is QueryStatus.failed and record.query == asked.query
        assert "OSError: index shard is unreadable" in record.reason and "2 deliveries" in record.reason
        failed = subjects.for_query(subjects.QUERY_FAILED, asked.query_id)
        assert await count_messages(js, topology.QUESTIONS.name, failed) == 1
        [letter] = await list_dead_letters(js)
        assert letter.original_subject == subjects.QUERY_TRANSLATED and letter.correlation_id == asked.query_id
        assert "index shard is unreadable" in letter.error and letter.deliveries == "2"
        info = await js.consumer_info(topology.QUESTIONS.name, topology.RETRIEVE.durable)
        assert info.num_ack_pending == 0 and info.num_pending == 0
    finally:
        await runtime.stop()
