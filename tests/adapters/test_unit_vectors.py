"""Answer units' vectors made at ingest: packed as int8 in the payload, read back as the model made them."""

from __future__ import annotations

import numpy as np

from adapters.unit_vectors import chunk_units, pack, packed_by_chunk, unit_key, unpack
from contracts.search import UnitVectors

TEXT = """Store below 25 °C in the original package.
Common side effects:
headache
feeling sick
Keep this medicine out of the sight and reach of children."""


def test_a_chunks_units_are_its_statements_and_lists_cut_as_the_generator_embeds_them() -> None:
    assert chunk_units(TEXT) == [
        "Store below 25 °C in the original package.",
        "Common side effects: headache; feeling sick",
        "Keep this medicine out of the sight and reach of children.",
    ]
    assert len(chunk_units("A" * 50 + " " + "word " * 40 + ".")[0]) == 120


def test_packed_vectors_come_back_within_int8_precision_under_their_texts_keys(embedder) -> None:  # noqa: ANN001
    texts = chunk_units(TEXT)
    vectors = embedder.embed_documents(texts)
    question = embedder.embed_query("How should I store it?")

    stored = unpack(UnitVectors(**pack(embedder.name, texts, vectors)), embedder.name)

    assert list(stored) == [unit_key(text) for text in texts]
    assert np.allclose([stored[unit_key(text)] @ question for text in texts], vectors @ question, atol=0.005)


def test_vectors_of_another_model_or_none_are_not_used() -> None:
    packed = UnitVectors(**pack("other-model", ["One sentence here."], np.ones((1, 4), dtype=np.float32)))
    assert unpack(packed, "use-multilingual-v3") == {} and unpack(None, "use-multilingual-v3") == {}


def test_each_chunk_gets_its_own_rows_of_one_flat_batch() -> None:
    rows = np.eye(3, dtype=np.float32)
    first, second = packed_by_chunk("m", [["a", "b"], ["c"]], rows)
    assert first["keys"] == [unit_key("a"), unit_key("b")] and second["keys"] == [unit_key("c")]
    assert np.argmax(unpack(UnitVectors(**second), "m")[unit_key("c")]) == 2


def test_a_chunk_without_units_packs_to_nothing() -> None:
    first, second = packed_by_chunk("m", [[], ["c"]], np.eye(1, dtype=np.float32))
    assert first["keys"] == [] and unpack(UnitVectors(**first), "m") == {} and second["keys"] == [unit_key("c")]
