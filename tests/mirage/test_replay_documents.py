"""`mirage replay documents`: a re-index into a new index generation on the whole stack over a real nats-server, search
answering throughout; an upload and a deletion during it are right afterwards; in place with --since; refusals."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import timedelta

import httpx
import nats
import pytest
from typer.testing import CliRunner

from adapters.formats import DocumentFormat
from contracts.envelope import utcnow
from contracts.index import ReindexProgressed
from gateway.documents import Documents
from mirage.cli import app as cli
from mirage.pipeline import start_pipeline
from mirage.reindex import ReindexRefused, run_reindex
from runtime.generations import Generations
from runtime.process import Components
from tests.factories import make_txt
from workers.ingest import rebuild

DOCUMENTS = {
    "paracetamol.txt": make_txt("Paracetamol leaflet", [("Side effects", ["Paracetamol rarely causes skin rashes and liver damage in overdose."])]),
    "ibuprofen.txt": make_txt("Ibuprofen leaflet", [("Side effects", ["Ibuprofen may cause stomach ulcers and bleeding of the gut."])]),
    "amoxicillin.txt": make_txt("Amoxicillin leaflet", [("Side effects", ["Amoxicillin can cause diarrhoea and allergic reactions."])]),
}


async def upload(http: httpx.AsyncClient, name: str) -> str:
    response = await http.post("/documents/upload", files={"file": (name, DOCUMENTS[name])})
    assert response.status_code == 201, response.text
    return response.json()["document_id"]


async def found(http: httpx.AsyncClient, query: str) -> set[str]:
    response = await http.get("/documents/search", params={"query": query, "top_k": 10})
    assert response.status_code == 200, response.text
    return {hit["document_id"] for hit in response.json()["results"]}


async def reindex_all(nats_url: str):  # noqa: ANN201
    """`mirage replay documents` as its command runs it, on its own connection."""
    nc = await nats.connect(nats_url)
    try:
        return await run_reindex(nc, None)
    finally:
        await nc.close()


async def keep_searching(http: httpx.AsyncClient, answers: list[set[str]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        answers.append(await found(http, "paracetamol skin rashes"))
        await asyncio.sleep(0.02)


def gated(monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """Hold every document of a re-index until the test opens the gate: what happens meanwhile happens during the re-index."""
    entered, gate = asyncio.Event(), asyncio.Event()
    original = rebuild.reindex_document

    async def held(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        entered.set()
        await gate.wait()
        return await original(*args, **kwargs)

    monkeypatch.setattr(rebuild, "reindex_document", held)
    return entered, gate


async def test_a_reindex_builds_a_new_generation_while_search_answers_and_switches_when_complete(
        stack, settings_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    settings = settings_factory()
    async with stack() as http:
        paracetamol = await upload(http, "paracetamol.txt")
        ibuprofen = await upload(http, "ibuprofen.txt")
        entered, gate = gated(monkeypatch)
        answers: list[set[str]] = []
        stop = asyncio.Event()
        searching = asyncio.create_task(keep_searching(http, answers, stop))
        nc = await nats.connect(settings.nats_url)
        try:
            progress: list[ReindexProgressed] = []
            running = asyncio.create_task(run_reindex(nc, None, progress.append))
            await asyncio.wait_for(entered.wait(), 60)
            assert (state := await Generations(nc.jetstream()).get()) is not None and (state.active, state.building) == (0, 1)
            with pytest.raises(ReindexRefused, match="is running into generation 1"):
                await run_reindex(nc, None)
            amoxicillin = await upload(http, "amoxicillin.txt")  # after the catalog was read: it reaches generation 1 as an upload
            assert (await http.delete(f"/documents/{ibuprofen}")).status_code == 200
            gate.set()
            result = await asyncio.wait_for(running, 120)
        finally:
            stop.set()
            await searching
            await nc.close()
        assert result.outcome == "switched" and (result.previous_generation, result.generation) == (0, 1), result
        assert result.documents == 1 and result.failed == {}  # ibuprofen went during the re-index: neither re-indexed nor failed
        assert progress and progress[-1].done == progress[-1].total == 2
        assert answers and all(paracetamol in answer for answer in answers)  # search never came back without it
        assert not settings.vectors_dir.exists() and (settings.data_dir / "vectors-g1").is_dir()  # generation 0 dropped
        assert paracetamol in await found(http, "paracetamol skin rashes")
        assert amoxicillin in await found(http, "amoxicillin diarrhoea")
        assert ibuprofen not in await found(http, "ibuprofen stomach ulcers")
        assert (await http.get(f"/documents/{paracetamol}")).json()["status"] == "indexed"

    async with stack() as http:  # started again: it reads generation 1
        assert paracetamol in await found(http, "paracetamol skin rashes")


async def test_after_an_embedder_change_of_vector_sizes_a_reindex_makes_the_documents_searchable_again(
        stack, settings_factory) -> None:  # noqa: ANN001
    settings = settings_factory()
    async with stack(english_embedder="none") as http:  # the multilingual space alone
        paracetamol = await upload(http, "paracetamol.txt")
    async with stack() as http:  # the English space added: generation 0 cannot be searched with today's models
        response = await http.get("/documents/search", params={"query": "paracetamol skin rashes"})
        assert response.status_code >= 500, response.text
        result = await reindex_all(settings.nats_url)
        assert result.outcome == "switched" and result.generation == 1 and result.documents == 1, result
        assert paracetamol in await found(http, "paracetamol skin rashes")


async def test_since_reindexes_the_recent_uploads_in_place(stack, settings_factory) -> None:  # noqa: ANN001
    settings = settings_factory()
    async with stack() as http:
        await upload(http, "paracetamol.txt")
        since = utcnow()
        ibuprofen = await upload(http, "ibuprofen.txt")
        nc = await nats.connect(settings.nats_url)
        try:
            result = await run_reindex(nc, since)
            assert await run_reindex(nc, utcnow() + timedelta(days=1)) is not None  # nothing since then: done at once
        finally:
            await nc.close()
        assert result.outcome == "in_place" and result.generation == result.previous_generation == 0 and result.documents == 1, result
        assert settings.vectors_dir.is_dir() and not (settings.data_dir / "vectors-g1").exists()
        assert ibuprofen in await found(http, "ibuprofen stomach ulcers")


async def test_on_a_qdrant_server_a_reindex_switches_to_a_collection_of_its_own(stack, settings_factory) -> None:  # noqa: ANN001
    settings = settings_factory()
    async with stack(qdrant_url=":memory:") as http:
        paracetamol = await upload(http, "paracetamol.txt")
        result = await reindex_all(settings.nats_url)
        assert result.outcome == "switched" and result.generation == 1 and result.documents == 1, result
        assert paracetamol in await found(http, "paracetamol skin rashes")


def test_the_command_follows_a_reindex_to_its_counts(settings_factory, embedder, detector, english_embedder) -> None:  # noqa: ANN001
    """The command runs its own event loop: the ingest and catalog workers run in a thread with theirs."""
    settings = settings_factory()
    components = Components(settings, embedder=embedder, detector=detector, english=english_embedder)
    ready, done = threading.Event(), threading.Event()

    async def workers() -> None:
        runtime = await start_pipeline(settings, settings.nats_url, ["ingest", "catalog"], components)
        try:
            status, _ = await Documents(runtime).upload(DOCUMENTS["paracetamol.txt"], "p.txt", DocumentFormat.txt, {})
            assert status == 201
            ready.set()
            await asyncio.to_thread(done.wait, 300)
        finally:
            await runtime.stop()

    thread = threading.Thread(target=asyncio.run, args=(workers(),), daemon=True)
    thread.start()
    try:
        assert ready.wait(120)
        result = CliRunner().invoke(cli, ["replay", "documents", "--json", "--nats-url", settings.nats_url])
    finally:
        done.set()
        thread.join(60)
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["outcome"] == "switched" and outcome["generation"] == 1 and outcome["documents"] == 1 and outcome["failed"] == {}


def test_the_command_refuses_without_an_ingest_worker(nats_server) -> None:  # noqa: ANN001
    result = CliRunner().invoke(cli, ["replay", "documents", "--nats-url", nats_server.url])
    assert result.exit_code == 1 and "no ingest worker" in result.output, result.output
