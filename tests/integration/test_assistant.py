"""The consultation assistant on real databases (PostgreSQL and SQLite): the "Ask us" box and the
asker's page, the staff queue and its answer, a Telegram question in and its answer out (a local
stand-in speaking the Bot API), a donor recognised by their chat, the needs snapshot from
catalog, the response times on the dashboard, "forget me", limits and bad input."""
from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import select

from services.catalog import assistant_feed
from services.catalog.app import create_app as catalog_app
from services.catalog.handlers import HANDLERS as CATALOG
from services.donations import services as donation_services
from services.donations.app import create_app as donations_app
from services.donations.assistant.models import NeedsSnapshot, Question
from services.donations.handlers import HANDLERS as DONATIONS
from services.notifications.app import create_app as notifications_app
from services.notifications.assistant_models import AssistantReply, TelegramConversation
from services.notifications.delivery import deliver_due
from services.notifications.handlers import HANDLERS as NOTIFICATIONS
from shared import db
from shared.bus.consumer import handle
from shared.models import OutboxEvent
from shared.testing.standin import StandInServer
from tests.samples import offer
from tests.standins import SmtpServer

HANDLERS = {"catalog": CATALOG, "donations": DONATIONS, "notifications": NOTIFICATIONS}
SECRET = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}


def events(service: str, event_type: str) -> list[dict]:
    with db.session_scope(service) as session:
        return [r.envelope for r in session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == event_type)
                                                    .order_by(OutboxEvent.id))]


def deliver(event_type: str, producer: str) -> int:
    """Hand every outbox event of this type to its subscribers, as the bus would (twice: a
    redelivery has no second effect)."""
    from shared.bus.subscriptions import subscribers_of

    sent = 0
    for envelope in events(producer, event_type):
        for service in subscribers_of(event_type):
            handle(service, HANDLERS[service], envelope)
            handle(service, HANDLERS[service], envelope)
            sent += 1
    return sent


def donate(**donor) -> dict:
    body = offer(donor={"kind": "citizen", "name": "Олена Петренко", "email": "olena.p@example.com",
                        "consent": True, **donor})
    response = donations_app({"TESTING": True}).test_client().post("/api/v1/donations", json=body)
    assert response.status_code == 201, response.text
    return response.json


@pytest.fixture
def bot(databases, monkeypatch):
    """Telegram's Bot API as a local stand-in; the bot configured to use it."""
    sent = []

    def answer(request):
        sent.append(json.loads(request.body))
        return 200, {"ok": True, "result": {"message_id": len(sent), "chat": {"id": 1}}}

    with StandInServer(answer) as api:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
        monkeypatch.setenv("TELEGRAM_API_URL", api.url)
        monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "bookcross_bot")
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret")
        yield sent


def telegram(text: str, chat_id: int = 555001, language: str = "uk") -> None:
    update = {"update_id": 1, "message": {"message_id": 9, "chat": {"id": chat_id, "type": "private"},
                                          "from": {"id": chat_id, "language_code": language}, "text": text}}
    response = notifications_app({"TESTING": True}).test_client().post("/telegram/webhook", json=update,
                                                                        headers=SECRET)
    assert response.status_code == 200


def through_the_bus() -> None:
    deliver("notifications.question_received", "notifications")
    deliver("donations.assistant_replied", "donations")
    deliver_due()


def test_the_ask_us_box_answers_a_code_with_the_stage_and_no_personal_data(databases):
    donation = donate()
    client = donations_app({"TESTING": True}).test_client()
    form = client.get("/ask?lang=uk")
    assert form.status_code == 200 and 'name="question"' in form.text and "<script" not in form.text
    asked = client.post("/ask?lang=uk", data={"question": f"Добрий день, де мої книжки? {donation['tracking_code']}"})
    assert asked.status_code == 303
    page = client.get(asked.headers["Location"])
    assert page.status_code == 200
    answer = re.search(r'<p id="answer"[^>]*>(.*?)</p>', page.text, re.S).group(1)
    assert f"Пожертва {donation['tracking_code']}: запропоновано." in answer
    assert "Ми отримали вашу пропозицію: 3 книжки." in answer and f"/track/{donation['tracking_code']}" in answer
    for personal in ("Олена", "olena.p@example.com", "Сумська"):
        assert personal not in page.text
    [asked_event] = events("donations", "donations.question_asked")
    assert asked_event["payload"]["intent"] == "track" and asked_event["payload"]["handed_over"] is False
    assert "text" not in asked_event["payload"]  # the reports hear no words


