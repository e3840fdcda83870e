"""Connecting a donor's Telegram: the preferences page offers a t.me deep link with a one-time
code; when the donor presses Start, Telegram sends our webhook an update with `/start <code>`,
and the chat becomes the donor's first channel.

    setWebhook url=<notifications>/telegram/webhook  secret_token=TELEGRAM_WEBHOOK_SECRET

Telegram sends the secret back in `X-Telegram-Bot-Api-Secret-Token` with every update; an
update without it is refused. The update format is the Bot API's `Update` object:
{"update_id": …, "message": {"chat": {"id": …}, "text": "/start <code>", …}}.
"""
from __future__ import annotations

import hmac
import os
import secrets
import uuid

import structlog
from flask import Blueprint, request
from sqlalchemy import select

from services.notifications import assistant_inbox, compose
from services.notifications.models import Contact, TelegramLink
from shared import db
from shared.auth import public
from shared.models import utcnow

bp = Blueprint("telegram", __name__)
log = structlog.get_logger("bookcross.telegram")

WELCOME = {"uk": "Готово! Тепер ми писатимемо вам про ваші книжки сюди, у Telegram.",
           "en": "Done! From now on we will write to you about your books here, in Telegram."}


def bot_username() -> str | None:
    return os.environ.get("TELEGRAM_BOT_USERNAME") or None


def new_link(donor_id: str) -> str | None:
    """A deep link for this donor, or None if no bot is configured."""
    username = bot_username()
    if not username:
        return None
    code = secrets.token_urlsafe(24)  # 32 characters of [A-Za-z0-9_-]: what Telegram allows
    with db.session_scope("notifications") as session:
        session.add(TelegramLink(code=code, donor_id=uuid.UUID(donor_id), created_at=utcnow()))
    return f"https://t.me/{username}?start={code}"


@bp.post("/telegram/webhook")
@public  # Telegram's calls: checked by the secret token header instead of a staff role
def webhook():
    expected = os.environ.get("TELEGRAM_WEBHOOK_SECRET")
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not expected or not hmac.compare_digest(given, expected):
        return {"ok": False}, 403
    update = request.get_json(silent=True) or {}
    message = update.get("message") or {}
    text = (message.get("text") or "").strip()
    chat_id = (message.get("chat") or {}).get("id")
    if chat_id is not None and not text.startswith("/start "):
        assistant_inbox.receive(update)  # a question for the assistant (or nothing for us)
        return {"ok": True}
    if chat_id is None:
        return {"ok": True}  # not a message; Telegram only needs a 200
    code = text.split(" ", 1)[1].strip()
    language = None
    with db.session_scope("notifications") as session:
        link = session.get(TelegramLink, code)
        if link is None or link.used_at is not None:
            return {"ok": True}
        link.used_at = utcnow()
        for contact in session.scalars(select(Contact).where(Contact.donor_id == link.donor_id)):
            contact.telegram_chat_id = str(chat_id)
            contact.channels = ["telegram", *[c for c in contact.channels if c != "telegram"]]
            contact.unsubscribed = [c for c in (contact.unsubscribed or []) if c != "telegram"]
            language = contact.language
    sender = compose.senders().telegram
    if sender is not None and language is not None:
        try:
            sender.send(chat_id, WELCOME.get(language, WELCOME["uk"]))
        except Exception as exc:  # the welcome is a courtesy; the link is made
            log.warning("telegram.welcome_failed", error=str(exc))
    return {"ok": True}
