"""What the review worker's handlers and desk depend on: the one injection seam of this worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from contracts.documents import DocumentRecord
from contracts.review import ApprovedAnswer, ReviewCase
from workers.review.cases import Deadlines


class CasesPort(Protocol):
    async def get(self, key: str) -> ReviewCase | None: ...
    async def update(self, key: str, change: Any) -> tuple[ReviewCase | None, ReviewCase | None]: ...
    async def wait_for(self, key: str, done: Any, timeout_s: float) -> ReviewCase | None: ...
    def scan(self) -> Any: ...


class BusPort(Protocol):
    async def publish(self, event: Any, subject: str) -> None: ...
    async def publish_if_last(self, event: Any, subject: str, last_sequence: int) -> bool: ...
    async def last_on(self, subject: str) -> tuple[int, bytes] | None: ...


class ApprovedPort(Protocol):
    async def get(self, key: str) -> ApprovedAnswer | None: ...
    async def put(self, record: ApprovedAnswer) -> None: ...


class CatalogPort(Protocol):
    async def get(self, key: str) -> DocumentRecord | None: ...


@dataclass(frozen=True)
class ReviewServices:
    cases: CasesPort
    bus: BusPort | None = None
    deadlines: Deadlines = Deadlines()
    lease_s: float = 600.0
    approved: ApprovedPort | None = None  # reviewed answers given again to the same question over the same documents
    catalog: CatalogPort | None = None
