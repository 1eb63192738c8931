"""JetStream plumbing on a real nats-server: the upload store under a busy ingest worker."""

from __future__ import annotations

import asyncio
import os

import nats

from runtime.messaging import Uploads, ensure_topology, open_uploads


async def test_many_concurrent_reads_of_large_and_small_uploads(nats_server) -> None:  # noqa: ANN001
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await ensure_topology(js)
        uploads = Uploads(await open_uploads(js))
        blobs = {f"doc{i}": os.urandom(10 + i * 997) for i in range(40)}
        blobs["big"] = os.urandom(3 * 1024 * 1024 + 17)  # several object-store chunks
        refs = {name: await uploads.put(name, data) for name, data in blobs.items()}
        for _ in range(5):  # hundreds of reads at once: no consumer is created per read
            results = await asyncio.gather(*(uploads.get(ref) for ref in refs.values()))
            assert dict(zip(refs, results, strict=True)) == blobs
        await uploads.delete("doc0")
        await uploads.delete("doc0")  # deleting twice is fine
    finally:
        await nc.close()


async def test_an_earlier_release_s_durables_are_retired_when_the_topology_is_declared(nats_server) -> None:  # noqa: ANN001
    from nats.js.api import ConsumerConfig

    from contracts import topology

    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await ensure_topology(js)
        await js.add_consumer(topology.DOCUMENTS.name, ConsumerConfig(durable_name="catalog-uploaded", filter_subject="mirage.document.uploaded"))
        await js.add_consumer(topology.DOCUMENTS.name, ConsumerConfig(durable_name="an-operator-s-own", filter_subject="mirage.document.uploaded"))
        await ensure_topology(js)
        assert [c.name for c in await js.consumers_info(topology.DOCUMENTS.name)] == ["an-operator-s-own"]
    finally:
        await nc.close()
