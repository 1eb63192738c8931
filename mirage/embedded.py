"""`mirage up`: a private nats-server, every worker and the gateway, in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import AsyncIterator, Iterable, Iterator

import uvicorn
from opentelemetry.sdk.trace import TracerProvider

from contracts.chain import WORKERS
from gateway.app import create_app
from gateway.routes.dashboard import standalone
from mirage.pipeline import start_pipeline
from runtime.nats_server import EmbeddedNats, StoreInUse
from runtime.process import Components, Runtime
from runtime.settings import Settings
from runtime.telemetry import tracer_provider_from_env

log = logging.getLogger(__name__)


def runtime_factory(  # noqa: ANN201
    settings: Settings, nats_url: str, workers: list[str], components: Components | None = None,
    tracer_provider: TracerProvider | None = None,
):
    @contextlib.asynccontextmanager
    async def open_runtime() -> AsyncIterator[Runtime]:
        runtime = await start_pipeline(settings, nats_url, workers, components, tracer_provider)
        try:
            yield runtime
        finally:
            await runtime.stop()

    return open_runtime


def serve(settings: Settings, workers: list[str]) -> None:
    """Run the gateway (with the named workers in-process) until Ctrl-C."""
    nats: EmbeddedNats | None = None
    nats_url = settings.nats_url
    if nats_url is None:
        try:
            nats = EmbeddedNats(settings.nats_dir).start()
        except StoreInUse as exc:
            raise SystemExit(f"mirage: {exc}") from None
        nats_url = nats.url
        log.info("private nats-server with JetStream at %s (store %s)", nats_url, settings.nats_dir)
    try:
        tracing = tracer_provider_from_env("mirage" if workers else "mirage-gateway")
        app = create_app(settings, runtime_factory(settings, nats_url, workers, tracer_provider=tracing))
        gateway = Served(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info", log_config=None))
        with asyncio.Runner(loop_factory=gateway.config.get_loop_factory()) as runner:  # uvicorn's loop (uvloop when installed)
            runner.run(serve_with_dashboard(gateway, settings))
        if not gateway.started:
            raise SystemExit(1)  # uvicorn logged why (a port in use, a failed start)
    finally:
        if nats is not None:
            nats.stop()


class Served(uvicorn.Server):
    """A uvicorn server that leaves Ctrl-C to `serve_with_dashboard`, which stops the gateway's server and the dashboard's
    together (two uvicorn servers in one loop would each take the signal from the other)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.contextmanager
def stopped_by_signals(servers: list[uvicorn.Server]) -> Iterator[None]:
    """Ctrl-C or SIGTERM stops every server, as uvicorn's own handler does (a second Ctrl-C: without waiting)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only; whoever runs this elsewhere stops the servers
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda sig=sig: [server.handle_exit(sig, None) for server in servers])
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def dashboard_socket(settings: Settings) -> socket.socket | None:
    """The dashboard's port, bound now (before the models load) so that a port in use is said at once; None when the
    dashboard has no port of its own, or it is taken (the page is at /dashboard on the gateway's port anyway)."""
    if not settings.dashboard_port or settings.dashboard_port == settings.port:
        return None
    host = settings.host.strip("[]")
    try:
        return socket.create_server((host, settings.dashboard_port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        log.warning("dashboard: port %s is not available (%s); it stays at /dashboard on port %s (--dashboard-port to choose)",
                    settings.dashboard_port, exc.strerror or exc, settings.port)
        return None


async def serve_with_dashboard(gateway: Served, settings: Settings) -> None:
    """The gateway's server and, once it has started, the dashboard's on its own port, until Ctrl-C (or until
    `gateway.should_exit` is set): both stop together."""
    sock = dashboard_socket(settings)
    if sock is None:
        with stopped_by_signals([gateway]):
            await gateway.serve()
        return
    dashboard = Served(uvicorn.Config(standalone(gateway.config.app), log_level="info", log_config=None, lifespan="off"))
    with stopped_by_signals([gateway, dashboard]):
        follower = asyncio.create_task(follow(gateway, dashboard, sock), name="dashboard")
        try:
            await gateway.serve()
        finally:
            dashboard.should_exit = True
            await follower
            sock.close()


async def follow(gateway: uvicorn.Server, dashboard: uvicorn.Server, sock: socket.socket) -> None:
    while not gateway.started:  # the dashboard reads what the gateway's start opens (its runtime, the access rule)
        if gateway.should_exit:
            return
        await asyncio.sleep(0.1)
    serving = asyncio.create_task(dashboard.serve(sockets=[sock]))
    log.info("dashboard on http://%s:%s", dashboard_host(sock), sock.getsockname()[1])
    while not (gateway.should_exit or serving.done()):
        await asyncio.sleep(0.1)
    dashboard.should_exit = True
    await serving


def dashboard_host(sock: socket.socket) -> str:
    host = sock.getsockname()[0]
    return f"[{host}]" if ":" in host else host


@contextlib.asynccontextmanager
async def private_pipeline(settings: Settings, workers: Iterable[str] = WORKERS, components: Components | None = None) -> AsyncIterator[Runtime]:
    """Everything `mirage up` runs but HTTP, on a private nats-server under `settings.data_dir`: for measurements."""
    with EmbeddedNats(settings.nats_dir) as nats:
        scoped = settings.model_copy(update={"nats_url": nats.url})
        runtime = await start_pipeline(scoped, nats.url, workers, components)
        try:
            yield runtime
        finally:
            await runtime.stop()
