"""The donor's say over messages: one-click unsubscribe (RFC 8058) and a preferences page,
both reached by signed links in every message; no account, no password."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from services.notifications import telegram_link
from services.notifications.models import Contact
from shared import db
from shared.auth import public
from shared.donor_links import preferences_token, read_preferences_token, read_unsubscribe_token
from shared.i18n import current_language, page_texts
from shared.limits import allowed, limited
from shared.outbox import add_event

bp = Blueprint("donor_pages", __name__, template_folder="templates")

TEXT = {
    "unsubscribe_title": ("Відписатися", "Unsubscribe"),
    "unsubscribe_ask": ("Більше не надсилати вам повідомлення каналом «{channel}» про ваші книжки?",
                        "Stop sending you messages about your books by {channel}?"),
    "unsubscribe_yes": ("Так, відписати мене", "Yes, unsubscribe me"),
    "unsubscribed": ("Готово: каналом «{channel}» ми вам більше не писатимемо.",
                     "Done: we will not write to you by {channel} any more."),
    "preferences_title": ("Як нам вам писати", "How we write to you"),
    "preferences_intro": ("Оберіть, як розповідати вам про долю ваших книжок.",
                          "Choose how we tell you what becomes of your books."),
    "channel_email": ("Листи на e-mail", "E-mails"),
    "channel_sms": ("SMS", "SMS"),
    "channel_telegram": ("Telegram", "Telegram"),
    "connect_telegram": ("Писати мені в Telegram", "Write to me in Telegram"),
    "connect_telegram_hint": ("Відкриється наш бот: натисніть «Start», і ми писатимемо туди.",
                              "Our bot opens: press Start, and we will write to you there."),
    "reader_news": ("Розповідати, коли читачі беруть мої книжки чи пишуть про них",
                    "Tell me when readers take my books or write about them"),
    "save": ("Зберегти", "Save"),
    "saved": ("Збережено.", "Saved."),
    "preferences_link": ("Усі налаштування", "All preferences"),
    "not_found": ("Посилання недійсне або ваші дані вже видалено.",
                  "The link is not valid, or your data has been erased."),
}
CHANNEL_WORDS = {"email": ("e-mail", "e-mail"), "sms": ("SMS", "SMS"), "telegram": ("Telegram", "Telegram")}



def _contacts(session, donor_id: str) -> list[Contact]:
    import uuid

    return list(session.scalars(select(Contact).where(Contact.donor_id == uuid.UUID(donor_id))))


def _channels_changed(session, donor_id: str, before: list[str], after: list[str]) -> None:
    """The reports (catalog) count donors who turned channels off: the donor's id, no address."""
    if sorted(set(before)) != sorted(set(after)):
        add_event(session, "notifications.channels_changed", {
            "donor_id": donor_id, "unsubscribed": sorted(set(after))}, producer="notifications")


@bp.route("/unsubscribe/<string:token>", methods=["GET", "POST"])
@limited("preferences", methods=["POST"])
@public
def unsubscribe(token: str):
    """GET asks (a link checker must not unsubscribe anyone); POST — the mail client's one-click
    `List-Unsubscribe=One-Click`, or the button — does it."""
    lang = current_language()
    tx = page_texts(TEXT, lang)
    claims = read_unsubscribe_token(token)
    with db.session_scope("notifications") as session:
        contacts = _contacts(session, claims[0]) if claims else []
        if not contacts:
            return render_template("donor_page.html", lang=lang, tx=tx, title=tx["unsubscribe_title"],
                                   message=tx["not_found"]), 404
        donor_id, channel = claims
        channel_word = CHANNEL_WORDS.get(channel, (channel, channel))[0 if lang == "uk" else 1]
        if request.method == "POST":
            before = sorted(contacts[0].unsubscribed or [])
            for contact in contacts:
                if channel not in (contact.unsubscribed or []):
                    contact.unsubscribed = [*(contact.unsubscribed or []), channel]
            _channels_changed(session, donor_id, before, contacts[0].unsubscribed)
            return render_template("donor_page.html", lang=lang, tx=tx, title=tx["unsubscribe_title"],
                                   message=tx["unsubscribed"].format(channel=channel_word),
                                   preferences=preferences_token(donor_id))
    return render_template("donor_page.html", lang=lang, tx=tx, title=tx["unsubscribe_title"],
                           question=tx["unsubscribe_ask"].format(channel=channel_word))


@bp.route("/preferences/<string:token>", methods=["GET", "POST"])
@limited("preferences", methods=["POST"])
@public
def preferences(token: str):
    lang = current_language()
    tx = page_texts(TEXT, lang)
    donor_id = read_preferences_token(token)
    saved = False
    with db.session_scope("notifications") as session:
        contacts = _contacts(session, donor_id) if donor_id else []
        if not contacts:
            return render_template("donor_page.html", lang=lang, tx=tx, title=tx["preferences_title"],
                                   message=tx["not_found"]), 404
        fields = {"email": "email", "sms": "phone", "telegram": "telegram_chat_id"}
        available = [c for c, f in fields.items() if any(getattr(x, f) for x in contacts)]
        if request.method == "POST":
            off = [c for c in available if not request.form.get(f"channel-{c}")]
            before = sorted(contacts[0].unsubscribed or [])
            for contact in contacts:
                contact.unsubscribed = off
                contact.reader_news = bool(request.form.get("reader_news"))
            _channels_changed(session, donor_id, before, off)
            saved = True
        current = contacts[0]
        state = {"channels": {c: c not in (current.unsubscribed or []) for c in available},
                 "reader_news": current.reader_news}
    # Each link is a row: made only while this client is within its limit.
    telegram = None if "telegram" in available or not allowed("telegram_link") else telegram_link.new_link(donor_id)
    return render_template("preferences.html", lang=lang, tx=tx, state=state, saved=saved,
                           telegram=telegram)
