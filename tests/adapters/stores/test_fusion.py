import pytest

from adapters.spaces import CROSS_LANGUAGE, DENSE, ENGLISH, ENGLISH_SPACE, MULTILINGUAL, Space
from adapters.spaces import LEXICAL as SPARSE
from adapters.stores import fusion
from adapters.stores.base import Hit
from adapters.stores.fusion import candidate_depth, fuse

SAME_LANGUAGE, ENGLISH_SAME_LANGUAGE = MULTILINGUAL.same_language, ENGLISH_SPACE.same_language

EN, FR = frozenset({"en"}), frozenset({"fr"})


def hit(chunk_id: str, score: float, language: str | None = "en") -> Hit:
    return Hit(id=chunk_id, score=score, payload={"language": language, "text": f"text of {chunk_id}"})


def two_lists(dense: list[Hit], bm25: list[Hit], languages: frozenset[str], *, limit: int) -> list[Hit]:
    return fuse({DENSE: dense, SPARSE: bm25}, languages, limit=limit)


def scores(hits: list[Hit]) -> dict[str, float]:
    return {h.id: h.score for h in hits}


def ids(hits: list[Hit]) -> list[str]:
    return [h.id for h in hits]


def test_in_the_query_language_words_lead():
    dense = [hit("close", 0.8), hit("worded", 0.4)]
    bm25 = [hit("worded", 12.0), hit("close", 6.0)]
    fused = two_lists(dense, bm25, EN, limit=10)
    assert ids(fused) == ["worded", "close"]
    assert scores(fused) == pytest.approx({"worded": 0.1 * 0.5 + 0.9 * 1.0, "close": 0.1 * 1.0 + 0.9 * 0.5})


def test_across_languages_meaning_leads():
    dense = [hit("close", 0.8, "fr"), hit("worded", 0.4, "fr")]
    bm25 = [hit("worded", 12.0, "fr"), hit("close", 6.0, "fr")]
    fused = two_lists(dense, bm25, EN, limit=10)
    assert ids(fused) == ["close", "worded"]
    assert scores(fused) == pytest.approx({"close": 0.9 * 1.0 + 0.1 * 0.5, "worded": 0.9 * 0.5 + 0.1 * 1.0})


def test_each_hit_is_weighed_by_its_own_language():
    dense = [hit("english", 0.9, "en"), hit("french", 0.3, "fr")]
    bm25 = [hit("french", 4.0, "fr"), hit("english", 2.0, "en")]
    assert scores(two_lists(dense, bm25, FR, limit=10)) == pytest.approx(
        {"english": 0.9 * 1.0 + 0.1 * 0.5, "french": 0.1 * (0.3 / 0.9) + 0.9 * 1.0}
    )
    assert scores(two_lists(dense, bm25, EN, limit=10)) == pytest.approx(
        {"english": 0.1 * 1.0 + 0.9 * 0.5, "french": 0.9 * (0.3 / 0.9) + 0.1 * 1.0}
    )


def test_every_compatible_language_counts_as_the_query_language():
    bm25 = [hit("english", 1.0, "en"), hit("french", 1.0, "fr"), hit("german", 1.0, "de")]
    fused = scores(two_lists([], bm25, frozenset({"en", "fr"}), limit=10))
    assert fused == pytest.approx({"english": SAME_LANGUAGE[SPARSE], "french": SAME_LANGUAGE[SPARSE], "german": CROSS_LANGUAGE[SPARSE]})


def test_a_chunk_of_unknown_language_counts_as_english():
    bm25 = [hit("unknown", 2.0, None), hit("german", 2.0, "de")]
    assert scores(two_lists([], bm25, EN, limit=10)) == pytest.approx({"unknown": 0.9, "german": 0.1})
    assert scores(two_lists([], bm25, FR, limit=10)) == pytest.approx({"unknown": 0.1, "german": 0.1})
    # nothing could be told about the query: no hit is in "another" language
    assert scores(two_lists([], bm25, frozenset(), limit=10)) == pytest.approx({"unknown": 0.9, "german": 0.9})


def test_each_list_is_normalised_by_its_best_score():
    dense = [hit("a", 0.5), hit("b", 0.25)]
    bm25 = [hit("b", 3.0), hit("a", 1.5)]
    fused = two_lists(dense, bm25, EN, limit=10)
    rescaled = two_lists([hit("a", 0.05), hit("b", 0.025)], [hit("b", 300.0), hit("a", 150.0)], EN, limit=10)
    assert scores(fused) == pytest.approx({"b": 0.1 * 0.5 + 0.9, "a": 0.1 + 0.9 * 0.5})
    assert scores(rescaled) == pytest.approx(scores(fused))


def test_a_hit_missing_from_one_list_gets_nothing_there():
    fused = two_lists([hit("dense-only", 0.7)], [hit("bm25-only", 5.0)], EN, limit=10)
    assert scores(fused) == pytest.approx({"bm25-only": 0.9, "dense-only": 0.1})


def test_a_list_without_a_positive_score_adds_nothing():
    bm25 = [hit("a", 2.0), hit("b", 1.0)]
    assert scores(two_lists([hit("b", -0.1), hit("a", -0.3)], bm25, EN, limit=10)) == pytest.approx({"a": 0.9, "b": 0.45})
    assert scores(two_lists([hit("b", 0.0)], bm25, EN, limit=10)) == pytest.approx({"a": 0.9, "b": 0.45})


