
from adapters.spaces import DENSE, ENGLISH
from adapters.stores.lexical import Bm25Encoder
from contracts import topology
from contracts.documents import BlobRef, DocumentUploaded
from tests.factories import prepare

TEXT = """Notes

# English
The maximum daily dose of paracetamol for adults is 4 g, taken in divided doses with at least four hours between them.

# Français
La dose maximale de paracétamol chez l'adulte est de 4 g par jour, en plusieurs prises espacées d'au moins quatre heures.

# Terms
JAK1 pseudokinase
"""


def uploaded(data: bytes, **metadata: object) -> DocumentUploaded:
    return DocumentUploaded(correlation_id="d", document_id="d", filename="notes.md", format="markdown",
                            blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name="d", size=len(data)), metadata=metadata)


def test_english_and_unknown_chunks_get_the_english_vector_and_others_do_not(embedder, english_embedder, detector):
    data = TEXT.encode()
    points = prepare(data, uploaded(data), embedders={DENSE: embedder, ENGLISH: english_embedder}, lexical=Bm25Encoder(),
                     detector=detector, max_chars=200).points
    by_language = {p.payload["language"]: p for p in points}
    assert set(by_language) >= {"en", "fr"}
    assert set(by_language["fr"].dense) == {DENSE}
    english = by_language["en"]
    assert set(english.dense) == {DENSE, ENGLISH} and english.dense[ENGLISH].shape == (english_embedder.dim,)
    # both models' int8 activations are scaled per batch: the chunk's vector, not bit for bit
    assert float(english.dense[ENGLISH] @ english_embedder.embed_documents([_embedded_text(english)])[0]) > 0.98
    assert float(english.dense[DENSE] @ embedder.embed_documents([_embedded_text(english)])[0]) > 0.99
    assert all(ENGLISH in p.dense for p in points if p.payload["language"] is None)


def test_without_the_english_model_no_chunk_has_its_vector(embedder, detector):
    data = TEXT.encode()
    points = prepare(data, uploaded(data), embedders={DENSE: embedder}, lexical=Bm25Encoder(), detector=detector, max_chars=200).points
    assert points and all(set(p.dense) == {DENSE} for p in points)


def test_a_declared_language_wins_over_detection(embedder, english_embedder, detector):
    data = TEXT.encode()
    points = prepare(data, uploaded(data, language="fr"), embedders={DENSE: embedder, ENGLISH: english_embedder}, lexical=Bm25Encoder(),
                     detector=detector, max_chars=200).points
    assert {p.payload["language"] for p in points} == {"fr"} and all(set(p.dense) == {DENSE} for p in points)


def _embedded_text(point) -> str:  # noqa: ANN001
    p = point.payload
    context = " — ".join(part for part in (p["title"], p["heading"]) if part)
    return f"{context}\n{p['text']}" if context else p["text"]


def test_a_chunk_whose_words_do_not_tell_takes_its_documents_language(embedder, detector):
    text = ("# Notice\n\nLa dose maximale de paracétamol chez l'adulte est de 4 g par jour, en plusieurs prises.\n\n"
            "# Composition\n\nJAK1 pseudokinase\n")
    data = text.encode()
    points = prepare(data, uploaded(data), embedders={DENSE: embedder}, lexical=Bm25Encoder(), detector=detector, max_chars=200).points
    assert len(points) == 2 and detector.detect_passages([points[1].payload["text"]]) == [None]
    assert [p.payload["language"] for p in points] == ["fr", "fr"]


def test_each_chunk_carries_the_leaflet_section_its_heading_names(embedder, detector):
    text = ("# 3. Comment prendre Karvea\n\nPrenez un comprimé par jour.\n\n# 5. Comment conserver Karvea\n\n"
            "À conserver à une température ne dépassant pas 30 °C.\n\n# Notes\n\nRien de plus.\n")
    data = text.encode()
    points = prepare(data, uploaded(data), embedders={DENSE: embedder}, lexical=Bm25Encoder(), detector=detector, max_chars=200).points
    assert [p.payload["section"] for p in points] == ["how", "storage", None]
