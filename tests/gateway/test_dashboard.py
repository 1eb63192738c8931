"""The dashboard's figures: minute by minute from a registry's counters, and GET /dashboard/data over the whole stack."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram

from gateway.activity import Activity, quantile
from tests.factories import SAMPLES, make_txt

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1)


def registry_with_metrics() -> tuple[CollectorRegistry, Counter, Histogram, Counter]:
    registry = CollectorRegistry()
    queries = Counter("mirage_queries_total", "", ["outcome"], registry=registry)
    seconds = Histogram("mirage_query_seconds", "", buckets=BUCKETS, registry=registry)
    lookups = Counter("mirage_cache_lookups_total", "", ["cache", "result"], registry=registry)
    return registry, queries, seconds, lookups


def test_each_minute_counts_what_happened_in_it() -> None:
    registry, queries, seconds, lookups = registry_with_metrics()
    queries.labels("answered").inc(7)  # before the gateway started counting: not shown
    activity = Activity(registry)
    start = activity.start.at // 60 * 60
    queries.labels("answered").inc(2)
    queries.labels("answered_from_cache").inc()
    queries.labels("pending_review").inc()
    for value in (0.04, 0.07, 0.3):
        seconds.observe(value)
    lookups.labels("answers", "miss").inc(3)
    lookups.labels("answers", "hit").inc()
    lookups.labels("embeddings", "hit").inc(50)  # another cache: not the answers'
    activity.sample(now=start + 30)
    queries.labels("failed").inc()
    queries.labels("pending").inc()

    first, second = activity.minutes(now=start + 75)
    assert (first["answered"], first["held"], first["failed"], first["still_working"]) == (3, 1, 0, 0)
    assert (first["cache_hits"], first["cache_lookups"]) == (1, 4)
    assert first["latency_mean_ms"] == pytest.approx(136.7, abs=0.1) and 50 < first["latency_p50_ms"] <= 100
    assert (second["answered"], second["held"], second["failed"], second["still_working"]) == (0, 0, 1, 1)
    assert second["latency_p95_ms"] is None and second["minute"] == start + 60
    assert activity.since_start()["answered"] == 3
    both = activity.recent(5, now=start + 80)
    assert (both["answered"], both["held"], both["failed"], both["minute"]) == (3, 1, 1, start)
    assert both["latency_p95_ms"] == first["latency_p95_ms"]  # over every question of the span, not a mean of minutes


def test_minutes_are_kept_for_the_window_only() -> None:
    registry, queries, _, _ = registry_with_metrics()
    activity = Activity(registry, window=3)
    start = activity.start.at // 60 * 60
    for minute in range(6):
        queries.labels("answered").inc(minute)
        activity.sample(now=start + minute * 60 + 1)
    shown = activity.minutes(now=start + 5 * 60 + 2)
    assert [m["minute"] for m in shown] == [start + 180, start + 240, start + 300]
    assert [m["answered"] for m in shown] == [3, 4, 5]
    assert activity.recent(2, now=start + 5 * 60 + 3)["answered"] == 4 + 5


def test_quantile_interpolates_inside_the_bucket() -> None:
    buckets = [(0.1, 50.0), (0.2, 100.0), (float("inf"), 100.0)]
    assert quantile(0.5, buckets) == pytest.approx(0.1)
    assert quantile(0.75, buckets) == pytest.approx(0.15)
    assert quantile(0.5, [(0.1, 0.0), (float("inf"), 0.0)]) is None
    assert quantile(0.99, [(0.1, 0.0), (float("inf"), 4.0)]) == pytest.approx(0.1)  # beyond the last bound: that bound


async def test_dashboard_data_has_every_figure_the_page_shows(stack) -> None:  # noqa: ANN001
    async with stack(english_embedder="none") as http:
        empty = await http.get("/dashboard/data")
        assert empty.status_code == 200, empty.text
        assert empty.json()["documents"]["documents"] == 0 and empty.json()["questions"]["last_5_minutes"]["answered"] == 0

        upload = await http.post("/documents/upload", files={"file": ("fr.txt", make_txt(**SAMPLES["fr"]))})
        assert upload.status_code == 201, upload.text
        asked = await http.post("/query", json={"query": "Quels sont les effets secondaires ?"})
        assert asked.status_code == 200, asked.text
        again = await http.post("/query", json={"query": "Quels sont les effets secondaires ?"})
        assert again.json().get("cached") is True

        data = (await http.get("/dashboard/data")).json()
        assert data["status"] == "ok"
        assert data["documents"]["documents"] == 1 and data["documents"]["chunks"] > 0
        assert data["documents"]["by_language"]["fr"]["documents"] == 1 and data["documents"]["processing"] == 0
        recent = data["questions"]["last_5_minutes"]
        assert recent["answered"] == 2 and recent["held"] == 0 and recent["latency_p95_ms"] > 0
        assert data["questions"]["cache_hit_rate"] == 0.5 and data["questions"]["minutes"][-1]["answered"] >= 1
        assert data["review"] == {"open": 0, "open_by_level": {}, "oldest_open_age_s": None, "deadlines_breached": 0,
                                  "reviewers_active": []}
        assert data["dead_letters"] == 0 and data["dead_letters_by_subject"] == {}
        assert {d["name"].split(" ")[0]: d["state"] for d in data["dependencies"]} == {
            "NATS": "up", "JetStream": "up", "Vector": "up", "Redis": "not_configured"}
        from contracts.topology import CONSUMERS

        assert {c["consumer"] for c in data["consumers"]} == {c.durable for c in CONSUMERS}

        held = await http.post("/query", json={"query": "effets secondaires grossesse", "enable_human_loop": True})
        assert held.status_code == 202, held.text
        data = (await http.get("/dashboard/data")).json()
        assert data["questions"]["last_5_minutes"]["held"] == 1
        assert data["review"]["open"] == 1 and data["review"]["oldest_open_age_s"] is not None


async def test_the_page_is_a_shell_whose_script_is_a_file(stack) -> None:  # noqa: ANN001
    async with stack(english_embedder="none") as http:
        page = await http.get("/dashboard")
        assert page.status_code == 200 and "<script>" not in page.text
        assert 'src="/dashboard/static/dashboard.js"' in page.text and "script-src 'self'" in page.headers["content-security-policy"]
        for name in ("dashboard.js", "dashboard.css"):
            assert (await http.get(f"/dashboard/static/{name}")).status_code == 200


def test_the_data_is_declared_with_its_model() -> None:
    from tests.gateway.test_auth import bare_app

    paths = bare_app().openapi()["paths"]
    ok = paths["/dashboard/data"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/DashboardData"} and "/dashboard" not in paths


async def test_the_page_asks_for_a_key_where_keys_are_required(stack) -> None:  # noqa: ANN001
    async with stack(english_embedder="none", host="0.0.0.0") as http:
        assert (await http.get("/dashboard")).status_code == 200
        refused = await http.get("/dashboard/data")
        assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"


async def test_the_data_says_what_is_down_and_shows_what_it_still_has(settings_factory, nats_server) -> None:  # noqa: ANN001
    from gateway.app import create_app
    from mirage.embedded import runtime_factory

    settings = settings_factory(query_wait_s=0, upload_wait_s=0, request_timeout_s=1)
    app = create_app(settings, runtime_factory(settings, settings.nats_url, []))  # no worker runs: nothing answers a search
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mirage",
                                                                   timeout=60) as http:
        data = (await http.get("/dashboard/data")).json()
        states = {d["name"]: d["state"] for d in data["dependencies"]}
        assert data["status"] == "degraded" and states["NATS"] == "up" and states["Vector store"] == "down"
        assert data["documents"]["documents"] == 0

        # In the local mode the gateway looks now and then for a first account, in NATS: a 503 accounts_unavailable while
        # NATS is gone, which the page shows as it is. Not looking here, this checks what the data itself does.
        app.state.access.recheck_s = float("inf")
        nats_server.stop()
        data = await dashboard_once(http, lambda states: states["NATS"] == "down")
        assert data["status"] == "degraded" and data["documents"] is None and data["review"] is None
        assert data["questions"]["minutes"], "the gateway's own figures are still there"

        nats_server.start()  # and back: the gateway reconnects (and can then stop cleanly)
        data = await dashboard_once(http, lambda states: states["NATS"] == "up")
        assert data["documents"]["documents"] == 0


async def dashboard_once(http: httpx.AsyncClient, holds: Callable[[dict[str, str]], bool], within_s: float = 60) -> dict:
    """/dashboard/data once `holds` of its dependencies' states (the client notices a lost or a new connection in its time):
    every answer on the way is a 200."""
    deadline = time.monotonic() + within_s
    while True:
        answer = await http.get("/dashboard/data")
        assert answer.status_code == 200, answer.text
        if holds({d["name"]: d["state"] for d in answer.json()["dependencies"]}):
            return answer.json()
        assert time.monotonic() < deadline, answer.text
        await asyncio.sleep(0.2)
