"""BM25 term weights for the sparse side of hybrid search, computed in-process by qdrant-edge.

A chunk is stemmed in its own language; a query in every language it may be written in, so that
"effets secondaires" meets a French "effet secondaire" without the French stems reaching English chunks.
"""

from __future__ import annotations

from collections.abc import Iterable

from qdrant_edge import (
    Bm25,
    Bm25Config,
    DisabledStemmer,
    Language,
    SnowballLanguage,
    SnowballParams,
    SparseVector,
    StopwordsSet,
    TokenizerType,
)

from adapters.stores.base import SparseTerms

_SNOWBALL = {
    "en": SnowballLanguage.English,
    "fr": SnowballLanguage.French,
    "es": SnowballLanguage.Spanish,
    "de": SnowballLanguage.German,
}


def analyzer_config(language: str | None = None) -> Bm25Config:
    """Word tokens, lowercase, accents folded, Snowball stemming in `language` (none when None).

    Stop words are the union of the four languages' lists whatever the stemmer, so a word that is a stop
    word in one of them is dropped in all (German "die" also drops English "die"); the dense side still
    carries its meaning.
    """
    return Bm25Config(
        tokenizer=TokenizerType.Word,
        lowercase=True,
        ascii_folding=True,
        stemmer=SnowballParams(_SNOWBALL[language]) if language else DisabledStemmer(),
        stopwords=StopwordsSet(languages={Language.English, Language.French, Language.Spanish, Language.German}),
    )


class Bm25Encoder:
    """Documents get saturated term frequencies; queries get 1.0 per term. IDF is applied by the store.

    A language outside EN/FR/ES/DE, or None, is unknown and gets the analyzer without stemming.
    """

    def __init__(self) -> None:
        self._unstemmed = Bm25(analyzer_config())
        self._stemmed = {language: Bm25(analyzer_config(language)) for language in _SNOWBALL}

    def encode_document(self, text: str, language: str | None) -> SparseTerms:
        return _terms(self._analyzer(language).embed_document(text))

    def encode_query(self, text: str, languages: Iterable[str]) -> SparseTerms:
        """The union of the query's terms under each language's analyzer (no language: unstemmed)."""
        analyzers = [self._analyzer(language) for language in set(languages)] or [self._unstemmed]
        indices = sorted({i for analyzer in analyzers for i in analyzer.embed_query(text).indices})
        return SparseTerms(indices=tuple(indices), values=(1.0,) * len(indices))

    def encode_names(self, text: str) -> SparseTerms:
        """Names (of medicines, substances) in every analyzer's form, unstemmed too: "irbésartan" asked in
        French meets "irbesartan" in an English, Spanish or Portuguese chunk alike (accents and case folded)."""
        analyzers = [self._unstemmed, *self._stemmed.values()]
        indices = sorted({i for analyzer in analyzers for i in analyzer.embed_query(text).indices})
        return SparseTerms(indices=tuple(indices), values=(1.0,) * len(indices))

    def _analyzer(self, language: str | None) -> Bm25:
        return self._stemmed.get(language or "", self._unstemmed)


def _terms(vector: SparseVector) -> SparseTerms:
    return SparseTerms(indices=tuple(vector.indices), values=tuple(vector.values))
