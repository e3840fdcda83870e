"""What a question asks (pure). Words become concepts (a small lexicon of dictionary forms:
Ukrainian, the Russian and surzhyk people mix in, English), typos are forgiven by fuzzy matching
against the lexicon, and concepts are weighed into one intent. A valid tracking code is the
strongest sign of all: "where are my books".

    understand("де мої книжки X346-JD2E-SG9S-D") → Understanding(intent="track", language="uk",
                                                                  codes=("X346-JD2E-SG9S-D",), …)
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from services.donations.assistant import language as lang_
from services.donations.assistant.language import Places

INTENTS = ("track", "needs", "give", "shelf", "preferences", "human", "greeting", "thanks", "services", "rude",
           "other")
# Intents a person answers: the assistant says so and the question goes to the staff queue.
HANDED_OVER = frozenset({"human", "other"})

# concept → words: Ukrainian dictionary forms (pymorphy3's normal forms), and the words as
# written for Russian, surzhyk and English (those are matched as they are).
LEXICON: dict[str, tuple[str, ...]] = {
    "where": ("де", "куди", "где", "куда", "where", "whereabouts", "wher", "шо"),
    "my": ("мій", "свій", "наш", "мои", "мой", "моих", "моїх", "моя", "my", "mine", "our", "мої", "своїх"),
    "books": ("книжка", "книга", "книжечка", "книжковий", "література", "пожертва", "посилка", "коробка",
              "примірник", "книги", "книг", "книжки", "book", "books", "donation", "donated", "parcel",
              "boxes", "box", "literature", "kniga", "knigi", "кнігі", "bookz"),
    "status": ("статус", "стан", "доля", "відстежити", "відстеження", "відстежувати", "трекінг", "track",
               "tracking", "status", "progress", "update", "news", "новина", "етап", "дійти", "доїхати", "дістатися",
               "прибути", "arrive", "arrived", "reach", "reached", "happen", "happened", "статися", "відбуватися",
               "дізнатися", "перевірити", "інформація", "подивитися", "check", "статус", "там"),
    "code": ("код", "code", "номер"),
    "when": ("коли", "когда", "when"),
    "pickup": ("забрати", "вивезти", "вивезення", "самовивіз", "кур'єр", "заїхати", "приїхати", "приїжджати",
               "pickup", "pick", "collect", "collected", "courier", "забирати", "забрать", "заберете", "заберуть"),
    "need": ("потрібний", "потрібно", "треба", "бракувати", "брак", "нужно", "нужны", "нужный", "need", "needed",
             "needs", "lack", "шукати", "потреба", "приймати", "accept", "вистачати", "looking", "попит", "demand",
             "popyt"),
    "which": ("який", "яка", "які", "яких", "яки", "what", "which", "kind", "kinds", "type", "жанр", "тематика",
              "genre", "genres", "topic", "какие", "какой", "чого", "что"),
    "give": ("дати", "віддати", "подарувати", "пожертвувати", "передати", "принести", "занести", "відправити",
             "надіслати", "здати", "пропонувати", "запропонувати", "дарувати", "жертвувати", "приносити",
             "відвезти", "завезти", "віднести", "оформити", "допомогти", "привезти", "привозити", "доставити",
             "give", "donate", "donat",
             "bring", "drop", "offer", "contribute", "send", "отдать", "подарить", "пожертвовать", "передать", "сдать"),
    "how": ("як", "как", "how", "можна", "можно", "can", "could", "спосіб", "way", "steps", "кроки", "порядок",
            "правила", "умови", "мочь", "могти", "процедура", "work"),
    "shelf": ("полиця", "поличка", "буккросинг", "bookcrossing", "стелаж", "shelf", "shelves", "полка",
              "буккроссинг", "книгообмін", "буккросінг"),
    "centre": ("центр", "тсц", "сервісний", "сц", "centre", "center", "office", "відділення"),
    "nearest": ("найближчий", "близький", "близько", "поруч", "поряд", "недалеко", "nearest", "near", "closest",
                "close", "nearby", "ближайший", "найблищий", "найблищчий"),
    "address": ("адреса", "адрес", "address", "location", "розташування", "знаходитися", "located",
                "графік", "година", "hours", "open", "працювати"),
    "read": ("взяти", "почитати", "читати", "прочитати", "позичити", "read", "borrow"),
    "stop": ("відписатися", "відписати", "відписка", "перестати", "припинити", "зупинити", "досить", "спам", "unsubscribe",
             "stop", "spam", "отписаться", "хватит", "прекратить", "прекратите", "стоп"),
    "write": ("писати", "надсилати", "надіслати", "повідомлення", "лист", "смс", "sms", "розсилка", "сповіщення",
              "email", "пошта", "message", "messages", "write", "writing", "emails", "notification",
              "notifications", "sending", "telegram", "телеграм", "мейл", "писать", "отримувати", "pyshit"),
    "prefs": ("налаштування", "налаштувати", "змінити", "мова", "латиниця", "латинка", "канал", "preferences",
              "settings", "change", "language", "latin", "channel", "підписка", "subscribe", "subscription",
              "замість", "англійський", "український", "english", "ukrainian"),
    "forget": ("видалити", "стерти", "забути", "дані", "персональний", "delete", "erase", "forget", "data",
               "privacy"),
    "human": ("людина", "оператор", "менеджер", "співробітник", "працівник", "адміністратор", "консультант",
              "колега", "живий", "справжній", "human", "person", "operator", "agent", "manager", "someone",
              "somebody", "staff", "representative", "real", "человек", "человека", "живой", "оператора",
              "liudyna", "людині"),
    "talk": ("поговорити", "зв'язатися", "з'єднати", "покликати", "подзвонити", "телефон", "телефонувати", "talk",
             "speak", "call", "connect", "contact", "поспілкуватися", "говорити", "связаться", "позвать",
             "позовите", "контакт", "pohovoryty"),
    "want": ("хотіти", "бажати", "want", "like", "хочу", "khochu", "хотеть"),
    "greeting": ("привіт", "вітаю", "вітати", "вітання", "добрий", "день", "ранок", "вечір", "здрастуйте",
                 "здравствуйте", "доброго", "hello", "hi", "hey", "morning", "hallo", "прив", "хай", "салют",
                 "агов", "privit", "help", "there", "допомога"),
    "thanks": ("дякувати", "спасибі", "спасибо", "дяка", "вдячний", "thank", "thanks", "thx", "cheers",
               "appreciated", "dyakuyu", "спс", "дяк", "ty", "мерсі", "спасиб", "dyakuiu", "spasybi"),
    "services": ("права", "право", "посвідчення", "водійський", "іспит", "екзамен", "реєстрація", "номерний", "автомобіль",
                 "авто", "машина", "техпаспорт", "черга", "талон", "перереєструвати", "перереєстрація", "driving",
                 "licence", "license", "exam", "registration", "register", "car", "vehicle", "plates", "водій",
                 "техогляд", "штраф", "записатися", "ispyt", "zapysatysia", "водіння"),
    "rude": ("ідіот", "дурень", "тупий", "придурок", "дебіл", "брехун", "шахрай", "злодій", "ганьба", "відстій",
             "дурак", "идиот", "тупой", "fuck", "fucking", "idiot", "idiots", "stupid", "scam", "scammers", "liars",
             "useless", "shit", "дебіли", "ідіоти", "шахраї", "бовдур", "кретин", "лох", "мудак", "сволота", "виродок",
             "покидьок", "негідник", "козел", "morons", "moron", "dumb", "garbage", "trash"),
    "cancel": ("скасувати", "відмінити", "передумати", "відмовитися", "cancel", "отменить", "скасуйте"),
    "bot": ("бот", "bot", "ботом"),
}
# A whole message of only these is an acknowledgement (answered like thanks).
ACKNOWLEDGEMENTS = frozenset({"ok", "ок", "окей", "okay", "добре", "зрозуміло", "ясно", "понятно", "гаразд", "ага",
                              "угу", "clear", "got", "it", "fine", "все", "дякую"})
# Words too short or too common to be matched with typos.
NO_FUZZ = frozenset({"де", "як", "мій", "які", "що", "там", "хочу", "day", "hi", "my", "can", "how", "what", "where"})
NEGATIONS = frozenset({"не", "ні", "don't", "dont", "no", "ne", "never", "stop"})
GIVE_VERBS_PAST = frozenset({"передати", "віддати", "подарувати", "пожертвувати", "здати", "принести", "дати",
                             "відправити", "надіслати", "залишити", "gave", "donated", "brought", "sent", "dropped"})
PICKUP_VERBS = frozenset({"забрати", "приїхати", "вивезти", "заїхати", "прийти", "collected", "came"})
ENGLISH = frozenset("""a about any anyone are at be books book bring can centre center could did do does donate
donation drop for from give have help hi hello how i i'd i'm in is it kind me most my near nearest need needed
of on or please shelf some someone stop talk that the there they this to want what when where which who why will
with would you your yet already since month last any news books? person human real team pick up flat lviv""".split())


BOT_COMMAND = re.compile(r"/(start|help|menu)(@\w+)?", re.IGNORECASE)


@functools.cache
def _index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for concept, entries in LEXICON.items():
        for entry in entries:
            index.setdefault(entry, set()).add(concept)
    return {k: frozenset(v) for k, v in index.items()}


@functools.cache
def _fuzzy_keys() -> tuple[list[str], list[str]]:
    keys = [k for k in _index() if len(k) >= 4 and k not in NO_FUZZ]
    return [k for k in keys if lang_.is_cyrillic(k)], [k for k in keys if not lang_.is_cyrillic(k)]


@functools.lru_cache(maxsize=50_000)
def concepts_of(word: str) -> frozenset[str]:
    """The concepts a word stands for: by its dictionary forms, else by a near spelling."""
    index = _index()
    found: set[str] = set()
    for form in lang_.lemmas(word):
        found |= index.get(form, frozenset())
    if found or len(word) < 4 or (lang_.is_cyrillic(word) and lang_.known(word)):
        return frozenset(found)
    if lang_.is_cyrillic(word):
        respelled = _respelled(word)
        if respelled:
            return concepts_of(respelled)
    from rapidfuzz import fuzz, process

    cyrillic, latin = _fuzzy_keys()
    keys = cyrillic if lang_.is_cyrillic(word) else latin
    cutoff = 80 if len(word) >= 7 else 75 if len(word) >= 5 else 74
    for form in sorted(lang_.lemmas(word), key=len, reverse=True):
        match = process.extractOne(form, keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        if match:
            return index[match[0]]
    return frozenset()


def _respelled(word: str) -> str | None:
    """и and і (and е, є) typed for each other, as on a Russian keyboard: the first spelling
    the dictionary knows."""
    swaps = {"и": "іи", "і": "иі", "е": "еє", "ы": "и", "э": "е", "ё": "йо", "ъ": "'"}
    options = [swaps.get(ch, ch) for ch in word]
    import itertools

    for candidate in itertools.islice(itertools.product(*options), 64):
        spelled = "".join(candidate)
        if spelled != word and lang_.known(spelled):
            return spelled
    return None


def _past_tense(word: str, verbs: frozenset[str]) -> bool:
    if not lang_.is_cyrillic(word):
        return word in verbs
    return any(p.normal_form in verbs and "past" in p.tag for p in lang_.morph().parse(word))


@dataclass
class Understanding:
    intent: str
    language: str                      # "uk" or "en": the language to answer in
    codes: tuple[str, ...] = ()        # valid tracking codes, displayed form
    mistyped_codes: tuple[str, ...] = ()
    places: Places = field(default_factory=Places)
    scores: dict[str, float] = field(default_factory=dict)
    concepts: frozenset[str] = frozenset()


def detect_language(tokens: list[str], hint: str | None = None) -> str:
    """Ukrainian unless the question is written in English (Russian and surzhyk get Ukrainian)."""
    cyrillic = sum(1 for t in tokens if lang_.is_cyrillic(t))
    latin = [t for t in tokens if lang_.is_latin(t)]
    english = sum(1 for t in latin if t in ENGLISH or t.rstrip("s?!") in ENGLISH)
    if not tokens:
        return hint if hint in ("uk", "en") else "uk"
    if english and english > 2 * cyrillic and english * 2 >= len(latin):
        return "en"
    if not cyrillic and not english and hint in ("uk", "en"):
        return hint
    return "uk"


def _ukrainian_tokens(tokens: list[str], language: str) -> list[str]:
    """Latin-typed Ukrainian in Cyrillic (English words stay as they are)."""
    result = []
    for token in tokens:
        if lang_.is_latin(token) and not (language == "en" and token in ENGLISH) and token not in _index():
            result.append(lang_.to_cyrillic(token))
        else:
            result.append(token)
    return result


def understand(text: str, hint: str | None = None) -> Understanding:
    if BOT_COMMAND.fullmatch(text.strip()):  # the bot's own buttons: what can you do?
        return Understanding(intent="greeting", language=hint if hint in ("uk", "en") else "uk")
    found = lang_.find_codes(text)
    rest = lang_.without(text, found.spans)
    raw = lang_.words(rest)
    language = detect_language(raw, hint)
    tokens = _ukrainian_tokens(raw, language)
    places = lang_.find_places([lang_.to_cyrillic(t) if lang_.is_latin(t) else t for t in raw])
    seen: Counter = Counter()
    negated = past_give = past_pickup = False
    per_token = []
    for i, token in enumerate(tokens):
        concepts = concepts_of(token) | (concepts_of(raw[i]) if raw[i] != token else frozenset())
        per_token.append(concepts)
        for concept in concepts:
            seen[concept] += 1
        if "write" in concepts and NEGATIONS & set(tokens[max(i - 3, 0):i]):
            negated = True
        if "give" in concepts and _past_tense(token, GIVE_VERBS_PAST):
            past_give = True
        if "pickup" in concepts and _past_tense(token, PICKUP_VERBS):
            past_pickup = True
    for i, concepts in enumerate(per_token):
        if "books" in concepts and any("my" in other for other in per_token[max(i - 3, 0):i + 2]):
            seen["my_books"] += 1
    if raw and len(raw) <= 3 and all(t in ACKNOWLEDGEMENTS or concepts_of(t) & {"thanks"} for t in raw):
        seen["thanks"] += 1
    scores = score(set(seen), codes=bool(found.valid), mistyped=bool(found.mistyped), negated_write=negated,
                   past_give=past_give, past_pickup=past_pickup, places=bool(places.found), centre=bool(places.centre_codes),
                   n_tokens=len(tokens), raw=raw)
    best = max(INTENTS, key=lambda i: (scores.get(i, 0.0), -INTENTS.index(i)))
    intent = best if scores.get(best, 0.0) >= 1.0 else "other"
    return Understanding(intent=intent, language=language, codes=found.valid, mistyped_codes=found.mistyped,
                         places=places, scores=scores, concepts=frozenset(seen))


def score(c: set[str], *, codes: bool, mistyped: bool, negated_write: bool, past_give: bool, past_pickup: bool,
          places: bool,
          centre: bool, n_tokens: int, raw: list[str]) -> dict[str, float]:
    """Each intent's weight from the concepts seen. The numbers are a small hand-made model,
    checked against tests/assistant_questions.tsv (bench/assistant.py)."""
    s: Counter = Counter()
    finding = bool(c & {"shelf", "nearest", "read", "address"})
    # where are my books
    if codes:
        s["track"] += 3
    if mistyped:
        s["track"] += 2
    if "my_books" in c:
        s["track"] += 2
    if "where" in c and ("books" in c or "my" in c) and not finding and not c & {"give", "need", "how"}:
        s["track"] += 1.5
    if "status" in c:
        s["track"] += 1.5 if ("books" in c or "my" in c or codes) else 0.5
    if "code" in c:
        s["track"] += 1
    if past_give:
        s["track"] += 2
    if "pickup" in c and ("when" in c or "my_books" in c or past_pickup) and "how" not in c:
        s["track"] += 1.5
    if "cancel" in c:
        if "write" in c:
            s["preferences"] += 3
        else:
            s["track"] += 2
    # which books are needed
    if "need" in c:
        s["needs"] += 2 if ("books" in c or "which" in c or "shelf" in c) else 1
        if "where" in c and not codes:
            s["needs"] += 0.5
    if "which" in c and "books" in c and "my" not in c:
        s["needs"] += 1
    # how to give
    if "give" in c and not past_give:
        s["give"] += 2 if c & {"how", "want", "where", "books", "pickup"} else 1.2
        if "want" in c:
            s["give"] += 0.5
        if "my_books" in c and "how" not in c and "want" not in c:
            s["give"] -= 1
    if "pickup" in c and "my_books" not in c and "when" not in c and not past_pickup:
        s["give"] += 1.5 if "how" in c else 1.2 if "books" in c else 0
    # where is a shelf
    if "shelf" in c:
        s["shelf"] += 2 if (c & {"where", "nearest", "address", "read", "which", "centre"} or places or centre) else 0.8
    if "centre" in c and c & {"where", "nearest", "address"}:
        s["shelf"] += 1.5
    if "nearest" in c:
        s["shelf"] += 1.5
    if "address" in c:
        s["shelf"] += 1
    if "read" in c and "my" not in c:
        if "which" in c and "books" in c:
            s["needs"] += 1
        else:
            s["shelf"] += 1.5
    if places and "where" in c and "my" not in c and "give" not in c and "need" not in c:
        s["shelf"] += 1
    if centre:
        s["shelf"] += 1.5
    # stop writing, how you write, forget me
    if "stop" in c:
        s["preferences"] += 3.5
    if negated_write:
        s["preferences"] += 3.5
    if "prefs" in c and ("write" in c or "change" in raw or n_tokens <= 6):
        s["preferences"] += 2
    if "write" in c and ("want" in c or "prefs" in c):
        s["preferences"] += 1
    if "forget" in c:
        s["preferences"] += 2.5
    # a person
    if "human" in c:
        s["human"] += 3 if (c & {"talk", "want"} or n_tokens <= 3) else 1.5
    if "talk" in c:
        s["human"] += 2
    if "bot" in c and "human" in c:
        s["human"] += 1
    # the rest
    if "greeting" in c:
        s["greeting"] += 1
    if "thanks" in c:
        s["thanks"] += 1.2
    if "services" in c:
        s["services"] += 3 if not c & {"books", "shelf"} else 0.5
    if "rude" in c:
        s["rude"] += 1.5
    return dict(s)
