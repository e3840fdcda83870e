"""The words of the assistant's answers (pure): short, warm, concrete, in the asker's language,
and only facts it was given — a donation's timeline as the tracking page tells it, the needs
catalog published, the centres' reference data. Nothing here knows of a person."""
from __future__ import annotations

from shared.i18n import latin

MAX_CENTRES = 4
CODE_SHAPE = "XXXX-XXXX-XXXX-X"


def _pick(lang: str, uk: str, en: str) -> str:
    return uk if lang == "uk" else en


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


VOWELS = "аеєиіїоуюяАЕЄИІЇОУЮЯ"


def _in(word: str) -> str:
    """"у" or "в" before a word, as it sounds best (в Одесі, у Харкові)."""
    return "в" if word[:1] in VOWELS else "у"


def _centres_count(n: int, lang: str) -> str:
    if lang == "en":
        return f"{n} centre" if n == 1 else f"{n} centres"
    return f"{n} центрі" if n % 10 == 1 and n % 100 != 11 else f"{n} центрах"


def oblast_name(oblast: str, lang: str, *, where: bool = False) -> str:
    """"Харківська" → "у Харківській області" / "in Kharkivska oblast"."""
    if lang == "en":
        return f"{'in ' if where else ''}{latin(oblast)} oblast"
    if where:
        return f"{_in(oblast)} {oblast[:-1]}ій області" if oblast.endswith("а") else f"{_in(oblast)} {oblast}"
    return f"{oblast} обл."


def settlement_name(name: str, lang: str) -> str:
    return latin(name) if lang == "en" else name


def in_settlement(name: str, lang: str) -> str:
    """"Харків" → "у Харкові", "Біла Церква" → "у Білій Церкві" (the dictionary's locative), or
    "у населеному пункті …" for a name it does not know; "in Kharkiv"."""
    if lang == "en":
        return f"in {latin(name)}"
    from services.donations.assistant.language import morph

    words = []
    for word in name.split(" "):
        parses = [p for p in morph().parse(word.lower()) if p.normal_form == word.lower() and
                  ({"NOUN", "ADJF"} & {p.tag.POS})]
        form = parses[0].inflect({"loct"}) if parses else None
        if form is None:
            return f"у населеному пункті {name}"
        words.append(form.word.capitalize() if word[:1].isupper() else form.word)
    return f"{_in(words[0])} " + " ".join(words)


def _centre_line(centre: dict, lang: str) -> str:
    address = centre.get("address") or ""
    place = settlement_name(centre["settlement"], lang)
    address = latin(address) if lang == "en" and address else address
    label = _pick(lang, f"ТСЦ {centre['code']}", f"service centre {centre['code']}")
    return f"{place}, {label}" + (f": {address}" if address else "")


def _centres_block(centres: list[dict], lang: str) -> str:
    lines = [f"• {_centre_line(c, lang)}" for c in centres[:MAX_CENTRES]]
    if len(centres) > MAX_CENTRES:
        more = len(centres) - MAX_CENTRES
        lines.append(_pick(lang, f"…і ще {more}.", f"…and {more} more."))
    return "\n".join(lines)


# --- where are my books ------------------------------------------------------------------------

def donation_status(view: dict, url: str, lang: str) -> str:
    """One donation, from the tracking page's own view of it (`api.track.tracking_view`)."""
    lines = [_pick(lang, f"Пожертва {view['tracking_code']}: {view['status_text']}.",
                   f"Donation {view['tracking_code']}: {view['status_text']}.")]
    latest = [e for e in view["timeline"] if e["stage"] != "erased"]
    if latest:
        lines.append(latest[-1]["text"])
    copies = view["copies"]
    if copies.get("text"):
        lines.append(copies["text"])
    centres = copies.get("centres") or []
    if centres:
        lines.append(_pick(lang, "Де вони зараз:", "Where they are now:"))
        lines += [f"• {c['text']}" for c in centres[:MAX_CENTRES]]
        if len(centres) > MAX_CENTRES:
            more = len(centres) - MAX_CENTRES
            lines.append(_pick(lang, f"…і ще {more} центри.", f"…and {more} more centres."))
    lines.append(_pick(lang, f"Усе по кроках: {url}", f"Every step: {url}"))
    return "\n".join(lines)


