"""The embedded stack for fault tests: the multilingual model alone (faults are about delivery, not ranking)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
def light_stack(settings_factory, embedder, detector):  # noqa: ANN001, ANN201
    """Like tests/conftest.py's `stack`, without the English model; yields (http client, runtime)."""
    from contracts.chain import WORKERS
    from gateway.app import create_app
    from mirage.embedded import runtime_factory
    from runtime.process import Components

    @contextlib.asynccontextmanager
    async def open_stack(**overrides: object) -> AsyncIterator[httpx.AsyncClient]:
        settings = settings_factory(english_embedder="none", **overrides)
        components = Components(settings, embedder=embedder, detector=detector)
        app = create_app(settings, runtime_factory(settings, settings.nats_url, WORKERS, components))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://mirage", timeout=60) as http:
                http.runtime = app.state.runtime  # type: ignore[attr-defined]
                yield http

    return open_stack
