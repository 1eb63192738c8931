"""What medicine documents share in every language: the numbered sections of EU package leaflets (the QRD
template) and SmPCs, what a question asks for, and the medicine names it asks about.

Everything here works on folded text (lowercase, no accents), so "irbésartan", "Irbesartán" and "IRBESARTAN"
are the same word. Section headings are matched by the template's fixed wording in English, French,
Spanish, German, Danish and Portuguese, never by a medicine's name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

CONTENTS_LIST = "contents_list"  # "What is in this leaflet": the table of contents
PREAMBLE = "preamble"  # "Package leaflet: information for the user" and its "keep this leaflet" advice
USE = "use"  # 1. What X is and what it is used for
BEFORE = "before"  # 2. What you need to know before you take X
HOW = "how"  # 3. How to take X (with overdose, missed and stopped doses)
SIDE_EFFECTS = "side_effects"  # 4. Possible side effects
STORAGE = "storage"  # 5. How to store X
CONTENTS = "contents"  # 6. Contents of the pack and other information
NOT_ANSWERS = frozenset({CONTENTS_LIST, PREAMBLE})

# Checked in this order: the first section with a phrase in the folded heading wins ("before you take" is
# section 2 although it says "take"; "wie ist X aufzubewahren" is storage although it starts like "how").
_HEADINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (CONTENTS_LIST, ("what is in this leaflet", "what in this leaflet", "contents of this leaflet", "que contient cette notice",
                     "contenu de cette notice", "contenido del prospecto", "was in dieser packungsbeilage steht",
                     "inhalt dieser packungsbeilage", "oversigt over indlaegssedlen", "o que contem este folheto")),
    (PREAMBLE, ("package leaflet", "information for the user", "information for the patient", "notice : information",
                "notice: information", "informacion para el usuario", "informacion para el paciente", "gebrauchsinformation",
                "indlaegsseddel", "information til brugeren", "folheto informativo", "informacao para o utilizador", "prospecto")),
    (BEFORE, ("before you", "before taking", "before using", "avant de prendre", "avant d'utiliser", "avant de recevoir",
              "avant d'utiliser", "connaitre avant", "antes de empezar", "antes de tomar", "antes de usar", "antes de que",
              "saber antes", "vor der einnahme", "vor der anwendung", "bevor sie", "for du begynder", "skal du vide", "antes de utilizar",
              "pregnancy", "grossesse", "embarazo", "schwangerschaft", "graviditet", "gravidez", "other medicines", "autres medicaments",
              "otros medicamentos", "anderen arzneimitteln", "driving and using machines", "conduite de vehicules", "conduccion")),
    (SIDE_EFFECTS, ("side effect", "undesirable effect", "adverse reaction", "effets indesirables", "effets secondaires",
                    "efectos adversos", "efectos secundarios", "reacciones adversas", "nebenwirkungen", "bivirkninger",
                    "efeitos indesejaveis", "efeitos secundarios")),
    (STORAGE, ("how to store", "storage", "store ", "comment conserver", "conservation", "conservacion", "conservar",
               "aufzubewahren", "aufbewahrung", "opbevaring", "opbevares")),
    (CONTENTS, ("contents of the pack", "content of the pack", "composition", "pharmaceutical form", "contenu de l'emballage",
                "contenu de l emballage", "contenido del envase", "composicion", "inhalt der packung", "pakningsstorrelse",
                "conteudo da embalagem")),
    (USE, ("used for", "is used", "indications", "dans quel cas", "qu'est-ce que", "para que se", "para que sirve",
           "wofur", "angewendet", "virkning og anvendelse", "para que e utilizado", "para que e usado")),
    (HOW, ("how to take", "how to use", "how you", "how is", "posology", "comment prendre", "comment utiliser", "posologie",
           "como tomar", "como usar", "como utilizar", "como se", "posologia", "einzunehmen", "anzuwenden", "dosierung",
           "sadan skal du", "sadan gives", "sadan bruges")),
)

# What a question asks for, by the words it uses (folded; no leading word boundary, so German compounds count).
_ASKS: tuple[tuple[str, str], ...] = (
    (SIDE_EFFECTS, r"side.?effect|adverse|undesirable|indesirable|secondaire|efectos? (?:adverso|secundario)|reacciones? adversa"
                   r"|nebenwirkung|unvertraglich|bivirkning|efeitos? (?:indesejave|secundario)|known effect"
                   # whether it can cause a symptom ("can it constipate?", "peut-il constiper ?", "kann es schwindelig machen?")
                   r"|\b(?:can|could|may|might|does|do|will)\b.{1,60}?\bcause|make (?:me|you) (?:feel )?\w+"
                   r"|provoqu|\bcauser\b|constip|provoca|causar|estren|verursach|auslos"
                   r"|(?:schwindelig|mude|schlafrig|ubel|verstopft) machen|verstopf"),
    (STORAGE, r"\bstor(?:e|ed|age|ing)\b|\bkept\b|\bkeep\b|fridge|refrigerat|temperatur|expir|no longer need|dispos|throw away"
              r"|conserv|\bgarder\b|\bgarde\b|frigo|perim|peremption|guard[ao]r?\b|se guarda|nevera|frigorifico|caducidad|desech"
              r"|aufbewahr|bewahre|lager|kuhlschrank|haltbar|offnen|verfall|entsorg|opbevar"),
    (USE, r"used for|\bfor what\b|what is .{1,60} for\b|what .{1,40} for\?|\btreat|indicat|\bsert\b|sert a|servir|soigner|traiter"
          r"|dans quel cas|utilise pour|para que|sirve|se usa|se utiliza|tratar|indicad|wofur|gegen was|verschrieben|gedacht|behandl"
          r"|angewendet|\bhilft\b|anvend"),
    (HOW, r"\btak(?:e|ing)\b|\bdose|dosage|how (?:much|many|often)|once|twice|with food|swallow|chew|split|crush|inject|given"
          r"|dialys|forget|forgot|missed|too much|more than|overdose|\bstop|prendre|\bprend|combien|avaler|croquer|matin|soir"
          r"|oubli|arreter|\btrop\b|surdos|tomar|\btom[ao]n?\b|cada cuanto|cuant[oa]s|masticar|partir|tragar|se pone|olvid|dejar de"
          r"|demasiad|sobredosis|por error|einnehm|einnahm|dosis|kauen|teilen|schluck|\bwann\b|wie oft|wie viel|vergess|absetz"
          r"|zu viel|versehen|accident"),
    (CONTENTS, r"look(?:s)? like|colou?r|shape|\bpack|contain|ingredient|active substance|excipient|lactose|engrav|marked|imprint"
               r"|ressembl|couleur|forme|se present|contient|substance active|principe actif|grave|\bcomo son\b|forma\b|lleva"
               r"|contiene|principio activo|envase|grabad|aussehen|farbe|\bform\b|enthalt|wirkstoff|packung|pragung|flasche|beutel"
               r"|kapseln sind|tablette mit|stamm|\bin (?:one|each)\b|\bpro (?:tablette|kapsel)|\bpar (?:comprime|gelule)"),
    (BEFORE, r"pregnan|breast|interact|other medicines|alcohol|\bdriv|machines|allerg|contracept|\bpill\b|enceinte|allait"
             r"|conduire|alcool|pilule|grossesse|embaraz|lactancia|conducir|anticoncept|pildora|schwanger|stillen|stillzeit|fahren|wechselwirk"
             r"|verhutung|\bpille\b|while i|mientras|en meme temps|gleichzeitig|zusammen mit|together with|with other"),
)
_ASKS_COMPILED = tuple((section, re.compile(pattern)) for section, pattern in _ASKS)

# INN stems (WHO): a lowercase word ending like this names a substance in any of the four languages.
_INN_STEM = re.compile(
    r"(?:vir|mab|prost|stati?n|sartan|pril|olol|cillin|mycin|floxacin|gliflozin|gliptin|glutid|parin|xaban|gatran|dipin|tinib"
    r"|profen|oxetin|triptan|azepam|zolam|setron|tidin|prazol|dronat|lukast|semid|thiazid|afil|lizumab|ximab|cyclin|conazol"
    r"|relin|tegravir|navir|buvir|previr|vudin|citabin|pramin|apin|idon|oxacin|sulfan|formin)[aeo]?s?$"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_SENTENCE_START = re.compile(r"(?:^|[.!?¿¡:;]\s*|\n\s*)$")
_MIN_NAME = 4
# German capitalizes every noun: the everyday nouns of questions about medicines are not names (matched as the end
# of a folded word, so that compounds count: "Brausetabletten", "Fertigspritzen", "Dialysepatient").
_GERMAN_NOUN = re.compile(
    r"(?:nebenwirkung|wirkung|tablette|kapsel|dragee|saft|tropfen|spritze|pen|pflaster|salbe|creme|packung|flasche|beutel\w*"
    r"|schachtel|arzt|arztin|apotheke|apotheker\w*|dosis|einnahme|anwendung|schwangerschaft|stillzeit|kind|kinder|baby|wirkstoff"
    r"|medikament|arzneimittel|mittel|kuhlschrank|temperatur|tag|woche|monat|jahr|morgen|abend|nacht|essen|mahlzeit|alkohol|auto"
    r"|grippe|impfung|impfstoff|virus|stamm|stamme|allergie|durchfall|ubelkeit|schmerz|schmerzen|kopfschmerzen|haut|magen|blut"
    r"|blutdruck|zucker|patient|patientin|frau|mann|versehen|prägung|pragung|farbe|form|aufbewahrung|lagerung|haltbarkeit|saison"
    r"|krankheit|behandlung|therapie|infektion|hepatitis|niere|leber|herz|osteoporose|depression|fieber|husten)(?:e|en|n|s|es|er)?$"
)
_CODE = re.compile(r"\b[A-Z]{1,4}[ -]?\d{1,4}\b")


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_LIGATURES = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l"})


def fold(text: str) -> str:
    """Lowercase without accents: "Irbésartan" -> "irbesartan", "Höchstdosis" -> "hochstdosis", "indlægsseddel" -> "indlaegsseddel"."""
    text = text.lower().translate(_LIGATURES)
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def heading_section(heading: str | None) -> str | None:
    """The template section a chunk's heading names, or None."""
    if not heading:
        return None
    folded = fold(heading)
    for section, phrases in _HEADINGS:
        if any(phrase in folded for phrase in phrases):
            return section
    return None


