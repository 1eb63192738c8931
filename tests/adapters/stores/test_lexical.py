import pytest

from adapters.stores.lexical import Bm25Encoder


@pytest.fixture(scope="module")
def lexical():
    return Bm25Encoder()


def terms(sparse) -> set[int]:
    return set(sparse.indices)


def test_a_french_query_meets_the_french_chunk_in_other_inflections(lexical):
    french_chunk = lexical.encode_document("Un effet secondaire fréquent est la nausée.", "fr")
    query = lexical.encode_query("effets secondaires", {"fr"})
    assert len(query.indices) == 2 and terms(query) <= terms(french_chunk)
    # without stemming the plural never meets the singular
    unstemmed_chunk = lexical.encode_document("Un effet secondaire fréquent est la nausée.", None)
    assert not terms(lexical.encode_query("effets secondaires", ())) & terms(unstemmed_chunk)


def test_french_stems_do_not_reach_an_english_chunk(lexical):
    english_chunk = lexical.encode_document("Secondary effects of the treatment are rare.", "en")
    assert not terms(lexical.encode_query("effets secondaires", {"fr"})) & terms(english_chunk)
    assert terms(lexical.encode_query("secondary effects", {"en"})) <= terms(english_chunk)


@pytest.mark.parametrize(
    "language, chunk, query",
    [
        ("en", "Children were vaccinated twice.", "vaccinating children"),
        ("es", "Los efectos secundarios del tratamiento.", "efecto secundario"),
        ("de", "Nebenwirkungen bei Kindern sind selten.", "Nebenwirkung Kinder"),
    ],
)
def test_each_language_is_stemmed_by_its_own_analyzer(lexical, language, chunk, query):
    assert terms(lexical.encode_query(query, {language})) <= terms(lexical.encode_document(chunk, language))


def test_a_query_carries_the_terms_of_every_compatible_language(lexical):
    english, french = lexical.encode_query("side effects", {"en"}), lexical.encode_query("side effects", {"fr"})
    both = lexical.encode_query("side effects", ["en", "fr", "en"])
    assert terms(both) == terms(english) | terms(french) and terms(english) != terms(french)
    assert list(both.indices) == sorted(both.indices) and set(both.values) == {1.0}


def test_no_language_means_no_stemming(lexical):
    text = "Effets secondaires fréquents"
    assert lexical.encode_query(text, ()) == lexical.encode_query(text, frozenset())
    assert lexical.encode_document(text, None) == lexical.encode_document(text, "it")
    assert lexical.encode_document(text, None) != lexical.encode_document(text, "fr")


def test_stop_words_of_every_language_are_dropped_whatever_the_stemmer(lexical):
    for language in ("en", "fr", "es", "de"):
        assert lexical.encode_query("the and of la et du die und", {language}).indices == ()


def test_documents_get_saturated_term_frequencies(lexical):
    once = lexical.encode_document("fever", "en")
    thrice = lexical.encode_document("fever fevers fever", "en")
    assert once.indices == thrice.indices and thrice.values[0] > once.values[0]


def test_names_meet_their_chunks_in_every_language_across_accents_and_case() -> None:
    encoder = Bm25Encoder()
    names = set(encoder.encode_names("irbésartan").indices)

    for text, language in [("Karvea contains irbesartan.", "en"), ("Karvea contiene IRBESARTÁN.", "es"),
                           ("Karvea contient de l'irbésartan.", "fr"), ("Karvea indeholder irbesartan.", "da")]:
        assert names & set(encoder.encode_document(text, language).indices), (text, language)
