"""The consultation assistant on the running network (gunicorn, Celery workers and beat, Redis,
PostgreSQL), with Telegram's Bot API as a local stand-in: a donor asks the bot "де мої книжки"
with their code and gets the stage in the same chat; a question for a person appears in the
staff queue, the staff answer reaches the same chat, and the response time appears on the
dashboard; catalog's needs reach the assistant by themselves."""
from __future__ import annotations

import json
import re
import threading

import pytest
import requests

from services.donations.assistant.models import NeedsSnapshot
from shared import db
from shared.testing import wait_for
from shared.testing.standin import StandInServer
from tests.e2e.catalog_steps import bearer, only_these_shelves
from tests.samples import offer

pytestmark = pytest.mark.e2e
SECRET = "e2e-webhook-secret"
CHAT = 424242


class BotApi:
    """Telegram's Bot API: records every sendMessage and answers as Telegram does."""

    def __init__(self):
        self.sent: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, request):
        body = json.loads(request.body or b"{}")
        with self.lock:
            self.sent.append({"path": request.path, **body})
            n = len(self.sent)
        return 200, {"ok": True, "result": {"message_id": n, "chat": {"id": body.get("chat_id")},
                                            "text": body.get("text")}}

    def to(self, chat) -> list[str]:
        with self.lock:
            return [m["text"] for m in self.sent if str(m.get("chat_id")) == str(chat)]


@pytest.fixture(scope="module")
def bot_api():
    api = BotApi()
    with StandInServer(api) as server:
        api.url = server.url
        yield api


@pytest.fixture(scope="module")
def network_env(e2e_env, bot_api):
    return {**e2e_env, "TELEGRAM_BOT_TOKEN": "4242:e2e", "TELEGRAM_API_URL": bot_api.url,
            "TELEGRAM_BOT_USERNAME": "bookcross_e2e_bot", "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "ASSISTANT_NEEDS_SECONDS": "1"}


def say(network, text: str, chat: int = CHAT, update_id: int = 1) -> None:
    update = {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1764547200, "chat": {"id": chat, "type": "private", "first_name": "Оля"},
        "from": {"id": chat, "is_bot": False, "first_name": "Оля", "language_code": "uk"}, "text": text}}
    response = requests.post(f"{network.url('notifications')}/telegram/webhook", json=update, timeout=10,
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 200, response.text


def test_a_telegram_question_with_a_code_gets_the_stage_and_a_person_answers_the_rest(
        network, bot_api, logistics_token, admin_token):
    donations = network.url("donations")
    created = requests.post(f"{donations}/api/v1/donations", timeout=10, json=offer(
        donor={"kind": "citizen", "name": "Ольга Коваль", "email": "olha.k@example.com", "consent": True},
        items=[{"title": "Кобзар", "authors": "Тарас Шевченко", "quantity": 4}])).json()
    collected = requests.post(f"{donations}/api/v1/donations/{created['id']}/collection", timeout=10,
                              json={"collected_count": 4}, headers=bearer(logistics_token))
    assert collected.status_code == 200, collected.text

    # "де мої книжки" with the code, as typed in a hurry: the stage, in the same chat.
    say(network, f"Добрий день! де мої книжки? {created['tracking_code'].replace('-', ' ').lower()}")
    [answer] = wait_for(lambda: bot_api.to(CHAT) or None, timeout=30, message="the assistant's answer")
    assert answer.startswith(f"Пожертва {created['tracking_code']}: книжки забрали.")
    assert "4 книжки" in answer and f"/track/{created['tracking_code']}" in answer  # the latest step, in plain words
    assert "Ольга" not in answer and "olha.k@example.com" not in answer

    # An admin opens a shelf in Kharkiv; catalog tells the assistant by itself (ASSISTANT_NEEDS_SECONDS=1).
    only_these_shelves(network, admin_token, {"6341": 10, "1452": 10})

    def heard():
        with db.session_scope("donations") as session:
            row = session.get(NeedsSnapshot, 1)
            return row is not None and {c["code"] for c in row.payload["centres"]} == {"6341", "1452"}

    wait_for(heard, timeout=30, message="catalog's needs reach the assistant")
    say(network, "де найближча полиця у Харкові?", update_id=2)
    shelves = wait_for(lambda: (lambda t: t if len(t) >= 2 else None)(bot_api.to(CHAT)), timeout=30)[1]
    assert shelves.startswith("Полиці з книжками (Харків):") and "ТСЦ 6341" in shelves

    # A question for a person: the honest handover, then the staff queue.
    say(network, "Хочу поговорити з людиною: чи можна привезти книжки англійською?", update_id=3)
    handover = wait_for(lambda: (lambda t: t[2] if len(t) >= 3 else None)(bot_api.to(CHAT)), timeout=30)
    assert "Передаю ваше питання колезі" in handover
    from tests.staff import staff_cookie

    _, cookie = staff_cookie("olha", "logistics")
    staff = requests.Session()
    staff.cookies.set("bookcross_staff", cookie)

    def queued():
        page = staff.get(f"{donations}/staff/questions?lang=uk", timeout=10, allow_redirects=False)
        return page if page.status_code == 200 and "привезти книжки англійською" in page.text else None

    queue = wait_for(queued, timeout=30, message="the question in the staff queue")
    question_id = re.search(r'id="question-([0-9a-f-]{36})"', queue.text).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', queue.text).group(1)
    reply = staff.post(f"{donations}/staff/questions/{question_id}?lang=uk", timeout=10, allow_redirects=False,
                       data={"csrf": csrf, "answer": "Так, англійські книжки теж чекаємо. Дякуємо!"})
    assert reply.status_code == 303, reply.text

    staff_answer = wait_for(lambda: (lambda t: t[3] if len(t) >= 4 else None)(bot_api.to(CHAT)), timeout=30,
                            message="the staff answer in the same chat")
    assert staff_answer == "Відповідь від команди bookcross:\nТак, англійські книжки теж чекаємо. Дякуємо!"
    assert all(m["path"] == "/bot4242:e2e/sendMessage" for m in bot_api.sent)

    # The response time on the dashboard.
    def timed():
        board = requests.get(f"{network.url('catalog')}/api/v1/reports/dashboard", headers=bearer(admin_token),
                             timeout=10).json()
        months = board["questions"]["months"]
        return months if months and months[-1]["by_staff"] == 1 else None

    [month] = wait_for(timed, timeout=30, message="the response time on the dashboard")
    assert (month["asked"], month["by_assistant"], month["handed_over"]) == (3, 2, 1)
    assert month["staff_median_s"] is not None and month["staff_median_s"] >= 0
    page = requests.get(f"{network.url('catalog')}/staff/reports?lang=uk", cookies={"bookcross_staff": cookie},
                        timeout=10)
    assert re.search(r'<td class="n" data-by-staff>1</td>', page.text)
