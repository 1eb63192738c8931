"""Configuration from environment variables (and CLI flags), with defaults for a laptop."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.llm import LlmConfig


class Settings(BaseSettings):
    """Every knob of a MIRAGE process. Built once in main(); flags override environment."""

    model_config = SettingsConfigDict(env_prefix="MIRAGE_", extra="ignore")

    data_dir: Path = Field(default=Path(".mirage"), description="Where the embedded NATS store and vector index live.")
    host: str = Field(default="127.0.0.1", description="Interface the gateway binds to.")
    port: int = Field(default=8006, ge=1, le=65535, description="Gateway HTTP port.")
    dashboard_port: int = Field(default=8080, ge=0, le=65535, description="The dashboard page's own port, on the gateway's host "
                                "(0: none; the page is at /dashboard on the gateway's port either way).")
    nats_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NATS_URL", "MIRAGE_NATS_URL"),
        description="External NATS server; unset in `mirage up` = start a private one.",
    )
    qdrant_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("QDRANT_URL", "MIRAGE_QDRANT_URL"),
        description="Qdrant server; unset = embedded Qdrant Edge under the data directory.",
    )
    qdrant_api_key: str | None = Field(default=None, validation_alias=AliasChoices("QDRANT_API_KEY", "MIRAGE_QDRANT_API_KEY"))
    qdrant_collection: str = "mirage_chunks"
    vector_disk_reserve_mb: int = Field(default=100, ge=0, description="Room the embedded index leaves free on its disk: a write "
                                        "that would cut into it fails the upload with a reason, instead of the process dying "
                                        "(SIGBUS) on a full disk. 0: no check.")
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "MIRAGE_REDIS_URL"),
                                  description="Redis for the answer and embedding caches; unset = in-process caches.")
    answer_cache_ttl_s: float = Field(default=3600.0, ge=0, description="How long a released answer is served from the cache (0 = never).")

    embedder: str = Field(default="use", description='"use" (offline multilingual USE v3) or "fastembed:<model>".')
    embedder_threads: int = Field(default=2, ge=1)
    fastembed_cache: str | None = None
    fastembed_model_path: str | None = None
    english_embedder: Literal["minilm", "none"] = Field(
        default="minilm",
        description='"minilm": English chunks and questions are embedded a second time with all-MiniLM-L6-v2 '
                    '(BioASQ nDCG@10 0.79 → 0.85+, ingest ~4x slower); "none": the multilingual model alone.')
    model_cache: Path = Field(default=Path("~/.cache/mirage/models"),
                              description="Where the English model's ONNX export is kept (made on first use, ~10 s).")

    gemini_api_key: str | None = Field(default=None, validation_alias=AliasChoices("GEMINI_API_KEY", "MIRAGE_GEMINI_API_KEY"),
                                       description="Set to generate with Gemini (google-genai).")
    gemini_model: str = "gemini-2.5-flash"
    openai_base_url: str | None = Field(default=None, description="An OpenAI-compatible server (Ollama, vLLM, llama.cpp), e.g. http://localhost:11434/v1.")
    openai_model: str = "llama3.1"
    openai_api_key: str | None = None
    llm_timeout_s: float = Field(default=20.0, gt=0)

    max_upload_mb: float = Field(default=50.0, gt=0, description="Uploads above this size get 413.")
    max_body_kb: int = Field(default=1024, gt=0, description="Any other request body (JSON, a form) above this size gets 413.")
    cors_origins: str = Field(default="", description="Other sites' origins (`https://intranet.example`, comma-separated) whose "
                              "pages may call the API: CORS and the cross-site check allow them. Empty: none (CORS off).")
    rate_limit_questions: int | None = Field(default=None, ge=0, description="Questions per minute per key (0: off). Unset: 120 "
                                             "when keys are required, off in the local single-user mode.")
    rate_limit_uploads: int | None = Field(default=None, ge=0, description="Uploads per minute per key (0: off). Unset: 60 when "
                                           "keys are required, off in the local single-user mode.")
    rate_limit_logins: int = Field(default=10, ge=0, description="Sign-ins on the reviewer page per minute per client address (0: off).")
    docs_access: Literal["open", "off"] = Field(default="open", description="/docs, /redoc and /openapi.json: open to all, or off (404).")
    metrics_access: Literal["open", "keys", "off"] = Field(default="open", description="/metrics: open to all, any valid key, or off (404).")
    upload_wait_s: float = Field(default=10.0, ge=0, description="How long an upload waits for indexing before answering 202.")
    query_wait_s: float = Field(default=10.0, ge=0, description="How long POST /query waits for the answer before answering 202.")
    request_timeout_s: float = Field(default=10.0, gt=0, description="How long the gateway waits for a worker's reply.")
    chunk_max_chars: int = Field(default=1000, ge=200)
    ingest_concurrency: int = Field(default=16, ge=1, le=256, description="Documents one ingest worker handles at once.")

    max_deliver: int = Field(default=5, ge=1, description="Deliveries before a message goes to the dead-letter stream.")
    ack_wait_s: float = Field(default=30.0, gt=0, description="Seconds without progress before JetStream redelivers.")
    stuck_after_s: float = Field(default=600.0, gt=0, description="/health names a consumer stuck once its oldest unacknowledged message "
                                 "is this old and it has acknowledged nothing for as long (MirageConsumerBacklogStuck's 10 minutes).")

    review_deadline_critical_s: float = Field(default=900.0, gt=0, description="A critical case not decided by then is escalated.")
    review_deadline_high_s: float = Field(default=3600.0, gt=0, description="Deadline of a high-risk case.")
    review_deadline_s: float = Field(default=4 * 3600.0, gt=0, description="Deadline of the other cases.")
    review_max_age_s: float = Field(default=72 * 3600.0, gt=0, description="A case still open then expires: the asker gets the safe message.")
    review_lease_s: float = Field(default=600.0, gt=0, description="How long a reviewer's claim on a case lasts unless renewed.")
    review_sweep_s: float = Field(default=30.0, gt=0, description="How often the review worker looks for deadlines and expiries.")

    jetstream_replicas: int = Field(default=1, ge=1, le=5, description="Replicas of every stream and bucket (3 on a NATS cluster).")

    metrics_port: int | None = Field(default=None, description="Port for a worker's own /metrics (gateway serves it on its port).")

    @property
    def llm(self) -> LlmConfig:
        """The LLM the generate and translate workers use, if any (one choice, made in adapters.llm)."""
        return LlmConfig(openai_base_url=self.openai_base_url, openai_model=self.openai_model, openai_api_key=self.openai_api_key,
                         gemini_api_key=self.gemini_api_key, gemini_model=self.gemini_model, timeout_s=self.llm_timeout_s)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_body_bytes(self) -> int:
        return self.max_body_kb * 1024

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        return tuple(o.strip().rstrip("/").lower() for o in self.cors_origins.replace(" ", ",").split(",") if o.strip())

    @property
    def nats_dir(self) -> Path:
        return self.data_dir / "nats"

    @property
    def vectors_dir(self) -> Path:
        return self.data_dir / "vectors"
