"""User-facing text, Ukrainian first, English second.

`t(key)` answers in the request's language (Accept-Language, or `?lang=`);
Ukrainian is the default. Marshmallow's own English messages are translated
here too, so a validation error names the field in the user's language.

Texts are kept one way: (Ukrainian, English) pairs. The messages every service shares (errors,
fields) are here; each service registers its own keyed messages from its `texts.py`
(`register`), and a page's own words are a `TEXT` table of pairs beside the page
(`page_texts`). This module knows no service.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

LANGUAGES = ("uk", "en")
DEFAULT_LANGUAGE = "uk"

# Every keyed message, by key and language (filled by `register`).
MESSAGES: dict[str, dict[str, str]] = {}

SHARED_TEXTS: dict[str, tuple[str, str]] = {
    "error.bad_request": ("Запит не вдалося прочитати.", "The request could not be read."),
    "error.unauthorized": ("Потрібно увійти: додайте дійсний токен персоналу.",
                           "Please sign in: a valid staff token is required."),
    "error.forbidden": ("Ваша роль не дозволяє цю дію.", "Your role does not allow this."),
    "error.forbidden_centre": ("Ви можете діяти лише від імені свого центру ({centre}).",
                               "You can act only for your own centre ({centre})."),
    "error.not_found": ("Нічого не знайдено за цією адресою.", "Nothing was found here."),
    "error.method_not_allowed": ("Цей метод тут не підтримується.",
                                 "This method is not supported here."),
    "error.conflict": ("Дія суперечить поточному стану.", "The action conflicts with the current state."),
    "error.too_large": ("Запит завеликий.", "The request is too large."),
    "error.unprocessable": ("Деякі поля заповнено неправильно.", "Some fields are not valid."),
    "error.too_many": ("Забагато запитів. Спробуйте за хвилину.", "Too many requests. Please try again in a minute."),
    "error.internal": ("Сталася помилка на нашому боці. Ми вже знаємо і виправляємо.",
                       "Something went wrong on our side. We know and are fixing it."),
    "error.unavailable": ("Сервіс тимчасово недоступний.", "The service is temporarily unavailable."),
    "error.csrf": ("Бракує заголовка X-CSRF-Token: зміни зі сторінки персоналу мають його надсилати.",
                   "The X-CSRF-Token header is missing: changes from a staff page must send it."),
    "error.too_many_wait": ("Забагато запитів. Спробуйте знову за {seconds} с.",
                            "Too many requests. Please try again in {seconds} s."),
    "error.unsupported_media": ("Непідтримуваний тип вмісту: надсилайте {expected}.",
                                "Unsupported content type: send {expected}."),
    "error.invalid_json": ("Тіло запиту має бути JSON-об'єктом.", "The request body must be a JSON object."),
    # the staff workspace (shared/workspace.py)
    "nav.label": ("Розділи", "Sections"),
    "nav.home": ("Головна", "Home"),
    "nav.board": ("Вивезення", "Pickups"),
    "nav.hub": ("Хаб", "Hub"),
    "nav.shipments": ("Відправлення", "Shipments"),
    "nav.scan": ("Сканування", "Scanning"),
    "nav.reports": ("Звіти", "Reports"),
    "nav.questions": ("Питання", "Questions"),
    "nav.wishes": ("Побажання областей", "Oblasts' wishes"),
    "staff.sign_out": ("Вийти", "Sign out"),
    "role.logistics": ("логістика", "logistics"),
    "role.centre_staff": ("персонал центру", "centre staff"),
    "role.admin": ("адміністратор", "administrator"),
    # field-level
    "field.required": ("Обов'язкове поле.", "This field is required."),
    "field.null": ("Поле не може бути порожнім.", "This field may not be empty."),
    "field.unknown": ("Невідоме поле.", "Unknown field."),
    "field.invalid": ("Неправильне значення.", "Invalid value."),
    "field.invalid_string": ("Має бути текст.", "Must be text."),
    "field.invalid_integer": ("Має бути ціле число.", "Must be a whole number."),
    "field.invalid_datetime": ("Має бути дата й час (ISO 8601).", "Must be a date and time (ISO 8601)."),
    "field.invalid_aware": ("Вкажіть часовий пояс (наприклад, +02:00).", "Give a time zone (for example +02:00)."),
    "field.invalid_list": ("Має бути список.", "Must be a list."),
    "field.invalid_object": ("Має бути об'єкт.", "Must be an object."),
    "field.invalid_uuid": ("Неправильний ідентифікатор.", "Not a valid identifier."),
    "field.invalid_boolean": ("Має бути так або ні.", "Must be true or false."),
    "field.invalid_email": ("Неправильна адреса електронної пошти.", "Not a valid e-mail address."),
    "field.one_of": ("Допустимі значення: {choices}.", "Allowed values: {choices}."),
    "field.length": ("Неприпустима довжина.", "The length is not allowed."),
    "field.range": ("Значення поза допустимими межами.", "The value is out of range."),
    # books (ISBNs and titles, in offers and at the hub)
    "book.invalid_isbn": ("Неправильний ISBN: контрольна цифра не збігається.",
                          "Invalid ISBN: the check digit does not match."),
    "book.title_or_isbn": ("Вкажіть ISBN або назву книжки.", "Give an ISBN or the book's title."),
}

# Marshmallow's default English messages → our keys.
_MARSHMALLOW = {
    "Missing data for required field.": "field.required",
    "Field may not be null.": "field.null",
    "Unknown field.": "field.unknown",
    "Not a valid string.": "field.invalid_string",
    "Not a valid integer.": "field.invalid_integer",
    "Not a valid datetime.": "field.invalid_datetime",
    "Not a valid aware datetime.": "field.invalid_aware",
    "Not a valid list.": "field.invalid_list",
    "Not a valid mapping type.": "field.invalid_object",
    "Invalid input type.": "field.invalid_object",
    "Not a valid UUID.": "field.invalid_uuid",
    "Not a valid boolean.": "field.invalid_boolean",
    "Not a valid email address.": "field.invalid_email",
    "Invalid value.": "field.invalid",
    "Invalid input.": "field.invalid",
    "Length must be between": "field.length",
    "Shorter than minimum length": "field.length",
    "Longer than maximum length": "field.length",
    "Must be greater than or equal to": "field.range",
    "Must be less than or equal to": "field.range",
    "Must be one of:": "field.one_of",
}


def negotiate(accept_language: str | None, explicit: str | None = None) -> str:
    if explicit in LANGUAGES:
        return explicit
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked = []
    for part in accept_language.split(","):
        bits = part.strip().split(";q=")
        tag = bits[0].strip().lower()[:2]
        try:
            q = float(bits[1]) if len(bits) > 1 else 1.0
        except ValueError:
            q = 0.0
        ranked.append((q, tag))
    for _q, tag in sorted(ranked, key=lambda x: -x[0]):
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE


def current_language() -> str:
    try:
        from flask import g, has_request_context, request
    except ImportError:  # pragma: no cover
        return DEFAULT_LANGUAGE
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if "lang" not in g:
        g.lang = negotiate(request.headers.get("Accept-Language"), request.args.get("lang"))
    return g.lang


def register(texts: dict[str, tuple[str, str]]) -> None:
    """A service's keyed messages, as (Ukrainian, English) pairs (from its `texts.py`)."""
    for key, (uk, en) in texts.items():
        entry = {"uk": uk, "en": en}
        if MESSAGES.get(key, entry) != entry:
            raise ValueError(f"message {key} is registered twice, differently")
        MESSAGES[key] = entry