def test_negative_dense_scores_below_a_positive_best_count_against():
    fused = two_lists([hit("a", 0.5), hit("b", -0.5)], [hit("b", 1.0)], FR, limit=10)
    assert scores(fused) == pytest.approx({"a": 0.9, "b": 0.9 * -1.0 + 0.1})
    assert ids(fused) == ["a", "b"]


def test_equal_scores_are_ordered_by_chunk_id_whatever_the_list_order():
    bm25 = [hit("c", 1.0), hit("a", 1.0), hit("b", 1.0)]
    assert ids(two_lists([], bm25, EN, limit=10)) == ["a", "b", "c"]
    assert ids(two_lists([], bm25[::-1], EN, limit=10)) == ["a", "b", "c"]
    # 0.1 * 1 from the dense side alone ties with 0.1 * 1 from the BM25 side alone
    assert ids(two_lists([hit("z", 0.5)], [hit("y", 1.0, "fr")], EN, limit=10)) == ["y", "z"]


def test_limit_keeps_the_best_and_the_payload():
    dense = [hit(f"d{i}", 1.0 - i / 100) for i in range(50)]
    bm25 = [hit(f"d{i}", 1.0 + i / 10) for i in range(49, -1, -1)]
    fused = two_lists(dense, bm25, EN, limit=3)
    assert ids(fused) == ["d49", "d48", "d47"]
    assert fused[0].payload == {"language": "en", "text": "text of d49"}
    assert fused[0].score == pytest.approx(0.1 * 0.51 + 0.9 * 1.0)


def test_empty_lists():
    dense = [hit("a", 0.8, "fr"), hit("b", 0.6, "en"), hit("c", 0.2, "en")]
    assert two_lists([], [], EN, limit=10) == []
    # no BM25 hits: the dense ranking and its cosine scores, untouched by language weights
    assert [(h.id, h.score) for h in two_lists(dense, [], EN, limit=2)] == [("a", 0.8), ("b", 0.6)]
    assert [h.similarity for h in two_lists(dense, [], EN, limit=2)] == [0.8, 0.6]
    assert scores(two_lists([], [hit("a", 2.0, "fr"), hit("b", 1.0)], EN, limit=10)) == pytest.approx({"a": 0.1, "b": 0.9 * 0.5})


def test_candidate_depth():
    assert [candidate_depth(n) for n in (1, 10, 20, 21, 100)] == [40, 40, 40, 42, 200]


def test_english_chunks_share_the_say_between_words_and_the_english_model():
    dense = [hit("multilingual", 0.9), hit("english", 0.3)]
    bm25 = [hit("worded", 10.0), hit("english", 5.0)]
    english = [hit("english", 0.8), hit("worded", 0.4)]
    fused = fuse({DENSE: dense, SPARSE: bm25, ENGLISH: english}, EN, limit=10)
    w = ENGLISH_SAME_LANGUAGE
    assert scores(fused) == pytest.approx({
        "english": w[DENSE] * 0.3 / 0.9 + w[SPARSE] * 0.5 + w[ENGLISH] * 1.0,
        "worded": w[SPARSE] * 1.0 + w[ENGLISH] * 0.5,
        "multilingual": w[DENSE] * 1.0,
    })
    assert ids(fused)[0] == "english"
    assert [h.similarity for h in fused if h.id == "english"] == [0.3]  # the multilingual cosine, as before


def test_the_english_model_has_no_say_across_languages_and_unknown_chunks_count_as_english():
    english = [hit("french", 0.9, "fr"), hit("unknown", 0.6, None)]
    bm25 = [hit("french", 2.0, "fr"), hit("unknown", 2.0, None)]
    fused = scores(fuse({DENSE: [], SPARSE: bm25, ENGLISH: english}, EN, limit=10))
    assert fused["french"] == pytest.approx(CROSS_LANGUAGE[SPARSE] * 1.0)
    assert fused["unknown"] == pytest.approx(ENGLISH_SAME_LANGUAGE[SPARSE] * 1.0 + ENGLISH_SAME_LANGUAGE[ENGLISH] * 0.6 / 0.9)


def test_without_an_english_list_english_chunks_keep_the_plain_weights():
    bm25 = [hit("a", 4.0)]
    assert scores(fuse({DENSE: [hit("a", 0.5)], SPARSE: bm25, ENGLISH: []}, EN, limit=10)) == pytest.approx(
        {"a": SAME_LANGUAGE[DENSE] + SAME_LANGUAGE[SPARSE]}
    )


def test_a_third_space_is_weighed_by_its_own_declaration(monkeypatch):
    """A space is data: declared once, fused by its weights for the chunks it covers, with no say elsewhere."""
    german = Space("dense_de", model="german", label="German", same_language={DENSE: 0.2, SPARSE: 0.3, "dense_de": 0.5},
                   cross_language=CROSS_LANGUAGE, chunks=lambda language: language == "de")
    monkeypatch.setattr(fusion, "SPACES", (*fusion.SPACES, german))
    lists = {DENSE: [hit("de", 0.5, "de"), hit("fr", 0.5, "fr")], SPARSE: [hit("de", 1.0, "de"), hit("fr", 1.0, "fr")],
             "dense_de": [hit("de", 0.8, "de"), hit("fr", 0.8, "fr")]}
    fused = scores(fuse(lists, frozenset({"de", "fr"}), limit=10))
    assert fused == pytest.approx({"de": 0.2 + 0.3 + 0.5, "fr": SAME_LANGUAGE[DENSE] + SAME_LANGUAGE[SPARSE]})
