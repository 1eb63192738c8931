"""Real servers for the tests: nats-server (JetStream) and redis-server, each on a free port with a temporary store."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from runtime.nats_server import EmbeddedNats, free_port


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    with EmbeddedNats(tmp_path / "nats") as server:
        yield server


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: scripts/test installs it from Debian's packages")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def embedder():  # noqa: ANN201
    from adapters.embedders.use import UniversalSentenceEncoder

    return UniversalSentenceEncoder(threads=2)


@pytest.fixture(scope="session")
def english_embedder(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """The English model, exported to ONNX afresh for the session (so the export path runs on every CI run)."""
    from adapters.embedders.english import EnglishEmbedder

    return EnglishEmbedder(tmp_path_factory.mktemp("models"), threads=2)


@pytest.fixture(scope="session")
def detector():  # noqa: ANN201
    from adapters.language import LanguageDetector

    return LanguageDetector()


@pytest.fixture
def settings_factory(tmp_path: Path, nats_server: EmbeddedNats):  # noqa: ANN201
    from runtime.settings import Settings

    def make(**overrides: object) -> Settings:
        values = {"data_dir": tmp_path / "data", "nats_url": nats_server.url, "upload_wait_s": 15.0, **overrides}
        return Settings(**values)

    return make


@pytest.fixture
def stack(settings_factory, embedder, detector, english_embedder):  # noqa: ANN001, ANN201
    """Opens the whole embedded stack (gateway + every worker) over the real nats-server, as an HTTP client."""
    from contracts.chain import WORKERS
    from gateway.app import create_app
    from mirage.embedded import runtime_factory
    from runtime.process import Components

    @contextlib.asynccontextmanager
    async def open_stack(tracer_provider=None, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
        settings = settings_factory(**overrides)
        english = english_embedder if settings.english_embedder == "minilm" else None
        components = Components(settings, embedder=embedder, detector=detector, english=english)
        app = create_app(settings, runtime_factory(settings, settings.nats_url, WORKERS, components, tracer_provider))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://mirage", timeout=60) as http:
                yield http

    return open_stack


@pytest.fixture(scope="session")
def served_stack(tmp_path_factory: pytest.TempPathFactory, embedder, detector, request: pytest.FixtureRequest):  # noqa: ANN001, ANN201
    """Opens the whole embedded stack on its own nats-server, serving HTTP on a free port (uvicorn in a thread, with its own
    event loop), for clients that are not asyncio ones (a browser, a fuzzer) and for module-scoped use. Yields the base URL."""
    import uvicorn

    from contracts.chain import WORKERS
    from gateway.app import create_app
    from mirage.embedded import runtime_factory
    from runtime.process import Components
    from runtime.settings import Settings

    @contextlib.contextmanager
    def serve(**overrides: object) -> Iterator[str]:
        root, port = tmp_path_factory.mktemp("served"), free_port()
        with EmbeddedNats(root / "nats") as nats:
            values = {"data_dir": root / "data", "nats_url": nats.url, "host": "127.0.0.1", "port": port, "upload_wait_s": 15.0, **overrides}
            settings = Settings(**values)
            english = request.getfixturevalue("english_embedder") if settings.english_embedder == "minilm" else None
            components = Components(settings, embedder=embedder, detector=detector, english=english)
            app = create_app(settings, runtime_factory(settings, settings.nats_url, WORKERS, components))
            server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", log_config=None))
            thread = threading.Thread(target=server.run, name="gateway", daemon=True)
            thread.start()
            deadline = time.monotonic() + 180
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    pytest.fail("the gateway did not start")
                time.sleep(0.1)
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                server.should_exit = True
                thread.join(60)

    return serve


@pytest.fixture
async def client(stack) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    async with stack() as http:
        yield http
