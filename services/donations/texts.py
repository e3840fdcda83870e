"""What donors read on the tracking page, in plain words. Ukrainian first."""
from __future__ import annotations

from shared import i18n

STATUS_NAMES = {
    "offered": {"uk": "запропоновано", "en": "offered"},
    "pickup_scheduled": {"uk": "вивезення заплановано", "en": "pickup scheduled"},
    "pickup_failed": {"uk": "вивезення не відбулося", "en": "pickup failed"},
    "collected": {"uk": "книжки забрали", "en": "collected"},
    "cancelled": {"uk": "скасовано", "en": "cancelled"},
}


books = i18n.books


def status_name(status: str, lang: str) -> str:
    return STATUS_NAMES.get(status, {}).get(lang) or status


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
