"""A network that runs without a person watching it: beat stopped, two beats at once, a worker
that stays up but consumes nothing — on real processes.

Run alone with: .venv/bin/python -m pytest tests/e2e/test_watchdog.py -s
"""
from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import func, select

from services.donations.schemas import DonationIn
from shared import db
from shared.models import OutboxEvent, ProcessedEvent
from shared.processes import beat_command
from shared.testing import wait_for
from shared.testing.network import Process, stays
from tests.samples import offer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def network_env(e2e_env):
    return dict(e2e_env, BEAT_SILENT_SECONDS="3", WORKER_STALL_SECONDS="6")


@pytest.fixture(scope="module")
def network(network_env, tmp_path_factory, request):
    from shared.testing.network import Network

    net = Network(network_env, tmp_path_factory.mktemp("network"), beat=False)
    net.start()
    yield net
    net.stop()
    if request.session.testsfailed:
        print(net.logs())


def offer_without_nudge(monkeypatch, email: str) -> uuid.UUID:
    """An offer whose events stay pending, as if its process died right after commit: only a
    sweep will send them."""
    from services.donations.services import offer_donation

    monkeypatch.setattr("shared.outbox.relay._publishers", {})
    body = offer()
    body["donor"]["email"] = email
    donation = offer_donation(DonationIn().load(body)).donation
    monkeypatch.undo()
    return donation.id


def handled_by_catalog(donation_id) -> bool:
    with db.session_scope("donations") as session:
        event_id = session.scalar(select(OutboxEvent.event_id).where(
            OutboxEvent.event_type == "donations.donation_offered",
            OutboxEvent.envelope["payload"]["donation_id"].as_string() == str(donation_id)))
    with db.session_scope("catalog") as session:
        return bool(session.scalar(select(func.count()).select_from(ProcessedEvent).where(
            ProcessedEvent.event_id == event_id)))


def status(network) -> dict:
    import os

    from shared.status import network_status

    saved = {k: os.environ.get(k) for k in ("CATALOG_URL", "DONATIONS_URL", "NOTIFICATIONS_URL")}
    os.environ.update({k: network.env[k] for k in saved})
    try:
        return network_status()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_without_beat_the_workers_sweep_and_write_to_donors(network, monkeypatch, smtp_server):
    email = f"no-beat-{uuid.uuid4().hex[:6]}@example.com"
    donation_id = offer_without_nudge(monkeypatch, email)
    wait_for(lambda: handled_by_catalog(donation_id), timeout=30, message="swept without beat")
    wait_for(lambda: smtp_server.mailbox.to(email), timeout=30, message="the donor's letter without beat")
    report = status(network)
    assert report["beat"].startswith("silent")
    assert all(info["round_trip"].endswith(" ms") for info in report["services"].values()), report


def test_two_beats_at_once_write_each_letter_once(network, monkeypatch, smtp_server):
    beats = [Process(f"beat-{n}", beat_command(str(network.log_dir / f"beat-{n}.schedule")),
                     network.env, network.log_dir).start() for n in range(2)]
    try:
        wait_for(lambda: status(network)["beat"] == "alive", timeout=30, message="beat heard")
        emails = [f"two-beats-{n}-{uuid.uuid4().hex[:6]}@example.com" for n in range(4)]
        for email in emails:
            offer_without_nudge(monkeypatch, email)
        wait_for(lambda: all(smtp_server.mailbox.to(e) for e in emails), timeout=60, message="letters")
        assert stays(lambda: all(len(smtp_server.mailbox.to(e)) == 1 for e in emails), 6)
    finally:
        for beat in beats:
            beat.stop()


def test_a_worker_that_consumes_nothing_while_its_queue_grows_exits_to_be_restarted(network, monkeypatch):
    from celery import Celery

    worker = network.worker("catalog")
    app = Celery("bookcross.test", broker=network.env["REDIS_URL"], set_as_current=False)
    # The symptom of celery#10205: alive, answering pings, consuming nothing.
    app.control.cancel_consumer("catalog", destination=[worker.hostname], reply=True, timeout=5)
    assert app.control.ping(destination=[worker.hostname], timeout=2)
    donation_id = offer_without_nudge(monkeypatch, f"stalled-{uuid.uuid4().hex[:6]}@example.com")
    started = time.monotonic()
    wait_for(lambda: not worker.alive(), timeout=60, message="the stalled worker exits")
    print(f"\nworker consuming nothing exited {time.monotonic() - started:.1f}s after its queue filled")
    assert "watchdog.consumes_nothing" in worker.log()
    network.start_worker("catalog")  # what its supervisor does
    network.wait_worker_ready("catalog")
    wait_for(lambda: handled_by_catalog(donation_id), timeout=60, message="handled by the fresh worker")
    app.close()
