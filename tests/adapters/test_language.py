import pytest

from adapters.language import SUPPORTED_LANGUAGES, Detection, LanguageDetector

QUERIES = {
    "en": [
        "side effects",
        "maximum daily dose of paracetamol",
        "can I take ibuprofen while pregnant",
        "dosage for children under five",
        "what to do after an overdose",
        "allergic reaction to penicillin",
        "contraindications of metformin",  # lingua says French (0.60): the known miss
    ],
    "fr": [
        "effets secondaires grossesse",
        "dose maximale de paracétamol par jour",
        "puis-je prendre de l'ibuprofène enceinte",
        "posologie chez l'enfant",
        "que faire en cas de surdosage",
        "contre-indications de la metformine",
    ],
    "es": [
        "dosis máxima diaria",
        "efectos secundarios del embarazo",
        "¿puedo tomar ibuprofeno embarazada?",
        "dosis para niños menores de cinco años",
        "qué hacer en caso de sobredosis",
        "reacción alérgica a la penicilina",
    ],
    "de": [
        "Nebenwirkungen bei Kindern",
        "maximale Tagesdosis Paracetamol",
        "darf ich in der Schwangerschaft Ibuprofen nehmen",
        "Dosierung für Kinder unter fünf Jahren",
        "was tun bei einer Überdosis",
        "Gegenanzeigen von Metformin",
    ],
}


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector()


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_short_medical_queries(detector, language):
    queries = QUERIES[language]
    detections = [detector.detect(q) for q in queries]
    misses = [(q, d) for q, d in zip(queries, detections) if d.language != language]
    print(f"{language} misses: {misses}")
    assert len(misses) <= 1
    assert all(0.0 <= d.confidence <= 1.0 for d in detections)


def test_detect_many_agrees_with_detect(detector):
    texts = [q for queries in QUERIES.values() for q in queries] + ["", "42"]
    many = detector.detect_many(texts)
    one_by_one = [detector.detect(t) for t in texts]
    assert [d.language for d in many] == [d.language for d in one_by_one]
    assert [d.confidence for d in many] == pytest.approx([d.confidence for d in one_by_one])
    assert detector.detect_many([]) == []


@pytest.mark.parametrize("text", ["", "   ", "500", "12/03/2024 - 37.5", "500 mg", "!!!"])
def test_no_words_no_language(detector, text):
    assert detector.detect(text) == Detection(language=None, confidence=0.0)


def test_low_confidence_is_none():
    strict = LanguageDetector(min_confidence=0.99)
    detection = strict.detect("metformin")
    assert detection.language is None and 0.0 < detection.confidence < 0.99


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_short_queries_are_compatible_with_their_language(detector, language):
    for query in QUERIES[language]:
        compatible = detector.compatible_languages(query)
        assert language in compatible, query
        assert len(compatible) <= 3, (query, compatible)


def test_compatible_languages_follow_the_confidences(detector):
    assert detector.compatible_languages("Nebenwirkungen bei Kindern") == {"de"}
    assert detector.compatible_languages("side effects") == {"en", "fr"}  # French at 0.23
    assert detector.compatible_languages("side effects", threshold=0.5) == {"en"}
    # the most likely language is kept even below the threshold
    assert detector.compatible_languages("contraindications of metformin", threshold=0.9) == {"fr"}


def test_confidences_cover_the_supported_languages(detector):
    confidences = detector.confidences("effets secondaires grossesse")
    assert list(confidences) == list(SUPPORTED_LANGUAGES)
    assert sum(confidences.values()) == pytest.approx(1.0)
    assert max(confidences, key=confidences.__getitem__) == "fr"


@pytest.mark.parametrize("text", ["", "500 mg", "IV", "阿司匹林剂量", "Лекарство"])
def test_nothing_to_tell_means_no_compatible_language(detector, text):
    assert detector.compatible_languages(text) == frozenset()
    assert set(detector.confidences(text).values()) == {0.0}


def test_passages_decide_by_their_common_words_before_lingua(detector: LanguageDetector):
    passages = [
        # lingua alone: Spanish at 0.99 and 0.9999
        "HAO1 (glycolate oxidase) silencing is the mechanism of lumasiran, an investigational RNA interference therapeutic for "
        "primary hyperoxaluria type 1.",
        "Homozygous or heterozygous mutations in the GRN gene, encoding progranulin (PGRN), cause neuronal ceroid lipofuscinosis "
        "(NCL) or frontotemporal dementia",
        "Les effets indésirables les plus fréquents sont les nausées et la diarrhée.",
        "Los efectos adversos más frecuentes son las náuseas y la diarrea.",
        "Die häufigsten Nebenwirkungen sind Übelkeit und Durchfall.",
    ]
    assert [d.language for d in detector.detect_many(passages[:2])] == ["es", "es"]
    assert detector.detect_passages(passages) == ["en", "en", "fr", "es", "de"]


def test_short_runs_of_terms_stay_unknown_unless_lingua_is_sure(detector: LanguageDetector):
    assert detector.detect_passages(["JAK1 pseudokinase", "5-HT transporter (SERT)"]) == [None, None]
    assert detector.detect_passages(["Schwangerschaft Stillzeit Nebenwirkungen Überdosierung"]) == ["de"]
    assert detector.detect_passages([]) == []


def test_passages_in_other_european_languages_keep_their_own_language(detector: LanguageDetector):
    """A Danish leaflet read as German, or a Portuguese one as Spanish, would be quoted under the wrong label."""
    passages = [
        "Hvis du får bivirkninger, skal du tale med din læge eller apotekspersonalet. Dette gælder også mulige bivirkninger, "
        "som ikke er medtaget i denne indlægsseddel.",
        "Não utilize este medicamento após o prazo de validade impresso na embalagem. Conservar na embalagem de origem para "
        "proteger da humidade e manter o frasco bem fechado.",
        "Si experimenta efectos adversos, consulte a su médico o farmacéutico, incluso si se trata de posibles efectos adversos "
        "que no aparecen en este prospecto.",
        "Wenn Sie Nebenwirkungen bemerken, wenden Sie sich an Ihren Arzt oder Apotheker. Dies gilt auch für Nebenwirkungen, "
        "die nicht in dieser Packungsbeilage angegeben sind.",
    ]
    assert detector.detect_passages(passages) == ["da", "pt", "es", "de"]
