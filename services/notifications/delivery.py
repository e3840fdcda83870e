"""The delivery loop: due notices become messages on the donor's channels; messages are sent,
retried with backoff, held through quiet hours, or handed to the donor's next channel.

Runs on every tick of beat (`bookcross.notifications.deliver`, NOTIFY_TICK_SECONDS) in the
notifications worker. Everything it waits for lives in the database (`send_after`,
`next_attempt_at`), never in Celery countdowns, so a restart loses nothing.

Never twice: one notice per donation and stage (and batch, or occasion) and one message per
(recipient, notice, channel) are unique keys; a message is claimed (`sending`) before it is sent. A worker killed
in the middle of sending leaves the message `sending`; after NOTIFY_STALE_SECONDS it is tried
again — the one case where a message may arrive twice, because the server may have taken it.

Never stuck: a tick has a time budget (NOTIFY_TICK_BUDGET_SECONDS). It claims one message at a
time and claims no more once the budget is spent, so a slow mail server costs at most one
message beyond the budget, and nothing is left claimed but unsent. Staff alerts go first, so
a backlog of donor letters never holds them up. Only one tick runs at a time in the whole
network (`tasks.deliver` takes a lock), so two beats are harmless.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import String, case, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session

from services.notifications import alerts, assistant_inbox, compose, guards
from services.notifications.channels import PermanentFailure, TemporaryFailure
from services.notifications.channels.telegram import RetryLater
from services.notifications.config import delivery as settings
from services.notifications.config import quiet_hours
from services.notifications.domain import CHANNELS, READER_STAGES, SILENT_STAGES, backoff, earliest_send, superseded
from services.notifications.models import Contact, CopyFact, Message, Notice
from shared import config, db
from shared.models import utcnow
from shared.outbox import add_event

SERVICE = "notifications"
log = structlog.get_logger("bookcross.delivery")



def _earliest_send(moment: datetime, channel: str) -> datetime:
    return earliest_send(moment, channel, quiet_hours())


def recipient_hash(address: str) -> str:
    """The recipient in the log: a keyed hash, so the log can guard uniqueness without
    holding an address."""
    return hmac.new(config.secret_key().encode(), address.strip().lower().encode(),
                    hashlib.sha256).hexdigest()


def address(contact: Contact, channel: str) -> str | None:
    if channel == "email":
        return contact.email
    if channel == "sms":
        return contact.phone
    if channel == "telegram":
        return contact.telegram_chat_id  # set when the donor starts our bot (telegram_link.py)
    return None


def usable_channels(contact: Contact) -> list[str]:
    """The channels the donor chose, in their order, that we have an address for and they
    have not unsubscribed from. The next one is the fallback when one fails."""
    return [c for c in contact.channels
            if c in CHANNELS and c not in (contact.unsubscribed or []) and address(contact, c)
            and guards.channel_allowed(c, address(contact, c))]


@dataclass
class DeliveryResult:
    prepared: int = 0
    dropped: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    fallbacks: int = 0
    sent_ids: list[int] = field(default_factory=list)


def deliver_due(now: datetime | None = None, senders=None, budget: float | None = None) -> DeliveryResult:
    """One tick: due notices become messages, overdue watches become alerts, and alerts and
    messages are sent until the time budget is spent (the rest waits for the next tick)."""
    result = DeliveryResult()
    now = now or utcnow()
    senders = senders or compose.senders()
    deadline = time.monotonic() + (settings().tick_budget if budget is None else budget)
    prepare_due(now, result)
    alerts.raise_due(now)
    alerts.send_pending(senders, now, deadline)
    assistant_inbox.send_pending(senders, now, deadline)  # someone asked: before the batch letters
    send_due(now, result, senders, deadline)
    return result


# --- notices → messages -------------------------------------------------------------------

def _skip_locked(query, session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def prepare_due(now: datetime, result: DeliveryResult) -> None:
    s = settings()
    with db.session_scope(SERVICE) as session:
        notices = session.scalars(_skip_locked(
            select(Notice).where(Notice.status == "pending", Notice.send_after <= now)
            .order_by(Notice.send_after, Notice.id).limit(s.batch), session)).all()
        for notice in notices:
            stage = notice.stage
            contact = session.get(Contact, notice.donation_id)
            if stage in SILENT_STAGES:
                _drop(notice, "silent stage", result)
            elif contact is None:
                # The contact event may simply not have arrived yet (the bus does not promise
                # order), or the donor was erased: wait a while, then let it go.
                if notice.created_at + s.contact_wait <= now:
                    _drop(notice, "no contact", result)
                else:
                    notice.send_after = now + timedelta(seconds=30)
            elif superseded_now(session, notice.donation_id, notice.stage, notice.occurred_at, notice.id):
                _drop(notice, "superseded by newer news", result)
            elif stage in READER_STAGES and not contact.reader_news:
                _drop(notice, "reader news not asked for", result)
            else:
                channels = usable_channels(contact)
                if not channels:
                    _drop(notice, "no channel left (unsubscribed)", result)
                    continue
                channels = [c for c in channels
                            if not guards.over_daily_cap(session, recipient_hash(address(contact, c)), now)]
                if not channels:
                    _drop(notice, "daily cap of messages to this address", result)
                    continue
                _new_message(session, notice, contact, channels[0], now)
                notice.status, notice.channel = "done", channels[0]
                result.prepared += 1


def superseded_now(session: Session, donation_id, stage: str, occurred_at: datetime | None,
                   notice_id: int | None = None) -> bool:
    """Has newer news of this donation overtaken this notice? (domain.superseded)"""
    if occurred_at is None:
        return False
    others = session.execute(select(Notice.stage, Notice.occurred_at).where(
        Notice.donation_id == donation_id, Notice.id != (notice_id or -1))).all()
    return superseded(stage, occurred_at, [(s, at) for s, at in others])


def _drop(notice: Notice, reason: str, result: DeliveryResult) -> None:
    notice.status, notice.reason = "dropped", reason
    result.dropped += 1


def _new_message(session: Session, notice: Notice, contact: Contact, channel: str, now: datetime) -> bool:
    due = _earliest_send(now, channel)
    return db.insert_ignoring_duplicates(session, Message.__table__, {
        "notice_id": notice.id, "donation_id": notice.donation_id, "stage": notice.stage,
        "channel": channel, "recipient_hash": recipient_hash(address(contact, channel)),
        "status": "pending", "attempts": 0, "next_attempt_at": due,
        "held_reason": "quiet_hours" if due > now else None, "created_at": now})


# --- messages → channels ------------------------------------------------------------------

STALE_ERROR = "outcome unknown: the worker stopped while sending"


def release_stale(now: datetime) -> int:
    """A message left `sending` by a worker that died mid-send is tried again. The server may
    have taken it already: the one way a letter can arrive twice (with the same Message-ID)."""
    with db.session_scope(SERVICE) as session:
        return session.execute(update(Message).where(
            Message.status == "sending", Message.next_attempt_at <= now - settings().stale_after)
            .values(status="pending", last_error=STALE_ERROR)).rowcount


def _claim_next(now: datetime, result: DeliveryResult):
    """Claim the next due message and compose it, in one transaction. Returns (id, channel,
    outgoing) to send, True if a message was settled without sending (no contact, a compose
    error), or None when nothing is due."""
    with db.session_scope(SERVICE) as session:
        message = session.scalar(_skip_locked(select(Message).where(
            Message.status == "pending", Message.next_attempt_at <= now)
            .order_by(Message.next_attempt_at, Message.id).limit(1), session))
        if message is None:
            return None
        message.status, message.attempts = "sending", message.attempts + 1
        message.next_attempt_at, message.held_reason = now, None
        contact = session.get(Contact, message.donation_id)
        if contact is None:
            _finish(session, message, "failed", "the donor was erased", result, now)
            return True
        try:
            outgoing = compose.compose(session, message, contact)
        except Exception as exc:  # a template or data problem: no retry will fix it
            log.exception("message.compose_failed", message_id=message.id)
            _finish(session, message, "failed", f"compose: {type(exc).__name__}: {exc}", result, now)
            return True
        return message.id, message.channel, outgoing


def send_due(now: datetime, result: DeliveryResult, senders, deadline: float | None = None) -> None:
    release_stale(now)
    while deadline is None or time.monotonic() < deadline:
        claimed = _claim_next(now, result)
        if claimed is None:
            return
        if claimed is True:
            continue
        message_id, channel, outgoing = claimed
        # The send itself happens outside any transaction.
        try:
            provider_id = senders.send(channel, outgoing)
            error, permanent, retry_after = None, False, None
        except RetryLater as exc:
            error, permanent, retry_after = str(exc), False, exc.retry_after
        except TemporaryFailure as exc:
            error, permanent, retry_after = str(exc), False, None
        except PermanentFailure as exc:
            error, permanent, retry_after = str(exc), True, None
        if error is not None:
            error = scrub(error, outgoing.to)
        _record_send(message_id, outgoing, provider_id if error is None else None,
                     error, permanent, retry_after, result, now)


def _record_send(message_id: int, outgoing, provider_id, error: str | None, permanent: bool,
                 retry_after: float | None, result: DeliveryResult, now: datetime) -> None:
    with db.session_scope(SERVICE) as session:
        # Locked, then checked: an erasure that ran while we were sending keeps its wipe.
        message = session.get(Message, message_id, with_for_update=True, populate_existing=True)
        if not erased(session, message):
            message.subject, message.text = outgoing.subject, outgoing.text
        message.encoding, message.segments = outgoing.encoding, outgoing.segments
        if error is None:
            message.provider_id = str(provider_id)[:200] if provider_id else None
            _finish(session, message, "sent", None, result, now)
            return
        s = settings()
        if not permanent and message.attempts < s.max_attempts:
            delay = retry_after if retry_after is not None else backoff(message.attempts, s.retry_seconds, s.max_backoff)
            message.status, message.last_error = "pending", error[:2000]
            retry_at = now + timedelta(seconds=delay)
            # A retry that would land in quiet hours waits for the morning too.
            message.next_attempt_at = _earliest_send(retry_at, message.channel)
            if message.next_attempt_at > retry_at:
                message.held_reason = "quiet_hours"
            result.retried += 1
            log.info("message.retry", message_id=message_id, channel=message.channel,
                     attempts=message.attempts, in_seconds=delay, error=error)
            return
        _finish(session, message, "failed", error, result, now)
        contact = session.get(Contact, message.donation_id)
        if contact is not None:
            _fall_back(session, message, contact, result, now)


def erased(session: Session, message: Message) -> bool:
    """The donor of this message asked to be forgotten (erase_log ran for it)."""
    return message.recipient_hash.startswith("erased:") or session.get(Contact, message.donation_id) is None


def scrub(error: str, address: str | None) -> str:
    """A provider's error may quote the address (an SMTP refusal does): the log keeps none."""
    return error.replace(address, "<recipient>") if address else error


