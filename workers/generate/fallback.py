"""An online backend with the offline one behind it: a question always gets an answer, and never an ungrounded one."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from contracts.questions import DraftAnswer
from contracts.search import SearchHit
from workers.generate.base import GenerationFailed, Generator, aclose
from workers.generate.frames import frame
from workers.generate.grounding import UngroundedAnswer, ungrounded_notice

logger = logging.getLogger(__name__)


class FallbackGenerator:
    """The primary's answer; on any failure of it, the fallback's, with a notice in the answer language and the
    reason in the log and the backend name, e.g. "extractive (gemini:gemini-2.5-flash failed: rate limited)". The
    notice says the service is unavailable, or, when the primary's answer had no grounded sentence, that it could
    not be verified against the documents."""

    def __init__(self, primary: Generator, fallback: Generator) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = f"{primary.name}, else {fallback.name}"

    async def generate(
        self, question: str, question_language: str | None, answer_language: str, passages: Sequence[SearchHit]
    ) -> DraftAnswer:
        notice = frame(answer_language).fallback_notice
        try:
            return await self.primary.generate(question, question_language, answer_language, passages)
        except UngroundedAnswer as error:
            reason, notice = str(error), ungrounded_notice(answer_language)
            logger.warning("%s gave no grounded answer (%s); answering with %s", self.primary.name, reason, self.fallback.name)
        except GenerationFailed as error:
            reason = str(error)
            logger.warning("%s failed (%s); answering with %s", self.primary.name, reason, self.fallback.name)
        except Exception as error:
            reason = f"unexpected {type(error).__name__}"
            logger.exception("%s failed unexpectedly; answering with %s", self.primary.name, self.fallback.name)
        answer = await self.fallback.generate(question, question_language, answer_language, passages)
        return answer.model_copy(update={
            "notice": notice,
            "backend": f"{answer.backend} ({self.primary.name} failed: {reason})",
        })

    async def aclose(self) -> None:
        await aclose(self.primary)
        await aclose(self.fallback)
