"""BM25 term weights for the sparse side of hybrid search, computed in-process by qdrant-edge."""

from __future__ import annotations

from qdrant_edge import Bm25, Bm25Config, DisabledStemmer, Language, SparseVector, StopwordsSet, TokenizerType

from mirage.stores.base import SparseTerms


def multilingual_config() -> Bm25Config:
    """One analyzer for EN/FR/ES/DE text: lowercase, accents folded, no stemming.

    Stop words are the union of the four languages' lists, so a word that is a stop word in one of them
    is dropped in all (German "die" also drops English "die"); the dense side still carries its meaning.
    """
    return Bm25Config(
        tokenizer=TokenizerType.Word,
        lowercase=True,
        ascii_folding=True,
        stemmer=DisabledStemmer(),
        stopwords=StopwordsSet(languages={Language.English, Language.French, Language.Spanish, Language.German}),
    )


class Bm25Encoder:
    """Documents get saturated term frequencies; queries get 1.0 per term. IDF is applied by the store."""

    def __init__(self, config: Bm25Config | None = None) -> None:
        self._bm25 = Bm25(config or multilingual_config())

    def encode_document(self, text: str) -> SparseTerms:
        return _terms(self._bm25.embed_document(text))

    def encode_query(self, text: str) -> SparseTerms:
        return _terms(self._bm25.embed_query(text))


def _terms(vector: SparseVector) -> SparseTerms:
    return SparseTerms(indices=tuple(vector.indices), values=tuple(vector.values))
