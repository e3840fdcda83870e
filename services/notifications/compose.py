"""What a message says and how it leaves: the text for its stage (Jinja templates, uk/en, Latin
by KMU-55 where asked for or where it saves SMS segments), and the channel adapters built from
the environment."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.notifications import config
from services.notifications.channels import PermanentFailure
from services.notifications.channels.email import Email, SmtpSender
from services.notifications.channels.sms_gateway import TwilioSms
from services.notifications.channels.telegram import TelegramBot
from services.notifications.domain import PER_COPY_STAGES
from services.notifications.messages import render
from services.notifications.models import Contact, CopyFact, Message, Notice
from services.notifications.sms_segments import measure, plain_punctuation
from shared.donor_links import feedback_url, preferences_url, unsubscribe_url
from shared.i18n import KYIV


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    text: str
    html: str | None = None
    unsubscribe_url: str | None = None
    language: str = "uk"
    encoding: str | None = None
    segments: int | None = None
    key: str | None = None  # the message's id in the delivery log


# --- the words ----------------------------------------------------------------------------

def _total_books(session: Session, donation_id) -> int:
    """What the donor gave, as best we know: collected, else catalogued, else offered."""
    for stage, key in (("collected", "count"), ("at_hub", "count"), ("offered", "count")):
        notice = session.scalar(select(Notice).where(Notice.donation_id == donation_id,
                                                      Notice.stage == stage))
        if notice is not None and notice.details.get(key):
            catalogued = session.scalar(select(func.count()).select_from(CopyFact).where(
                CopyFact.donation_id == donation_id, CopyFact.stage == "catalogued"))
            return max(int(notice.details[key]), catalogued or 0)
    return session.scalar(select(func.count()).select_from(CopyFact).where(
        CopyFact.donation_id == donation_id, CopyFact.stage == "catalogued")) or 0


def _donor_name(session: Session, message: Message, contact: Contact) -> str | None:
    """The donor's name is their own words, typed into a public form: only in e-mail (never an
    SMS or a Telegram message), and never in the first message to an address — that one says
    only our own words, so nobody can make us send a text of their choosing to a stranger."""
    if message.channel != "email" or not contact.name:
        return None
    written_before = session.scalar(select(func.count()).select_from(Message).where(
        Message.recipient_hash == message.recipient_hash, Message.status == "sent", Message.id != message.id))
    return contact.name if written_before else None


def context_for(session: Session, message: Message, contact: Contact) -> tuple[str, dict]:
    notice = session.get(Notice, message.notice_id)
    stage = notice.stage
    details = dict(notice.details or {})
    context = {"name": _donor_name(session, message, contact), "tracking_code": contact.tracking_code,
               "tracking_url": config.tracking_url(contact.tracking_code)}
    if stage in ("pickup_scheduled", "pickup_rescheduled"):
        start = datetime.fromisoformat(details["start"]).astimezone(KYIV)
        end = datetime.fromisoformat(details["end"]).astimezone(KYIV)
        context.update(day=start.strftime("%d.%m.%Y"), start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))
    elif stage in ("offered",):
        context.update(count=details["count"])
    elif stage == "collected":
        context.update(count=details["count"], declared=details.get("declared"))
    elif stage == "pickup_failed":
        context.update(reason=details.get("reason") or "")
    elif stage == "cancelled":
        context.update(by=details.get("by"), reason=details.get("reason"))
    elif stage in PER_COPY_STAGES:  # everything known so far, as the batch closes
        facts = session.scalars(select(CopyFact).where(
            CopyFact.donation_id == message.donation_id, CopyFact.stage == stage)
            .order_by(CopyFact.at, CopyFact.copy_code)).all()
        centres: dict[str, dict] = {}
        for fact in facts:
            if fact.centre_code:
                centres.setdefault(fact.centre_code, {"settlement": fact.settlement, "oblast": fact.oblast,
                                                      "name": fact.centre_name, "count": 0})["count"] += 1
        context.update(count=len(facts), total=max(_total_books(session, message.donation_id), len(facts)),
                       centres=list(centres.values()))
    else:
        raise ValueError(f"no words for the stage {stage!r}")
    return stage, context


def compose(session: Session, message: Message, contact: Contact) -> Outgoing:
    stage, context = context_for(session, message, contact)
    lang = contact.language if contact.language in ("uk", "en") else "uk"
    to = {"email": contact.email, "sms": contact.phone, "telegram": contact.telegram_chat_id}[message.channel]
    if message.channel == "email":
        rendered = render(stage, lang, latin_script=contact.latin, **context)
        unsubscribe = unsubscribe_url(contact.donor_id, "email")
        preferences = preferences_url(contact.donor_id)
        text = rendered.text + feedback_lines(message.donation_id, stage, lang)
        return Outgoing(to=to, subject=rendered.subject, text=_with_footer(text, lang, unsubscribe, preferences),
                        html=_html(text, lang, unsubscribe, preferences),
                        unsubscribe_url=unsubscribe, language=lang, key=f"m{message.id}")
    # SMS and Telegram: short, plain; Latin letters if asked for, or if they cost fewer segments.
    rendered = render(stage, lang, latin_script=contact.latin, **context)
    text = plain_punctuation(rendered.text) if lang == "en" or contact.latin else rendered.text
    if lang == "uk" and not contact.latin and message.channel == "sms":
        latin = render(stage, lang, latin_script=True, **context).text
        if measure(latin).segments < measure(text).segments:
            text = latin
    size = measure(text)
    return Outgoing(to=to, subject=rendered.subject, text=text, language=lang,
                    encoding=size.encoding if message.channel == "sms" else None,
                    segments=size.segments if message.channel == "sms" else None)


_FEEDBACK = {"uk": "Чи було це корисним? Так: {yes} · Ні: {no}", "en": "Was this useful? Yes: {yes} · No: {no}"}


def feedback_lines(donation_id, stage: str, lang: str) -> str:
    """One click under every letter: 'was this useful?' (donations keeps the answer)."""
    line = _FEEDBACK[lang].format(yes=feedback_url(donation_id, stage, "yes"), no=feedback_url(donation_id, stage, "no"))
    return "\n\n" + line


_FOOTER = {"uk": ("Не хочете більше листів? Відписатися: {unsubscribe}", "Налаштування: {preferences}"),
           "en": ("No more e-mails? Unsubscribe: {unsubscribe}", "Preferences: {preferences}")}


def _with_footer(text: str, lang: str, unsubscribe: str, preferences: str) -> str:
    lines = [line.format(unsubscribe=unsubscribe, preferences=preferences) for line in _FOOTER[lang]]
    return text + "\n\n--\n" + "\n".join(lines)


def _own_url(url: str) -> bool:
    bases = config.own_urls()
    return any(url == base or url.startswith(base + "/") for base in bases)


def _html(text: str, lang: str, unsubscribe: str, preferences: str) -> str:
    def linked(line: str) -> str:
        """Only our own addresses become links; anything else stays text."""
        escaped = html.escape(line)

        def link(match: re.Match) -> str:
            url = html.unescape(match.group(1))
            return f'<a href="{match.group(1)}">{match.group(1)}</a>' if _own_url(url) else match.group(1)
        return re.sub(r"(https?://[^\s<]+)", link, escaped)

    body = "".join(f"<p>{linked(line)}</p>" for line in text.split("\n") if line.strip())
    footer = _FOOTER[lang]
    return (f'<!doctype html><html lang="{lang}"><body style="font-family:sans-serif;font-size:16px">'
            f"{body}<hr><p style=\"font-size:13px;color:#555\">"
            f'{linked(footer[0].format(unsubscribe=unsubscribe))}<br>'
            f'{linked(footer[1].format(preferences=preferences))}</p></body></html>')


# --- the channels -------------------------------------------------------------------------

class Senders:
    """The channel adapters, built from the environment. A channel that is not configured
    refuses permanently, so the message falls back to the donor's next channel."""

    def __init__(self, settings: config.Channels | None = None):
        s = settings or config.channels()
        self.email = SmtpSender(s.smtp_url, s.smtp_from) if s.smtp_url else None
        self.sms = TwilioSms(s.sms_gateway_url, s.sms_sender) if s.sms_gateway_url else None
        self.telegram = TelegramBot(s.telegram_token, s.telegram_api_url) if s.telegram_token else None

    def send(self, channel: str, outgoing: Outgoing) -> str | None:
        if channel == "email" and self.email:
            return self.email.send(Email(to=outgoing.to, subject=outgoing.subject, text=outgoing.text,
                                         html=outgoing.html, unsubscribe_url=outgoing.unsubscribe_url,
                                         language=outgoing.language, key=outgoing.key))
        if channel == "sms" and self.sms:
            return self.sms.send(outgoing.to, outgoing.text).gateway_id
        if channel == "telegram" and self.telegram:
            return str(self.telegram.send(outgoing.to, outgoing.text).message_id)
        raise PermanentFailure(f"the {channel} channel is not configured")


def senders() -> Senders:
    return Senders()