def donations_status(views: list[tuple[dict, str]], lang: str) -> str:
    """A donor recognised by their Telegram chat: their donations, newest first."""
    parts = [donation_status(view, url, lang) for view, url in views[:3]]
    if len(views) > 3:
        parts.append(_pick(lang, f"І ще {len(views) - 3} пожертви — їхні коди у ваших листах.",
                           f"And {len(views) - 3} more donations: their codes are in your messages."))
    return "\n\n".join(parts)


def ask_for_code(lang: str, track_url: str | None) -> str:
    text = _pick(lang,
                 "Щоб знайти ваші книжки, надішліть код відстеження: він є в першому листі чи SMS від нас "
                 f"і виглядає так: {CODE_SHAPE}.",
                 "To find your books, send me the tracking code: it is in our first e-mail or SMS and looks "
                 f"like {CODE_SHAPE}.")
    text += " " + _pick(lang, "Коду немає? Напишіть «людина» — і колега допоможе.",
                        "No code? Write “person” and a colleague will help.")
    if track_url:
        text += "\n" + _pick(lang, f"Або введіть код тут: {track_url}", f"Or enter the code here: {track_url}")
    return text


def mistyped_code(code: str, lang: str) -> str:
    return _pick(lang,
                 f"Код {code} не схожий на наш: мабуть, одна літера чи цифра переплутана. Перевірте його в "
                 f"листі чи SMS від нас (він виглядає так: {CODE_SHAPE}) і надішліть ще раз.",
                 f"The code {code} does not look like one of ours: a letter or a digit may be mistyped. Please "
                 f"check it in our e-mail or SMS (it looks like {CODE_SHAPE}) and send it again.")


def unknown_code(code: str, lang: str) -> str:
    return _pick(lang,
                 f"Пожертви з кодом {code} я не знайшов. Перевірте, будь ласка, код у листі чи SMS від нас.",
                 f"I found no donation with the code {code}. Please check the code in our e-mail or SMS.")


# --- which books are needed ----------------------------------------------------------------------

LEVELS = {"high": ("висока", "high"), "medium": ("середня", "medium"), "low": ("невелика", "low"),
          "full": ("полиці повні", "the shelves are full")}


def _wishes(kinds: list[str], words: dict, lang: str) -> str:
    names = [(words.get(k) or {}).get(lang) or k for k in kinds]
    return ", ".join(names)


def needs(snapshot: dict | None, place, needs_url: str, lang: str) -> str:
    if not snapshot or not snapshot.get("oblasts"):
        return _pick(lang, f"Свіжих даних про потреби в мене зараз немає. Вони завжди є тут: {needs_url}",
                     f"I have no fresh figures on the needs right now. They are always here: {needs_url}")
    words = snapshot.get("wish_kinds") or {}
    by_oblast = {o["oblast"]: o for o in snapshot["oblasts"]}
    if place is not None:
        oblast = by_oblast.get(place.oblast)
        if oblast is None:
            top = [o["oblast"] for o in snapshot["oblasts"][:3]]
            return _pick(lang,
                         f"{_capital(oblast_name(place.oblast, lang, where=True))} полиць поки немає, тож книжки "
                         f"туди не їдуть. Найбільше їх зараз чекають: {', '.join(top)}. Докладніше: {needs_url}",
                         f"There are no shelves {oblast_name(place.oblast, lang, where=True)} yet, so no books go "
                         f"there. They are needed most now in: {', '.join(latin(o) for o in top)}. "
                         f"More: {needs_url}")
        shelves = [c for c in snapshot.get("centres", []) if c["oblast"] == place.oblast]
        level = LEVELS[oblast["level"]][0 if lang == "uk" else 1]
        text = _pick(lang, f"{_capital(oblast_name(place.oblast, lang, where=True))} потреба в книжках — {level}; "
                           f"полиці є в {_centres_count(len(shelves), lang)}.",
                     f"The need for books {oblast_name(place.oblast, lang, where=True)} is {level}; "
                     f"{_centres_count(len(shelves), lang)} there {'has a shelf' if len(shelves) == 1 else 'have shelves'}.")
        if oblast.get("wishes"):
            text += " " + _pick(lang, f"Там просять: {_wishes(oblast['wishes'], words, lang)}.",
                                f"They ask for: {_wishes(oblast['wishes'], words, lang)}.")
        return text + "\n" + _pick(lang, f"Усі центри: {needs_url}", f"All centres: {needs_url}")
    top = [o for o in snapshot["oblasts"] if o["level"] != "full"][:3] or snapshot["oblasts"][:3]
    names = ", ".join(o["oblast"] if lang == "uk" else latin(o["oblast"]) for o in top)
    text = _pick(lang, f"Найбільше книжок зараз чекають у таких областях: {names}.",
                 f"Books are needed most now in these oblasts: {names}.")
    wished = list(dict.fromkeys(k for o in top for k in o.get("wishes", [])))[:4]
    if wished:
        text += " " + _pick(lang, f"Там просять: {_wishes(wished, words, lang)}.",
                            f"They ask for: {_wishes(wished, words, lang)}.")
    else:
        text += " " + _pick(lang, "Особливо чекаємо книжки з історії України й фахову літературу для бізнесу.",
                            "Books on Ukrainian history and specialised business books are especially welcome.")
    return text + "\n" + _pick(lang, f"Усі області й центри: {needs_url}", f"Every oblast and centre: {needs_url}")


