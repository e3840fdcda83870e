"""What a question says, as people write it: tracking codes anywhere in the text (with or
without dashes, Cyrillic look-alike letters, O/0 and I/L/1 forgiven), Ukrainian in Latin
letters, Russian words and surzhyk, typos; words brought to their dictionary form (pymorphy3
with its Ukrainian dictionaries); towns, oblasts and centre numbers. Pure: no I/O but the
dictionaries, loaded once per process."""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field

from shared import codes
from shared.centres import reference_centres

# --- tracking codes --------------------------------------------------------------------------

# Cyrillic letters that look like Latin ones: a code retyped from paper or pasted from a chat
# may carry them.
_LOOKALIKE = str.maketrans("АВСЕНІКМОРТХУавсеікмортху", "ABCEHIKMOPTXYABCEIKMOPTXY")
_CHUNK = re.compile(r"[0-9A-Za-zА-ЯЄІЇҐа-яєіїґ]+")
_CODE_SEPARATOR = re.compile(r"^[\s\-–—_.:#№]{0,3}$")
_LATIN_OR_DIGIT = re.compile(r"[0-9A-Za-z]")
_CYRILLIC_NOT_LOOKALIKE = re.compile(r"[^0-9A-Za-zАВСЕНІКМОРТХУавсеікмортху]")
CODE_LENGTH = codes.TRACKING_RANDOM_CHARS + 1
_CODE_GROUPS = [len(group) for group in codes.display("0" * CODE_LENGTH).split("-")]


@dataclass(frozen=True)
class FoundCodes:
    valid: tuple[str, ...]      # displayed form, e.g. 1RF4-VTG9-TYZZ-G
    mistyped: tuple[str, ...]   # looked like a code, but the check character says no
    spans: tuple[tuple[int, int], ...]  # where they were, to cut them out of the text


def _code_chunk(text: str) -> str | None:
    """A chunk as code characters, or None if it cannot be part of a code."""
    if not _LATIN_OR_DIGIT.search(text) and not text.isupper():
        return None
    if _CYRILLIC_NOT_LOOKALIKE.search(text):
        return None
    return text.translate(_LOOKALIKE)


def find_codes(text: str) -> FoundCodes:
    """Tracking codes anywhere in `text`. A run of chunks counts when it has 13 code characters
    and either a digit, only capital letters, the code's grouping, or is one word (whose check
    character must then agree: a mistyped code needs a digit to be noticed as one)."""
    chunks = [(m.start(), m.end(), m.group()) for m in _CHUNK.finditer(text)]
    valid, mistyped, spans = [], [], []
    i = 0
    while i < len(chunks):
        found = None
        joined = ""
        for j in range(i, min(i + 6, len(chunks))):
            if j > i and not _CODE_SEPARATOR.match(text[chunks[j - 1][1]:chunks[j][0]]):
                break
            part = _code_chunk(chunks[j][2])
            if part is None or (j > i and (len(part) > 5 or len(joined) > 5 * (j - i))):
                break  # a code written in groups has short groups; words are not part of it
            joined += part
            raw = text[chunks[i][0]:chunks[j][1]]
            size = len(codes.normalise(joined))
            if size > CODE_LENGTH + 1:
                break
            has_digit = any(ch.isdigit() for ch in joined)
            has_letter = any(ch.isalpha() for ch in joined)
            capitals = all(ch.isupper() or not ch.isalpha() for ch in raw)
            # Written in the code's own groups (XXXX-XXXX-XXXX-X), or as one word of 13
            # characters whose check character agrees: a code even in small letters without a
            # digit. A run of several words is not taken for one unless it has a digit or
            # capitals only.
            grouped = [len(_code_chunk(c[2])) for c in chunks[i:j + 1]] == _CODE_GROUPS
            lone = j == i
            if size == CODE_LENGTH and (has_digit or capitals or grouped or lone):
                if codes.is_valid(joined, codes.TRACKING_RANDOM_CHARS):
                    found = ("valid", j)
                    break
                if has_digit and has_letter:
                    found = ("mistyped", j)
            elif size in (CODE_LENGTH - 1, CODE_LENGTH + 1) and has_digit and has_letter and found is None \
                    and ("-" in raw or sum(ch.isdigit() for ch in joined) >= 3) and not raw.islower():
                found = ("mistyped", j)
        if found is None:
            i += 1
            continue
        kind, j = found
        start, end = chunks[i][0], chunks[j][1]
        value = "".join(_code_chunk(c[2]) for c in chunks[i:j + 1])
        (valid if kind == "valid" else mistyped).append(codes.display(value) if kind == "valid" else
                                                         text[start:end])
        spans.append((start, end))
        i = j + 1
    return FoundCodes(tuple(dict.fromkeys(valid)), tuple(dict.fromkeys(mistyped)), tuple(spans))


