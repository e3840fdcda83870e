"""What notifications does when it hears other services' events."""
from __future__ import annotations

import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.notifications import alerts, assistant_inbox, config, delivery
from services.notifications.models import Contact, DonorGuard, ErasedDonor, Message, Notice, StaffAlert, TelegramLink
from shared import db, staff_identity
from shared.bus.consumer import Handlers
from shared.erasure import scrub_contact_events, scrub_text
from shared.models import DeadLetter, utcnow


def _notice(session: Session, donation_id, stage: str, occurred_at=None, *, occasion_at=None, **details) -> None:
    """At most one notice per donation and stage (and occasion), whatever arrives twice. News of
    a pickup that something newer has overtaken is kept, but never told."""
    values = {"donation_id": donation_id, "stage": stage, "occasion_at": occasion_at, "details": details,
              "status": "pending", "created_at": utcnow(), "send_after": utcnow(), "occurred_at": occurred_at}
    if occurred_at is not None and delivery.superseded_now(session, donation_id, stage, occurred_at):
        values.update(status="dropped", reason="superseded by newer news")
    db.insert_ignoring_duplicates(session, Notice.__table__, values)


def _donor_guard(session: Session, donor_id) -> DonorGuard:
    """Lock the donor's guard row (made on first use). A contact change and an erasure of one
    donor take this lock first, so they run one after the other, never interleaved. On
    PostgreSQL a twin inserting the same row waits for the first to commit; SQLite has one
    writer at a time anyway."""
    db.insert_ignoring_duplicates(session, DonorGuard.__table__, {"donor_id": donor_id})
    return session.scalar(select(DonorGuard).where(DonorGuard.donor_id == donor_id)
                          .with_for_update().execution_options(populate_existing=True))


def contact_is_newer(guard: DonorGuard, sequence: int | None, occurred_at) -> bool:
    """Events can overtake each other: a change is applied only if it is newer than the last one
    applied for this donor — by the producer's sequence when it sends one, else by time."""
    if sequence is not None and guard.contact_sequence is not None:
        return sequence > guard.contact_sequence
    if guard.contact_as_of is None:
        return True
    return occurred_at > guard.contact_as_of


def on_donor_contact_changed(session: Session, event: dict) -> None:
    p = event["payload"]
    guard = _donor_guard(session, p["donor_id"])
    if guard.erased_at is not None or session.get(ErasedDonor, p["donor_id"]) is not None:
        return  # forgotten on request; this event was only late
    if not contact_is_newer(guard, p.get("sequence"), event["occurred_at"]):
        return  # an older change that arrived after a newer one
    guard.contact_sequence = p.get("sequence") if p.get("sequence") is not None else guard.contact_sequence
    guard.contact_as_of = max(filter(None, (guard.contact_as_of, event["occurred_at"])))
    contact = session.get(Contact, p["donation_id"])
    if contact is None:
        contact = Contact(donation_id=p["donation_id"])
        session.add(contact)
    contact.donor_id = p["donor_id"]
    contact.tracking_code = p["tracking_code"]
    contact.name, contact.email, contact.phone = p["name"], p["email"], p["phone"]
    contact.language, contact.latin, contact.channels = p["language"], p["latin"], p["channels"]
    contact.unsubscribed = contact.unsubscribed or []
    # A donor who connected Telegram for an earlier donation is reached there for this one too.
    known_chat = session.scalar(select(Contact.telegram_chat_id).where(
        Contact.donor_id == p["donor_id"], Contact.telegram_chat_id.is_not(None)).limit(1))
    if known_chat and not contact.telegram_chat_id:
        contact.telegram_chat_id = known_chat
        contact.channels = ["telegram", *[c for c in contact.channels if c != "telegram"]]
    contact.updated_at = utcnow()


def on_donation_offered(session: Session, event: dict) -> None:
    p = event["payload"]
    _notice(session, p["donation_id"], "offered", event["occurred_at"], count=p["declared_count"])


