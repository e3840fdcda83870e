"""Consumer names are idempotency keys: `processed_events` holds `(event_id, consumer)`.

The names below were in production when the names became explicit in each service's
`HANDLERS` table. A renamed consumer would handle again every event it handled before (a
redelivery, a replay), so this list only ever grows: a new handler adds its line. A consumer
retired on purpose moves to RETIRED, and its name is never given to another handler."""
from __future__ import annotations

import importlib

import pytest

from shared import config
from shared.bus.consumer import consumer_name

CONSUMERS = {
    "catalog": {
        "donations.donation_cancelled": ["catalog.on_donation_cancelled", "catalog.report_event"],
        "donations.donation_collected": ["catalog.on_donation_collected", "catalog.report_event"],
        "donations.question_asked": ["catalog.report_event"],
        "donations.question_answered": ["catalog.report_event"],
        "donations.donation_offered": ["catalog.on_donation_offered", "catalog.report_event"],
        "donations.donor_erased": ["catalog.report_event"],
        "donations.feedback_given": ["catalog.report_event"],
        "donations.pickup_failed": ["catalog.report_event"],
        "donations.pickup_scheduled": ["catalog.report_event"],
        "notifications.channels_changed": ["catalog.report_event"],
        "notifications.message_delivered": ["catalog.report_event"],
    },
    "donations": {
        "catalog.copy_catalogued": ["donations.on_copy_catalogued"],
        "catalog.copy_moved": ["donations.on_copy_moved"],
        "catalog.copy_noted": ["donations.on_copy_noted"],
        "catalog.copy_shelved": ["donations.on_copy_shelved"],
        "catalog.copy_taken": ["donations.on_copy_taken", "donations.on_copy_taken_news"],
        "catalog.copy_withdrawn": ["donations.on_copy_withdrawn"],
        "catalog.donation_at_hub": ["donations.on_donation_at_hub"],
        "catalog.needs_changed": ["donations.on_needs_changed"],
        "notifications.question_received": ["donations.on_question_received"],
        "catalog.shipment_dispatched": ["donations.on_shipment_dispatched"],
        "catalog.staff_account_changed": ["donations.on_staff_account_changed"],
        "notifications.message_delivered": ["donations.on_message_delivered"],
    },
    "notifications": {
        "bus.event_dead_lettered": ["notifications.on_event_dead_lettered"],
        "catalog.copy_catalogued": ["notifications.on_copy_catalogued"],
        "catalog.copy_misrouted": ["notifications.on_copy_misrouted"],
        "catalog.copy_noted": ["notifications.on_copy_noted"],
        "catalog.copy_shelved": ["notifications.on_copy_on_shelves"],
        "catalog.copy_taken": ["notifications.on_copy_taken"],
        "catalog.donation_at_hub": ["notifications.on_donation_at_hub"],
        "catalog.shipment_closed": ["notifications.watch_shipment"],
        "catalog.shipment_dispatched": ["notifications.watch_shipment"],
        "catalog.staff_account_changed": ["notifications.on_staff_account_changed"],
        "donations.donation_cancelled": ["notifications.on_donation_cancelled", "notifications.watch_pickup"],
        "donations.donation_collected": ["notifications.on_donation_collected", "notifications.watch_pickup"],
        "donations.donation_offered": ["notifications.on_donation_offered"],
        "donations.donor_contact_changed": ["notifications.on_donor_contact_changed"],
        "donations.donor_erased": ["notifications.on_donor_erased"],
        "donations.assistant_replied": ["notifications.on_assistant_replied"],
        "donations.pickup_failed": ["notifications.on_pickup_failed", "notifications.watch_pickup"],
        "donations.pickup_rescheduled": ["notifications.on_pickup_rescheduled", "notifications.watch_pickup"],
        "donations.pickup_scheduled": ["notifications.on_pickup_scheduled", "notifications.watch_pickup"],
    },
}


# Catalog's reports once heard catalog's own copy, allocation and shipment events over the bus;
# they now count those changes in the transaction that makes them (`move_copies`).
RETIRED = {"catalog.report_copy", "catalog.report_allocation", "catalog.report_shipment"}


@pytest.mark.parametrize("service", config.SERVICES)
def test_a_retired_name_is_not_given_to_another_handler(service):
    handlers = importlib.import_module(f"services.{service}.handlers").HANDLERS
    names = {consumer_name(service, name) for table in handlers.values() for name in table}
    assert not names & RETIRED


@pytest.mark.parametrize("service", config.SERVICES)
def test_every_consumer_keeps_its_name(service):
    handlers = importlib.import_module(f"services.{service}.handlers").HANDLERS
    names = {event: [consumer_name(service, name) for name in table] for event, table in handlers.items()}
    for event, known in CONSUMERS[service].items():
        assert set(known) <= set(names.get(event, [])), event


@pytest.mark.parametrize("service", config.SERVICES)
def test_one_name_one_handler(service):
    """A name stands for one function, whichever events it hears."""
    handlers = importlib.import_module(f"services.{service}.handlers").HANDLERS
    seen: dict[str, object] = {}
    for table in handlers.values():
        for name, handler in table.items():
            assert seen.setdefault(name, handler) is handler, name
