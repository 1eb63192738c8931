"""GET /translation/quality: language handling figures the service measured about itself."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from gateway.auth import EVERYONE, requires
from gateway.stats import translation_quality
from runtime.settings import Settings

router = APIRouter(prefix="/translation", tags=["questions"])
OFFLINE = "none (offline): cross-lingual retrieval; answers framed in the target language; evidence quoted in its own language, labelled"


def translation_backend(settings: Settings) -> str:
    name = settings.llm.name
    return OFFLINE if name is None else f"{name} (the LLM writes the answer in the target language)"


@router.get("/quality", summary="Language detection and translation figures measured over every recorded question",
            dependencies=[Depends(requires(*EVERYONE))])
async def quality(request: Request) -> dict[str, Any]:
    return translation_quality(await request.app.state.runtime.question_figures.get(), translation_backend(request.app.state.settings))
