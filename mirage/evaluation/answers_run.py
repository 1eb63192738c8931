"""`mirage eval answers`: upload documents and ask questions through the real gateway and workers, in a fresh temporary store."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from contracts import topology
from contracts.chain import WORKERS
from gateway.app import create_app
from mirage.embedded import runtime_factory
from mirage.evaluation.answers import Observed, Question, QuestionScore, by_language, finding_text, score_question
from runtime.messaging import wait_until_drained
from runtime.nats_server import EmbeddedNats
from runtime.process import Components, Runtime
from runtime.settings import Settings

Progress = Callable[[int], None]
DEFAULT_FOLDERS = ("ema_leaflets", "generated")
UPLOAD_CONCURRENCY = 4
# asked once before measuring, not scored: the first question of a fresh process loads lexicons and models
WARM_UP = Question(id="warm-up", lang="en", question="What do the documents say about storage conditions?", doc=None)
SETTLE_TIMEOUT_S = 300.0


def default_document_folders(data: Path) -> list[Path]:
    """`fixtures/ema_leaflets` and `fixtures/generated` beside the data file's folder (eval/answers/dev.jsonl -> eval/fixtures/)."""
    root = data.resolve().parent.parent / "fixtures"
    found = [root / name for name in DEFAULT_FOLDERS if (root / name).is_dir()]
    if not found:
        raise FileNotFoundError(f"no documents: neither {root / DEFAULT_FOLDERS[0]} nor {root / DEFAULT_FOLDERS[1]} exists; pass --docs DIR")
    return found


def document_files(folders: Sequence[Path]) -> list[Path]:
    """Every file under the folders (hidden ones skipped); file names must be unique, since questions name files."""
    files: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} is not a folder")
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
            if path.name in files and files[path.name].read_bytes() != path.read_bytes():
                raise ValueError(f"two different files are named {path.name!r} ({files[path.name]} and {path}); questions name files")
            files.setdefault(path.name, path)
    return list(files.values())


def limited(questions: Sequence[Question], per_language: int | None) -> list[Question]:
    """The first `per_language` questions of each language (all when None)."""
    if per_language is None:
        return list(questions)
    seen: Counter[str] = Counter()
    chosen = []
    for question in questions:
        seen[question.lang] += 1
        if seen[question.lang] <= per_language:
            chosen.append(question)
    return chosen


@dataclass(frozen=True)
class AnswersReport:
    data: str
    documents: dict[str, Any]
    backends: dict[str, int]
    embedder: str
    measures: dict[str, dict[str, Any]]
    details: list[dict[str, Any]]
    held_scored_on: str = "draft: a held answer is not shown to the asker; cited, facts, declined and language score the draft a reviewer sees"

    def as_dict(self) -> dict[str, Any]:
        return {"data": self.data, "documents": self.documents, "backends": self.backends, "embedder": self.embedder,
                "held_scored_on": self.held_scored_on, "measures": self.measures, "details": self.details}


async def upload_files(client: httpx.AsyncClient, files: Sequence[Path], progress: Progress) -> tuple[dict[str, str], dict[str, str]]:
    """POST /documents/upload for each file; file name -> document id (duplicates share one), and file name -> why it failed."""
    ids_of: dict[str, str] = {}
    failed: dict[str, str] = {}
    gate = asyncio.Semaphore(UPLOAD_CONCURRENCY)

    async def one(path: Path) -> None:
        async with gate:
            response = await client.post("/documents/upload", files={"file": (path.name, path.read_bytes())})
        body = response.json()
        if response.status_code in (200, 201):
            ids_of[path.name] = body["document_id"]
        else:
            failed[path.name] = f"{response.status_code} {body.get('error', '')}: {body.get('detail', '')}".strip()
        progress(1)

    await asyncio.gather(*(one(path) for path in files))
    return ids_of, failed


def observed_from(body: dict[str, Any], latency_ms: float) -> Observed:
    return Observed(status="answered", text=body.get("answer") or "", language=body.get("language"), answered=bool(body.get("answered")),
                    cited_documents=tuple(c["document_id"] for c in body.get("citations") or ()), latency_ms=latency_ms,
                    cached=bool(body.get("cached")), backend=body.get("backend") or "", risk=released_findings(body))


def released_findings(body: dict[str, Any]) -> tuple[str, ...]:
    findings = (body.get("risk") or {}).get("findings") or ()
    return tuple(finding_text(f) for f in findings)


