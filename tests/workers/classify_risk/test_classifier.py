"""The lexicon classifier: every category in every language, triggers as written, sources and their caps."""

from __future__ import annotations

import pytest

from contracts.questions import RiskCategory, RiskFinding, RiskLevel
from workers.classify_risk.classifier import assess, fold, level_of
from workers.classify_risk.lexicon import CUES, LANGUAGES, LEXICON

C = RiskCategory

# (category, language, question, a trigger expected as written)
EXAMPLES = [
    (C.pregnancy, "en", "Can I take ibuprofen while pregnant?", "pregnant"),
    (C.pregnancy, "en", "Is amoxicillin safe during breastfeeding?", "breastfeeding"),
    (C.pregnancy, "en", "I am 12 weeks into my pregnancy, is paracetamol OK?", "pregnancy"),
    (C.pregnancy, "fr", "Puis-je prendre de l'ibuprofène pendant la grossesse ?", "grossesse"),
    (C.pregnancy, "fr", "Je suis enceinte de 3 mois, le Doliprane est-il sans danger ?", "enceinte"),
    (C.pregnancy, "fr", "Le Spasfon est-il compatible avec l'allaitement ?", "allaitement"),
    (C.pregnancy, "es", "¿Puedo tomar ibuprofeno durante el embarazo?", "embarazo"),
    (C.pregnancy, "es", "Estoy embarazada, ¿es seguro el paracetamol?", "embarazada"),
    (C.pregnancy, "es", "¿Es compatible el omeprazol con la lactancia?", "lactancia"),
    (C.pregnancy, "de", "Darf ich in der Schwangerschaft Ibuprofen nehmen?", "Schwangerschaft"),
    (C.pregnancy, "de", "Ich bin schwanger, ist Paracetamol erlaubt?", "schwanger"),
    (C.pregnancy, "de", "Kann ich in der Stillzeit Cetirizin einnehmen?", "Stillzeit"),
    (C.children, "en", "Can I give ibuprofen to my child?", "child"),
    (C.children, "en", "Is this syrup suitable for infants?", "infants"),
    (C.children, "en", "What is the paediatric formulation of amoxicillin?", "paediatric"),
    (C.children, "en", "My 4-year-old has a rash after the antibiotic", "4-year-old"),
    (C.children, "fr", "Peut-on donner du Doliprane à un enfant ?", "enfant"),
    (C.children, "fr", "Mon bébé a de la fièvre", "bébé"),
    (C.children, "fr", "Ce sirop convient-il aux nourrissons ?", "nourrissons"),
    (C.children, "es", "¿Puedo darle ibuprofeno a mi hijo?", "hijo"),
    (C.children, "es", "¿Es seguro para niños pequeños?", "niños"),
    (C.children, "es", "Mi bebé tiene fiebre", "bebé"),
    (C.children, "de", "Darf mein Kind Ibuprofen bekommen?", "Kind"),
    (C.children, "de", "Ist der Saft für Säuglinge geeignet?", "Säuglinge"),
    (C.children, "de", "Welche Medikamente sind für Kinder erlaubt?", "Kinder"),
    (C.dosage, "en", "What is the maximum dose of paracetamol I can take per day?", "maximum"),
    (C.dosage, "en", "How many mg of ibuprofen can I take?", "How many mg"),
    (C.dosage, "en", "What happens in a paracetamol overdose?", "overdose"),
    (C.dosage, "fr", "Quelle est la posologie de l'amoxicilline pour moi ?", "posologie"),
    (C.dosage, "fr", "Quels sont les signes d'un surdosage ?", "surdosage"),
    (C.dosage, "fr", "Combien de comprimés puis-je prendre par jour ?", "Combien de comprimés"),
    (C.dosage, "es", "¿Cuál es la dosis máxima de ibuprofeno para mi hija?", "dosis"),
    (C.dosage, "es", "¿Qué hacer en caso de sobredosis?", "sobredosis"),
    (C.dosage, "es", "¿Cuántas pastillas puedo tomar al día?", "Cuántas pastillas"),
    (C.dosage, "de", "Wie ist die Dosierung von Amoxicillin bei 70 kg?", "Dosierung"),
    (C.dosage, "de", "Was passiert bei einer Überdosis?", "Überdosis"),
    (C.dosage, "de", "Wie viele Tabletten darf ich am Tag nehmen?", "Wie viele Tabletten"),
    (C.contraindications, "en", "Can I take ibuprofen with warfarin?", "take ibuprofen with"),
    (C.contraindications, "en", "Does metronidazole interact with alcohol?", "interact"),
    (C.contraindications, "en", "Is amoxicillin a problem if I am allergic to penicillin?", "allergic to"),
    (C.contraindications, "fr", "Y a-t-il une interaction entre le Doliprane et l'alcool ?", "interaction"),
    (C.contraindications, "fr", "Quelles sont les contre-indications du Voltarène ?", "contre-indications"),
    (C.contraindications, "fr", "Puis-je boire de l'alcool pendant ce traitement ?", "boire de l'alcool"),
    (C.contraindications, "es", "¿Hay interacciones entre el omeprazol y el clopidogrel?", "interacciones"),
    (C.contraindications, "es", "¿Está contraindicado en la insuficiencia renal?", "contraindicado"),
    (C.contraindications, "es", "¿Puedo tomar ibuprofeno con enalapril?", "tomar ibuprofeno con"),
    (C.contraindications, "de", "Gibt es Wechselwirkungen mit Marcumar?", "Wechselwirkungen"),
    (C.contraindications, "de", "Welche Gegenanzeigen hat Ibuprofen?", "Gegenanzeigen"),
    (C.contraindications, "de", "Kann ich Ibuprofen zusammen mit ASS nehmen?", "zusammen mit"),
    (C.self_harm, "en", "I want to kill myself", "kill myself"),
    (C.self_harm, "en", "I have been thinking about suicide", "suicide"),
    (C.self_harm, "en", "I keep cutting myself when things go wrong", "cutting myself"),
    (C.self_harm, "fr", "Je veux me suicider", "me suicider"),
    (C.self_harm, "fr", "J'ai envie de mourir", "envie de mourir"),
    (C.self_harm, "fr", "Je pense à me tuer avec mes médicaments", "me tuer"),
    (C.self_harm, "es", "Quiero suicidarme", "suicidarme"),
    (C.self_harm, "es", "Pienso en quitarme la vida", "quitarme la vida"),
    (C.self_harm, "es", "A veces quiero matarme", "matarme"),
    (C.self_harm, "de", "Ich will mich umbringen", "umbringen"),
    (C.self_harm, "de", "Ich denke oft an Suizid", "Suizid"),
    (C.self_harm, "de", "Ich habe Selbstmordgedanken", "Selbstmordgedanken"),
    (C.emergency, "en", "My father has chest pain and is sweating", "chest pain"),
    (C.emergency, "en", "I can't breathe after taking amoxicillin", "can't breathe"),
    (C.emergency, "en", "My friend is unconscious after a party", "unconscious"),
    (C.emergency, "fr", "J'ai une douleur thoracique depuis une heure", "douleur thoracique"),
    (C.emergency, "fr", "Je n'arrive pas à respirer", "n'arrive pas à respirer"),
    (C.emergency, "fr", "Ma mère a perdu connaissance", "perdu connaissance"),
    (C.emergency, "es", "Tengo dolor en el pecho", "dolor en el pecho"),
    (C.emergency, "es", "No puedo respirar bien", "No puedo respirar"),
    (C.emergency, "es", "Mi padre está inconsciente", "inconsciente"),
    (C.emergency, "de", "Ich habe starke Brustschmerzen", "Brustschmerzen"),
    (C.emergency, "de", "Ich kann nicht atmen", "kann nicht atmen"),
    (C.emergency, "de", "Mein Mann ist bewusstlos", "bewusstlos"),
    (C.stopping_treatment, "en", "Can I stop taking my antidepressant?", "stop taking"),
    (C.stopping_treatment, "en", "What happens if I discontinue bisoprolol?", "discontinue"),
    (C.stopping_treatment, "en", "How do I come off sertraline?", "come off"),
    (C.stopping_treatment, "fr", "Puis-je arrêter de prendre mon traitement ?", "arrêter de prendre"),
    (C.stopping_treatment, "fr", "Comment faire un sevrage des benzodiazépines ?", "sevrage"),
    (C.stopping_treatment, "fr", "Puis-je arrêter le Levothyrox ?", "arrêter"),
    (C.stopping_treatment, "es", "¿Puedo dejar de tomar la sertralina?", "dejar de tomar"),
    (C.stopping_treatment, "es", "¿Qué pasa si suspendo el tratamiento?", "suspendo el tratamiento"),
    (C.stopping_treatment, "es", "¿Y si dejo de tomar el Sintrom?", "dejo de tomar"),
    (C.stopping_treatment, "de", "Kann ich Sertralin absetzen?", "absetzen"),
    (C.stopping_treatment, "de", "Ich habe das Medikament abgesetzt", "abgesetzt"),
    (C.stopping_treatment, "de", "Wie kann ich Cortison ausschleichen?", "ausschleichen"),
]