def without(text: str, spans) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


# --- words -------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "´": "'", "‘": "'"})
_WORD = re.compile(r"[a-zа-яєіїґё0-9']+")
_CYRILLIC = re.compile(r"[а-яєіїґё]")
_LATIN = re.compile(r"[a-z]")


def words(text: str) -> list[str]:
    cleaned = text.lower().translate(_APOSTROPHES)
    return [w.strip("'") for w in _WORD.findall(cleaned) if w.strip("'")]


def is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC.search(word))


def is_latin(word: str) -> bool:
    return bool(_LATIN.search(word)) and not is_cyrillic(word)


@functools.cache
def morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="uk")


@functools.lru_cache(maxsize=50_000)
def known(word: str) -> bool:
    return morph().word_is_known(word)


@functools.lru_cache(maxsize=50_000)
def lemmas(word: str) -> frozenset[str]:
    """The word and every dictionary form pymorphy3 offers for it (a word may be read several
    ways; the lexicon decides which reading matters)."""
    if not is_cyrillic(word):
        return frozenset({word})
    return frozenset({word, *(p.normal_form for p in morph().parse(word))})


# Ukrainian typed in Latin letters, as people do it (KMU-55 and its informal cousins, Russian
# habits too). Each Latin spelling may stand for several letters: the first variant the
# dictionary knows wins.
_DIGRAPHS = [("shch", ("щ",)), ("sch", ("щ",)), ("zh", ("ж",)), ("kh", ("х",)), ("ch", ("ч",)), ("sh", ("ш",)),
             ("ts", ("ц",)), ("tz", ("ц",)), ("ya", ("я", "йа")), ("ia", ("я", "іа")), ("ja", ("я",)),
             ("yu", ("ю",)), ("iu", ("ю",)), ("ju", ("ю",)), ("ye", ("є", "е")), ("ie", ("є", "іе")),
             ("je", ("є",)), ("yi", ("ї", "йі")), ("ji", ("ї",)), ("yo", ("йо",)), ("jo", ("йо",)),
             ("ii", ("ії", "ій")), ("iy", ("ий",)), ("yy", ("ий",)), ("'", ("'", "ь"))]
_SINGLE = {"a": ("а",), "b": ("б",), "v": ("в",), "h": ("г",), "g": ("г", "ґ"), "d": ("д",),
           "e": ("е", "є"), "z": ("з",), "y": ("и", "й"), "i": ("і", "и", "ї", "й"), "j": ("й",), "k": ("к",),
           "l": ("л", "ль"), "m": ("м",), "n": ("н",), "o": ("о",), "p": ("п",), "r": ("р",), "s": ("с",),
           "t": ("т",), "u": ("у",), "f": ("ф",), "c": ("ц", "к"), "w": ("в",), "x": ("кс",), "q": ("к",)}
MAX_VARIANTS = 96


