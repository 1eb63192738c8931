"""Passages cut from the sample leaflets, and a local HTTP server that stands in for an LLM API of either wire format."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from contracts.search import SearchHit
from tests.factories import SAMPLES
from workers.generate.base import Generator
from workers.generate.gemini import GeminiGenerator
from workers.generate.openai_compatible import OpenAICompatibleGenerator

# Sections of every sample leaflet: 0 what it is, 1 how to take it, 2 side effects, 3 pregnancy.
DOSAGE, PREGNANCY = 1, 3


def leaflet_passages(language: str, first: int | None = None) -> list[SearchHit]:
    """One passage per section of the sample leaflet in `language`, ranked as a search would: `first` on top."""
    sample = SAMPLES[language]
    order = list(range(len(sample["sections"])))
    if first is not None:
        order.remove(first)
        order.insert(0, first)
    passages = []
    for rank, section in enumerate(order):
        heading, paragraphs = sample["sections"][section]
        passages.append(SearchHit(
            chunk_id=f"{language}-{section}", score=round(1.0 - 0.1 * rank, 2), text="\n".join(paragraphs),
            document_id=f"leaflet-{language}", title=sample["title"], page=section + 1, heading=heading, language=language,
        ))
    return passages


# Each asks for the dose of the drug of the sample leaflet in its language.
DOSAGE_QUESTIONS = {
    "en": "How many tablets of paracetamol can I take in 24 hours?",
    "fr": "Quelle est la dose maximale de paracétamol par jour ?",
    "es": "¿Cuántos miligramos de ibuprofeno puedo tomar al día?",
    "de": "Wie viel Ibuprofen darf ich pro Tag höchstens einnehmen?",
}


def gemini_reply(text: str | None = None, finish_reason: str = "STOP") -> dict[str, Any]:
    """A generateContent response body (REST, camelCase)."""
    candidate: dict[str, Any] = {"finishReason": finish_reason, "index": 0}
    if text is not None:
        candidate["content"] = {"role": "model", "parts": [{"text": text}]}
    return {
        "candidates": [candidate], "modelVersion": "gemini-2.5-flash", "responseId": "r-1",
        "usageMetadata": {"promptTokenCount": 900, "candidatesTokenCount": 40, "totalTokenCount": 940},
    }


def gemini_error(code: int) -> dict[str, Any]:
    status = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}.get(code, "INVALID_ARGUMENT")
    return {"error": {"code": code, "message": "The service says no.", "status": status}}


def openai_reply(text: str | None, finish_reason: str = "stop", refusal: str | None = None) -> dict[str, Any]:
    """A chat.completion body as Ollama, vLLM and llama.cpp send it."""
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1767225600, "model": "llama3.1:8b",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": refusal}, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 40, "total_tokens": 940},
    }


def openai_error(code: int) -> dict[str, Any]:
    kind = {429: "rate_limit_error", 500: "server_error"}.get(code, "invalid_request_error")
    return {"error": {"message": "The server says no.", "type": kind, "param": None, "code": None}}


# generous enough for a first request on a loaded machine (0.3 s once timed out on a prompt 429 in CI), well
# under the too-slow server's 5 s
TIMEOUT_S = 1.5


@dataclass(frozen=True)
class Wire:
    """An online backend and the replies of its API."""

    name: str
    make: Callable[[str], Generator]  # from the server's URL
    reply: Callable[[str], dict[str, Any]]
    error: Callable[[int], dict[str, Any]]


WIRES = [
    Wire("gemini:gemini-2.5-flash", lambda url: GeminiGenerator("key", base_url=url, timeout_s=TIMEOUT_S), gemini_reply, gemini_error),
    Wire("openai:llama3.1:8b", lambda url: OpenAICompatibleGenerator(f"{url}/v1", "llama3.1:8b", timeout_s=TIMEOUT_S),
         openai_reply, openai_error),
]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeApi:
    """Records every request and answers with `status` and the JSON `body`, after `delay_s` (cut short at shutdown)."""

    status: int = 200
    body: Any = field(default_factory=dict)
    delay_s: float = 0.0
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self._answer))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reply(self, body: Any, status: int = 200, delay_s: float = 0.0) -> None:
        self.body, self.status, self.delay_s = body, status, delay_s

    def _answer(self, request: Request) -> tuple[int, Any]:
        self.requests.append(request)
        if self.delay_s:
            self._released.wait(self.delay_s)
        return self.status, self.body

    def __enter__(self) -> FakeApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler(answer: Callable[[Request], tuple[int, Any]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, body = answer(Request("POST", self.path, headers, json.loads(raw) if raw else None))
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
