"""Donations' words, Ukrainian first: its messages (errors, refusals), a donation's states, and
what donors read on the tracking page, in plain words."""
from __future__ import annotations

from shared import i18n

i18n.register({
    "donations.invalid_phone": ("Неправильний номер телефону.", "Not a valid phone number."),
    "donations.contact_required": ("Вкажіть e-mail або телефон, щоб ми могли розповісти про долю книжок.",
                                   "Give an e-mail or a phone so we can tell you what became of the books."),
    "donations.unknown_centre": ("Такого сервісного центру немає.", "There is no such service centre."),
    "donations.centre_required": ("Оберіть центр, куди принесете книжки.", "Choose the centre you will bring the books to."),
    "donations.address_required": ("Для вивезення потрібні адреса, місто й область.",
                                   "A pickup needs an address, a city and an oblast."),
    "donations.consent_required": ("Потрібна ваша згода, щоб ми могли писати вам про пожертву.",
                                   "We need your consent to write to you about the donation."),
    "donations.window_order": ("Кінець вікна має бути пізніше за початок.", "The window must end after it starts."),
    "donations.not_found": ("Пожертву не знайдено.", "Donation not found."),
    "donations.idempotency_key_reused": (
        "Цей Idempotency-Key уже використано з іншим запитом. Для нової пропозиції візьміть новий ключ.",
        "This Idempotency-Key was already used with a different request. Use a new key for a new offer."),
    "donations.already_offered": (
        "Таку саму пропозицію ми отримали кілька хвилин тому. Код відстеження надіслано на вашу пошту чи телефон.",
        "We received the same offer a few minutes ago. The tracking code was sent to your e-mail or phone."),
    "donations.tracking_not_found": ("Не знайшли пожертви з таким кодом. Перевірте код з листа чи SMS.",
                                     "We found no donation with this code. Please check the code in your e-mail or SMS."),
    "donations.transition": ("Зараз це неможливо: пожертва у стані «{status}».",
                             "Not possible now: the donation is {status}."),
    "donations.too_many_items": ("Забагато рядків в одній пожертві.", "Too many lines in one donation."),
    # manifests
    "manifest.not_utf8": ("Файл має бути в кодуванні UTF-8.", "The file must be UTF-8 encoded."),
    "manifest.empty": ("У файлі немає жодного рядка з книжками.", "The file has no rows of books."),
    "manifest.header": ("Перший рядок має називати стовпці: {columns}.",
                        "The first line must name the columns: {columns}."),
    "manifest.unknown_columns": ("Невідомі стовпці: {columns}.", "Unknown columns: {columns}."),
    "manifest.too_many_rows": ("Не більше {limit} рядків в одному файлі.",
                               "At most {limit} rows in one file."),
    "manifest.columns": ("Очікували {expected} значень у рядку, а є {found}.",
                         "Expected {expected} values in the row, found {found}."),
    "manifest.rows_invalid": ("У файлі є помилки: виправте рядки, позначені нижче, і надішліть його знову. Нічого не збережено.",
                              "The file has errors: fix the rows listed below and send it again. Nothing was saved."),
    "manifest.missing_file": ("Додайте файл маніфесту (CSV).", "Attach the manifest file (CSV)."),
    # a donation's states, as donors and staff read them
    "donations.status.offered": ("запропоновано", "offered"),
    "donations.status.pickup_scheduled": ("вивезення заплановано", "pickup scheduled"),
    "donations.status.pickup_failed": ("вивезення не відбулося", "pickup failed"),
    "donations.status.collected": ("книжки забрали", "collected"),
    "donations.status.cancelled": ("скасовано", "cancelled"),
})


books = i18n.books


def status_key(status: str) -> i18n.Text:
    return i18n.Text(f"donations.status.{status}")


def status_name(status: str, lang: str) -> str:
    key = status_key(status)
    return i18n.t(key, lang) if key in i18n.MESSAGES else status


