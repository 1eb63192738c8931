"""`mirage bench load`: many clients mixing uploads, searches, questions and review calls against one gateway.

Each client loops for the duration, picking its next call at random by the mix's weights, and waits for the answer
before the next (a closed loop: the offered rate follows the service's speed, as people's clicks do). A step per client
count; the report gives, per call kind, the count, the errors and the latency percentiles, and which step had the
highest rate with a p95 under the bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from mirage.evaluation.bench import text_document
from mirage.evaluation.corpus import TextFactory

# Weights of each call kind in the mix: mostly reading, as a clinic uses it; every upload is a real ingest.
MIX = {"search": 35, "question": 35, "review": 20, "upload": 10}
RISKY = ("Can I take {} during pregnancy?", "What is the maximum dose of {} for a child?")
SEEDED_DOCUMENTS = 20
P95_BOUND_MS = 1000.0


@dataclass
class Calls:
    """What happened to one kind of call during one step."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    limited: int = 0  # 429: the gateway's rate limit answered, not a failure of the service
    examples: list[str] = field(default_factory=list)

    def record(self, started: float, status: int | None, detail: str = "") -> None:
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        if status == 429:
            self.limited += 1
        elif status is None or status >= 500 or status in (400, 404, 409, 413, 415, 422):
            self.errors += 1
            if len(self.examples) < 3:
                self.examples.append(f"{status}: {detail[:160]}")

    def summary(self) -> dict[str, Any]:
        values = np.asarray(self.latencies_ms) if self.latencies_ms else np.zeros(1)
        return {"calls": len(self.latencies_ms), "errors": self.errors, "rate_limited": self.limited,
                **{f"p{p}_ms": round(float(np.percentile(values, p)), 1) for p in (50, 95, 99)},
                **({"error_examples": self.examples} if self.examples else {})}


class Client:
    """One simulated user: a random stream of calls, each awaited before the next."""

    def __init__(self, http: httpx.AsyncClient, factory: TextFactory, calls: dict[str, Calls], seed: int) -> None:
        self.http, self.factory, self.calls = http, factory, calls
        self.random = random.Random(seed)
        self.seed = seed
        self.uploads = 0

    async def run(self, until: float) -> None:
        kinds, weights = list(MIX), list(MIX.values())
        while time.perf_counter() < until:
            kind = self.random.choices(kinds, weights)[0]
            started = time.perf_counter()
            try:
                response = await getattr(self, kind)()
                self.calls[kind].record(started, response.status_code, response.text)
            except httpx.HTTPError as exc:
                self.calls[kind].record(started, None, f"{type(exc).__name__}: {exc}")

    def sentence(self) -> str:
        return self.random.choice(self.factory.sentences)

    async def search(self) -> httpx.Response:
        return await self.http.get("/documents/search", params={"query": self.sentence()[:200], "top_k": 5})

    async def question(self) -> httpx.Response:
        if self.random.random() < 0.1:  # some risky ones: they are held, and feed the review queue
            text = self.random.choice(RISKY).format(self.random.choice(self.sentence().split()))
        else:
            text = self.sentence()[:300]
        return await self.http.post("/query", json={"query": text})

    async def review(self) -> httpx.Response:
        path = "/validation/pending" if self.random.random() < 0.5 else "/validation/status"
        return await self.http.get(path)

    async def upload(self) -> httpx.Response:
        self.uploads += 1
        body = text_document(self.factory, f"Load test leaflet {self.seed}-{self.uploads}-{time.time_ns()}", 3)
        return await self.http.post("/documents/upload", files={"file": (f"load-{self.seed}-{self.uploads}.txt", body, "text/plain")})


async def run_step(http: httpx.AsyncClient, factory: TextFactory, clients: int, duration_s: float) -> dict[str, Any]:
    calls = {kind: Calls() for kind in MIX}
    until = time.perf_counter() + duration_s
    started = time.perf_counter()
    await asyncio.gather(*(Client(http, factory, calls, seed=clients * 1000 + i).run(until) for i in range(clients)))
    elapsed = time.perf_counter() - started
    everything = Calls(latencies_ms=[x for c in calls.values() for x in c.latencies_ms],
                       errors=sum(c.errors for c in calls.values()), limited=sum(c.limited for c in calls.values()))
    total = everything.summary()
    return {"clients": clients, "seconds": round(elapsed, 1), "calls_per_s": round(total["calls"] / elapsed, 1),
            "all": total, "by_kind": {kind: c.summary() for kind, c in calls.items()}}


def best_step(steps: list[dict[str, Any]], bound_ms: float = P95_BOUND_MS) -> dict[str, Any] | None:
    """The step with the highest rate whose p95 stays under the bound and that had no error."""
    fine = [s for s in steps if s["all"]["p95_ms"] < bound_ms and s["all"]["errors"] == 0]
    return max(fine, key=lambda s: s["calls_per_s"], default=None)


@contextlib.asynccontextmanager
async def private_gateway(scratch: Path) -> AsyncIterator[str]:
    """Everything `mirage up` runs, HTTP included, on a private nats-server under `scratch`; yields its URL."""
    import uvicorn

    from contracts.chain import WORKERS
    from gateway.app import create_app
    from mirage.embedded import runtime_factory
    from runtime.nats_server import EmbeddedNats, free_port
    from runtime.settings import Settings

    settings = Settings(data_dir=scratch, nats_url=None)
    with EmbeddedNats(settings.nats_dir) as nats:
        port = free_port()
        app = create_app(settings, runtime_factory(settings, nats.url, WORKERS))
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        serving = asyncio.create_task(server.serve())
        while not server.started:
            if serving.done():
                serving.result()  # raises what stopped it
            await asyncio.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            await serving


async def run_load(factory: TextFactory, client_counts: list[int], duration_s: float, url: str | None = None,
                   headers: dict[str, str] | None = None, seed_documents: int = SEEDED_DOCUMENTS,
                   on_step: Callable[[dict[str, Any]], None] = lambda step: None) -> dict[str, Any]:
    """Seed a few documents, then one step per client count; against `url`, or a private stack when None."""
    async with contextlib.AsyncExitStack() as stack:
        if url is None:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mirage-load-")))
            url = await stack.enter_async_context(private_gateway(scratch))
        limits = httpx.Limits(max_connections=max(client_counts) + 4)
        http = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=60, headers=headers or {}, limits=limits))
        for i in range(seed_documents):
            seed = text_document(factory, f"Seed leaflet {i}", 3)
            response = await http.post("/documents/upload", files={"file": (f"seed-{i}.txt", seed, "text/plain")})
            if response.status_code >= 400:
                raise RuntimeError(f"seeding the corpus failed: {response.status_code} {response.text[:200]}")
        steps = []
        for clients in client_counts:
            step = await run_step(http, factory, clients, duration_s)
            steps.append(step)
            on_step(step)
    best = best_step(steps)
    return {"mix": MIX, "duration_s_per_step": duration_s, "steps": steps,
            "highest_rate_with_p95_under_1s": ({"clients": best["clients"], "calls_per_s": best["calls_per_s"], "p95_ms": best["all"]["p95_ms"]}
                                               if best else None),
            "errors": sum(s["all"]["errors"] for s in steps)}
