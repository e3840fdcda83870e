"""A citizen's donation travels the running network: every service hears each event once."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from shared import db
from shared.models import OutboxEvent, ProcessedEvent
from shared.testing import wait_for
from tests.samples import offer

pytestmark = pytest.mark.e2e


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def processed(service: str) -> list[tuple[str, str]]:
    with db.session_scope(service) as session:
        return [(str(e), c) for e, c in session.execute(
            select(ProcessedEvent.event_id, ProcessedEvent.consumer))]


def outbox(service: str) -> list[OutboxEvent]:
    with db.session_scope(service) as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def test_offer_pickup_collection_reaches_catalog_and_notifications_exactly_once(
        network, control, logistics_token, admin_token):
    donations = network.url("donations")
    created = requests.post(f"{donations}/api/v1/donations", json=offer(), timeout=10)
    assert created.status_code == 201, created.text
    donation = created.json()

    window = {"scheduled_start": "2026-12-02T10:00:00+02:00", "scheduled_end": "2026-12-02T13:00:00+02:00"}
    scheduled = requests.post(f"{donations}/api/v1/donations/{donation['id']}/pickup", json=window,
                              headers=bearer(logistics_token), timeout=10)
    assert scheduled.status_code == 200, scheduled.text

    def told(stage: str):
        response = requests.get(f"{network.url('notifications')}/api/v1/messages",
                                params={"donation_id": donation["id"]},
                                headers=bearer(admin_token), timeout=5).json()
        return any(m["stage"].startswith(stage) and m["status"] == "sent" for m in response)

    # The pickup is done some time after it was scheduled; news of a pickup that the collection
    # has overtaken is never told (the test waits as the pickup team would).
    wait_for(lambda: told("pickup_scheduled"), timeout=30, message="the pickup time told")
    collected = requests.post(f"{donations}/api/v1/donations/{donation['id']}/collection",
                              json={"collected_count": 2}, headers=bearer(logistics_token), timeout=10)
    assert collected.status_code == 200, collected.text

    # catalog answers `donation_collected` with `donation_at_hub`, which donations shows the donor
    def timeline():
        body = requests.get(f"{donations}/api/v1/track/{donation['tracking_code']}", timeout=5).json()
        return body if [e["stage"] for e in body["timeline"]] == [
            "offered", "pickup_scheduled", "collected", "at_hub"] else None

    body = wait_for(timeline, timeout=30, message="tracking shows the hub")
    assert body["timeline"][-1]["text"] == "Книжки на сортувальному складі: 2 книжки чекають опису й наліпок."

    def notices():
        response = requests.get(f"{network.url('notifications')}/api/v1/notices",
                                params={"donation_id": donation["id"]},
                                headers=bearer(admin_token), timeout=5).json()
        return response if len(response) == 4 else None

    # The bus does not promise order between events: each stage is there once, whatever came first.
    stages = [n["stage"].split(":")[0] for n in wait_for(notices, timeout=30, message="notices")]
    assert sorted(stages) == sorted(["offered", "pickup_scheduled", "collected", "at_hub"])

    # The donor is told three of them (the hub's news follows "collected" and is not repeated).
    def sent():
        response = requests.get(f"{network.url('notifications')}/api/v1/messages",
                                params={"donation_id": donation["id"]},
                                headers=bearer(admin_token), timeout=5).json()
        return response if [m["status"] for m in response] == ["sent"] * 3 else None

    assert sorted(m["stage"].split(":")[0] for m in wait_for(sent, timeout=30, message="messages")) == \
        sorted(["offered", "pickup_scheduled", "collected"])

    # Every event that was written was relayed, and each subscriber handled it exactly once.
    from shared.bus.subscriptions import subscribers_of
    from tests.integration.test_consumer import SERVICE_HANDLERS

    producers = ("donations", "catalog", "notifications")
    wait_for(lambda: all(r.status == "sent" for p in producers for r in outbox(p)), timeout=20,
             message="every outbox row relayed")
    expected = []
    for producer in producers:
        for row in outbox(producer):
            assert row.status == "sent"
            if row.event_type == "catalog.staff_account_changed":
                continue  # the test's staff accounts, not the donation's journey
            for subscriber in subscribers_of(row.event_type):
                for name in SERVICE_HANDLERS[subscriber][row.event_type]:
                    expected.append((str(row.event_id), f"{subscriber}.{name}"))
    # contact→notifications; offered→catalog,notifications; pickup→notifications (+ its staff
    # watch); collected→catalog,notifications (+ the watch); at_hub→donations,notifications;
    # 3 × message_delivered→donations; and catalog's reports hear offered, pickup, collected
    # and the 3 message_delivered
    assert len(expected) == 13 + 6
    journey = {event_id for event_id, _ in expected}
    wait_for(lambda: sorted(p for s in ("catalog", "donations", "notifications") for p in processed(s)
                            if p[0] in journey) == sorted(expected), timeout=20, message="every event handled once")
    # Catalog ran its handler for both of its events; a handler that has to run again (a
    # transient conflict rolled it back) is allowed, a second effect is not (checked above).
    runs = control.lrange("test:runs", 0, -1)
    assert len({r.split("|")[0] for r in runs}) == 2