def _pieces(word: str) -> list[tuple[str, ...]]:
    pieces, i = [], 0
    while i < len(word):
        for latin, cyrillic in _DIGRAPHS:
            if word.startswith(latin, i):
                pieces.append(cyrillic)
                i += len(latin)
                break
        else:
            pieces.append(_SINGLE.get(word[i], (word[i],)))
            i += 1
    return pieces


@functools.lru_cache(maxsize=20_000)
def to_cyrillic(word: str) -> str:
    """A Latin-typed Ukrainian word in Cyrillic: the first spelling the dictionary knows, or
    the plainest one."""
    pieces = _pieces(word)
    plainest = "".join(p[0] for p in pieces)
    for candidate in itertools.islice(itertools.product(*pieces), MAX_VARIANTS):
        spelled = "".join(candidate)
        if known(spelled):
            return spelled
    return plainest


# --- places ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    kind: str      # "settlement" or "oblast"
    name: str      # as the centres' reference data spells it: "Харків", "Харківська"
    oblast: str


OBLAST_WORDS = {"область", "області", "обл", "oblast", "region", "oblasti", "област", "регіон", "регион", "ріджн"}
# Other names for oblasts: their regions' names and their capitals where no centre is in the
# capital itself.
REGION_NAMES = {
    "вінниччина": "Вінницька", "волинь": "Волинська", "луцьк": "Волинська", "дніпропетровщина": "Дніпропетровська",
    "дніпровщина": "Дніпропетровська", "донеччина": "Донецька", "донбас": "Донецька", "житомирщина": "Житомирська",
    "житомир": "Житомирська", "закарпаття": "Закарпатська", "запоріжжя": "Запорізька", "київщина": "Київська",
    "кіровоградщина": "Кіровоградська", "львівщина": "Львівська", "миколаївщина": "Миколаївська",
    "одещина": "Одеська", "полтавщина": "Полтавська", "полтава": "Полтавська", "рівненщина": "Рівненська",
    "сумщина": "Сумська", "тернопільщина": "Тернопільська", "тернопіль": "Тернопільська",
    "харківщина": "Харківська", "херсонщина": "Херсонська", "хмельниччина": "Хмельницька",
    "черкащина": "Черкаська", "буковина": "Чернівецька", "чернігівщина": "Чернігівська",
    "прикарпаття": "Івано-Франківська", "франківщина": "Івано-Франківська", "франківськ": "Івано-Франківська",
}
# Russian and older spellings of towns, Cyrillic and Latin.
ALIASES = {
    "харьков": "Харків", "kharkov": "Харків", "киев": "Київ", "kiev": "Київ", "kyiv": "Київ", "одесса": "Одеса",
    "odessa": "Одеса", "odesa": "Одеса", "днепр": "Дніпро", "dnepr": "Дніпро", "львов": "Львів", "lvov": "Львів",
    "lviv": "Львів", "запорожье": "Запоріжжя", "zaporozhye": "Запоріжжя", "николаев": "Миколаїв",
    "nikolaev": "Миколаїв", "винница": "Вінниця", "чернигов": "Чернігів", "ровно": "Рівне", "сумы": "Суми",
    "sumy": "Суми", "краматорск": "Краматорськ", "черкассы": "Черкаси", "черновцы": "Чернівці",
    "хмельницкий": "Хмельницький", "ужгород": "Ужгород", "херсон": "Херсон", "кременчуг": "Кременчук",
    "ивано-франковск": "Івано-Франківськ", "франковск": "Івано-Франківськ", "кропивницкий": "Кропивницький",
    "кривой рог": "Кривий Ріг", "белая церковь": "Біла Церква", "каменское": "Кам'янське",
}
# Towns whose names are also everyday words: only with a clear sign that a place is meant.
AMBIGUOUS = {"мена", "суми", "покров", "глибока", "самар", "стрий", "сонячне", "угринь", "мерефа"}
PLACE_PREPOSITIONS = {"у", "в", "м", "місто", "місті", "in", "near", "біля", "до", "з", "із", "смт", "с", "село"}


