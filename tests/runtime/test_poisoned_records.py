"""A record that cannot be read is set aside (logged, counted, skipped): scans, watchers and projections keep flowing."""

from __future__ import annotations

import hashlib
import json

import httpx
import nats

from contracts import topology
from contracts.documents import BlobRef, DocumentRecord, DocumentUploaded, project_document
from contracts.envelope import utcnow
from contracts.figures import Figures
from runtime.messaging import UNREADABLE, FiguresStore, Records, open_bucket
from runtime.projection import Projection
from tests.factories import SAMPLES, make_txt
from workers.catalog.figures import tally

GARBAGE = b'{"document_id": "never closed'
NAN_ERA = {"document_id": "d" * 64, "status": "indexed", "metadata": None}  # what a NaN upload used to leave behind


async def put_raw(url: str, bucket: str, key: str, value: bytes) -> None:
    nc = await nats.connect(url)
    try:
        await (await nc.jetstream().key_value(bucket)).put(key, value)
    finally:
        await nc.close()


def txt(language: str) -> bytes:
    return make_txt(SAMPLES[language]["title"], SAMPLES[language]["sections"])


async def test_unreadable_records_are_set_aside_and_stats_and_search_stay_right(client: httpx.AsyncClient, nats_server) -> None:  # noqa: ANN001
    first = await client.post("/documents/upload", files={"file": ("en.txt", txt("en"))}, data={"metadata": '{"type":"leaflet"}'})
    assert first.status_code == 201, first.text
    second_bytes = txt("fr")
    healed = hashlib.sha256(second_bytes).hexdigest()
    bad_keys = {"a" * 64: GARBAGE, "d" * 64: json.dumps(NAN_ERA).encode(), healed: GARBAGE}
    for key, value in bad_keys.items():
        await put_raw(nats_server.url, topology.CATALOG_BUCKET, key, value)
    await put_raw(nats_server.url, topology.QUESTIONS_BUCKET, "poisoned-question", GARBAGE)
    await put_raw(nats_server.url, topology.REVIEWS_BUCKET, "poisoned-case", b"[]")

    listed = await client.get("/documents")  # a scan of the catalog reads past them
    assert listed.status_code == 200 and [d["document_id"] for d in listed.json()["documents"]] == [first.json()["document_id"]]
    for key in ("a" * 64, "d" * 64):
        unreadable = await client.get(f"/documents/{key}")
        assert unreadable.status_code == 404 and unreadable.json()["error"] == "document_not_found"

    # the projection keeps flowing, and the upload of a document whose record was unreadable writes a good one over it
    second = await client.post("/documents/upload", files={"file": ("fr.txt", second_bytes)})
    assert second.status_code == 201, second.text
    assert (await client.get(f"/documents/{healed}")).json()["status"] == "indexed"
    stats = (await client.get("/documents/stats")).json()
    assert stats["documents"] == 2 and stats["types"] == {"leaflet": 1, "unspecified": 1}
    hits = (await client.get("/documents/search", params={"query": "paracétamol fièvre", "top_k": 3})).json()["results"]
    assert {h["document_id"] for h in hits} <= {first.json()["document_id"], healed} and hits

    assert (await client.get("/query/poisoned-question")).json()["error"] == "query_not_found"
    assert (await client.get("/review/pending")).status_code == 200
    case = await client.get("/review/query/poisoned-case")
    assert case.status_code == 404 and case.json()["error"] == "case_not_found"

    health = (await client.get("/health")).json()["unreadable_records"]
    assert {"a" * 64, "d" * 64} <= set(health[topology.CATALOG_BUCKET]["keys"])
    assert healed not in health[topology.CATALOG_BUCKET]["keys"]  # readable again
    assert "poisoned-question" in health[topology.QUESTIONS_BUCKET]["keys"]
    assert "poisoned-case" in health[topology.REVIEWS_BUCKET]["keys"]
    metrics = (await client.get("/metrics")).text
    assert f'mirage_unreadable_records_total{{bucket="{topology.CATALOG_BUCKET}"}}' in metrics


async def test_unreadable_totals_are_left_alone_and_counted_again_from_the_records(nats_server) -> None:  # noqa: ANN001
    nc = await nats.connect(nats_server.url)
    try:
        kv = await open_bucket(nc.jetstream(), topology.FIGURES_BUCKET)
        figures = FiguresStore(kv, "some_bucket")
        await kv.put("some_bucket", b"not json")
        records = Records(await open_bucket(nc.jetstream(), topology.CATALOG_BUCKET), DocumentRecord, "document_id")
        upload = DocumentUploaded(correlation_id="e" * 64, document_id="e" * 64, filename="e.txt", format="txt",
                                  blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name="e" * 64, size=1))
        projection = Projection(records, figures, tally)
        await projection.apply(7, upload.document_id, lambda record: project_document(record, upload))  # the record is stored,
        assert (await kv.get("some_bucket")).value == b"not json"  # and the totals are not pretended to be known
        assert await records.get(upload.document_id) is not None
        assert await figures.get() == Figures()
        assert "some_bucket" in UNREADABLE.summary()[topology.FIGURES_BUCKET]["keys"]

        class Two:
            async def scan(self):  # noqa: ANN202
                for _ in range(2):
                    yield None

        counted = await figures.count_once(Two(), lambda f, _: f.moved({}, {"totals": {"documents": 1}}, utcnow()))  # type: ignore[arg-type]
        assert counted == 2 and (await figures.get()).count("totals", "documents") == 2
        assert "some_bucket" not in UNREADABLE.summary().get(topology.FIGURES_BUCKET, {}).get("keys", [])
    finally:
        await nc.close()


async def test_a_key_no_record_can_have_reads_as_absent(nats_server) -> None:  # noqa: ANN001
    nc = await nats.connect(nats_server.url)
    try:
        records = Records(await open_bucket(nc.jetstream(), topology.CATALOG_BUCKET), DocumentRecord, "document_id")
        for key in (">", "*", "a b", "", "a..b"):
            assert await records.get(key) is None
    finally:
        await nc.close()
