"""The assistant's way in and out through notifications, which keeps the addresses.

In: a Telegram message to the bot (anything but `/start <code>`) becomes
`notifications.question_received` for the assistant in donations, under the chat's
conversation id; a chat tied to a donor brings that donor's donations along, so they are
recognised without a code. Limited per chat (RATE_LIMIT_QUESTIONS).

Out: `donations.assistant_replied` becomes a reply row, sent by the delivery tick — to the
conversation's chat, or to the e-mail a web asker left — claimed before it is sent, retried
with backoff, never held by quiet hours (the person asked). Its words and address are wiped
once sent."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from services.notifications import config
from services.notifications.assistant_models import AssistantReply, TelegramConversation
from services.notifications.channels import PermanentFailure, TemporaryFailure
from services.notifications.channels.email import Email
from services.notifications.channels.telegram import RetryLater
from services.notifications.models import Contact
from shared import db
from shared.limits import allowed
from shared.models import OutboxEvent, utcnow
from shared.outbox import add_event

SERVICE = "notifications"
MAX_TEXT = 4000
MAX_ATTEMPTS = 5
RETRY_SECONDS = 5.0
log = structlog.get_logger("bookcross.assistant")


def keep_days() -> float:
    return config.assistant_keep_days()


def receive(update: dict) -> bool:
    """A Telegram update with a message for the assistant. True if it was passed on."""
    message = update.get("message") or update.get("edited_message") or {}
    chat = message.get("chat") or {}
    text = (message.get("text") or "").strip()
    if chat.get("id") is None or not text or chat.get("type", "private") != "private":
        return False  # only people writing to the bot themselves, and only words
    chat_id = str(chat["id"])
    if not allowed("questions", key=f"telegram:{chat_id}"):
        return False
    hint = ((message.get("from") or {}).get("language_code") or "")[:2] or None
    now = utcnow()
    with db.session_scope(SERVICE) as session:
        db.insert_ignoring_duplicates(session, TelegramConversation.__table__, {
            "id": uuid.uuid4(), "chat_id": chat_id, "created_at": now, "last_question_at": now})
        conversation = session.scalar(select(TelegramConversation).where(TelegramConversation.chat_id == chat_id))
        conversation.last_question_at = now
        contacts = list(session.scalars(select(Contact).where(Contact.telegram_chat_id == chat_id)))
        donor_ids = {c.donor_id for c in contacts}
        add_event(session, "notifications.question_received", {
            "question_id": uuid.uuid4(), "conversation_id": conversation.id, "text": text[:MAX_TEXT],
            "language_hint": hint if hint in ("uk", "en") else None,
            "donor_id": next(iter(donor_ids)) if len(donor_ids) == 1 else None,
            "donation_ids": sorted({c.donation_id for c in contacts}, key=str), "received_at": now,
        }, producer=SERVICE)
    return True


def on_assistant_replied(session: Session, event: dict) -> None:
    p = event["payload"]
    values = {"event_id": event["event_id"], "question_id": p["question_id"], "channel": p["channel"],
              "conversation_id": p.get("conversation_id"), "email": p.get("email"), "language": p["language"],
              "text": p["text"], "status": "pending", "attempts": 0, "next_attempt_at": utcnow(),
              "created_at": utcnow()}
    if p["channel"] == "telegram" and session.get(TelegramConversation, p["conversation_id"]) is None:
        values.update(status="failed", text=None, last_error="the conversation was forgotten")
    db.insert_ignoring_duplicates(session, AssistantReply.__table__, values)


# --- sending ---------------------------------------------------------------------------------------

SUBJECT = {"uk": "Відповідь на ваше питання", "en": "An answer to your question"}


def _claim(now: datetime):
    with db.session_scope(SERVICE) as session:
        query = select(AssistantReply).where(AssistantReply.status == "pending", AssistantReply.next_attempt_at <= now)\
            .order_by(AssistantReply.next_attempt_at, AssistantReply.id).limit(1)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        reply = session.scalar(query)
        if reply is None:
            return None
        reply.status, reply.attempts, reply.next_attempt_at = "sending", reply.attempts + 1, now
        to = reply.email
        if reply.channel == "telegram":
            conversation = session.get(TelegramConversation, reply.conversation_id)
            to = conversation.chat_id if conversation is not None else None
        return reply.id, reply.channel, to, reply.text, reply.language


def send_pending(senders, now: datetime | None = None, deadline: float | None = None) -> int:
    """Send due replies one at a time, each claimed first. A reply left `sending` by a worker
    that died goes again after NOTIFY_STALE_SECONDS."""
    now = now or utcnow()
    stale = config.delivery().stale_after
    with db.session_scope(SERVICE) as session:
        session.execute(update(AssistantReply).where(
            AssistantReply.status == "sending", AssistantReply.next_attempt_at <= now - stale)
            .values(status="pending"))
    sent = 0
    while deadline is None or time.monotonic() < deadline:
        claimed = _claim(now)
        if claimed is None:
            return sent
        reply_id, channel, to, text, language = claimed
        error, permanent, retry_after = None, False, None
        try:
            if not to or not text:
                raise PermanentFailure("nobody to send it to any more")
            if channel == "telegram":
                if senders.telegram is None:
                    raise PermanentFailure("the telegram channel is not configured")
                senders.telegram.send(to, text)
            else:
                if senders.email is None:
                    raise PermanentFailure("the email channel is not configured")
                sender = senders.email.sender.rpartition(" ")[2].strip("<>")
                senders.email.send(Email(to=to, subject=SUBJECT.get(language, SUBJECT["uk"]), text=text,
                                         html=_html(text, language), unsubscribe_url=f"mailto:{sender}",
                                         language=language, key=f"reply{reply_id}"))
        except RetryLater as exc:
            error, retry_after = str(exc), exc.retry_after
        except TemporaryFailure as exc:
            error = str(exc)
        except PermanentFailure as exc:
            error, permanent = str(exc), True
        with db.session_scope(SERVICE) as session:
            reply = session.get(AssistantReply, reply_id, with_for_update=True, populate_existing=True)
            if error is None:
                reply.status, reply.sent_at, reply.text, reply.email, reply.last_error = "sent", now, None, None, None
                sent += 1
            elif not permanent and reply.attempts < MAX_ATTEMPTS:
                reply.status, reply.last_error = "pending", (error.replace(to, "<recipient>") if to else error)[:500]
                reply.next_attempt_at = now + timedelta(seconds=retry_after or RETRY_SECONDS * 2 ** (reply.attempts - 1))
            else:
                reply.status, reply.text, reply.email = "failed", None, None
                reply.last_error = (error.replace(to, "<recipient>") if to else error)[:500]
                log.warning("assistant.reply_failed", reply_id=reply_id, channel=channel, error=reply.last_error)
        if error is not None and not permanent:
            break  # the channel is away: the next tick tries again
    return sent


def _html(text: str, language: str) -> str:
    import html

    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())
    return f'<!doctype html><html lang="{language}"><body style="font-family:sans-serif;font-size:16px">{body}</body></html>'


# --- forgetting -----------------------------------------------------------------------------------------

def _forget_conversations(session: Session, conversations: list[TelegramConversation]) -> None:
    ids = [c.id for c in conversations]
    if not ids:
        return
    session.execute(update(AssistantReply).where(AssistantReply.conversation_id.in_(ids))
                    .values(text=None, status="failed", last_error="forgotten")
                    .where(AssistantReply.status.in_(("pending", "sending"))))
    session.execute(update(AssistantReply).where(AssistantReply.conversation_id.in_(ids)).values(text=None))
    wanted = {str(i) for i in ids}
    by_conversation = OutboxEvent.envelope["payload"]["conversation_id"].as_string().in_(wanted)
    for row in session.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "notifications.question_received", by_conversation)):
        row.envelope = {**row.envelope, "payload": {**row.envelope["payload"], "text": "—"}}
        flag_modified(row, "envelope")
    session.execute(delete(TelegramConversation).where(TelegramConversation.id.in_(ids)))


def forget_donor(session: Session, donor_id, donation_ids: list) -> None:
    """"Forget me": the donor's Telegram chats are forgotten as conversations too (called by
    on_donor_erased before the contacts go)."""
    mine = (Contact.donor_id == donor_id) | Contact.donation_id.in_(donation_ids)
    chats = {c.telegram_chat_id for c in session.scalars(select(Contact).where(mine)) if c.telegram_chat_id}
    if chats:
        _forget_conversations(session, list(session.scalars(
            select(TelegramConversation).where(TelegramConversation.chat_id.in_(chats)))))


def forget_quiet(now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - timedelta(days=keep_days())
    with db.session_scope(SERVICE) as session:
        quiet = list(session.scalars(select(TelegramConversation).where(
            TelegramConversation.last_question_at < cutoff)))
        _forget_conversations(session, quiet)
        session.execute(delete(AssistantReply).where(AssistantReply.created_at < cutoff,
                                                     AssistantReply.status.in_(("sent", "failed"))))
        return len(quiet)
