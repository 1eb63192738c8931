"""Trigger terms of the risk classifier, per category, group and language: data, compiled by `classifier.py`.

Each category (`contracts.questions.RiskCategory`) holds named groups; a group has the level a match in the
question gets (an answer sentence gets the level of what it tells the asker, evidence low:
`classifier.answer_level`), its terms in each language, exceptions (`unless`), the texts it reads (`sources`)
and the cue it needs (`needs`). Every language's terms
are matched against every text: a French question may name an English drug or symptom, and language
detection on a short query is unreliable.

Term syntax (matched on casefolded text with accents stripped, whole words):

- words are written as a reader expects them, accents included (`grossesse`, `bébé`, `Säugling`); they
  match with or without the accent. In German terms ä/ö/ü also match ae/oe/ue (`Ueberdosis`).
- a space matches any run of spaces and punctuation, so `self harm` matches "self-harm" and "self harm";
  a hyphen inside a word is optional (`breast-fe*` matches "breastfeeding" and "breast feeding");
  an apostrophe is optional (`can't` matches "cant" and "can’t").
- `*` is any word ending (`pregnan*`: pregnant, pregnancy); `#` is a number (`# mg`: "500 mg", "2,5 mg").
- `...` is a gap of up to three words (`stop ... medication`: "stop my blood pressure medication").
- `=` first: accents must match (`=bébé`: a baby, not Spanish "bebe", "drinks").
- `@` first: only in texts of this language, or whose language is unknown (German `@kind`, not English "kind").
- `re:` first: a raw regular expression on the folded text, for what the syntax above cannot say (ages).

`unless` removes a match that overlaps one of its terms ("what kind of", "how long", "with food").

`needs` names a cue (`CUES`: never a finding itself) that must be found in the same text for the group to
count: a dose, a disease, distress, habits and symptoms count in a question about someone in particular ("I",
"my son", "20 kg"), so "what is depression?" or "how many capsules a day?" asks for ordinary information.

`sources` says which texts a group reads. Groups that describe the person asking (distress, how they feel,
their symptoms and habits) read the question only: a leaflet sentence on fever, fatigue or long-term use
in the answer says nothing about the asker, and would hold nearly every answer.

Base levels, and why (the routing itself is in `policy.py`):

- critical: self-harm and suicide, emergencies (chest pain, cannot breathe, unconscious, poisoning), an
  overdose already taken. A life may be at stake now; always held, whatever the request asks.
- high: pregnancy and breastfeeding, children, dosage, contraindications and interactions, and mental
  distress (hopelessness, despair, depression, panic). The answer is right for one person and harmful for
  another, or the person asking may be at risk: a pharmacist or clinician checks before anyone reads it.
- medium: stopping a treatment, health-endangering behaviour (drinking, smoking, drugs, starving, sleep
  deprivation, dangerous activities). Harm is slower or less likely; still held for a person, but after the
  high ones.
- low: what a reviewer may want to see when the human loop is on (the elderly, symptoms of the person
  asking, often asked as "is that a known side effect?"): released otherwise. Side effects in general are
  no finding: every leaflet lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.questions import RiskCategory, RiskLevel

LANGUAGES = ("en", "fr", "es", "de")
ALL_SOURCES = ("question", "answer", "evidence")
ASKER = ("question",)


@dataclass(frozen=True)
class Group:
    level: RiskLevel
    terms: dict[str, list[str]]
    unless: dict[str, list[str]] = field(default_factory=dict)
    sources: tuple[str, ...] = ALL_SOURCES
    note: str = ""
    needs: str | None = None
    """A cue (`CUES`) that must also be found in the same text (the question, or one sentence of the answer)."""


_KIND_OF = ["kind of", "kinds of", "what kind", "which kind", "this kind", "that kind", "any kind", "some kind", "every kind",
            "all kind", "same kind", "kind regards", "kind words", "be kind", "very kind", "so kind", "kind to", "kind and", "kindly"]
_WITH_FOOD = {
    "en": ["with food", "with or without food", "with a meal", "with meals", "with water", "with a glass of water", "with breakfast"],
    "fr": ["pendant le repas", "pendant les repas", "au cours du repas", "avec de l'eau", "avec un verre d'eau", "avec un repas",
           "avec les repas", "avec de la nourriture"],
    "es": ["con comida", "con la comida", "con las comidas", "con agua", "con un vaso de agua", "con el desayuno", "con alimentos"],
    "de": ["zum Essen", "mit Wasser", "mit einem Glas Wasser", "mit dem Essen", "zu den Mahlzeiten", "mit einer Mahlzeit"],
}
_CHILD_AGE = r"(?:[1-9]|1[0-7])"
_CHILD_AGE_WORDS = {  # 1 to 17 in words, folded (no accents, no umlauts): "eight-year-old", "Achtjähriger"
    "en": "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen",
    "fr": "deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|dix-sept",
    "es": "dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|quince|dieciseis|diecisiete",
    "de": "ein|zwei|drei|vier|funf|sechs|sieben|acht|neun|zehn|elf|zwolf|dreizehn|vierzehn|funfzehn|sechzehn|siebzehn",
}

LEXICON: dict[RiskCategory, dict[str, Group]] = {
    RiskCategory.pregnancy: {
        "pregnancy_breastfeeding": Group(
            level=RiskLevel.high,
            note="Most drugs are unstudied in pregnancy and pass into breast milk; the leaflet answer is rarely the whole answer.",
            terms={
                "en": ["is expecting", "are expecting", "she's expecting", "pregnan*", "expecting a baby", "expectant mother*", "breast-fe*",
                "breastmilk", "breast milk", "nursing mother*",
                       "while nursing", "lactat*", "trying to conceive", "trying for a baby", "conceiv*", "conception", "miscarr*",
                       "morning after pill", "morning-after pill", "post-partum", "trimester*", "ivf", "in vitro fertili*",
                       "fertility treatment*", "unborn", "fetus*", "foetus*", "fetal", "foetal", "mother to be", "mum to be", "mom to be"],
                "fr": ["grossesse*", "enceinte*", "allait*", "lactation", "attend* un bébé", "attend* un enfant", "fausse* couche*",
                       "post-partum", "trimestre*", "fœtus", "foetus", "fœtal*", "pilule du lendemain", "fiv", "procréation",
                       "donne* le sein", "nourri* au sein", "lait maternel", "future maman", "futures mamans", "désir d'enfant",
                       "tomber enceinte"],
                "es": ["embaraz*", "encinta", "lactancia*", "dar el pecho", "dando el pecho", "doy el pecho", "dar pecho", "amamant*",
                       "gestación", "gestante*", "aborto*", "posparto", "post-parto", "puerperio", "trimestre*", "feto*", "fetal*",
                       "píldora del día después", "buscando un bebé", "buscando quedarme", "leche materna", "madre lactante*",
                       "madres lactantes", "fecundación in vitro"],
                "de": ["schwanger*", "stillzeit", "stillen*", "stillend*", "gestillt", "ich stille", "stille ich", "kinderwunsch",
                       "fehlgeburt*", "wochenbett", "trimester*", "trimenon", "fötus", "fetus", "ungeboren*", "pille danach",
                       "künstliche befruchtung", "empfängnis*", "werdende mutter", "werdende mütter", "muttermilch", "ivf"],
            },
        ),
    },
    RiskCategory.children: {
        "children": Group(
            level=RiskLevel.high,
            note="Doses are by weight and age, several adult drugs are forbidden under an age; the asker is a parent acting for someone else.",
            terms={
                "en": [rf"re:\b(?:{_CHILD_AGE_WORDS['en']})[\s-]*(?:years?|months?)[\s-]*old\b", "my little one", "my little boy",
                "my little girl", "child", "children", "child's", "childhood", "kid", "kids", "kiddo*", "infant*", "baby", "babies", "baby's",
                       "toddler*", "newborn*", "new-born*", "neonat*", "paediatric*", "pediatric*", "my son", "my daughter", "our son",
                       "our daughter", "her son", "his son", "her daughter", "his daughter", "teen", "teens", "teenage*",
                       "adolescen*", "schoolchild*", "kindergarten", "minor under", "under 18",
                       rf"re:\b{_CHILD_AGE}[\s-]*(?:years?|yrs?)[\s-]*old\b", r"re:\b\d+[\s-]*(?:months?|weeks?|days?)[\s-]*old\b",
                       rf"re:\baged? {_CHILD_AGE}\b"],
                "fr": [rf"re:\b(?:de|a|age|agee?) (?:{_CHILD_AGE_WORDS['fr']}) ans\b", "mon petit", "ma petite", "mon tout-petit", "enfant*",
                "=bébé*", "mon bebe", "ma bebe", "un bebe", "le bebe", "du bebe", "au bebe", "les bebes", "des bebes",
                       "mes bebes", "nourrisson*", "nouveau-né*", "nouveaux-nés", "néonat*", "pédiatr*", "mon fils", "ma fille",
                       "notre fils", "notre fille", "son fils", "sa fille", "mes fils", "ado", "ados", "adolescent*", "fillette*",
                       "garçonnet*", "en bas âge", "petits", rf"re:\b(?:de|a|ai|as|ont|age|agee?s?) {_CHILD_AGE} ans\b",
                       r"re:\b(?:de|a|age|agee?) \d+ (?:mois|semaines)\b"],
                "es": [rf"re:\b(?:de|tiene|tengo|con) (?:{_CHILD_AGE_WORDS['es']}) anos\b", "mi pequeño", "mi pequeña", "mi niño pequeño",
                "niño*", "niña*", "=bebé*", "mi bebe", "mis bebes", "tu bebe", "su bebe", "un bebe", "los bebes", "del bebe",
                       "al bebe", "para bebes", "lactante*", "recién nacid*", "neonat*", "pediátr*", "pediatr*", "hijo*", "hija*",
                       "adolescente*", "infantil*", "menor de edad", "menores de edad", "crío*", "chiquit*",
                       rf"re:\b(?:de|tiene|tengo|tienen|con) {_CHILD_AGE} anos\b", r"re:\b(?:de|tiene|con) \d+ (?:meses|semanas)\b"],
                "de": [rf"re:\b(?:{_CHILD_AGE_WORDS['de']})jahrig\w*", "mein kleiner", "meine kleine", "@kind", "kinder", "kindern", "kindes",
                "kinder*", "kleinkind*", "säugling*", "baby*", "babys", "neugeboren*",
                       "pädiatr*", "sohn", "sohnes", "söhne", "tochter", "töchter", "jugendlich*", "teenager*", "kita", "schulkind*",
                       rf"re:\b{_CHILD_AGE}[\s-]*(?:jahre|jahr) alt", rf"re:\b{_CHILD_AGE}[\s-]*jahrig", r"re:\b\d+[\s-]*(?:monate|wochen) alt"],
            },
            unless={
                "en": _KIND_OF + ["child-proof", "childproof", "child-resistant", "reach of children", "sight of children", "kid gloves"],
                "fr": ["portée des enfants", "petit-déjeuner", "petit déjeuner", "petits-déjeuners", "petits pois"],
                "es": ["alcance de los niños"],
                "de": ["für Kinder unzugänglich", "Reichweite von Kindern", "Kindern nicht zugänglich"],
            },
        ),
    },
    RiskCategory.dosage: {
        "dose": Group(
            level=RiskLevel.high,
            needs="person",
            note="A dose for someone (me, my son, 20 kg, 70 years old) is individual (weight, kidneys, other drugs): the leaflet's figure "
                 "for the wrong person is an overdose. Without anyone named, \"how many capsules a day?\" asks what the leaflet says "
                 "for everyone, and a strength in a product name (\"Dovato 50 mg/300 mg\") is no dose at all.",
            terms={
                "en": ["more than prescribed", "more than the prescribed", "more than my doctor", "dose", "doses", "dosage*", "dosing",
                "posolog*", "how much ... take*", "how much ... give*",
                       "how much ... safe", "how much ... per day", "how much ... a day", "how many ... take*", "how many ... tablet*",
                       "how many ... pill*", "how many ... capsule*", "how many ... mg", "how many ... puff*", "how many ... drop*",
                       "how many ... times a day", "how much ... mg", "how often ... take*", "how often can*", "maximum", "max",
                       "the most ... i can", "the most ... a day", "the most ... per day", "at most", "take # mg",
                       "taking # mg",
                       "give # mg", "give # ml", "# mg ... a day", "# mg ... per day", "# mg ... daily", "# mg at once", "milligram*",
                       "too much", "too many", "double the", "extra tablet*",
                       "extra pill*", "twice as much", "more than the", "how much paracetamol", "how much ibuprofen"],
                "fr": ["plus ... que prescrit", "plus que prescrit", "plus que la dose", "dose*", "dosage*", "posologie*",
                "combien de ... prendre", "combien de ... donner", "combien de comprimé*",
                       "combien de gélule*", "combien de gouttes", "combien de mg", "combien de fois par jour", "combien ... par jour",
                       "combien de doliprane", "combien de cuillère*", "maximum", "maximale*", "max", "prendre # mg", "prends # mg",
                       "donner # mg", "donner # ml", "# mg ... par jour", "# g ... par jour", "# mg d'un coup",
                       "# microgrammes", "trop de", "trop pris", "double dose", "dose double", "oubli* ... prise", "toutes les combien"],
                "es": ["más ... de los recetados", "más de lo recetado", "más de la dosis", "dosis", "dosific*", "posolog*",
                "cuánt* ... tomar", "cuánt* ... dar", "cuánt* pastilla*",
                       "cuánt* comprimido*", "cuánt* cápsula*", "cuánt* gotas", "cuánt* mg", "cuántas veces al día", "cuánt* ... al día",
                       "cuánt* ... por día", "cada cuánto", "máxim*", "max", "tomar # mg", "tomo # mg", "dar # mg",
                       "darle # ml", "# mg ... al día", "# mg ... por día", "# g ... al día", "# mg de golpe", "demasiad*",
                       "doble de", "olvid* ... toma"],
                "de": ["wie viel* ... ... nehmen", "wie viel* ... ... einnehmen", "wie viel* ... ... geben", "mehr ... als verschrieben",
                "mehr als verschrieben", "dosis", "dosierung*", "dosier*", "wie viel* ... nehmen", "wie viel* ... einnehmen", "wie viel* ... geben",
                       "wieviel* ... nehmen", "wieviel* ... einnehmen", "wie viel* tabletten", "wie viele tropfen", "wie viel mg",
                       "wie oft ... nehmen", "wie oft ... einnehmen", "wie oft am tag", "wie oft täglich", "maximal*", "höchstdosis",
                       "höchstmenge", "tageshöchst*", "höchstens", "# mg ... nehmen", "# mg ... einnehmen",
                       "# mg ... geben", "# mg ... am tag", "# mg ... pro tag", "# mg ... täglich", "# g ... am tag", "zu viel*",
                       "doppelte dosis", "doppelte menge",
                       "einnahme vergessen", "vergessen ... einzunehmen"],
            },
            unless={
                "en": ["how much does", "how much is", "how much do", "how much will", "how much time", "too much time", "how many hours",
                       "how many people", "how many days", "metered-dose", "dose inhaler*", "dose counter", "dose pen*"],
                "fr": ["combien de temps", "combien coûte*", "combien ça coûte", "combien de jours", "combien d'heures", "doseur*"],
                "es": ["cuánto tiempo", "cuánto cuesta*", "cuánto vale", "cuántas horas", "cuántos días", "dosificador*"],
                "de": ["wie viel kostet", "wie viel zeit", "wie viele stunden", "wie viele tage", "dosieraerosol*", "dosierspray*",
                       "dosierhilfe*"],
            },
        ),
        "overdose": Group(
            level=RiskLevel.high,
            note="Overdose as a topic: what too much does, and what to do about it.",
            terms={"en": ["overdos*", "lethal", "fatal dose", "deadly dose", "deadly amount"],
                   "fr": ["surdos*", "overdose*", "dose mortelle", "dose létale", "quantité mortelle", "mortel*"],
                   "es": ["sobredosis", "dosis letal", "dosis mortal", "cantidad mortal", "mortal*", "letal*"],
                   "de": ["überdos*", "tödlich*", "letal*"]},
        ),
        "overdose_taken": Group(
            level=RiskLevel.critical,
            note="Someone may already have swallowed too much: poison centre now, not an answer later.",
            terms={
                "en": ["took ... by mistake", "taken ... by mistake", "injected ... by mistake", "twice his", "twice her", "twice my",
                "ate ... pills", "ate ... tablets", "eaten ... pills", "overdosed",
                "took an overdose", "taken an overdose", "took too many", "took too much", "taken too many",
                       "taken too much", "swallowed ... pills", "swallowed ... tablets", "swallowed ... capsules", "took the whole",
                       "took a whole", "took all my", "took all the", "took # pills", "took # tablets", "took # capsules",
                       "accidentally took", "accidentally swallowed", "accidentally taken", "took double", "took twice"],
                "fr": ["a mangé ... comprimés", "a avalé ... comprimés", "deux fois sa dose", "deux fois ma dose", "pris trop",
                "trop pris", "avalé trop", "avalé ... comprimé*", "avalé ... gélule*", "avalé ... boîte", "avalé ... plaquette",
                       "pris toute la boîte", "pris toute la plaquette", "pris # comprimé*", "pris # gélule*", "pris par erreur",
                       "avalé par erreur", "pris deux fois", "j'ai fait une surdose", "fait une overdose"],
                "es": ["se ha comido ... pastillas", "se comió ... pastillas", "el doble de su", "el doble de mi", "tomé demasiad*",
                "he tomado demasiad*", "tomado demasiad*", "me tomé ... caja", "me tomé ... pastillas",
                       "me he tomado ... pastillas", "tragu* ... pastillas", "tragu* ... pastillas", "tragó ... pastillas",
                       "tomó demasiad*", "tomado # pastillas", "tomé # pastillas", "tomé # comprimidos", "por error", "sin querer ... tom*",
                       "tomé dos veces", "una sobredosis"],
                "de": ["aus versehen ... genommen", "aus versehen ... eingenommen", "aus versehen ... geschluckt",
                "aus versehen ... gespritzt", "tabletten gegessen", "doppelt so viel", "zu viel* ... genommen", "zu viel* ... eingenommen",
                "zu viel* ... geschluckt", "überdosis genommen", "ganze packung",
                       "# tabletten genommen", "# tabletten geschluckt", "# tabletten eingenommen", "versehentlich ... genommen",
                       "versehentlich ... eingenommen", "versehentlich ... geschluckt", "doppelt genommen", "doppelt eingenommen"],
            },
        ),
    },
    RiskCategory.contraindications: {
        "contraindications_interactions": Group(
            level=RiskLevel.high,
            note="Whether a drug is safe with another drug, alcohol, an allergy or a disease depends on the person; the pharmacist checks.",
            terms={
                "en": ["had a rash", "reacted to",
                "interact*", "contraindicat*", "contra-indicat*", "together with", "at the same time as", "combine ... with",
                       "combining", "mix ... with", "mixing", "with alcohol", "and alcohol", "alcohol with", "drink alcohol",
                       "alcohol while", "take ... with", "taking ... with",
                       "safe with", "safe to take", "ok to take", "okay to take", "safe for me", "allergic to", "allergy to",
                       "allergic reaction*", "if i have", "if i am", "if i'm", "if i take", "if i suffer", "while taking", "while on"],
                "fr": ["fait une éruption", "fait une réaction", "interaction*", "interagi*", "contre-indi*",
                "en même temps que", "associer", "associant", "mélanger", "combiner",
                       "avec de l'alcool", "avec l'alcool", "alcool avec", "et de l'alcool", "et l'alcool", "boire de l'alcool", "prendre ... avec",
                       "prend* ... avec", "compatible* avec", "allergique à", "allergique aux", "allergie à", "allergie aux",
                       "réaction allergique", "si j'ai", "si je suis", "si je prends", "si j'ai", "sous traitement"],
                "es": ["me salió un sarpullido", "tuve una reacción", "interacci*", "interactú*", "interactua*",
                "contraindica*", "al mismo tiempo", "junto con", "juntos", "combinar*",
                       "mezclar", "mezclarlo*", "con alcohol", "con el alcohol", "alcohol con", "y alcohol", "beber alcohol",
                       "tomar ... con", "tomo ... con",
                       "toma ... con", "compatible* con", "alérgic* a", "alergia a", "reacción alérgica", "si tengo", "si estoy",
                       "si tomo", "si padezco", "mientras tomo", "mientras estoy con"],
                "de": ["hatte ... ausschlag", "reagiert auf", "wechselwirkung*", "kontraindik*", "gegenanzeige*",
                "zusammen mit", "gleichzeitig", "kombinier*", "mischen",
                       "mit alkohol", "und alkohol", "alkohol mit", "alkohol trinken", "verträgt sich", "verträglich mit", "nehmen ... mit",
                       "einnehmen ... mit",
                       "allergisch gegen", "allergisch auf", "allergie gegen", "allergische reaktion", "wenn ich ... habe", "wenn ich ... bin",
                       "wenn ich ... nehme"],
            },
            unless=_WITH_FOOD,
        ),
        "condition": Group(
            level=RiskLevel.high,
            needs="person",
            note="A disease of the person asking (\"I have kidney failure\", \"my mother is on dialysis\") changes what is safe and how "
                 "much. Named without anyone, \"what is heart failure?\" is ordinary information. A medicine's name is no interaction "
                 "on its own (St John's wort asked about by name): `another_medicine` needs a second one.",
            terms={
                "en": ["kidney disease", "kidney failure", "renal failure", "renal impairment", "liver disease", "liver failure",
                       "hepatic impairment", "heart failure", "dialysis"],
                "fr": ["insuffisance rénale", "insuffisance hépatique", "insuffisance cardiaque", "dialys*"],
                "es": ["insuficiencia renal", "insuficiencia hepática", "insuficiencia cardíaca", "diálisis", "dializad*"],
                "de": ["niereninsuffizienz", "nierenschwäche", "niereninsuffizient", "leberschaden", "leberinsuffizienz",
                       "herzinsuffizienz", "dialyse*"],
            },
        ),
        "another_medicine": Group(
            level=RiskLevel.high,
            needs="taking_now",
            note="\"I take the pill. Can I take St John's wort?\": a second medicine for someone already on one is an interaction question.",
            terms={
                "en": ["can i also have", "can i still have", "can i still take", "can she have", "can he have", "can i take",
                "can i also take", "can i use", "can i have", "is it safe to take", "may i take", "can she take",
                       "can he take"],
                "fr": ["puis-je quand même prendre", "puis-je encore prendre", "puis-je prendre", "je peux prendre", "peut-on prendre",
                "puis-je aussi prendre", "puis-je utiliser", "peut-elle prendre",
                       "peut-il prendre"],
                "es": ["puedo seguir tomando", "puede tomar también", "puedo tomar", "puedo usar", "se puede tomar", "puedo también tomar",
                "puede tomar"],
                "de": ["darf ich ... ... nehmen", "kann ich ... ... nehmen", "darf ich ... ... einnehmen", "kann ich ... ... einnehmen",
                       "darf sie ... nehmen",
                       "darf er ... nehmen"],
            },
            unless=_WITH_FOOD,
        ),
        "elderly": Group(
            level=RiskLevel.low,
            note="Older people take more medicines and clear them more slowly: held when the human loop is on. Side effects in general "
                 "are not a finding at all: every leaflet lists them, and asking about them is the most ordinary question there is.",
            terms={
                "en": ["elderly", "older people", "older adults"],
                "fr": ["personne* âgée*", "sujet* âgé*"],
                "es": ["ancian*", "personas mayores"],
                "de": ["ältere* menschen", "senioren"],
            },
        ),
    },
    RiskCategory.self_harm: {
        "suicide_self_injury": Group(
            level=RiskLevel.critical,
            note="Suicidal thoughts or self-injury: a person answers, with crisis resources, never the pipeline alone.",
            terms={
                "en": ["not wake up", "never wake up", "not to wake up", "suicid*", "kill myself", "killing myself", "end my life",
                "end it all", "take my own life", "take my life",
                       "want to die", "wanted to die", "wish i was dead", "wish i were dead", "better off dead", "don't want to live",
                       "no reason to live", "not worth living", "self-harm*", "self-injur*", "self-mutilat*", "hurt myself",
                       "hurting myself", "cut myself", "cutting myself", "harm myself", "harming myself"],
                "fr": ["ne pas me réveiller", "ne plus me réveiller", "ne jamais me réveiller", "suicid*", "me tuer", "me suicider",
                "en finir", "mettre fin à mes jours", "mettre fin à ma vie", "envie de mourir",
                       "veux mourir", "voulais mourir", "me faire du mal", "automutil*", "scarifi*", "plus envie de vivre", "ne plus vivre"],
                "es": ["no despertar", "no volver a despertar", "no despertarme", "suicid*", "quitarme la vida", "matarme",
                "acabar con mi vida", "quiero morir*", "quería morir*", "ganas de morir",
                       "hacerme daño", "autolesi*", "cortarme", "no quiero vivir", "no quiero seguir viviendo"],
                "de": ["nicht mehr aufwachen", "nie mehr aufwachen", "nicht mehr aufzuwachen", "suizid*", "selbstmord*", "umbringen",
                "mich töten", "mein leben beenden", "sterben will", "sterben möchte",
                       "sterben wollte", "nicht mehr leben", "selbstverletz*", "ritzen", "mir etwas antun", "mir was antun", "lebensmüde*"],
            },
        ),
        "mental_distress": Group(
            level=RiskLevel.high,
            sources=ASKER,
            needs="person",
            note="Despair, hopelessness, panic and isolation are the main risk factors for self-harm; a person reads these first.",
            terms={
                "en": ["depress*", "hopeless*", "helpless*", "worthless*", "meaningless*", "no meaning", "no purpose", "no hope",
                       "lonel*", "alone", "isolated", "empty", "emptiness", "anxi*", "panic*", "nervous*", "tense", "stress*",
                       "pressure", "overwhelm*", "exhausted", "insomnia", "can't sleep", "cannot sleep", "nightmare*", "trauma*", "ptsd",
                       "bullied", "bullying", "afraid", "fear*", "scared", "terrif*", "frighten*", "worr*", "insecur*", "self-esteem",
                       "self-confidence", "self-doubt*", "self-worth", "inferior*", "low mood", "mood*", "emotion*", "mental*",
                       "psycholog*", "psychiatr*", "therapist*", "frustrat*", "miserable", "sad", "sadness", "unhappy", "crying", "tears",
                       "painful", "upset", "angry", "anger", "irritab*", "temper", "impulsiv*", "violent*", "restless*", "uneasy",
                       "distress*", "desperat*", "despair*", "ugly", "rejected", "rejection", "abandoned", "betray*", "addict*",
                       "obsess*", "compulsi*", "autism", "autistic", "paranoi*", "breakdown", "burnout", "burn-out", "collapse",
                       "can't cope", "give up", "failure", "loser", "disappoint*", "self-pity", "eating disorder*", "anorex*", "bulim*",
                       "criticiz*", "criticis*", "motivation", "confidence", "can't handle", "cannot handle", "vulnerab*", "negativ*",
                       "ruminat*", "thought loop*", "dread*", "powerless*", "no one cares", "nobody cares", "no one understands",
                       "nobody understands", "not good enough", "hard on myself", "memories", "divorc*", "grief", "griev*", "mourning",
                       "stuck", "trapped", "no way out", "learning disabilit*",
                       "abuse*", "abused", "assault*", "rape*", "raped", "molest*", "lose control", "lost control", "losing control",
                       "can't concentrate", "hard to concentrate", "difficult to concentrate", "distracted"],
                "fr": ["dépress*", "déprim*", "désespér*", "désespoir", "impuissant*", "sans valeur", "inutile*", "sans espoir",
                       "aucun espoir", "pas de sens", "aucun sens", "sens à ma vie", "seul", "seule", "solitude", "isolé*", "vide",
                       "anxi*", "angoiss*", "panique*", "nerveu*", "stress*", "pression", "débordé*", "submergé*", "épuisé*", "épuisement",
                       "insomnie*", "n'arrive pas à dormir", "dors mal", "cauchemar*", "trauma*", "harcel*", "peur*", "effray*",
                       "terrifi*", "inqui*", "estime de soi", "confiance en moi", "confiance en soi", "doute* de moi", "humeur*",
                       "émotion*", "mental*", "psycholog*", "psychiatr*", "thérapeute*", "frustr*", "malheureu*", "triste*",
                       "pleur*", "larmes", "douloureu*", "souffr*", "en colère", "colère", "irritab*", "impulsi*", "violen*",
                       "agité*", "mal à l'aise", "détresse", "laid", "laide", "rejet*", "rejeté*", "abandonné*", "trahi*", "addict*",
                       "dépendan*", "obsess*", "compulsi*", "autis*", "paranoï*", "craquer", "burn-out", "effondr*", "abandonner",
                       "échec*", "perdant*", "déçu*", "décevoir", "pitié", "troubles alimentaires", "anorex*", "boulim*", "honte",
                       "critiqu*", "motivation", "confiance", "je ne peux pas gérer", "vulnérab*", "négati*", "rumin*", "effroi",
                       "terreur", "courage", "personne ne me", "pas assez bon*", "pas assez bien", "dur avec moi", "souvenirs",
                       "divorc*", "deuil", "moche*", "coincé*", "piégé*", "sans issue", "troubles d'apprentissage", "obséd*",
                       "abus*", "agress* sexuel*", "viol", "violé*", "perd* le contrôle", "me concentrer", "distrait*"],
                "es": ["depres*", "deprim*", "desesper*", "impotente*", "indefens*", "sin valor", "inútil*", "sin esperanza",
                       "ninguna esperanza", "sin sentido", "no tiene sentido", "solo", "sola", "soledad", "aislad*", "vacío*", "vacía*",
                       "ansi*", "angusti*", "pánico", "nervios*", "estrés", "estresad*", "presión", "agobi*", "abrumad*", "agotad*",
                       "agotamiento", "insomnio", "no puedo dormir", "duermo mal", "pesadilla*", "trauma*", "acos*", "miedo*",
                       "asustad*", "aterr*", "preocup*", "insegur*", "autoestima", "confianza en mí", "confianza en mí mism*",
                       "dudas de mí", "ánimo", "humor", "emocion*", "mental*", "psicolog*", "psicológ*", "psiquiatr*", "terapeuta*",
                       "frustr*", "infeliz", "triste*", "tristeza", "llor*", "lágrimas", "doloros*", "sufr*", "enfadad*", "enojad*",
                       "ira", "irritab*", "impulsiv*", "violen*", "inquiet*", "angustia*", "feo", "fea", "rechaz*", "abandonad*",
                       "traicion*", "adic*", "obsesi*", "compulsi*", "autis*", "paranoi*", "colapso", "derrumb*", "rendirme",
                       "fracas*", "perdedor*", "decepcion*", "lástima", "trastorno* alimentari*", "anorex*", "bulimi*", "vergüenza",
                       "critic*", "motivación", "confianza", "no puedo manejar*", "vulnerable*", "negativ*", "rumi*", "temor*",
                       "nadie me", "no soy suficiente*", "lo suficientemente buen*", "duro conmigo", "recuerdos", "divorci*", "duelo",
                       "atrapad*", "sin salida", "problemas de aprendizaje",
                       "abus*", "agresión sexual", "agredid* sexualmente", "violación", "violad*", "perd* el control", "concentrarme",
                       "me distraigo", "distraíd*"],
                "de": ["depress*", "deprimiert*", "hoffnungslos*", "hilflos*", "wertlos*", "sinnlos*", "keinen sinn", "keine hoffnung",
                       "einsam*", "allein*", "isoliert", "leer", "leere", "angst*", "ängst*", "panik*", "nervös*", "stress*", "gestresst",
                       "druck", "überfordert*", "erschöpft*", "erschöpfung", "schlaflos*", "kann nicht schlafen", "schlafe schlecht",
                       "albtr*", "alptr*", "trauma*", "gemobbt", "mobbing", "furcht*", "verängstigt", "fürcht*", "sorge*", "besorgt",
                       "unsicher*", "selbstwert*", "selbstbewusstsein", "selbstvertrauen", "selbstzweifel*", "minderwertig*",
                       "stimmung*", "gefühl*", "emotion*", "psych*", "seelisch*", "therapeut*", "frustr*", "unglücklich*", "traurig*",
                       "traurigkeit", "weinen", "weine", "tränen", "schmerzhaft*", "leide*", "wütend*", "wut", "zorn", "reizbar*",
                       "impulsiv*", "gewalt*", "unruhig*", "verzweif*", "hässlich*", "abgelehnt", "ablehnung", "verlassen", "verraten",
                       "sucht*", "süchtig*", "abhängig*", "zwang*", "autis*", "parano*", "zusammenbruch", "zusammenbrechen",
                       "burnout", "burn-out", "aufgeben", "versag*", "enttäusch*", "selbstmitleid", "essstörung*", "magersucht",
                       "bulimie", "schäm*", "kritisier*", "kritik", "motivation", "verletzlich*", "negativ*", "grübel*",
                       "gedankenschleife*", "mut", "niemand versteht", "nicht gut genug", "hart zu mir", "erinnerungen", "scheidung",
                       "geschieden", "trauer", "betrogen", "unwohl", "besessen", "machtlos*", "gefangen", "ausweglos*", "lernbehinderung*",
                       "lernstörung*", "missbrauch*", "vergewaltig*", "übergriff*", "kontrolle verlier*", "verliere ... die kontrolle",
                       "gereizt", "kummer", "mich zu konzentrieren", "konzentrationsprobleme", "abgelenkt", "ablenken"],
            },
            unless={
                "en": ["blood pressure", "pressure ulcer*", "eye pressure", "alone or with", "used alone", "taken alone", "on its own"],
                "fr": ["pression artérielle", "seul ou", "seule ou", "en monothérapie"],
                "es": ["presión arterial", "solo o", "sola o"],
                "de": ["blutdruck", "allein oder"],
            },
        ),
        "personal_state": Group(
            level=RiskLevel.medium,
            sources=ASKER,
            note="The person says how they feel: a document answer is not what they need, and distress often shows first here.",
            terms={
                "en": ["i ... feel", "i ... felt", "i feel like", "i've been feeling", "i have been feeling",
                       "makes me feel", "made me feel", "i'm feeling", "i am feeling"],
                "fr": ["je me ... sens", "je me ... sentais", "j'ai ... l'impression", "je ... ressens", "me rend*", "me fait me sentir",
                       "je me suis senti*"],
                "es": ["me ... siento", "me ... sentía", "me ... sentí", "siento que", "me hace sentir", "me hizo sentir"],
                "de": ["ich ... fühle mich", "fühle ich mich", "ich ... fühlte mich", "fühlte ich mich", "ich habe ... das gefühl",
                       "gibt mir das gefühl", "ich fühle"],
            },
        ),
        "health_endangering_behaviour": Group(
            level=RiskLevel.medium,
            sources=ASKER,
            needs="person",
            note="Behaviour that harms the body (drinking, smoking, drugs, starving, sleep deprivation, risky activities).",
            terms={
                "en": ["alcohol*", "drinking", "drunk", "binge*", "hangover", "smok*", "cigarette*", "vaping", "vape*", "e-cigarette*",
                       "nicotine", "tobacco", "cannabis", "cocaine", "heroin", "weed", "recreational drug*", "illegal drug*", "drugs to",
                       "took drugs", "caffeine", "energy drink*", "junk food", "fast food", "fried food*", "sugary", "sweets", "candy",
                       "chocolate*", "overeat*", "eat too much", "obes*", "overweight", "lose weight", "losing weight", "weight loss",
                       "starv*", "extreme diet*", "stay* up", "all-nighter*", "sleep depriv*", "lack of sleep", "not enough sleep",
                       "overtime", "overwork*", "harm*", "damag*", "hazard*", "danger*", "injur*", "health problem*", "bad for",
                       "unhealthy", "health risk*", "excessiv*", "prolonged", "long-term", "long time", "plastic surgery",
                       "cosmetic surgery", "botox", "high heels", "sunburn*", "sunbath*", "tanning", "uv", "radiation", "pollut*",
                       "poisonous", "toxic*", "toxin*", "pesticide*", "raw seafood", "raw meat", "without a helmet", "safety net",
                       "frostbite", "heat stroke", "heatstroke", "dehydrat*", "risk of", "increase the risk", "lead to", "leads to",
                       "can cause", "may cause", "could cause", "will cause", "my health", "my body", "my eyesight", "affect* my",
                       "eyesight", "screen", "screens", "lot of sugar", "much sugar", "sugar every day", "snack*", "go to bed late",
                       "late at night", "no energy",
                       "never exercise", "don't exercise", "without ... safety", "safety training", "safety equipment", "crash*",
                       "accident*", "see a doctor", "go to the doctor", "go to the hospital", "i drink", "to drink", "drinks",
                       "indiscriminately", "extreme sport*", "electric shock*", "electrocut*",
                       "hurting yourself", "hurt yourself", "own health", "not healthy"],
                "fr": ["alcool*", "boire", "bois trop", "ivre", "saoul*", "soûl*", "gueule de bois", "fumer", "fume", "fumes", "fumé",
                "fumant", "fumeur*", "fumée*", "cigarette*", "vapot*",
                       "tabac", "nicotine", "cannabis", "cocaïne", "héroïne", "drogue*", "caféine", "boisson* énergisante*", "malbouffe",
                       "fast-food", "restauration rapide", "friture*", "sucreries", "bonbons", "chocolat*", "trop manger", "mange trop",
                       "obès*", "obésité", "surpoids", "perdre du poids", "maigrir", "m'affam*", "régime* extrême*", "veill*",
                       "nuit blanche", "nuits blanches", "manque de sommeil", "privation de sommeil", "heures supplémentaires",
                       "surmenage", "nocif*", "nuisible*", "néfaste*", "dommage*", "endommag*", "dangereu*", "danger*", "bless*",
                       "problèmes de santé", "mauvais pour", "malsain*", "excessi*", "excès", "prolongé*", "long terme",
                       "longtemps", "chirurgie esthétique", "botox", "talons hauts", "coup de soleil", "coups de soleil", "bronz*",
                       "uv", "rayonnement*", "pollu*", "venimeu*", "toxique*", "toxine*", "pesticide*", "fruits de mer crus",
                       "viande crue", "sans casque", "filet de sécurité", "gelure*", "coup de chaleur", "déshydrat*", "risque*",
                       "peut entraîner", "peuvent entraîner", "peut provoquer", "peuvent provoquer", "peut causer", "conduire à",
                       "conduit à", "ma santé", "mon corps", "ma vue", "affect* ma", "affect* mon", "écran", "écrans", "beaucoup de sucre",
                       "trop de sucre", "sucre chaque jour",
                       "grignot*", "me coucher tard", "couche* tard", "pas d'énergie", "jamais de sport", "équipement de sécurité",
                       "formation de sécurité", "sans ... sécurité", "écras*", "accident*", "voir un médecin", "aller à l'hôpital",
                       "aller chez le médecin", "je bois", "n'importe comment", "sport* extrême*",
                       "électrocut*", "décharge électrique", "propre santé", "boisson* sucrée*",
                       "pas en ... bonne santé"],
                "es": ["alcohol*", "beber", "bebo", "borrach*", "resaca", "fumar", "fumo", "fumas", "fuma", "fumando", "fumador*", "humo",
                "cigarrillo*", "tabaco", "vapear", "vapeo", "nicotina",
                       "cannabis", "cocaína", "heroína", "droga*", "cafeína", "bebida* energética*", "comida basura", "comida rápida",
                       "frit*", "dulces", "golosinas", "chocolate*", "comer demasiado", "como demasiado", "obes*", "sobrepeso",
                       "perder peso", "adelgaz*", "hambre", "dieta* extrema*", "trasnoch*", "desvel*", "quedarme despierto",
                       "falta de sueño", "privación de sueño", "horas extra*", "exceso de trabajo", "nociv*", "perjudic*",
                       "daño*", "dañar*", "dañin*", "dañe*",
                       "peligr*", "lesion*", "problemas de salud", "malo para", "mala para", "poco saludable*", "insalubre*",
                       "excesiv*", "exceso", "prolongad*", "largo plazo", "mucho tiempo", "cirugía estética", "bótox", "botox",
                       "tacones", "quemadura* solar*", "broncea*", "tomar el sol", "uv", "radiación", "contamina*", "venenos*",
                       "tóxic*", "toxina*", "pesticida*", "marisco crudo", "mariscos crudos", "carne cruda", "sin casco",
                       "red de seguridad", "congelación", "golpe de calor", "deshidrat*", "riesgo*", "puede provocar", "pueden provocar",
                       "puede causar", "pueden causar", "conducir a", "conduce a", "llevar a", "mi salud", "mi cuerpo", "mi vista",
                       "afect* mi", "pantalla*", "mucha azúcar", "mucho azúcar", "demasiad* azúcar", "bocadillo*", "picar entre horas",
                       "acostarme tarde", "hasta tarde",
                       "despiert*", "sin energía", "nunca hago ejercicio", "equipo de seguridad", "sin ... seguridad", "estrell*",
                       "accidente*", "ir al hospital", "ver a un médico", "ir al médico", "químicos", "sustancias químicas",
                       "bebida*", "malos para", "malas para", "sin ton ni son", "deporte* extremo*",
                       "descarga eléctrica", "electrocut*", "bajar de peso", "lastim*", "propia salud",
                       "no ... saludable*"],
                "de": ["alkohol*", "trinke*", "betrunken", "besoffen", "kater", "rauch*", "zigarette*", "dampf*", "vape*", "tabak",
                       "nikotin", "cannabis", "kokain", "heroin", "droge*", "koffein", "energy drink*", "energydrink*", "junkfood",
                       "junk food", "fast food", "fastfood", "frittiert*", "süßigkeit*", "schokolade*", "zu viel essen", "esse zu viel",
                       "übergewicht*", "fettleibig*", "adipositas", "abnehmen", "hunger*", "verhunger*", "extreme diät*", "lange wach",
                       "nächte durch", "schlafmangel", "schlafentzug", "zu wenig schlaf", "überstunden", "überarbeit*", "schädlich*",
                       "schaden*", "schädig*", "gefahr*", "gefährlich*", "verletz*", "gesundheitsproblem*", "schlecht für",
                       "ungesund*", "übermäßig*", "exzessiv*", "längere zeit", "langfristig*", "lange zeit", "schönheitsoperation*",
                       "schönheits-op", "botox", "high heels", "hohe absätze", "sonnenbrand", "sonnenbad*", "bräun*", "uv",
                       "strahlung", "verschmutz*", "giftig*", "giftstoff*", "pestizid*", "rohe meeresfrüchte", "rohes fleisch",
                       "ohne helm", "sicherheitsnetz", "erfrierung*", "hitzschlag", "dehydr*", "risiko*", "führt zu", "führen zu",
                       "kann zu", "können zu", "verursach*", "meine gesundheit", "meiner gesundheit", "mein körper", "meinen körper",
                       "meinem körper", "sehvermögen", "bildschirm*", "viel zucker", "zu viel zucker", "menge zucker", "snack*", "spät ins bett",
                       "keine energie", "nie sport", "sicherheitstraining", "ohne ... sicherheit*", "gekracht", "unfall", "unfälle",
                       "ins krankenhaus", "zum arzt", "arzt aufsuchen", "chemikalien", "wach", "extremsport*",
                       "zu sehr", "stromschlag", "eigene* gesundheit", "gesundheitliche*", "längeren zeitraum"],
            },
            unless={"en": ["smoking cessation"]},
        ),
    },
    RiskCategory.emergency: {
        "emergency": Group(
            level=RiskLevel.critical,
            note="Signs that need the emergency number, not a document answer.",
            terms={
                "en": ["chest pain*", "chest tight*", "pain in my chest", "can't breathe", "cannot breathe", "can not breathe",
                       "struggling to breathe", "difficulty breathing", "trouble breathing", "hard to breathe", "short of breath",
                       "shortness of breath", "breathless*", "not breathing", "stopped breathing", "unconscious*", "passed out",
                       "fainted", "fainting", "unresponsive", "seizure*", "convuls*", "stroke", "heart attack", "anaphyla*",
                       "throat is swelling", "throat swelling", "swollen tongue", "swollen throat", "poisoning", "poisoned",
                       "swallowed", "bleeding heavily", "heavy bleeding", "won't stop bleeding", "vomiting blood", "coughing up blood",
                       "cardiac arrest", "call 911", "call 999", "call 112", "ambulance", "emergency room", "a&e", "go to the er"],
                "fr": ["douleur* thoracique*", "douleur* dans la poitrine", "douleur* à la poitrine", "mal à la poitrine",
                       "oppression thoracique", "n'arrive pas à respirer", "n'arrive plus à respirer", "du mal à respirer",
                       "difficulté* à respirer", "ne respire plus", "essouffl*", "souffle court", "inconscien*", "perdu connaissance",
                       "perte de connaissance", "évanoui*", "malaise", "convulsion*", "crise d'épilepsie", "avc", "accident vasculaire",
                       "crise cardiaque", "arrêt cardiaque", "infarctus", "anaphyla*", "œdème de quincke", "gorge gonfl*", "langue gonfl*",
                       "empoisonn*", "intoxication*", "intoxiqué*", "avalé", "saigne beaucoup", "hémorragie*", "vomi* du sang", "crache du sang",
                       "appeler le 15", "le samu", "samu", "pompiers", "urgences", "centre antipoison", "étouff*"],
                "es": ["dolor* en el pecho", "dolor* de pecho", "dolor* del pecho", "dolor torácico", "opresión en el pecho",
                       "no puedo respirar", "dificultad para respirar", "me ahogo", "falta de aire", "sin aliento", "inconsciente*",
                       "perdí el conocimiento", "perdió el conocimiento", "pérdida de conocimiento", "desmay*", "convulsi*",
                       "ataque epiléptico", "ictus", "derrame cerebral", "infarto", "ataque al corazón", "paro cardíaco", "parada cardíaca",
                       "anafila*", "se me hincha la garganta", "garganta hinchada", "lengua hinchada", "envenen*", "intoxicaci*", "intoxicad*",
                       "se tragó", "ha tragado", "=tragó", "sangra mucho", "hemorragia*", "vomit* sangre", "escupe sangre",
                       "llamar al 112", "urgencias", "ambulancia", "toxicológico"],
                "de": ["brustschmerz*", "schmerzen in der brust", "schmerz in der brust", "engegefühl in der brust", "kann nicht atmen",
                       "kann nicht mehr atmen", "keine luft", "atemnot", "kurzatmig*", "bewusstlos*", "ohnmacht*", "ohnmächtig",
                       "zusammengebrochen", "krampfanfall*", "krampfanfälle", "epileptischer anfall", "schlaganfall", "herzinfarkt", "herzstillstand",
                       "anaphyla*", "allergischer schock", "zunge ... geschwollen", "hals ... geschwollen", "vergift*", "verschluckt",
                       "blutet stark", "starke blutung*", "blut erbrochen", "blut ... erbrechen", "notarzt", "rettungswagen",
                       "krankenwagen", "notaufnahme", "giftnotruf", "notfall", "notruf"],
            },
        ),
        "symptoms_first_person": Group(
            level=RiskLevel.low,
            sources=ASKER,
            needs="person",
            note="A person describing their own symptoms needs triage, not a leaflet excerpt.",
            terms={
                "en": ["my ... hurts", "my ... hurt", "i have pain", "i'm in pain", "i am in pain", "pain in my", "i feel sick", "i feel dizzy",
                       "i feel unwell", "feel weak", "dizzy", "nauseous", "vomiting", "fever", "diarrhea", "diarrhoea", "i can't walk",
                       "barely able to walk", "sore back", "my symptoms", "tired", "fatigue*", "hurts"],
                "fr": ["j'ai mal", "me fait mal", "me font mal", "j'ai des douleurs", "je me sens mal", "vertige*", "nausée*",
                       "vomi*", "fièvre", "diarrhée*", "je ne peux plus marcher", "mes symptômes", "fatigu*", "faisait mal", "fait mal",
                       "me fai* ... mal", "me font ... mal"],
                "es": ["me duele*", "tengo dolor*", "me siento mal", "mare*", "náusea*", "vómit*", "fiebre", "diarrea*",
                       "no puedo caminar", "mis síntomas", "cansad*", "cansancio", "fatiga*",
                       "siento ... dolor", "tengo ... dolor*"],
                "de": ["tut weh", "tun weh", "tut mir weh", "ich habe schmerzen", "mir ist schlecht", "schwindel*", "übel*",
                       "erbrech*", "fieber", "durchfall", "kann nicht laufen", "meine symptome", "müde*", "müdigkeit", "erschöpf*",
                       "schmerzt", "tat mir ... weh", "tat weh", "sportverletzung*", "verspüre ... schmerz*",
                       "habe ... schmerzen"],
            },
        ),
    },
    RiskCategory.stopping_treatment: {
        "stopping_treatment": Group(
            level=RiskLevel.medium,
            note="Stopping abruptly (antidepressants, beta-blockers, steroids, anticoagulants, antiepileptics) can be dangerous.",
            terms={
                "en": ["get off", "getting off", "stop taking", "stopped taking", "stopping taking", "quit taking", "stop ... medication*",
                "stop ... medicine*",
                       "stop ... treatment*", "stop ... pills", "stop ... tablets", "stop ... antidepressant*", "stop ... insulin",
                       "stopping ... medication*", "stopping ... treatment*", "quit ... medication*", "come off", "coming off",
                       "discontinu*", "taper*", "withdrawal", "wean* off", "without interruption", "continue to take", "skip ... dose*",
                       "don't take my", "not take my", "stop the medicine", "can i stop", "should i stop",
                       "ok to stop", "safe to stop", "stop using", "stopped using"],
                "fr": ["arrêter de prendre", "arrêté de prendre", "arrête de prendre", "arrêt* ... traitement*", "arrêt* ... médicament*",
                       "arrêt* ... comprimés", "arrêt* ... antidépresseur*", "arrêt* ... pilule", "arrêt* ... insuline",
                       "interromp* ... traitement", "sevrage", "ne plus prendre", "suspendre ... traitement", "sans interruption",
                       "continuer à prendre", "continuer de prendre", "arrêter", "arrêté", "arrête",
                       "arrêt du", "arrêt de", "arrêt des"],
                "es": ["cómo lo dejo", "cómo la dejo", "dejar de tomar", "dejé de tomar", "dejo de tomar",
                "deja de tomar", "dejar ... tratamiento", "dejar ... medicación",
                       "dejar ... pastillas", "suspend* ... tratamiento", "suspend* ... medicación",
                       "interrump* ... tratamiento", "abandonar el tratamiento", "síndrome de abstinencia", "retirada", "sin interrupción",
                       "seguir tomando", "puedo dejar", "dejar el", "dejar la", "dejar los antidepresivos"],
                "de": ["mit dem ... aufhören", "mit der ... aufhören", "davon los*", "loskommen", "sofort aufhören", "absetz*", "abgesetzt",
                "aufhören ... einzunehmen", "aufhören ... zu nehmen", "nicht mehr nehmen",
                       "nicht mehr einnehmen", "abbrechen", "abgebrochen", "ausschleich*", "entzug*", "weglassen", "ohne unterbrechung",
                       "weiter einnehmen", "weiterhin einnehmen", "aufhören mit", "damit aufhören"],
            },
            unless={"fr": ["arrêt de travail", "arrêt maladie", "arrêt cardiaque", "arrêter de fumer", "arrêter l'alcool"]},
        ),
    },
}

# Cues: never findings themselves, they decide whether a group that `needs` them counts in the same text.
CUES: dict[str, Group] = {
    "person": Group(
        level=RiskLevel.none,
        sources=("question",),
        note="Someone in particular: the person asking, someone they speak for, or a weight or an age.",
        terms={
            "en": ["i", "i'm", "i've", "i'd", "me", "my", "myself", "we", "our", "us", "he", "she", "him", "his", "her", "# kg", "# lbs",
                   "# pounds", "# years", "# year old"],
            "fr": ["je", "j'", "me", "moi", "mon", "ma", "mes", "nous", "notre", "nos", "puis-je", "dois-je", "lui", "# kg", "# ans"],
            "es": ["yo", "me", "mi", "mis", "nosotros", "nuestro*", "puedo", "debo", "tengo", "estoy", "tomo", "doy", "peso", "le doy",
                   "le puedo", "# kg", "# años"],
            "de": ["ich", "mir", "mich", "mein*", "wir", "uns", "unser*", "er", "ihm", "# kg", "# jahre"],
        },
    ),
    "taking_now": Group(
        level=RiskLevel.none,
        sources=("question",),
        note="The person already takes a medicine.",
        terms={
            "en": ["mother takes", "father takes", "husband takes", "wife takes", "son takes", "daughter takes", "i take", "i'm taking",
            "i am taking", "i'm on", "i am on", "she takes", "he takes", "on the pill"],
            "fr": ["mère prend", "père prend", "mari prend", "femme prend", "fils prend", "fille prend", "je prends", "je suis sous",
            "il prend", "elle prend", "sous pilule"],
            "es": ["madre toma", "padre toma", "marido toma", "mujer toma", "hijo toma", "hija toma", "tomo", "estoy tomando", "estoy con",
            "él toma", "ella toma", "estoy en tratamiento"],
            "de": ["mutter nimmt", "vater nimmt", "mann nimmt", "frau nimmt", "sohn nimmt", "tochter nimmt", "ich nehme", "nehme ich",
            "er nimmt", "sie nimmt", "ich bekomme"],
        },
    ),
    "dose_instruction": Group(
        level=RiskLevel.none,
        sources=("answer",),
        note="A sentence that tells someone how much to take: an amount with how often, or the words of a dose.",
        terms={
            "en": ["# mg ... day", "# mg ... daily", "# ml ... day", "# tablet* ... day", "# capsule* ... day", "# drop* ... day",
                   "# times a day", "# times daily", "every # hours", "once a day", "twice a day", "recommended dose", "usual dose",
                   "maximum dose", "do not exceed", "no more than #", "take # tablet*", "take # capsule*", "give # ml", "# mg/kg",
                   "# mg per kg", "half a tablet", "one tablet", "two tablets"],
            "fr": ["# mg ... jour", "# ml ... jour", "# comprimé* ... jour", "# gélule* ... jour", "# goutte* ... jour",
                   "# fois par jour", "toutes les # heures", "une fois par jour", "deux fois par jour", "dose recommandée",
                   "posologie", "dose habituelle", "dose maximale", "ne pas dépasser", "pas plus de #", "prendre # comprimé*",
                   "# mg/kg", "# mg par kg", "un demi-comprimé", "un comprimé", "deux comprimés"],
            "es": ["# mg ... día", "# ml ... día", "# comprimido* ... día", "# cápsula* ... día", "# gota* ... día",
                   "# veces al día", "cada # horas", "una vez al día", "dos veces al día", "dosis recomendada", "dosis habitual",
                   "dosis máxima", "no tome más de", "no se tomarán más de", "no más de #", "tomar # comprimido*", "# mg/kg",
                   "# mg por kg", "medio comprimido", "un comprimido", "dos comprimidos"],
            "de": ["# mg ... tag", "# mg ... täglich", "# ml ... tag", "# tablette* ... tag", "# kapsel* ... tag", "# tropfen ... tag",
                   "# mal täglich", "#-mal täglich", "alle # stunden", "einmal täglich", "zweimal täglich", "empfohlene dosis",
                   "übliche dosis", "maximale dosis", "tageshöchstdosis", "nicht mehr als #", "nehmen sie # tablette*", "# mg/kg",
                   "# mg pro kg", "eine halbe tablette", "eine tablette", "zwei tabletten"],
        },
    ),
    "advice": Group(
        level=RiskLevel.none,
        sources=("answer",),
        note="A sentence that tells the reader what to do or not to do.",
        terms={
            "en": ["do not", "don't", "must not", "should not", "not recommended", "ask your doctor", "talk to your doctor",
                   "tell your doctor", "consult", "avoid", "only if", "not be used", "not be given", "not give", "not take"],
            "fr": ["ne ... pas", "n'utilisez", "n'administrez", "n'est pas", "pas recommandé*", "déconseillé*", "demandez", "consultez",
            "parlez-en", "éviter", "évitez", "ne doit",
                   "ne doivent", "uniquement si", "seulement si", "contre-indiqué*"],
            "es": ["no tome", "no debe", "no deben", "no se recomienda", "no utilice", "no use", "no administre", "consulte", "pregunte",
                   "evite", "evitar", "solo si", "sólo si", "contraindicado*"],
            "de": ["nicht", "darf nicht", "dürfen nicht", "fragen sie", "sprechen sie", "vermeiden", "nur wenn", "nur nach", "nicht empfohlen"],
        },
    ),
    "adults": Group(
        level=RiskLevel.none,
        sources=("answer",),
        note="The sentence is about adults too (\"adults and adolescents from 12 years\"): the leaflet's general dose, not a child's.",
        terms={"en": ["adult*"], "fr": ["adulte*"], "es": ["adulto*"], "de": ["erwachsen*"]},
    ),
}
