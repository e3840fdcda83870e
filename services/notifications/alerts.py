"""Alerts to staff: a copy that arrived at the wrong centre, a pickup not done by the end of
its window (+ NOTIFY_PICKUP_GRACE_HOURS), a shipment not closed as received within
NOTIFY_SHIPMENT_DAYS, an event the bus gave up on (a dead letter). They go to one mailbox,
STAFF_ALERTS_EMAIL (the hub's and centres' shared inbox); with none set they are kept in the
database and marked `skipped`."""
from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.notifications import config
from services.notifications.channels import PermanentFailure, TemporaryFailure
from services.notifications.channels.email import Email
from services.notifications.models import StaffAlert, Watch
from shared import codes, db
from shared.i18n import kyiv_time

SERVICE = "notifications"


def add(session: Session, kind: str, key: str, details: dict) -> None:
    db.insert_ignoring_duplicates(session, StaffAlert.__table__, {
        "kind": kind, "key": key, "details": {k: str(v) for k, v in details.items()},
        "status": "pending"})


def watch(session: Session, key: str, kind: str, at: datetime, *, open_: bool,
          due_at: datetime | None = None, **details) -> None:
    """Record the newest news of a watched thing; older news never wins."""
    db.insert_ignoring_duplicates(session, Watch.__table__, {
        "key": key, "kind": kind, "open": open_, "due_at": due_at, "details": details, "as_of": at})
    row = session.get(Watch, key, populate_existing=True, with_for_update=True)
    if row.as_of > at:
        return
    row.as_of, row.open = at, open_
    if due_at is not None and due_at != row.due_at:
        row.due_at, row.alerted_at = due_at, None
    if details:
        row.details = {**row.details, **details}


def raise_due(now: datetime) -> int:
    """Open watches past their time become alerts (once per due time)."""
    raised = 0
    with db.session_scope(SERVICE) as session:
        for row in session.scalars(select(Watch).where(
                Watch.open.is_(True), Watch.alerted_at.is_(None), Watch.due_at <= now).limit(100)):
            add(session, f"{row.kind}_overdue", f"{row.key}@{row.due_at.isoformat()}",
                {**row.details, "due_at": kyiv_time(row.due_at)})
            row.alerted_at = now
            raised += 1
    return raised


def _text(alert: StaffAlert) -> tuple[str, str]:
    d = alert.details
    if alert.kind == "pickup_overdue":
        return (f"Вивезення прострочене: пожертва {d.get('donation_id')}",
                f"Вивезення мало відбутися до {d.get('due_at')} (за Києвом), але книжки не позначено "
                f"забраними, а вивезення — невдалим. Перевірте дошку вивезень.\n\n"
                f"The pickup of donation {d.get('donation_id')} was due by {d.get('due_at')} (Kyiv time) "
                f"and is neither collected nor marked failed.")
    if alert.kind == "shipment_overdue":
        return (f"Відправлення №{d.get('shipment_id')} не отримано: {d.get('settlement')}, {d.get('centre_code')}",
                f"Відправлення №{d.get('shipment_id')} до {d.get('centre_name')} ({d.get('settlement')}) "
                f"досі не закрите як отримане (мало бути до {d.get('due_at')}). Трекінг перевізника: "
                f"{d.get('carrier_tracking') or '—'}.\n\n"
                f"Shipment {d.get('shipment_id')} to {d.get('centre_code')} is not received yet.")
    if alert.kind == "dead_letter":
        return (f"Подію не оброблено: {d.get('dead_event_type')} у {d.get('service')}",
                f"Сервіс {d.get('service')} після всіх спроб не зміг обробити подію {d.get('dead_event_type')} "
                f"({d.get('dead_event_id')}). Помилка: {d.get('error')}\n"
                f"Виправивши причину: bookcross events replay --service {d.get('service')} --dead-letters\n\n"
                f"{d.get('service')} gave up on {d.get('dead_event_type')} {d.get('dead_event_id')}.")
    code = codes.display(d.get("copy_code", ""), codes.COPY_GROUP)
    expected = d.get("expected_centre_code") or "хаб"
    subject = f"Книжка {code} прийшла не туди: {d.get('settlement')}, {d.get('centre_code')}"
    text = (f"Книжку {code} проскановано в центрі {d.get('centre_name')} ({d.get('settlement')}), "
            f"а їхала вона до: {expected}.\n"
            f"На сторінці сканування центру можна одним натиском залишити її там або відправити далі.\n\n"
            f"Copy {code} was scanned at {d.get('centre_code')}, but it was on its way to {expected}. "
            f"The centre's scan page keeps it or sends it on with one click.")
    return subject, text


def send_pending(senders, now: datetime, deadline: float | None = None) -> int:
    """Send pending alerts one at a time, each claimed (`sending`) in its own transaction
    before it goes: two ticks at once never mail one alert twice. An alert left `sending` by a
    worker that died mid-send goes again after NOTIFY_STALE_SECONDS."""
    mailbox = config.staff_alerts_mailbox()
    stale = config.delivery().stale_after
    sent = 0
    with db.session_scope(SERVICE) as session:
        session.execute(update(StaffAlert).where(
            StaffAlert.status == "sending", StaffAlert.claimed_at <= now - stale).values(status="pending"))
        if not mailbox:
            session.execute(update(StaffAlert).where(StaffAlert.status == "pending").values(status="skipped"))
            return 0
    while deadline is None or time.monotonic() < deadline:
        with db.session_scope(SERVICE) as session:
            query = select(StaffAlert).where(StaffAlert.status == "pending").order_by(StaffAlert.id).limit(1)
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            alert = session.scalar(query)
            if alert is None:
                return sent
            alert.status, alert.claimed_at = "sending", now
            alert_id, (subject, text) = alert.id, _text(alert)
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
