"""One rule for where a sentence ends: the cases the chunker, the offline answer and the grounding check each handled."""

from __future__ import annotations

import pytest

from adapters.sentences import sentence_pieces, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # decimals and thousands stay whole, whatever the language writes
        ("Take 2.5 ml. Then wait 1,5 h! Why? Not more than 1.200 mg.",
         ["Take 2.5 ml.", "Then wait 1,5 h!", "Why?", "Not more than 1.200 mg."]),
        # abbreviations and ordinals in four languages
        ("Nehmen Sie z. B. am 3. Tag 1.200 mg ein. Danach nicht mehr.", ["Nehmen Sie z. B. am 3. Tag 1.200 mg ein.", "Danach nicht mehr."]),
        ("Use e.g. water (not juice.) Then rest.", ["Use e.g. water (not juice.)", "Then rest."]),
        ("Dr. Smith agrees, i.e. yes. Done", ["Dr. Smith agrees, i.e. yes.", "Done"]),
        ("Prenez p. ex. de l'eau, c.-à-d. un verre. Puis reposez-vous.", ["Prenez p. ex. de l'eau, c.-à-d. un verre.", "Puis reposez-vous."]),
        ("Consulte a la Dra. López. Gracias.", ["Consulte a la Dra. López.", "Gracias."]),
        # a semicolon joins clauses of one sentence
        ("Do not freeze; keep in the outer carton. Store below 25 °C.", ["Do not freeze; keep in the outer carton.", "Store below 25 °C."]),
        # every line is a sentence: headings and list items without a full stop
        ("5. How to store Zentrava\nheadache\nfeeling sick (nausea)", ["5. How to store Zentrava", "headache", "feeling sick (nausea)"]),
        # list bullets are not part of the sentence
        ("- Take 2.5 ml (i.e. 1.200 mg) twice a day.\n• Bei Fieber 1,2 g.\n  – Nicht mehr.",
         ["Take 2.5 ml (i.e. 1.200 mg) twice a day.", "Bei Fieber 1,2 g.", "Nicht mehr."]),
        # closing quotes and the citation markers written after a sentence stay with it
        ("He said «no.» Then [1] left. Adults take 1 g. [2] Children less. [1, 3]",
         ["He said «no.»", "Then [1] left.", "Adults take 1 g. [2]", "Children less. [1, 3]"]),
    ],
)
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    sentences = split_sentences(text)

    assert sentences == expected
    assert all(sentence in text for sentence in sentences)


def test_pieces_give_the_text_back_and_keep_bullets_and_line_breaks_with_their_sentence() -> None:
    text = "Take 1 g. [1]\n- Do not exceed 4 g.\n\n  Children: 2.5 ml. "

    pieces = sentence_pieces(text)

    assert "".join(pieces) == text
    assert [piece.strip() for piece in pieces] == ["Take 1 g. [1]", "- Do not exceed 4 g.", "Children: 2.5 ml."]


def test_nothing_to_split() -> None:
    assert split_sentences("") == [] and split_sentences(" \n - \n") == []
    assert sentence_pieces("") == []
