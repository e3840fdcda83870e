"""The donor's say over messages: one-click unsubscribe (RFC 8058) and a preferences page,
both reached by signed links in every message; no account, no password."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from services.notifications import services
from services.notifications.domain import CHANNELS
from shared.auth import public
from shared.donor_links import preferences_token
from shared.i18n import current_language, page_texts
from shared.limits import allowed, limited
from shared.web import page_message

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
}
CHANNEL_WORDS = {"email": ("e-mail", "e-mail"), "sms": ("SMS", "SMS"), "telegram": ("Telegram", "Telegram")}


def _not_valid(tx: dict, title: str, exc: services.LinkNotValid):
    return render_template("donor_page.html", lang=current_language(), tx=tx, title=title,
                           message=page_message(exc)), 404


@bp.route("/unsubscribe/<string:token>", methods=["GET", "POST"])
@limited("preferences", methods=["POST"])
@public
def unsubscribe(token: str):
    """GET asks (a link checker must not unsubscribe anyone); POST — the mail client's one-click
    `List-Unsubscribe=One-Click`, or the button — does it."""
    lang = current_language()
    tx = page_texts(TEXT, lang)
    try:
        if request.method == "POST":
            donor_id, channel = services.unsubscribe(token)
        else:
            donor_id, channel = services.unsubscribe_link(token)
    except services.LinkNotValid as exc:
        return _not_valid(tx, tx["unsubscribe_title"], exc)
    channel_word = CHANNEL_WORDS.get(channel, (channel, channel))[0 if lang == "uk" else 1]
    if request.method == "POST":
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
    try:
        if request.method == "POST":
            chosen = services.save_preferences(token, {c for c in CHANNELS if request.form.get(f"channel-{c}")},
                                               bool(request.form.get("reader_news")))
        else:
            chosen = services.preferences(token)
    except services.LinkNotValid as exc:
        return _not_valid(tx, tx["preferences_title"], exc)
    # Each link is a row: made only while this client is within its limit.
    telegram = None
    if "telegram" not in chosen.channels and allowed("telegram_link"):
        telegram = services.new_telegram_link(chosen.donor_id)
    return render_template("preferences.html", lang=lang, tx=tx, saved=request.method == "POST", telegram=telegram,
                           state={"channels": chosen.channels, "reader_news": chosen.reader_news})
