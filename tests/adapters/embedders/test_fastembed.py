import json
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastembed")
onnx = pytest.importorskip("onnx")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors  # noqa: E402

from adapters.embedders import EmbedderUnavailable, build_embedder  # noqa: E402

DIM = 16
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
WORDS = "take paracetamol ibuprofen mg dose children pregnancy fever liver kidney daily maximum".split()


def write_tiny_model(directory: Path) -> None:
    """A token-embedding 'transformer': last_hidden_state = E[input_ids] * attention_mask."""
    vocab = {token: i for i, token in enumerate(SPECIALS + WORDS)}
    table = np.random.default_rng(7).normal(size=(len(vocab), DIM)).astype(np.float32)
    nodes = [
        helper.make_node("Gather", ["embeddings", "input_ids"], ["token_vectors"], axis=0),
        helper.make_node("Unsqueeze", ["attention_mask", "last_axis"], ["mask_3d"]),
        helper.make_node("Cast", ["mask_3d"], ["mask_float"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["token_vectors", "mask_float"], ["last_hidden_state"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        inputs=[
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        outputs=[helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", DIM])],
        initializer=[numpy_helper.from_array(table, "embeddings"), numpy_helper.from_array(np.array([-1], np.int64), "last_axis")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, directory / "model.onnx")

    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])]
    )
    tokenizer.add_special_tokens(SPECIALS)
    tokenizer.save(str(directory / "tokenizer.json"))
    (directory / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 64, "pad_token": "[PAD]"}))
    (directory / "special_tokens_map.json").write_text(
        json.dumps({"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]"})
    )
    (directory / "config.json").write_text(json.dumps({"hidden_size": DIM, "pad_token_id": 0}))


def test_local_onnx_model_is_registered_and_embeds(tmp_path):
    write_tiny_model(tmp_path)
    embedder = build_embedder("fastembed:local/tiny", model_path=str(tmp_path), cache_dir=str(tmp_path / "cache"))

    vectors = embedder.embed_documents(["take paracetamol daily", "ibuprofen children fever", "liver kidney"])
    query = embedder.embed_query("paracetamol dose")

    assert embedder.name == "fastembed:local/tiny"
    assert embedder.dim == DIM
    assert vectors.shape == (3, DIM) and vectors.dtype == np.float32
    assert query.shape == (DIM,)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(vectors[0], vectors[1])
    # A second embedder on the same name reuses the registration instead of failing.
    assert build_embedder("fastembed:local/tiny", model_path=str(tmp_path)).dim == DIM


def test_local_directory_without_a_model_is_reported(tmp_path):
    with pytest.raises(EmbedderUnavailable, match="ONNX"):
        build_embedder("fastembed:local/empty", model_path=str(tmp_path))


@pytest.mark.parametrize(
    "model, offline_env",
    [
        ("acme/not-a-fastembed-model", False),  # unknown to fastembed
        ("BAAI/bge-small-en-v1.5", False),  # known, not cached, hub unreachable
        ("BAAI/bge-small-en-v1.5", True),  # known, not cached, HF_HUB_OFFLINE=1
    ],
)
def test_unfetchable_model_fails_fast(tmp_path, monkeypatch, model, offline_env):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    if offline_env:
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    else:
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)

    started = time.perf_counter()
    with pytest.raises(EmbedderUnavailable) as failure:
        build_embedder(f"fastembed:{model}", cache_dir=str(tmp_path))
    elapsed = time.perf_counter() - started

    assert elapsed < 5.0
    message = str(failure.value)
    assert model in message
    assert "MIRAGE_FASTEMBED_MODEL_PATH" in message and "MIRAGE_EMBEDDER=use" in message
    if model.startswith("BAAI"):
        assert "neither in the cache" in message and "MIRAGE_FASTEMBED_CACHE" in message


@pytest.mark.parametrize("spec", ["", "USE", "fastembed:", "openai:text-embedding-3"])
def test_unknown_spec_lists_valid_forms(spec):
    with pytest.raises(ValueError, match="fastembed:<model name>"):
        build_embedder(spec)