def _pickup_window_notice(session: Session, event: dict, stage: str) -> None:
    """One notice per window: a new time is news, the same time heard twice is not."""
    p = event["payload"]
    _notice(session, p["donation_id"], stage, event["occurred_at"], occasion_at=p["scheduled_start"],
            start=p["scheduled_start"].isoformat(), end=p["scheduled_end"].isoformat())


def on_pickup_scheduled(session: Session, event: dict) -> None:
    _pickup_window_notice(session, event, "pickup_scheduled")


def on_donation_collected(session: Session, event: dict) -> None:
    p = event["payload"]
    _notice(session, p["donation_id"], "collected", event["occurred_at"], count=p["collected_count"],
            declared=p["declared_count"])


def on_donation_at_hub(session: Session, event: dict) -> None:
    p = event["payload"]
    _notice(session, p["donation_id"], "at_hub", event["occurred_at"], count=p["expected_count"])


def on_pickup_rescheduled(session: Session, event: dict) -> None:
    _pickup_window_notice(session, event, "pickup_rescheduled")


def on_pickup_failed(session: Session, event: dict) -> None:
    p = event["payload"]
    _notice(session, p["donation_id"], "pickup_failed", event["occurred_at"], occasion_at=event["occurred_at"],
            reason=p["reason"])


def on_donation_cancelled(session: Session, event: dict) -> None:
    p = event["payload"]
    _notice(session, p["donation_id"], "cancelled", event["occurred_at"], by=p["by"], reason=p["reason"])


def on_donor_erased(session: Session, event: dict) -> None:
    """Delete every contact of the donor and wipe the log of them; notices keep no personal
    data and stay (the counts are statistics)."""
    p = event["payload"]
    guard = _donor_guard(session, p["donor_id"])
    guard.erased_at = guard.erased_at or utcnow()
    assistant_inbox.forget_donor(session, p["donor_id"], p["donation_ids"])  # their chats with the assistant
    mine = (Contact.donor_id == p["donor_id"]) | Contact.donation_id.in_(p["donation_ids"])
    # What to look for in free-text columns (errors, alerts) before the contacts go.
    personal = {value for contact in session.scalars(select(Contact).where(mine))
                for value in (contact.email, contact.phone, contact.name, contact.telegram_chat_id) if value}
    session.execute(delete(Contact).where(mine))
    session.execute(delete(TelegramLink).where(TelegramLink.donor_id == p["donor_id"]))
    delivery.erase_log(session, p["donation_ids"])
    scrub_contact_events(session, [p["donor_id"]])
    _scrub_free_text(session, personal)
    db.insert_ignoring_duplicates(session, ErasedDonor.__table__,
                                  {"donor_id": p["donor_id"], "erased_at": utcnow()})


def _scrub_free_text(session: Session, personal: set[str]) -> None:
    """Errors and alerts are free text a provider or a handler wrote: cut the person out."""
    if not personal:
        return
    for alert in session.scalars(select(StaffAlert)):
        details = json.loads(scrub_text(json.dumps(alert.details, ensure_ascii=False), personal))
        if details != alert.details or scrub_text(alert.last_error, personal) != alert.last_error:
            alert.details, alert.last_error = details, scrub_text(alert.last_error, personal)
    for letter in session.scalars(select(DeadLetter)):
        if scrub_text(letter.error, personal) != letter.error:
            letter.error = scrub_text(letter.error, personal)
    for message in session.scalars(select(Message).where(Message.last_error.is_not(None))):
        if scrub_text(message.last_error, personal) != message.last_error:
            message.last_error = scrub_text(message.last_error, personal)


def _per_copy(stage: str):
    """Per-copy news is gathered: the copy is noted, and the donation's open batch for this
    stage (one message per window) is joined or opened."""
    def handle(session: Session, event: dict) -> None:
        payload = event["payload"]
        if delivery.copy_fact(session, payload, stage, event["occurred_at"]):
            delivery.batch_window_notice(session, payload["donation_id"], stage, config.batch_window(), utcnow())
    return handle