register(SHARED_TEXTS)


class Text(str):
    """A parameter of a message that is itself a message key: translated with the message
    (a donation's state named in the sentence that refuses an action, say)."""


def t(key: str, lang: str | None = None, **params: Any) -> str:
    lang = lang or current_language()
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    if not params:
        return text
    return text.format(**{k: t(v, lang) if isinstance(v, Text) else v for k, v in params.items()})


def translate_field_message(message: str, lang: str | None = None) -> str:
    """A marshmallow or domain message in the user's language.

    Domain validators raise `LocalizedError` keys (prefix `@`); marshmallow's
    stock messages are matched by their English text.
    """
    if message.startswith("@"):
        key, _, params = message[1:].partition("|")
        kwargs = dict(p.split("=", 1) for p in params.split("&") if "=" in p)
        return t(key, lang, **kwargs)
    for english, key in _MARSHMALLOW.items():
        if message.startswith(english):
            if key == "field.one_of":
                choices = message.split(":", 1)[1].strip().rstrip(".")
                return t(key, lang, choices=choices)
            return t(key, lang)
    return message


def translate_errors(errors: Any, lang: str | None = None) -> Any:
    if isinstance(errors, dict):
        return {k: translate_errors(v, lang) for k, v in errors.items()}
    if isinstance(errors, list):
        return [translate_errors(v, lang) for v in errors]
    if isinstance(errors, str):
        return translate_field_message(errors, lang)
    return errors


KYIV = ZoneInfo("Europe/Kyiv")


def kyiv_time(moment: datetime) -> str:
    """A moment as people in Ukraine read it: 02.12.2026 10:00, Kyiv time."""
    return moment.astimezone(KYIV).strftime("%d.%m.%Y %H:%M")


def books(n: int, lang: str) -> str:
    """"1 книжка / 3 книжки / 5 книжок", "1 book / 3 books"."""
    if lang == "en":
        return f"{n} book" if n == 1 else f"{n} books"
    if n % 10 == 1 and n % 100 != 11:
        word = "книжка"
    elif n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        word = "книжки"
    else:
        word = "книжок"
    return f"{n} {word}"


def latin(text: str) -> str:
    """Ukrainian text in Latin letters by the official standard (KMU resolution 55 of 2010)."""
    from translitua import UkrainianKMU, translit

    return translit(text, UkrainianKMU)


def field_error(key: str, **params: Any) -> str:
    """A marker a validator raises; translated when the response is made."""
    suffix = "&".join(f"{k}={v}" for k, v in params.items())
    return f"@{key}|{suffix}" if suffix else f"@{key}"


def page_texts(table: dict[str, tuple[str, str]], lang: str) -> dict[str, str]:
    """A page's (uk, en) text pairs in the page's language."""
    index = 0 if lang == "uk" else 1
    return {key: pair[index] for key, pair in table.items()}
