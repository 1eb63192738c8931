"""Sentences by meaning: the multilingual embedder finds the sentence that answers across languages, and a
sentence seen before is not embedded again."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from adapters.unit_vectors import unit_key
from workers.generate.meaning import SentenceMeaning


class Counting:
    """The real embedder, counting the texts it embeds."""

    def __init__(self, embedder) -> None:  # noqa: ANN001
        self.embedder, self.name, self.dim = embedder, embedder.name, embedder.dim
        self.embedded: list[str] = []

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self.embedder.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed_query(text)


SPANISH = [
    "Conservar en nevera (entre 2 °C y 8 °C).",
    "Los efectos adversos frecuentes son dolor de cabeza y náuseas.",
    "La dosis recomendada es un comprimido al día.",
]


def test_the_sentence_that_answers_a_question_in_another_language_is_the_closest(embedder) -> None:  # noqa: ANN001
    meaning = SentenceMeaning(embedder)

    similarities = meaning.similarities("Welche Nebenwirkungen kann das Medikament haben?", SPANISH)

    assert int(np.argmax(similarities)) == 1


def test_a_sentence_is_embedded_once_and_the_least_recently_used_leaves_a_full_cache(embedder) -> None:  # noqa: ANN001
    counting = Counting(embedder)
    meaning = SentenceMeaning(counting, cache_size=3)

    first = meaning.similarities("Wie lagere ich es?", SPANISH)
    again = meaning.similarities("Wie lagere ich es?", [SPANISH[2], SPANISH[0], SPANISH[0]])
    meaning.similarities("Wie lagere ich es?", ["Tragar con agua."])  # the cache holds 3: SPANISH[1] leaves
    meaning.similarities("Wie lagere ich es?", [SPANISH[0], SPANISH[1]])

    assert np.allclose(again, [first[2], first[0], first[0]], atol=1e-5)
    assert counting.embedded == [*SPANISH, "Tragar con agua.", SPANISH[1]]


def test_vectors_made_at_ingest_are_used_and_only_the_others_embedded(embedder) -> None:  # noqa: ANN001
    counting = Counting(embedder)
    stored = {unit_key(text): vector for text, vector in zip(SPANISH[:2], embedder.embed_documents(SPANISH[:2]), strict=True)}

    similarities = SentenceMeaning(counting).similarities("Welche Nebenwirkungen kann das Medikament haben?", SPANISH, stored)

    assert counting.embedded == [SPANISH[2]]
    assert np.allclose(similarities, SentenceMeaning(embedder).similarities("Welche Nebenwirkungen kann das Medikament haben?", SPANISH),
                       atol=2e-3)  # a batch pads its texts: the same text in another batch differs a little
