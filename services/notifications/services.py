"""Notifications' use cases for donors and staff: unsubscribe (one click, RFC 8058), the
channel and reader-news preferences, connecting Telegram, and the delivery log for admin.

Each use case owns its transaction and raises domain errors (`shared.errors`), never HTTP
errors; the pages and the API only parse, call and render. What the donor is told and when is
the delivery loop's (`delivery.py`), fed by the consumers (`handlers.py`)."""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications import compose, config, texts
from services.notifications.domain import CHANNELS
from services.notifications.models import Contact, Message, Notice, TelegramLink
from shared import db, errors
from shared.donor_links import read_preferences_token, read_unsubscribe_token
from shared.i18n import t
from shared.models import utcnow
from shared.outbox import add_event

SERVICE = "notifications"
log = structlog.get_logger("bookcross.notifications")
# Where each channel's address is kept on a contact.
ADDRESS_FIELDS = {"email": "email", "sms": "phone", "telegram": "telegram_chat_id"}


class LinkNotValid(errors.NotFound):
    """A link from a message that is not ours, or whose donor was forgotten."""

    key = "notifications.link_not_valid"


@dataclass(frozen=True)
class Preferences:
    donor_id: str
    channels: dict[str, bool]  # the channels we have an address for → on or off
    reader_news: bool


def _contacts(session: Session, donor_id: str | None, *, lock: bool = False) -> list[Contact]:
    if not donor_id:
        raise LinkNotValid()
    query = select(Contact).where(Contact.donor_id == uuid.UUID(donor_id))
    contacts = list(session.scalars(query.with_for_update() if lock else query))
    if not contacts:
        raise LinkNotValid()
    return contacts


def _channels_changed(session: Session, donor_id: str, before: list[str], after: list[str]) -> None:
    """The reports (catalog) count donors who turned channels off: the donor's id, no address."""
    if sorted(set(before)) != sorted(set(after)):
        add_event(session, "notifications.channels_changed", {
            "donor_id": donor_id, "unsubscribed": sorted(set(after))}, producer=SERVICE)


def unsubscribe_link(token: str) -> tuple[str, str]:
    """(donor id, channel) of an unsubscribe link, if its donor is still known."""
    claims = read_unsubscribe_token(token)
    with db.session_scope(SERVICE) as session:
        _contacts(session, claims[0] if claims else None)
    return claims


def unsubscribe(token: str) -> tuple[str, str]:
    """Turn the link's channel off for every contact of its donor; (donor id, channel)."""
    claims = read_unsubscribe_token(token)
    with db.session_scope(SERVICE) as session:
        contacts = _contacts(session, claims[0] if claims else None, lock=True)
        donor_id, channel = claims
        before = sorted(contacts[0].unsubscribed or [])
        for contact in contacts:
            if channel not in (contact.unsubscribed or []):
                contact.unsubscribed = [*(contact.unsubscribed or []), channel]
        _channels_changed(session, donor_id, before, contacts[0].unsubscribed)
    return donor_id, channel


def _preferences(donor_id: str, contacts: list[Contact]) -> Preferences:
    current = contacts[0]
    return Preferences(donor_id, {c: c not in (current.unsubscribed or []) for c in _available(contacts)},
                       current.reader_news)


def _available(contacts: list[Contact]) -> list[str]:
    return [c for c in CHANNELS if any(getattr(x, ADDRESS_FIELDS[c]) for x in contacts)]


def preferences(token: str) -> Preferences:
    donor_id = read_preferences_token(token)
    with db.session_scope(SERVICE) as session:
        return _preferences(donor_id, _contacts(session, donor_id))


def save_preferences(token: str, channels_on: set[str], reader_news: bool) -> Preferences:
    """The donor's choice: the channels we have an address for and they left unticked are off."""
    donor_id = read_preferences_token(token)
    with db.session_scope(SERVICE) as session:
        contacts = _contacts(session, donor_id, lock=True)
        off = [c for c in _available(contacts) if c not in channels_on]
        before = sorted(contacts[0].unsubscribed or [])
        for contact in contacts:
            contact.unsubscribed = off
            contact.reader_news = reader_news
        _channels_changed(session, donor_id, before, off)
        return _preferences(donor_id, contacts)


def new_telegram_link(donor_id: str) -> str | None:
    """A one-time `t.me/<bot>?start=<code>` link for this donor, or None if no bot is configured."""
    username = config.telegram_bot_username()
    if not username:
        return None
    code = secrets.token_urlsafe(24)  # 32 characters of [A-Za-z0-9_-]: what Telegram allows
    with db.session_scope(SERVICE) as session:
        session.add(TelegramLink(code=code, donor_id=uuid.UUID(donor_id), created_at=utcnow()))
    return f"https://t.me/{username}?start={code}"


def connect_telegram(code: str, chat_id) -> bool:
    """The donor pressed Start with their link's code: the chat becomes their first channel
    (and no longer unsubscribed), and the bot says so. False for a code unknown or used."""
    language = None
    with db.session_scope(SERVICE) as session:
        link = session.get(TelegramLink, code, with_for_update=True)
        if link is None or link.used_at is not None:
            return False
        link.used_at = utcnow()
        for contact in session.scalars(select(Contact).where(Contact.donor_id == link.donor_id)):
            contact.telegram_chat_id = str(chat_id)
            contact.channels = ["telegram", *[c for c in contact.channels if c != "telegram"]]
            contact.unsubscribed = [c for c in (contact.unsubscribed or []) if c != "telegram"]
            language = contact.language
    sender = compose.senders().telegram
    if sender is not None and language is not None:
        try:
            sender.send(chat_id, t(texts.TELEGRAM_WELCOME, language))
        except Exception as exc:  # the welcome is a courtesy; the link is made
            log.warning("telegram.welcome_failed", error=str(exc))
    return True


def messages_of(donation_id: uuid.UUID) -> list[Message]:
    """The delivery log of a donation (no addresses; no text after erasure)."""
    with db.session_scope(SERVICE) as session:
        return list(session.scalars(select(Message).where(Message.donation_id == donation_id).order_by(Message.id)))


def notices_of(donation_id: uuid.UUID) -> list[Notice]:
    """What the donor of a donation is to be told, stage by stage, and why something was not."""
    with db.session_scope(SERVICE) as session:
        return list(session.scalars(select(Notice).where(Notice.donation_id == donation_id).order_by(Notice.id)))