# --- how to give -----------------------------------------------------------------------------------

def give(offer_url: str, place, centres: list[dict], lang: str) -> str:
    text = _pick(lang,
                 f"Подарувати книжки просто: заповніть форму {offer_url} і оберіть, як їх передати — ми заберемо "
                 "їх у вас, або ви принесете їх до сервісного центру МВС. Ви отримаєте код відстеження й новини "
                 "про кожен крок, аж до полиці.",
                 f"Giving books is simple: fill in the form at {offer_url} and choose how to hand them over — we "
                 "pick them up from you, or you bring them to an MVS service centre. You get a tracking code and "
                 "news of every step, all the way to a shelf.")
    if place is not None and centres:
        where = settlement_name(place.name, lang) if place.kind == "settlement" else oblast_name(place.oblast, lang)
        text += "\n" + _pick(lang, f"Принести можна сюди ({where}):", f"You can bring them here ({where}):")
        text += "\n" + _centres_block(centres, lang)
    elif place is not None:
        text += " " + _pick(lang, "Сервісного центру там немає, але ми заберемо книжки у вас — оберіть це у формі.",
                            "There is no service centre there, but we can pick the books up: choose that in the form.")
    return text


# --- where is a shelf --------------------------------------------------------------------------------

def shelf(place, centres: list[dict], nearby: list[dict], named: dict | None, has_shelf: bool | None,
          needs_url: str, lang: str) -> str:
    if named is not None:
        line = _centre_line(named, lang)
        if has_shelf:
            return _pick(lang, f"Так, полиця є:\n{line}", f"Yes, it has a shelf:\n{line}")
        if has_shelf is None:
            return _pick(lang, f"{line}. Чи є там полиця, я зараз не знаю — дивіться {needs_url}",
                         f"{line}. Whether it has a shelf I cannot tell right now — see {needs_url}")
        text = _pick(lang, f"{line}\nПолиці там поки немає.", f"{line}\nThere is no shelf there yet.")
        if nearby:
            text += "\n" + _pick(lang, "Найближчі полиці в тій самій області:", "The nearest shelves in the same oblast:")
            text += "\n" + _centres_block(nearby, lang)
        return text
    if place is None:
        return _pick(lang, f"Напишіть ваше місто чи область — підкажу, де найближча полиця. Усі полиці: {needs_url}",
                     f"Tell me your town or oblast and I will tell you where the nearest shelf is. "
                     f"All shelves: {needs_url}")
    where = settlement_name(place.name, lang) if place.kind == "settlement" else oblast_name(place.oblast, lang)
    inside = in_settlement(place.name, lang) if place.kind == "settlement" else \
        oblast_name(place.oblast, lang, where=True)
    if centres:
        return _pick(lang, f"Полиці з книжками ({where}):", f"Shelves with books ({where}):") + "\n" + \
            _centres_block(centres, lang)
    if nearby:
        return _pick(lang, f"{inside[0].upper()}{inside[1:]} полиці поки немає. Найближчі — в тій самій області:",
                     f"There is no shelf {inside} yet. The nearest are in the same oblast:") + "\n" + \
            _centres_block(nearby, lang)
    return _pick(lang, f"{where}: полиць поки немає. Усі полиці: {needs_url}",
                 f"{where}: no shelves yet. All shelves: {needs_url}")


