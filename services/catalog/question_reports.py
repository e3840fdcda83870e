"""The assistant's questions in the reports read model: how many people asked, how many got
their answer at once from the assistant, how many a person answered and how fast (the
response-time KPI), and who still waits. Fed by `donations.question_asked` and
`donations.question_answered` (no words, no asker), kept in the reports' event archive like
every other service's event, so `bookcross reports rebuild` makes them again.

Order-tolerant: an answer heard before its question is kept and completed when the question
comes; the earliest answer wins."""
from __future__ import annotations

import math
import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from services.catalog.assistant_models import ReportQuestion
from shared import db
from shared.i18n import KYIV

ASKED_FIELDS = ("question_id", "channel", "intent", "handed_over", "asked_at", "answered_at")
ANSWERED_FIELDS = ("question_id", "channel", "asked_at", "answered_at")
WAITING_LIMIT = 10


def _when(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _row(session, question_id) -> ReportQuestion:
    question_id = uuid.UUID(str(question_id))
    db.insert_ignoring_duplicates(session, ReportQuestion.__table__, {"question_id": question_id,
                                                                      "handed_over": False})
    return session.get(ReportQuestion, question_id, populate_existing=True, with_for_update=True)


def _settle(row: ReportQuestion) -> None:
    if row.asked_at is not None:
        row.month = row.asked_at.astimezone(KYIV).strftime("%Y-%m")
    if row.asked_at is not None and row.answered_at is not None:
        row.answer_s = max(int((row.answered_at - row.asked_at).total_seconds()), 0)


def apply_asked(store, p: dict, at: datetime) -> None:
    row = _row(store.session, p["question_id"])
    row.channel, row.intent, row.handed_over = p["channel"], p["intent"], bool(p["handed_over"])
    row.asked_at = _when(p["asked_at"])
    answered = _when(p.get("answered_at"))
    if answered is not None and (row.answered_at is None or answered < row.answered_at):
        row.answered_at, row.answered_by = answered, "assistant"
    _settle(row)


def apply_answered(store, p: dict, at: datetime) -> None:
    row = _row(store.session, p["question_id"])
    row.channel = row.channel or p["channel"]
    row.asked_at = row.asked_at or _when(p["asked_at"])
    row.handed_over = True
    answered = _when(p["answered_at"])
    if row.answered_at is None or row.answered_by != "staff" or answered < row.answered_at:
        row.answered_at, row.answered_by = answered, "staff"
    _settle(row)


# Added to the reports' FOREIGN events (reports.py): kept in the archive, then applied.
FOREIGN = {
    "donations.question_asked": (ASKED_FIELDS, apply_asked),
    "donations.question_answered": (ANSWERED_FIELDS, apply_answered),
}


def _percentile(values: list[int], p: int) -> int | None:
    if not values:
        return None
    values = sorted(values)
    return values[max(math.ceil(p / 100 * len(values)) - 1, 0)]


def figures(session, month: str | None) -> dict:
    """Per month: questions asked, answered at once by the assistant, handed to a person,
    answered by a person (median and p90 seconds from the question); who waits now."""
    rows = session.execute(select(ReportQuestion.month, ReportQuestion.handed_over, ReportQuestion.answered_by,
                                  ReportQuestion.answer_s, ReportQuestion.channel)
                           .where(ReportQuestion.month.is_not(None))).all()
    per_month: dict[str, dict] = defaultdict(lambda: {"asked": 0, "by_assistant": 0, "handed_over": 0,
                                                      "by_staff": 0, "staff_s": [], "by_channel": defaultdict(int)})
    for row_month, handed_over, answered_by, seconds, channel in rows:
        m = per_month[row_month]
        m["asked"] += 1
        m["by_channel"][channel or "?"] += 1
        m["handed_over"] += bool(handed_over)
        if answered_by == "assistant" and not handed_over:
            m["by_assistant"] += 1
        if answered_by == "staff" and seconds is not None:
            m["by_staff"] += 1
            m["staff_s"].append(seconds)
    months = []
    for name in sorted(per_month):
        m = per_month[name]
        months.append({"month": name, "asked": m["asked"], "by_assistant": m["by_assistant"],
                       "handed_over": m["handed_over"], "by_staff": m["by_staff"],
                       "staff_median_s": _percentile(m["staff_s"], 50), "staff_p90_s": _percentile(m["staff_s"], 90),
                       "by_channel": dict(m["by_channel"])})
    chosen = month if month in per_month else (months[-1]["month"] if months else None)
    waiting = [{"question_id": str(r.question_id), "channel": r.channel, "intent": r.intent, "asked_at": r.asked_at}
               for r in session.scalars(select(ReportQuestion).where(
                   ReportQuestion.handed_over.is_(True), ReportQuestion.answered_by.is_distinct_from("staff"),
                   ReportQuestion.asked_at.is_not(None)).order_by(ReportQuestion.asked_at).limit(WAITING_LIMIT))]
    waiting_total = session.scalar(select(func.count()).select_from(ReportQuestion).where(
        ReportQuestion.handed_over.is_(True), ReportQuestion.answered_by.is_distinct_from("staff")))
    return {"month": chosen, "months": months,
            "chosen": next((m for m in months if m["month"] == chosen), None),
            "waiting": waiting, "waiting_total": waiting_total}


# The dashboard's words for this section (uk, en).
TEXT = {
    "questions": ("Відповіді на питання", "Answers to questions"),
    "questions_intro": ("Помічник відповідає одразу; решту питань передає колегам. Час відповіді — від питання "
                        "до відповіді людини.",
                        "The assistant answers at once and passes the rest to colleagues. The response time runs "
                        "from the question to a person's answer."),
    "asked": ("Запитали", "Asked"), "by_assistant": ("Відповів помічник", "Answered by the assistant"),
    "handed_over": ("Передано людям", "Passed to people"), "by_staff": ("Відповіли люди", "Answered by people"),
    "staff_time": ("Час відповіді людини: медіана / p90", "A person's response time: median / p90"),
    "waiting_now": ("Чекають на відповідь зараз", "Waiting for an answer now"),
    "queue_link": ("Відкрити чергу питань", "Open the question queue"),
}