def _finish(session: Session, message: Message, status: str, error: str | None,
            result: DeliveryResult, now: datetime) -> None:
    message.status = status
    if not (status == "sent" and message.last_error == STALE_ERROR):  # kept: it may have gone twice
        message.last_error = error[:2000] if error else None
    if status == "sent":
        message.sent_at = now
        result.sent += 1
        result.sent_ids.append(message.id)
    else:
        result.failed += 1
        log.warning("message.failed", message_id=message.id, channel=message.channel, error=error)
    add_event(session, "notifications.message_delivered", {
        "donation_id": message.donation_id, "message_id": message.id,
        "stage": message.stage, "channel": message.channel, "status": status,
        "at": now}, producer=SERVICE)


def _fall_back(session: Session, message: Message, contact: Contact, result: DeliveryResult,
               now: datetime) -> None:
    """After the last try on one channel, the donor's next channel gets the message."""
    channels = usable_channels(contact)
    later = channels[channels.index(message.channel) + 1:] if message.channel in channels else channels
    tried = set(session.scalars(select(Message.channel).where(Message.notice_id == message.notice_id)))
    for channel in later:
        if channel not in tried:
            notice = session.get(Notice, message.notice_id)
            if _new_message(session, notice, contact, channel, now):
                notice.channel = channel
                result.fallbacks += 1
            return