def test_the_box_in_english_and_bad_input_named_in_the_askers_language(databases):
    client = donations_app({"TESTING": True}).test_client()
    asked = client.post("/ask?lang=en", data={"question": "How can I donate books in Lviv?"})
    page = client.get(asked.headers["Location"])
    assert "Giving books is simple" in page.text and "Lviv" in page.text
    empty = client.post("/ask?lang=uk", data={"question": "   ", "email": "not-an-address"})
    assert empty.status_code == 422
    assert "Ваше питання" in empty.text and "Неправильна адреса електронної пошти." in empty.text
    english = client.post("/ask?lang=en", data={"question": ""})
    assert english.status_code == 422 and "Your question" in english.text
    with db.session_scope("donations") as session:
        assert len(session.scalars(select(Question)).all()) == 1  # nothing half-written


def test_a_question_for_a_person_waits_in_the_queue_and_the_staff_answer_reaches_page_and_email(databases,
                                                                                                  monkeypatch):
    from tests.staff import staff_cookie

    client = donations_app({"TESTING": True}).test_client()
    asked = client.post("/ask?lang=uk", data={"question": "Чи можна стати волонтером?",
                                              "email": "Asker@Example.com"})
    page_url = asked.headers["Location"]
    page = client.get(page_url)
    assert "передаю ваше питання колезі" in page.text and 'id="waiting"' in page.text
    token = page_url.split("/ask/")[1].split("?")[0]
    assert token in page.text  # the answer names the page to come back to

    staff = donations_app({"TESTING": True}).test_client()
    assert staff.get("/staff/questions").status_code == 302  # signed out: to the sign-in page
    _, cookie = staff_cookie("olha", "logistics")
    staff.set_cookie("bookcross_staff", cookie)
    queue = staff.get("/staff/questions?lang=uk")
    assert "Чи можна стати волонтером?" in queue.text
    question_id = re.search(r'id="question-([0-9a-f-]{36})"', queue.text).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', queue.text).group(1)
    assert staff.post(f"/staff/questions/{question_id}", data={"answer": "Так! Напишіть нам.", "csrf": "x"}).status_code == 403
    done = staff.post(f"/staff/questions/{question_id}", data={"answer": "Так! Напишіть нам.", "csrf": csrf})
    assert done.status_code == 303
    again = staff.post(f"/staff/questions/{question_id}", data={"answer": "Ще раз", "csrf": csrf})
    assert "done=already" in again.headers["Location"]
    page = client.get(page_url)
    assert 'id="staff-answer"' in page.text and "Так! Напишіть нам." in page.text and 'id="waiting"' not in page.text

    [answered] = events("donations", "donations.question_answered")
    assert answered["payload"]["question_id"] == question_id
    with SmtpServer() as smtp:
        monkeypatch.setenv("SMTP_URL", smtp.url)
        deliver("donations.assistant_replied", "donations")
        deliver_due()
        [letter] = smtp.mailbox.to("Asker@example.com")
    body = letter.get_body(("plain",)).get_content()
    assert letter["Subject"] == "Відповідь на ваше питання" and "Так! Напишіть нам." in body
    with db.session_scope("notifications") as session:
        [reply] = session.scalars(select(AssistantReply)).all()
        assert (reply.status, reply.text, reply.email) == ("sent", None, None)  # nothing kept once sent

    # The response time reaches the dashboard (catalog's reports).
    deliver("donations.question_asked", "donations")
    deliver("donations.question_answered", "donations")
    from services.catalog.services import figures as report_views

    figures = report_views.dashboard()["questions"]
    [month] = figures["months"]
    assert (month["asked"], month["handed_over"], month["by_staff"]) == (1, 1, 1)
    assert month["staff_median_s"] is not None and figures["waiting_total"] == 0

    forget = client.post(f"/ask/{token}/forget")
    assert forget.status_code == 303
    assert "Так! Напишіть нам." not in client.get(page_url).text


def test_telegram_where_are_my_books_with_a_code_gets_the_stage_in_the_same_chat(bot):
    donation = donate()
    telegram(f"де мої книжки {donation['tracking_code'].replace('-', '').lower()}")
    through_the_bus()
    [sent] = bot
    assert sent["chat_id"] == "555001"
    assert sent["text"].startswith(f"Пожертва {donation['tracking_code']}: запропоновано.")
    assert "Олена" not in sent["text"]
    # A redelivered answer is not sent twice.
    deliver("donations.assistant_replied", "donations")
    deliver_due()
    assert len(bot) == 1
    with db.session_scope("notifications") as session:
        [conversation] = session.scalars(select(TelegramConversation)).all()
    with db.session_scope("donations") as session:
        [question] = session.scalars(select(Question)).all()
        assert question.conversation_id == conversation.id and question.channel == "telegram"
        assert question.donation_ids == [donation["id"]]


