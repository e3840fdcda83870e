"""Who hears what: the one subscription table of the network.

Every service has one queue (its name) and one consume task; the relay sends
each outbox event to the queue of every subscriber listed here.
"""
from __future__ import annotations

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "donations.donation_offered": ("catalog", "notifications"),
    "donations.donor_contact_changed": ("notifications",),
    "donations.pickup_scheduled": ("notifications", "catalog"),
    "donations.pickup_rescheduled": ("notifications",),
    "donations.pickup_failed": ("notifications", "catalog"),
    "donations.donation_cancelled": ("catalog", "notifications"),
    "donations.donor_erased": ("notifications", "catalog"),
    "donations.donation_collected": ("catalog", "notifications"),
    "catalog.donation_at_hub": ("donations", "notifications"),
    "catalog.copy_catalogued": ("donations", "notifications"),
    "catalog.copy_withdrawn": ("donations",),
    "catalog.copy_misrouted": ("notifications",),
    "catalog.copy_shelved": ("donations", "notifications"),
    "catalog.copy_moved": ("donations",),
    "catalog.copy_sent_on": (),
    "catalog.copy_taken": ("donations", "notifications"),
    "catalog.copy_noted": ("notifications", "donations"),
    "notifications.message_delivered": ("donations", "catalog"),
    "bus.event_dead_lettered": ("notifications",),
    "catalog.shipment_dispatched": ("donations", "notifications"),
    "catalog.staff_account_changed": ("donations", "notifications"),
    # The reports read model (catalog) hears these; no personal data in either. (Catalog's own
    # copy changes it counts from catalog's records, `reports.catch_up`, not from the bus.)
    "donations.feedback_given": ("catalog",),
    "notifications.channels_changed": ("catalog",),
    "catalog.copies_allocated": (),
    "catalog.copy_arrived": (),
    "catalog.shipment_closed": ("notifications",),
    # The consultation assistant (donations): questions from Telegram come in through
    # notifications and answers go back through it; the reports count the response times;
    # catalog tells the assistant where books are needed.
    "notifications.question_received": ("donations",),
    "donations.assistant_replied": ("notifications",),
    "donations.question_asked": ("catalog",),
    "donations.question_answered": ("catalog",),
    "catalog.needs_changed": ("donations",),
    # Published for the record (the outbox keeps it; `bookcross events replay` can send it
    # to a subscriber added later). Nobody needs it today, so the relay only marks it sent.
    "catalog.shelf_opened": (),
}


def subscribers_of(event_type: str) -> tuple[str, ...]:
    return SUBSCRIPTIONS.get(event_type, ())


def subscriptions_of(service: str) -> set[str]:
    return {event for event, subs in SUBSCRIPTIONS.items() if service in subs}


def consume_task_name(service: str) -> str:
    return f"bookcross.{service}.consume"


def relay_task_name(service: str) -> str:
    return f"bookcross.{service}.relay"


def probe_task_name(service: str) -> str:
    return f"bookcross.{service}.probe"


def prune_task_name(service: str) -> str:
    return f"bookcross.{service}.prune"


def relay_queue(service: str) -> str:
    # The sweep has its own queue so a backlog of events never delays it.
    return f"{service}.relay"