BASE_LEVELS = {
    C.pregnancy: RiskLevel.high, C.children: RiskLevel.high, C.dosage: RiskLevel.high, C.contraindications: RiskLevel.high,
    C.self_harm: RiskLevel.critical, C.emergency: RiskLevel.critical, C.stopping_treatment: RiskLevel.medium,
}


def reported(trigger: str, found: RiskFinding) -> bool:
    """The words were reported as written, alone or inside a longer trigger that overlapped them ("Mon bébé")."""
    return any(trigger in t for t in found.triggers)


def finding(findings: list[RiskFinding], category: RiskCategory, source: str = "question") -> RiskFinding:
    matching = [f for f in findings if f.category == category and f.source == source]
    assert matching, f"no {category.value} finding in {source}: {findings}"
    return matching[0]


@pytest.mark.parametrize(("category", "language", "question", "trigger"), EXAMPLES, ids=[f"{c.value}-{lang}-{i}" for i, (c, lang, _, _) in
                                                                                           enumerate(EXAMPLES)])
def test_each_category_is_found_in_each_language_with_its_trigger(category, language, question, trigger):
    found = finding(assess(question, language, None, ()), category)
    assert reported(trigger, found)
    assert found.source == "question"
    assert found.level == BASE_LEVELS[category]


@pytest.mark.parametrize(("category", "language", "question", "trigger"), EXAMPLES[::5])
def test_the_question_language_is_not_needed(category, language, question, trigger):
    assert reported(trigger, finding(assess(question, None, None, ()), category))


