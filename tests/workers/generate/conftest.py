"""Fixtures of the generate worker's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.workers.generate.fakes import FakeApi


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    with FakeApi() as api:
        yield api