async def held_draft(runtime: Runtime, query_id: str, latency_ms: float) -> Observed:
    """The draft of a held question, from its record in the questions bucket (the asker sees only a notice)."""
    record = await runtime.questions.get(query_id)
    draft = record.answer if record is not None else None
    findings = record.assessment.findings if record is not None and record.assessment is not None else ()
    risk = tuple(finding_text(f.model_dump(mode="json")) for f in findings)
    if draft is None:
        return Observed(status="pending_review", latency_ms=latency_ms, risk=risk)
    return Observed(status="pending_review", text=draft.text, language=draft.language, answered=draft.answered,
                    cited_documents=tuple(c.document_id for c in draft.citations), latency_ms=latency_ms,
                    backend=draft.backend, risk=risk)


async def ask(client: httpx.AsyncClient, runtime: Runtime, question: Question, human_loop: bool) -> Observed:
    """POST /query as a user would (target_language = the question's language); waits out a 202 processing."""
    started = time.perf_counter()
    payload = {"query": question.question, "target_language": question.lang, "enable_human_loop": human_loop}
    response = await client.post("/query", json=payload)
    body = response.json()
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while response.status_code == 202 and body.get("status") == "processing" and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        response = await client.get(body["status_url"])
        body = response.json()
    latency_ms = (time.perf_counter() - started) * 1000
    if body.get("status") == "answered":
        return observed_from(body, latency_ms)
    if body.get("status") == "pending_review":
        return await held_draft(runtime, body["query_id"], latency_ms)
    return Observed(status="failed" if body.get("status") != "processing" else "processing", latency_ms=latency_ms)


async def run_answers_eval(
    questions: Sequence[Question], folders: Sequence[Path], data: str = "", settings: Settings | None = None,
    components: Components | None = None, on_uploaded: Progress = lambda n: None, on_asked: Progress = lambda n: None,
) -> AnswersReport:
    """Upload every file of `folders`, ask every question (then the harmless ones again with the human loop), score."""
    files = document_files(folders)
    with tempfile.TemporaryDirectory(prefix="mirage-eval-") as scratch:
        # a fresh store and an in-process cache: a shared Redis could serve answers of an earlier run of the same index generation
        settings = (settings or Settings()).model_copy(update={
            "data_dir": Path(scratch), "upload_wait_s": 600.0, "query_wait_s": 120.0, "nats_url": None, "qdrant_url": None, "redis_url": None})
        with EmbeddedNats(settings.nats_dir) as nats:
            settings = settings.model_copy(update={"nats_url": nats.url})
            app = create_app(settings, runtime_factory(settings, nats.url, WORKERS, components))
            async with app.router.lifespan_context(app):
                runtime: Runtime = app.state.runtime
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mirage", timeout=900) as client:
                    ids_of, failed = await upload_files(client, files, on_uploaded)
                    await wait_until_drained(runtime.broker.connection.jetstream(), topology.INGEST, timeout_s=3600)
                    await ask(client, runtime, WARM_UP, False)
                    first = [await asked(client, runtime, q, False, on_asked) for q in questions]
                    again = {q.id: await asked(client, runtime, q, True, on_asked) for q in questions if not q.risky}
                chunks = runtime.components.store.count()
                english = runtime.components.english_embedder
                embedder = runtime.components.embedder.name + (f" + {english.name} (English)" if english else "")
                scores = score_all(questions, first, again, ids_of, runtime.components.detector.detect)
    return AnswersReport(
        data=data, embedder=embedder, backends=dict(Counter(o.backend for o in first if o.backend)),
        documents={"files": len(files), "indexed_files": len(ids_of), "distinct_documents": len(set(ids_of.values())), "chunks": chunks,
                   "failed": failed, "expected_but_not_indexed": sorted({n for q in questions for n in q.expected_files} - set(ids_of))},
        measures=by_language(scores), details=[s.as_dict() for s in scores],
    )


async def asked(client: httpx.AsyncClient, runtime: Runtime, question: Question, human_loop: bool, progress: Progress) -> Observed:
    observed = await ask(client, runtime, question, human_loop)
    progress(1)
    return observed


def score_all(questions: Sequence[Question], first: Sequence[Observed], again: dict[str, Observed],
              ids_of: dict[str, str], detect: Callable[[str], Any]) -> list[QuestionScore]:
    """Score each question's first answer; `again`: the harmless ones asked with the human loop."""
    files_of: dict[str, list[str]] = {}
    for name, document_id in sorted(ids_of.items()):
        files_of.setdefault(document_id, []).append(name)

    def language_of(text: str) -> str | None:
        return detect(text).language

    scores = []
    for question, observed in zip(questions, first, strict=True):
        score = score_question(question, observed, files_of, ids_of, language_of)
        if question.id in again:
            score = replace(score, held_with_human_loop=again[question.id].held)
        scores.append(score)
    return scores