def test_every_category_has_at_least_three_examples_per_language():
    for category in RiskCategory:
        for language in LANGUAGES:
            assert sum(1 for c, lang, _, _ in EXAMPLES if (c, lang) == (category, language)) >= 3, (category, language)


@pytest.mark.parametrize(("question", "trigger"), [
    ("I took too many sleeping pills an hour ago", "took too many"),
    ("J'ai avalé toute une boîte de comprimés", "avalé toute une boîte"),
    ("Me tomé una caja entera de pastillas", "Me tomé una caja"),
    ("Ich habe zu viele Tabletten genommen", "zu viele Tabletten genommen"),
])
def test_an_overdose_already_taken_is_critical(question, trigger):
    found = finding(assess(question, None, None, ()), C.dosage)
    assert found.level == RiskLevel.critical
    assert reported(trigger, found)


@pytest.mark.parametrize(("question", "group_level"), [
    ("I feel hopeless and worthless, nobody would miss me", RiskLevel.high),
    ("Je me sens désespéré et seul depuis des semaines", RiskLevel.high),
    ("Me siento deprimida y sin esperanza", RiskLevel.high),
    ("Ich fühle mich hoffnungslos und wertlos", RiskLevel.high),
    ("I drink a bottle of vodka every night to sleep", RiskLevel.medium),
    ("Je fume deux paquets de cigarettes par jour", RiskLevel.medium),
    ("Me quedo despierto hasta tarde casi todas las noches", RiskLevel.medium),
    ("Ich trinke jeden Abend viel Alkohol", RiskLevel.medium),
])
def test_distress_and_dangerous_habits_of_the_asker_are_self_harm_findings(question, group_level):
    assert finding(assess(question, None, None, ()), C.self_harm).level == group_level


