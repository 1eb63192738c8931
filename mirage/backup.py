"""`mirage backup` and `mirage restore`: every stream, bucket and the upload store through JetStream's snapshot API, the
audit trail as JSON lines, a manifest with a checksum per file; a restore rebuilds the vector index from the uploaded bytes.

A backup is a folder `mirage-<UTC time>/`: `<stream>.snapshot` (the server's snapshot: an s2-compressed archive of the
stream's messages and its consumers' state) and `<stream>.json` (its configuration and state) for each stream,
`audit.jsonl` (`mirage audit export`) and `manifest.json`. It is written as `.partial` and renamed when complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.errors import BucketNotFoundError, NotFoundError

from adapters.stores.generations import GenerationStore, generation_collection, generation_path
from contracts import topology
from contracts.documents import BlobRef, DocumentRecord, DocumentStatus
from contracts.envelope import Event
from mirage.audit import export, verify_export, verify_live
from runtime.generations import Generations, drop_collection, present_generations
from runtime.messaging import BUCKETS, Uploads, catalog, open_uploads
from runtime.nats_server import EmbeddedNats
from runtime.process import Components
from runtime.settings import Settings

BACKUP_DIR_VARIABLE = "MIRAGE_BACKUP_DIR"
DEFAULT_BACKUP_DIR = Path("backups")
LAST_SUCCESS = "last_success.json"
METRICS_DIR, METRICS_FILE = "metrics", "mirage_backup.prom"
MANIFEST = "manifest.json"
AUDIT_FILE = "audit.jsonl"
FORMAT = 1
CHUNK_BYTES = 128 * 1024
IDLE_TIMEOUT_S = 30.0


class BackupError(RuntimeError):
    """A backup could not be taken, checked or restored; the message says why and what to do."""


def backed_up_streams() -> list[str]:
    """In the order they are snapshotted: events, then the buckets made from them, then the uploaded bytes last, so that
    (on a running system, one stream at a time) every record in a bucket finds its bytes in the upload store."""
    return ([spec.name for spec in topology.STREAMS] + [f"KV_{name}" for name in BUCKETS] + [f"OBJ_{topology.UPLOADS_BUCKET}"])


def keeps_consumers(stream: str) -> bool:
    """Event streams: their durable consumers' positions are part of the state. Buckets and the upload store have only
    the watchers of running processes (ephemeral consumers)."""
    return not stream.startswith(("KV_", "OBJ_"))


def backup_root(to: Path | None) -> Path:
    """--to, else MIRAGE_BACKUP_DIR, else `backups/` (relative to where the command runs, as `.mirage` is)."""
    return to or Path(os.environ.get(BACKUP_DIR_VARIABLE) or DEFAULT_BACKUP_DIR)


def find_backup(name: str, root: Path) -> Path:
    """NAME as a folder under the backup directory, or as a path."""
    for candidate in (root / name, Path(name)):
        if (candidate / MANIFEST).is_file():
            return candidate
    known = sorted(p.name for p in root.glob("mirage-*") if (p / MANIFEST).is_file()) if root.is_dir() else []
    hint = f"; backups in {root}: {', '.join(known[-5:])}" if known else f"; there is no backup in {root}"
    raise BackupError(f"no backup named {name!r} (a folder with {MANIFEST}){hint}")


class Steps:
    """Where long steps report progress: `task(description, total)` gives the function that advances it."""

    def task(self, description: str, total: float | None) -> Callable[[float], None]:
        return lambda n: None


class BarSteps(Steps):
    def __init__(self, bars: Any) -> None:  # a rich Progress
        self.bars = bars

    def task(self, description: str, total: float | None) -> Callable[[float], None]:
        task = self.bars.add_task(description, total=total)
        return lambda n: self.bars.advance(task, n)


QUIET = Steps()


# --- the JetStream API, raw (nats-py has no snapshot helper) -----------------------------------------------------------

async def api(nc: Client, subject: str, body: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
    reply = await nc.request(subject, json.dumps(body).encode(), timeout=timeout)
    response = json.loads(reply.data or b"{}")
    if response.get("error"):
        error = response["error"]
        raise BackupError(f"{subject}: {error.get('description')} (JetStream error {error.get('err_code')})")
    return response


async def stream_names(nc: Client) -> set[str]:
    names: set[str] = set()
    offset = 0
    while True:
        page = await api(nc, "$JS.API.STREAM.NAMES", {"offset": offset})
        names.update(page.get("streams") or [])
        offset += len(page.get("streams") or [])
        if not page.get("streams") or offset >= page.get("total", 0):
            return names


async def snapshot_stream(nc: Client, stream: str, folder: Path, advance: Callable[[float], None]) -> dict[str, Any]:
    """Write the server's snapshot of `stream` (messages and durable consumers, checksums checked first) to `<stream>.snapshot`,
    acking each chunk (the server's flow control); its configuration and state to `<stream>.json`."""
    inbox = nc.new_inbox()
    finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    last_chunk = time.monotonic()
    with (folder / f"{stream}.snapshot").open("wb") as out:

        async def on_chunk(msg: Msg) -> None:
            nonlocal last_chunk
            last_chunk = time.monotonic()
            if msg.data:
                out.write(msg.data)
                advance(len(msg.data))
                if msg.reply:
                    await nc.publish(msg.reply, b"")
                return
            status = (msg.headers or {}).get("Status")
            if status and status not in ("200", "204") and not finished.done():
                why = (msg.headers or {}).get("Description", "")
                finished.set_exception(BackupError(f"the server stopped the snapshot of {stream}: {status} {why}".strip()))
            elif not finished.done():
                finished.set_result(None)

        subscription = await nc.subscribe(inbox, cb=on_chunk, pending_bytes_limit=256 * 1024 * 1024)
        try:
            request = {"deliver_subject": inbox, "chunk_size": CHUNK_BYTES, "jsck": True, "no_consumers": not keeps_consumers(stream)}
            response = await api(nc, f"$JS.API.STREAM.SNAPSHOT.{stream}", request, timeout=120)
            while not finished.done():
                await asyncio.wait({finished}, timeout=1.0)
                if not finished.done() and time.monotonic() - last_chunk > IDLE_TIMEOUT_S:
                    raise BackupError(f"the snapshot of {stream} stalled: nothing for {IDLE_TIMEOUT_S:.0f} s")
            finished.result()
        finally:
            await subscription.unsubscribe()
    meta = {"config": response["config"], "state": response["state"]}
    (folder / f"{stream}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


async def restore_stream(nc: Client, stream: str, folder: Path, replicas: int, advance: Callable[[float], None]) -> dict[str, Any]:
    """Create `stream` from its snapshot (the stream must not exist); the restored stream's state."""
    meta = json.loads((folder / f"{stream}.json").read_text())
    config = {**meta["config"], "num_replicas": replicas}
    deliver = (await api(nc, f"$JS.API.STREAM.RESTORE.{stream}", {"config": config, "state": meta["state"]}))["deliver_subject"]
    with (folder / f"{stream}.snapshot").open("rb") as data:
        while chunk := data.read(CHUNK_BYTES):
            ack = await nc.request(deliver, chunk, timeout=IDLE_TIMEOUT_S)
            if ack.data:
                raise BackupError(f"restoring {stream}: {json.loads(ack.data).get('error', {}).get('description', ack.data[:200])}")
            advance(len(chunk))
    done = json.loads((await nc.request(deliver, b"", timeout=600)).data or b"{}")
    if done.get("error") or "state" not in done:  # the answer is the new stream's info
        raise BackupError(f"restoring {stream}: {done.get('error', {}).get('description', 'no answer from the server')}")
    return done["state"]


# --- backup ----------------------------------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def mirage_version() -> str:
    try:
        return version("mirage")
    except PackageNotFoundError:
        return "unknown"


def server_version(nc: Client) -> str:
    found = nc.connected_server_version
    return f"{found.major}.{found.minor}.{found.patch}{found.dev and '-' + found.dev or ''}"


def backup_name(now: datetime) -> str:
    return f"mirage-{now.strftime('%Y%m%dT%H%M%SZ')}"


async def count_documents(js: Any) -> dict[str, int]:
    """Catalog records by status (indexed ones are what a restore re-indexes)."""
    counts: dict[str, int] = {}
    async for record in catalog_records(js):
        counts[record.status.value] = counts.get(record.status.value, 0) + 1
    return counts


async def take_backup(nc: Client, root: Path, steps: Steps = QUIET, source: str = "") -> Path:
    """Snapshot every MIRAGE stream of the server `nc` is connected to into a new folder under `root`; its path."""
    started, began = datetime.now(UTC), time.monotonic()
    root.mkdir(parents=True, exist_ok=True)
    name = backup_name(started)
    final, partial = root / name, root / f".{name}.partial"
    if final.exists():
        raise BackupError(f"{final} exists already: wait a second and run it again")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        js = nc.jetstream()
        existing = await stream_names(nc)
        streams: list[dict[str, Any]] = []
        advance = steps.task("snapshots", len(existing & set(backed_up_streams())))
        for stream in backed_up_streams():
            if stream not in existing:
                streams.append({"name": stream, "absent": True})
                continue
            meta = await snapshot_stream(nc, stream, partial, lambda n: None)
            advance(1)
            state = meta["state"]
            streams.append({"name": stream, "messages": state.get("messages", 0), "first_sequence": state.get("first_seq", 0),
                            "last_sequence": state.get("last_seq", 0), "bytes": state.get("bytes", 0),
                            "consumers": state.get("consumer_count", 0) if keeps_consumers(stream) else 0})
        audit: dict[str, Any] | None = None
        audited = next((s for s in streams if s["name"] == topology.AUDIT.name and not s.get("absent")), None)
        if audited is not None and audited["messages"]:
            with (partial / AUDIT_FILE).open("w", encoding="utf-8") as out:
                advance = steps.task("audit trail", audited["messages"])
                head = await export(js, out, progress=advance)
            audit = {"entries": head.count, "head": head.hash, "last_sequence": head.last_sequence}
        files = {p.name: {"bytes": p.stat().st_size, "sha256": sha256_of(p)} for p in sorted(partial.iterdir())}
        manifest = {
            "format": FORMAT, "name": name, "created_at": started.isoformat(), "finished_at": datetime.now(UTC).isoformat(),
            "seconds": round(time.monotonic() - began, 3), "mirage_version": mirage_version(),
            "nats_server_version": server_version(nc), "source": source,
            "streams": streams, "audit": audit, "documents": await count_documents(js),
            "vector_index": "not copied: `mirage restore` rebuilds it from the uploaded bytes (OBJ stream) for every indexed document",
            "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    record_success(root, final, manifest)
    return final


def record_success(root: Path, folder: Path, manifest: dict[str, Any]) -> None:
    """`last_success.json` beside the backups, and `metrics/mirage_backup.prom`: node-exporter's textfile directory in
    compose, where the stale-backup alert finds `mirage_backup_last_success_timestamp_seconds`."""
    size = sum(entry["bytes"] for entry in manifest["files"].values())
    finished = datetime.fromisoformat(manifest["finished_at"])
    body = {"name": folder.name, "path": str(folder.resolve()), "finished_at": manifest["finished_at"],
            "timestamp": finished.timestamp(), "bytes": size, "seconds": manifest["seconds"]}
    write_atomically(root / LAST_SUCCESS, json.dumps(body, indent=2) + "\n")
    (root / METRICS_DIR).mkdir(exist_ok=True)
    write_atomically(root / METRICS_DIR / METRICS_FILE, (
        "# HELP mirage_backup_last_success_timestamp_seconds When the last successful MIRAGE backup finished.\n"
        "# TYPE mirage_backup_last_success_timestamp_seconds gauge\n"
        f"mirage_backup_last_success_timestamp_seconds {body['timestamp']:.3f}\n"
        "# HELP mirage_backup_last_success_bytes Size of the last successful MIRAGE backup.\n"
        "# TYPE mirage_backup_last_success_bytes gauge\n"
        f"mirage_backup_last_success_bytes {size}\n"
        "# HELP mirage_backup_last_success_duration_seconds How long the last successful MIRAGE backup took.\n"
        "# TYPE mirage_backup_last_success_duration_seconds gauge\n"
        f"mirage_backup_last_success_duration_seconds {manifest['seconds']}\n"
    ))


def prune(root: Path, keep: int) -> list[Path]:
    """Delete the oldest whole backups beyond the newest `keep` (names sort by time); the ones deleted."""
    backups = sorted(p for p in root.glob("mirage-*") if (p / MANIFEST).is_file())
    gone = backups[:-keep] if keep > 0 else []
    for folder in gone:
        shutil.rmtree(folder)
    return gone


def write_atomically(path: Path, text: str) -> None:
    """Readers (node-exporter, the alert) never see half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.replace(path)


@contextlib.contextmanager
def operator_server(settings: Settings, nats_url: str | None) -> Iterator[tuple[str, str]]:
    """(URL, what it is): NATS_URL or --nats-url; else the private server of a `mirage up` running on the data directory;
    else (a stopped system) a private server started on its store, for the length of the command."""
    if nats_url or settings.nats_url:
        url = nats_url or settings.nats_url or ""
        yield url, "external NATS"
        return
    url_file = settings.nats_dir / "url"
    if url_file.exists() and lock_held(settings.nats_dir):
        yield url_file.read_text().strip(), f"the running mirage up on {settings.data_dir}"
        return
    if not settings.nats_dir.is_dir():
        raise BackupError(f"nothing to back up: no running MIRAGE and no NATS store in {settings.nats_dir} "
                          "(set MIRAGE_DATA_DIR or --data-dir, or NATS_URL for compose)")
    with EmbeddedNats(settings.nats_dir) as server:
        yield server.url, f"the stopped MIRAGE in {settings.data_dir}"


def lock_held(store_dir: Path) -> bool:
    from runtime.nats_server import StoreInUse, lock_store

    if not (store_dir / "mirage.lock").exists():
        return False
    try:
        fd = lock_store(store_dir)
    except StoreInUse:
        return True
    os.close(fd)
    return False


def run_backup(settings: Settings, nats_url: str | None, root: Path, steps: Steps = QUIET) -> Path:
    with operator_server(settings, nats_url) as (url, source):
        async def run() -> Path:
            nc = await nats.connect([u.strip() for u in url.split(",") if u.strip()])
            try:
                return await take_backup(nc, root, steps, source)
            finally:
                await nc.close()

        return asyncio.run(run())


# --- verify ------------------------------------------------------------------------------------------------------------

@dataclass
class Check:
    folder: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    restored: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_files(folder: Path) -> Check:
    """The manifest, and each file's size and SHA-256 against it; the audit export's chain."""
    check = Check(folder)
    try:
        check.manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        check.problems.append(f"{MANIFEST} cannot be read: {exc}")
        return check
    if check.manifest.get("format") != FORMAT:
        check.problems.append(f"backup format {check.manifest.get('format')} is not {FORMAT}: restore it with the MIRAGE that made it")
    for name, expected in check.manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            check.problems.append(f"{name} is missing")
        elif path.stat().st_size != expected["bytes"] or sha256_of(path) != expected["sha256"]:
            check.problems.append(f"{name} is damaged: its size or SHA-256 is not the one the manifest recorded")
    audit = check.manifest.get("audit")
    if audit and (folder / AUDIT_FILE).is_file():
        result = verify_export(folder / AUDIT_FILE, audit.get("head") if audit.get("entries") else None)
        if not result.intact or result.count != audit["entries"]:
            check.problems.append(f"{AUDIT_FILE}: the chain does not verify ({result.broken or '; '.join(result.problems)})")
    return check


def present_streams(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in manifest.get("streams", []) if not s.get("absent")]


def verify_backup(folder: Path, steps: Steps = QUIET) -> Check:
    """The checksums, then every snapshot restored into a throwaway nats-server: message counts and last sequences must be
    the manifest's, and the restored audit trail must verify."""
    check = check_files(folder)
    if not check.ok:
        return check
    with tempfile.TemporaryDirectory(prefix="mirage-verify-") as scratch, EmbeddedNats(Path(scratch) / "nats") as server:
        async def run() -> None:
            nc = await nats.connect(server.url)
            try:
                present = present_streams(check.manifest)
                advance = steps.task("read snapshots (bytes)", sum(check.manifest["files"][f"{s['name']}.snapshot"]["bytes"] for s in present))
                for stream in present:
                    name = stream["name"]
                    try:
                        state = await restore_stream(nc, name, folder, 1, advance)
                    except (BackupError, TimeoutError, OSError, ValueError) as exc:
                        check.problems.append(f"{name}.snapshot cannot be restored: {exc}")
                        continue
                    check.restored[name] = state
                    if (state.get("messages"), state.get("last_seq")) != (stream["messages"], stream["last_sequence"]):
                        check.problems.append(f"{name}: restored {state.get('messages')} messages up to #{state.get('last_seq')}, "
                                              f"the manifest says {stream['messages']} up to #{stream['last_sequence']}")
                if topology.AUDIT.name in check.restored:
                    result = await verify_live(nc.jetstream())
                    if not result.intact:
                        check.problems.append(f"the restored audit trail does not verify: {result.broken or '; '.join(result.problems)}")
            finally:
                await nc.close()

        asyncio.run(run())
    return check


# --- restore -----------------------------------------------------------------------------------------------------------

@dataclass
class RestoreReport:
    folder: Path
    streams: dict[str, dict[str, Any]] = field(default_factory=dict)
    replaced: list[str] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    index_seconds: float = 0.0
    seconds: float = 0.0


class Collected:
    """The ingest path's publisher during a rebuild: the catalog already records these documents, so nothing is published."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def publish(self, event: Event, subject: str) -> None:
        self.events.append(event)


class KeepUploads:
    """The upload store as the ingest path sees it, minus deletion: a rebuild never removes restored bytes."""

    def __init__(self, uploads: Uploads) -> None:
        self.uploads = uploads
        self.missing: list[str] = []

    async def find(self, ref: BlobRef) -> bytes | None:
        data = await self.uploads.find(ref)
        if data is None:
            self.missing.append(ref.name)
        return data

    async def delete(self, name: str) -> None:
        return None


async def catalog_records(js: Any) -> AsyncIterator[DocumentRecord]:
    try:
        kv = await js.key_value(topology.CATALOG_BUCKET)
    except (BucketNotFoundError, NotFoundError):  # a system that never stored a document has no catalog
        return
    async for record in catalog(kv).scan():
        yield record


async def rebuild_index(js: Any, settings: Settings, components: Components, report: RestoreReport, steps: Steps) -> None:
    """Every indexed document of the restored catalog through the ingest path again (same chunks, same chunk ids)."""
    from workers.ingest.handlers import index_document
    from workers.ingest.rebuild import uploaded_again
    from workers.ingest.services import Batches, IngestServices

    records = [record async for record in catalog_records(js) if record.status is DocumentStatus.indexed]
    if not records:
        return
    began = time.monotonic()
    publisher, uploads = Collected(), KeepUploads(Uploads(await open_uploads(js, settings.jetstream_replicas)))
    services = IngestServices(embedders=components.embedders, lexical=components.lexical, detector=components.detector,
                              store=components.store, uploads=uploads, bus=publisher, max_chars=settings.chunk_max_chars,
                              concurrency=settings.ingest_concurrency)
    batches = Batches.for_services(services)
    advance = steps.task("re-index documents", len(records))
    gate = asyncio.Semaphore(settings.ingest_concurrency)

    async def one(record: DocumentRecord) -> None:
        async with gate:
            try:
                await index_document(uploaded_again(record), services, batches)
            except Exception as exc:  # noqa: BLE001 - one document's failure is reported, the others go on
                report.failed[record.document_id] = f"{type(exc).__name__}: {exc}"
            advance(1)

    await asyncio.gather(*(one(record) for record in records))
    for event in publisher.events:
        if hasattr(event, "chunks"):
            report.documents, report.chunks = report.documents + 1, report.chunks + event.chunks  # type: ignore[attr-defined]
        elif hasattr(event, "reason"):
            report.failed[event.document_id] = event.reason  # type: ignore[attr-defined]
    for name in uploads.missing:
        report.failed[name] = "its uploaded bytes are not in the backup"
    report.index_seconds = time.monotonic() - began


def reset_index(settings: Settings) -> None:
    """The vector index is rebuilt from the restored documents: what was there before goes, every generation of it."""
    for n in present_generations(settings):
        if settings.qdrant_url:
            drop_collection(settings, generation_collection(settings.qdrant_collection, n))
        else:
            shutil.rmtree(generation_path(settings.vectors_dir, n), ignore_errors=True)


async def restored_generation(js: Any, settings: Settings, components: Components) -> int:
    """The active index generation of the restored system, where the index is rebuilt; a re-index the backup caught
    midway is abandoned (the rebuild below runs today's code anyway)."""
    from workers.ingest.rebuild import abandoned

    generations = Generations(js, settings.jetstream_replicas)
    await generations.update(abandoned)
    state = await generations.get()
    active = state.active if state is not None else 0
    if isinstance(components.store, GenerationStore):
        await asyncio.to_thread(components.store.apply, active, None)
    return active


async def workers_attached(nc: Client, streams: set[str]) -> list[str]:
    """Consumers with pull requests waiting: MIRAGE workers still running against this server."""
    js, busy = nc.jetstream(), []
    for stream in streams:
        with contextlib.suppress(Exception):
            for consumer in await js.consumers_info(stream):
                if consumer.num_waiting:
                    busy.append(f"{stream}/{consumer.name}")
    return busy


async def restore_into(nc: Client, folder: Path, manifest: dict[str, Any], settings: Settings, replace: bool,
                       components: Components | None, steps: Steps, external: bool) -> RestoreReport:
    report, began = RestoreReport(folder), time.monotonic()
    wanted = [s["name"] for s in present_streams(manifest)]
    existing = await stream_names(nc) & set(backed_up_streams())
    if external and (busy := await workers_attached(nc, existing)):
        raise BackupError(f"MIRAGE workers are still running against this NATS ({', '.join(busy[:4])}): stop the gateway and "
                          "every worker first (compose: docker compose stop gateway and the workers; NATS and Qdrant stay up)")
    vectors_in_use = not settings.qdrant_url and any(any(generation_path(settings.vectors_dir, n).iterdir())
                                                     for n in present_generations(settings))
    if (existing or vectors_in_use) and not replace:
        what = ", ".join(sorted(existing)) or f"the vector index in {settings.vectors_dir}"
        raise BackupError(f"this MIRAGE already holds data ({what}): restoring replaces all of it. Take a backup of it first "
                          "if you may want it back, then run the restore again with --yes")
    js = nc.jetstream()
    for stream in sorted(existing):
        await js.delete_stream(stream)
        report.replaced.append(stream)
    advance = steps.task("restore streams (bytes)", sum(manifest["files"][f"{name}.snapshot"]["bytes"] for name in wanted))
    for name in wanted:
        report.streams[name] = await restore_stream(nc, name, folder, settings.jetstream_replicas, advance)
    reset_index(settings)
    own = components is None
    components = components or Components(settings)
    try:
        await restored_generation(js, settings, components)
        await rebuild_index(js, settings, components, report, steps)
    finally:
        if own:
            await components.close_caches()
        components.close()
    report.seconds = time.monotonic() - began
    return report


def run_restore(folder: Path, settings: Settings, replace: bool, components: Components | None = None,
                steps: Steps = QUIET) -> RestoreReport:
    """Check the backup, then restore it into the stopped MIRAGE of `settings` (its data directory, or NATS_URL and
    QDRANT_URL for compose) and rebuild the vector index. Refuses while a `mirage up` holds the data directory."""
    check = check_files(folder)
    if not check.ok:
        raise BackupError(f"{folder.name} does not check out, nothing was restored: " + "; ".join(check.problems))
    from runtime.nats_server import StoreInUse

    server: EmbeddedNats | None = None
    url = settings.nats_url
    if url is None:
        try:
            server = EmbeddedNats(settings.nats_dir).start()
        except StoreInUse as exc:
            raise BackupError(f"{exc}. A restore replaces what it holds: stop `mirage up` (Ctrl-C) and run the restore again") from None
        url = server.url
    try:
        async def run() -> RestoreReport:
            nc = await nats.connect([u.strip() for u in url.split(",") if u.strip()])
            try:
                return await restore_into(nc, folder, check.manifest, settings, replace, components, steps, external=server is None)
            finally:
                await nc.close()

        return asyncio.run(run())
    finally:
        if server is not None:
            server.stop()


# --- what the commands print -------------------------------------------------------------------------------------------

def size_text(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def backup_table(folder: Path) -> Any:
    from rich.table import Table

    manifest = json.loads((folder / MANIFEST).read_text())
    table = Table(title=f"{folder} ({manifest['seconds']:.1f} s, from {manifest.get('source') or 'NATS'})")
    for column in ("stream", "messages", "last #", "consumers", "file"):
        table.add_column(column, justify="left" if column == "stream" else "right")
    for stream in manifest["streams"]:
        if stream.get("absent"):
            table.add_row(stream["name"], "absent", "", "", "")
            continue
        size = manifest["files"][f"{stream['name']}.snapshot"]["bytes"]
        table.add_row(stream["name"], str(stream["messages"]), str(stream["last_sequence"]), str(stream["consumers"]), size_text(size))
    audit = manifest.get("audit")
    if audit:
        table.add_row(AUDIT_FILE, str(audit["entries"]), str(audit["last_sequence"]), "", size_text(manifest["files"][AUDIT_FILE]["bytes"]))
    documents = ", ".join(f"{n} {status}" for status, n in manifest["documents"].items()) or "none"
    table.caption = (f"documents: {documents}; MIRAGE {manifest['mirage_version']}, "
                     f"nats-server {manifest['nats_server_version']}; SHA-256 of every file in {MANIFEST}")
    return table


def restore_table(report: RestoreReport) -> Any:
    from rich.table import Table

    table = Table(title=f"restored {report.folder.name} in {report.seconds:.1f} s")
    table.add_column("stream")
    table.add_column("messages", justify="right")
    table.add_column("last #", justify="right")
    table.add_column("consumers", justify="right")
    for name, state in report.streams.items():
        table.add_row(name, str(state.get("messages", 0)), str(state.get("last_seq", 0)), str(state.get("consumer_count", 0)))
    table.caption = (f"vector index rebuilt from the uploaded bytes: {report.documents} documents, {report.chunks} chunks "
                     f"in {report.index_seconds:.1f} s" + (f"; replaced {len(report.replaced)} streams" if report.replaced else ""))
    return table