def _clean_settlement(raw: str) -> str:
    name = re.sub(r"\s*\(.*?\)", "", raw)
    return re.sub(r"^(м\.|с\.|смт)\s*", "", name).strip()


@functools.cache
def gazetteer() -> tuple[dict[str, Place], dict[str, Place], list[tuple[str, Place]]]:
    """(forms → place, centre code → its settlement, oblast stems). Built once from the
    reference centres: every form the dictionary knows of each town's name."""
    forms: dict[str, Place] = {}
    centres: dict[str, Place] = {}
    stems: list[tuple[str, Place]] = []
    oblasts = set()
    for centre in reference_centres().values():
        oblast = centre["oblast"]
        name = _clean_settlement(centre["settlement"])
        if oblast == "м. Київ":
            oblast = "Київська"
            name = "Київ"
        place = Place("settlement", name, oblast)
        centres[centre["code"]] = place
        oblasts.add(oblast)
        lowered = name.lower().translate(_APOSTROPHES)
        forms.setdefault(lowered, place)
        if " " not in lowered and known(lowered):
            for parse in morph().parse(lowered):
                if parse.normal_form == lowered and "NOUN" in parse.tag:
                    for form in parse.lexeme:
                        forms.setdefault(form.word, place)
    for oblast in sorted(oblasts):
        place = Place("oblast", oblast, oblast)
        lowered = oblast.lower()
        forms.setdefault(lowered, place)
        stems.append((lowered[:-1], place))  # харківськ…: харківська, харківській, харківську
    for region, oblast in REGION_NAMES.items():
        place = Place("oblast", oblast, oblast)
        forms.setdefault(region, place)
        stems.append((region[:-1] if len(region) > 6 else region, place))
    by_name = {p.name: p for p in forms.values() if p.kind == "settlement"}
    for alias, name in ALIASES.items():
        if name in by_name:
            forms.setdefault(alias, by_name[name])
    return forms, centres, stems


def oblast_of_settlement(place: Place) -> Place:
    return Place("oblast", place.oblast, place.oblast)


@dataclass
class Places:
    found: list[Place] = field(default_factory=list)
    centre_codes: list[str] = field(default_factory=list)

    @property
    def first(self) -> Place | None:
        return self.found[0] if self.found else None


def find_places(tokens: list[str]) -> Places:
    """Towns, oblasts and centre numbers named in the (Cyrillic) tokens."""
    from rapidfuzz import fuzz, process

    forms, centres, stems = gazetteer()
    found = Places()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token.isdigit() and len(token) == 4 and token in centres:
            found.centre_codes.append(token)
            i += 1
            continue
        place, width = None, 1
        if after:
            pair_lemmas = {f"{a} {b}" for a in lemmas(token) for b in lemmas(after)} | {f"{token} {after}"}
            for pair in pair_lemmas:
                if pair in forms:
                    place, width = forms[pair], 2
                    break
        if place is None and len(token) >= 3:
            candidates = [token, *sorted(lemmas(token) - {token})]
            for candidate in candidates:
                if candidate in forms and (candidate not in AMBIGUOUS or before in PLACE_PREPOSITIONS):
                    place = forms[candidate]
                    break
        if place is None and len(token) >= 6:
            for stem, oblast in stems:
                if len(stem) >= 5 and token.startswith(stem):
                    place = oblast
                    break
        if place is None and len(token) >= 5 and not known(token):
            match = process.extractOne(token, list(forms), scorer=fuzz.ratio, score_cutoff=82 if len(token) >= 6 else 86)
            if match and match[0] not in AMBIGUOUS:
                place = forms[match[0]]
        if place is not None:
            following = tokens[i + width] if i + width < len(tokens) else ""
            if place.kind == "settlement" and following in OBLAST_WORDS:
                place = oblast_of_settlement(place)
            if place not in found.found:
                found.found.append(place)
        i += width
    return found
