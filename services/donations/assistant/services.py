"""The assistant's use cases. Each owns its transaction and writes its events to the outbox:
an answer to send back (`donations.assistant_replied`, to notifications only: it carries the
words) and the figures the reports count (`donations.question_asked`, `…question_answered`:
no words, no asker)."""
from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from services.donations import config
from services.donations.assistant import engine, replies
from services.donations.assistant.models import NeedsSnapshot, Question
from shared import db
from shared.models import OutboxEvent, utcnow
from shared.outbox import add_event

SERVICE = "donations"
MAX_QUESTION = 2000
MAX_ANSWER = 3000
QUEUE_RECENT = 20


class NotFound(Exception):
    pass


class AlreadyAnswered(Exception):
    pass


def keep_days() -> float:
    """How long a question's words, answers and the asker's e-mail are kept after the answer."""
    return config.assistant_keep_days()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def page_url(token: str, lang: str) -> str:
    return f"{config.public_url()}/ask/{token}?lang={lang}"


def _asked(session: Session, question: Question) -> None:
    add_event(session, "donations.question_asked", {
        "question_id": question.id, "channel": question.channel, "intent": question.intent,
        "language": question.language, "handed_over": question.handed_over, "asked_at": question.asked_at,
        "answered_at": question.answered_at}, producer=SERVICE)


@dataclass
class Asked:
    question: Question
    token: str
    answer: engine.Answer


def ask_on_web(text: str, *, email: str | None, language: str) -> Asked:
    """A question from the "Ask us" box: answered at once, or handed to the staff queue; either
    way the asker gets an unguessable link to reopen it."""
    text = text.strip()[:MAX_QUESTION]
    token = secrets.token_urlsafe(18)
    answer = engine.answer(text, channel="web", hint=language, page_url=page_url(token, language), email=email)
    now = utcnow()
    with db.session_scope(SERVICE) as session:
        question = Question(
            id=uuid.uuid4(), channel="web", language=answer.language, intent=answer.intent,
            status="waiting" if answer.handed_over else "answered", text=text, answer=answer.text,
            email=email, page_token_hash=token_hash(token), donor_id=answer.donor_id,
            donation_ids=[str(d) for d in answer.donation_ids], asked_at=now,
            answered_at=None if answer.handed_over else now, handed_over=answer.handed_over)
        session.add(question)
        _asked(session, question)
    return Asked(question, token, answer)


def on_question_received(session: Session, event: dict) -> None:
    """A question from the Telegram bot (via notifications): answered at once, the answer sent
    back to the same chat; a question for a person also goes to the staff queue."""
    p = event["payload"]
    if session.get(Question, p["question_id"]) is not None:
        return
    answer = engine.answer(p["text"], channel="telegram", hint=p.get("language_hint"),
                           known_donations=p.get("donation_ids") or [], session=session)
    now = utcnow()
    question = Question(
        id=p["question_id"], channel="telegram", conversation_id=p["conversation_id"], language=answer.language,
        intent=answer.intent, status="waiting" if answer.handed_over else "answered", text=p["text"][:MAX_QUESTION],
        answer=answer.text, donor_id=answer.donor_id or p.get("donor_id"),
        donation_ids=sorted({str(d) for d in [*answer.donation_ids, *(p.get("donation_ids") or [])]}),
        asked_at=p["received_at"], answered_at=None if answer.handed_over else now,
        handed_over=answer.handed_over)
    session.add(question)
    add_event(session, "donations.assistant_replied", {
        "question_id": question.id, "channel": "telegram", "conversation_id": question.conversation_id,
        "language": question.language, "text": answer.text[:4000],
        "kind": "handover" if answer.handed_over else "answer"}, producer=SERVICE,
        correlation_id=event.get("correlation_id"))
    _asked(session, question)


def on_needs_changed(session: Session, event: dict) -> None:
    """Catalog's newest word on where books are needed; an older one arriving late is ignored."""
    db.insert_ignoring_duplicates(session, NeedsSnapshot.__table__, {
        "id": 1, "payload": event["payload"], "as_of": event["occurred_at"]})
    row = session.get(NeedsSnapshot, 1, with_for_update=True, populate_existing=True)
    if row.as_of <= event["occurred_at"]:
        row.payload, row.as_of = event["payload"], event["occurred_at"]


# --- staff -----------------------------------------------------------------------------------------