def on_copy_misrouted(session: Session, event: dict) -> None:
    """A copy arrived at the wrong centre: the staff of that centre are told (if an address
    for staff alerts is set), once per copy and centre."""
    p = event["payload"]
    alerts.add(session, "misrouted", f"{p['copy_code']}@{p['centre_code']}", p)


def watch_pickup(session: Session, event: dict) -> None:
    """Staff hear of a pickup that is neither done nor failed by the end of its window."""
    p, at = event["payload"], event["occurred_at"]
    key = f"pickup:{p['donation_id']}"
    if event["type"] in ("donations.pickup_scheduled", "donations.pickup_rescheduled"):
        alerts.watch(session, key, "pickup", at, open_=True,
                     due_at=p["scheduled_end"] + config.pickup_grace(), donation_id=str(p["donation_id"]))
    else:  # collected, failed (it will be rescheduled or cancelled), cancelled
        alerts.watch(session, key, "pickup", at, open_=False)


def watch_shipment(session: Session, event: dict) -> None:
    """Staff hear of a shipment not closed as received within NOTIFY_SHIPMENT_DAYS."""
    p, at = event["payload"], event["occurred_at"]
    key = f"shipment:{p['shipment_id']}"
    if event["type"] == "catalog.shipment_dispatched":
        alerts.watch(session, key, "shipment", at, open_=True, due_at=at + config.shipment_days(),
                     **{k: str(p.get(k)) for k in ("shipment_id", "centre_code", "centre_name", "settlement",
                                                   "carrier_tracking")})
    else:
        alerts.watch(session, key, "shipment", at, open_=False)


def on_event_dead_lettered(session: Session, event: dict) -> None:
    p = event["payload"]
    alerts.add(session, "dead_letter", f"dead:{p['service']}:{p['dead_event_id']}", p)


def on_staff_account_changed(session: Session, event: dict) -> None:
    staff_identity.apply(session, event["payload"])


# event type → {consumer name: handler}. The names are the idempotency keys in
# `processed_events` (as `notifications.<name>`): never rename one, or events handled before
# would be handled again.
HANDLERS: Handlers = {
    "catalog.staff_account_changed": {"on_staff_account_changed": on_staff_account_changed},
    "donations.donor_contact_changed": {"on_donor_contact_changed": on_donor_contact_changed},
    "donations.donation_offered": {"on_donation_offered": on_donation_offered},
    "donations.pickup_scheduled": {"on_pickup_scheduled": on_pickup_scheduled, "watch_pickup": watch_pickup},
    "donations.donation_collected": {"on_donation_collected": on_donation_collected, "watch_pickup": watch_pickup},
    "catalog.donation_at_hub": {"on_donation_at_hub": on_donation_at_hub},
    "donations.pickup_rescheduled": {"on_pickup_rescheduled": on_pickup_rescheduled, "watch_pickup": watch_pickup},
    "donations.pickup_failed": {"on_pickup_failed": on_pickup_failed, "watch_pickup": watch_pickup},
    "donations.donation_cancelled": {"on_donation_cancelled": on_donation_cancelled, "watch_pickup": watch_pickup},
    "donations.donor_erased": {"on_donor_erased": on_donor_erased},
    "catalog.copy_catalogued": {"on_copy_catalogued": _per_copy("catalogued")},
    "catalog.copy_shelved": {"on_copy_on_shelves": _per_copy("on_shelves")},
    "catalog.copy_taken": {"on_copy_taken": _per_copy("taken")},
    "catalog.copy_noted": {"on_copy_noted": _per_copy("noted")},
    "catalog.copy_misrouted": {"on_copy_misrouted": on_copy_misrouted},
    "catalog.shipment_dispatched": {"watch_shipment": watch_shipment},
    "catalog.shipment_closed": {"watch_shipment": watch_shipment},
    "bus.event_dead_lettered": {"on_event_dead_lettered": on_event_dead_lettered},
    # The consultation assistant's answers, sent back to the chat or e-mail they are for.
    "donations.assistant_replied": {"on_assistant_replied": assistant_inbox.on_assistant_replied},
}