@pytest.mark.parametrize(("question", "category", "trigger"), [
    ("GROSSESSE ET DOLIPRANE", C.pregnancy, "GROSSESSE"),
    ("grossesse et doliprane", C.pregnancy, "grossesse"),
    ("Nourrissons et sirop", C.children, "Nourrissons"),
    ("pregnancies and ibuprofen", C.pregnancy, "pregnancies"),
    ("Can embarazadas take it?", C.pregnancy, "embarazadas"),
    ("Ist das fuer Saeuglinge?", C.children, "Saeuglinge"),
    ("UEBERDOSIS Paracetamol", C.dosage, "UEBERDOSIS"),
    ("Ueberdosis Paracetamol", C.dosage, "Ueberdosis"),
    ("ibuprofeno para ninos", C.children, "ninos"),
    ("mon bebe a de la fievre", C.children, "mon bebe"),
    ("I can\u2019t breathe", C.emergency, "can\u2019t breathe"),
    ("I cant breathe", C.emergency, "cant breathe"),
    ("is it safe when breast feeding", C.pregnancy, "breast feeding"),
    ("is it safe when breast-feeding", C.pregnancy, "breast-feeding"),
    ("Schwangere und Ibuprofen", C.pregnancy, "Schwangere"),
    ("enceintes et allaitantes", C.pregnancy, "enceintes"),
    ("Can I take 1000mg at once?", C.dosage, "1000mg"),
    ("Can I take 2,5 mg?", C.dosage, "2,5 mg"),
])
def test_accents_case_inflection_and_spelling_variants_match_and_triggers_are_reported_as_written(question, category, trigger):
    assert reported(trigger, finding(assess(question, None, None, ()), category))


@pytest.mark.parametrize(("question", "language", "absent"), [
    ("What kind of drug is metformin?", "en", C.children),
    ("What kind of drug is metformin?", None, C.children),
    ("Is the kidney function test fasting?", "en", C.children),
    ("¿Qué pasa si bebe alcohol con metronidazol?", "es", C.children),
    ("How do I use a metered-dose inhaler?", "en", C.dosage),
    ("Combien de temps se conserve un collyre ?", "fr", C.dosage),
    ("How much does the flu vaccine cost?", "en", C.dosage),
    ("Wie benutze ich ein Dosieraerosol?", "de", C.dosage),
    ("Should paracetamol be taken with food?", "en", C.contraindications),
    ("J'ai besoin d'un arrêt de travail", "fr", C.stopping_treatment),
    ("¿Dónde se pueden dejar los medicamentos caducados?", "es", C.stopping_treatment),
    ("Je prends ce médicament depuis 5 ans", "fr", C.children),
])
def test_false_friends_and_exceptions_do_not_trigger(question, language, absent):
    assert absent not in {f.category for f in assess(question, language, None, ())}


def test_a_term_restricted_to_its_language_follows_the_question_language():
    assert C.children in {f.category for f in assess("Mein Kind hat Husten", "de", None, ())}
    assert C.children in {f.category for f in assess("Mein Kind hat Husten", None, None, ())}
    assert C.children not in {f.category for f in assess("Mein Kind hat Husten", "en", None, ())}


def test_a_french_question_with_english_words_is_matched_by_every_lexicon():
    findings = assess("Est-ce que le paracetamol est ok pendant breastfeeding ?", "fr", None, ())
    assert "breastfeeding" in finding(findings, C.pregnancy).triggers


def test_the_answer_counts_for_what_its_sentences_tell_the_asker():
    answer = ("Children 6 to 12 years: take 250 mg every 6 hours [1]. Do not give it to children under 6 [1]. "
              "If you have chest pain or cannot breathe, call 112 [2]. Suicidal thoughts have been reported [2].")
    findings = assess("What is paracetamol used for?", "en", answer, ())
    assert finding(findings, C.children, "answer").level == RiskLevel.high  # a child's dose to take
    assert finding(findings, C.emergency, "answer").level == RiskLevel.low  # leaflet safety advice: recorded, not held
    assert {"chest pain", "cannot breathe", "call 112"} <= set(finding(findings, C.emergency, "answer").triggers)
    assert finding(findings, C.self_harm, "answer").level == RiskLevel.low  # a listed side effect says nothing about the asker


