"""Notifications' delivery loop against a real SMTP server (aiosmtpd) and an SMS gateway
stand-in: once per stage, batching windows, quiet hours, backoff and fallback, unsubscribe,
erasure — on PostgreSQL and SQLite."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from services.notifications.app import create_app
from services.notifications.delivery import deliver_due
from services.notifications.handlers import HANDLERS
from services.notifications.models import Contact, Message, Notice
from shared import db
from shared.bus.consumer import handle
from shared.donor_links import unsubscribe_token
from shared.events import load_envelope
from shared.i18n import KYIV
from shared.models import OutboxEvent
from shared.testing.standin import StandInServer
from tests.conftest import auth
from tests.samples import sample_envelope
from tests.standins import SmsGatewayStandIn, SmtpServer

CENTRES = [{"centre_code": "1452", "centre_name": "ТСЦ 1452", "settlement": "Краматорськ", "oblast": "Донецька"},
           {"centre_code": "6341", "centre_name": "ТСЦ 6341", "settlement": "Харків", "oblast": "Харківська"},
           {"centre_code": "4641", "centre_name": "ТСЦ 4641", "settlement": "Львів", "oblast": "Львівська"}]


@pytest.fixture
def channels(databases, monkeypatch):
    gateway = SmsGatewayStandIn()
    with SmtpServer() as smtp, StandInServer(gateway) as sms:
        monkeypatch.setenv("SMTP_URL", smtp.url)
        monkeypatch.setenv("SMS_GATEWAY_URL", f"http://AC1:token@{sms.address}")
        monkeypatch.setenv("NOTIFY_BATCH_WINDOW", "600")
        monkeypatch.setenv("NOTIFY_MAX_ATTEMPTS", "3")
        yield smtp.mailbox, gateway


def hear(event_type: str, donation_id, **payload) -> dict:
    envelope = sample_envelope(event_type, donation_id)
    envelope["payload"].update(payload)
    handle("notifications", HANDLERS, envelope)
    return envelope


def donor(donation_id, **contact) -> None:
    values = {"email": "olena@example.com", "phone": None, "channels": ["email"], "name": "Олена",
              "latin": False, "language": "uk", "tracking_code": "1RF4-VTG9-TYZZ-G"}
    values.update(contact)
    hear("donations.donor_contact_changed", donation_id, donor_id=str(contact.get("donor_id", uuid.uuid4())),
         **{k: v for k, v in values.items() if k != "donor_id"})


def messages(donation_id) -> list[Message]:
    with db.session_scope("notifications") as session:
        return list(session.scalars(select(Message).where(Message.donation_id == donation_id)
                                    .order_by(Message.id)))


def later(seconds: float) -> datetime:
    return datetime.now(timezone.utc) + timedelta(seconds=seconds)


def test_offer_thanks_once_by_email_with_unsubscribe_even_when_events_come_twice(channels):
    mailbox, _ = channels
    d = uuid.uuid4()
    donor(d)
    offered = hear("donations.donation_offered", d, declared_count=3)
    handle("notifications", HANDLERS, offered)          # the bus redelivers the same event
    hear("donations.donation_offered", d, declared_count=3)  # or a producer replays it anew
    deliver_due()
    deliver_due()
    [letter] = mailbox.to("olena@example.com")
    assert letter["Subject"] == "Дякуємо за книжки!"
    assert letter["List-Unsubscribe"].startswith("<http") and "/unsubscribe/" in letter["List-Unsubscribe"]
    text = letter.get_body(("plain",)).get_content()
    assert "3 книжки" in text and "/track/1RF4-VTG9-TYZZ-G" in text
    assert "Олена" not in text, "the first letter to an address carries none of the sender's own words"
    assert '<a href="http' in letter.get_body(("html",)).get_content()
    [message] = messages(d)
    assert (message.status, message.channel, message.attempts) == ("sent", "email", 1)
    assert "olena" not in message.recipient_hash
    with db.session_scope("notifications") as session:
        [event] = [load_envelope(r.envelope) for r in session.scalars(select(OutboxEvent))]
    assert event["type"] == "notifications.message_delivered" and event["payload"]["status"] == "sent"


def test_a_message_row_is_never_made_twice_for_one_recipient_stage_and_channel(channels):
    d = uuid.uuid4()
    donor(d)
    hear("donations.donation_collected", d, declared_count=3, collected_count=3)
    deliver_due()
    # A second notice for the same stage cannot exist, and a second message row cannot either.
    with db.session_scope("notifications") as session:
        notice = session.scalar(select(Notice).where(Notice.donation_id == d, Notice.stage == "collected"))
        notice.status = "pending"  # as if the loop ran it again after a crash
    deliver_due()
    assert len(messages(d)) == 1 and len(channels[0].to("olena@example.com")) == 1


def test_shelving_of_forty_books_in_three_centres_is_one_message_per_window(channels):
    mailbox, _ = channels
    d = uuid.uuid4()
    donor(d)
    hear("donations.donation_collected", d, declared_count=40, collected_count=40)
    for i in range(17):
        hear("catalog.copy_shelved", d, copy_code=f"COPY{i:06d}", **CENTRES[i % 3])
    hear("catalog.copy_shelved", d, copy_code="COPY000000", **CENTRES[0])  # redelivered news
    deliver_due()
    assert [m["Subject"] for m in mailbox.to("olena@example.com")] == ["Книжки вже в дорозі"]
    deliver_due(later(601))  # the window closes
    letters = mailbox.to("olena@example.com")
    assert letters[-1]["Subject"] == "17 книжок вже на полицях"
    assert letters[-1].get_body(("plain",)).get_content().startswith(
        "17 книжок з ваших 40 уже на полицях у 3 центрах: Краматорськ (Донецька обл.), "
        "Харків (Харківська обл.), Львів (Львівська обл.).")
    deliver_due(later(1300))
    assert len(mailbox.to("olena@example.com")) == 2
    # More books shelved later: a new window, a new message with the running total.
    for i in range(17, 40):
        hear("catalog.copy_shelved", d, copy_code=f"COPY{i:06d}", **CENTRES[1])
    deliver_due(later(1300))
    last = mailbox.to("olena@example.com")[-1]
    assert last["Subject"] == "40 книжок вже на полицях"
    assert [m.stage for m in messages(d)] == ["collected", "on_shelves", "on_shelves"]
    with db.session_scope("notifications") as session:
        assert [(n.stage, n.batch) for n in session.scalars(select(Notice).where(Notice.donation_id == d)
                                                            .order_by(Notice.id))] == \
            [("collected", 0), ("on_shelves", 1), ("on_shelves", 2)]


def test_sms_waits_for_the_morning_and_goes_in_latin_with_its_segments(channels):
    _, gateway = channels
    d = uuid.uuid4()
    evening = datetime(2026, 12, 1, 22, 30, tzinfo=KYIV)
    with time_machine.travel(evening, tick=False):
        donor(d, email=None, phone="+380671234567", channels=["sms"], latin=True)
        hear("donations.donation_collected", d, declared_count=3, collected_count=2)
        deliver_due()
        [held] = messages(d)
        assert (held.status, held.held_reason) == ("pending", "quiet_hours")
        assert held.next_attempt_at.astimezone(KYIV) == datetime(2026, 12, 2, 9, 0, tzinfo=KYIV)
    with time_machine.travel(datetime(2026, 12, 2, 8, 59, tzinfo=KYIV), tick=False):
        deliver_due()
        assert gateway.sent == []
    with time_machine.travel(datetime(2026, 12, 2, 9, 0, 30, tzinfo=KYIV), tick=False):
        deliver_due()
    [sms] = gateway.sent
    assert sms["To"] == "+380671234567"
    assert sms["Body"].startswith("My zabraly 2 knyzhky (vy proponuvaly 3). Teper vony yidut na sortuvannia")
    [message] = messages(d)
    assert (message.status, message.encoding) == ("sent", "GSM-7")
    # All GSM-7 basic letters: one septet each; 160 fit one SMS, longer ones go in parts of 153.
    expected = 1 if len(sms["Body"]) <= 160 else -(-len(sms["Body"]) // 153)
    assert message.segments == expected


def test_a_refusing_smtp_server_is_retried_with_backoff_then_the_next_channel_is_used(channels):
    mailbox, gateway = channels
    mailbox.refuse = "451 4.3.0 Try again later"
    d = uuid.uuid4()
    donor(d, phone="+380671234567", channels=["email", "sms"])
    with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=KYIV), tick=False) as clock:
        hear("donations.donation_offered", d, declared_count=1)
        deliver_due()
        [message] = messages(d)
        assert (message.status, message.attempts) == ("pending", 1)
        first_wait = message.next_attempt_at - datetime.now(timezone.utc)
        clock.shift(first_wait.total_seconds() + 1)
        deliver_due()
        second_wait = messages(d)[0].next_attempt_at - datetime.now(timezone.utc)
        assert first_wait == timedelta(seconds=30) and second_wait == timedelta(seconds=60)
        clock.shift(61)
        deliver_due()  # third and last try on e-mail fails: SMS takes over
        email_message, sms_message = messages(d)
        assert (email_message.status, email_message.attempts) == ("failed", 3)
        assert "451" in email_message.last_error
        assert sms_message.channel == "sms"
        deliver_due()
    assert len(gateway.sent) == 1 and messages(d)[1].status == "sent"


def test_a_permanent_refusal_falls_back_at_once(channels):
    mailbox, gateway = channels
    mailbox.refuse = "550 5.1.1 No such user"
    d = uuid.uuid4()
    donor(d, phone="+380671234567", channels=["email", "sms"])
    with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=KYIV), tick=False):
        hear("donations.donation_offered", d, declared_count=1)
        deliver_due()
        deliver_due()
    assert [(m.channel, m.status, m.attempts) for m in messages(d)] == [("email", "failed", 1), ("sms", "sent", 1)]
    assert "550" in messages(d)[0].last_error


def test_one_click_unsubscribe_and_preferences(channels):
    mailbox, gateway = channels
    client = create_app({"TESTING": True}).test_client()
    d, donor_id = uuid.uuid4(), uuid.uuid4()
    donor(d, donor_id=donor_id, phone="+380671234567", channels=["email", "sms"])
    token = unsubscribe_token(donor_id, "email")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "Так, відписати мене" in page.text
    with db.session_scope("notifications") as session:
        assert session.get(Contact, d).unsubscribed == []  # a GET (a link checker) changes nothing
    done = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "більше не писатимемо" in done.text
    with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=KYIV), tick=False):
        hear("donations.donation_offered", d, declared_count=1)
        deliver_due()
    assert mailbox.to("olena@example.com") == [] and len(gateway.sent) == 1
    assert client.get("/unsubscribe/forged-token").status_code == 404

    preferences = done.text.split('href="/preferences/')[1].split("?")[0]
    saved = client.post(f"/preferences/{preferences}", data={"channel-email": "1", "reader_news": "1"})
    assert "Збережено." in saved.text
    with db.session_scope("notifications") as session:
        contact = session.get(Contact, d)
        assert (contact.unsubscribed, contact.reader_news) == (["sms"], True)


def test_reader_news_only_for_those_who_asked(channels):
    mailbox, _ = channels
    d = uuid.uuid4()
    donor(d)
    hear("catalog.copy_taken", d, copy_code="COPY000001", **CENTRES[0])
    deliver_due(later(601))
    assert mailbox.to("olena@example.com") == []
    with db.session_scope("notifications") as session:
        [notice] = session.scalars(select(Notice).where(Notice.donation_id == d)).all()
        assert (notice.status, notice.reason) == ("dropped", "reader news not asked for")


def test_erasure_leaves_a_log_without_personal_data(channels):
    d, donor_id = uuid.uuid4(), uuid.uuid4()
    donor(d, donor_id=donor_id)
    hear("donations.donation_offered", d, declared_count=2)
    deliver_due()
    hear("donations.donation_collected", d, declared_count=2, collected_count=2)
    hear("donations.donor_erased", d, donor_id=str(donor_id), donation_ids=[str(d)])
    deliver_due()
    sent, unsent = messages(d) + [None] * (2 - len(messages(d)))
    assert sent.status == "sent" and sent.text is None and sent.recipient_hash.startswith("erased:")
    assert unsent is None  # nobody left to tell: the notice was dropped, no message made
    client = create_app({"TESTING": True}).test_client()
    from tests.staff import make_staff

    log = client.get(f"/api/v1/messages?donation_id={d}", headers=auth(make_staff("a", "admin"))).json
    assert len(log) == 1 and "olena" not in str(log)


def alerts_to(mailbox) -> list[str]:
    return [m["Subject"] for m in mailbox.to("hub@bookcross.example")]


def test_staff_hear_of_a_misrouted_copy_an_overdue_pickup_and_shipment(channels, monkeypatch):
    mailbox, _ = channels
    monkeypatch.setenv("STAFF_ALERTS_EMAIL", "hub@bookcross.example")
    hear("catalog.copy_misrouted", uuid.uuid4(), copy_code="K7QM4ZT9P2", expected_centre_code="4641", **CENTRES[1])
    late, done = uuid.uuid4(), uuid.uuid4()
    end = datetime.now(timezone.utc) - timedelta(hours=3)
    for d in (late, done):
        hear("donations.pickup_scheduled", d, scheduled_start=end - timedelta(hours=2), scheduled_end=end)
    hear("donations.donation_collected", done, declared_count=2, collected_count=2)
    hear("catalog.shipment_dispatched", uuid.uuid4(), shipment_id=7, carrier_tracking="20450000000000",
         **CENTRES[0], donations=[])
    hear("catalog.shipment_dispatched", uuid.uuid4(), shipment_id=8, carrier_tracking=None,
         **CENTRES[2], donations=[])
    hear("catalog.shipment_closed", uuid.uuid4(), shipment_id=8, centre_code="4641", received_count=3, missing=[])
    deliver_due()
    subjects = alerts_to(mailbox)
    assert subjects[0] == "Книжка K7QM4-ZT9P2 прийшла не туди: Харків, 6341"
    assert subjects[1:] == [f"Вивезення прострочене: пожертва {late}"]
    deliver_due(later(6 * 86400))  # five days on, shipment 7 is still not received
    assert alerts_to(mailbox)[2:] == ["Відправлення №7 не отримано: Краматорськ, 1452"]
    deliver_due(later(7 * 86400))
    assert len(alerts_to(mailbox)) == 3  # each alert once


def test_a_dead_letter_anywhere_reaches_the_staff_mailbox_once(channels, monkeypatch):
    from shared.bus.consumer import dead_letter

    mailbox, _ = channels
    monkeypatch.setenv("STAFF_ALERTS_EMAIL", "hub@bookcross.example")
    failed = sample_envelope("donations.donation_offered")
    dead_letter("catalog", failed, {"catalog.on_donation_offered": "IntegrityError: boom"})
    with db.session_scope("catalog") as session:
        [row] = session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "bus.event_dead_lettered"))
        alert_event = row.envelope
    handle("notifications", HANDLERS, alert_event)
    handle("notifications", HANDLERS, alert_event)
    deliver_due()
    [subject] = alerts_to(mailbox)
    assert subject == "Подію не оброблено: donations.donation_offered у catalog"
    letter = mailbox.to("hub@bookcross.example")[0].get_body(("plain",)).get_content()
    assert "bookcross events replay --service catalog --dead-letters" in letter
    # An alert that itself dies does not raise another alert about itself.
    dead_letter("notifications", alert_event, {"notifications.on_event_dead_lettered": "boom"})
    with db.session_scope("notifications") as session:
        assert session.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "bus.event_dead_lettered")).all() == []


def test_a_donor_connects_telegram_from_the_preferences_page_and_is_written_to_there(channels, monkeypatch):
    from shared.donor_links import preferences_token

    bot = StandInServer(lambda request: (200, {"ok": True, "result": {"message_id": 42}}))
    with bot:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
        monkeypatch.setenv("TELEGRAM_API_URL", bot.url)
        monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "bookcross_bot")
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret")
        client = create_app({"TESTING": True}).test_client()
        d, donor_id = uuid.uuid4(), uuid.uuid4()
        donor(d, donor_id=donor_id)
        page = client.get(f"/preferences/{preferences_token(donor_id)}")
        link = page.text.split('id="connect-telegram" href="')[1].split('"')[0]
        assert link.startswith("https://t.me/bookcross_bot?start=")
        code = link.split("start=")[1]
        update = {"update_id": 1, "message": {"message_id": 5, "chat": {"id": 777000, "type": "private"},
                                              "text": f"/start {code}"}}
        assert client.post("/telegram/webhook", json=update).status_code == 403  # no secret: not Telegram
        answer = client.post("/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
        assert answer.status_code == 200
        welcome = json.loads(bot.received[-1].body)
        assert welcome["chat_id"] == 777000 and welcome["text"].startswith("Готово!")
        with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=KYIV), tick=False):
            hear("donations.donation_offered", d, declared_count=2)
            deliver_due()
        sent = json.loads(bot.received[-1].body)
        assert bot.received[-1].path == "/bot123:abc/sendMessage"
        assert sent["chat_id"] == "777000" and "2 книжки" in sent["text"] and "/track/" in sent["text"]
        assert [(m.channel, m.status) for m in messages(d)] == [("telegram", "sent")]
        assert channels[0].to("olena@example.com") == []  # Telegram came first: no e-mail as well


def test_an_sms_retry_that_would_fall_in_quiet_hours_waits_for_the_morning(channels):
    _, gateway = channels
    gateway.fail_with = (503, {"code": 20500, "message": "Service unavailable", "status": 503})
    d = uuid.uuid4()
    donor(d, email=None, phone="+380671234567", channels=["sms"])
    with time_machine.travel(datetime(2026, 12, 2, 20, 59, 50, tzinfo=KYIV), tick=False):
        hear("donations.donation_offered", d, declared_count=1)
        deliver_due()  # 20:59:50: the gateway is down; the retry would be at 21:00:20
    [message] = messages(d)
    assert (message.status, message.held_reason) == ("pending", "quiet_hours")
    assert message.next_attempt_at.astimezone(KYIV) == datetime(2026, 12, 3, 9, 0, tzinfo=KYIV)


def test_a_slow_mail_server_costs_one_tick_its_budget_and_leaves_nothing_claimed(channels):
    """A server that takes a second per message: a tick with a 1.5 s budget sends what fits,
    claims nothing it cannot send, and the next ticks go on where it stopped — each letter once."""
    import time

    mailbox, _ = channels
    mailbox.delay = 1.0
    donations = [uuid.uuid4() for _ in range(5)]
    for n, d in enumerate(donations):
        donor(d, email=f"donor{n}@example.com")
        hear("donations.donation_offered", d, declared_count=1)
    started = time.monotonic()
    result = deliver_due(budget=1.5)
    took = time.monotonic() - started
    assert 1 <= result.sent <= 2 and took < 1.5 + 1.0 + 1.0, (result, took)
    statuses = [m.status for d in donations for m in messages(d)]
    assert "sending" not in statuses and statuses.count("sent") == result.sent
    while any(m.status != "sent" for d in donations for m in messages(d)):
        deliver_due(budget=1.5)
    assert [len(mailbox.to(f"donor{n}@example.com")) for n in range(5)] == [1] * 5


def test_staff_alerts_are_claimed_so_two_ticks_at_once_mail_each_once(channels, monkeypatch):
    """Two ticks overlapping (two beats, or a tick slower than its period) against a slow
    server: each alert goes to the staff mailbox once."""
    import threading

    mailbox, _ = channels
    mailbox.delay = 0.3
    monkeypatch.setenv("STAFF_ALERTS_EMAIL", "hub@bookcross.example")
    for n in range(4):
        hear("catalog.copy_misrouted", uuid.uuid4(), copy_code=f"K7QM4ZT9P{n}", centre_code="6341",
             centre_name="ТСЦ 6341", settlement="Харків", oblast="Харківська")
    ticks = [threading.Thread(target=deliver_due, kwargs={"budget": 10}) for _ in range(2)]
    for tick in ticks:
        tick.start()
    for tick in ticks:
        tick.join()
    subjects = alerts_to(mailbox)
    assert len(subjects) == 4 and len(set(subjects)) == 4, subjects


def test_staff_alerts_go_first_when_donor_letters_are_queued(channels, monkeypatch):
    mailbox, _ = channels
    mailbox.delay = 0.4
    monkeypatch.setenv("STAFF_ALERTS_EMAIL", "hub@bookcross.example")
    for n in range(6):
        d = uuid.uuid4()
        donor(d, email=f"donor{n}@example.com")
        hear("donations.donation_offered", d, declared_count=1)
    hear("catalog.copy_misrouted", uuid.uuid4(), copy_code="K7QM4ZT9P2", centre_code="6341",
         centre_name="ТСЦ 6341", settlement="Харків", oblast="Харківська")
    deliver_due(budget=0.5)
    assert alerts_to(mailbox) == ["Книжка K7QM4-ZT9P2 прийшла не туди: Харків, 6341"]
    assert len(mailbox.messages) < 1 + 6  # the letters wait for the next ticks; the alert did not


@pytest.mark.parametrize("order", ["in order", "overtaken", "overtaken after the newer was sent"])
def test_an_older_pickup_time_is_never_told_after_a_newer_one(channels, order):
    """The bus does not promise order (retries, two pool processes): the donor hears of a
    pickup time only while nothing newer is known — whichever event arrives first."""
    mailbox, _ = channels
    d = uuid.uuid4()
    donor(d)
    scheduled = sample_envelope("donations.pickup_scheduled", d)
    rescheduled = sample_envelope("donations.pickup_rescheduled", d)  # written later: newer
    if order == "in order":
        handle("notifications", HANDLERS, scheduled)
        deliver_due()
        handle("notifications", HANDLERS, rescheduled)
        deliver_due()
        told = ["pickup_scheduled", "pickup_rescheduled"]
    else:
        handle("notifications", HANDLERS, rescheduled)
        if order == "overtaken after the newer was sent":
            deliver_due()
        handle("notifications", HANDLERS, scheduled)
        deliver_due()
        told = ["pickup_rescheduled"]
    assert [m.stage for m in messages(d) if m.status == "sent"] == told
    assert len(mailbox.to("olena@example.com")) == len(told)


def test_no_pickup_time_is_told_after_the_books_were_collected(channels):
    mailbox, _ = channels
    d = uuid.uuid4()
    donor(d)
    scheduled = sample_envelope("donations.pickup_scheduled", d)
    collected = sample_envelope("donations.donation_collected", d)
    handle("notifications", HANDLERS, collected)
    handle("notifications", HANDLERS, scheduled)
    deliver_due()
    assert [m.stage for m in messages(d)] == ["collected"]
    with db.session_scope("notifications") as session:
        dropped = session.scalar(select(Notice).where(Notice.donation_id == d, Notice.stage.startswith("pickup")))
        assert (dropped.status, dropped.reason) == ("dropped", "superseded by newer news")
