"""A running MIRAGE's /metrics carries what the dashboards and alerts read, under the names and labels the static checks assume."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.infra.test_compose import client_default_metrics, code_metrics, faststream_metrics


async def scrape(client: httpx.AsyncClient) -> list:
    return [s for family in text_string_to_metric_families((await client.get("/metrics")).text) for s in family.samples]


def total(samples: list, name: str, **labels: str) -> float:
    return sum(s.value for s in samples if s.name == name and labels.items() <= s.labels.items())


async def test_metrics_after_uploads_a_search_and_a_question(client: httpx.AsyncClient) -> None:
    before = await scrape(client)  # the registry is the process's: other tests counted before this one
    assert (await client.post("/documents/upload", files={"file": ("a.txt", b"Aspirin 100 mg daily for adults.")})).status_code == 201
    unreadable = await client.post("/documents/upload", files={"file": ("b.pdf", b"%PDF-1.4\nnot a pdf at all\n%%EOF")})
    assert unreadable.status_code == 422, unreadable.text
    assert (await client.get("/documents/search", params={"query": "aspirin"})).status_code == 200
    assert (await client.post("/query", json={"query": "How much aspirin do adults take?"})).status_code in (200, 202)
    samples = await scrape(client)

    static = {**client_default_metrics(), **faststream_metrics(), **code_metrics()}
    for sample in samples:
        if sample.name.startswith(("mirage_", "faststream_", "process_")):
            assert sample.name in static, f"{sample.name} is served but the dashboard and alert checks do not know it"
            labels = set(sample.labels) - ({"le"} if sample.name.endswith("_bucket") else set())
            assert labels <= static[sample.name], f"{sample.name}: labels {sorted(labels)} vs {sorted(static[sample.name])}"

    def value(name: str, **labels: str) -> float:
        return total(samples, name, **labels) - total(before, name, **labels)

    assert value("mirage_http_request_seconds_count", method="GET", route="/documents/search") == 1
    assert value("mirage_http_request_seconds_bucket", method="POST", route="/documents/upload", le="+Inf") == 2
    assert value("mirage_documents_processed_total", outcome="indexed") == 1
    assert value("mirage_documents_processed_total", outcome="failed", stage="parse") == 1
    assert value("mirage_embedding_seconds_count") >= 1
    assert value("mirage_queries_total") == 1 and value("mirage_query_seconds_count") == 1
    assert total(samples, "process_cpu_seconds_total") > 0