@lru_cache(maxsize=4096)
def naming_text(title: str | None, heading: str | None, text: str) -> str:
    """Where a passage names what its document is about, folded: its title and heading, and its text when
    it is not a section about something else. A leaflet names other medicines in its warnings and
    interactions ("Don't take Dovato with ... metformin"): that does not make it a leaflet about them.
    Kept for the last few thousand passages: a search folds each of its hits four or five times."""
    parts = [title or "", heading or ""]
    if heading_section(heading) in (None, USE, CONTENTS):
        parts.append(text)
    return fold("\n".join(parts))


def asked_sections(question: str) -> frozenset[str]:
    """The sections that answer what the question asks for (several when it asks several things). "How to
    take" is asked by the most general words (take, given, how much), so it counts only when nothing more
    specific is asked besides "before taking"."""
    folded = fold(question)
    asked = frozenset(section for section, pattern in _ASKS_COMPILED if pattern.search(folded))
    return asked - {HOW} if asked - {HOW, BEFORE} else asked


class Name:
    """A name a question asks about; it matches a text that contains it, give or take a language's ending
    ("Mirtazapin" meets "mirtazapina", "rosuvastatina" meets "rosuvastatin")."""

    def __init__(self, word: str, strong: bool, alternative: bool = False) -> None:
        self.word = word
        self.strong = strong
        self.alternative = alternative  # in parentheses: another name of what precedes ("Dovato (dolutegravir)")
        folded = fold(word)
        key = folded if len(folded) < 7 else folded[: len(folded) - 2]
        self._pattern = re.compile(rf"\b{re.escape(key)}")

    def found_in(self, folded_text: str) -> bool:
        return self._pattern.search(folded_text) is not None

    def __repr__(self) -> str:
        return f"Name({self.word!r}, strong={self.strong})"


