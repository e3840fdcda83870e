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

from flask import Blueprint, request

from services.notifications import assistant_inbox, config, services
from shared.auth import public

bp = Blueprint("telegram", __name__)


@bp.post("/telegram/webhook")
@public  # Telegram's calls: checked by the secret token header instead of a staff role
def webhook():
    expected = config.telegram_webhook_secret()
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
    services.connect_telegram(text.split(" ", 1)[1].strip(), chat_id)
    return {"ok": True}
