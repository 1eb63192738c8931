"""The embedding spaces a chunk or a question gets, declared once.

Each space is one named dense vector in the index, made by one configured model, for the chunks and the
questions it applies to, with its say in the fusion. Stores create one named vector per space, ingest embeds a
chunk in every space that applies to its language, retrieve embeds a question in every space it searches, and
the fusion weighs each list by the spaces that cover a hit. A third model is one more entry in SPACES (and its
embedder in `runtime.process.Components.embedders`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from adapters.terminology import english_question

# The names of the index's vectors: kept as they are, so that an index built before still loads.
DENSE = "dense"
ENGLISH = "dense_en"
LEXICAL = "bm25"  # the sparse BM25 vector, fused with the dense ones

Weights = Mapping[str, float]  # list name -> its weight in the fused score; a list not named weighs 0


def every_chunk(language: str | None) -> bool:
    return True


def every_question(languages: frozenset[str]) -> bool:
    return True


def english_or_unknown(language: str | None) -> bool:
    """English chunks, and chunks of unknown language (mostly short runs of medical terms, which the English
    model reads well)."""
    return language in ("en", None)


def as_asked(question: str, languages: frozenset[str]) -> str:
    return question


@dataclass(frozen=True, eq=False)  # each space is one object: compared and hashed by identity
class Space:
    """One named dense vector: which model makes it, which chunks and questions get it, and how it is fused.

    `chunks` takes a chunk's language (None: unknown), `questions` the languages a question may be written in
    (empty: unknown). A hit's weights are those of the last searched space in SPACES that covers its chunk:
    `same_language` when the chunk is in one of the question's languages (or either is unknown), else
    `cross_language`. `reads` gives the text the space's model embeds for a question and its languages.
    """

    name: str
    model: str  # which configured model makes it: "multilingual" (MIRAGE_EMBEDDER) or "english" (MIRAGE_ENGLISH_EMBEDDER)
    label: str  # how the catalog names the model's part ("use-multilingual-v3 + all-MiniLM-L6-v2 (English)")
    same_language: Weights
    cross_language: Weights
    chunks: Callable[[str | None], bool] = every_chunk
    questions: Callable[[frozenset[str]], bool] = every_question
    reads: Callable[[str, frozenset[str]], str] = as_asked


# Tuned on the dev sets (docs/BENCHMARKS.md): words decide within a language, meaning decides across
# languages, and within English the English model shares the say with the words.
CROSS_LANGUAGE: Weights = {DENSE: 0.9, LEXICAL: 0.1}
MULTILINGUAL = Space(DENSE, model="multilingual", label="multilingual", same_language={DENSE: 0.1, LEXICAL: 0.9},
                     cross_language=CROSS_LANGUAGE)
# A question in another language reaches English chunks through the English model too, which reads it rendered
# word by word in English (adapters.terminology): wmt18 FR→EN recall@10 0.85 → 0.91 (docs/BENCHMARKS.md).
ENGLISH_SPACE = Space(ENGLISH, model="english", label="English", same_language={DENSE: 0.0, LEXICAL: 0.5, ENGLISH: 0.5},
                      cross_language={DENSE: 0.6, LEXICAL: 0.2, ENGLISH: 0.2}, chunks=english_or_unknown, reads=english_question)

# The first space is every chunk's and every question's: it makes a chunk searchable, and its cosine is a hit's similarity.
SPACES: tuple[Space, ...] = (MULTILINGUAL, ENGLISH_SPACE)
PRIMARY = SPACES[0]
BY_NAME: Mapping[str, Space] = {space.name: space for space in SPACES}


def for_chunk(language: str | None, enabled: Mapping[str, object]) -> list[Space]:
    """The enabled spaces (names in `enabled`) a chunk of this language is embedded in."""
    return [space for space in SPACES if space.name in enabled and space.chunks(language)]


def for_question(languages: frozenset[str], enabled: Mapping[str, object]) -> list[Space]:
    """The enabled spaces a question that may be in these languages is embedded in and searched."""
    return [space for space in SPACES if space.name in enabled and space.questions(languages)]


def described(names: Mapping[str, str]) -> str:
    """The models of the enabled spaces as one name: `names` maps a space name to its model's name."""
    first, *more = [(space, names[space.name]) for space in SPACES if space.name in names]
    return first[1] + "".join(f" + {model} ({space.label})" for space, model in more)
