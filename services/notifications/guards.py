"""What keeps notifications from being a spam cannon: anyone can type any address into the
public offer form, so what we send to an address is limited.

- SMS only to numbers of the countries in SMS_COUNTRIES (default UA): SMS cost money, and a
  foreign number is where abuse would go.
- At most NOTIFY_RECIPIENT_DAILY_CAP messages (default 6) to one address in 24 hours, however
  many offers name it; a notice over the cap is dropped with the reason.

What a message says is guarded in compose: the donor's own words (their name) never go into an
SMS or a Telegram message, nor into the first message to an address, and are never made links.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.notifications import config
from services.notifications.models import Message


def sms_allowed(phone: str | None) -> bool:
    if not phone:
        return False
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.region_code_for_number(number) in config.sms_countries()


def channel_allowed(channel: str, address: str | None) -> bool:
    return channel != "sms" or sms_allowed(address)


def over_daily_cap(session: Session, recipient_hash: str, now: datetime) -> bool:
    sent_lately = session.scalar(select(func.count()).select_from(Message).where(
        Message.recipient_hash == recipient_hash, Message.created_at > now - timedelta(days=1)))
    return sent_lately >= config.daily_cap()
