"""The gateway's last minutes, minute by minute: questions answered, held and failed, their latency, answer cache hits.

Read from this process's Prometheus registry (the counters the gateway keeps anyway) every few seconds, and kept as the
last reading of each minute: a minute's figures are the difference between its reading and the one before. Prometheus
keeps the long history; this is what the dashboard page shows without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry

WINDOW_MINUTES = 30
SAMPLE_S = 5.0
# mirage_queries_total's outcomes as the dashboard groups them ("pending": still in the chain at the wait bound).
OUTCOMES = {"answered": "answered", "answered_from_cache": "answered", "pending_review": "held", "failed": "failed",
            "pending": "still_working"}
KINDS = ("answered", "held", "failed", "still_working")


@dataclass(frozen=True)
class Reading:
    """Running totals at one moment: questions by kind, the latency histogram's buckets, answer cache lookups."""

    at: float
    questions: dict[str, float] = field(default_factory=dict)
    latency_buckets: tuple[tuple[float, float], ...] = ()  # (upper bound, cumulative count), +inf last
    latency_sum: float = 0.0
    latency_count: float = 0.0
    cache: dict[str, float] = field(default_factory=dict)  # hit, miss, error

    def minus(self, before: Reading) -> Reading:
        earlier = dict(before.latency_buckets)
        return Reading(
            at=self.at, questions={k: self.questions.get(k, 0) - before.questions.get(k, 0) for k in KINDS},
            latency_buckets=tuple((le, n - earlier.get(le, 0)) for le, n in self.latency_buckets),
            latency_sum=self.latency_sum - before.latency_sum, latency_count=self.latency_count - before.latency_count,
            cache={k: n - before.cache.get(k, 0) for k, n in self.cache.items()},
        )


def read(registry: CollectorRegistry = REGISTRY, now: float | None = None) -> Reading:
    questions: dict[str, float] = dict.fromkeys(KINDS, 0.0)
    buckets: list[tuple[float, float]] = []
    latency_sum = latency_count = 0.0
    cache: dict[str, float] = {}
    for metric in registry.collect():
        for sample in metric.samples:
            if sample.name == "mirage_queries_total" and (kind := OUTCOMES.get(sample.labels.get("outcome", ""))):
                questions[kind] += sample.value
            elif sample.name == "mirage_query_seconds_bucket":
                buckets.append((float(sample.labels["le"]), sample.value))
            elif sample.name == "mirage_query_seconds_sum":
                latency_sum = sample.value
            elif sample.name == "mirage_query_seconds_count":
                latency_count = sample.value
            elif sample.name == "mirage_cache_lookups_total" and sample.labels.get("cache") == "answers":
                cache[sample.labels["result"]] = cache.get(sample.labels["result"], 0) + sample.value
    return Reading(time.time() if now is None else now, questions, tuple(sorted(buckets)), latency_sum, latency_count, cache)


def quantile(q: float, buckets: Iterable[tuple[float, float]]) -> float | None:
    """The q-quantile of a histogram's cumulative buckets, interpolated inside its bucket as Prometheus's
    histogram_quantile does (above the last finite bound: that bound)."""
    ranked = sorted(buckets)
    total = ranked[-1][1] if ranked else 0
    if total <= 0:
        return None
    rank, lower, below = q * total, 0.0, 0.0
    for upper, count in ranked:
        if count >= rank:
            if math.isinf(upper):
                return lower
            return lower + (upper - lower) * ((rank - below) / (count - below) if count > below else 1.0)
        lower, below = upper, count
    return lower


def figures(change: Reading) -> dict[str, Any]:
    """What one stretch of time adds up to: questions by kind, latency p50/p95/mean in ms, answer cache lookups."""
    count = change.latency_count

    def ms(seconds: float | None) -> float | None:
        return None if seconds is None else round(seconds * 1000, 1)

    return {
        **{kind: int(round(change.questions.get(kind, 0))) for kind in KINDS},
        "latency_p50_ms": ms(quantile(0.5, change.latency_buckets)), "latency_p95_ms": ms(quantile(0.95, change.latency_buckets)),
        "latency_mean_ms": ms(change.latency_sum / count) if count > 0 else None,
        "cache_hits": int(round(change.cache.get("hit", 0))), "cache_lookups": int(round(sum(change.cache.values()))),
    }


class Activity:
    """The last reading of each of the last `window` minutes, and the reading taken when the gateway started."""

    def __init__(self, registry: CollectorRegistry = REGISTRY, window: int = WINDOW_MINUTES) -> None:
        self.registry, self.window = registry, window
        self.start = read(registry)
        self.readings: OrderedDict[int, Reading] = OrderedDict()

    def sample(self, now: float | None = None) -> Reading:
        reading = read(self.registry, now)
        minute = int(reading.at // 60)
        self.readings[minute] = reading
        self.readings.move_to_end(minute)
        while len(self.readings) > self.window + 1:  # one more than shown: the baseline of the oldest shown minute
            self.readings.popitem(last=False)
        return reading

    def minutes(self, now: float | None = None) -> list[dict[str, Any]]:
        """Each minute since the start (at most `window`), oldest first, the running one last."""
        latest = self.sample(now)
        current = int(latest.at // 60)
        first = max(current - self.window + 1, int(self.start.at // 60))
        shown, before = [], self.start
        for minute in range(first - 1, current + 1):
            reading = self.readings.get(minute)
            if minute >= first:
                shown.append({"minute": minute * 60, **figures((reading or before).minus(before))})
            before = reading or before
        return shown

    def recent(self, span: int = 5, now: float | None = None) -> dict[str, Any]:
        """The last `span` minutes (the running one included) added up: latency quantiles over all of their questions."""
        latest = self.sample(now)
        first = max(int(latest.at // 60) - span + 1, int(self.start.at // 60))
        before = [reading for minute, reading in self.readings.items() if minute < first]
        return {"minute": first * 60, **figures(latest.minus(before[-1] if before else self.start))}

    def since_start(self) -> dict[str, Any]:
        return figures(read(self.registry).minus(self.start)) | {"since": self.start.at}

    async def sample_forever(self, every_s: float = SAMPLE_S) -> None:
        while True:
            self.sample()
            await asyncio.sleep(every_s)


@contextlib.asynccontextmanager
async def recorded(every_s: float = SAMPLE_S) -> AsyncIterator[Activity]:
    """The gateway's activity, sampled in the background for as long as the gateway runs."""
    activity = Activity()
    task = asyncio.create_task(activity.sample_forever(every_s), name="dashboard-activity")
    try:
        yield activity
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