def shelves_unknown(needs_url: str, lang: str) -> str:
    return _pick(lang, f"Де зараз стоять полиці, я ще не знаю напевно. Усі полиці з адресами тут: {needs_url}",
                 f"I do not know for sure yet where the shelves are. All shelves with their addresses: {needs_url}")


# --- how we write to you ------------------------------------------------------------------------------

def preferences(preferences_url: str | None, tracking_url: str | None, forget: bool, lang: str) -> str:
    if preferences_url:
        text = _pick(lang, "Як нам вам писати — або не писати зовсім — оберіть на сторінці налаштувань: там "
                           f"вмикаються й вимикаються e-mail, SMS і Telegram.\n{preferences_url}",
                     "Choose how we write to you — or that we do not — on your preferences page: e-mail, SMS and "
                     f"Telegram are switched on and off there.\n{preferences_url}")
    else:
        text = _pick(lang, "У кожному нашому листі внизу є посилання «Відписатися» й «Налаштування». Або надішліть "
                           "мені код відстеження — дам посилання на ваші налаштування.",
                     "Every e-mail we send ends with “Unsubscribe” and “Preferences” links. Or send me your "
                     "tracking code and I will give you the link to your preferences.")
    if forget:
        if tracking_url:
            text += "\n" + _pick(lang, f"Щоб ми видалили ваші ім'я й контакти, натисніть «Забути мене» тут: {tracking_url}",
                                 f"To have your name and contacts erased, press “Forget me” here: {tracking_url}")
        else:
            text += " " + _pick(lang, "Видалити ваші дані можна кнопкою «Забути мене» на сторінці відстеження.",
                                "The “Forget me” button on your tracking page erases your data.")
    return text


# --- a person -----------------------------------------------------------------------------------------

def handover(intent: str, channel: str, page_url: str | None, email: str | None, lang: str) -> str:
    first = _pick(lang, "Тут я не знаю відповіді, тож передаю ваше питання колезі з команди.",
                  "I do not know the answer to this, so I am passing your question to a colleague.") \
        if intent != "human" else _pick(lang, "Звісно. Передаю ваше питання колезі з команди.",
                                         "Of course. I am passing your question to a colleague.")
    if channel == "telegram":
        return first + " " + _pick(lang, "Відповідь прийде сюди, щойно її прочитають.",
                                   "The answer will come here as soon as someone reads it.")
    then = _pick(lang, "Відповідь з'явиться на цій сторінці", "The answer will appear on this page")
    if email:
        then += _pick(lang, ", а ще ми надішлемо її на вашу пошту", " and we will also send it to your e-mail")
    then += _pick(lang, f". Збережіть посилання:\n{page_url}", f". Keep the link:\n{page_url}")
    return first + " " + then


def staff_answer(answer: str, lang: str) -> str:
    return _pick(lang, f"Відповідь від команди bookcross:\n{answer}", f"An answer from the bookcross team:\n{answer}")


# --- the rest -------------------------------------------------------------------------------------------

def greeting(lang: str) -> str:
    return _pick(lang,
                 "Вітаю! Я помічник bookcross. Підкажу, де ваші книжки (надішліть код відстеження), які книжки "
                 "потрібні, як їх подарувати і де найближча полиця. А якщо потрібна людина — напишіть «людина».",
                 "Hello! I am the bookcross assistant. I can tell you where your books are (send your tracking "
                 "code), which books are needed, how to give them and where the nearest shelf is. If you need a "
                 "person, just write “person”.")


def thanks(lang: str) -> str:
    return _pick(lang, "Дякуємо й вам! Якщо ще щось буде потрібно — пишіть.",
                 "Thank you too! If you need anything else, just write.")


def services(lang: str) -> str:
    return _pick(lang,
                 "Я відповідаю лише про книжки й полиці буккросингу. Про послуги сервісних центрів МВС "
                 "(посвідчення водія, реєстрація авто, іспити) — на сайті hsc.gov.ua.",
                 "I only answer about books and the bookcrossing shelves. For the service centres' own services "
                 "(driving licences, car registration, exams) see hsc.gov.ua.")


def rude(lang: str) -> str:
    return _pick(lang,
                 "Мені шкода, що ви засмучені. Я хочу допомогти: надішліть код відстеження — подивлюся, де ваші "
                 "книжки. Або напишіть «людина» — і я передам ваше питання колезі.",
                 "I am sorry you are upset. I would like to help: send your tracking code and I will look up your "
                 "books, or write “person” and I will pass your question to a colleague.")