def asked_names(question: str, language: str | None = None) -> list[Name]:
    """Medicine and product names in a question: words in parentheses, substance names (INN stems), and
    capitalized words that do not start a sentence. German capitalizes every noun, so there a capitalized
    word is only a weak candidate (`strong=False`)."""
    names: dict[str, Name] = {}
    for code in _CODE.findall(question):  # an imprint or a product code: "SV 137", 'marked "GS 1"'
        names[fold(code)] = Name(code, strong=True)
    depth = 0
    position = 0
    for match in _WORD.finditer(question):
        between = question[position:match.start()]
        depth = max(0, depth + between.count("(") - between.count(")"))
        position = match.end()
        word = match.group().split("'")[0].split("’")[0] if not match.group()[0].isupper() else re.split(r"['’]", match.group())[0]
        if len(word) < _MIN_NAME or any(c.isdigit() for c in word) or fold(word) in names:
            continue
        initial = _SENTENCE_START.search(question[: match.start()]) is not None
        capitalized = word[0].isupper() and not initial
        inn = _INN_STEM.search(fold(word)) is not None
        if capitalized and (language == "de" or _german_looking(question, language)) and depth == 0 and not inn and _GERMAN_NOUN.search(fold(word)):
            continue
        if depth > 0 or inn or capitalized:
            strong = depth > 0 or inn or (capitalized and language != "de" and not _german_looking(question, language))
            names[fold(word)] = Name(word, strong, alternative=depth > 0)
    return list(names.values())