# --- what handlers call ---------------------------------------------------------------------

def batch_window_notice(session: Session, donation_id, stage: str, window: timedelta, now: datetime) -> None:
    """Join the open batch of this donation and stage, or open the next one.

    The open notice is locked while joining, so the loop cannot close it between our look and
    our commit. The next batch's number counts only *closed* batches: two handlers that both
    missed a batch another one has just opened (it was not committed when they looked) then
    name the same batch, and the unique key keeps one. (Counting all batches made the second
    one batch 2 — found by bench/notify.py: one donor in fifty got two letters.)"""
    mine = (Notice.donation_id == donation_id, Notice.stage == stage, Notice.batch > 0)
    open_batch = session.scalar(select(Notice).where(*mine, Notice.status == "pending")
                                .order_by(Notice.id.desc()).limit(1).with_for_update())
    if open_batch is not None:
        return
    closed = session.scalar(select(func.count()).select_from(Notice).where(*mine, Notice.status != "pending"))
    db.insert_ignoring_duplicates(session, Notice.__table__, {
        "donation_id": donation_id, "stage": stage, "batch": closed + 1, "details": {},
        "status": "pending", "created_at": now, "send_after": now + window})


def copy_fact(session: Session, payload: dict, stage: str, at: datetime) -> bool:
    return db.insert_ignoring_duplicates(session, CopyFact.__table__, {
        "donation_id": payload["donation_id"], "stage": stage, "copy_code": payload["copy_code"],
        "centre_code": payload.get("centre_code"), "centre_name": payload.get("centre_name"),
        "settlement": payload.get("settlement"), "oblast": payload.get("oblast"), "at": at})


def erase_log(session: Session, donation_ids: list) -> None:
    """The donor is forgotten: no text, no recipient hash, nothing pending for them."""
    session.execute(update(Message).where(Message.donation_id.in_(donation_ids)).values(
        text=None, subject=None, recipient_hash=literal("erased:", String) + cast(Message.id, String)))
    session.execute(update(Message).where(
        Message.donation_id.in_(donation_ids),
        or_(Message.status == "pending", Message.status == "sending", Message.last_error.is_not(None))).values(
        status=case((Message.status.in_(("pending", "sending")), "failed"), else_=Message.status),
        last_error="the donor was erased"))
