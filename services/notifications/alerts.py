"""Alerts to staff: a copy that arrived at the wrong centre. They go to one mailbox,
STAFF_ALERTS_EMAIL (the hub's and centres' shared inbox); with none set they are kept in the
database and marked `skipped`, visible to admins in the log."""
from __future__ import annotations

import os
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications.channels import PermanentFailure, TemporaryFailure
from services.notifications.channels.email import Email
from services.notifications.models import StaffAlert
from shared import codes, db

SERVICE = "notifications"


def add(session: Session, kind: str, key: str, details: dict) -> None:
    db.insert_ignoring_duplicates(session, StaffAlert.__table__, {
        "kind": kind, "key": key, "details": {k: str(v) for k, v in details.items()},
        "status": "pending"})


def _text(alert: StaffAlert) -> tuple[str, str]:
    d = alert.details
    code = codes.display(d.get("copy_code", ""), codes.COPY_GROUP)
    expected = d.get("expected_centre_code") or "хаб"
    subject = f"Книжка {code} прийшла не туди: {d.get('settlement')}, {d.get('centre_code')}"
    text = (f"Книжку {code} проскановано в центрі {d.get('centre_name')} ({d.get('settlement')}), "
            f"а їхала вона до: {expected}.\n"
            f"На сторінці сканування центру можна одним натиском залишити її там або відправити далі.\n\n"
            f"Copy {code} was scanned at {d.get('centre_code')}, but it was on its way to {expected}. "
            f"The centre's scan page keeps it or sends it on with one click.")
    return subject, text


def send_pending(senders, now: datetime) -> int:
    mailbox = os.environ.get("STAFF_ALERTS_EMAIL")
    sent = 0
    with db.session_scope(SERVICE) as session:
        pending = session.scalars(select(StaffAlert).where(StaffAlert.status == "pending")
                                  .order_by(StaffAlert.id).limit(50)).all()
        work = [(a.id, *_text(a)) for a in pending]
        if not mailbox:
            for alert in pending:
                alert.status = "skipped"
            return 0
    for alert_id, subject, text in work:
        try:
            if senders.email is None:
                raise PermanentFailure("the email channel is not configured")
            senders.email.send(Email(to=mailbox, subject=subject, text=text, html=f"<pre>{text}</pre>",
                                     unsubscribe_url=f"mailto:{mailbox}"))
            status, error = "sent", None
        except TemporaryFailure as exc:
            status, error = "pending", str(exc)
        except PermanentFailure as exc:
            status, error = "failed", str(exc)
        with db.session_scope(SERVICE) as session:
            alert = session.get(StaffAlert, alert_id)
            alert.status, alert.last_error = status, error
            if status == "sent":
                alert.sent_at = now
                sent += 1
        if status == "pending":
            break  # the server is away: the next tick tries again
    return sent
