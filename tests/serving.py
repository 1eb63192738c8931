"""An ASGI app on a real HTTP port (uvicorn in a thread), for tests that need a real client: a browser, `mirage ingest`."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from runtime.nats_server import free_port


@contextlib.contextmanager
def serving(app: object, port: int | None = None, start_timeout_s: float = 180) -> Iterator[str]:
    """The app served on 127.0.0.1 (its lifespan run by uvicorn) until the block ends: its base URL."""
    import uvicorn

    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, name="gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the gateway did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(60)