@pytest.mark.parametrize(("answer", "level"), [
    ("Do not give this medicine to children under 6 years [1].", RiskLevel.medium),
    ("Ne pas donner aux enfants de moins de 6 ans [1].", RiskLevel.medium),
    ("Si está embarazada, consulte a su médico antes de tomar este medicamento [1].", RiskLevel.medium),
    ("Kinder von 6 bis 12 Jahren: 3-mal täglich eine halbe Tablette [1].", RiskLevel.high),
    ("Adults and adolescents aged 12 years and over: 1 tablet once a day [1].", RiskLevel.low),
    ("Adultos y adolescentes mayores de 15 años: 1 comprimido 3 veces al día [1].", RiskLevel.low),
    ("Biktarvy is used to treat HIV in adults and children from 2 years who weigh at least 14 kg [1].", RiskLevel.low),
    ("Keep this medicine out of the sight and reach of children [1].", None),
])
def test_a_population_in_the_answer_counts_for_a_dose_or_a_warning_not_for_a_mention(answer, level):
    findings = [f for f in assess("What is it used for?", "en", answer, ()) if f.category in (C.children, C.pregnancy)]
    assert [f.level for f in findings] == ([level] if level else [])


@pytest.mark.parametrize("answer", [
    "Dovato 50 mg/300 mg film-coated tablets [1].", "Each capsule contains 175 mg of dry extract [1].",
    "The recommended dose is one tablet once a day [1].", "Store below 25 °C for a maximum of 28 days [1].",
    "Do this until a drop of Humalog Mix50 comes out of the needle [1].",
])
def test_strengths_names_and_general_doses_in_the_answer_are_never_above_low(answer):
    assert all(f.level in (RiskLevel.none, RiskLevel.low) for f in assess("How do I store it?", "en", answer, ()))


@pytest.mark.parametrize(("question", "held"), [
    ("How many capsules should be taken per day?", False), ("Combien de gélules faut-il prendre par jour ?", False),
    ("¿Cada cuánto se puede tomar un comprimido?", False), ("Wie viele Tabletten nimmt man am Tag?", False),
    ("What do the dolutegravir 50 mg tablets look like?", False), ("¿Cómo son los comprimidos de 30 mg?", False),
    ("How many capsules can I take per day?", True), ("Combien de gélules puis-je prendre par jour ?", True),
    ("¿Cuántas pastillas puedo tomar al día?", True), ("Wie viele Tabletten darf ich am Tag nehmen?", True),
    ("My son weighs 20 kg. How much should he take?", True), ("I take 20 mg of citalopram, is that a lot?", True),
])
def test_a_dose_counts_when_it_is_for_someone_in_particular(question, held):
    assert (C.dosage in {f.category for f in assess(question, None, None, ())}) is held


@pytest.mark.parametrize(("question", "held"), [
    ("What is heart failure?", False), ("What is an anticoagulant?", False), ("What is St John's wort used for?", False),
    ("¿Para qué sirve el tenofovir disoproxil fumarato?", False), ("What is Humalog Mix50?", False),
    ("I have kidney failure. Is this medicine safe?", True), ("Ich bin Dialysepatientin. Ist das für mich geeignet?", True),
    ("Je prends la pilule. Est-ce que je peux prendre du millepertuis ?", True),
    ("Ich nehme Marcumar; darf ich Ibuprofen gegen meine Rückenschmerzen nehmen?", True),
    ("¿Puedo tomar hierba de San Juan mientras estoy con warfarina?", True),
    ("Mi madre toma warfarina, ¿puede tomar aspirina?", True), ("Meine Mutter nimmt Marcumar. Darf sie Ibuprofen nehmen?", True),
    ("¿Cómo se toma la amoxicilina? ¿Se puede tomar en ayunas?", False),
])
def test_a_medicine_or_a_disease_by_name_is_no_interaction_without_someone_taking_or_having_it(question, held):
    assert (C.contraindications in {f.category for f in assess(question, None, None, ())}) is held


def test_groups_about_the_asker_do_not_read_the_answer_or_the_evidence():
    leaflet = "Paracetamol relieves pain and fever. Long-term use may cause liver damage; tiredness and dizziness are rare."
    assert assess("What is paracetamol used for?", "en", leaflet, [leaflet]) == []


def test_evidence_only_findings_are_capped_at_low_and_keep_their_triggers():
    evidence = [
        "Pregnancy and breast-feeding: ask your doctor. Keep out of the reach of children.",
        "If you take more than you should (overdose), contact a doctor. Suicidal thoughts have been reported.",
    ]
    findings = assess("What is paracetamol used for?", "en", "It relieves pain [1].", evidence)
    assert findings, "the evidence mentions pregnancy, overdose and suicide"
    assert {f.source for f in findings} == {"evidence"}
    assert all(f.level == RiskLevel.low for f in findings)
    assert "Pregnancy" in finding(findings, C.pregnancy, "evidence").triggers
    assert "Suicidal" in finding(findings, C.self_harm, "evidence").triggers
    assert C.children not in {f.category for f in findings}, "the keep-out-of-reach sentence is an exception"