def stage_text(stage: str, details: dict, lang: str, *, when=None, until=None) -> str:
    n = details.get("count")
    uk = lang == "uk"
    if stage == "offered":
        return (f"Ми отримали вашу пропозицію: {books(n, lang)}. Дякуємо!" if uk
                else f"We received your offer: {books(n, lang)}. Thank you!")
    if stage == "pickup_scheduled":
        span = f"{i18n.kyiv_time(when)}–{i18n.kyiv_time(until)[-5:]}" if when and until else ""
        return (f"Приїдемо по книжки {span} (за київським часом)." if uk
                else f"We will come for the books on {span} (Kyiv time).")
    if stage == "pickup_rescheduled":
        span = f"{i18n.kyiv_time(when)}–{i18n.kyiv_time(until)[-5:]}" if when and until else ""
        return (f"Час вивезення змінився: приїдемо {span} (за київським часом)." if uk
                else f"The pickup time has changed: we will come on {span} (Kyiv time).")
    if stage == "erased":
        return ("Ваші ім'я та контакти видалено на ваше прохання." if uk
                else "Your name and contacts were erased at your request.")
    if stage == "pickup_failed":
        reason = details.get("reason") or ""
        return (f"Не вдалося забрати книжки. {reason} Ми домовимося про новий час." if uk
                else f"We could not collect the books. {reason} We will agree on a new time.")
    if stage == "collected":
        declared = details.get("declared")
        if declared is not None and declared != n:
            return (f"Книжки забрали: {books(n, lang)} (ви пропонували {declared})." if uk
                    else f"The books were collected: {books(n, lang)} (you offered {declared}).")
        return (f"Книжки забрали: {books(n, lang)}. Веземо їх на сортування." if uk
                else f"The books were collected: {books(n, lang)}. They are on their way to sorting.")
    if stage == "cancelled":
        return "Пожертву скасовано." if uk else "The donation was cancelled."
    if stage == "at_hub":
        return (f"Книжки на сортувальному складі: {books(n, lang)} чекають опису й наліпок." if uk
                else f"The books are at the sorting hub: {books(n, lang)} are waiting to be catalogued and labelled.")
    return stage


latin = i18n.latin  # one transliteration for the whole project


def centre_text(entry: dict, lang: str) -> str:
    """"м. Харків (ТСЦ 6341): на полиці — 3 книжки, в дорозі — 2 книжки, у читачів — 1 книжка"."""
    uk = lang == "uk"
    labels = (("on_shelves", "на полиці", "on the shelf"), ("on_the_way", "в дорозі", "on the way"),
              ("taken", "у читачів", "with readers"))
    parts = [f"{label_uk if uk else label_en} — {books(entry[key], lang)}"
             for key, label_uk, label_en in labels if entry[key]]
    return f"{entry['settlement']} ({entry['centre_name']}): " + ", ".join(parts)


def copies_text(whereabouts: dict, lang: str) -> str | None:
    n, withdrawn = whereabouts["catalogued"], whereabouts["withdrawn"]
    if not n:
        return None
    uk = lang == "uk"
    text = (f"У хабі описали {books(n, lang)}." if uk else f"The hub catalogued {books(n, lang)}.")
    if withdrawn:
        text += (f" {books(withdrawn, lang).capitalize()} — надто пошкоджені для полиці, їх списано."
                 if uk else f" {books(withdrawn, lang).capitalize()} too damaged for a shelf were withdrawn.")
    return text


MESSAGE_STAGES = {
    "offered": ("подяка й код відстеження", "thanks and the tracking code"),
    "pickup_scheduled": ("час вивезення", "the pickup time"),
    "pickup_rescheduled": ("новий час вивезення", "the new pickup time"),
    "pickup_failed": ("вивезення не вдалося", "the pickup failed"),
    "collected": ("книжки забрали", "the books were collected"),
    "cancelled": ("пожертву скасовано", "the donation was cancelled"),
    "catalogued": ("книжки описали в хабі", "the books were catalogued"),
    "on_shelves": ("книжки на полицях", "the books are on shelves"),
    "taken": ("книжки читають", "readers took the books"),
    "noted": ("відгуки читачів", "readers' notes"),
}
CHANNEL_NAMES = {"email": ("e-mail", "e-mail"), "sms": ("SMS", "SMS"), "telegram": ("Telegram", "Telegram")}
MESSAGE_STATUS = {"sent": ("надіслано", "sent"), "failed": ("не вдалося надіслати", "could not be sent")}


def message_text(stage: str, channel: str, status: str, lang: str) -> str:
    i = 0 if lang == "uk" else 1
    what = MESSAGE_STAGES.get(stage, (stage, stage))[i]
    return f"{CHANNEL_NAMES.get(channel, (channel, channel))[i]}: {what} — {MESSAGE_STATUS.get(status, (status, status))[i]}"