def test_a_donor_who_connected_telegram_is_recognised_without_a_code_and_forgotten_with_forget_me(bot):
    from shared.donor_links import preferences_token

    donation = donate()
    deliver("donations.donor_contact_changed", "donations")
    client = notifications_app({"TESTING": True}).test_client()
    with db.session_scope("donations") as session:
        donor_id = session.get(__import__("services.donations.models", fromlist=["Donation"]).Donation,
                               uuid.UUID(donation["id"])).donor_id
    page = client.get(f"/preferences/{preferences_token(donor_id)}")
    code = page.text.split("start=")[1].split('"')[0]
    update = {"update_id": 2, "message": {"chat": {"id": 777, "type": "private"}, "text": f"/start {code}"}}
    assert client.post("/telegram/webhook", json=update, headers=SECRET).status_code == 200
    bot.clear()
    telegram("Де мої книжки?", chat_id=777)
    through_the_bus()
    [sent] = bot
    assert sent["chat_id"] == "777" and f"Пожертва {donation['tracking_code']}" in sent["text"]
    # Someone else's chat, the same words: no donation, a request for the code.
    telegram("Де мої книжки?", chat_id=888)
    through_the_bus()
    assert "надішліть код відстеження" in bot[-1]["text"] and donation["tracking_code"] not in bot[-1]["text"]

    donation_services.erase_donor(donation["tracking_code"])
    deliver("donations.donor_erased", "donations")
    with db.session_scope("donations") as session:
        mine = [q for q in session.scalars(select(Question)) if donation["id"] in q.donation_ids]
        assert mine and all(q.text is None and q.answer is None and q.wiped_at for q in mine)
    with db.session_scope("notifications") as session:
        assert [c.chat_id for c in session.scalars(select(TelegramConversation))] == ["888"]


def test_a_person_asked_for_on_telegram_is_answered_there_by_staff(bot):
    telegram("хочу поговорити з людиною")
    through_the_bus()
    assert "Передаю ваше питання колезі" in bot[-1]["text"]
    with db.session_scope("donations") as session:
        [question] = session.scalars(select(Question)).all()
        assert question.status == "waiting"
    from services.donations.assistant import services

    services.answer_as_staff(question.id, "Доброго дня! Я Ольга з команди.", staff_name="olha")
    through_the_bus()
    assert bot[-1]["chat_id"] == "555001"
    assert bot[-1]["text"] == "Відповідь від команди bookcross:\nДоброго дня! Я Ольга з команди."


def test_catalog_tells_the_assistant_where_shelves_are_only_when_that_changes(databases, seeded_centres):
    client = donations_app({"TESTING": True}).test_client()
    before = client.get(client.post("/ask?lang=uk", data={"question": "де полиця в Харкові?"}).headers["Location"])
    assert "ще не знаю напевно" in before.text  # nothing heard yet: never "no shelves"
    assert assistant_feed.publish_if_changed() is True
    assert assistant_feed.publish_if_changed() is False
    deliver("catalog.needs_changed", "catalog")
    with db.session_scope("donations") as session:
        snapshot = session.get(NeedsSnapshot, 1).payload
    kharkiv = [c for c in snapshot["centres"] if c["oblast"] == "Харківська"]
    assert kharkiv, "the demo seed opens shelves in Kharkiv oblast"
    page = client.get(client.post("/ask?lang=uk", data={"question": "де полиця в Харківській області?"})
                      .headers["Location"])
    answer = re.search(r'<p id="answer"[^>]*>(.*?)</p>', page.text, re.S).group(1)
    assert f"ТСЦ {kharkiv[0]['code']}" in answer
    needs = client.get(client.post("/ask?lang=uk", data={"question": "які книжки потрібні?"}).headers["Location"])
    assert "Найбільше книжок зараз чекають" in needs.text


def test_questions_are_rate_limited_per_client_and_per_chat(bot, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_QUESTIONS", "2/minute")
    client = donations_app({"TESTING": True}).test_client()
    statuses = [client.post("/ask?lang=en", data={"question": "hi"}).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    for _ in range(3):
        telegram("привіт", chat_id=999)
    assert len(events("notifications", "notifications.question_received")) == 2


def test_a_robot_filling_the_hidden_field_asks_nothing(databases):
    client = donations_app({"TESTING": True}).test_client()
    assert client.post("/ask", data={"question": "buy pills", "website": "http://spam"}).status_code == 303
    with db.session_scope("donations") as session:
        assert session.scalars(select(Question)).all() == []


def test_the_dashboard_page_shows_the_questions(databases):
    from tests.staff import staff_cookie

    client = catalog_app({"TESTING": True}).test_client()
    client.set_cookie("bookcross_staff", staff_cookie("admin", "admin")[1])
    page = client.get("/staff/reports?lang=uk")
    assert page.status_code == 200 and 'id="questions-table"' in page.text and "Відповіді на питання" in page.text