def _german_looking(question: str, language: str | None) -> bool:
    return language is None and re.search(r"\b(?:ich|ist|und|der|die|das|wie|welche|nicht|mit|darf|kann)\b", question.lower()) is not None


def missing_names(names: Iterable[Name], folded_texts: Iterable[str]) -> list[Name]:
    """The names no text contains, when they leave the question unanswered: none of the names is found, or
    every strong name is missing. Empty when the texts cover the question."""
    names = list(names)
    texts = list(folded_texts)
    found = [name for name in names if any(name.found_in(text) for text in texts)]
    missing = [name for name in names if name not in found]
    strong = [name for name in names if name.strong]
    if names and not found:
        return missing
    if strong and not any(name in found for name in strong):
        return [name for name in missing if name.strong]
    return []


def names_to_match(names: Iterable[Name], texts_by_document: dict[str, str]) -> list[Name]:
    """The names a passage's document must contain to be about the question: the strong names found in some
    document, else the weak ones found in some but not in most of them (a German "Tablette" is no name)."""
    documents = list(texts_by_document.values())
    found = [name for name in names if any(name.found_in(text) for text in documents)]
    strong = [name for name in found if name.strong]
    if strong:
        return strong
    many = max(2, len(documents) // 2)
    return [name for name in found if sum(name.found_in(text) for text in documents) <= many]


def documents_naming_most(names: list[Name], texts_by_document: dict[str, str]) -> list[str]:
    """The documents that contain the most of `names` (at least one): "Flucelvax Tetra" is about Flucelvax
    Tetra rather than another Tetra. Names in parentheses are other names of the same thing: together they
    count once, and only when none of the others is found. In the order of `texts_by_document`."""

    def count(text: str) -> int:
        main = sum(name.found_in(text) for name in names if not name.alternative)
        return main or int(any(name.found_in(text) for name in names if name.alternative))

    counts = {document: count(text) for document, text in texts_by_document.items()}
    most = max(counts.values(), default=0)
    return [document for document, count in counts.items() if count == most] if most else []