def test_one_finding_per_category_and_source_with_distinct_triggers_in_reading_order():
    findings = assess("Pregnancy: is ibuprofen safe when pregnant? PREGNANCY again.", "en", "Not in pregnancy.", ())
    question = finding(findings, C.pregnancy)
    assert question.triggers == ["Pregnancy", "pregnant"]
    assert finding(findings, C.pregnancy, "answer").triggers == ["pregnancy"]
    assert len([f for f in findings if f.category == C.pregnancy]) == 2


def test_harmless_questions_have_no_finding_at_medium_or_above():
    for question, language in [
        ("What is paracetamol used for?", "en"), ("Quels sont les effets secondaires du lisinopril ?", "fr"),
        ("¿Cómo se conserva la insulina?", "es"), ("Wie wirkt Ibuprofen?", "de"),
        ("What are the pharmacy's opening hours?", "en"), ("Qu'est-ce que le diabète de type 2 ?", "fr"),
    ]:
        assert level_of(assess(question, language, None, ())) in (RiskLevel.none, RiskLevel.low), question


def test_side_effects_in_general_are_no_finding_but_during_pregnancy_are_high():
    assert level_of(assess("What are the side effects of metformin?", "en", None, ())) == RiskLevel.none
    assert level_of(assess("What are the side effects of metformin during pregnancy?", "en", None, ())) == RiskLevel.high


def test_level_of_is_the_highest_level_or_none():
    assert level_of([]) == RiskLevel.none
    findings = [RiskFinding(category=C.children, level=RiskLevel.high, triggers=["child"], source="question"),
                RiskFinding(category=C.dosage, level=RiskLevel.low, triggers=["dose"], source="evidence")]
    assert level_of(findings) == RiskLevel.high


def test_folding_maps_back_to_the_original_text():
    original = "Straße, Œdème, ÉNCEINTE"
    folded = fold(original)
    assert folded.text == "strasse, oedeme, enceinte"
    start = folded.text.index("enceinte")
    assert folded.original_span(original, start, start + len("enceinte")) == "ÉNCEINTE"


def test_the_lexicon_covers_every_category_in_every_language():
    assert set(LEXICON) == set(RiskCategory)
    for category, groups in [*LEXICON.items(), (None, CUES)]:
        for name, group in groups.items():
            assert set(group.terms) == set(LANGUAGES), (category, name)
            assert all(group.terms[language] for language in LANGUAGES), (category, name)
            assert group.needs in (None, *CUES), (category, name)
    names = [name for groups in [*LEXICON.values(), CUES] for name in groups]
    assert len(names) == len(set(names)), "group names are unique: a cue is found by name"


@pytest.mark.parametrize(("question", "category", "trigger"), [
    ("My eight-year-old has a cough", C.children, "eight-year-old"),
    ("Mon fils de huit ans tousse", C.children, "de huit ans"),
    ("Wie viel Saft darf mein Achtjähriger nehmen?", C.children, "Achtjähriger"),
    ("Mein Sohn hat aus Versehen drei Tabletten geschluckt", C.dosage, "aus Versehen drei Tabletten geschluckt"),
    ("How many of my sleeping pills would it take to never wake up?", C.self_harm, "never wake up"),
])
def test_ages_in_words_accidents_and_not_waking_up_are_found(question, category, trigger):
    assert reported(trigger, finding(assess(question, None, None, ()), category))


@pytest.mark.parametrize("question", [
    "Je prends mon oméprazole avant mon petit-déjeuner ?", "¿Puedo dejarlo en la nevera?",
    "I left my insulin in the car by mistake, is it still good?", "Ich habe die Packung aus Versehen im Auto gelassen",
    "Is it ok for me to store it at room temperature?", "Volljährig und langjährig: wie lagere ich das?",
])
def test_ordinary_questions_with_words_close_to_risky_ones_have_no_finding_at_medium_or_above(question):
    assert level_of(assess(question, None, None, ())) in (RiskLevel.none, RiskLevel.low), assess(question, None, None, ())