def queue() -> tuple[list[Question], list[Question]]:
    """(Questions waiting for a person, oldest first; the last ones staff answered.)"""
    with db.session_scope(SERVICE) as session:
        waiting = list(session.scalars(select(Question).where(Question.status == "waiting")
                                       .order_by(Question.asked_at)))
        answered = list(session.scalars(select(Question).where(Question.staff_name.is_not(None))
                                        .order_by(Question.answered_at.desc()).limit(QUEUE_RECENT)))
        return waiting, answered


def answer_as_staff(question_id: uuid.UUID, text: str, *, staff_name: str) -> Question:
    """A person answers a waiting question: it goes back on the channel it came from — the
    Telegram chat, or the web asker's page (and their e-mail, if they left one)."""
    text = text.strip()[:MAX_ANSWER]
    if not text:
        raise ValueError("empty answer")
    with db.session_scope(SERVICE) as session:
        query = select(Question).where(Question.id == question_id)
        if not db.is_sqlite(session.get_bind()):
            query = query.with_for_update()
        question = session.scalar(query)
        if question is None:
            raise NotFound(question_id)
        if question.status != "waiting":
            raise AlreadyAnswered(question_id)
        now = utcnow()
        question.status, question.staff_answer, question.staff_name, question.answered_at = \
            "answered", text, staff_name, now
        words = replies.staff_answer(text, question.language)
        if question.channel == "telegram" and question.conversation_id:
            add_event(session, "donations.assistant_replied", {
                "question_id": question.id, "channel": "telegram", "conversation_id": question.conversation_id,
                "language": question.language, "text": words[:4000], "kind": "staff"}, producer=SERVICE)
        elif question.email:
            add_event(session, "donations.assistant_replied", {
                "question_id": question.id, "channel": "email", "email": question.email,
                "language": question.language, "kind": "staff",
                "text": (words + "\n\n" + replies._pick(question.language, "Ваше питання: ", "Your question: ")
                         + (question.text or ""))[:4000]}, producer=SERVICE)
        add_event(session, "donations.question_answered", {
            "question_id": question.id, "channel": question.channel, "asked_at": question.asked_at,
            "answered_at": now}, producer=SERVICE)
        return question


# --- the asker's page --------------------------------------------------------------------------------

def by_token(token: str) -> Question:
    with db.session_scope(SERVICE) as session:
        question = session.scalar(select(Question).where(Question.page_token_hash == token_hash(token)))
        if question is None:
            raise NotFound(token)
        return question


def forget_by_token(token: str) -> None:
    """The asker's own "forget me" on their question's page: the words, answers and e-mail go now."""
    with db.session_scope(SERVICE) as session:
        question = session.scalar(select(Question).where(Question.page_token_hash == token_hash(token)))
        if question is None:
            raise NotFound(token)
        _wipe(session, [question])


# --- forgetting ------------------------------------------------------------------------------------------

ERASED = "—"


def _wipe(session: Session, questions: list[Question]) -> None:
    now = utcnow()
    ids = {str(q.id) for q in questions}
    for question in questions:
        question.text = question.answer = question.staff_answer = question.email = None
        question.wiped_at = question.wiped_at or now
    if not ids:
        return
    # The answers on their way out carried the words and maybe the address.
    by_question = OutboxEvent.envelope["payload"]["question_id"].as_string().in_(ids)
    for row in session.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "donations.assistant_replied", by_question)):
        payload = {**row.envelope["payload"], "text": ERASED, "email": None}
        row.envelope = {**row.envelope, "payload": payload}
        flag_modified(row, "envelope")


def forget_donor(session: Session, donor_ids: list, donation_ids: list) -> int:
    """"Forget me" (erase_donor): every question of this person — asked from their Telegram
    chat, or naming one of their donations' codes."""
    donor_ids = [uuid.UUID(str(d)) for d in donor_ids]
    wanted = {str(d) for d in donation_ids}
    questions = list(session.scalars(select(Question).where(Question.wiped_at.is_(None))))
    mine = [q for q in questions if q.donor_id in donor_ids or wanted & set(q.donation_ids or [])]
    _wipe(session, mine)
    return len(mine)


def forget_old(now: datetime | None = None) -> int:
    """Questions answered more than ASSISTANT_KEEP_DAYS ago keep no words and no address."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days())
    with db.session_scope(SERVICE) as session:
        return session.execute(update(Question).where(
            Question.wiped_at.is_(None), Question.answered_at.is_not(None), Question.answered_at < cutoff)
            .values(text=None, answer=None, staff_answer=None, email=None, wiped_at=now or utcnow())).rowcount
