"""User-facing text, Ukrainian first, English second.

`t(key)` answers in the request's language (Accept-Language, or `?lang=`);
Ukrainian is the default. Marshmallow's own English messages are translated
here too, so a validation error names the field in the user's language.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

LANGUAGES = ("uk", "en")
DEFAULT_LANGUAGE = "uk"

MESSAGES: dict[str, dict[str, str]] = {
    "error.bad_request": {"uk": "Запит не вдалося прочитати.", "en": "The request could not be read."},
    "error.unauthorized": {"uk": "Потрібно увійти: додайте дійсний токен персоналу.",
                           "en": "Please sign in: a valid staff token is required."},
    "error.forbidden": {"uk": "Ваша роль не дозволяє цю дію.", "en": "Your role does not allow this."},
    "error.forbidden_centre": {"uk": "Ви можете діяти лише від імені свого центру ({centre}).",
                               "en": "You can act only for your own centre ({centre})."},
    "error.not_found": {"uk": "Нічого не знайдено за цією адресою.", "en": "Nothing was found here."},
    "error.method_not_allowed": {"uk": "Цей метод тут не підтримується.",
                                 "en": "This method is not supported here."},
    "error.conflict": {"uk": "Дія суперечить поточному стану.", "en": "The action conflicts with the current state."},
    "error.too_large": {"uk": "Запит завеликий.", "en": "The request is too large."},
    "error.unprocessable": {"uk": "Деякі поля заповнено неправильно.", "en": "Some fields are not valid."},
    "error.too_many": {"uk": "Забагато запитів. Спробуйте за хвилину.", "en": "Too many requests. Please try again in a minute."},
    "error.internal": {"uk": "Сталася помилка на нашому боці. Ми вже знаємо і виправляємо.",
                       "en": "Something went wrong on our side. We know and are fixing it."},
    "error.unavailable": {"uk": "Сервіс тимчасово недоступний.", "en": "The service is temporarily unavailable."},
    "error.csrf": {"uk": "Бракує заголовка X-CSRF-Token: зміни зі сторінки персоналу мають його надсилати.",
                   "en": "The X-CSRF-Token header is missing: changes from a staff page must send it."},
    "error.too_many_wait": {"uk": "Забагато запитів. Спробуйте знову за {seconds} с.",
                            "en": "Too many requests. Please try again in {seconds} s."},
    "error.unsupported_media": {"uk": "Непідтримуваний тип вмісту: надсилайте {expected}.",
                                "en": "Unsupported content type: send {expected}."},
    "error.invalid_json": {"uk": "Тіло запиту має бути JSON-об'єктом.", "en": "The request body must be a JSON object."},
    # field-level
    "field.required": {"uk": "Обов'язкове поле.", "en": "This field is required."},
    "field.null": {"uk": "Поле не може бути порожнім.", "en": "This field may not be empty."},
    "field.unknown": {"uk": "Невідоме поле.", "en": "Unknown field."},
    "field.invalid": {"uk": "Неправильне значення.", "en": "Invalid value."},
    "field.invalid_string": {"uk": "Має бути текст.", "en": "Must be text."},
    "field.invalid_integer": {"uk": "Має бути ціле число.", "en": "Must be a whole number."},
    "field.invalid_datetime": {"uk": "Має бути дата й час (ISO 8601).", "en": "Must be a date and time (ISO 8601)."},
    "field.invalid_aware": {"uk": "Вкажіть часовий пояс (наприклад, +02:00).", "en": "Give a time zone (for example +02:00)."},
    "field.invalid_list": {"uk": "Має бути список.", "en": "Must be a list."},
    "field.invalid_object": {"uk": "Має бути об'єкт.", "en": "Must be an object."},
    "field.invalid_uuid": {"uk": "Неправильний ідентифікатор.", "en": "Not a valid identifier."},
    "field.invalid_boolean": {"uk": "Має бути так або ні.", "en": "Must be true or false."},
    "field.invalid_email": {"uk": "Неправильна адреса електронної пошти.", "en": "Not a valid e-mail address."},
    "field.one_of": {"uk": "Допустимі значення: {choices}.", "en": "Allowed values: {choices}."},
    "field.length": {"uk": "Неприпустима довжина.", "en": "The length is not allowed."},
    "field.range": {"uk": "Значення поза допустимими межами.", "en": "The value is out of range."},
    # donations
    "donations.invalid_isbn": {"uk": "Неправильний ISBN: контрольна цифра не збігається.",
                               "en": "Invalid ISBN: the check digit does not match."},
    "donations.invalid_phone": {"uk": "Неправильний номер телефону.", "en": "Not a valid phone number."},
    "donations.contact_required": {"uk": "Вкажіть e-mail або телефон, щоб ми могли розповісти про долю книжок.",
                                   "en": "Give an e-mail or a phone so we can tell you what became of the books."},
    "donations.title_or_isbn": {"uk": "Вкажіть ISBN або назву книжки.", "en": "Give an ISBN or the book's title."},
    "donations.unknown_centre": {"uk": "Такого сервісного центру немає.", "en": "There is no such service centre."},
    "donations.centre_required": {"uk": "Оберіть центр, куди принесете книжки.", "en": "Choose the centre you will bring the books to."},
    "donations.address_required": {"uk": "Для вивезення потрібні адреса, місто й область.",
                                   "en": "A pickup needs an address, a city and an oblast."},
    "donations.consent_required": {"uk": "Потрібна ваша згода, щоб ми могли писати вам про пожертву.",
                                   "en": "We need your consent to write to you about the donation."},
    "donations.window_order": {"uk": "Кінець вікна має бути пізніше за початок.", "en": "The window must end after it starts."},
    "donations.not_found": {"uk": "Пожертву не знайдено.", "en": "Donation not found."},
    "donations.idempotency_key_reused": {
        "uk": "Цей Idempotency-Key уже використано з іншим запитом. Для нової пропозиції візьміть новий ключ.",
        "en": "This Idempotency-Key was already used with a different request. Use a new key for a new offer."},
    "donations.already_offered": {
        "uk": "Таку саму пропозицію ми отримали кілька хвилин тому. Код відстеження надіслано на вашу пошту чи телефон.",
        "en": "We received the same offer a few minutes ago. The tracking code was sent to your e-mail or phone."},
    "donations.tracking_not_found": {"uk": "Не знайшли пожертви з таким кодом. Перевірте код з листа чи SMS.",
                                     "en": "We found no donation with this code. Please check the code in your e-mail or SMS."},
    "donations.transition": {"uk": "Зараз це неможливо: пожертва у стані «{status}».",
                             "en": "Not possible now: the donation is {status}."},
    "donations.too_many_items": {"uk": "Забагато рядків в одній пожертві.", "en": "Too many lines in one donation."},
    # manifests
    "manifest.not_utf8": {"uk": "Файл має бути в кодуванні UTF-8.", "en": "The file must be UTF-8 encoded."},
    "manifest.empty": {"uk": "У файлі немає жодного рядка з книжками.", "en": "The file has no rows of books."},
    "manifest.header": {"uk": "Перший рядок має називати стовпці: {columns}.",
                        "en": "The first line must name the columns: {columns}."},
    "manifest.unknown_columns": {"uk": "Невідомі стовпці: {columns}.", "en": "Unknown columns: {columns}."},
    "manifest.too_many_rows": {"uk": "Не більше {limit} рядків в одному файлі.",
                               "en": "At most {limit} rows in one file."},
    "manifest.columns": {"uk": "Очікували {expected} значень у рядку, а є {found}.",
                         "en": "Expected {expected} values in the row, found {found}."},
    "manifest.rows_invalid": {"uk": "У файлі є помилки: виправте рядки, позначені нижче, і надішліть його знову. Нічого не збережено.",
                              "en": "The file has errors: fix the rows listed below and send it again. Nothing was saved."},
    "manifest.missing_file": {"uk": "Додайте файл маніфесту (CSV).", "en": "Attach the manifest file (CSV)."},
    # staff
    "staff.login_failed": {"uk": "Неправильне ім'я або пароль.", "en": "Wrong name or password."},
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


def t(key: str, lang: str | None = None, **params: Any) -> str:
    lang = lang or current_language()
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


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
